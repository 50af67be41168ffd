#include "demo/wordnet.h"

#include "core/base/error.h"

#include <QFile>
#include <QString>

#include <algorithm>
#include <random>
#include <set>
#include <sstream>
#include <unordered_map>

namespace expertscope {
namespace {

std::string words(std::string w) {
    std::replace(w.begin(), w.end(), '_', ' ');
    // Adjectives may carry a syntactic marker: "galore(ip)".
    const auto paren = w.find('(');
    if (paren != std::string::npos && !w.empty() && w.back() == ')') w.erase(paren);
    return w;
}

std::vector<std::string> databaseLines(const std::string& path) {
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly))
        throw Error(path + ": cannot read WordNet (install Debian's wordnet-base package)");
    std::vector<std::string> lines;
    while (!f.atEnd()) {
        QByteArray line = f.readLine();
        if (line.startsWith("  ")) continue;  // the licence header
        while (!line.isEmpty() && (line.endsWith('\n') || line.endsWith('\r'))) line.chop(1);
        lines.push_back(line.toStdString());
    }
    return lines;
}

// "definition; \"example\"; \"example\"" into its parts.
void splitGloss(const std::string& gloss, Synset& s) {
    size_t quote = gloss.find('"');
    std::string definition = gloss.substr(0, quote);
    while (!definition.empty() && (definition.back() == ' ' || definition.back() == ';')) definition.pop_back();
    s.definition = definition;
    while (quote != std::string::npos) {
        const size_t end = gloss.find('"', quote + 1);
        if (end == std::string::npos) break;
        const std::string example = gloss.substr(quote + 1, end - quote - 1);
        if (!example.empty()) s.examples.push_back(example);
        quote = gloss.find('"', end + 1);
    }
}

}  // namespace

WordNet::WordNet(const std::string& dir) {
    std::unordered_map<std::string, int64_t> nounAt;  // "offset" -> index
    std::vector<std::vector<std::string>> nounHyponymOffsets;
    for (const char* file : {"data.noun", "data.verb", "data.adj", "data.adv"}) {
        for (const auto& line : databaseLines(dir + "/" + file)) {
            const size_t bar = line.find(" | ");
            std::istringstream in(line.substr(0, bar));
            std::string offset, lexFile, pos, count;
            in >> offset >> lexFile >> pos >> count;
            if (!in) throw Error(dir + "/" + file + ": malformed line '" + line.substr(0, 40) + "'");
            Synset s;
            s.pos = pos[0];
            const int n = std::stoi(count, nullptr, 16);
            for (int i = 0; i < n; ++i) {
                std::string w, lexId;
                in >> w >> lexId;
                s.words.push_back(words(w));
            }
            int pointers = 0;
            in >> pointers;
            std::vector<std::string> hyponyms;
            for (int i = 0; i < pointers; ++i) {
                std::string symbol, target, targetPos, sourceTarget;
                in >> symbol >> target >> targetPos >> sourceTarget;
                if ((symbol == "~" || symbol == "~i") && targetPos == "n") hyponyms.push_back(target);
            }
            if (bar != std::string::npos) splitGloss(line.substr(bar + 3), s);
            if (s.pos == 'n') {
                nounAt[offset] = static_cast<int64_t>(synsets_.size());
                nounHyponymOffsets.resize(synsets_.size() + 1);
                nounHyponymOffsets.back() = std::move(hyponyms);
            }
            synsets_.push_back(std::move(s));
        }
    }
    for (size_t i = 0; i < nounHyponymOffsets.size(); ++i)
        for (const auto& o : nounHyponymOffsets[i]) {
            const auto it = nounAt.find(o);
            if (it != nounAt.end()) synsets_[i].hyponyms.push_back(it->second);
        }
    for (const auto& line : databaseLines(dir + "/index.noun")) {
        std::istringstream in(line);
        std::string lemma, pos;
        int senses = 0, pointers = 0;
        in >> lemma >> pos >> senses >> pointers;
        std::string skip;
        for (int i = 0; i < pointers + 2; ++i) in >> skip;  // pointer symbols, sense_cnt, tagsense_cnt
        std::vector<int64_t> list;
        for (int i = 0; i < senses; ++i) {
            std::string o;
            in >> o;
            const auto it = nounAt.find(o);
            if (it != nounAt.end()) list.push_back(it->second);
        }
        nounSenses_[lemma] = std::move(list);
    }
    if (synsets_.empty() || nounSenses_.empty()) throw Error(dir + ": no WordNet synsets found");
}

int64_t WordNet::noun(const std::string& lemma, int sense) const {
    const auto it = nounSenses_.find(lemma);
    if (it == nounSenses_.end() || sense < 1 || sense > static_cast<int>(it->second.size()))
        throw Error("WordNet has no noun sense " + std::to_string(sense) + " of '" + lemma + "'");
    return it->second[static_cast<size_t>(sense - 1)];
}

std::vector<int64_t> WordNet::tree(int64_t root) const {
    std::vector<int64_t> out{root};
    std::set<int64_t> seen{root};
    for (size_t i = 0; i < out.size(); ++i)
        for (int64_t h : synsets_[static_cast<size_t>(out[i])].hyponyms)
            if (seen.insert(h).second) out.push_back(h);
    return out;
}

std::vector<std::string> WordNet::sentences(int64_t synset) const {
    const auto& s = synsets_[static_cast<size_t>(synset)];
    std::vector<std::string> out;
    if (!s.definition.empty()) out.push_back(s.words.front() + ": " + s.definition);
    out.insert(out.end(), s.examples.begin(), s.examples.end());
    return out;
}

std::vector<WordNetCategory> demoCategories() {
    return {
        {"animal", {{"animal", 1}}},
        {"bird", {{"bird", 1}}},
        {"fish", {{"fish", 1}}},
        {"insect", {{"insect", 1}}},
        {"mammal", {{"mammal", 1}}},
        {"plant", {{"plant", 2}}},
        {"tree", {{"tree", 1}}},
        {"flower", {{"flower", 1}}},
        {"fruit", {{"fruit", 1}}},
        {"vegetable", {{"vegetable", 1}}},
        {"food", {{"food", 2}}},
        {"dish", {{"dish", 2}}},
        {"beverage", {{"beverage", 1}}},
        {"person", {{"person", 1}}},
        {"occupation", {{"occupation", 1}}},
        {"body part", {{"body_part", 1}}},
        {"bone", {{"bone", 1}}},
        {"organ", {{"organ", 1}}},
        {"disease", {{"disease", 1}}},
        {"drug", {{"drug", 1}}},
        {"emotion", {{"feeling", 1}}},
        {"vehicle", {{"vehicle", 1}}},
        {"ship", {{"ship", 1}}},
        {"building", {{"building", 1}}},
        {"furniture", {{"furniture", 1}}},
        {"container", {{"container", 1}}},
        {"tool", {{"tool", 1}}},
        {"weapon", {{"weapon", 1}}},
        {"clothing", {{"clothing", 1}}},
        {"fabric", {{"fabric", 1}}},
        {"weather", {{"weather", 1}, {"atmospheric_phenomenon", 1}}},
        {"body of water", {{"body_of_water", 1}}},
        {"landform", {{"geological_formation", 1}}},
        {"mineral", {{"mineral", 1}}},
        {"metal", {{"metal", 1}}},
        {"chemical compound", {{"compound", 2}}},
        {"city", {{"city", 1}}},
        {"sport", {{"sport", 1}}},
        {"game", {{"game", 1}}},
        {"music", {{"music", 1}, {"musical_instrument", 1}}},
        {"colour", {{"color", 1}}},
        {"shape", {{"shape", 2}}},
        {"language", {{"language", 1}}},
        {"document", {{"document", 1}}},
        {"religion", {{"religion", 2}}},
        {"science", {{"science", 1}}},
        {"time period", {{"time_period", 1}}},
        {"unit of measurement", {{"unit_of_measurement", 1}}},
    };
}

ConceptSet buildWordNetConcepts(const WordNet& wn, const std::vector<WordNetCategory>& categories,
                                const WordNetConceptOptions& options) {
    ConceptSet set;
    set.name = "WordNet categories";
    const int64_t count = static_cast<int64_t>(wn.synsets().size());
    for (const auto& category : categories) {
        std::set<int64_t> inside;
        for (const auto& [lemma, sense] : category.roots)
            for (int64_t s : wn.tree(wn.noun(lemma, sense))) inside.insert(s);
        std::vector<std::string> positives;
        for (int64_t s : inside)
            for (auto& text : wn.sentences(s)) positives.push_back(std::move(text));
        // Seeded by the category's name, so adding or removing a category changes no other.
        uint64_t nameHash = 1469598103934665603ull;  // FNV-1a
        for (unsigned char ch : category.name) nameHash = (nameHash ^ ch) * 1099511628211ull;
        std::mt19937_64 rng(options.seed * 1000003u + nameHash);
        std::shuffle(positives.begin(), positives.end(), rng);
        if (static_cast<int>(positives.size()) > options.maxPositives) positives.resize(static_cast<size_t>(options.maxPositives));
        std::sort(positives.begin(), positives.end());
        positives.erase(std::unique(positives.begin(), positives.end()), positives.end());
        // Negatives: as many sentences of synsets outside the tree, drawn at random.
        const std::set<std::string> taken(positives.begin(), positives.end());
        std::set<std::string> negatives;
        std::uniform_int_distribution<int64_t> pick(0, count - 1);
        for (int tries = 0; negatives.size() < positives.size() && tries < 1000000; ++tries) {
            const int64_t s = pick(rng);
            if (inside.count(s)) continue;
            const auto texts = wn.sentences(s);
            if (texts.empty()) continue;
            const auto& text = texts[static_cast<size_t>(pick(rng)) % texts.size()];
            if (!taken.count(text)) negatives.insert(text);
        }
        Concept concept;
        concept.name = category.name;
        concept.group = "wordnet";
        concept.source = "WordNet 3.0:";
        for (const auto& [lemma, sense] : category.roots) concept.source += " " + lemma + ".n." + std::to_string(sense);
        concept.positives = std::move(positives);
        concept.negatives.assign(negatives.begin(), negatives.end());
        concept.words = categoryWords(wn, category);  // what the steering curve counts
        set.concepts.push_back(std::move(concept));
    }
    return set;
}

std::vector<std::string> wordNetCorpus(const WordNet& wn) {
    std::vector<std::string> out;
    for (int64_t s = 0; s < static_cast<int64_t>(wn.synsets().size()); ++s)
        for (auto& text : wn.sentences(s)) out.push_back(std::move(text));
    return out;
}

std::vector<std::string> categoryWords(const WordNet& wn, const WordNetCategory& category) {
    std::set<std::string> out;
    for (const auto& [lemma, sense] : category.roots)
        for (int64_t s : wn.tree(wn.noun(lemma, sense)))
            for (auto w : wn.synsets()[static_cast<size_t>(s)].words) {
                std::transform(w.begin(), w.end(), w.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
                out.insert(w);
            }
    return {out.begin(), out.end()};
}

WordCount countWords(const std::string& text, const std::vector<std::string>& vocabulary) {
    WordCount c;
    std::string word;
    auto flush = [&] {
        if (word.empty()) return;
        ++c.words;
        if (std::binary_search(vocabulary.begin(), vocabulary.end(), word)) ++c.matching;
        word.clear();
    };
    for (unsigned char ch : text) {
        if (std::isalpha(ch)) word.push_back(static_cast<char>(std::tolower(ch)));
        else flush();
    }
    flush();
    return c;
}

}  // namespace expertscope
