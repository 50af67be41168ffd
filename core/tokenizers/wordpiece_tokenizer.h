#pragma once
// BERT's WordPiece: BertNormalizer (control characters dropped, white space to spaces,
// spaces around CJK ideographs, accents stripped and lower case for uncased models),
// BertPreTokenizer (words split on white space, every punctuation character alone), then
// the longest vocabulary piece from the start of each word, continuations written "##x";
// a word that cannot be covered is [UNK].
#include "core/tokenizers/tokenizer.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace expertscope {

class JsonFile;

struct WordPieceSpec {
    std::unordered_map<std::string, int> vocab;  // "the", "##ing", "[CLS]"
    int unk = -1, cls = -1, sep = -1, pad = -1;
    bool lowercase = true, stripAccents = true, cleanText = true, chineseChars = true;
    int maxCharsPerWord = 100;
    std::string source;
};

class WordPieceTokenizer final : public Tokenizer {
public:
    explicit WordPieceTokenizer(WordPieceSpec spec);  // throws Error without [UNK]
    std::vector<int> encode(const std::string& text) const override;
    // Pieces joined by spaces, "##" continuations joined to the word (uncased: lower case).
    std::string decode(const std::vector<int>& ids) const override;
    int vocabSize() const override { return static_cast<int>(decoder_.size()); }
    int bosId() const override { return spec_.cls; }
    int eosId() const override { return spec_.sep; }
    int padId() const override { return spec_.pad; }
    bool addsBos() const override { return false; }  // [CLS] ... [SEP] belong to the encoder
    int pieceId(const std::string& piece) const override {
        const auto it = spec_.vocab.find(piece);
        return it == spec_.vocab.end() ? -1 : it->second;
    }

private:
    WordPieceSpec spec_;
    std::vector<std::string> decoder_;
};

// A tokenizer.json with a WordPiece model (BertNormalizer, BertPreTokenizer); anything else
// in it that changes the ids is refused by field.
std::unique_ptr<WordPieceTokenizer> loadWordPieceJson(const std::string& path);
std::unique_ptr<WordPieceTokenizer> loadWordPieceJson(const JsonFile& file);  // already read
// BERT's vocab.txt (one piece per line, its line number its id) with [UNK], [CLS], [SEP],
// [PAD]; cased or not as a tokenizer_config.json beside it says (do_lower_case,
// strip_accents), uncased without one, as BERT's own tokenizer.
std::unique_ptr<WordPieceTokenizer> loadWordPieceVocab(const std::string& vocabTxt);

}  // namespace expertscope
