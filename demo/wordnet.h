#pragma once
// WordNet's database files (as Debian's wordnet-base installs them) read into synsets with
// their words, gloss, examples and hypernym/hyponym links; from them the demo's text
// corpus and its concepts: WordNet categories whose positives are the sentences of the
// synsets under the category's root(s), negatives a balanced seeded sample of the rest.
#include "core/project/concepts.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace expertscope {

struct Synset {
    char pos = 'n';                    // n, v, a (s), r
    std::vector<std::string> words;    // with spaces for WordNet's underscores
    std::string definition;
    std::vector<std::string> examples;
    std::vector<int64_t> hyponyms;     // indices into WordNet::synsets (nouns; instances too)
};

class WordNet {
public:
    // Reads data.{noun,verb,adj,adv} and index.noun from `dir` (default /usr/share/wordnet).
    explicit WordNet(const std::string& dir = "/usr/share/wordnet");
    const std::vector<Synset>& synsets() const { return synsets_; }
    // The index of a noun's n-th sense (1-based), as WordNet numbers them; throws if none.
    int64_t noun(const std::string& lemma, int sense) const;
    // The synset and everything under it through hyponym links.
    std::vector<int64_t> tree(int64_t root) const;
    // A synset's sentences: "<first word>: <definition>", then each example.
    std::vector<std::string> sentences(int64_t synset) const;

private:
    std::vector<Synset> synsets_;
    std::map<std::string, std::vector<int64_t>> nounSenses_;
};

struct WordNetCategory {
    std::string name;
    std::vector<std::pair<std::string, int>> roots;  // (lemma, sense) nouns
};
// The demo's categories: at least 40, in the spirit of the paper's WordNet-sense concepts.
std::vector<WordNetCategory> demoCategories();

struct WordNetConceptOptions {
    int maxPositives = 300;  // a seeded sample when the tree has more sentences
    uint64_t seed = 1;
};
// One concept per category: positives from its tree, as many negatives from outside it.
ConceptSet buildWordNetConcepts(const WordNet& wordnet, const std::vector<WordNetCategory>& categories,
                                const WordNetConceptOptions& options = {});
// Every synset's sentences (all parts of speech), in file order: the demo model's corpus.
std::vector<std::string> wordNetCorpus(const WordNet& wordnet);
// The words of every synset under the category (lower case), for counting them in text.
std::vector<std::string> categoryWords(const WordNet& wordnet, const WordNetCategory& category);

struct WordCount {
    int64_t matching = 0, words = 0;
};
// Words of `text` (letters only, lower-cased) and how many of them are in `vocabulary`
// (sorted, as categoryWords gives it).
WordCount countWords(const std::string& text, const std::vector<std::string>& vocabulary);

}  // namespace expertscope
