#include "llama.h"

#include <cmath>

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
        auto device = w_.embedding.device();
        cos_ = angles.cos().to(device);
        sin_ = angles.sin().to(device);
    }

    at::Tensor forward(const at::Tensor& tokens, int64_t startPos, KvCache* cache, const ProbeTap& tap) override {
        const int64_t B = tokens.size(0), T = tokens.size(1);
        const int64_t H = info_.heads, KV = info_.kvHeads, hd = info_.headDim, rep = H / KV;
        const int64_t S = startPos + T;  // keys visible to the last query
        auto x = w_.embedding.index_select(0, tokens.reshape({-1})).view({B, T, info_.hidden});
        const auto cos = cos_.narrow(0, startPos, T), sin = sin_.narrow(0, startPos, T);
        at::Tensor mask;  // [T, S] additive causal mask
        if (T > 1) {
            mask = at::full({T, S}, -std::numeric_limits<float>::infinity(), x.options()).triu(startPos + 1);
        }
        int probe = 0;
        for (size_t l = 0; l < w_.layers.size(); ++l) {
            const auto& L = w_.layers[l];
            auto h = rmsNorm(x, L.attnNorm);
            auto q = linear(h, L.wq, probe++, tap);
            auto k = linear(h, L.wk, probe++, tap);
            auto v = linear(h, L.wv, probe++, tap);
            q = applyRope(q.view({B, T, H, hd}), cos, sin).permute({0, 2, 1, 3});   // [B, H, T, hd]
            k = applyRope(k.view({B, T, KV, hd}), cos, sin).permute({0, 2, 1, 3});  // [B, KV, T, hd]
            v = v.view({B, T, KV, hd}).permute({0, 2, 1, 3});
            if (cache) {
                cache->keys[l].narrow(2, startPos, T).copy_(k);
                cache->values[l].narrow(2, startPos, T).copy_(v);
                k = cache->keys[l].narrow(2, 0, S);
                v = cache->values[l].narrow(2, 0, S);
            }
            // Grouped-query attention without copying keys: query heads sharing a kv head
            // are stacked along the time axis. Head h uses kv head h / rep.
            auto qg = q.reshape({B, KV, rep * T, hd});
            auto scores = at::matmul(qg, k.transpose(2, 3)) * (1.0 / std::sqrt(static_cast<double>(hd)));
            if (mask.defined()) scores = (scores.view({B, KV, rep, T, S}) + mask).view({B, KV, rep * T, S});
            auto att = at::matmul(scores.softmax(-1), v);                            // [B, KV, rep*T, hd]
            att = att.view({B, KV, rep, T, hd}).permute({0, 3, 1, 2, 4}).reshape({B, T, H * hd});
            x = x + linear(att, L.wo, probe++, tap);

            h = rmsNorm(x, L.ffnNorm);
            auto gate = linear(h, L.gate, probe++, tap);
            auto up = linear(h, L.up, probe++, tap);
            // Hugging Face order of probes within a layer: q k v o gate up down.
            x = x + linear(at::silu(gate) * up, L.down, probe++, tap);
        }
        if (cache) cache->length = S;
        return rmsNorm(x, w_.finalNorm);
    }

    at::Tensor logits(const at::Tensor& hidden) const override { return at::matmul(hidden, w_.head.t()); }

    KvCache newCache(int64_t batch, int64_t capacity) const override {
        KvCache c;
        const auto opts = w_.embedding.options();
        for (size_t l = 0; l < w_.layers.size(); ++l) {
            c.keys.push_back(at::zeros({batch, info_.kvHeads, capacity, info_.headDim}, opts));
            c.values.push_back(at::zeros({batch, info_.kvHeads, capacity, info_.headDim}, opts));
        }
        return c;
    }

private:
    at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight) const {
        return x * at::rsqrt(x.pow(2).mean(-1, true) + info_.normEps) * weight;
    }

    static at::Tensor linear(const at::Tensor& x, const at::Tensor& w, int probe, const ProbeTap& tap) {
        auto y = at::matmul(x, w.t());
        tap.onOutput(probe, y);
        return y;
    }

    // x: [B, T, heads, hd]; cos/sin: [T, hd/2]
    at::Tensor applyRope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) const {
        const int64_t half = info_.headDim / 2;
        const auto c = cos.view({1, cos.size(0), 1, half}), s = sin.view({1, sin.size(0), 1, half});
        if (rope_ == RopeLayout::Interleaved) {
            const auto pairs = x.reshape({x.size(0), x.size(1), x.size(2), half, 2});
            const auto re = pairs.select(-1, 0), im = pairs.select(-1, 1);
            return at::stack({re * c - im * s, re * s + im * c}, -1).flatten(-2);
        }
        const auto a = x.narrow(-1, 0, half), b = x.narrow(-1, half, half);
        return at::cat({a * c - b * s, b * c + a * s}, -1);
    }

    ModelInfo info_;
    LlamaWeights w_;
    RopeLayout rope_;
    at::Tensor cos_, sin_;
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
