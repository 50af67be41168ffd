#pragma once
// GPT-2's byte-level BPE: text is split by GPT-2's pattern (contractions, letters,
// numbers, other symbols, whitespace runs), each piece's UTF-8 bytes are mapped to
// printable characters, and adjacent symbols are merged by rank. Decoding gives back the
// exact original bytes.
#include "core/tokenizers/tokenizer.h"

#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace expertscope {

class ByteLevelBpe final : public Tokenizer {
public:
    // vocab: byte-level token text -> id; merges in rank order; specials: "<|endoftext|>" -> id.
    // Throws Error when a merge or special names what the vocabulary lacks.
    ByteLevelBpe(std::unordered_map<std::string, int> vocab, const std::vector<std::pair<std::string, std::string>>& merges,
                 std::map<std::string, int> specials, std::string source);

    // Special tokens written in the text are ordinary text, as in the reference encoder.
    std::vector<int> encode(const std::string& text) const override { return encode(text, false); }
    // With parseSpecial, "<|endoftext|>" and the other specials become their ids.
    std::vector<int> encode(const std::string& text, bool parseSpecial) const;
    std::string decode(const std::vector<int>& ids) const override;
    int vocabSize() const override { return static_cast<int>(decoder_.size()); }
    int bosId() const override { return endOfText_; }
    int eosId() const override { return endOfText_; }
    int padId() const override { return -1; }

private:
    void encodePiece(const std::string& utf8, std::vector<int>& out) const;

    std::unordered_map<std::string, int> vocab_;
    std::vector<std::string> decoder_;            // id -> token text
    std::unordered_map<std::string, int> ranks_;  // "left right" -> rank
    std::map<std::string, int> specials_;
    int endOfText_ = -1;
    std::string source_;
    mutable std::mutex cacheMutex_;
    mutable std::unordered_map<std::string, std::vector<int>> cache_;
};

// From a directory (vocab.json + merges.txt, or tokenizer.json), a tokenizer.json file, or
// a vocab/encoder .json file with merges.txt or vocab.bpe beside it.
std::unique_ptr<ByteLevelBpe> loadByteLevelBpe(const std::string& path);
std::unique_ptr<ByteLevelBpe> loadByteLevelBpe(const std::string& vocabPath, const std::string& mergesPath);

}  // namespace expertscope
