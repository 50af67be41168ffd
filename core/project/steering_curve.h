#pragma once
// The steering curve of "Self-Conditioning Pre-Trained Language Models" (ICML 2022, its
// main figure): force a concept's top k experts while the model writes, for k on a grid,
// several seeded generations each, and measure how often the concept's words appear and how
// fluent the text stays (perplexity under the unforced model). With a prompt, also the
// probability that the next token starts a target word.
#include "core/project/project_store.h"
#include "core/runtime/language_model.h"
#include "core/science/expert_forcing.h"

#include <functional>
#include <string>
#include <vector>

namespace expertscope {

struct SteeringOptions {
    std::vector<std::string> targets;         // words (or phrases) counted, case-insensitively, as whole words
    std::vector<int> ks{0, 1, 3, 10, 30, 100, 300};
    int seeds = 20;                           // generations per k, seeds 1..seeds
    std::string prompt;                       // empty: from BOS
    GenerationOptions generation;             // length, temperature, top-p (the seed is set per run)
    ForceValue value = ForceValue::OnP50;
    double strength = 1.0;
    ForceScope scope = ForceScope::AllPositions;
    bool auraPoint = false;  // one more point, after the grid: AurA suppression (k = -1; every unit with AUROC > 0.5)
};

struct SteeringPoint {
    int k = 0;                       // experts forced; -1: the AurA point
    double rate = 0, rateSd = 0;     // target words per generated word: mean and standard deviation over seeds
    double share = 0;                // fraction of generations with at least one target word
    double perplexity = 0, perplexitySd = 0;  // of the generated tokens under the unforced model
    double firstTokenProbability = -1;        // with a prompt: P(next token starts a target word); -1 without
    std::vector<std::string> texts;  // the generated continuations, by seed
};

struct SteeringCurve {
    std::string concept;
    SteeringOptions options;
    std::vector<SteeringPoint> points;
    std::string auraMissing;  // why the AurA point asked for is left out (results without AUROC), else empty
};

// Occurrences of the targets in `text` and its word count. Words are runs of letters and
// digits, compared case-insensitively; a target of several words matches them in a row,
// and where targets overlap the longest one starting at a word counts, once.
struct TargetCount {
    int occurrences = 0, words = 0;
};
TargetCount countTargets(const std::string& text, const std::vector<std::string>& targets);

// The words a concept's curve counts by default: its own (Concept::words), else its name.
std::vector<std::string> defaultTargets(const ProjectStore& store, int64_t conceptId, const std::string& conceptName);

// Called after each generation; return false to cancel (Error "cancelled" is thrown).
using SteeringProgress = std::function<bool(int done, int total)>;

// The curve for the concept whose stored results `ref` names (its top experts by AP).
// Throws Error when the targets are empty or the results do not fit the model.
SteeringCurve steeringCurve(LanguageModel& model, const ProjectStore& store, const ProjectStore::ResultRef& ref,
                            const SteeringOptions& options, const SteeringProgress& progress = {});

}  // namespace expertscope
