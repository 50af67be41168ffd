#include "core/runtime/llama/llama.h"

#include "core/runtime/attention.h"
#include "core/runtime/cpu_kernels.h"
#include "core/runtime/llama/decoder_variant.h"

#include <cmath>
#include <map>
#include <numeric>

namespace expertscope {
namespace {

// RoPE's inverse frequencies with the family's scaling, in float32 operations as Hugging
// Face's rope initialisation functions compute them.
at::Tensor inverseFrequencies(const DecoderVariant::Rope& rope, int64_t headDim) {
    auto inv = ropeInverseFrequencies(headDim, rope.theta);
    if (rope.scaling == "linear") return inv / rope.factor;
    if (rope.scaling != "llama3") return inv;
    const double lowWavelength = rope.originalPositions / rope.lowFreqFactor;
    const double highWavelength = rope.originalPositions / rope.highFreqFactor;
    const auto wavelength = 2 * M_PI / inv;
    auto scaled = at::where(wavelength > lowWavelength, inv / rope.factor, inv);
    const auto smooth = (rope.originalPositions / wavelength - rope.lowFreqFactor) / (rope.highFreqFactor - rope.lowFreqFactor);
    const auto smoothed = (1 - smooth) * scaled / rope.factor + smooth * scaled;
    const auto medium = (wavelength >= highWavelength).logical_and(wavelength <= lowWavelength);
    return at::where(medium, smoothed, scaled);
}

class LlamaBackbone final : public Backbone {
public:
    LlamaBackbone(const DecoderVariant& v, LlamaWeights w, RopeLayout rope)
        : v_(v), info_(v_.info), w_(std::move(w)), cpuKernels_(useCpuKernels(w_.embedding.device())) {
        const auto layout = rope == RopeLayout::Interleaved ? CausalAttention::Rope::Interleaved : CausalAttention::Rope::RotateHalf;
        // One attention per (RoPE, window) a layer uses.
        for (const auto& l : v_.layers) {
            const auto key = std::make_pair(l.rope, l.window);
            if (!attentionOf_.count(key)) {
                AttentionForm form{l.window, v_.attentionScale, v_.attentionSoftcap};
                attentions_.emplace_back(info_.heads, info_.kvHeads, info_.headDim, layout,
                                         inverseFrequencies(v_.ropes[static_cast<size_t>(l.rope)], info_.headDim),
                                         info_.maxPositions, w_.embedding.device(), form);
                attentionOf_[key] = attentions_.size() - 1;
            }
            layerAttention_.push_back(attentionOf_[key]);
        }
        if (cpuKernels_) {
            const int64_t h = info_.hidden, q = info_.heads * info_.headDim, kv = info_.kvHeads * info_.headDim, f = info_.intermediate;
            std::vector<ProductShape> plain{{q, h}, {f, h}}, biased;
            (v_.outputBias ? biased : plain).push_back({q, h});
            if (v_.fusedProjections) {
                plain.push_back({h, q + 2 * kv});
                plain.push_back({h, 2 * f});
            } else {
                for (auto s : {ProductShape{h, q}, ProductShape{h, kv}}) (v_.qkvBias ? biased : plain).push_back(s);
                plain.push_back({h, f});
            }
            rows_ = rowPeriod(plain, WeightLayout::OutIn, false);
            if (!biased.empty()) {
                const auto b = rowPeriod(biased, WeightLayout::OutIn, true);
                rows_.rows = std::lcm(rows_.rows, b.rows);
                rows_.exact = rows_.exact && b.exact;
            }
        }
    }

    at::Tensor forward(const at::Tensor& tokens, int64_t startPos, KvCache* cache, const ProbeTap& tap) override {
        const int64_t B = tokens.size(0), T = tokens.size(1), S = startPos + T;
        const int64_t Q = info_.heads * info_.headDim, KVD = info_.kvHeads * info_.headDim, F = info_.intermediate;
        auto x = w_.embedding.index_select(0, tokens.reshape({-1})).view({B, T, info_.hidden});
        if (v_.gemmaNorms) x.mul_(std::sqrt(static_cast<float>(info_.hidden)));  // Gemma scales its embeddings
        std::vector<CausalAttention::Pass> passes;
        for (const auto& a : attentions_) passes.push_back(a.prepare(T, startPos, x.options()));
        int probe = 0;  // Hugging Face order within a layer: q k v o gate up down (qkv o gate_up down)
        for (size_t l = 0; l < w_.layers.size(); ++l) {
            const auto& L = w_.layers[l];
            auto h = rmsNorm(x, L.attnNorm);
            at::Tensor q, k, v;
            if (v_.fusedProjections) {
                const auto qkv = linear(h, L.wq, {}, probe++, tap);
                q = qkv.narrow(-1, 0, Q);
                k = qkv.narrow(-1, Q, KVD);
                v = qkv.narrow(-1, Q + KVD, KVD);
            } else {
                q = linear(h, L.wq, L.bq, probe++, tap);  // [B, T, H * hd], before RoPE
                k = linear(h, L.wk, L.bk, probe++, tap);  // [B, T, KV * hd], before RoPE
                v = linear(h, L.wv, L.bv, probe++, tap);
            }
            if (v_.qkNorm) {  // per head, before RoPE (and before the cache)
                q = headNorm(q, L.qNorm);
                k = headNorm(k, L.kNorm);
            }
            if (cache) {  // holds k before RoPE, [B, capacity, KV * hd]
                cache->keys[l].narrow(1, startPos, T).copy_(k);
                cache->values[l].narrow(1, startPos, T).copy_(v);
                k = cache->keys[l].narrow(1, 0, S);
                v = cache->values[l].narrow(1, 0, S);
            }
            const size_t a = layerAttention_[l];
            auto attended = linear(attentions_[a](q, k, v, passes[a]), L.wo, L.bo, probe++, tap);
            x.add_(v_.sandwichNorms ? rmsNorm(attended, L.postAttnNorm) : attended);

            h = rmsNorm(x, L.ffnNorm);
            at::Tensor gate, up;
            if (v_.fusedProjections) {
                const auto gateUp = linear(h, L.gate, {}, probe++, tap);
                gate = gateUp.narrow(-1, 0, F).contiguous();
                up = gateUp.narrow(-1, F, F);
            } else {
                gate = linear(h, L.gate, {}, probe++, tap);
                up = linear(h, L.up, {}, probe++, tap);
            }
            // In place: both outputs have already been seen by the tap.
            const auto down = linear(activationTimes(gate, up), L.down, {}, probe++, tap);
            x.add_(v_.sandwichNorms ? rmsNorm(down, L.postFfnNorm) : down);
        }
        if (cache) cache->length = S;
        return rmsNorm(x, w_.finalNorm);
    }

    at::Tensor logits(const at::Tensor& hidden) const override {
        auto out = at::matmul(hidden, w_.head.t());
        if (v_.finalSoftcap > 0) out.div_(v_.finalSoftcap).tanh_().mul_(v_.finalSoftcap);
        return out;
    }

    KvCache newCache(int64_t batch, int64_t capacity) const override {
        return KvCache::allocate(w_.layers.size(), batch, capacity, info_.kvHeads * info_.headDim, w_.embedding.options());
    }

    RowPeriod rowAlignment() const override { return rows_; }

private:
    at::Tensor rmsNorm(const at::Tensor& xIn, const at::Tensor& weight) const {
        const auto x = xIn.contiguous();
        if (cpuKernels_) {
            auto out = at::empty_like(x);
            rmsNormCpu(x.data_ptr<float>(), weight.data_ptr<float>(), out.data_ptr<float>(), x.numel() / x.size(-1),
                       x.size(-1), info_.normEps);
            return out;
        }
        return x * at::rsqrt(x.pow(2).mean(-1, true) + info_.normEps) * weight;
    }

    // RMSNorm over each head's values: [B, T, heads * hd] -> the same shape.
    at::Tensor headNorm(const at::Tensor& x, const at::Tensor& weight) const {
        const auto shape = x.sizes().vec();
        return rmsNorm(x.reshape({shape[0], shape[1], -1, info_.headDim}), weight).view(shape);
    }

    static at::Tensor linear(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b, int probe, const ProbeTap& tap) {
        return probedLinear(x, w, b, WeightLayout::OutIn, probe, tap);
    }

    // act(gate) * up, in gate's storage: SiLU, or Gemma's tanh-form GELU.
    at::Tensor activationTimes(at::Tensor& gate, const at::Tensor& up) const {
        if (v_.geluMlp) {
            if (!cpuKernels_) return at::gelu_(gate, "tanh").mul_(up);
            geluCpu(gate.data_ptr<float>(), gate.data_ptr<float>(), gate.numel(), true);
            return gate.mul_(up);
        }
        if (!cpuKernels_) return at::silu_(gate).mul_(up);
        siluMulCpu(gate.data_ptr<float>(), up.contiguous().data_ptr<float>(), gate.numel());
        return gate;
    }

    DecoderVariant v_;
    const ModelInfo& info_;  // v_.info, by its short name
    LlamaWeights w_;
    std::vector<CausalAttention> attentions_;
    std::map<std::pair<int, int>, size_t> attentionOf_;
    std::vector<size_t> layerAttention_;
    bool cpuKernels_;  // rmsNormCpu rather than LibTorch operators
    RowPeriod rows_;
};

// The plain Llama block (llama2.c checkpoints and the training demo's models).
DecoderVariant plainLlama(const ModelInfo& info) {
    DecoderVariant v;
    v.modelType = "llama";
    v.info = info;
    DecoderVariant::Rope rope;
    rope.theta = info.ropeTheta;
    v.ropes.push_back(rope);
    v.layers.assign(static_cast<size_t>(info.layers), {});
    return v;
}

}  // namespace

std::unique_ptr<Backbone> makeLlamaBackbone(const ModelInfo& info, LlamaWeights weights, RopeLayout rope) {
    return std::make_unique<LlamaBackbone>(plainLlama(info), std::move(weights), rope);
}

std::unique_ptr<Backbone> makeDecoderBackbone(const DecoderVariant& variant, LlamaWeights weights) {
    return std::make_unique<LlamaBackbone>(variant, std::move(weights), RopeLayout::RotateHalf);
}

std::vector<ProbePoint> decoderProbePoints(const DecoderVariant& v) {
    if (!v.fusedProjections) return llamaProbePoints(v.info, true);
    const ModelInfo& info = v.info;
    const int q = info.heads * info.headDim, kv = info.kvHeads * info.headDim;
    const std::pair<const char*, int> kinds[] = {{"self_attn.qkv_proj", q + 2 * kv}, {"self_attn.o_proj", info.hidden},
                                                 {"mlp.gate_up_proj", 2 * info.intermediate}, {"mlp.down_proj", info.hidden}};
    std::vector<ProbePoint> probes;
    for (int l = 0; l < info.layers; ++l)
        for (const auto& [name, units] : kinds) {
            ProbePoint p;
            p.name = "model.layers." + std::to_string(l) + "." + name;
            const std::string n(name);
            p.kind = n.substr(n.find('.') + 1);
            p.checkpointTensor = p.name + ".weight";
            p.layer = l;
            p.units = units;
            probes.push_back(p);
        }
    return probes;
}

std::vector<ProbePoint> llamaProbePoints(const ModelInfo& info, bool huggingFaceNames) {
    struct Kind {
        const char* hf;        // Hugging Face module path within a layer
        const char* llama2c;   // llama2.c module path within a layer
        int units;
    };
    const int q = info.heads * info.headDim, kv = info.kvHeads * info.headDim;
    const Kind kinds[] = {
        {"self_attn.q_proj", "attention.wq", q},       {"self_attn.k_proj", "attention.wk", kv},
        {"self_attn.v_proj", "attention.wv", kv},      {"self_attn.o_proj", "attention.wo", info.hidden},
        {"mlp.gate_proj", "feed_forward.w1", info.intermediate}, {"mlp.up_proj", "feed_forward.w3", info.intermediate},
        {"mlp.down_proj", "feed_forward.w2", info.hidden},
    };
    std::vector<ProbePoint> probes;
    for (int l = 0; l < info.layers; ++l) {
        for (const auto& k : kinds) {
            ProbePoint p;
            const std::string layer = std::to_string(l);
            p.name = "model.layers." + layer + "." + k.hf;
            const std::string hf(k.hf);
            p.kind = hf.substr(hf.find('.') + 1);
            p.checkpointTensor = huggingFaceNames ? p.name + ".weight" : "layers." + layer + "." + k.llama2c + ".weight";
            p.layer = l;
            p.units = k.units;
            probes.push_back(p);
        }
    }
    return probes;
}

}  // namespace expertscope
