#include "core/runtime/llama/llama.h"

#include "core/runtime/attention.h"
#include "core/runtime/cpu_kernels.h"

namespace expertscope {
namespace {

class LlamaBackbone final : public Backbone {
public:
    LlamaBackbone(const ModelInfo& info, LlamaWeights w, RopeLayout rope)
        : info_(info), w_(std::move(w)),
          attention_(info.heads, info.kvHeads, info.headDim,
                     rope == RopeLayout::Interleaved ? CausalAttention::Rope::Interleaved : CausalAttention::Rope::RotateHalf,
                     info.ropeTheta, info.maxPositions, w_.embedding.device()),
          cpuKernels_(useCpuKernels(w_.embedding.device())) {
        if (cpuKernels_) {
            const int64_t h = info.hidden, q = info.heads * info.headDim, kv = info.kvHeads * info.headDim;
            rows_ = rowPeriod({{h, q}, {h, kv}, {q, h}, {h, info.intermediate}, {info.intermediate, h}}, WeightLayout::OutIn, false);
        }
    }

    at::Tensor forward(const at::Tensor& tokens, int64_t startPos, KvCache* cache, const ProbeTap& tap) override {
        const int64_t B = tokens.size(0), T = tokens.size(1), S = startPos + T;
        auto x = w_.embedding.index_select(0, tokens.reshape({-1})).view({B, T, info_.hidden});
        const auto pass = attention_.prepare(T, startPos, x.options());
        int probe = 0;  // Hugging Face order within a layer: q k v o gate up down
        for (size_t l = 0; l < w_.layers.size(); ++l) {
            const auto& L = w_.layers[l];
            auto h = rmsNorm(x, L.attnNorm);
            const auto q = linear(h, L.wq, probe++, tap);  // [B, T, H * hd], before RoPE
            auto k = linear(h, L.wk, probe++, tap);        // [B, T, KV * hd], before RoPE
            auto v = linear(h, L.wv, probe++, tap);
            if (cache) {  // holds k before RoPE, [B, capacity, KV * hd]
                cache->keys[l].narrow(1, startPos, T).copy_(k);
                cache->values[l].narrow(1, startPos, T).copy_(v);
                k = cache->keys[l].narrow(1, 0, S);
                v = cache->values[l].narrow(1, 0, S);
            }
            x.add_(linear(attention_(q, k, v, pass), L.wo, probe++, tap));

            h = rmsNorm(x, L.ffnNorm);
            auto gate = linear(h, L.gate, probe++, tap);
            const auto up = linear(h, L.up, probe++, tap);
            // In place: both outputs have already been seen by the tap.
            x.add_(linear(siluTimes(gate, up), L.down, probe++, tap));
        }
        if (cache) cache->length = S;
        return rmsNorm(x, w_.finalNorm);
    }

    at::Tensor logits(const at::Tensor& hidden) const override { return at::matmul(hidden, w_.head.t()); }

    KvCache newCache(int64_t batch, int64_t capacity) const override {
        return KvCache::allocate(w_.layers.size(), batch, capacity, info_.kvHeads * info_.headDim, w_.embedding.options());
    }

    RowPeriod rowAlignment() const override { return rows_; }

private:
    at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight) const {
        if (cpuKernels_) {
            auto out = at::empty_like(x);
            rmsNormCpu(x.data_ptr<float>(), weight.data_ptr<float>(), out.data_ptr<float>(), x.numel() / x.size(-1),
                       x.size(-1), info_.normEps);
            return out;
        }
        return x * at::rsqrt(x.pow(2).mean(-1, true) + info_.normEps) * weight;
    }

    static at::Tensor linear(const at::Tensor& x, const at::Tensor& w, int probe, const ProbeTap& tap) {
        return probedLinear(x, w, {}, WeightLayout::OutIn, probe, tap);
    }

    // silu(gate) * up, in gate's storage.
    at::Tensor siluTimes(at::Tensor& gate, const at::Tensor& up) const {
        if (!cpuKernels_) return at::silu_(gate).mul_(up);
        siluMulCpu(gate.data_ptr<float>(), up.contiguous().data_ptr<float>(), gate.numel());
        return gate;
    }

    ModelInfo info_;
    LlamaWeights w_;
    CausalAttention attention_;
    bool cpuKernels_;  // rmsNormCpu rather than LibTorch operators
    RowPeriod rows_;
};

}  // namespace

std::unique_ptr<Backbone> makeLlamaBackbone(const ModelInfo& info, LlamaWeights weights, RopeLayout rope) {
    return std::make_unique<LlamaBackbone>(info, std::move(weights), rope);
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
