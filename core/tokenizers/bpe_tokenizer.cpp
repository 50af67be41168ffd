#include "core/tokenizers/bpe_tokenizer.h"

#include "core/base/error.h"
#include "core/base/json_file.h"

#include <QByteArrayView>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>

#include <algorithm>
#include <climits>

namespace expertscope {
namespace {

// GPT-2's byte <-> character table: printable bytes stand for themselves, the others are
// shifted to code points from 256 up so that no token contains a space or control byte.
struct ByteTable {
    std::string toText[256];            // UTF-8 of the character standing for each byte
    std::unordered_map<char32_t, int> fromCode;
    ByteTable() {
        int shift = 0;
        for (int b = 0; b < 256; ++b) {
            const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
            const char32_t code = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + shift++);
            toText[b] = QString::fromUcs4(&code, 1).toStdString();
            fromCode[code] = b;
        }
    }
};
const ByteTable& byteTable() {
    static const ByteTable table;
    return table;
}

// The reference pattern; with Unicode properties, \s is Unicode white space as in Python's
// `regex`, which the original encoder used.
const QRegularExpression& pretokenizer() {
    static const QRegularExpression re(
        QStringLiteral(R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)"),
        QRegularExpression::UseUnicodePropertiesOption);
    return re;
}

// Splits UTF-8 text into its characters (the BPE symbols of a byte-mapped piece).
std::vector<std::string> characters(const std::string& s) {
    std::vector<std::string> out;
    for (size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        const size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        out.push_back(s.substr(i, n));
        i += n;
    }
    return out;
}

}  // namespace

ByteLevelBpe::ByteLevelBpe(std::unordered_map<std::string, int> vocab,
                           const std::vector<std::pair<std::string, std::string>>& merges,
                           std::map<std::string, int> specials, std::string source)
    : vocab_(std::move(vocab)), specials_(std::move(specials)), source_(std::move(source)) {
    int maxId = -1;
    for (const auto& kv : vocab_) maxId = std::max(maxId, kv.second);
    for (const auto& kv : specials_) maxId = std::max(maxId, kv.second);
    decoder_.assign(static_cast<size_t>(maxId + 1), std::string());
    for (const auto& kv : vocab_) {
        if (!decoder_[kv.second].empty())
            throw Error(source_ + ": tokens '" + decoder_[kv.second] + "' and '" + kv.first + "' share id " + std::to_string(kv.second));
        decoder_[kv.second] = kv.first;
    }
    for (const auto& kv : specials_) decoder_[kv.second] = kv.first;
    for (size_t r = 0; r < merges.size(); ++r) {
        const auto& [a, b] = merges[r];
        if (!vocab_.count(a + b))
            throw Error(source_ + ": merge " + std::to_string(r + 1) + " ('" + a + "' '" + b + "') makes '" + a + b +
                        "', which is not in the vocabulary");
        ranks_.emplace(a + " " + b, static_cast<int>(r));  // the first listing of a pair wins
    }
    for (int b = 0; b < 256; ++b)
        if (!vocab_.count(byteTable().toText[b]))
            throw Error(source_ + ": the vocabulary lacks the token for byte " + std::to_string(b) + "; not a byte-level BPE?");
    auto eot = specials_.find("<|endoftext|>");
    endOfText_ = eot != specials_.end() ? eot->second : -1;
}

void ByteLevelBpe::encodePiece(const std::string& utf8, std::vector<int>& out) const {
    {
        std::lock_guard<std::mutex> lock(cacheMutex_);
        auto it = cache_.find(utf8);
        if (it != cache_.end()) {
            out.insert(out.end(), it->second.begin(), it->second.end());
            return;
        }
    }
    std::string mapped;
    for (unsigned char c : utf8) mapped += byteTable().toText[c];
    std::vector<std::string> symbols = characters(mapped);
    // Merge the best-ranked adjacent pair, everywhere it occurs, until none is known.
    while (symbols.size() > 1) {
        int best = INT_MAX;
        for (size_t i = 0; i + 1 < symbols.size(); ++i) {
            auto it = ranks_.find(symbols[i] + " " + symbols[i + 1]);
            if (it != ranks_.end()) best = std::min(best, it->second);
        }
        if (best == INT_MAX) break;
        std::vector<std::string> next;
        for (size_t i = 0; i < symbols.size(); ++i) {
            if (i + 1 < symbols.size()) {
                auto it = ranks_.find(symbols[i] + " " + symbols[i + 1]);
                if (it != ranks_.end() && it->second == best) {
                    next.push_back(symbols[i] + symbols[i + 1]);
                    ++i;
                    continue;
                }
            }
            next.push_back(symbols[i]);
        }
        symbols.swap(next);
    }
    std::vector<int> ids;
    for (const auto& s : symbols) ids.push_back(vocab_.at(s));  // every byte and merge result is in the vocabulary
    out.insert(out.end(), ids.begin(), ids.end());
    std::lock_guard<std::mutex> lock(cacheMutex_);
    if (cache_.size() > 200000) cache_.clear();
    cache_.emplace(utf8, std::move(ids));
}

std::vector<int> ByteLevelBpe::encode(const std::string& text, bool parseSpecial) const {
    if (!QByteArrayView(text.data(), static_cast<qsizetype>(text.size())).isValidUtf8())
        throw Error("text is not valid UTF-8");
    std::vector<int> ids;
    auto encodeText = [&](const std::string& part) {
        const QString s = QString::fromStdString(part);
        auto it = pretokenizer().globalMatch(s);
        while (it.hasNext()) encodePiece(it.next().captured(0).toStdString(), ids);
    };
    if (!parseSpecial || specials_.empty()) {
        encodeText(text);
        return ids;
    }
    size_t start = 0;
    while (start <= text.size()) {
        size_t found = std::string::npos;
        const std::pair<const std::string, int>* which = nullptr;
        for (const auto& sp : specials_) {
            const size_t at = text.find(sp.first, start);
            if (at != std::string::npos && (at < found || (at == found && sp.first.size() > which->first.size()))) {
                found = at;
                which = &sp;
            }
        }
        encodeText(text.substr(start, found == std::string::npos ? std::string::npos : found - start));
        if (!which) break;
        ids.push_back(which->second);
        start = found + which->first.size();
    }
    return ids;
}

std::string ByteLevelBpe::decode(const std::vector<int>& ids) const {
    std::string out;
    for (int id : ids) {
        if (id < 0 || id >= static_cast<int>(decoder_.size()) || decoder_[id].empty()) continue;
        const std::string& token = decoder_[id];
        if (specials_.count(token)) {
            out += token;
            continue;
        }
        for (const char32_t code : QString::fromStdString(token).toUcs4()) {
            auto it = byteTable().fromCode.find(code);
            if (it != byteTable().fromCode.end()) out += static_cast<char>(it->second);
        }
    }
    return out;
}

namespace {

std::unordered_map<std::string, int> readVocab(const QJsonObject& object, const std::string& where) {
    std::unordered_map<std::string, int> vocab;
    for (auto it = object.begin(); it != object.end(); ++it) {
        const double id = it.value().toDouble(-1);
        if (!it.value().isDouble() || id < 0 || id != static_cast<int>(id))
            throw Error(where + ": token '" + it.key().toStdString() + "' has an id that is not a non-negative integer");
        vocab.emplace(it.key().toStdString(), static_cast<int>(id));
    }
    if (vocab.empty()) throw Error(where + ": empty vocabulary");
    return vocab;
}

std::pair<std::string, std::string> splitMerge(const QString& line, const std::string& where) {
    const auto parts = line.split(QLatin1Char(' '));
    if (parts.size() != 2 || parts[0].isEmpty() || parts[1].isEmpty())
        throw Error(where + ": expected two symbols separated by one space, got '" + line.toStdString() + "'");
    return {parts[0].toStdString(), parts[1].toStdString()};
}

std::map<std::string, int> endOfTextFrom(std::unordered_map<std::string, int>& vocab) {
    std::map<std::string, int> specials;
    auto it = vocab.find("<|endoftext|>");
    if (it != vocab.end()) {
        specials.emplace(it->first, it->second);
        vocab.erase(it);
    }
    return specials;
}

std::unique_ptr<ByteLevelBpe> loadTokenizerJson(const std::string& path) {
    const JsonFile file(path);
    const QJsonObject model = file.object().value("model").toObject();
    if (model.value("type").toString() != QLatin1String("BPE"))
        throw Error(path + ": 'model.type' is not \"BPE\"");
    auto vocab = readVocab(model.value("vocab").toObject(), path + ": model.vocab");
    std::vector<std::pair<std::string, std::string>> merges;
    const QJsonArray list = model.value("merges").toArray();
    for (int i = 0; i < list.size(); ++i) {
        const std::string where = path + ": model.merges[" + std::to_string(i) + "]";
        if (list[i].isString()) {
            merges.push_back(splitMerge(list[i].toString(), where));
        } else if (list[i].isArray() && list[i].toArray().size() == 2) {
            merges.emplace_back(list[i].toArray()[0].toString().toStdString(), list[i].toArray()[1].toString().toStdString());
        } else {
            throw Error(where + ": expected \"a b\" or [\"a\", \"b\"]");
        }
    }
    auto specials = endOfTextFrom(vocab);
    for (const auto& added : file.object().value("added_tokens").toArray()) {
        const auto o = added.toObject();
        if (!o.value("special").toBool()) continue;
        vocab.erase(o.value("content").toString().toStdString());
        specials[o.value("content").toString().toStdString()] = o.value("id").toInt();
    }
    return std::make_unique<ByteLevelBpe>(std::move(vocab), merges, std::move(specials), path);
}

}  // namespace

std::unique_ptr<ByteLevelBpe> loadByteLevelBpe(const std::string& vocabPath, const std::string& mergesPath) {
    auto vocab = readVocab(JsonFile(vocabPath).object(), vocabPath);
    QFile f(QString::fromStdString(mergesPath));
    if (!f.open(QIODevice::ReadOnly)) throw Error(mergesPath + ": cannot read (" + f.errorString().toStdString() + ")");
    std::vector<std::pair<std::string, std::string>> merges;
    int lineNo = 0;
    while (!f.atEnd()) {
        ++lineNo;
        QString line = QString::fromUtf8(f.readLine());
        while (line.endsWith(QLatin1Char('\n')) || line.endsWith(QLatin1Char('\r'))) line.chop(1);
        if (line.isEmpty() || (lineNo == 1 && line.startsWith(QLatin1String("#version")))) continue;
        merges.push_back(splitMerge(line, mergesPath + " line " + std::to_string(lineNo)));
    }
    auto specials = endOfTextFrom(vocab);
    return std::make_unique<ByteLevelBpe>(std::move(vocab), merges, std::move(specials), vocabPath);
}

std::unique_ptr<ByteLevelBpe> loadByteLevelBpe(const std::string& path) {
    const QFileInfo fi(QString::fromStdString(path));
    if (fi.isDir()) {
        const QDir dir(fi.absoluteFilePath());
        if (dir.exists("vocab.json") && dir.exists("merges.txt"))
            return loadByteLevelBpe(dir.filePath("vocab.json").toStdString(), dir.filePath("merges.txt").toStdString());
        if (dir.exists("tokenizer.json")) return loadTokenizerJson(dir.filePath("tokenizer.json").toStdString());
        throw Error(path + ": no vocab.json + merges.txt or tokenizer.json");
    }
    if (!fi.exists()) throw Error(path + ": no such file");
    if (fi.fileName() == "tokenizer.json") return loadTokenizerJson(path);
    const QDir dir = fi.absoluteDir();
    for (const char* merges : {"merges.txt", "vocab.bpe"})
        if (dir.exists(merges)) return loadByteLevelBpe(path, dir.filePath(merges).toStdString());
    throw Error(path + ": no merges.txt or vocab.bpe beside it");
}

}  // namespace expertscope
