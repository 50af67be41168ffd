// Hugging Face's tokenizer.json, for byte-level BPE models: every field that changes the
// ids is read as the file declares it, and anything else is refused by name rather than
// approximated (a wrong pre-tokenizer silently changes which sentences units see).
#include "core/base/error.h"
#include "core/base/json_file.h"
#include "core/tokenizers/bpe_files.h"
#include "core/tokenizers/bpe_tokenizer.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace expertscope {
namespace {

class Reader {
public:
    explicit Reader(const JsonFile& file) : file_(file) {}

    [[noreturn]] void refuse(const std::string& field, const std::string& what) const {
        throw Error(file_.path() + ": " + field + ": " + what + " (this reader implements byte-level BPE: BPE model, ByteLevel, "
                                                                "Split with Isolated behaviour, Digits, NFC, TemplateProcessing with BOS)");
    }

    static std::string type(const QJsonValue& v) { return v.toObject().value("type").toString().toStdString(); }

    void model(ByteLevelBpeSpec& spec) const {
        const QJsonObject m = file_.object().value("model").toObject();
        const std::string t = tokenizerModelType(m).toStdString();
        if (t != "BPE") refuse("model.type", "'" + t + "' is not implemented");
        if (m.value("byte_fallback").toBool()) refuse("model.byte_fallback", "a sentencepiece-style BPE is not implemented");
        for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"})
            if (!m.value(key).toString().isEmpty()) refuse(std::string("model.") + key, "is not implemented");
        if (m.value("dropout").toDouble(0) != 0) refuse("model.dropout", "BPE dropout is not implemented");
        spec.ignoreMerges = m.value("ignore_merges").toBool(false);
        spec.vocab = readBpeVocab(m.value("vocab").toObject(), file_.path() + ": model.vocab");
        const QJsonArray list = m.value("merges").toArray();
        spec.merges.reserve(static_cast<size_t>(list.size()));
        for (int i = 0; i < list.size(); ++i) {
            const std::string where = file_.path() + ": model.merges[" + std::to_string(i) + "]";
            if (list[i].isString()) {
                spec.merges.push_back(splitBpeMerge(list[i].toString(), where));
            } else if (list[i].isArray() && list[i].toArray().size() == 2 && list[i].toArray()[0].isString() &&
                       list[i].toArray()[1].isString()) {
                spec.merges.emplace_back(list[i].toArray()[0].toString().toStdString(), list[i].toArray()[1].toString().toStdString());
            } else {
                throw Error(where + ": expected \"a b\" or [\"a\", \"b\"]");
            }
        }
    }

    void normalizer(const QJsonValue& n, ByteLevelBpeSpec& spec, const std::string& field = "normalizer") const {
        if (n.isNull() || n.isUndefined()) return;
        const std::string t = type(n);
        if (t == "NFC") {
            spec.nfc = true;
        } else if (t == "Sequence") {
            const auto list = n.toObject().value("normalizers").toArray();
            for (int i = 0; i < list.size(); ++i) normalizer(list[i], spec, field + ".normalizers[" + std::to_string(i) + "]");
        } else {
            refuse(field + ".type", "'" + t + "' is not implemented");
        }
    }

    // Returns whether a ByteLevel step (the byte-to-character mapping) was declared.
    bool preTokenizer(const QJsonValue& p, ByteLevelBpeSpec& spec, const std::string& field = "pre_tokenizer") const {
        if (p.isNull() || p.isUndefined()) return false;
        const QJsonObject o = p.toObject();
        const std::string t = type(p);
        if (t == "Sequence") {
            bool byteLevel = false;
            const auto list = o.value("pretokenizers").toArray();
            for (int i = 0; i < list.size(); ++i)
                byteLevel = preTokenizer(list[i], spec, field + ".pretokenizers[" + std::to_string(i) + "]") || byteLevel;
            return byteLevel;
        }
        if (t == "Split") {
            if (o.value("behavior").toString() != QLatin1String("Isolated"))
                refuse(field + ".behavior", "'" + o.value("behavior").toString().toStdString() + "' is not implemented");
            if (o.value("invert").toBool()) refuse(field + ".invert", "an inverted split is not implemented");
            const QJsonObject pattern = o.value("pattern").toObject();
            if (pattern.contains("Regex")) spec.patterns.push_back(pattern.value("Regex").toString().toStdString());
            else if (pattern.contains("String"))
                spec.patterns.push_back(QRegularExpression::escape(pattern.value("String").toString()).toStdString());
            else
                refuse(field + ".pattern", "neither Regex nor String");
            return false;
        }
        if (t == "ByteLevel") {
            if (o.value("add_prefix_space").toBool()) spec.addPrefixSpace = true;
            if (o.value("use_regex").toBool(true)) spec.patterns.push_back(kGpt2Pattern);
            return true;
        }
        if (t == "Digits") {
            spec.patterns.push_back(o.value("individual_digits").toBool() ? "\\p{N}" : "\\p{N}+");
            return false;
        }
        refuse(field + ".type", "'" + t + "' is not implemented");
    }

    void postProcessor(const QJsonValue& p, ByteLevelBpeSpec& spec, const std::string& field = "post_processor") const {
        if (p.isNull() || p.isUndefined()) return;
        const std::string t = type(p);
        if (t == "ByteLevel") return;  // offsets only
        if (t == "Sequence") {
            const auto list = p.toObject().value("processors").toArray();
            for (int i = 0; i < list.size(); ++i) postProcessor(list[i], spec, field + ".processors[" + std::to_string(i) + "]");
            return;
        }
        if (t != "TemplateProcessing") refuse(field + ".type", "'" + t + "' is not implemented");
        // A single text: [Sequence A], or [SpecialToken BOS, Sequence A].
        const auto single = p.toObject().value("single").toArray();
        const bool plain = single.size() == 1 && single[0].toObject().contains("Sequence");
        const bool withBos = single.size() == 2 && single[0].toObject().contains("SpecialToken") && single[1].toObject().contains("Sequence");
        if (!plain && !withBos) refuse(field + ".single", "only [A] or [special token, A] is implemented");
        if (!withBos) return;
        const QString name = single[0].toObject().value("SpecialToken").toObject().value("id").toString();
        const auto ids = p.toObject().value("special_tokens").toObject().value(name).toObject().value("ids").toArray();
        if (ids.size() != 1 || ids[0].toInt(-1) < 0) refuse(field + ".special_tokens", "'" + name.toStdString() + "' must have one id");
        spec.bos = ids[0].toInt();
        spec.addBos = true;
    }

    void addedTokens(ByteLevelBpeSpec& spec) const {
        const auto list = file_.object().value("added_tokens").toArray();
        for (int i = 0; i < list.size(); ++i) {
            const QJsonObject a = list[i].toObject();
            const std::string field = "added_tokens[" + std::to_string(i) + "]";
            for (const char* flag : {"single_word", "lstrip", "rstrip"})
                if (a.value(flag).toBool()) refuse(field + "." + flag, "is not implemented");
            const QString content = a.value("content").toString();
            if (content.isEmpty() || !a.value("id").isDouble() || a.value("id").toInt(-1) < 0 || a.value("id").toInt() > kMaxTokenId)
                refuse(field, "needs a content and a non-negative id up to " + std::to_string(kMaxTokenId));
            if (a.value("normalized").toBool() && spec.nfc && content.normalized(QString::NormalizationForm_C) != content)
                refuse(field + ".normalized", "matching a token that normalisation changes is not implemented");
            spec.added.push_back({content.toStdString(), a.value("id").toInt(), a.value("special").toBool()});
        }
    }

private:
    const JsonFile& file_;
};

int idOf(const ByteLevelBpeSpec& spec, std::initializer_list<const char*> names) {
    for (const char* name : names) {
        for (const auto& a : spec.added)
            if (a.content == name) return a.id;
        const auto it = spec.vocab.find(name);
        if (it != spec.vocab.end()) return it->second;
    }
    return -1;
}

}  // namespace

std::unique_ptr<ByteLevelBpe> loadTokenizerJson(const std::string& path) { return loadTokenizerJson(JsonFile(path)); }

std::unique_ptr<ByteLevelBpe> loadTokenizerJson(const JsonFile& file) {
    const std::string& path = file.path();
    const Reader reader(file);
    ByteLevelBpeSpec spec;
    spec.source = path;
    reader.model(spec);
    reader.normalizer(file.object().value("normalizer"), spec);
    if (!reader.preTokenizer(file.object().value("pre_tokenizer"), spec))
        reader.refuse("pre_tokenizer", "no ByteLevel step: not a byte-level BPE");
    const auto decoder = file.object().value("decoder");
    if (!decoder.isNull() && !decoder.isUndefined() && Reader::type(decoder) != "ByteLevel")
        reader.refuse("decoder.type", "'" + Reader::type(decoder) + "' is not implemented");
    for (const char* key : {"truncation", "padding"})
        if (!file.object().value(key).isNull() && !file.object().value(key).isUndefined())
            reader.refuse(key, "is not implemented (it changes what encode returns)");
    reader.addedTokens(spec);
    reader.postProcessor(file.object().value("post_processor"), spec);
    if (spec.bos < 0) spec.bos = idOf(spec, {"<|begin_of_text|>", "<s>", "<|endoftext|>"});
    spec.eos = idOf(spec, {"<|end_of_text|>", "<|endoftext|>", "</s>"});
    return std::make_unique<ByteLevelBpe>(std::move(spec));
}

}  // namespace expertscope
