#pragma once
// Internal to core/: the LibTorch side of the runtime. A family (Llama, later GPT-2)
// provides a Backbone; TransformerModel adds everything family-independent on top:
// batching, pooling inside the forward pass, forcing, KV-cached generation.
#include "core/base/safetensors.h"
#include "core/runtime/language_model.h"
#include "core/runtime/row_exact_linear.h"

#include <ATen/ATen.h>

#include <memory>
#include <vector>

namespace expertscope {

// Process-wide LibTorch and allocator settings, applied once (threads, malloc thresholds).
void configureRuntime();

struct KvCache {
    std::vector<at::Tensor> keys, values;  // per layer, [batch, capacity, kv heads x head dim]
    int64_t length = 0;

    static KvCache allocate(size_t layers, int64_t batch, int64_t capacity, int64_t width, const at::TensorOptions& options) {
        KvCache c;
        for (size_t l = 0; l < layers; ++l) {
            c.keys.push_back(at::zeros({batch, capacity, width}, options));
            c.values.push_back(at::zeros({batch, capacity, width}, options));
        }
        return c;
    }
};

// Everything that happens to a probe's output during one forward pass.
class ProbeTap {
public:
    // Forcing, prepared once per call: per probe the unit indices and their values.
    struct ProbeForcing {
        at::Tensor units;   // int64 [n]: set to values
        at::Tensor values;  // float [n]
        at::Tensor factors; // float [probe units]: every unit multiplied (1 where not scaled); undefined when none is
    };

    int64_t startPos = 0;                       // absolute position of the first token in this pass
    int64_t forceFrom = 0;                      // absolute position where forcing starts
    const std::vector<ProbeForcing>* forcing = nullptr;  // indexed by probe; empty tensors = none

    // Products row-exact at this alignment (row_exact_linear.h), 0: plain BLAS products
    // (generation, where one new row per step is all there is and nothing is pooled).
    int64_t rowPeriod = 0;

    // Pooling (collectResponses): writes [batch, units] into pooled at the probe's offset.
    const std::vector<ProbePoint>* probes = nullptr;
    Pooling pooling = Pooling::Max;
    std::vector<int64_t> poolFrom, poolEnd;  // per row, the positions pooled: [from, end)
    at::Tensor poolMask;   // bool [batch, tokens, 1], true where not pooled; off the CPU only
    at::Tensor poolCount;  // float [batch, 1], end - from; off the CPU only
    at::Tensor pooled;     // float [batch, total units]; undefined when not pooling

    std::vector<at::Tensor>* record = nullptr;  // trace: every probe's full output

    // Encoders (bidirectional attention): per row, the tokens before its padding, which
    // attention must not see (empty: no padding); and the token types (undefined: all 0).
    std::vector<int64_t> realTokens;
    at::Tensor tokenTypes;  // int64 [batch, tokens]

    // Called by the backbone with each linear output [batch, tokens, units]; may change it.
    void onOutput(int probe, at::Tensor& y) const;

private:
    void poolOnCpu(const at::Tensor& y, at::Tensor& out) const;
};

class Backbone {
public:
    virtual ~Backbone() = default;
    // Final hidden states [batch, tokens, hidden] (after the last norm) for tokens [batch,
    // tokens] at positions startPos..; extends the cache when one is given.
    virtual at::Tensor forward(const at::Tensor& tokens, int64_t startPos, KvCache* cache, const ProbeTap& tap) = 0;
    virtual at::Tensor logits(const at::Tensor& hidden) const = 0;
    // False for an encoder saved without its masked-LM head: responses, no predictions.
    virtual bool hasLogits() const { return true; }
    virtual KvCache newCache(int64_t batch, int64_t capacity) const = 0;
    // The row alignment that makes this backbone's products row-exact on the CPU.
    virtual RowPeriod rowAlignment() const = 0;
};

// A probe point's product, row-exact when the pass asks for it, then handed to the tap.
// weight is [out, in] (OutIn) or [in, out] (InOut); bias may be undefined.
at::Tensor probedLinear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, WeightLayout layout,
                        int probe, const ProbeTap& tap);

class TransformerModel final : public LanguageModel {
public:
    TransformerModel(ModelInfo info, std::vector<ProbePoint> probes, std::unique_ptr<Tokenizer> tokenizer,
                     std::unique_ptr<Backbone> backbone, std::vector<int> stopTokens);

    const ModelInfo& info() const override { return info_; }
    const std::vector<ProbePoint>& probePoints() const override { return probes_; }
    const Tokenizer& tokenizer() const override { return *tokenizer_; }

    ResponseMatrix collectResponses(const std::vector<std::vector<int>>& batch, const CaptureOptions& options,
                                    const Forcing& forcing) override;
    SequenceTrace trace(const std::vector<int>& tokens, const Forcing& forcing) override;
    std::vector<int> generate(const std::vector<int>& prompt, const GenerationOptions& options,
                              const Forcing& forcing, const TokenCallback& onToken) override;
    // Encoders: a padded batch with its token types (core/runtime/encoder.h).
    std::vector<SequenceTrace> traceBatch(const std::vector<std::vector<int>>& ids, const std::vector<std::vector<int>>& tokenTypes,
                                          const std::vector<int>& lengths);

private:
    std::vector<ProbeTap::ProbeForcing> prepareForcing(const Forcing& forcing) const;
    at::Tensor tokensTensor(const std::vector<int>& ids) const;
    void checkTokens(const std::vector<int>& ids) const;

    ModelInfo info_;
    int64_t rowPeriod_;  // 0: products are not row-exact on this device
    std::vector<ProbePoint> probes_;
    std::unique_ptr<Tokenizer> tokenizer_;
    std::unique_ptr<Backbone> backbone_;
    std::vector<int> stopTokens_;
    at::Device device_;
};

std::unique_ptr<LanguageModel> loadGpt2HuggingFace(const std::string& dir, const std::string& tokenizerPath);
std::unique_ptr<LanguageModel> loadBertHuggingFace(const std::string& dir, const std::string& tokenizerPath);  // BERT, RoBERTa

// Helpers shared by the families.
at::Device preferredDevice();
// Whether to use cpu_kernels.h on this device: on the CPU, unless EXPERTSCOPE_KERNELS=aten
// asks for the LibTorch-operator path (which other devices always take).
bool useCpuKernels(const at::Device& device);
at::Tensor toTensor(const TensorView& view);  // float32 copy on the CPU
void expectShape(const at::Tensor& t, std::vector<int64_t> shape, const std::string& what);
void expectShape(const std::vector<int64_t>& got, const std::vector<int64_t>& shape, const std::string& what);

}  // namespace expertscope
