#pragma once
// The project file: one SQLite database holding models, concept sets and their sentences,
// analysis runs and their results. Results are stored per concept and probe point as
// compact float32 vectors (AP, AUROC, on_p50, on_p90, off_mean), with the top experts of each
// concept indexed for queries. Each finished concept is one transaction, so a run stopped
// at any moment (cancel, crash, kill) resumes where it stopped and loses nothing.
#include "core/project/concepts.h"
#include "core/runtime/language_model.h"
#include "core/science/expertise.h"

#include <limits>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

struct sqlite3;

namespace expertscope {

struct StoredConcept {
    int64_t id = 0;
    std::string name, group;
    int positives = 0, negatives = 0;
};

struct RunSettings {
    Pooling pooling = Pooling::Max;
    int sequenceLength = 0;  // longer sentences (in tokens) are dropped or cut; 0: the model's context
    LongSentencePolicy longSentences = LongSentencePolicy::Drop;  // ml-selfcond drops them
    int tokenBudget = 1024;
    int workers = 0;
    // Max and Mean pooling over the BOS position too. Only runs from projects before schema 3
    // did (the migration marks them so); new runs never do.
    bool poolBos = false;
    // Not part of a run's identity: how the work is done, not what it computes.
    int keepResponses = 0;           // persist per-sentence responses of this many top experts
    int64_t reuseBytes = int64_t{1} << 30;  // responses of sentences shared by concepts kept for reuse
    int64_t maxResponseBytes = 0;  // one concept's responses at most; 0: half of the machine's memory
    // Each concept's responses in a temporary file, scored probe by probe (core/science/
    // response_spool.h); also chosen, concept by concept, when they exceed maxResponseBytes.
    bool responsesOnDisk = false;
    std::string scratchFolder;  // where that file goes; empty: the system's (TMPDIR)
    int shardIndex = 1, shardCount = 1;  // analyse only shard shardIndex of shardCount (shards.h)
};

// Per-sentence responses of a concept's top experts, persisted when a run asks for them.
struct KeptResponses {
    std::vector<int64_t> units;       // global unit indices
    std::vector<std::string> sentences;
    std::vector<uint8_t> labels;      // 1: positive
    std::vector<float> values;        // [units, sentences]
};

class ProjectStore {
public:
    static constexpr int kSchemaVersion = 6;
    // Opens an existing project (refusing, without writing to it, a file that is not a
    // sound Expertscope project) or creates a new one when `create` is set.
    static std::unique_ptr<ProjectStore> open(const std::string& path, bool create);
    ~ProjectStore();

    // The same model file (by path and weights hash) is stored once.
    int64_t addModel(const LanguageModel& model);
    // With reuseOrigin, a set already imported from the same origin is returned instead
    // (decided under the write lock, so concurrent imports make one set).
    int64_t addConceptSet(const ConceptSet& set, bool reuseOrigin = false);
    // The concept set imported from this origin (file or folder), or 0.
    int64_t findConceptSet(const std::string& origin) const;
    std::vector<StoredConcept> concepts(int64_t setId) const;
    bool hasConcept(const std::string& name) const;  // in any concept set
    Concept loadConcept(int64_t conceptId) const;
    // Concept::words as stored (empty for concepts stored before schema 5 or given none).
    std::vector<std::string> conceptWords(int64_t conceptId) const;

    int64_t createRun(int64_t modelId, int64_t setId, const RunSettings& settings);
    // The run with these settings, created when there is none, under the write lock.
    int64_t findOrCreateRun(int64_t modelId, int64_t setId, const RunSettings& settings);
    // The run of this model, concept set and settings (finished or not), or 0.
    int64_t findRun(int64_t modelId, int64_t setId, const RunSettings& settings) const;
    // Concepts stored without AUROC (by a version before schema 4) do not count as finished
    // here, so analysing again computes them anew, in place; every reader still shows them.
    std::vector<int64_t> finishedConcepts(int64_t runId) const;
    // Sentences that two or more concepts of the set, not yet finished in the run (as
    // finishedConcepts counts), use: how many use each.
    // Only the concepts in `among`, when it is not empty.
    std::unordered_map<std::string, int> sharedSentences(int64_t setId, int64_t runId,
                                                         const std::vector<int64_t>& among = {}) const;
    void finishRun(int64_t runId);

    // One transaction: every probe's vectors, the concept's summary and its top experts.
    void saveConceptResult(int64_t runId, int64_t conceptId, const std::vector<ProbePoint>& probes,
                           const UnitExpertise& expertise, int positives, int negatives, double seconds,
                           const KeptResponses* kept = nullptr);
    // AUROC reads NaN for every unit of results stored before it was computed.
    UnitExpertise loadConceptResult(int64_t runId, int64_t conceptId) const;
    std::vector<Expert> topExperts(int64_t runId, int64_t conceptId, int k) const;
    // The stored values of a few units (entry i is units[i]), reading only the probes that
    // hold them: a concept's experts without the whole model's vectors.
    UnitExpertise unitResults(int64_t runId, int64_t conceptId, int64_t modelId, const std::vector<int64_t>& units) const;
    // The persisted responses of one unit (units empty when none were kept for it).
    KeptResponses keptResponses(int64_t runId, int64_t conceptId, int64_t unit) const;

    // One finished concept of one run, with what the run computed it with. Which run a
    // front end shows for a concept is decided in result_source.h, not here.
    struct ResultRef {
        int64_t runId = 0, conceptId = 0, modelId = 0, setId = 0;
        std::string concept, group, source, setName, modelPath, pooling;
        int positives = 0, negatives = 0, sequenceLength = 0;
        double bestAp = 0;
        // The highest AUROC of any unit; NaN for results stored before it was computed.
        double bestAuroc = std::numeric_limits<double>::quiet_NaN();
        // The run's identity (pooling, sequence length, long sentences, BOS), read back
        // from the project; the settings of how the work was done keep their defaults.
        RunSettings settings;
        // Whether pooling took in the BOS position: runs from before schema 3 with max or
        // mean pooling, and every ml-selfcond run (it pools all positions).
        bool bosPooled = false;
    };
    // Every finished concept matching a name (empty: any), a model and a concept set (0:
    // any), newest run first.
    std::vector<ResultRef> finishedResults(const std::string& conceptName, int64_t modelId = 0, int64_t setId = 0) const;
    std::vector<ResultRef> results(int64_t runId) const;          // every finished concept of a run
    // Per concept of a run, its stored top experts with AP >= threshold: exact below the
    // number stored (kTopExpertsStored), that number when more pass (count them from the
    // full result then). One query, however many concepts.
    std::map<int64_t, int> expertCounts(int64_t runId, double threshold) const;
    static constexpr int kTopExpertsStored = 1000;
    std::vector<ProbePoint> probes(int64_t modelId) const;
    // Where a stored model's files are (as added; they may since have moved).
    ModelSource modelSource(int64_t modelId) const;
    // The same place relative to the project file's folder as it was then ("" for models
    // stored before schema 6): a project moved together with its model still finds it.
    std::string modelRelativePath(int64_t modelId) const;
    // Stores every model's relative path anew, from where the project file now is (after
    // it was written elsewhere, as a merge writes it).
    void refreshRelativePaths();
    // Throws Error unless `weightsHash` (of `model`, see weightsHash()) is the stored
    // model's: only the same weights may stand in for the model the results came from.
    void requireSameWeights(int64_t modelId, const LanguageModel& model, const std::string& weightsHash) const;
    // The stored model's files now lie where `model` was loaded from: checked to be the
    // same weights (else Error, nothing changed), then its path is stored instead.
    void relocateModel(int64_t modelId, const LanguageModel& model, const std::string& weightsHash);
    int64_t latestModel() const;       // 0 when there is none
    int64_t latestConceptSet() const;  // 0 when there is none

    // Project-wide values by key (the meta table); "" when unset.
    void setMeta(const std::string& key, const std::string& value);
    std::string meta(const std::string& key) const;

    const std::string& path() const { return path_; }
    bool readOnly() const;  // the file could only be opened for reading
    void requireWritable() const;  // throws, saying so, when it was
    // Changes whenever another connection (another process, or another thread's store)
    // commits to the project: what a viewer polls to show results as they land.
    int64_t dataVersion() const;
    // Folds the write-ahead log into the file, so the file alone holds everything.
    void checkpoint();

private:
    ProjectStore(std::string path, sqlite3* db);
    std::string relativeToProject(const std::string& modelPath) const;
    void exec(const std::string& sql) const;
    void rollback() const noexcept;
    std::string path_;
    sqlite3* db_;
};

// A run's identity as stored in the project: two runs compute the same results exactly
// when their texts are equal. The BOS marker is named only when it changes what is pooled.
std::string settingsText(const RunSettings& settings);
// Reads a stored settings text back (the work settings keep their defaults).
RunSettings parseSettingsText(const std::string& text);

// Hex SHA-256 of a model's weight files (for recognising the same model).
std::string weightsHash(const LanguageModel& model);

}  // namespace expertscope
