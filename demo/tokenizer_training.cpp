#include "demo/tokenizer_training.h"
#include "core/base/error.h"

#include <sentencepiece_trainer.h>

#include <QSaveFile>

namespace expertscope {
namespace {

class Sentences final : public sentencepiece::SentenceIterator {
public:
    explicit Sentences(const std::vector<std::string>& s) : s_(s) {}
    bool done() const override { return i_ >= s_.size(); }
    void Next() override { ++i_; }
    const std::string& value() const override { return s_[i_]; }
    sentencepiece::util::Status status() const override { return {}; }

private:
    const std::vector<std::string>& s_;
    size_t i_ = 0;
};

}  // namespace

void trainSentencePiece(const std::vector<std::string>& sentences, const std::string& prefix, const TokenizerTraining& options) {
    if (sentences.empty()) throw Error("tokenizer training: no sentences");
    Sentences it(sentences);
    const std::unordered_map<std::string, std::string> args = {
        // Returned in memory, not written to a prefix (which the proto would record, making
        // the file depend on where it goes).
        {"model_prefix", ""},
        {"vocab_size", std::to_string(options.vocabSize)},
        {"model_type", options.modelType},
        {"character_coverage", "1.0"},
        {"byte_fallback", "true"},  // no <unk> in generated text
        {"num_threads", "1"},
        {"input_sentence_size", "0"},
        {"shuffle_input_sentence", "false"},
        {"unk_id", "0"},
        {"bos_id", "1"},
        {"eos_id", "2"},
        {"pad_id", "-1"},
        {"minloglevel", "2"},
    };
    std::string proto;
    const auto status = sentencepiece::SentencePieceTrainer::Train(args, &it, &proto);
    if (!status.ok()) throw Error("tokenizer training failed: " + status.ToString());
    QSaveFile f(QString::fromStdString(prefix + ".model"));
    if (!f.open(QIODevice::WriteOnly) || f.write(proto.data(), static_cast<qint64>(proto.size())) != static_cast<qint64>(proto.size()) ||
        !f.commit())
        throw Error(prefix + ".model: cannot write");
}

}  // namespace expertscope
