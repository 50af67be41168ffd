#pragma once
// Pooled responses for many sentences: sorted by length into batches of bounded padded
// size, run on worker threads (each single-threaded, which beats splitting every small
// operator across cores), reported back in input order. Progress and cancellation
// between batches.
#include "core/base/error.h"
#include "core/runtime/language_model.h"

#include <functional>

namespace expertscope {

struct CollectionOptions {
    CaptureOptions capture;
    int tokenBudget = 1024;  // padded tokens (sentences x longest) per batch
    int workers = 0;         // 0: one per core
};

struct CollectionProgress {
    int64_t sentencesDone = 0, sentencesTotal = 0;
    double seconds = 0;
};

// Return false to cancel; collectAll then throws Cancelled once the running batches end.
using ProgressCallback = std::function<bool(const CollectionProgress&)>;

struct Cancelled : Error {
    Cancelled() : Error("cancelled") {}
};

ResponseMatrix collectAll(LanguageModel& model, const std::vector<std::vector<int>>& sentences,
                          const CollectionOptions& options = {}, const ProgressCallback& progress = {});

// The same collection handing each sentence's responses (model.unitCount() values) to
// `sink` as its batch ends, instead of holding them all: called from the worker threads,
// once per sentence, concurrently for different sentences.
using RowSink = std::function<void(size_t sentence, const float* responses)>;
void collectInto(LanguageModel& model, const std::vector<std::vector<int>>& sentences, const RowSink& sink,
                 const CollectionOptions& options = {}, const ProgressCallback& progress = {});

}  // namespace expertscope
