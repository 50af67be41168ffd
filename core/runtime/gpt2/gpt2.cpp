// GPT-2 family: Hugging Face directories (with or without the "transformer." prefix) and
// randomly initialised models of given dimensions.
#include "core/runtime/attention.h"
#include "core/runtime/checkpoint.h"
#include "core/runtime/cpu_kernels.h"
#include "core/runtime/gpt2/gpt2_config.h"
#include "core/runtime/transformer.h"

#include "core/base/error.h"
#include "core/tokenizers/bpe_tokenizer.h"

#include <ATen/CPUGeneratorImpl.h>

#include <QDir>


namespace expertscope {
namespace {

struct Gpt2Weights {
    // Conv1D weights are stored [in, out], so y = x W + b.
    struct Layer {
        at::Tensor ln1Weight, ln1Bias, attnWeight, attnBias, attnProjWeight, attnProjBias;
        at::Tensor ln2Weight, ln2Bias, fcWeight, fcBias, mlpProjWeight, mlpProjBias;
    };
    at::Tensor tokenEmbedding, positionEmbedding, finalNormWeight, finalNormBias, head;
    std::vector<Layer> layers;

    std::vector<at::Tensor*> all() {
        std::vector<at::Tensor*> t{&tokenEmbedding, &positionEmbedding, &finalNormWeight, &finalNormBias};
        for (auto& L : layers)
            for (auto* p : {&L.ln1Weight, &L.ln1Bias, &L.attnWeight, &L.attnBias, &L.attnProjWeight, &L.attnProjBias,
                            &L.ln2Weight, &L.ln2Bias, &L.fcWeight, &L.fcBias, &L.mlpProjWeight, &L.mlpProjBias})
                t.push_back(p);
        return t;
    }
};

class Gpt2Backbone final : public Backbone {
public:
    Gpt2Backbone(const ModelInfo& info, Gpt2Weights w, bool exactGelu)
        : info_(info), w_(std::move(w)), exactGelu_(exactGelu),
          attention_(info.heads, info.heads, info.headDim, CausalAttention::Rope::None, 0.f, info.maxPositions,
                     w_.tokenEmbedding.device()),
          cpuKernels_(useCpuKernels(w_.tokenEmbedding.device())) {
        if (cpuKernels_) {
            const int64_t d = info.hidden, f = info.intermediate;
            rows_ = rowPeriod({{d, 3 * d}, {d, d}, {d, f}, {f, d}}, WeightLayout::InOut, true);
        }
    }

    at::Tensor forward(const at::Tensor& tokens, int64_t startPos, KvCache* cache, const ProbeTap& tap) override {
        const int64_t B = tokens.size(0), T = tokens.size(1), S = startPos + T, D = info_.hidden;
        auto x = w_.tokenEmbedding.index_select(0, tokens.reshape({-1})).view({B, T, D}) +
                 w_.positionEmbedding.narrow(0, startPos, T);
        const auto pass = attention_.prepare(T, startPos, x.options());
        int probe = 0;  // per block: attn.c_attn, attn.c_proj, mlp.c_fc, mlp.c_proj
        for (size_t l = 0; l < w_.layers.size(); ++l) {
            const auto& L = w_.layers[l];
            auto h = at::layer_norm(x, {D}, L.ln1Weight, L.ln1Bias, info_.normEps);
            const auto qkv = conv1d(h, L.attnWeight, L.attnBias, probe++, tap);  // [B, T, 3D], before the split
            const auto q = qkv.narrow(-1, 0, D);
            auto k = qkv.narrow(-1, D, D), v = qkv.narrow(-1, 2 * D, D);
            if (cache) {
                cache->keys[l].narrow(1, startPos, T).copy_(k);
                cache->values[l].narrow(1, startPos, T).copy_(v);
                k = cache->keys[l].narrow(1, 0, S);
                v = cache->values[l].narrow(1, 0, S);
            }
            x.add_(conv1d(attention_(q, k, v, pass), L.attnProjWeight, L.attnProjBias, probe++, tap));
            h = at::layer_norm(x, {D}, L.ln2Weight, L.ln2Bias, info_.normEps);
            const auto fc = conv1d(h, L.fcWeight, L.fcBias, probe++, tap);  // before GELU
            x.add_(conv1d(gelu(fc), L.mlpProjWeight, L.mlpProjBias, probe++, tap));
        }
        if (cache) cache->length = S;
        return at::layer_norm(x, {D}, w_.finalNormWeight, w_.finalNormBias, info_.normEps);
    }

    at::Tensor logits(const at::Tensor& hidden) const override { return at::matmul(hidden, w_.head.t()); }

    KvCache newCache(int64_t batch, int64_t capacity) const override {
        return KvCache::allocate(w_.layers.size(), batch, capacity, info_.hidden, w_.tokenEmbedding.options());
    }

    RowPeriod rowAlignment() const override { return rows_; }

private:
    static at::Tensor conv1d(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b, int probe, const ProbeTap& tap) {
        return probedLinear(x, w, b, WeightLayout::InOut, probe, tap);
    }

    at::Tensor gelu(const at::Tensor& x) const {
        if (!cpuKernels_) return at::gelu(x, exactGelu_ ? "none" : "tanh");
        const auto in = x.contiguous();
        auto out = at::empty_like(in);
        geluCpu(in.data_ptr<float>(), out.data_ptr<float>(), in.numel(), !exactGelu_);
        return out;
    }

    ModelInfo info_;
    Gpt2Weights w_;
    bool exactGelu_;
    CausalAttention attention_;
    bool cpuKernels_;  // the CPU kernels (activation) and row-exact products
    RowPeriod rows_;
};

// ml-selfcond's probe points, named as in GPT2LMHeadModel.
std::vector<ProbePoint> gpt2ProbePoints(const ModelInfo& info, const std::string& filePrefix) {
    struct Kind {
        const char* name;
        int units;
    };
    const Kind kinds[] = {{"attn.c_attn", 3 * info.hidden}, {"attn.c_proj", info.hidden},
                          {"mlp.c_fc", info.intermediate}, {"mlp.c_proj", info.hidden}};
    std::vector<ProbePoint> probes;
    for (int l = 0; l < info.layers; ++l)
        for (const auto& k : kinds) {
            ProbePoint p;
            const std::string local = "h." + std::to_string(l) + "." + k.name;
            p.name = "transformer." + local;
            p.kind = k.name;
            p.checkpointTensor = filePrefix + local + ".weight";
            p.layer = l;
            p.units = k.units;
            probes.push_back(p);
        }
    return probes;
}

int64_t countParameters(Gpt2Weights& w, bool tied) {
    int64_t n = tied ? 0 : w.head.numel();
    for (auto* t : w.all()) n += t->numel();
    return n;
}

std::unique_ptr<LanguageModel> assemble(ModelInfo info, Gpt2Weights w, bool exactGelu, const std::string& filePrefix,
                                        std::unique_ptr<Tokenizer> tok) {
    if (tok->vocabSize() > info.vocab)
        throw Error(info.tokenizerPath + ": tokenizer has " + std::to_string(tok->vocabSize()) + " tokens but the model only " +
                    std::to_string(info.vocab));
    info.parameters = countParameters(w, info.tiedEmbeddings);
    const auto device = preferredDevice();
    info.device = device.is_cuda() ? "cuda" : "cpu";
    if (device.is_cuda()) {
        for (auto* t : w.all()) *t = t->to(device);
        w.head = info.tiedEmbeddings ? w.tokenEmbedding : w.head.to(device);
    }
    auto probes = gpt2ProbePoints(info, filePrefix);
    auto backbone = std::make_unique<Gpt2Backbone>(info, std::move(w), exactGelu);
    std::vector<int> stops{info.eosId};
    return std::make_unique<TransformerModel>(std::move(info), std::move(probes), std::move(tok), std::move(backbone), stops);
}

}  // namespace

std::unique_ptr<LanguageModel> loadGpt2HuggingFace(const std::string& dirPath, const std::string& tokenizerPath) {
    const Gpt2Config config = readGpt2Config(dirPath);
    ModelInfo info = config.info;
    // Without a tokenizer beside it (vocab.json + merges.txt, tokenizer.json) the model runs
    // on token ids only, and text asks for one.
    const QDir folder(QString::fromStdString(dirPath));
    std::unique_ptr<Tokenizer> tok;
    if (tokenizerPath.empty() && !(folder.exists("vocab.json") && folder.exists("merges.txt")) && !folder.exists("tokenizer.json")) {
        tok = missingTokenizer(dirPath, info.vocab, info.bosId, info.eosId);
    } else {
        info.tokenizerPath = tokenizerPath.empty() ? dirPath : tokenizerPath;
        tok = loadByteLevelBpe(info.tokenizerPath);
    }

    const CheckpointTensors tensors(dirPath);
    // Saved from GPT2LMHeadModel the names start with "transformer."; the official
    // repository has none (and adds causal-mask buffers h.N.attn.bias, which are ignored).
    const std::string prefix = tensors.contains("transformer.wte.weight") ? "transformer." : "";
    const auto get = [&](const std::string& local, std::vector<int64_t> shape) { return tensors.get(prefix + local, shape); };
    const int64_t D = info.hidden, F = info.intermediate;
    Gpt2Weights w;
    w.tokenEmbedding = get("wte.weight", {info.vocab, D});
    w.positionEmbedding = get("wpe.weight", {info.maxPositions, D});
    w.finalNormWeight = get("ln_f.weight", {D});
    w.finalNormBias = get("ln_f.bias", {D});
    for (int l = 0; l < info.layers; ++l) {
        const std::string p = "h." + std::to_string(l) + ".";
        Gpt2Weights::Layer L;
        L.ln1Weight = get(p + "ln_1.weight", {D});
        L.ln1Bias = get(p + "ln_1.bias", {D});
        L.attnWeight = get(p + "attn.c_attn.weight", {D, 3 * D});
        L.attnBias = get(p + "attn.c_attn.bias", {3 * D});
        L.attnProjWeight = get(p + "attn.c_proj.weight", {D, D});
        L.attnProjBias = get(p + "attn.c_proj.bias", {D});
        L.ln2Weight = get(p + "ln_2.weight", {D});
        L.ln2Bias = get(p + "ln_2.bias", {D});
        L.fcWeight = get(p + "mlp.c_fc.weight", {D, F});
        L.fcBias = get(p + "mlp.c_fc.bias", {F});
        L.mlpProjWeight = get(p + "mlp.c_proj.weight", {F, D});
        L.mlpProjBias = get(p + "mlp.c_proj.bias", {D});
        w.layers.push_back(std::move(L));
    }
    if (!info.tiedEmbeddings && !tensors.contains("lm_head.weight"))
        throw Error(dirPath + ": missing tensor 'lm_head.weight' (config says embeddings are not tied)");
    w.head = info.tiedEmbeddings ? w.tokenEmbedding : tensors.get("lm_head.weight", {info.vocab, D});
    return assemble(std::move(info), std::move(w), config.exactGelu, prefix, std::move(tok));
}

std::unique_ptr<LanguageModel> randomGpt2(const Gpt2Dimensions& dims, std::unique_ptr<Tokenizer> tokenizer, uint64_t seed) {
    ModelInfo info;
    info.family = "gpt2";
    info.architecture = "GPT2LMHeadModel";
    info.format = "random";
    info.path = "(random weights)";
    info.tokenizerPath = "(given)";
    info.hidden = dims.hidden;
    info.layers = dims.layers;
    info.heads = dims.heads;
    info.maxPositions = dims.positions;
    info.vocab = dims.vocab;
    info.intermediate = dims.inner > 0 ? dims.inner : 4 * dims.hidden;
    info.normEps = 1e-5f;
    info.prependBos = false;
    info.bosId = info.eosId = tokenizer->eosId() >= 0 ? tokenizer->eosId() : dims.vocab - 1;
    checkGpt2Dimensions(info);
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    const int64_t D = info.hidden, F = info.intermediate;
    auto normal = [&](std::vector<int64_t> shape) { return at::normal(0.0, 0.02, shape, gen); };
    Gpt2Weights w;
    w.tokenEmbedding = normal({info.vocab, D});
    w.positionEmbedding = normal({info.maxPositions, D});
    w.finalNormWeight = at::ones({D});
    w.finalNormBias = at::zeros({D});
    for (int l = 0; l < info.layers; ++l)
        w.layers.push_back({at::ones({D}), at::zeros({D}), normal({D, 3 * D}), at::zeros({3 * D}), normal({D, D}),
                            at::zeros({D}), at::ones({D}), at::zeros({D}), normal({D, F}), at::zeros({F}), normal({F, D}),
                            at::zeros({D})});
    w.head = w.tokenEmbedding;
    return assemble(std::move(info), std::move(w), false, "transformer.", std::move(tokenizer));
}

}  // namespace expertscope
