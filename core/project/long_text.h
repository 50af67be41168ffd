#pragma once
// Texts far longer than a model's context (a 10 MB sentence, a pasted book): only their
// first part can matter, so only that part is tokenized. Tokenizing all of it costs about
// a hundred bytes of memory a byte of text (measured: 2.6 GB for 10 MB, tst_resource_limits).
#include "core/tokenizers/tokenizer.h"

#include <cstdint>
#include <string>

namespace expertscope {

// The most bytes of text one token of this vocabulary stands for, doubled for what
// normalisation may fold (decodes every piece once: call it only for a long text).
int64_t bytesPerTokenBound(const Tokenizer& tokenizer);

// The first `bytes` bytes of `text`, not cutting a UTF-8 character.
std::string utf8Prefix(const std::string& text, size_t bytes);

// Whether `text` has more than `tokens` tokens, whatever they are: more bytes than that
// many tokens (plus one) can cover. `bound` caches bytesPerTokenBound (start it at -1).
bool longerThanAnyFit(const std::string& text, int tokens, const Tokenizer& tokenizer, int64_t& bound);

// `text`, or, when it is longer than any `tokens` tokens can be, the first part of it that
// still holds more than `tokens` tokens: the same first tokens, at bounded cost.
std::string firstPartBeyond(const std::string& text, int tokens, const Tokenizer& tokenizer, int64_t& bound);

}  // namespace expertscope
