#pragma once
// A Hugging Face GPT-2 config.json as the GPT-2 loader uses it, read without LibTorch (so it
// is fuzzed on its own: tests/fuzz/fuzz_model_config.cpp).
#include "core/runtime/language_model.h"

#include <string>

namespace expertscope {

struct Gpt2Config {
    ModelInfo info;          // shape, ids and epsilon; tokenizer not yet known
    bool exactGelu = false;  // activation_function "gelu" (erf); the tanh form otherwise
};

// Reads and checks dir/config.json; throws Error naming the file and the field.
Gpt2Config readGpt2Config(const std::string& dir);
// Head dimension and key/value heads from the shape; throws when n_embd does not divide.
void checkGpt2Dimensions(ModelInfo& info);

}  // namespace expertscope
