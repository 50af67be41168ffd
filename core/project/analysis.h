#pragma once
// An analysis run: for each concept of a set not yet finished in this run, validate it,
// collect every unit's responses, compute its expertise and store it (one transaction a
// concept). Cancelling, or the process dying, loses at most the concept in progress;
// calling analyse again with the same settings resumes the run.
#include "core/project/project_store.h"
#include "core/science/response_collector.h"

#include <functional>

namespace expertscope {

struct AnalysisProgress {
    int conceptsDone = 0, conceptsTotal = 0;
    std::string concept;  // the one in progress
    int64_t sentencesDone = 0, sentencesTotal = 0;  // of that concept
    double seconds = 0;                             // since the call began
};
// Return false to cancel; analyse then throws Cancelled after storing what is finished.
using AnalysisCallback = std::function<bool(const AnalysisProgress&)>;

struct AnalysisSummary {
    int64_t runId = 0;
    int analysed = 0, alreadyDone = 0, refused = 0;
    int64_t sentencesRun = 0, sentencesReused = 0;  // through the model / from a concept before
    std::vector<ValidationMessage> messages;
};

// A concept made ready for the model exactly as an analysis makes it: validated, its rows
// (positives, then negatives) under their stored text, with the ids the model runs.
struct PreparedConcept {
    std::vector<std::string> texts;
    std::vector<std::vector<int>> ids;
    std::vector<uint8_t> labels;  // 1: positive
    std::vector<ValidationMessage> messages;
    bool fatal = false;  // an empty class: it cannot be analysed
    int positives = 0, negatives = 0;
};
PreparedConcept prepareConcept(const Concept& concept, LanguageModel& model, const RunSettings& settings);

// The concept set at `path` (a folder, table or text file, as importConcepts reads) in the
// project: the one imported from there before, by absolute path, else imported now.
int64_t importOrReuseConceptSet(ProjectStore& store, const std::string& path);

// How a run's settings collect responses (pooling, padded length, BOS, batches, workers).
CollectionOptions collectionOptions(const RunSettings& settings);

// The project's meta keys where a run records how it computed responses (device, kernels
// and a hash of two fixed sentences' responses) and why it refused a concept ("" once the
// concept is analysed after all): merge compares and reports them (project_merge.h).
std::string numericsKey(int64_t runId);
std::string refusalKey(int64_t runId, int64_t conceptId);

AnalysisSummary analyse(ProjectStore& store, LanguageModel& model, int64_t modelId, int64_t setId,
                        const RunSettings& settings, const AnalysisCallback& progress = {});

}  // namespace expertscope
