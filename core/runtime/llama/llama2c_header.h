#pragma once
// llama2.c's checkpoint header (7 int32: dim, hidden_dim, n_layers, n_heads, n_kv_heads,
// vocab_size, seq_len; a negative vocab_size marks an untied classifier) and the file size
// it implies. Read and checked apart from the weights and without LibTorch, so a hostile
// header is refused before anything is allocated, and the check can be fuzzed on its own.
#include "core/runtime/language_model.h"

#include <cstdint>
#include <string>

namespace expertscope {

struct Llama2cHeader {
    ModelInfo info;           // shape, family and format; tokenizer and ids not yet known
    int64_t ropeFloats = 0;   // the legacy RoPE tables between the final norm and the classifier
    static constexpr int64_t kBytes = 7 * 4;  // where the weights start
};

// Throws Error naming the file: unreadable, too short, a field that is not plausible,
// dimensions that do not fit together, or a size other than the one the header describes.
Llama2cHeader readLlama2cHeader(const std::string& path);

}  // namespace expertscope
