#pragma once
// Three small real projects for the model ranking's tests: stories260K analysed on two tiny
// concepts with max, mean and ml-selfcond pooling, three "models" whose expert counts differ.
#include "core/project/analysis.h"
#include "core/project/concepts.h"
#include "core/project/project_store.h"
#include "core/runtime/language_model.h"

#include <QDir>
#include <QFileInfo>
#include <QStringList>

namespace expertscope::test {

inline std::vector<Concept> rankingConcepts() {
    const auto concept = [](const std::string& name, std::vector<std::string> positives, std::vector<std::string> negatives) {
        return Concept{name, "test", "test", std::move(positives), std::move(negatives), {}};
    };
    return {concept("ball", {"The boy kicked the ball.", "She threw the ball far.", "The ball rolled away.", "He caught the red ball."},
                    {"The cat slept all day.", "Mom baked a cake.", "The sun was warm.", "They went to bed."}),
            concept("dog", {"The dog barked loudly.", "A dog ran in the park.", "Her dog was happy.", "The little dog wagged."},
                    {"The tree was tall.", "He drank some milk.", "The girl sang a song.", "It rained all night."})};
}

// The projects max/mean/selfcond.esproj in `dir`, made on first use (functions that do not
// need them stay fast); `bin` is stories260K.bin.
inline QStringList rankingProjects(const QDir& dir, const QString& bin) {
    QStringList paths;
    const std::pair<const char*, Pooling> runs[]{{"max", Pooling::Max}, {"mean", Pooling::Mean}, {"selfcond", Pooling::SelfcondMax}};
    for (const auto& [name, pooling] : runs) {
        const QString path = dir.filePath(QString("%1.esproj").arg(name));
        paths << path;
        if (QFileInfo::exists(path)) continue;
        auto store = ProjectStore::open(path.toStdString(), true);
        const auto model = loadModel({bin.toStdString(), ""});
        const int64_t setId = store->addConceptSet(ConceptSet{"ranking", "test-ranking", rankingConcepts()});
        RunSettings settings;
        settings.pooling = pooling;
        settings.workers = 1;
        if (pooling == Pooling::SelfcondMax) settings.sequenceLength = 16;  // ml-selfcond pads to a fixed length
        analyse(*store, *model, store->addModel(*model), setId, settings);
        store->checkpoint();
    }
    return paths;
}

}  // namespace expertscope::test
