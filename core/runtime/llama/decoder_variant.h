#pragma once
// The decoder families that are the Llama block with differences, read from a Hugging Face
// config.json as its modeling code applies it: Llama 1-3, Mistral, Qwen2/2.5, Qwen3,
// Phi-3, Gemma 1/2/3. Every config field that changes the arithmetic is either implemented
// here or refused by name; nothing is silently ignored.
#include "core/runtime/language_model.h"

#include <string>
#include <vector>

namespace expertscope {

struct DecoderVariant {
    std::string modelType, architecture;  // "qwen2", "Qwen2ForCausalLM"
    ModelInfo info;                        // shape and ids (headDim from head_dim when given)

    bool qkvBias = false;       // Qwen2 (and Llama's attention_bias): biases on q, k, v
    bool outputBias = false;    // Llama's attention_bias also biases o_proj
    bool qkNorm = false;        // Qwen3, Gemma 3: per-head RMSNorm of q and k before RoPE
    bool fusedProjections = false;  // Phi-3: qkv_proj = [q k v], gate_up_proj = [gate up]
    bool gemmaNorms = false;    // RMSNorm scale (1 + w), embeddings x sqrt(hidden)
    bool sandwichNorms = false; // Gemma 2/3: norms after attention and MLP as well
    bool geluMlp = false;       // gelu (tanh form) instead of SiLU on the gate
    float attentionScale = 0;   // 0: 1/sqrt(head dim)
    float attentionSoftcap = 0, finalSoftcap = 0;

    // The RoPE forms in use and, per layer, which one and which sliding window (0: none).
    struct Rope {
        float theta = 10000;
        std::string scaling;  // "", "linear" or "llama3"
        float factor = 1, lowFreqFactor = 1, highFreqFactor = 4;
        int originalPositions = 8192;
    };
    std::vector<Rope> ropes;
    struct Layer {
        int rope = 0;
        int window = 0;
    };
    std::vector<Layer> layers;
};

// Reads and checks dir/config.json. Throws Error naming the architecture or field and what
// is supported when the model is not one of these or uses what is not implemented.
DecoderVariant readDecoderVariant(const std::string& dir);

// Whether model_type names one of these families.
bool isDecoderVariant(const std::string& modelType);

}  // namespace expertscope
