#pragma once
// Asking the model about any text (the inverse of the unit inspector): run it once over the
// text and, for every analysed concept, see how strongly its experts respond at each token.
// A concept's token score is the mean, over its experts (units with AP >= the threshold, its
// best `topK` of them), of where the unit's response lies between its mean on negatives and
// its median on positives: (response - off_mean) / (on_p50 - off_mean), so 0 is "as on
// sentences without the concept" and 1 "as on a typical sentence with it". The concept's score
// is that position for each expert's response pooled over the text as its run pooled the
// analysed sentences (by default the maximum over tokens, BOS left out), averaged over its
// experts. The CLI's probe command and the application's view both call this.
#include "core/project/project_store.h"
#include "core/runtime/language_model.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace expertscope {

struct TextProbeOptions {
    double threshold = 0.9;  // AP of an expert
    int topK = 20;           // experts per concept, at most
};

struct ProbedConcept {
    int64_t conceptId = 0;
    std::string name;
    std::vector<int64_t> units;                  // its experts, best AP first
    std::vector<std::vector<float>> responses;   // per unit, per token
    std::vector<float> pooled;                   // per unit, the response pooled as the run pooled
    std::vector<double> tokenScores;             // per token; BOS's is 0
    double score = 0;                            // mean over experts of the pooled response's position
    int peakToken = -1;                          // the token with the highest token score
};

struct TextProbe {
    std::vector<int> ids;
    std::vector<std::string> tokens;     // each id as text
    bool cut = false;                    // the text was longer than the model's context
    int firstScored = 0;                 // 1 when the model put BOS first (not scored)
    int endScored = 0;                   // positions [firstScored, endScored) are scored: an encoder's [SEP] is not
    std::vector<ProbedConcept> concepts; // ranked, highest score first; concepts without experts left out
    std::vector<std::string> withoutExperts;  // analysed concepts with no unit at the threshold
};

// What probing needs of the project, read once for any number of texts: each concept's
// experts at the threshold, the two values that place their responses, and how its run pooled.
struct ProbeExperts {
    struct Concept {
        int64_t conceptId = 0;
        std::string name;
        RunSettings settings;                 // the run's: how to pool
        std::vector<int64_t> units;           // best AP first
        std::vector<double> onP50, offMean;   // per unit
    };
    std::vector<Concept> concepts;
    std::vector<std::string> withoutExperts;
    int64_t modelUnits = 0;                   // of the model the results were made with
};

// `results`: the analysed concepts to ask about (as chooseResults gives them), all of one
// model's. Reads only the experts' stored values.
ProbeExperts probeExperts(const ProjectStore& store, const std::map<int64_t, ProjectStore::ResultRef>& results,
                          const TextProbeOptions& options = {});

// Runs the model over the text. Throws Error for an empty text or experts of a model with
// another number of units, Cancelled when `cancelled` says so between its passes.
TextProbe probeText(LanguageModel& model, const ProbeExperts& experts, const std::string& text,
                    const std::function<bool()>& cancelled = {});

// Both steps at once (the CLI probes one text).
TextProbe probeText(LanguageModel& model, const ProjectStore& store, const std::map<int64_t, ProjectStore::ResultRef>& results,
                    const std::string& text, const TextProbeOptions& options = {});

}  // namespace expertscope
