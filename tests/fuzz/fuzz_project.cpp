// Feeds: the input as a project file (.esproj, an SQLite database), opened with
// ProjectStore::open as File > Open does (checks, write-ahead log, migrations), then read as
// the application reads a project: the scope the result rule picks, the model and its probe
// points, the forcing suggestion, the concept sets and concepts with their sentences and
// words, every finished result (chosen per concept and listed per run), expert counts, each
// result's expertise, top experts, single units and kept responses.
// Failure: anything but expertscope::Error (a crash, a sanitizer report, another exception
// such as one from a number parsed out of the file, an allocation sized by a stored value).
#include "core/project/concept_forcing.h"
#include "core/project/project_store.h"
#include "core/project/result_source.h"
#include "fuzz_support.h"

#include <QFile>

using namespace expertscope;

namespace {

void readProject(const ProjectStore& store) {
    ResultRequest request;
    const ResultRequest scope = chooseScope(store, request);
    const int64_t modelId = scope.modelId ? scope.modelId : store.latestModel();
    const int64_t setId = scope.setId ? scope.setId : store.latestConceptSet();
    std::vector<ProbePoint> probes;
    if (modelId) {
        probes = store.probes(modelId);
        fuzz::refusalAllowed([&] { (void)store.modelSource(modelId); });
    }
    (void)forcingSuggestion(store);
    std::map<int64_t, ProjectStore::ResultRef> results;
    if (setId) {
        request.modelId = modelId;
        request.setId = setId;
        fuzz::refusalAllowed([&] { results = chooseResults(store, request); });
        for (const auto& c : store.concepts(setId)) {
            fuzz::refusalAllowed([&] { (void)store.loadConcept(c.id); });
            (void)store.conceptWords(c.id);
        }
    }
    fuzz::refusalAllowed([&] { (void)expertCounts(store, results, 0.9); });
    for (const auto& ref : store.finishedResults("", 0, 0)) {
        (void)describeRun(ref);
        (void)store.results(ref.runId);
        (void)store.finishedConcepts(ref.runId);
        (void)store.expertCounts(ref.runId, 0.5);
        fuzz::refusalAllowed([&] { (void)store.sharedSentences(ref.setId, ref.runId); });
        fuzz::refusalAllowed([&] { (void)store.loadConceptResult(ref.runId, ref.conceptId); });
        const auto top = store.topExperts(ref.runId, ref.conceptId, 5);
        std::vector<int64_t> units;
        for (const auto& e : top) units.push_back(e.unit);
        fuzz::refusalAllowed([&] { (void)store.unitResults(ref.runId, ref.conceptId, ref.modelId, units); });
        for (const auto& e : top) fuzz::refusalAllowed([&] { (void)store.keptResponses(ref.runId, ref.conceptId, e.unit); });
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QString name = "project/p.esproj";
    for (const char* side : {"-wal", "-shm", "-journal"}) QFile::remove(fuzz::workDir() + "/" + name + side);  // the last input's
    const std::string path = fuzz::writeFile(name, data, size);
    fuzz::refusalAllowed([&] {
        const auto store = ProjectStore::open(path, false);
        readProject(*store);
    });
    return 0;
}
