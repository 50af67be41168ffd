#pragma once
// Projects analysed apart (the shards of analyse --shard, one per machine) combined into
// one. Only projects of the same model weights, concept set (names, sentences, words) and
// run settings combine; their stored results are copied as they are, so a merged project
// holds, byte for byte, the results one machine would have stored.
#include <string>
#include <vector>

namespace expertscope {

struct MergeSummary {
    int inputs = 0;        // projects read (the output too, when it existed)
    int concepts = 0;      // in the concept set
    int withResults = 0;   // concepts with results in the merged project
    std::vector<std::string> missing;  // concepts no input had finished
};

// Writes `out` from `inputs` (each holding one analysis run); an existing `out` counts as
// one more input. Throws Error, writing nothing, when the inputs differ in model, concept
// set or settings, or hold different results for one concept. The file appears only when
// complete (written beside it, then renamed over it).
MergeSummary mergeProjects(const std::string& out, const std::vector<std::string>& inputs);

}  // namespace expertscope
