#include "core/runtime/llama/llama.h"

#include "core/base/error.h"
#include "core/runtime/checkpoint.h"
#include "core/runtime/llama/decoder_variant.h"
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

void finishInfo(ModelInfo& info, const Tokenizer& tok) {
    if (info.hidden % info.heads != 0)
        throw Error(info.path + ": hidden size " + std::to_string(info.hidden) + " is not divisible by " +
                    std::to_string(info.heads) + " attention heads");
    if (info.heads % info.kvHeads != 0)
        throw Error(info.path + ": " + std::to_string(info.heads) + " attention heads are not a multiple of " +
                    std::to_string(info.kvHeads) + " key/value heads");
    info.headDim = info.hidden / info.heads;
    if (info.headDim % 2 != 0) throw Error(info.path + ": head dimension must be even for RoPE");
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
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw Error(path + ": cannot open");
    const int64_t fileBytes = static_cast<int64_t>(in.tellg());
    in.seekg(0);
    int32_t header[7] = {};
    if (fileBytes < static_cast<int64_t>(sizeof header) || !in.read(reinterpret_cast<char*>(header), sizeof header))
        throw Error(path + ": too short for a llama2.c header (7 int32)");
    const char* names[7] = {"dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len"};
    for (int i = 0; i < 7; ++i) {
        const int64_t v = i == 5 ? std::abs(static_cast<int64_t>(header[i])) : header[i];
        if (v <= 0 || v > (1 << 24))
            throw Error(path + ": llama2.c header field " + names[i] + " = " + std::to_string(header[i]) +
                        " is not plausible; not a llama2.c checkpoint?");
    }
    ModelInfo info;
    info.family = "llama";
    info.format = "llama2.c";
    info.architecture = "llama2.c";
    info.path = path;
    info.hidden = header[0];
    info.intermediate = header[1];
    info.layers = header[2];
    info.heads = header[3];
    info.kvHeads = header[4];
    info.tiedEmbeddings = header[5] > 0;  // llama2.c marks an untied classifier with a negative vocab size
    info.vocab = std::abs(header[5]);
    info.maxPositions = header[6];
    info.normEps = 1e-5f;
    info.ropeTheta = 10000.f;
    info.tokenizerPath = findTokenizerBeside(path, tokenizerPath);
    auto tok = loadSentencePieceTokenizer(info.tokenizerPath);
    info.bosId = tok->bosId() >= 0 ? tok->bosId() : 1;
    info.eosId = tok->eosId() >= 0 ? tok->eosId() : 2;
    finishInfo(info, *tok);

    const int64_t D = info.hidden, F = info.intermediate, V = info.vocab, L = info.layers;
    const int64_t Q = info.heads * info.headDim, KVD = info.kvHeads * info.headDim;
    const int64_t ropeTables = info.maxPositions * (info.headDim / 2) * 2;  // legacy freq_cis_real/imag, unused
    const int64_t floats = V * D + L * (D + D * Q + 2 * D * KVD + Q * D + D + 3 * D * F) + D + ropeTables +
                           (info.tiedEmbeddings ? 0 : V * D);
    const int64_t expected = static_cast<int64_t>(sizeof header) + floats * 4;
    if (fileBytes != expected)
        throw Error(path + ": llama2.c header describes " + std::to_string(expected) + " bytes of checkpoint but the file has " +
                    std::to_string(fileBytes) + (fileBytes < expected ? " (truncated?)" : ""));

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
    in.seekg(ropeTables * 4, std::ios::cur);
    w.head = info.tiedEmbeddings ? w.embedding : read({V, D});

    // llama2.c's tiny story models use BOS as the story delimiter and stop on it.
    std::vector<int> stops{info.eosId, info.bosId};
    return assemble(std::move(info), std::move(w), RopeLayout::Interleaved, false, std::move(tok), stops);
}

}  // namespace expertscope
