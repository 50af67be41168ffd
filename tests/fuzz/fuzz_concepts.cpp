// Feeds: concept files in the three formats importConcepts reads, the first byte choosing
// which (modulo 4) and the rest holding the files:
//   0  a CSV table (concepts.csv), 1  a TSV table (concepts.tsv);
//   2  plain text: positives (c.txt, the bytes before the first NUL) and negatives
//      (c-negatives.txt, after it);
//   3  an ml-selfcond folder: concept_list.csv (before the first NUL) and the concept file
//      g/c.json (after it), which the list reaches with the line "g,c".
// Every concept imported is then validated as an analysis does (validateConcept, with a
// token limit that drops or cuts long sentences).
// Failure: anything but expertscope::Error (a crash, a sanitizer report, another exception).
#include "core/project/concepts.h"
#include "fuzz_support.h"

using namespace expertscope;

namespace {

int words(const std::string& s) {
    int n = 0;
    bool in = false;
    for (char c : s) {
        const bool space = c == ' ';
        n += !space && !in;
        in = !space;
    }
    return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const int format = data[0] % 4;
    const std::string dir = fuzz::freshDir("concepts");
    std::string path;
    if (format < 2) {
        path = fuzz::writeFile(format == 0 ? "concepts/concepts.csv" : "concepts/concepts.tsv", data + 1, size - 1);
    } else {
        const auto files = fuzz::splitAtNul(data + 1, size - 1);
        if (format == 2) {
            path = fuzz::writeFile("concepts/c.txt", files.first);
            fuzz::writeFile("concepts/c-negatives.txt", files.second);
        } else {
            fuzz::writeFile("concepts/concept_list.csv", files.first);
            fuzz::writeFile("concepts/g/c.json", files.second);
            path = dir;
        }
    }
    fuzz::refusalAllowed([&] {
        ConceptSet set = importConcepts(path);
        for (auto policy : {LongSentencePolicy::Drop, LongSentencePolicy::Truncate}) {
            ValidationOptions options;
            options.maxTokens = 8;
            options.tokenCount = words;
            options.longSentences = policy;
            options.truncate = [](const std::string& s, int n) { return s.substr(0, static_cast<size_t>(n) * 4); };
            for (Concept c : set.concepts) (void)validateConcept(c, options);
        }
    });
    return 0;
}
