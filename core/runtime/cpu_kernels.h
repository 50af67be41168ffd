#pragma once
// Hand-written CPU loops for the parts of the forward pass where LibTorch's generic
// operators cost most at the tiny dimensions of the models we study: they make several
// passes and allocations where one loop will do.
#include <cstdint>

namespace expertscope {

// A [batch, tokens, heads * headDim] activation addressed by strides (in floats), so the
// kernel reads linear outputs and the KV cache where they lie.
struct HeadsView {
    const float* data;
    int64_t batchStride, tokenStride;
};

struct RopeTables {
    const float* cos;  // [positions, headDim / 2]; null: no rotary embedding
    const float* sin;
    bool interleaved;  // llama2.c pairs (2i, 2i+1); otherwise Hugging Face halves (i, i + headDim/2)
};

struct AttentionShape {
    int64_t batch, heads, kvHeads, queries, keys, headDim;
    int64_t startPos;  // absolute position of query 0; query t sees keys 0 .. startPos + t
    // Family settings; zero means the plain form.
    int64_t window = 0;  // sliding window: query at p sees keys p - window + 1 .. p only
    float scale = 0;     // score scale; 0: 1 / sqrt(headDim)
    float softcap = 0;   // scores -> softcap * tanh(scores / softcap) before the softmax
};

// Causal grouped-query attention, RoPE (if any) applied on the fly to q and k (which are
// the un-rotated projections). One pass per query over the keys it can see, with the scores
// in a small buffer: the [.., T, S] score matrix is never built. Head h reads kv head
// h / (heads / kvHeads). out: [batch, queries, heads * headDim], contiguous.
void causalAttentionCpu(HeadsView q, HeadsView k, HeadsView v, const RopeTables& rope, const AttentionShape& shape,
                        float* out);

// out[r] = x[r] / sqrt(mean(x[r]^2) + eps) * weight, rows of `width` floats.
void rmsNormCpu(const float* x, const float* weight, float* out, int64_t rows, int64_t width, float eps);

// The activations, with one arithmetic for every element: ATen's vectorised loops finish
// each range with scalar code, so an element's last bit would depend on where the range
// ended, that is on the batch (see row_exact_linear.h).
// gate[i] = silu(gate[i]) * up[i]
void siluMulCpu(float* gate, const float* up, int64_t n);
// out[i] = gelu(x[i]): the tanh form (GPT-2's gelu_new) or the erf form.
void geluCpu(const float* x, float* out, int64_t n, bool tanhForm);

}  // namespace expertscope
