#pragma once
// A Hugging Face BERT or RoBERTa config.json as the encoder loader uses it, read without
// LibTorch (so it is fuzzed on its own: tests/fuzz/fuzz_model_config.cpp).
#include "core/runtime/language_model.h"

#include <cstdint>
#include <string>

namespace expertscope {

struct BertConfig {
    ModelInfo info;              // shape; maxPositions counts the positions real tokens may take
    bool roberta = false;
    int positionTable = 0;       // rows of the position embeddings (max_position_embeddings)
    int64_t positionOffset = 0;  // RoBERTa numbers real tokens' positions from its padding id + 1
    int tokenTypes = 2;          // rows of the token type embeddings (type_vocab_size)
    int configBos = -1, configEos = -1;  // the config's ids, for a tokenizer without its own
};

// Reads and checks dir/config.json; throws Error naming the file and the field (a
// model_type other than bert and roberta included).
BertConfig readBertConfig(const std::string& dir);

}  // namespace expertscope
