#pragma once
// Concepts: named binary sets of sentences (positives contain the concept, negatives do
// not), their import from ml-selfcond's folders, tables and plain text, construction from
// a corpus by word or pattern, and validation with messages a user can act on.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace expertscope {

struct Concept {
    std::string name, group, source;
    std::vector<std::string> positives, negatives;
    // The concept's own words, counted in generated text by the steering curve (the demo:
    // the WordNet lemmas under its synsets); empty: its name stands for it.
    std::vector<std::string> words;
};

struct ConceptSet {
    std::string name;    // shown to the user
    std::string origin;  // the file or folder it came from
    std::vector<Concept> concepts;
};

// ml-selfcond's layout: concept_list.csv (group,concept) and <group>/<concept>.json with
// {"concept", "group", "source", "sentences": {"positive": [...], "negative": [...]}}
// and, ours, an optional "words": [...] (Concept::words).
ConceptSet importSelfcondFolder(const std::string& dir);
// One concept from a CSV or TSV table of (label, sentence) rows; labels are
// 1/0, positive/negative, pos/neg, true/false. A header row is recognised and skipped.
ConceptSet importTable(const std::string& path);
// One concept from two plain-text files, one sentence per line.
ConceptSet importTextFiles(const std::string& positivesPath, const std::string& negativesPath, const std::string& name);

// Any of the above by what the path is: a folder with concept_list.csv, a .csv/.tsv table,
// or a .txt of positives with a sibling of the same name ending in "-negatives.txt".
ConceptSet importConcepts(const std::string& path);

struct CorpusQuery {
    std::string pattern;       // a word, or a regular expression when `regex` is set
    bool regex = false;
    bool wholeWord = true;
    bool caseSensitive = false;
    int maxPositives = 1000;   // sampled (seeded) when more sentences match
    int maxNegatives = 1000;   // a seeded sample of the sentences that do not match
    uint64_t seed = 0;
};
// Positives: corpus sentences matching the query; negatives: a seeded sample of the rest.
Concept buildConceptFromCorpus(const std::vector<std::string>& corpus, const CorpusQuery& query, const std::string& name);
// Sentences of a text file, one a line (blank lines skipped); checks the encoding.
std::vector<std::string> readLines(const std::string& path);

struct ValidationMessage {
    bool fatal;  // the concept cannot be analysed as it is
    std::string concept, message;
};

enum class LongSentencePolicy { Drop, Truncate };  // ml-selfcond drops them

struct ValidationOptions {
    std::function<int(const std::string&)> tokenCount;  // tokens the model makes of a sentence
    int maxTokens = 0;                                   // 0: no limit
    LongSentencePolicy longSentences = LongSentencePolicy::Drop;
    std::function<std::string(const std::string&, int)> truncate;  // to at most n tokens (Truncate)
};

// Cleans a concept in place: drops empty and duplicate sentences (and a sentence that is
// both positive and negative, from both), applies the long-sentence policy; reports each
// change, and a fatal message for an empty class.
std::vector<ValidationMessage> validateConcept(Concept& concept, const ValidationOptions& options);

}  // namespace expertscope
