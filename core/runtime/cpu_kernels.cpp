#include "core/runtime/cpu_kernels.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace expertscope {
namespace {

// Built for each instruction set and picked at load time by CPU feature, so the kernel
// uses AVX-512 or AVX2 where the machine has them without the binary requiring either.
#define ES_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#define ES_INLINE inline __attribute__((always_inline))

// 16 floats: GCC lowers these to one AVX-512 register, two AVX2 or four SSE registers.
constexpr int64_t kLanes = 16;
typedef float f16 __attribute__((vector_size(64)));
typedef int32_t i16 __attribute__((vector_size(64)));

ES_INLINE f16 load(const float* p) {
    f16 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
ES_INLINE void store(float* p, f16 v) { std::memcpy(p, &v, sizeof v); }
ES_INLINE f16 splat(float x) { return f16{} + x; }
ES_INLINE float sumOf(f16 v) {
    float t = 0;
    for (int l = 0; l < kLanes; ++l) t += v[l];
    return t;
}

// exp for x <= 0 (scores minus their maximum), Cephes' polynomial: about 1 ulp.
ES_INLINE f16 expNonPositive(f16 x) {
    const f16 v = x < -87.f ? splat(-87.f) : x;
    const f16 k = (v * 1.44269504088896341f + 12582912.f) - 12582912.f;  // round(v / ln 2)
    const f16 r = v - k * 0.693359375f + k * 2.12194440e-4f;
    f16 p = splat(1.9875691500e-4f);
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.f;
    const i16 bits = (__builtin_convertvector(k, i16) + 127) << 23;
    return p * reinterpret_cast<const f16&>(bits);
}

// tanh(x) from e^-2|x| (which cannot overflow), odd in x.
ES_INLINE f16 tanhOf(f16 x) {
    const f16 a = x < 0.f ? -x : x;
    const f16 e = expNonPositive(-2.f * a);
    const f16 t = (1.f - e) / (1.f + e);
    return x < 0.f ? -t : t;
}

// Rotates one head vector for position `pos` (copies it when there is no RoPE).
ES_INLINE void rotate(const float* x, float* out, int64_t hd, int64_t pos, const RopeTables& rope) {
    if (!rope.cos) {
        std::memcpy(out, x, static_cast<size_t>(hd) * sizeof(float));
        return;
    }
    const int64_t half = hd / 2;
    const float* c = rope.cos + pos * half;
    const float* s = rope.sin + pos * half;
    for (int64_t i = 0; i < half; ++i) {
        const int64_t a = rope.interleaved ? 2 * i : i, b = rope.interleaved ? 2 * i + 1 : i + half;
        out[a] = x[a] * c[i] - x[b] * s[i];
        out[b] = x[b] * c[i] + x[a] * s[i];
    }
}

// One (batch, kv head) pair. Its keys (rotated) and values are transposed to [headDim,
// keys] and padded with zeros to whole 16-key chunks, so every step is one vector
// operation on contiguous memory; the maximum and the sum are kept per lane.
ES_CLONES void attendGroup(const HeadsView& q, const HeadsView& k, const HeadsView& v, const RopeTables& rope,
                           const AttentionShape& s, float* out, int64_t b, int64_t g, std::vector<float>& scratch) {
    const int64_t S = s.keys, hd = s.headDim, rep = s.heads / s.kvHeads;
    const int64_t padded = (S + kLanes - 1) / kLanes * kLanes;
    scratch.assign(static_cast<size_t>(2 * hd * padded + padded + hd * kLanes + 2 * hd), 0.f);
    float* kt = scratch.data();
    float* vt = kt + hd * padded;
    float* score = vt + hd * padded;
    float* accs = score + padded;
    float* row = accs + hd * kLanes;
    float* qv = row + hd;
    for (int64_t j = 0; j < S; ++j) {
        rotate(k.data + b * k.batchStride + j * k.tokenStride + g * hd, row, hd, j, rope);
        const float* vj = v.data + b * v.batchStride + j * v.tokenStride + g * hd;
        for (int64_t d = 0; d < hd; ++d) {
            kt[d * padded + j] = row[d];
            vt[d * padded + j] = vj[d];
        }
    }
    const float scale = s.scale > 0 ? s.scale : 1.f / std::sqrt(static_cast<float>(hd));
    const float hidden = -std::numeric_limits<float>::infinity();
    f16 lane;
    for (int l = 0; l < kLanes; ++l) lane[l] = static_cast<float>(l);
    for (int64_t t = 0; t < s.queries; ++t) {
        const int64_t visible = std::min(S, s.startPos + t + 1);
        // With a sliding window the keys before `first` are out of sight: whole chunks of
        // them are skipped, the rest masked like unseen keys.
        const int64_t first = s.window > 0 ? std::max<int64_t>(0, s.startPos + t - s.window + 1) : 0;
        const int64_t chunks = (visible + kLanes - 1) / kLanes, firstChunk = first / kLanes;
        for (int64_t r = 0; r < rep; ++r) {
            const int64_t h = g * rep + r;
            rotate(q.data + b * q.batchStride + t * q.tokenStride + h * hd, qv, hd, s.startPos + t, rope);
            f16 top = splat(hidden);
            for (int64_t c = firstChunk; c < chunks; ++c) {
                f16 acc{};
                for (int64_t d = 0; d < hd; ++d) acc += (qv[d] * scale) * load(kt + d * padded + c * kLanes);
                if (s.softcap > 0) acc = s.softcap * tanhOf(acc / s.softcap);
                const f16 key = lane + static_cast<float>(c * kLanes);
                acc = key < static_cast<float>(visible) ? acc : splat(hidden);  // unseen keys
                if (first > 0) acc = key >= static_cast<float>(first) ? acc : splat(hidden);
                store(score + c * kLanes, acc);
                top = acc > top ? acc : top;
            }
            float m = top[0];
            for (int l = 1; l < kLanes; ++l) m = top[l] > m ? top[l] : m;
            f16 sum{};
            for (int64_t c = firstChunk; c < chunks; ++c) {
                const f16 x = load(score + c * kLanes);
                const f16 e = x == hidden ? f16{} : expNonPositive(x - m);
                store(score + c * kLanes, e);
                sum += e;
            }
            const float inv = 1.f / sumOf(sum);
            // Chunks outer, dimensions inner: hd independent accumulators rather than one
            // dependency chain per dimension.
            std::fill(accs, accs + hd * kLanes, 0.f);
            for (int64_t c = firstChunk; c < chunks; ++c) {
                const f16 p = load(score + c * kLanes);
                for (int64_t d = 0; d < hd; ++d)
                    store(accs + d * kLanes, load(accs + d * kLanes) + p * load(vt + d * padded + c * kLanes));
            }
            float* o = out + ((b * s.queries + t) * s.heads + h) * hd;
            for (int64_t d = 0; d < hd; ++d) o[d] = sumOf(load(accs + d * kLanes)) * inv;
        }
    }
}

ES_CLONES void rmsNormRows(const float* x, const float* weight, float* out, int64_t begin, int64_t end, int64_t width,
                           float eps) {
    for (int64_t r = begin; r < end; ++r) {
        const float* xr = x + r * width;
        float* o = out + r * width;
        float squares = 0;
        for (int64_t i = 0; i < width; ++i) squares += xr[i] * xr[i];
        const float scale = 1.f / std::sqrt(squares / static_cast<float>(width) + eps);
        for (int64_t i = 0; i < width; ++i) o[i] = xr[i] * scale * weight[i];
    }
}

// exp(-|x|), the building block of the activations below.
ES_INLINE f16 expMinusAbs(f16 x) { return expNonPositive(x < 0.f ? x : -x); }

ES_INLINE f16 siluTimes(f16 g, f16 u) {
    const f16 e = expMinusAbs(g);  // sigmoid(g) = 1 / (1 + e^-g), from e^-|g| so nothing overflows
    const f16 sigmoid = g >= 0.f ? 1.f / (1.f + e) : e / (1.f + e);
    return g * sigmoid * u;
}

ES_INLINE f16 geluTanh(f16 x) {
    const f16 z = 0.7978845608028654f * (x + 0.044715f * x * x * x);
    const f16 e = expMinusAbs(2.f * z);  // tanh(|z|) = (1 - e^-2|z|) / (1 + e^-2|z|)
    const f16 t = (1.f - e) / (1.f + e);
    return 0.5f * x * (1.f + (z >= 0.f ? t : -t));
}

// erf by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7).
ES_INLINE f16 geluErf(f16 x) {
    const f16 z = x * 0.7071067811865476f;
    const f16 a = z < 0.f ? -z : z;
    const f16 t = 1.f / (1.f + 0.3275911f * a);
    f16 p = splat(1.061405429f);
    p = p * t - 1.453152027f;
    p = p * t + 1.421413741f;
    p = p * t - 0.284496736f;
    p = p * t + 0.254829592f;
    const f16 erfAbs = 1.f - p * t * expNonPositive(-a * a);
    return 0.5f * x * (1.f + (z >= 0.f ? erfAbs : -erfAbs));
}

ES_INLINE f16 loadPart(const float* p, int64_t n) {
    f16 v{};
    std::memcpy(&v, p, static_cast<size_t>(n) * sizeof(float));
    return v;
}

ES_INLINE void storePart(float* p, f16 v, int64_t n) { std::memcpy(p, &v, static_cast<size_t>(n) * sizeof(float)); }

// 16 elements at a time; the last partial vector goes through the same arithmetic on a
// zero-padded copy, so no element's result depends on where the range ends.
ES_CLONES void siluMulRange(float* gate, const float* up, int64_t begin, int64_t end) {
    int64_t i = begin;
    for (; i + kLanes <= end; i += kLanes) store(gate + i, siluTimes(load(gate + i), load(up + i)));
    if (i < end) storePart(gate + i, siluTimes(loadPart(gate + i, end - i), loadPart(up + i, end - i)), end - i);
}

ES_CLONES void geluRange(const float* x, float* out, int64_t begin, int64_t end, bool tanhForm) {
    int64_t i = begin;
    for (; i + kLanes <= end; i += kLanes) store(out + i, tanhForm ? geluTanh(load(x + i)) : geluErf(load(x + i)));
    if (i < end) {
        const f16 v = loadPart(x + i, end - i);
        storePart(out + i, tanhForm ? geluTanh(v) : geluErf(v), end - i);
    }
}

// Elements a thread takes at least: below it a parallel region costs more than it saves
// (ATen's own grain is 32,768).
constexpr int64_t kElementGrain = 1 << 16;

}  // namespace

void siluMulCpu(float* gate, const float* up, int64_t n) {
    at::parallel_for(0, n, kElementGrain, [&](int64_t begin, int64_t end) { siluMulRange(gate, up, begin, end); });
}

void geluCpu(const float* x, float* out, int64_t n, bool tanhForm) {
    at::parallel_for(0, n, kElementGrain, [&](int64_t begin, int64_t end) { geluRange(x, out, begin, end, tanhForm); });
}

void causalAttentionCpu(HeadsView q, HeadsView k, HeadsView v, const RopeTables& rope, const AttentionShape& shape,
                        float* out) {
    at::parallel_for(0, shape.batch * shape.kvHeads, 1, [&](int64_t begin, int64_t end) {
        std::vector<float> scratch;
        for (int64_t i = begin; i < end; ++i)
            attendGroup(q, k, v, rope, shape, out, i / shape.kvHeads, i % shape.kvHeads, scratch);
    });
}

void rmsNormCpu(const float* x, const float* weight, float* out, int64_t rows, int64_t width, float eps) {
    at::parallel_for(0, rows, std::max<int64_t>(1, kElementGrain / width),
                     [&](int64_t begin, int64_t end) { rmsNormRows(x, weight, out, begin, end, width, eps); });
}

}  // namespace expertscope
