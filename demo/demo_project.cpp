#include "demo/demo_project.h"

#include "core/base/error.h"
#include "core/project/concept_forcing.h"
#include "core/project/project_store.h"
#include "demo/demo_defaults.h"
#include "demo/wordnet.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace expertscope {

namespace {

void removeDatabase(const QString& path) {
    for (const char* suffix : {"", "-wal", "-shm"}) QFile::remove(path + suffix);
}

}  // namespace

AnalysisSummary buildDemoProject(const DemoProjectOptions& options, const AnalysisCallback& progress,
                                 const std::function<void(ProjectStore&, const AnalysisSummary&)>& after) {
    const WordNet wordnet(options.wordnetDir);
    return buildDemoProject(options, wordnet, progress, after);
}

AnalysisSummary buildDemoProject(const DemoProjectOptions& options, const WordNet& wordnet, const AnalysisCallback& progress,
                                 const std::function<void(ProjectStore&, const AnalysisSummary&)>& after) {
    auto set = buildWordNetConcepts(wordnet, demoCategories());
    set.origin = "wordnet:" + options.wordnetDir;
    const auto model = loadModel({options.modelDir, ""});
    const QString out = QString::fromStdString(options.out), partial = out + ".partial";
    if (!QDir().mkpath(QFileInfo(partial).absolutePath()))
        throw Error(QFileInfo(partial).absolutePath().toStdString() + ": cannot create the folder");
    removeDatabase(partial);
    AnalysisSummary summary;
    try {
        auto store = ProjectStore::open(partial.toStdString(), true);
        const int64_t modelId = store->addModel(*model), setId = store->addConceptSet(set);
        RunSettings settings;
        settings.keepResponses = options.keepResponses;
        summary = analyse(*store, *model, modelId, setId, settings, progress);
        if (after) after(*store, summary);
        if (options.suggestForcing) expertscope::suggestForcing(*store, demoForcingSuggestion());
        store->checkpoint();
    } catch (...) {
        removeDatabase(partial);
        throw;
    }
    removeDatabase(out);
    if (!QFile::rename(partial, out)) {
        removeDatabase(partial);
        throw Error(options.out + ": cannot move the finished project into place");
    }
    return summary;
}

}  // namespace expertscope
