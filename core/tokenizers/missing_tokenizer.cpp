// A model folder without a tokenizer still runs on token ids (tests, --prompt-ids); text
// needs a tokenizer, and asking for one says so instead of guessing.
#include "core/base/error.h"
#include "core/tokenizers/tokenizer.h"

namespace expertscope {
namespace {

class MissingTokenizer final : public Tokenizer {
public:
    MissingTokenizer(std::string modelPath, int vocab, int bos, int eos, std::string why)
        : modelPath_(std::move(modelPath)), why_(why.empty() ? "no tokenizer.model beside it" : std::move(why)), vocab_(vocab),
          bos_(bos), eos_(eos) {}
    std::vector<int> encode(const std::string&) const override {
        throw Error(modelPath_ + ": the model has no tokenizer (" + why_ + "); choose one to work with text, or give token ids");
    }
    std::string decode(const std::vector<int>& ids) const override {
        std::string out;
        for (int id : ids) out += "<" + std::to_string(id) + ">";
        return out;
    }
    int vocabSize() const override { return vocab_; }
    int bosId() const override { return bos_; }
    int eosId() const override { return eos_; }
    int padId() const override { return -1; }
    bool addsBos() const override { return false; }

private:
    std::string modelPath_, why_;
    int vocab_, bos_, eos_;
};

}  // namespace

std::unique_ptr<Tokenizer> missingTokenizer(const std::string& modelPath, int vocab, int bos, int eos, const std::string& why) {
    return std::make_unique<MissingTokenizer>(modelPath, vocab, bos, eos, why);
}

}  // namespace expertscope
