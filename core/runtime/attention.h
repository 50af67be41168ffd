#pragma once
// Causal multi-head attention shared by the families: the CPU kernel (cpu_kernels.h) on
// the CPU, LibTorch operators elsewhere (or with EXPERTSCOPE_KERNELS=aten), with or
// without rotary position embeddings.
#include <ATen/ATen.h>

#include <vector>

namespace expertscope {

// A family's attention beyond the plain form; zeros mean plain.
struct AttentionForm {
    int64_t window = 0;  // sliding window (Mistral, Gemma 2/3 local layers): keys p - window + 1 .. p
    float scale = 0;     // score scale; 0: 1 / sqrt(head dim) (Gemma: query_pre_attn_scalar^-1/2)
    float softcap = 0;   // Gemma 2: scores -> softcap * tanh(scores / softcap)
};

// RoPE's inverse frequencies theta^(-2i/d), [headDim / 2], float32 as the reference
// implementations compute them.
at::Tensor ropeInverseFrequencies(int64_t headDim, float theta);

class CausalAttention {
public:
    enum class Rope { None, Interleaved, RotateHalf };

    CausalAttention(int64_t heads, int64_t kvHeads, int64_t headDim, Rope rope, float ropeTheta, int64_t maxPositions,
                    at::Device device);
    // inverseFrequencies: [headDim / 2] float32 (undefined without RoPE).
    CausalAttention(int64_t heads, int64_t kvHeads, int64_t headDim, Rope rope, const at::Tensor& inverseFrequencies,
                    int64_t maxPositions, at::Device device, AttentionForm form);

    // Per forward pass: whatever can be shared by all layers (the masks of the operator path).
    struct Pass {
        int64_t startPos = 0;
        std::vector<at::Tensor> masks;
    };
    Pass prepare(int64_t queries, int64_t startPos, const at::TensorOptions& options) const;

    // q: [B, T, heads * hd] at positions startPos..; k, v: [B, S, kvHeads * hd] at positions
    // 0..S-1, both before RoPE; any strides with contiguous heads. Returns [B, T, heads * hd].
    at::Tensor operator()(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const Pass& pass) const;

private:
    at::Tensor rotate(const at::Tensor& x, int64_t start) const;  // x: [B, T, heads, hd]
    at::Tensor attendWithOperators(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const Pass& pass) const;

    int64_t heads_, kvHeads_, headDim_;
    Rope rope_;
    AttentionForm form_;
    at::Tensor cos_, sin_;  // [maxPositions, headDim / 2]
    bool cpuKernels_;
};

}  // namespace expertscope
