#pragma once
// What the runtime needs of a tokenizer. Implementations: SentencePieceTokenizer (Llama
// family); the GPT-2 byte-level BPE comes with the GPT-2 issue.
#include <memory>
#include <string>
#include <vector>

namespace expertscope {

class Tokenizer {
public:
    virtual ~Tokenizer() = default;
    // Ids for the text, without BOS.
    virtual std::vector<int> encode(const std::string& text) const = 0;
    // Text for the ids, exactly as the tokenizer's own decoder gives it.
    virtual std::string decode(const std::vector<int>& ids) const = 0;
    virtual int vocabSize() const = 0;
    virtual int bosId() const = 0;  // -1 when the tokenizer has none
    virtual int eosId() const = 0;
    virtual int padId() const = 0;  // -1 when none
};

// Throws expertscope::Error when the file cannot be read or is not a sentencepiece model.
std::unique_ptr<Tokenizer> loadSentencePieceTokenizer(const std::string& path);

// For a model without a tokenizer it can read: ids in and out (decode writes "<id>" per
// id), and encode throws an Error saying the model at `modelPath` needs a tokenizer for
// text, and why it has none (`why`: default "no tokenizer.model beside it").
std::unique_ptr<Tokenizer> missingTokenizer(const std::string& modelPath, int vocab, int bos, int eos, const std::string& why = {});

}  // namespace expertscope
