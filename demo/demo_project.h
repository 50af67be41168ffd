#pragma once
// The demo project as one workflow, for the demo builder and the application's first
// launch alike: WordNet's concepts analysed with a model into a project file. It is built
// beside its destination and moved into place only when finished, so an interrupted or
// cancelled build leaves no half project (and no file at all at the destination).
#include "core/project/analysis.h"

#include <functional>
#include <string>

namespace expertscope {

class ProjectStore;
class WordNet;

struct DemoProjectOptions {
    std::string modelDir;                     // the demo model's folder (config.json, weights, tokenizer)
    std::string out;                          // the project file to write
    std::string wordnetDir = "/usr/share/wordnet";
    int keepResponses = 200;                  // the inspector's sentences for the demo's experts
    bool suggestForcing = true;               // store where the generation panel starts
};

// Throws Error (no WordNet, an unreadable model, an unwritable folder) or Cancelled when
// `progress` returns false; either way nothing is left at `out` or beside it. `after`
// sees the finished store before it is closed and moved into place.
AnalysisSummary buildDemoProject(const DemoProjectOptions& options, const AnalysisCallback& progress = {},
                                 const std::function<void(ProjectStore&, const AnalysisSummary&)>& after = {});
// The same with a WordNet already read (the ranking builds one project per checkpoint).
AnalysisSummary buildDemoProject(const DemoProjectOptions& options, const WordNet& wordnet, const AnalysisCallback& progress,
                                 const std::function<void(ProjectStore&, const AnalysisSummary&)>& after);

}  // namespace expertscope
