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
    // Whether the model's text starts with BOS (sentencepiece Llama models; tokenizer.json
    // files whose post-processor puts one first).
    virtual bool addsBos() const = 0;
    // The id of a piece written as the vocabulary writes it ("[MASK]", "<mask>"); -1 when
    // the vocabulary has no such piece (or this tokenizer cannot look one up).
    virtual int pieceId(const std::string& piece) const {
        (void)piece;
        return -1;
    }
};

// Throws expertscope::Error when the file cannot be read or is not a sentencepiece model.
std::unique_ptr<Tokenizer> loadSentencePieceTokenizer(const std::string& path);

// From a serialized sentencepiece ModelProto (as gguf_tokenizer.cpp builds one).
std::unique_ptr<Tokenizer> sentencePieceFromProto(const std::string& serialized, const std::string& source, bool addsBos);
// The tokenizer in a GGUF file's tokenizer.ggml.* metadata (gguf_tokenizer.cpp): "llama"
// vocabularies as sentencepiece BPE, "gpt2" ones as byte-level BPE with the pre-tokenizer
// tokenizer.ggml.pre names, "bert" ones as WordPiece. Throws Error naming what is missing
// or not implemented.
std::unique_ptr<Tokenizer> loadGgufTokenizer(const std::string& path);

// By what the path holds (.gguf, see above): a tokenizer.json, a folder with one or with vocab.json +
// merges.txt, a GPT-2 vocab/encoder .json (byte-level BPE), else a sentencepiece model.
// Throws Error.
std::unique_ptr<Tokenizer> loadTokenizer(const std::string& path);
// Whether a model folder holds a tokenizer file some loader reads (tokenizer.model, tok*.model,
// vocab.json + merges.txt, tokenizer.json).
bool folderHasTokenizer(const std::string& dir);

// For a model without a tokenizer it can read: ids in and out (decode writes "<id>" per
// id), and encode throws an Error saying the model at `modelPath` needs a tokenizer for
// text, and why it has none (`why`: default "no tokenizer.model beside it").
std::unique_ptr<Tokenizer> missingTokenizer(const std::string& modelPath, int vocab, int bos, int eos, const std::string& why = {});

}  // namespace expertscope
