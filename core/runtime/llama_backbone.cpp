#include "llama.h"

#include "cpu_kernels.h"

#include <cmath>
#include <cstdlib>
#include <string>
#include <limits>

namespace expertscope {
namespace {

class LlamaBackbone final : public Backbone {
public:
    LlamaBackbone(const ModelInfo& info, LlamaWeights w, RopeLayout rope)
        : info_(info), w_(std::move(w)), rope_(rope) {
        // Angles computed in float32 as the reference implementations do.
        const int64_t half = info.headDim / 2;
        const auto exponent = at::arange(0, info.headDim, 2, at::kFloat).narrow(0, 0, half) / static_cast<float>(info.headDim);
        const auto invFreq = 1.0 / at::pow(at::scalar_tensor(info.ropeTheta, at::kFloat), exponent);
        const auto angles = at::outer(at::arange(info.maxPositions, at::kFloat), invFreq);
        const auto device = w_.embedding.device();
        cos_ = angles.cos().contiguous().to(device);
        sin_ = angles.sin().contiguous().to(device);
        const char* choice = std::getenv("EXPERTSCOPE_KERNELS");
        cpuKernels_ = device.is_cpu() && !(choice && std::string(choice) == "aten");
    }

    at::Tensor forward(const at::Tensor& tokens, int64_t startPos, KvCache* cache, const ProbeTap& tap) override {
        const int64_t B = tokens.size(0), T = tokens.size(1), S = startPos + T;
        auto x = w_.embedding.index_select(0, tokens.reshape({-1})).view({B, T, info_.hidden});
        const auto masks = cpuKernels_ ? std::vector<at::Tensor>{} : causalMasks(T, startPos, x.options());
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
            x.add_(linear(attention(q, k, v, startPos, masks), L.wo, probe++, tap));

            h = rmsNorm(x, L.ffnNorm);
            auto gate = linear(h, L.gate, probe++, tap);
            const auto up = linear(h, L.up, probe++, tap);
            // In place: both outputs have already been seen by the tap.
            x.add_(linear(at::silu_(gate).mul_(up), L.down, probe++, tap));
        }
        if (cache) cache->length = S;
        return rmsNorm(x, w_.finalNorm);
    }

    at::Tensor logits(const at::Tensor& hidden) const override { return at::matmul(hidden, w_.head.t()); }

    KvCache newCache(int64_t batch, int64_t capacity) const override {
        KvCache c;
        const auto opts = w_.embedding.options();
        for (size_t l = 0; l < w_.layers.size(); ++l) {
            c.keys.push_back(at::zeros({batch, capacity, info_.kvHeads * info_.headDim}, opts));
            c.values.push_back(at::zeros({batch, capacity, info_.kvHeads * info_.headDim}, opts));
        }
        return c;
    }

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
        auto y = at::matmul(x, w.t());
        tap.onOutput(probe, y);
        return y;
    }

    // Causal grouped-query attention with RoPE. q: [B, T, H * hd] at positions startPos..;
    // k, v: [B, S, KV * hd] at positions 0..S-1, both before RoPE. Returns [B, T, H * hd].
    at::Tensor attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, int64_t startPos,
                         const std::vector<at::Tensor>& masks) const {
        const int64_t B = q.size(0), T = q.size(1), S = k.size(1);
        const int64_t H = info_.heads, KV = info_.kvHeads, hd = info_.headDim;
        if (cpuKernels_) {
            auto out = at::empty({B, T, H * hd}, q.options());
            const auto view = [](const at::Tensor& t) { return HeadsView{t.data_ptr<float>(), t.stride(0), t.stride(1)}; };
            causalAttentionCpu(view(q), view(k), view(v),
                               {cos_.data_ptr<float>(), sin_.data_ptr<float>(), rope_ == RopeLayout::Interleaved},
                               {B, H, KV, T, S, hd, startPos}, out.data_ptr<float>());
            return out;
        }
        const auto qr = applyRope(q.view({B, T, H, hd}), startPos).permute({0, 2, 1, 3});  // [B, H, T, hd]
        const auto kr = applyRope(k.reshape({B, S, KV, hd}), 0).permute({0, 2, 1, 3});      // [B, KV, S, hd]
        const auto vr = v.reshape({B, S, KV, hd}).permute({0, 2, 1, 3});
        return attentionAten(qr, kr, vr, startPos, masks).reshape({B, T, H * hd});
    }

    // The LibTorch-operator path, for devices other than the CPU (and as a cross-check:
    // EXPERTSCOPE_KERNELS=aten). Long sequences are attended in blocks of queries, each
    // against only the keys it can see, which skips most of the masked upper triangle.
    static constexpr int64_t kBlock = 64;

    // Additive causal masks of the query blocks, [rep * n, visible] each (undefined for a
    // single query); the same for every layer, so built once per pass.
    std::vector<at::Tensor> causalMasks(int64_t T, int64_t startPos, const at::TensorOptions& options) const {
        const int64_t rep = info_.heads / info_.kvHeads;
        std::vector<at::Tensor> masks;
        for (int64_t q0 = 0; q0 < T; q0 += kBlock) {
            const int64_t n = std::min(kBlock, T - q0), visible = startPos + q0 + n;
            masks.push_back(n == 1 ? at::Tensor()
                                   : at::full({n, visible}, -std::numeric_limits<float>::infinity(), options)
                                         .triu(startPos + q0 + 1)
                                         .repeat({rep, 1}));
        }
        return masks;
    }

    // q: [B, H, T, hd]; k, v: [B, KV, S, hd], rotated. Returns [B, T, H, hd].
    at::Tensor attentionAten(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, int64_t startPos,
                             const std::vector<at::Tensor>& masks) const {
        const int64_t B = q.size(0), T = q.size(2), hd = q.size(3), KV = k.size(1), rep = q.size(1) / KV;
        const int64_t S = k.size(2);
        // Query heads sharing a kv head are stacked along the time axis (head h uses kv
        // head h / rep), so keys are never copied. The scale goes on q and the mask into
        // the product, so scores are written once before the softmax (done in place).
        const auto qs = (q * (1.0 / std::sqrt(static_cast<double>(hd)))).view({B, KV, rep, T, hd});
        const auto kt = k.reshape({B * KV, S, hd}).transpose(1, 2);
        const auto vs = v.reshape({B * KV, S, hd});
        std::vector<at::Tensor> blocks;
        for (size_t i = 0; i < masks.size(); ++i) {
            const int64_t q0 = static_cast<int64_t>(i) * kBlock, n = std::min(kBlock, T - q0), visible = startPos + q0 + n;
            const auto qb = qs.narrow(3, q0, n).reshape({B * KV, rep * n, hd});
            const auto kb = kt.narrow(2, 0, visible);
            auto scores = masks[i].defined() ? at::baddbmm(masks[i], qb, kb) : at::bmm(qb, kb);
            at::_softmax_out(scores, scores, -1, false);
            blocks.push_back(at::bmm(scores, vs.narrow(1, 0, visible)).view({B, KV, rep, n, hd}));
        }
        const auto att = blocks.size() == 1 ? blocks[0] : at::cat(blocks, 3);
        return att.permute({0, 3, 1, 2, 4});  // [B, T, KV, rep, hd] = [B, T, H, hd]
    }

    // x: [B, T, heads, hd] at positions start..start+T-1.
    at::Tensor applyRope(const at::Tensor& x, int64_t start) const {
        const int64_t half = info_.headDim / 2, T = x.size(1);
        const auto c = cos_.narrow(0, start, T).view({1, T, 1, half}), s = sin_.narrow(0, start, T).view({1, T, 1, half});
        if (rope_ == RopeLayout::Interleaved) {
            const auto pairs = x.reshape({x.size(0), T, x.size(2), half, 2});
            const auto re = pairs.select(-1, 0), im = pairs.select(-1, 1);
            return at::stack({re * c - im * s, re * s + im * c}, -1).flatten(-2);
        }
        const auto a = x.narrow(-1, 0, half), b = x.narrow(-1, half, half);
        return at::cat({a * c - b * s, b * c + a * s}, -1);
    }

    ModelInfo info_;
    LlamaWeights w_;
    RopeLayout rope_;
    at::Tensor cos_, sin_;   // [maxPositions, headDim / 2]
    bool cpuKernels_ = true; // cpu_kernels.h; EXPERTSCOPE_KERNELS=aten selects LibTorch operators
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
