#include "core/base/error.h"
#include "core/tokenizers/tokenizer.h"

#include <sentencepiece_processor.h>

#include <exception>

namespace expertscope {
namespace {

class SentencePieceTokenizer final : public Tokenizer {
public:
    explicit SentencePieceTokenizer(const std::string& path) {
        const std::string problem = loaded([&] { return sp_.Load(path); });
        if (!problem.empty()) throw Error(path + ": not a readable sentencepiece model (" + problem + ")");
    }
    SentencePieceTokenizer(const std::string& serialized, const std::string& source, bool addsBos) : addsBos_(addsBos) {
        const std::string problem = loaded([&] { return sp_.LoadFromSerializedProto(serialized); });
        if (!problem.empty()) throw Error(source + ": the vocabulary does not make a sentencepiece model (" + problem + ")");
    }
    std::vector<int> encode(const std::string& text) const override {
        std::vector<int> ids;
        const auto status = sp_.Encode(text, &ids);
        if (!status.ok()) throw Error("sentencepiece could not encode text: " + status.ToString());
        return ids;
    }
    std::string decode(const std::vector<int>& ids) const override {
        std::vector<int> valid;
        valid.reserve(ids.size());
        for (int id : ids)
            if (id >= 0 && id < sp_.GetPieceSize()) valid.push_back(id);
        std::string text;
        const auto status = sp_.Decode(valid, &text);
        if (!status.ok()) throw Error("sentencepiece could not decode ids: " + status.ToString());
        return text;
    }
    int vocabSize() const override { return sp_.GetPieceSize(); }
    int bosId() const override { return sp_.bos_id(); }
    int eosId() const override { return sp_.eos_id(); }
    int padId() const override { return sp_.pad_id(); }
    bool addsBos() const override { return addsBos_; }

private:
    // What is wrong with the model `load` read; empty when nothing is. The library reports
    // most problems in its status, but some by exception (an empty piece makes its trie
    // builder throw), and those are this file's problems too.
    template <typename Load>
    static std::string loaded(Load&& load) {
        try {
            const auto status = load();
            return status.ok() ? std::string() : status.ToString();
        } catch (const std::exception& e) {
            return e.what();
        }
    }

    sentencepiece::SentencePieceProcessor sp_;
    bool addsBos_ = true;  // Llama's convention (add_bos_token)
};

}  // namespace

std::unique_ptr<Tokenizer> loadSentencePieceTokenizer(const std::string& path) {
    return std::make_unique<SentencePieceTokenizer>(path);
}

std::unique_ptr<Tokenizer> sentencePieceFromProto(const std::string& serialized, const std::string& source, bool addsBos) {
    return std::make_unique<SentencePieceTokenizer>(serialized, source, addsBos);
}

}  // namespace expertscope
