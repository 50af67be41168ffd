#include "core/runtime/attention.h"

#include "core/runtime/cpu_kernels.h"
#include "core/runtime/transformer.h"

#include <cmath>
#include <limits>

namespace expertscope {
namespace {

// The operator path attends long sequences in blocks of queries, each against only the
// keys it can see, which skips most of the masked upper triangle.
constexpr int64_t kBlock = 64;

}  // namespace

at::Tensor ropeInverseFrequencies(int64_t headDim, float theta) {
    const int64_t half = headDim / 2;
    const auto exponent = at::arange(0, headDim, 2, at::kFloat).narrow(0, 0, half) / static_cast<float>(headDim);
    return 1.0 / at::pow(at::scalar_tensor(theta, at::kFloat), exponent);
}

CausalAttention::CausalAttention(int64_t heads, int64_t kvHeads, int64_t headDim, Rope rope, float ropeTheta,
                                 int64_t maxPositions, at::Device device)
    : CausalAttention(heads, kvHeads, headDim, rope, rope == Rope::None ? at::Tensor() : ropeInverseFrequencies(headDim, ropeTheta),
                      maxPositions, device, AttentionForm{}) {}

CausalAttention::CausalAttention(int64_t heads, int64_t kvHeads, int64_t headDim, Rope rope, const at::Tensor& invFreq,
                                 int64_t maxPositions, at::Device device, AttentionForm form)
    : heads_(heads), kvHeads_(kvHeads), headDim_(headDim), rope_(rope), form_(form) {
    if (rope_ != Rope::None) {
        // Angles computed in float32 as the reference implementations do.
        const auto angles = at::outer(at::arange(maxPositions, at::kFloat), invFreq);
        cos_ = angles.cos().contiguous().to(device);
        sin_ = angles.sin().contiguous().to(device);
    }
    cpuKernels_ = useCpuKernels(device);
}

CausalAttention::Pass CausalAttention::prepare(int64_t T, int64_t startPos, const at::TensorOptions& options) const {
    Pass pass;
    pass.startPos = startPos;
    if (cpuKernels_) return pass;
    // Additive causal masks of the query blocks, [rep * n, visible] (none for one query),
    // laid out for the grouped queries below.
    const int64_t rep = heads_ / kvHeads_;
    for (int64_t q0 = 0; q0 < T; q0 += kBlock) {
        const int64_t n = std::min(kBlock, T - q0), visible = startPos + q0 + n;
        if (n == 1 && form_.window == 0) {  // one query sees every key
            pass.masks.emplace_back();
            continue;
        }
        auto mask = at::full({n, visible}, -std::numeric_limits<float>::infinity(), options).triu(startPos + q0 + 1);
        if (form_.window > 0)  // and keys at or before p - window are out of sight
            mask.masked_fill_(at::ones({n, visible}, options.dtype(at::kBool)).tril(startPos + q0 - form_.window),
                              -std::numeric_limits<float>::infinity());
        pass.masks.push_back(mask.repeat({rep, 1}));
    }
    return pass;
}

at::Tensor CausalAttention::operator()(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                       const Pass& pass) const {
    const int64_t B = q.size(0), T = q.size(1), S = k.size(1);
    if (cpuKernels_) {
        auto out = at::empty({B, T, heads_ * headDim_}, q.options());
        const auto view = [](const at::Tensor& t) {
            return HeadsView{t.data_ptr<float>(), t.stride(0), t.stride(1)};
        };
        RopeTables rope{nullptr, nullptr, false};
        if (rope_ != Rope::None) rope = {cos_.data_ptr<float>(), sin_.data_ptr<float>(), rope_ == Rope::Interleaved};
        causalAttentionCpu(view(q), view(k), view(v), rope,
                           {B, heads_, kvHeads_, T, S, headDim_, pass.startPos, form_.window, form_.scale, form_.softcap},
                           out.data_ptr<float>());
        return out;
    }
    const auto qr = rotate(q.reshape({B, T, heads_, headDim_}), pass.startPos).permute({0, 2, 1, 3});  // [B, H, T, hd]
    const auto kr = rotate(k.reshape({B, S, kvHeads_, headDim_}), 0).permute({0, 2, 1, 3});           // [B, KV, S, hd]
    const auto vr = v.reshape({B, S, kvHeads_, headDim_}).permute({0, 2, 1, 3});
    return attendWithOperators(qr, kr, vr, pass).reshape({B, T, heads_ * headDim_});
}

at::Tensor CausalAttention::rotate(const at::Tensor& x, int64_t start) const {
    if (rope_ == Rope::None) return x;
    const int64_t half = headDim_ / 2, T = x.size(1);
    const auto c = cos_.narrow(0, start, T).view({1, T, 1, half}), s = sin_.narrow(0, start, T).view({1, T, 1, half});
    if (rope_ == Rope::Interleaved) {
        const auto pairs = x.reshape({x.size(0), T, x.size(2), half, 2});
        const auto re = pairs.select(-1, 0), im = pairs.select(-1, 1);
        return at::stack({re * c - im * s, re * s + im * c}, -1).flatten(-2);
    }
    const auto a = x.narrow(-1, 0, half), b = x.narrow(-1, half, half);
    return at::cat({a * c - b * s, b * c + a * s}, -1);
}

// q: [B, H, T, hd]; k, v: [B, KV, S, hd], rotated. Returns [B, T, H, hd].
at::Tensor CausalAttention::attendWithOperators(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                                const Pass& pass) const {
    const int64_t B = q.size(0), T = q.size(2), hd = q.size(3), KV = k.size(1), rep = q.size(1) / KV;
    const int64_t S = k.size(2);
    // Query heads sharing a kv head are stacked along the time axis (head h uses kv head
    // h / rep), so keys are never copied. The scale goes on q and the mask into the
    // product, so scores are written once before the softmax (done in place).
    const double scale = form_.scale > 0 ? form_.scale : 1.0 / std::sqrt(static_cast<double>(hd));
    const auto qs = (q * scale).view({B, KV, rep, T, hd});
    const auto kt = k.reshape({B * KV, S, hd}).transpose(1, 2);
    const auto vs = v.reshape({B * KV, S, hd});
    std::vector<at::Tensor> blocks;
    for (size_t i = 0; i < pass.masks.size(); ++i) {
        const int64_t q0 = static_cast<int64_t>(i) * kBlock, n = std::min(kBlock, T - q0), visible = pass.startPos + q0 + n;
        const auto qb = qs.narrow(3, q0, n).reshape({B * KV, rep * n, hd});
        const auto kb = kt.narrow(2, 0, visible);
        at::Tensor scores;
        if (form_.softcap > 0) {  // capped before the mask is added
            scores = at::bmm(qb, kb).div_(form_.softcap).tanh_().mul_(form_.softcap);
            if (pass.masks[i].defined()) scores.add_(pass.masks[i]);
        } else {
            scores = pass.masks[i].defined() ? at::baddbmm(pass.masks[i], qb, kb) : at::bmm(qb, kb);
        }
        at::_softmax_out(scores, scores, -1, false);
        blocks.push_back(at::bmm(scores, vs.narrow(1, 0, visible)).view({B, KV, rep, n, hd}));
    }
    const auto att = blocks.size() == 1 ? blocks[0] : at::cat(blocks, 3);
    return att.permute({0, 3, 1, 2, 4});  // [B, T, KV, rep, hd] = [B, T, H, hd]
}

}  // namespace expertscope
