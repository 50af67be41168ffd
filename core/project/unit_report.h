#pragma once
// A unit's report for one concept, what the inspector shows and `expertscope-cli unit`
// prints: its stored statistics, its response to every sentence of the concept and, for the
// sentences that excite it most and least, its value at each of their tokens.
#include "core/project/project_store.h"
#include "core/runtime/language_model.h"

#include <limits>
#include <string>
#include <vector>

namespace expertscope {

struct TokenValue {
    std::string text;  // what the token adds to the decoded sentence
    float value = 0;
};

struct SentenceReport {
    std::string sentence;
    bool positive = false;
    float response = 0;
    std::vector<TokenValue> tokens;  // BOS left out
};

struct UnitReport {
    int64_t unit = 0;  // global index
    std::string concept, probe;
    int unitInProbe = 0;
    double ap = 0, onP50 = 0, onP90 = 0, offMean = 0;
    double auroc = std::numeric_limits<double>::quiet_NaN();  // NaN: stored before AUROC was computed (analysing again computes it)
    std::vector<std::string> sentences;  // the concept's rows, when responses are known
    std::vector<float> responses;        // per sentence
    std::vector<uint8_t> labels;         // 1: positive
    bool fromKeptResponses = false;
    std::vector<SentenceReport> strongest, weakest;
};

constexpr int kSentencesShown = 5;  // strongest and weakest

// What the project holds, no model needed: the statistics, and the responses when the run
// kept them. Throws Error for a unit outside the results.
UnitReport storedUnitReport(const ProjectStore& store, const ProjectStore::ResultRef& ref, int64_t unit);

// With the model: the responses when none were kept, computed as the run computed them (its
// settings), and the `shown` strongest and weakest sentences with per-token values.
void explainUnit(UnitReport& report, const Concept& concept, const RunSettings& settings, LanguageModel& model,
                 int shown = kSentencesShown);

// The text each token adds: decoding the prefix keeps the spaces that single pieces lose.
// With skipFirst the first token (BOS) gets an empty text.
std::vector<std::string> tokenTexts(const Tokenizer& tokenizer, const std::vector<int>& ids, bool skipFirst);

}  // namespace expertscope
