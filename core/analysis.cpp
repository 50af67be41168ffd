#include "analysis.h"

#include "error.h"
#include "response_collector.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <unordered_map>

namespace expertscope {

AnalysisSummary analyse(ProjectStore& store, LanguageModel& model, int64_t modelId, int64_t setId,
                        const RunSettings& settings, const AnalysisCallback& progress) {
    const auto started = std::chrono::steady_clock::now();
    const int maxTokens = settings.sequenceLength > 0 ? std::min(settings.sequenceLength, model.info().maxPositions)
                                                      : model.info().maxPositions;
    if (settings.pooling == Pooling::SelfcondMax && settings.sequenceLength <= 0)
        throw Error("ml-selfcond pooling needs a sequence length");
    AnalysisSummary summary;
    summary.runId = store.findRun(modelId, setId, settings);
    if (summary.runId == 0) summary.runId = store.createRun(modelId, setId, settings);
    const auto finishedList = store.finishedConcepts(summary.runId);
    const std::set<int64_t> finished(finishedList.begin(), finishedList.end());
    const auto concepts = store.concepts(setId);

    AnalysisProgress p;
    p.conceptsTotal = static_cast<int>(concepts.size());
    for (const auto& stored : concepts) {
        if (finished.count(stored.id)) {
            ++summary.alreadyDone;
            ++p.conceptsDone;
            continue;
        }
        const auto conceptStart = std::chrono::steady_clock::now();
        Concept c = store.loadConcept(stored.id);
        // Validation measures every sentence in tokens; the ids are kept for the collection.
        std::unordered_map<std::string, std::vector<int>> ids;
        ValidationOptions v;
        v.maxTokens = maxTokens;
        v.longSentences = LongSentencePolicy::Drop;
        v.tokenCount = [&](const std::string& s) {
            auto it = ids.find(s);
            if (it == ids.end()) it = ids.emplace(s, model.tokenize(s)).first;
            return static_cast<int>(it->second.size());
        };
        auto messages = validateConcept(c, v);
        const bool fatal = std::any_of(messages.begin(), messages.end(), [](const auto& m) { return m.fatal; });
        summary.messages.insert(summary.messages.end(), messages.begin(), messages.end());
        if (fatal) {
            ++summary.refused;
            ++p.conceptsDone;
            continue;
        }
        std::vector<std::vector<int>> sentences;
        std::vector<uint8_t> labels;
        for (int label : {1, 0})
            for (const auto& s : label ? c.positives : c.negatives) {
                auto it = ids.find(s);
                sentences.push_back(it != ids.end() ? std::move(it->second) : model.tokenize(s));
                labels.push_back(static_cast<uint8_t>(label));
            }
        CollectionOptions o;
        o.capture.pooling = settings.pooling;
        o.capture.paddedLength = settings.sequenceLength;
        o.tokenBudget = settings.tokenBudget;
        o.workers = settings.workers;
        p.concept = c.name;
        p.sentencesTotal = static_cast<int64_t>(sentences.size());
        const auto responses = collectAll(model, sentences, o, [&](const CollectionProgress& cp) {
            p.sentencesDone = cp.sentencesDone;
            p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            return !progress || progress(p);
        });
        const auto expertise = computeExpertise(responses.values.data(), responses.rows, responses.cols, labels, settings.workers);
        store.saveConceptResult(summary.runId, stored.id, model.probePoints(), expertise, static_cast<int>(c.positives.size()),
                                static_cast<int>(c.negatives.size()),
                                std::chrono::duration<double>(std::chrono::steady_clock::now() - conceptStart).count());
        ++summary.analysed;
        ++p.conceptsDone;
        if (progress && !progress(p)) throw Cancelled();
    }
    if (summary.refused == 0) store.finishRun(summary.runId);
    return summary;
}

}  // namespace expertscope
