#pragma once
// What an encoder (BERT, RoBERTa) puts where a text says [MASK] (RoBERTa: <mask>): for each
// masked position, the likeliest tokens and their probabilities (softmax of the masked-LM
// logits), with a forcing applied at every position or without one. The application's
// Generation tab (for encoders) and the CLI's fill command both show this.
#include "core/runtime/language_model.h"

#include <string>
#include <vector>

namespace expertscope {

struct MaskGuess {
    int token = 0;
    std::string text;
    double probability = 0;
};

struct FilledMask {
    int position = 0;               // in the ids the model read
    std::vector<MaskGuess> guesses; // likeliest first
};

// Throws Error for a decoder, a tokenizer without a mask piece, or a text without one.
std::vector<FilledMask> fillMasks(LanguageModel& model, const std::string& text, const Forcing& forcing = {}, int k = 10);

// One line per masked position: "[MASK] 1: goal 23.1% · ball 11.0% · ...".
std::string describeFilledMasks(const std::vector<FilledMask>& masks);

}  // namespace expertscope
