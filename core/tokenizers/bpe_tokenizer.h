#pragma once
// Byte-level BPE (GPT-2, Llama 3, Qwen2, and the GGUF "gpt2" vocabularies): added tokens
// are cut out of the text first, the rest is normalised (NFC when asked), split by the
// pre-tokenizer's patterns in sequence (each splitting the pieces of the one before,
// keeping both matches and the text between them), each piece's UTF-8 bytes are mapped to
// printable characters and adjacent symbols are merged by rank. Decoding gives back the
// exact original bytes.
#include "core/tokenizers/tokenizer.h"

#include <QRegularExpression>

#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace expertscope {

class JsonFile;

// GPT-2's own pattern (what a ByteLevel pre-tokenizer with use_regex applies).
extern const char* const kGpt2Pattern;

struct ByteLevelBpeSpec {
    std::unordered_map<std::string, int> vocab;               // byte-level token text -> id
    std::vector<std::pair<std::string, std::string>> merges;  // in rank order
    std::vector<std::string> patterns;  // applied in sequence; none: the text is one piece
    bool nfc = false;                   // Unicode NFC before splitting (Qwen2)
    bool addPrefixSpace = false;        // a space before text that does not start with one
    bool ignoreMerges = false;          // a piece that is a token is that token (Llama 3)
    struct Added {
        std::string content;
        int id = 0;
        bool special = false;  // matched only when asked; the others always
    };
    std::vector<Added> added;
    int bos = -1, eos = -1;
    bool addBos = false;  // what the tokenizer's post-processor puts before a text
    std::string source;   // for messages
};

class ByteLevelBpe final : public Tokenizer {
public:
    // Throws Error when a merge or added token names what the vocabulary lacks, or a byte
    // has no token.
    explicit ByteLevelBpe(ByteLevelBpeSpec spec);
    // GPT-2's files: vocab, merges, specials ("<|endoftext|>" -> id, also BOS and EOS),
    // split by GPT-2's pattern.
    ByteLevelBpe(std::unordered_map<std::string, int> vocab, const std::vector<std::pair<std::string, std::string>>& merges,
                 std::map<std::string, int> specials, std::string source);

    // Special tokens written in the text are ordinary text, as in the reference encoders.
    std::vector<int> encode(const std::string& text) const override { return encode(text, false); }
    // With parseSpecial, special tokens written in the text become their ids.
    std::vector<int> encode(const std::string& text, bool parseSpecial) const;
    std::string decode(const std::vector<int>& ids) const override;
    int vocabSize() const override { return static_cast<int>(decoder_.size()); }
    int bosId() const override { return spec_.bos; }
    int eosId() const override { return spec_.eos; }
    int padId() const override { return -1; }
    bool addsBos() const override { return spec_.addBos; }
    int pieceId(const std::string& piece) const override;

private:
    void encodeText(const std::string& text, std::vector<int>& out) const;
    void encodePiece(const std::string& utf8, std::vector<int>& out) const;

    ByteLevelBpeSpec spec_;
    std::vector<std::string> decoder_;            // id -> token text (added tokens: their content)
    std::vector<bool> isAdded_;                   // by id
    std::unordered_map<std::string, int> ranks_;  // "left right" -> rank
    std::vector<QRegularExpression> patterns_;
    mutable std::mutex cacheMutex_;
    mutable std::unordered_map<std::string, std::vector<int>> cache_;
};

// From a directory (vocab.json + merges.txt, or tokenizer.json), a tokenizer.json file, or
// a vocab/encoder .json file with merges.txt or vocab.bpe beside it.
std::unique_ptr<ByteLevelBpe> loadByteLevelBpe(const std::string& path);
std::unique_ptr<ByteLevelBpe> loadByteLevelBpe(const std::string& vocabPath, const std::string& mergesPath);
// A Hugging Face tokenizer.json with a byte-level BPE model (tokenizer_json.cpp). Anything
// in it this reader does not implement is refused by the field's name.
std::unique_ptr<ByteLevelBpe> loadTokenizerJson(const std::string& path);
std::unique_ptr<ByteLevelBpe> loadTokenizerJson(const JsonFile& file);  // already read

}  // namespace expertscope
