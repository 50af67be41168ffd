#include "core/tokenizers/bpe_tokenizer.h"

#include "core/tokenizers/bpe_files.h"

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
#include <cmath>

namespace expertscope {

// With Unicode properties, \\s is Unicode white space as in Python's `regex`, which the
// original encoder used.
const char* const kGpt2Pattern = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

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

// Isolated splitting: every match is a piece and so is the text between matches.
std::vector<QString> splitIsolated(const QString& text, const QRegularExpression& re) {
    std::vector<QString> pieces;
    qsizetype at = 0;
    auto it = re.globalMatch(text);
    while (it.hasNext()) {
        const auto m = it.next();
        if (m.capturedLength() == 0) continue;
        if (m.capturedStart() > at) pieces.push_back(text.mid(at, m.capturedStart() - at));
        pieces.push_back(m.captured(0));
        at = m.capturedEnd();
    }
    if (at < text.size()) pieces.push_back(text.mid(at));
    return pieces;
}

}  // namespace

namespace {

ByteLevelBpeSpec gpt2Spec(std::unordered_map<std::string, int> vocab, const std::vector<std::pair<std::string, std::string>>& merges,
                          const std::map<std::string, int>& specials, std::string source) {
    ByteLevelBpeSpec spec;
    spec.vocab = std::move(vocab);
    spec.merges = merges;
    spec.patterns = {kGpt2Pattern};
    for (const auto& [content, id] : specials) spec.added.push_back({content, id, true});
    const auto eot = specials.find("<|endoftext|>");
    spec.bos = spec.eos = eot != specials.end() ? eot->second : -1;
    spec.source = std::move(source);
    return spec;
}

}  // namespace

ByteLevelBpe::ByteLevelBpe(std::unordered_map<std::string, int> vocab, const std::vector<std::pair<std::string, std::string>>& merges,
                           std::map<std::string, int> specials, std::string source)
    : ByteLevelBpe(gpt2Spec(std::move(vocab), merges, specials, std::move(source))) {}

ByteLevelBpe::ByteLevelBpe(ByteLevelBpeSpec spec) : spec_(std::move(spec)) {
    const std::string& source = spec_.source;
    int maxId = -1;
    for (const auto& kv : spec_.vocab) maxId = std::max(maxId, kv.second);
    for (const auto& a : spec_.added) maxId = std::max(maxId, a.id);
    if (maxId > kMaxTokenId)
        throw Error(source + ": token id " + std::to_string(maxId) + " is past the " + std::to_string(kMaxTokenId) + " this reader accepts");
    decoder_.assign(static_cast<size_t>(maxId + 1), std::string());
    isAdded_.assign(decoder_.size(), false);
    for (const auto& kv : spec_.vocab) {
        if (kv.second < 0) throw Error(source + ": token '" + kv.first + "' has a negative id");
        if (!decoder_[kv.second].empty())
            throw Error(source + ": tokens '" + decoder_[kv.second] + "' and '" + kv.first + "' share id " + std::to_string(kv.second));
        decoder_[kv.second] = kv.first;
    }
    for (const auto& a : spec_.added) {
        if (a.id < 0 || a.content.empty()) throw Error(source + ": an added token has a negative id or no content");
        decoder_[a.id] = a.content;  // decodes to its own text
        isAdded_[a.id] = true;
    }
    for (size_t r = 0; r < spec_.merges.size(); ++r) {
        const auto& [a, b] = spec_.merges[r];
        if (!spec_.vocab.count(a + b))
            throw Error(source + ": merge " + std::to_string(r + 1) + " ('" + a + "' '" + b + "') makes '" + a + b +
                        "', which is not in the vocabulary");
        ranks_.emplace(a + " " + b, static_cast<int>(r));  // the first listing of a pair wins
    }
    // A byte-level vocabulary has a token for every printable ASCII byte. (Not always for
    // every byte: StarCoder's lacks some that only rare characters use; text holding one is
    // refused when it comes.)
    for (int b = 33; b < 127; ++b)
        if (!spec_.vocab.count(byteTable().toText[b]))
            throw Error(source + ": the vocabulary lacks the token for byte " + std::to_string(b) + "; not a byte-level BPE?");
    for (const auto& p : spec_.patterns) {
        QRegularExpression re(QString::fromStdString(p), QRegularExpression::UseUnicodePropertiesOption);
        if (!re.isValid())
            throw Error(source + ": the pre-tokenizer pattern '" + p + "' is not a valid regular expression (" +
                        re.errorString().toStdString() + ")");
        re.optimize();
        patterns_.push_back(std::move(re));
    }
    // Longest first, so that a token that begins another never cuts it short.
    std::stable_sort(spec_.added.begin(), spec_.added.end(),
                     [](const auto& x, const auto& y) { return x.content.size() > y.content.size(); });
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
    if (spec_.ignoreMerges) {
        const auto whole = spec_.vocab.find(mapped);
        if (whole != spec_.vocab.end()) {
            out.push_back(whole->second);
            return;
        }
    }
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
    for (const auto& s : symbols) {  // merge results are in the vocabulary; bytes nearly always
        const auto it = spec_.vocab.find(s);
        if (it == spec_.vocab.end())
            throw Error(spec_.source + ": the text holds a byte the vocabulary has no token for (in '" + utf8 + "')");
        ids.push_back(it->second);
    }
    out.insert(out.end(), ids.begin(), ids.end());
    std::lock_guard<std::mutex> lock(cacheMutex_);
    if (cache_.size() > 200000) cache_.clear();
    cache_.emplace(utf8, std::move(ids));
}

void ByteLevelBpe::encodeText(const std::string& text, std::vector<int>& out) const {
    if (text.empty()) return;
    QString s = QString::fromStdString(text);
    if (spec_.nfc) s = s.normalized(QString::NormalizationForm_C);
    if (spec_.addPrefixSpace && !s.startsWith(QLatin1Char(' '))) s.prepend(QLatin1Char(' '));
    std::vector<QString> pieces{s};
    for (const auto& re : patterns_) {
        std::vector<QString> next;
        for (const auto& p : pieces) {
            auto split = splitIsolated(p, re);
            next.insert(next.end(), std::make_move_iterator(split.begin()), std::make_move_iterator(split.end()));
        }
        pieces.swap(next);
    }
    for (const auto& p : pieces) encodePiece(p.toStdString(), out);
}

std::vector<int> ByteLevelBpe::encode(const std::string& text, bool parseSpecial) const {
    if (!QByteArrayView(text.data(), static_cast<qsizetype>(text.size())).isValidUtf8())
        throw Error("text is not valid UTF-8");
    std::vector<int> ids;
    // Added tokens are cut out first (leftmost; the longest where several start there).
    size_t start = 0;
    for (;;) {
        size_t found = std::string::npos;
        const ByteLevelBpeSpec::Added* which = nullptr;
        for (const auto& a : spec_.added) {
            if (a.special && !parseSpecial) continue;
            const size_t at = text.find(a.content, start);
            if (at < found) {
                found = at;
                which = &a;
            }
        }
        encodeText(text.substr(start, found == std::string::npos ? std::string::npos : found - start), ids);
        if (!which) break;
        ids.push_back(which->id);
        start = found + which->content.size();
    }
    return ids;
}

std::string ByteLevelBpe::decode(const std::vector<int>& ids) const {
    std::string out;
    for (int id : ids) {
        if (id < 0 || id >= static_cast<int>(decoder_.size()) || decoder_[id].empty()) continue;
        const std::string& token = decoder_[id];
        if (isAdded_[id]) {
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

std::unordered_map<std::string, int> readBpeVocab(const QJsonObject& object, const std::string& where) {
    std::unordered_map<std::string, int> vocab;
    for (auto it = object.begin(); it != object.end(); ++it) {
        // Compared as a double before any cast: converting one beyond int's range is undefined.
        const double id = it.value().toDouble(-1);
        if (!it.value().isDouble() || !(id >= 0 && id <= kMaxTokenId) || id != std::floor(id))
            throw Error(where + ": token '" + it.key().toStdString() + "' has an id that is not a non-negative integer up to " +
                        std::to_string(kMaxTokenId));
        vocab.emplace(it.key().toStdString(), static_cast<int>(id));
    }
    if (vocab.empty()) throw Error(where + ": empty vocabulary");
    return vocab;
}

QString tokenizerModelType(const QJsonObject& model) {
    if (model.contains("type")) return model.value("type").toString();
    if (model.contains("merges")) return QStringLiteral("BPE");
    if (model.contains("max_input_chars_per_word")) return QStringLiteral("WordPiece");
    return {};
}

std::pair<std::string, std::string> splitBpeMerge(const QString& line, const std::string& where) {
    const auto parts = line.split(QLatin1Char(' '));
    if (parts.size() != 2 || parts[0].isEmpty() || parts[1].isEmpty())
        throw Error(where + ": expected two symbols separated by one space, got '" + line.toStdString() + "'");
    return {parts[0].toStdString(), parts[1].toStdString()};
}

namespace {

std::map<std::string, int> endOfTextFrom(std::unordered_map<std::string, int>& vocab) {
    std::map<std::string, int> specials;
    auto it = vocab.find("<|endoftext|>");
    if (it != vocab.end()) {
        specials.emplace(it->first, it->second);
        vocab.erase(it);
    }
    return specials;
}

}  // namespace

std::unique_ptr<ByteLevelBpe> loadByteLevelBpe(const std::string& vocabPath, const std::string& mergesPath) {
    auto vocab = readBpeVocab(JsonFile(vocabPath).object(), vocabPath);
    QFile f(QString::fromStdString(mergesPath));
    if (!f.open(QIODevice::ReadOnly)) throw Error(mergesPath + ": cannot read (" + f.errorString().toStdString() + ")");
    std::vector<std::pair<std::string, std::string>> merges;
    int lineNo = 0;
    while (!f.atEnd()) {
        ++lineNo;
        QString line = QString::fromUtf8(f.readLine());
        while (line.endsWith(QLatin1Char('\n')) || line.endsWith(QLatin1Char('\r'))) line.chop(1);
        if (line.isEmpty() || (lineNo == 1 && line.startsWith(QLatin1String("#version")))) continue;
        merges.push_back(splitBpeMerge(line, mergesPath + " line " + std::to_string(lineNo)));
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

int ByteLevelBpe::pieceId(const std::string& piece) const {
    for (const auto& a : spec_.added)
        if (a.content == piece) return a.id;
    const auto it = spec_.vocab.find(piece);  // "<mask>" is a plain vocabulary entry in RoBERTa's vocab.json
    return it == spec_.vocab.end() ? -1 : it->second;
}

}  // namespace expertscope
