#pragma once
// Llama family (RMSNorm, RoPE, grouped-query attention, SwiGLU) from Hugging Face
// directories or llama2.c checkpoints.
#include "core/runtime/transformer.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace expertscope {

struct DecoderVariant;
class Tokenizer;
class GgufFile;

// A layer's tensors; those a family lacks stay undefined. Fused projections (Phi-3) are
// held in wq ([q k v]) and gate ([gate up]). Norm weights are as the arithmetic uses them
// (Gemma's 1 + w already added).
struct LlamaWeights {
    struct Layer {
        at::Tensor attnNorm, wq, wk, wv, wo, ffnNorm, gate, up, down;
        at::Tensor bq, bk, bv, bo;                 // attention biases (Qwen2, Llama attention_bias)
        at::Tensor qNorm, kNorm;                   // per-head RMSNorm of q and k (Qwen3, Gemma 3)
        at::Tensor postAttnNorm, postFfnNorm;      // Gemma 2/3 sandwich norms (ffnNorm is then the pre-FFN one)
    };
    at::Tensor embedding, finalNorm, head;  // head aliases embedding when tied
    std::vector<Layer> layers;
};

// Hugging Face stores q/k rows permuted so RoPE rotates halves; llama2.c rotates
// interleaved pairs. Each checkpoint is run in its own convention, so every q/k unit keeps
// the index it has in the file.
enum class RopeLayout { RotateHalf, Interleaved };

std::unique_ptr<Backbone> makeLlamaBackbone(const ModelInfo& info, LlamaWeights weights, RopeLayout rope);
// The same block with a family's differences (decoder_variant.h); Hugging Face RoPE layout.
std::unique_ptr<Backbone> makeDecoderBackbone(const DecoderVariant& variant, LlamaWeights weights);
std::vector<ProbePoint> decoderProbePoints(const DecoderVariant& variant);
std::vector<ProbePoint> llamaProbePoints(const ModelInfo& info, bool huggingFaceNames);

// The tensors of a decoder under their Hugging Face names, from wherever they come
// (safetensors, GGUF); get returns float32 of the shape asked for or throws naming it.
struct DecoderTensors {
    std::function<at::Tensor(const std::string&, const std::vector<int64_t>&)> get;
    std::function<bool(const std::string&)> contains;
};
// A decoder of the variant from its tensors and tokenizer (the tokenizer's BOS and vocabulary
// checked against the model's): what the Hugging Face and GGUF loaders share.
std::unique_ptr<LanguageModel> buildDecoderModel(DecoderVariant variant, std::unique_ptr<Tokenizer> tok, const DecoderTensors& tensors);

// The shape and token ids a Hugging Face Llama config.json gives (tokenizer not read).
ModelInfo readLlamaHuggingFaceConfig(const std::string& dir);
std::unique_ptr<LanguageModel> loadLlamaHuggingFace(const std::string& dir, const std::string& tokenizerPath);
std::unique_ptr<LanguageModel> loadLlama2c(const std::string& path, const std::string& tokenizerPath);
// A llama or qwen2 GGUF file (llama_gguf.cpp): tensors dequantised on load, llama's q and k
// rows returned to Hugging Face's order, the tokenizer from its metadata unless one is named.
std::unique_ptr<LanguageModel> loadLlamaGguf(const std::string& path, const std::string& tokenizerPath);
// Why loadLlamaGguf cannot read the file's architecture; empty when it can.
std::string ggufArchitectureProblem(const GgufFile& file);

}  // namespace expertscope
