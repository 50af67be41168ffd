#pragma once
// Projects analysed apart (the shards of analyse --shard, one per machine) combined into
// one. Only projects of the same model weights, concept set (names, sentences, words) and
// run settings combine; their stored results are copied as they are, so a merged project
// holds, byte for byte, the results one machine would have stored.
#include <string>
#include <utility>
#include <vector>

namespace expertscope {

struct MergeSummary {
    int inputs = 0;        // projects read (the output too, when it existed)
    int concepts = 0;      // in the concept set
    int withResults = 0;   // concepts with results in the merged project
    std::vector<std::string> missing;  // concepts no input has analysed: analyse their shards
    // Concepts an input's analysis refused (an empty class, over the memory limit), with
    // the reason: analysing them again as they are refuses them again.
    std::vector<std::pair<std::string, std::string>> refused;
    std::vector<std::string> notes;  // e.g. results equal to one run only up to rounding
};

// Writes `out` from `inputs` (each holding one analysis run); an existing `out` counts as
// one more input. Throws Error, leaving `out` as it was, when the inputs differ in model
// weights, concept set, settings or numerics (analysis.cpp records each run's: a hash of
// two fixed sentences' responses, which a different tokenizer changes too), or hold
// different results for one concept. A new `out` appears only when complete (written
// beside it, then renamed); an existing one is replaced in one SQLite transaction, so a
// program reading it sees the old or the new project. (Inputs of an older schema are
// brought to this one, as opening them anywhere does.)
MergeSummary mergeProjects(const std::string& out, const std::vector<std::string>& inputs);

}  // namespace expertscope
