#include "core/project/concepts.h"

#include "core/base/error.h"
#include "core/base/file_kind.h"
#include "core/base/json_file.h"

#include <QByteArrayView>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>

#include <algorithm>
#include <map>
#include <random>
#include <set>

namespace expertscope {
namespace {

QByteArray readFile(const std::string& path) {
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly)) throw Error(path + ": cannot read (" + f.errorString().toStdString() + ")");
    return f.readAll();
}

// Splits into lines, checking each is UTF-8, so an error names the line.
std::vector<std::string> utf8Lines(const std::string& path, const QByteArray& data) {
    std::vector<std::string> lines;
    int number = 0;
    for (QByteArray line : data.split('\n')) {
        ++number;
        if (line.endsWith('\r')) line.chop(1);
        if (!QByteArrayView(line).isValidUtf8())
            throw Error(path + " line " + std::to_string(number) + ": not valid UTF-8 (save the file as UTF-8)");
        lines.push_back(line.toStdString());
    }
    if (!lines.empty() && lines.front().rfind("\xEF\xBB\xBF", 0) == 0) lines.front().erase(0, 3);  // byte-order mark
    return lines;
}

std::vector<std::string> stringArray(const QJsonValue& v, const std::string& where, const char* items = "sentences") {
    if (!v.isArray()) throw Error(where + " is missing or not a list of " + items);
    std::vector<std::string> out;
    for (const auto& s : v.toArray()) {
        if (!s.isString()) throw Error(where + " contains something other than " + items);
        out.push_back(s.toString().toStdString());
    }
    return out;
}

std::vector<std::string> sample(std::vector<std::string> items, size_t count, std::mt19937_64& rng) {
    if (items.size() <= count) return items;
    // Partial Fisher-Yates with our own index draws: the same seed gives the same sample everywhere.
    for (size_t i = 0; i < count; ++i) {
        const size_t j = i + static_cast<size_t>(rng() % (items.size() - i));
        std::swap(items[i], items[j]);
    }
    items.resize(count);
    return items;
}

}  // namespace

ConceptSet importSelfcondFolder(const std::string& dir) {
    const QDir root(QString::fromStdString(dir));
    const std::string listPath = root.filePath("concept_list.csv").toStdString();
    const auto lines = utf8Lines(listPath, readFile(listPath));
    ConceptSet set;
    set.name = QFileInfo(QString::fromStdString(dir)).fileName().toStdString();
    set.origin = dir;
    int number = 0;
    for (const auto& line : lines) {
        ++number;
        if (line.empty() || (number == 1 && line == "group,concept")) continue;
        const auto comma = line.find(',');
        if (comma == std::string::npos || line.find(',', comma + 1) != std::string::npos)
            throw Error(listPath + " line " + std::to_string(number) + ": expected 'group,concept', got '" + line + "'");
        const std::string group = line.substr(0, comma), name = line.substr(comma + 1);
        // <group>/<concept>.json lies inside the folder: a name that is a path could reach
        // any .json file on the machine.
        for (const auto& part : {group, name})
            if (part.empty() || part == "." || part == ".." || part.find_first_of("/\\") != std::string::npos)
                throw Error(listPath + " line " + std::to_string(number) + ": group and concept must be names (of <group>/<concept>.json "
                            "in the folder), got '" + line + "'");
        const std::string file = root.filePath(QString::fromStdString(group + "/" + name + ".json")).toStdString();
        const JsonFile json(file);
        Concept c;
        c.name = json.optionalString("concept", name);
        c.group = json.optionalString("group", group);
        c.source = json.optionalString("source", "");
        const QJsonObject sentences = json.object().value("sentences").toObject();
        c.positives = stringArray(sentences.value("positive"), file + ": sentences.positive");
        c.negatives = stringArray(sentences.value("negative"), file + ": sentences.negative");
        if (json.object().contains("words")) c.words = stringArray(json.object().value("words"), file + ": words", "words");
        set.concepts.push_back(std::move(c));
    }
    if (set.concepts.empty()) throw Error(listPath + ": lists no concepts");
    return set;
}

ConceptSet importTable(const std::string& path) {
    const auto lines = utf8Lines(path, readFile(path));
    const bool tsv = QString::fromStdString(path).endsWith(".tsv", Qt::CaseInsensitive) ||
                     (!lines.empty() && lines.front().find('\t') != std::string::npos);
    const char sep = tsv ? '\t' : ',';
    Concept c;
    c.name = QFileInfo(QString::fromStdString(path)).completeBaseName().toStdString();
    c.group = "table";
    c.source = path;
    static const std::map<std::string, bool> labels{{"1", true},         {"0", false},        {"positive", true},
                                                    {"negative", false}, {"pos", true},       {"neg", false},
                                                    {"true", true},      {"false", false}};
    int number = 0;
    for (const auto& line : lines) {
        ++number;
        if (line.empty()) continue;
        const auto cut = line.find(sep);
        std::string label = cut == std::string::npos ? line : line.substr(0, cut);
        std::transform(label.begin(), label.end(), label.begin(), [](unsigned char ch) { return std::tolower(ch); });
        if (number == 1 && (label == "label" || label == "class")) continue;  // header
        auto it = labels.find(label);
        if (cut == std::string::npos || it == labels.end())
            throw Error(path + " line " + std::to_string(number) + ": expected 'label" + (tsv ? "<tab>" : ",") +
                        "sentence' with label 1/0 or positive/negative, got '" + line.substr(0, 80) + "'");
        std::string sentence = line.substr(cut + 1);
        if (!tsv && sentence.size() >= 2 && sentence.front() == '"' && sentence.back() == '"') {  // quoted CSV field
            sentence = sentence.substr(1, sentence.size() - 2);
            for (size_t p = 0; (p = sentence.find("\"\"", p)) != std::string::npos; ++p) sentence.erase(p, 1);
        }
        (it->second ? c.positives : c.negatives).push_back(sentence);
    }
    ConceptSet set{c.name, path, {c}};
    return set;
}

std::vector<std::string> readLines(const std::string& path) {
    std::vector<std::string> out;
    for (auto& line : utf8Lines(path, readFile(path)))
        if (!line.empty()) out.push_back(std::move(line));
    return out;
}

ConceptSet importTextFiles(const std::string& positivesPath, const std::string& negativesPath, const std::string& name) {
    Concept c;
    c.name = name;
    c.group = "text";
    c.source = positivesPath + " | " + negativesPath;
    c.positives = readLines(positivesPath);
    c.negatives = readLines(negativesPath);
    return ConceptSet{name, c.source, {c}};
}

Concept buildConceptFromCorpus(const std::vector<std::string>& corpus, const CorpusQuery& query, const std::string& name) {
    if (query.pattern.empty()) throw Error("corpus concept '" + name + "': empty word or pattern");
    QString pattern = query.regex ? QString::fromStdString(query.pattern)
                                  : QRegularExpression::escape(QString::fromStdString(query.pattern));
    if (query.wholeWord) pattern = "(?<![\\p{L}\\p{N}_])(?:" + pattern + ")(?![\\p{L}\\p{N}_])";
    QRegularExpression re(pattern, QRegularExpression::UseUnicodePropertiesOption |
                                       (query.caseSensitive ? QRegularExpression::NoPatternOption
                                                            : QRegularExpression::CaseInsensitiveOption));
    if (!re.isValid())
        throw Error("corpus concept '" + name + "': invalid pattern (" + re.errorString().toStdString() + ")");
    std::vector<std::string> hits, rest;
    for (const auto& s : corpus) (re.match(QString::fromStdString(s)).hasMatch() ? hits : rest).push_back(s);
    std::mt19937_64 rng(query.seed);
    Concept c;
    c.name = name;
    c.group = "corpus";
    c.source = (query.regex ? "pattern " : "word ") + query.pattern;
    c.positives = sample(std::move(hits), static_cast<size_t>(std::max(0, query.maxPositives)), rng);
    c.negatives = sample(std::move(rest), static_cast<size_t>(std::max(0, query.maxNegatives)), rng);
    return c;
}

std::vector<ValidationMessage> validateConcept(Concept& c, const ValidationOptions& options) {
    std::vector<ValidationMessage> messages;
    auto note = [&](bool fatal, const std::string& m) { messages.push_back({fatal, c.name, m}); };
    auto trimmedEmpty = [](const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; };

    // A sentence in both classes says nothing about the concept: drop it from both.
    const std::set<std::string> pos(c.positives.begin(), c.positives.end());
    std::set<std::string> both;
    for (const auto& s : c.negatives)
        if (pos.count(s)) both.insert(s);
    if (!both.empty()) note(false, std::to_string(both.size()) + " sentence(s) are both positive and negative; dropped from both");

    for (auto* list : {&c.positives, &c.negatives}) {
        const char* cls = list == &c.positives ? "positive" : "negative";
        std::set<std::string> seen;
        std::vector<std::string> kept;
        int empty = 0, duplicates = 0, dropped = 0, truncated = 0;
        for (auto& s : *list) {
            if (trimmedEmpty(s)) {
                ++empty;
                continue;
            }
            if (both.count(s)) continue;
            if (!seen.insert(s).second) {
                ++duplicates;
                continue;
            }
            if (options.maxTokens > 0 && options.tokenCount && options.tokenCount(s) > options.maxTokens) {
                if (options.longSentences == LongSentencePolicy::Drop || !options.truncate) {
                    ++dropped;
                    continue;
                }
                s = options.truncate(s, options.maxTokens);
                ++truncated;
            }
            kept.push_back(s);
        }
        list->swap(kept);
        if (empty) note(false, std::to_string(empty) + " empty " + cls + " sentence(s) dropped");
        if (duplicates) note(false, std::to_string(duplicates) + " duplicate " + cls + " sentence(s) dropped");
        if (dropped)
            note(false, std::to_string(dropped) + " " + cls + " sentence(s) longer than " + std::to_string(options.maxTokens) +
                            " tokens dropped");
        if (truncated)
            note(false, std::to_string(truncated) + " " + cls + " sentence(s) cut to " + std::to_string(options.maxTokens) + " tokens");
        if (list->empty()) note(true, std::string("no ") + cls + " sentences: the concept cannot be analysed");
    }
    return messages;
}

ConceptSet importConcepts(const std::string& path) {
    const QFileInfo fi(QString::fromStdString(path));
    if (!fi.exists()) throw Error(path + ": no such file or folder");
    ConceptSet set;
    switch (conceptFormat(path)) {
    case ConceptFormat::SelfcondFolder:
        set = importSelfcondFolder(path);
        break;
    case ConceptFormat::Table:
        set = importTable(path);
        break;
    case ConceptFormat::TextFiles: {
        QString negatives = fi.absoluteFilePath();
        negatives.replace(negatives.size() - 4, 4, "-negatives.txt");
        if (!QFileInfo::exists(negatives))
            throw Error(path + ": a text file of positives needs its negatives beside it, in " + negatives.toStdString());
        set = importTextFiles(path, negatives.toStdString(), fi.completeBaseName().toStdString());
        break;
    }
    case ConceptFormat::None:
        if (fi.isDir()) set = importSelfcondFolder(path);  // says what the folder lacks
        else throw Error(path + ": expected an ml-selfcond folder (with concept_list.csv), a .csv/.tsv table or a .txt file");
        break;
    }
    set.origin = fi.absoluteFilePath().toStdString();
    return set;
}

}  // namespace expertscope
