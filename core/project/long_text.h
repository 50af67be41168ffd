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

// Whether `text` is longer in bytes than `tokens` tokens (plus one) can cover, so that its
// first part of that many bytes holds all that could fit. `bound` caches bytesPerTokenBound
// (start it at -1).
bool longerThanAnyFit(const std::string& text, int tokens, const Tokenizer& tokenizer, int64_t& bound);

// `text`, or, when it is longer than any `tokens` tokens can cover, its first part of that
// many bytes. A tokenizer may drop or fold input (whitespace runs, a long word as one
// [UNK]), so only the first part's tokens can say the text is too long: callers tokenize
// the whole text when the first part's tokens still fit.
std::string firstPartBeyond(const std::string& text, int tokens, const Tokenizer& tokenizer, int64_t& bound);

}  // namespace expertscope
