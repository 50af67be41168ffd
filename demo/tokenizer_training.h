#pragma once
// Training a sentencepiece tokenizer on sentences in memory (the demo model's tokenizer).
#include <string>
#include <vector>

namespace expertscope {

struct TokenizerTraining {
    int vocabSize = 2048;
    std::string modelType = "bpe";  // or "unigram"
};
// Writes `<prefix>.model`. Ids: 0 <unk>, 1 <s>, 2 </s> (Llama's).
// Single-threaded and unshuffled, so the same sentences give the same files.
void trainSentencePiece(const std::vector<std::string>& sentences, const std::string& prefix, const TokenizerTraining& options = {});

}  // namespace expertscope
