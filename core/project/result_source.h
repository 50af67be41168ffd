#pragma once
// Which run a concept's results come from. A project can hold several runs that finished
// the same concept (other settings, another model, a re-imported set); every front end
// picks among them with this one rule, so the command line and the application show the
// same numbers for the same project and the same settings.
//
// The rule: among the runs that finished the concept (of the requested model and concept
// set, where the caller names them), the newest whose settings equal the requested ones;
// when none does, the newest. "Equal" is run identity (settingsText): pooling, sequence
// length, long-sentence policy and BOS pooling.
#include "core/project/project_store.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace expertscope {

struct ResultRequest {
    RunSettings settings;  // what the caller would analyse with: preferred, not required
    int64_t modelId = 0;   // 0: any model
    int64_t setId = 0;     // 0: any concept set
};

// The rule on candidates (any order): the chosen one, or nullptr when there are none.
const ProjectStore::ResultRef* preferredResult(const std::vector<ProjectStore::ResultRef>& candidates,
                                               const RunSettings& wanted);

// The results of one concept, by name. Throws, saying what the project does hold, when no
// run of the requested model and set finished it.
ProjectStore::ResultRef chooseResult(const ProjectStore& store, const std::string& conceptName, const ResultRequest& request);

// The chosen result of every concept of the requested model and set that has one, by
// concept id (one query however many concepts).
std::map<int64_t, ProjectStore::ResultRef> chooseResults(const ProjectStore& store, const ResultRequest& request);

// What a whole-project view shows when no model or set is named: the model and concept set
// of the run the rule picks among all finished results (the newest run with the requested
// settings, else the newest). Returns the request unchanged when nothing is finished.
ResultRequest chooseScope(const ProjectStore& store, const ResultRequest& request);

// Per concept of `results` (as chooseResults gives them), its experts: units with AP >=
// threshold. One query per run; where more pass than the stored top list holds, counted
// from the full results, so the counts are exact.
std::map<int64_t, int> expertCounts(const ProjectStore& store, const std::map<int64_t, ProjectStore::ResultRef>& results,
                                    double threshold);

// One line naming a result's run and settings, for messages and exports.
std::string describeRun(const ProjectStore::ResultRef& ref);

// What a concept is like across the whole project (an imported set's concept, a single
// new one): every other finished concept of the same model and run settings, in any concept
// set (each one's newest such result), by decreasing overlap of top-k experts,
// |top-k(a) n top-k(b)| / k, ties by concept id.
struct Neighbour {
    ProjectStore::ResultRef ref;
    double overlap = 0;
};
std::vector<Neighbour> closestInProject(const ProjectStore& store, const ProjectStore::ResultRef& ref, int k);

}  // namespace expertscope
