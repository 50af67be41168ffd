#include "core/project/long_text.h"

#include <algorithm>

namespace expertscope {

int64_t bytesPerTokenBound(const Tokenizer& tokenizer) {
    size_t longest = 1;
    for (int id = 0; id < tokenizer.vocabSize(); ++id) longest = std::max(longest, tokenizer.decode({id}).size());
    return static_cast<int64_t>(longest) * 2;
}

std::string utf8Prefix(const std::string& text, size_t bytes) {
    if (bytes >= text.size()) return text;
    while (bytes > 0 && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80) --bytes;
    return text.substr(0, bytes);
}

bool longerThanAnyFit(const std::string& text, int tokens, const Tokenizer& tokenizer, int64_t& bound) {
    if (text.size() <= static_cast<size_t>(tokens + 1) * 8) return false;  // short: no bound needed
    if (bound < 0) bound = bytesPerTokenBound(tokenizer);
    return static_cast<int64_t>(text.size()) > (tokens + int64_t{1}) * bound;
}

std::string firstPartBeyond(const std::string& text, int tokens, const Tokenizer& tokenizer, int64_t& bound) {
    if (!longerThanAnyFit(text, tokens, tokenizer, bound)) return text;
    return utf8Prefix(text, static_cast<size_t>((tokens + int64_t{1}) * bound));
}

}  // namespace expertscope
