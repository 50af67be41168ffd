#pragma once
// Encoders (BERT, RoBERTa) beyond what every model offers: a padded batch with its token
// types (sentence pairs), traced as Hugging Face runs it, every position's logits and
// probe outputs (padding positions computed too; attention never sees them).
#include "core/runtime/language_model.h"

#include <vector>

namespace expertscope {

// Rows of equal width; lengths[i]: row i's tokens before its padding. Throws Error for a
// decoder or a malformed batch.
std::vector<SequenceTrace> traceEncoderBatch(LanguageModel& model, const std::vector<std::vector<int>>& ids,
                                             const std::vector<std::vector<int>>& tokenTypes, const std::vector<int>& lengths);

}  // namespace expertscope
