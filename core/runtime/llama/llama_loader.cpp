#include "core/runtime/llama/llama.h"

#include "core/runtime/checkpoint.h"

#include "core/base/error.h"
#include "core/base/json_file.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>

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

int64_t countParameters(const LlamaWeights& w, bool tied) {
    int64_t n = w.embedding.numel() + w.finalNorm.numel() + (tied ? 0 : w.head.numel());
    for (const auto& L : w.layers)
        for (const auto* t : {&L.attnNorm, &L.wq, &L.wk, &L.wv, &L.wo, &L.ffnNorm, &L.gate, &L.up, &L.down}) n += t->numel();
    return n;
}

std::unique_ptr<LanguageModel> assemble(ModelInfo info, LlamaWeights w, RopeLayout rope, bool hfNames,
                                        std::unique_ptr<Tokenizer> tok, std::vector<int> stops) {
    info.parameters = countParameters(w, info.tiedEmbeddings);
    const auto device = preferredDevice();
    if (device.is_cuda()) {
        w.embedding = w.embedding.to(device);
        w.finalNorm = w.finalNorm.to(device);
        w.head = info.tiedEmbeddings ? w.embedding : w.head.to(device);
        for (auto& L : w.layers)
            for (auto* t : {&L.attnNorm, &L.wq, &L.wk, &L.wv, &L.wo, &L.ffnNorm, &L.gate, &L.up, &L.down}) *t = t->to(device);
    }
    auto probes = llamaProbePoints(info, hfNames);
    auto backbone = makeLlamaBackbone(info, std::move(w), rope);
    return std::make_unique<TransformerModel>(std::move(info), std::move(probes), std::move(tok), std::move(backbone),
                                              std::move(stops));
}

int firstId(const JsonFile& cfg, const char* key, int fallback) {
    const auto v = cfg.object().value(QLatin1String(key));
    if (v.isArray() && !v.toArray().isEmpty()) return v.toArray().first().toInt(fallback);  // several EOS ids
    return cfg.optionalInt(key, fallback);
}

}  // namespace

ModelInfo readLlamaHuggingFaceConfig(const std::string& dirPath) {
    const QDir dir(QString::fromStdString(dirPath));
    const JsonFile cfg(dir.filePath("config.json").toStdString());
    ModelInfo info;
    info.family = "llama";
    info.format = "huggingface";
    info.path = dirPath;
    info.hidden = cfg.requireInt("hidden_size");
    info.intermediate = cfg.requireInt("intermediate_size");
    info.layers = cfg.requireInt("num_hidden_layers");
    info.heads = cfg.requireInt("num_attention_heads");
    info.kvHeads = cfg.has("num_key_value_heads") ? cfg.requireInt("num_key_value_heads") : info.heads;
    info.vocab = cfg.requireInt("vocab_size");
    info.maxPositions = cfg.requireInt("max_position_embeddings");
    info.normEps = static_cast<float>(cfg.optionalNumber("rms_norm_eps", 1e-6));
    info.ropeTheta = static_cast<float>(cfg.optionalNumber("rope_theta", 10000.0));
    info.tiedEmbeddings = cfg.optionalBool("tie_word_embeddings", false);
    info.bosId = firstId(cfg, "bos_token_id", 1);
    info.eosId = firstId(cfg, "eos_token_id", 2);
    return info;
}

std::unique_ptr<LanguageModel> loadLlamaHuggingFace(const std::string& dirPath, const std::string& tokenizerPath) {
    ModelInfo info = readLlamaHuggingFaceConfig(dirPath);
    info.tokenizerPath = findTokenizerBeside(dirPath, tokenizerPath);
    auto tok = loadSentencePieceTokenizer(info.tokenizerPath);
    finishInfo(info, *tok);

    const CheckpointTensors tensors(dirPath);
    const auto get = [&](const std::string& name, std::vector<int64_t> shape) { return tensors.get(name, shape); };
    const int64_t D = info.hidden, F = info.intermediate, V = info.vocab;
    const int64_t Q = info.heads * info.headDim, KVD = info.kvHeads * info.headDim;
    LlamaWeights w;
    w.embedding = get("model.embed_tokens.weight", {V, D});
    w.finalNorm = get("model.norm.weight", {D});
    if (!info.tiedEmbeddings && !tensors.contains("lm_head.weight"))
        throw Error(dirPath + ": missing tensor 'lm_head.weight' (config says embeddings are not tied)");
    w.head = info.tiedEmbeddings ? w.embedding : get("lm_head.weight", {V, D});
    for (int l = 0; l < info.layers; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        LlamaWeights::Layer L;
        L.attnNorm = get(p + "input_layernorm.weight", {D});
        L.wq = get(p + "self_attn.q_proj.weight", {Q, D});
        L.wk = get(p + "self_attn.k_proj.weight", {KVD, D});
        L.wv = get(p + "self_attn.v_proj.weight", {KVD, D});
        L.wo = get(p + "self_attn.o_proj.weight", {D, Q});
        L.ffnNorm = get(p + "post_attention_layernorm.weight", {D});
        L.gate = get(p + "mlp.gate_proj.weight", {F, D});
        L.up = get(p + "mlp.up_proj.weight", {F, D});
        L.down = get(p + "mlp.down_proj.weight", {D, F});
        w.layers.push_back(std::move(L));
    }
    std::vector<int> stops{info.eosId};
    return assemble(std::move(info), std::move(w), RopeLayout::RotateHalf, true, std::move(tok), stops);
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
