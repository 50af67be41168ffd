#include "core/runtime/llama/llama.h"

#include "core/base/error.h"
#include "core/runtime/checkpoint.h"
#include "core/runtime/llama/decoder_variant.h"
#include "core/runtime/llama/llama2c_header.h"
#include "core/tokenizers/bpe_tokenizer.h"

#include <QDir>
#include <QFileInfo>

#include <fstream>

namespace expertscope {
namespace {

std::string findTokenizerBeside(const std::string& modelPath, const std::string& explicitPath) {
    if (!explicitPath.empty()) return explicitPath;
    const QFileInfo fi(QString::fromStdString(modelPath));
    const QDir dir = fi.isDir() ? QDir(fi.absoluteFilePath()) : fi.absoluteDir();
    if (dir.exists("tokenizer.model")) return dir.filePath("tokenizer.model").toStdString();
    const auto candidates = dir.entryList({"tok*.model"}, QDir::Files, QDir::Name);
    if (!candidates.isEmpty()) return dir.filePath(candidates.first()).toStdString();
    throw Error(modelPath + ": no sentencepiece tokenizer (tokenizer.model or tok*.model) beside the model; name one explicitly");
}

// The tokenizer against the header (its shape was checked with the file: llama2c_header.h).
void finishInfo(ModelInfo& info, const Tokenizer& tok) {
    if (tok.vocabSize() > info.vocab)
        throw Error(info.tokenizerPath + ": tokenizer has " + std::to_string(tok.vocabSize()) +
                    " pieces but the model only " + std::to_string(info.vocab));
    info.device = preferredDevice().is_cuda() ? "cuda" : "cpu";
}

std::vector<at::Tensor*> layerTensors(LlamaWeights::Layer& L) {
    return {&L.attnNorm, &L.wq, &L.wk, &L.wv, &L.wo, &L.ffnNorm, &L.gate, &L.up, &L.down, &L.bq, &L.bk,
            &L.bv, &L.bo, &L.qNorm, &L.kNorm, &L.postAttnNorm, &L.postFfnNorm};
}

int64_t countParameters(LlamaWeights& w, bool tied) {
    int64_t n = w.embedding.numel() + w.finalNorm.numel() + (tied ? 0 : w.head.numel());
    for (auto& L : w.layers)
        for (const auto* t : layerTensors(L))
            if (t->defined()) n += t->numel();
    return n;
}

void moveToDevice(LlamaWeights& w, bool tied) {
    const auto device = preferredDevice();
    if (!device.is_cuda()) return;
    w.embedding = w.embedding.to(device);
    w.finalNorm = w.finalNorm.to(device);
    w.head = tied ? w.embedding : w.head.to(device);
    for (auto& L : w.layers)
        for (auto* t : layerTensors(L))
            if (t->defined()) *t = t->to(device);
}

bool hasTokenizerBeside(const std::string& dirPath) {
    const QDir dir(QString::fromStdString(dirPath));
    return dir.exists("tokenizer.model") || !dir.entryList({"tok*.model"}, QDir::Files).isEmpty();
}

std::unique_ptr<LanguageModel> assemble(ModelInfo info, LlamaWeights w, RopeLayout rope, bool hfNames,
                                        std::unique_ptr<Tokenizer> tok, std::vector<int> stops) {
    info.parameters = countParameters(w, info.tiedEmbeddings);
    moveToDevice(w, info.tiedEmbeddings);
    auto probes = llamaProbePoints(info, hfNames);
    auto backbone = makeLlamaBackbone(info, std::move(w), rope);
    return std::make_unique<TransformerModel>(std::move(info), std::move(probes), std::move(tok), std::move(backbone),
                                              std::move(stops));
}

}  // namespace

ModelInfo readLlamaHuggingFaceConfig(const std::string& dirPath) { return readDecoderVariant(dirPath).info; }

std::unique_ptr<LanguageModel> loadLlamaHuggingFace(const std::string& dirPath, const std::string& tokenizerPath) {
    DecoderVariant variant = readDecoderVariant(dirPath);
    ModelInfo& info = variant.info;
    // The tokenizer beside it: a sentencepiece tokenizer.model, else a byte-level BPE
    // tokenizer.json (Llama 3, Qwen2); without one the model runs on token ids only.
    std::unique_ptr<Tokenizer> tok;
    if (!tokenizerPath.empty()) {
        info.tokenizerPath = tokenizerPath;
        tok = loadTokenizer(tokenizerPath);
    } else {
        std::string why;
        const QDir dir(QString::fromStdString(dirPath));
        if (hasTokenizerBeside(dirPath)) {
            try {
                info.tokenizerPath = findTokenizerBeside(dirPath, {});
                tok = loadSentencePieceTokenizer(info.tokenizerPath);
            } catch (const Error&) {  // Llama 3 ships a tiktoken file under that name
                info.tokenizerPath.clear();
                why = "the tokenizer.model beside it is not a sentencepiece model";
            }
        }
        if (!tok && dir.exists("tokenizer.json")) {
            info.tokenizerPath = dir.filePath("tokenizer.json").toStdString();
            tok = loadTokenizerJson(info.tokenizerPath);
        }
        if (!tok) tok = missingTokenizer(dirPath, info.vocab, info.bosId, info.eosId, why);
    }
    const CheckpointTensors tensors(dirPath);
    return buildDecoderModel(std::move(variant), std::move(tok), {[&](const std::string& name, const std::vector<int64_t>& shape) {
                                                                      return tensors.get(name, shape);
                                                                  },
                                                                  [&](const std::string& name) { return tensors.contains(name); }});
}

std::unique_ptr<LanguageModel> buildDecoderModel(DecoderVariant variant, std::unique_ptr<Tokenizer> tok, const DecoderTensors& tensors) {
    ModelInfo& info = variant.info;
    const std::string& dirPath = info.path;
    if (!info.tokenizerPath.empty()) {
        if (tok->vocabSize() > info.vocab)
            throw Error(info.tokenizerPath + ": tokenizer has " + std::to_string(tok->vocabSize()) + " tokens but the model only " +
                        std::to_string(info.vocab));
        info.prependBos = tok->addsBos();  // sentences are wrapped as the tokenizer does it, with its BOS
        if (info.prependBos && tok->bosId() >= 0) info.bosId = tok->bosId();
    }
    info.device = preferredDevice().is_cuda() ? "cuda" : "cpu";

    const auto get = [&](const std::string& name, std::vector<int64_t> shape) { return tensors.get(name, shape); };
    // Gemma's RMSNorm multiplies by 1 + w: stored once as used.
    const auto norm = [&](const std::string& name, int64_t width) {
        auto w = get(name, {width});
        return variant.gemmaNorms ? w.add_(1.0f) : w;
    };
    const int64_t D = info.hidden, F = info.intermediate, V = info.vocab, hd = info.headDim;
    const int64_t Q = info.heads * hd, KVD = info.kvHeads * hd;
    LlamaWeights w;
    w.embedding = get("model.embed_tokens.weight", {V, D});
    w.finalNorm = norm("model.norm.weight", D);
    if (!info.tiedEmbeddings && !tensors.contains("lm_head.weight"))
        throw Error(dirPath + ": missing tensor 'lm_head.weight' (config says embeddings are not tied)");
    w.head = info.tiedEmbeddings ? w.embedding : get("lm_head.weight", {V, D});
    for (int l = 0; l < info.layers; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        LlamaWeights::Layer L;
        L.attnNorm = norm(p + "input_layernorm.weight", D);
        if (variant.fusedProjections) {
            L.wq = get(p + "self_attn.qkv_proj.weight", {Q + 2 * KVD, D});
            L.gate = get(p + "mlp.gate_up_proj.weight", {2 * F, D});
        } else {
            L.wq = get(p + "self_attn.q_proj.weight", {Q, D});
            L.wk = get(p + "self_attn.k_proj.weight", {KVD, D});
            L.wv = get(p + "self_attn.v_proj.weight", {KVD, D});
            L.gate = get(p + "mlp.gate_proj.weight", {F, D});
            L.up = get(p + "mlp.up_proj.weight", {F, D});
        }
        if (variant.qkvBias) {
            L.bq = get(p + "self_attn.q_proj.bias", {Q});
            L.bk = get(p + "self_attn.k_proj.bias", {KVD});
            L.bv = get(p + "self_attn.v_proj.bias", {KVD});
        }
        if (variant.outputBias) L.bo = get(p + "self_attn.o_proj.bias", {D});
        if (variant.qkNorm) {
            L.qNorm = norm(p + "self_attn.q_norm.weight", hd);
            L.kNorm = norm(p + "self_attn.k_norm.weight", hd);
        }
        L.wo = get(p + "self_attn.o_proj.weight", {D, Q});
        L.down = get(p + "mlp.down_proj.weight", {D, F});
        if (variant.sandwichNorms) {
            L.postAttnNorm = norm(p + "post_attention_layernorm.weight", D);
            L.ffnNorm = norm(p + "pre_feedforward_layernorm.weight", D);
            L.postFfnNorm = norm(p + "post_feedforward_layernorm.weight", D);
        } else {
            L.ffnNorm = norm(p + "post_attention_layernorm.weight", D);
        }
        w.layers.push_back(std::move(L));
    }
    info.parameters = countParameters(w, info.tiedEmbeddings);
    moveToDevice(w, info.tiedEmbeddings);
    auto probes = decoderProbePoints(variant);
    auto backbone = makeDecoderBackbone(variant, std::move(w));
    std::vector<int> stops{info.eosId};
    return std::make_unique<TransformerModel>(std::move(info), std::move(probes), std::move(tok), std::move(backbone), stops);
}

std::unique_ptr<LanguageModel> loadLlama2c(const std::string& path, const std::string& tokenizerPath) {
    Llama2cHeader header = readLlama2cHeader(path);  // the file's size is checked against it
    ModelInfo& info = header.info;
    info.tokenizerPath = findTokenizerBeside(path, tokenizerPath);
    auto tok = loadSentencePieceTokenizer(info.tokenizerPath);
    info.bosId = tok->bosId() >= 0 ? tok->bosId() : 1;
    info.eosId = tok->eosId() >= 0 ? tok->eosId() : 2;
    finishInfo(info, *tok);

    const int64_t D = info.hidden, F = info.intermediate, V = info.vocab, L = info.layers;
    const int64_t Q = info.heads * info.headDim, KVD = info.kvHeads * info.headDim;
    std::ifstream in(path, std::ios::binary);
    in.seekg(Llama2cHeader::kBytes);
    auto read = [&](std::vector<int64_t> shape) {
        auto t = at::empty(shape, at::kFloat);
        if (!in.read(reinterpret_cast<char*>(t.data_ptr<float>()), t.numel() * 4)) throw Error(path + ": read failed");
        return t;
    };
    LlamaWeights w;
    w.embedding = read({V, D});
    w.layers.resize(static_cast<size_t>(L));
    // llama2.c stacks each kind of weight over all layers.
    const auto stacked = [&](at::Tensor LlamaWeights::Layer::*member, std::vector<int64_t> shape) {
        std::vector<int64_t> full{L};
        full.insert(full.end(), shape.begin(), shape.end());
        const auto all = read(full);
        for (int64_t l = 0; l < L; ++l) w.layers[l].*member = all[l].clone();
    };
    stacked(&LlamaWeights::Layer::attnNorm, {D});
    stacked(&LlamaWeights::Layer::wq, {Q, D});
    stacked(&LlamaWeights::Layer::wk, {KVD, D});
    stacked(&LlamaWeights::Layer::wv, {KVD, D});
    stacked(&LlamaWeights::Layer::wo, {D, Q});
    stacked(&LlamaWeights::Layer::ffnNorm, {D});
    stacked(&LlamaWeights::Layer::gate, {F, D});  // w1
    stacked(&LlamaWeights::Layer::down, {D, F});  // w2
    stacked(&LlamaWeights::Layer::up, {F, D});    // w3
    w.finalNorm = read({D});
    in.seekg(header.ropeFloats * 4, std::ios::cur);
    w.head = info.tiedEmbeddings ? w.embedding : read({V, D});

    // llama2.c's tiny story models use BOS as the story delimiter and stop on it.
    std::vector<int> stops{info.eosId, info.bosId};
    return assemble(std::move(info), std::move(w), RopeLayout::Interleaved, false, std::move(tok), stops);
}

}  // namespace expertscope
