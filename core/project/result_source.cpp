#include "core/project/result_source.h"

#include "core/base/error.h"
#include "core/science/expert_queries.h"

#include <algorithm>
#include <iterator>

namespace expertscope {

const ProjectStore::ResultRef* preferredResult(const std::vector<ProjectStore::ResultRef>& candidates,
                                               const RunSettings& wanted) {
    const std::string identity = settingsText(wanted);
    const ProjectStore::ResultRef *newest = nullptr, *newestMatching = nullptr;
    for (const auto& c : candidates) {
        if (!newest || c.runId > newest->runId) newest = &c;
        if (settingsText(c.settings) == identity && (!newestMatching || c.runId > newestMatching->runId)) newestMatching = &c;
    }
    return newestMatching ? newestMatching : newest;
}

namespace {

// A few names, for telling the user what the project does hold.
std::string someNames(const std::vector<ProjectStore::ResultRef>& results) {
    std::vector<std::string> names;
    for (const auto& r : results)
        if (std::find(names.begin(), names.end(), r.concept) == names.end()) names.push_back(r.concept);
    std::string out;
    const size_t shown = std::min<size_t>(names.size(), 8);
    for (size_t i = 0; i < shown; ++i) out += (i ? ", " : "") + names[i];
    if (names.size() > shown) out += ", ... (" + std::to_string(names.size()) + " in all)";
    return out;
}

}  // namespace

ProjectStore::ResultRef chooseResult(const ProjectStore& store, const std::string& conceptName, const ResultRequest& request) {
    const auto candidates = store.finishedResults(conceptName, request.modelId, request.setId);
    if (const auto* chosen = preferredResult(candidates, request.settings)) return *chosen;
    // Say why: an unknown name, a concept not analysed yet, or results only elsewhere.
    const std::string where = store.path() + ": ";
    if (!store.hasConcept(conceptName)) {
        const auto all = store.finishedResults("");
        throw Error(where + "no concept named '" + conceptName + "'" +
                    (all.empty() ? "; no concept has results yet (run analyse first)"
                                 : "; concepts with results: " + someNames(all)));
    }
    if (store.finishedResults(conceptName).empty())
        throw Error(where + "concept '" + conceptName + "' has no results yet; analyse it first");
    throw Error(where + "concept '" + conceptName + "' has no results for the requested model and concept set");
}

std::map<int64_t, ProjectStore::ResultRef> chooseResults(const ProjectStore& store, const ResultRequest& request) {
    std::map<int64_t, std::vector<ProjectStore::ResultRef>> byConcept;
    for (auto& r : store.finishedResults("", request.modelId, request.setId)) byConcept[r.conceptId].push_back(std::move(r));
    std::map<int64_t, ProjectStore::ResultRef> out;
    for (const auto& [conceptId, candidates] : byConcept) out.emplace(conceptId, *preferredResult(candidates, request.settings));
    return out;
}

ResultRequest chooseScope(const ProjectStore& store, const ResultRequest& request) {
    ResultRequest scope = request;
    const auto all = store.finishedResults("", request.modelId, request.setId);
    if (const auto* chosen = preferredResult(all, request.settings)) {
        scope.modelId = chosen->modelId;
        scope.setId = chosen->setId;
    }
    return scope;
}

std::string describeRun(const ProjectStore::ResultRef& ref) {
    const auto& s = ref.settings;
    std::string text = "run " + std::to_string(ref.runId) + " (" + ref.pooling + " pooling, sequence length " +
                       (s.sequenceLength ? std::to_string(s.sequenceLength) : std::string("of the model")) +
                       (s.longSentences == LongSentencePolicy::Truncate ? ", long sentences cut" : "");
    return text + (ref.bosPooled ? ", BOS pooled)" : ")");
}

std::map<int64_t, int> expertCounts(const ProjectStore& store, const std::map<int64_t, ProjectStore::ResultRef>& results,
                                    double threshold) {
    std::map<int64_t, std::map<int64_t, int>> perRun;
    std::map<int64_t, int> counts;
    for (const auto& [conceptId, ref] : results) {
        if (!perRun.count(ref.runId)) perRun[ref.runId] = store.expertCounts(ref.runId, threshold);
        const auto& run = perRun[ref.runId];
        const auto found = run.find(conceptId);
        if (found == run.end()) continue;
        counts[conceptId] = found->second >= ProjectStore::kTopExpertsStored
                                ? static_cast<int>(expertsAbove(store.loadConceptResult(ref.runId, conceptId), threshold).size())
                                : found->second;
    }
    return counts;
}

std::vector<Neighbour> closestInProject(const ProjectStore& store, const ProjectStore::ResultRef& ref, int k) {
    if (k < 1) throw Error("co-learning needs k of at least 1");
    const auto units = [&](const ProjectStore::ResultRef& r) {
        std::vector<int64_t> u;
        for (const auto& e : store.topExperts(r.runId, r.conceptId, k)) u.push_back(e.unit);
        std::sort(u.begin(), u.end());
        return u;
    };
    const auto mine = units(ref);
    const std::string identity = settingsText(ref.settings);
    std::map<int64_t, Neighbour> newest;  // by concept id; finishedResults lists the newest run first
    for (const auto& other : store.finishedResults("", ref.modelId, 0)) {
        if (other.conceptId == ref.conceptId || newest.count(other.conceptId) || settingsText(other.settings) != identity) continue;
        const auto theirs = units(other);
        std::vector<int64_t> shared;
        std::set_intersection(mine.begin(), mine.end(), theirs.begin(), theirs.end(), std::back_inserter(shared));
        newest[other.conceptId] = {other, static_cast<double>(shared.size()) / k};
    }
    std::vector<Neighbour> out;
    for (auto& [id, n] : newest) out.push_back(std::move(n));
    std::stable_sort(out.begin(), out.end(), [](const Neighbour& a, const Neighbour& b) { return a.overlap > b.overlap; });
    return out;
}

}  // namespace expertscope
