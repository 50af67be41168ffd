#include "core/tokenizers/wordpiece_tokenizer.h"

#include "core/base/error.h"
#include "core/base/json_file.h"
#include "core/tokenizers/bpe_files.h"

#include <QByteArrayView>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QString>

namespace expertscope {
namespace {

bool isChineseIdeograph(char32_t c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
           (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

bool isWhitespace(char32_t c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || QChar::category(c) == QChar::Separator_Space;
}

bool isControl(char32_t c) {
    if (c == '\t' || c == '\n' || c == '\r') return false;
    switch (QChar::category(c)) {
    case QChar::Other_Control:
    case QChar::Other_Format:
    case QChar::Other_Surrogate:
    case QChar::Other_PrivateUse:
    case QChar::Other_NotAssigned: return true;
    default: return false;
    }
}

bool isPunctuation(char32_t c) {
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return true;
    switch (QChar::category(c)) {
    case QChar::Punctuation_Connector:
    case QChar::Punctuation_Dash:
    case QChar::Punctuation_Open:
    case QChar::Punctuation_Close:
    case QChar::Punctuation_InitialQuote:
    case QChar::Punctuation_FinalQuote:
    case QChar::Punctuation_Other: return true;
    default: return false;
    }
}

std::string utf8(const std::u32string& s) { return QString::fromUcs4(s.data(), static_cast<qsizetype>(s.size())).toStdString(); }

}  // namespace

WordPieceTokenizer::WordPieceTokenizer(WordPieceSpec spec) : spec_(std::move(spec)) {
    if (spec_.unk < 0) throw Error(spec_.source + ": no [UNK] token");
    int maxId = -1;
    for (const auto& kv : spec_.vocab) maxId = std::max(maxId, kv.second);
    if (maxId > kMaxTokenId)
        throw Error(spec_.source + ": token id " + std::to_string(maxId) + " is past the " + std::to_string(kMaxTokenId) +
                    " this reader accepts");
    decoder_.assign(static_cast<size_t>(maxId + 1), std::string());
    for (const auto& kv : spec_.vocab) {
        if (kv.second < 0) throw Error(spec_.source + ": token '" + kv.first + "' has a negative id");
        decoder_[static_cast<size_t>(kv.second)] = kv.first;
    }
}

std::vector<int> WordPieceTokenizer::encode(const std::string& text) const {
    if (!QByteArrayView(text.data(), static_cast<qsizetype>(text.size())).isValidUtf8()) throw Error("text is not valid UTF-8");
    // BertNormalizer, in its order: clean, CJK spacing, accents, lower case.
    QList<uint> in = QString::fromStdString(text).toUcs4();
    std::u32string cleaned;
    for (const uint u : in) {
        const auto c = static_cast<char32_t>(u);
        if (spec_.cleanText) {
            if (c == 0 || c == 0xFFFD || isControl(c)) continue;
            if (isWhitespace(c)) {
                cleaned += U' ';
                continue;
            }
        }
        if (spec_.chineseChars && isChineseIdeograph(c)) cleaned += std::u32string{U' ', c, U' '};
        else cleaned += c;
    }
    QString s = QString::fromUcs4(cleaned.data(), static_cast<qsizetype>(cleaned.size()));
    if (spec_.stripAccents) {
        const QList<uint> decomposed = s.normalized(QString::NormalizationForm_D).toUcs4();
        std::u32string kept;
        for (const uint u : decomposed)
            if (QChar::category(static_cast<char32_t>(u)) != QChar::Mark_NonSpacing) kept += static_cast<char32_t>(u);
        s = QString::fromUcs4(kept.data(), static_cast<qsizetype>(kept.size()));
    }
    if (spec_.lowercase) s = s.toLower();
    // BertPreTokenizer: words on white space, punctuation characters alone.
    std::vector<std::u32string> words;
    std::u32string word;
    for (const uint u : s.toUcs4()) {
        const auto c = static_cast<char32_t>(u);
        if (isWhitespace(c) || isPunctuation(c)) {
            if (!word.empty()) words.push_back(word);
            word.clear();
            if (isPunctuation(c)) words.push_back(std::u32string(1, c));
        } else {
            word += c;
        }
    }
    if (!word.empty()) words.push_back(word);
    // WordPiece: the longest piece from the start, then "##" continuations.
    std::vector<int> ids;
    for (const auto& w : words) {
        if (static_cast<int>(w.size()) > spec_.maxCharsPerWord) {
            ids.push_back(spec_.unk);
            continue;
        }
        std::vector<int> pieces;
        bool covered = true;
        for (size_t start = 0; start < w.size();) {
            int found = -1;
            size_t end = w.size();
            for (; end > start; --end) {
                const std::string piece = (start > 0 ? "##" : "") + utf8(w.substr(start, end - start));
                const auto it = spec_.vocab.find(piece);
                if (it != spec_.vocab.end()) {
                    found = it->second;
                    break;
                }
            }
            if (found < 0) {
                covered = false;
                break;
            }
            pieces.push_back(found);
            start = end;
        }
        if (covered) ids.insert(ids.end(), pieces.begin(), pieces.end());
        else ids.push_back(spec_.unk);
    }
    return ids;
}

std::string WordPieceTokenizer::decode(const std::vector<int>& ids) const {
    std::string out;
    for (int id : ids) {
        if (id < 0 || id >= static_cast<int>(decoder_.size()) || decoder_[static_cast<size_t>(id)].empty()) continue;
        const std::string& piece = decoder_[static_cast<size_t>(id)];
        if (piece.rfind("##", 0) == 0) out += piece.substr(2);
        else out += (out.empty() ? "" : " ") + piece;
    }
    return out;
}

std::unique_ptr<WordPieceTokenizer> loadWordPieceJson(const std::string& path) { return loadWordPieceJson(JsonFile(path)); }

std::unique_ptr<WordPieceTokenizer> loadWordPieceJson(const JsonFile& file) {
    const std::string& path = file.path();
    const auto refuse = [&](const std::string& field, const std::string& what) {
        throw Error(path + ": " + field + ": " + what + " (this reader implements WordPiece with BertNormalizer and BertPreTokenizer)");
    };
    const QJsonObject model = file.object().value("model").toObject();
    if (tokenizerModelType(model) != QLatin1String("WordPiece"))
        refuse("model.type", "'" + tokenizerModelType(model).toStdString() + "' is not WordPiece");
    if (model.value("continuing_subword_prefix").toString("##") != QLatin1String("##"))
        refuse("model.continuing_subword_prefix", "only \"##\" is implemented");
    WordPieceSpec spec;
    spec.source = path;
    spec.vocab = readBpeVocab(model.value("vocab").toObject(), path + ": model.vocab");
    spec.maxCharsPerWord = model.value("max_input_chars_per_word").toInt(100);
    const auto idOf = [&](const QString& token) {
        const auto it = spec.vocab.find(token.toStdString());
        return it == spec.vocab.end() ? -1 : it->second;
    };
    spec.unk = idOf(model.value("unk_token").toString("[UNK]"));
    spec.cls = idOf("[CLS]");
    spec.sep = idOf("[SEP]");
    spec.pad = idOf("[PAD]");
    const QJsonObject n = file.object().value("normalizer").toObject();
    if (n.value("type").toString() != QLatin1String("BertNormalizer"))
        refuse("normalizer.type", "'" + n.value("type").toString().toStdString() + "' is not implemented");
    spec.cleanText = n.value("clean_text").toBool(true);
    spec.chineseChars = n.value("handle_chinese_chars").toBool(true);
    spec.lowercase = n.value("lowercase").toBool(true);
    spec.stripAccents = n.value("strip_accents").isBool() ? n.value("strip_accents").toBool() : spec.lowercase;
    const QString pre = file.object().value("pre_tokenizer").toObject().value("type").toString();
    if (pre != QLatin1String("BertPreTokenizer")) refuse("pre_tokenizer.type", "'" + pre.toStdString() + "' is not implemented");
    for (const char* key : {"truncation", "padding"})
        if (!file.object().value(key).isNull() && !file.object().value(key).isUndefined())
            refuse(key, "is not implemented (it changes what encode returns)");
    return std::make_unique<WordPieceTokenizer>(std::move(spec));
}

std::unique_ptr<WordPieceTokenizer> loadWordPieceVocab(const std::string& vocabTxt) {
    QFile file(QString::fromStdString(vocabTxt));
    if (!file.open(QIODevice::ReadOnly)) throw Error(vocabTxt + ": cannot be read");
    WordPieceSpec spec;
    spec.source = vocabTxt;
    QList<QByteArray> lines = file.readAll().split('\n');
    if (!lines.isEmpty() && lines.back().isEmpty()) lines.pop_back();  // the last line's end
    int id = 0;
    for (QByteArray& line : lines) {
        if (line.endsWith('\r')) line.chop(1);
        spec.vocab.emplace(line.toStdString(), id++);  // a repeated piece keeps its first id
    }
    const auto find = [&](const char* piece) {
        const auto it = spec.vocab.find(piece);
        return it == spec.vocab.end() ? -1 : it->second;
    };
    spec.unk = find("[UNK]");
    spec.cls = find("[CLS]");
    spec.sep = find("[SEP]");
    spec.pad = find("[PAD]");
    const QString config = QFileInfo(file).dir().filePath("tokenizer_config.json");
    if (QFileInfo::exists(config)) {
        const JsonFile c(config.toStdString());
        spec.lowercase = c.optionalBool("do_lower_case", true);
        spec.stripAccents = c.optionalBool("strip_accents", spec.lowercase);
    }
    return std::make_unique<WordPieceTokenizer>(std::move(spec));
}

}  // namespace expertscope
