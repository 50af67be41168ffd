#pragma once
// The open project as the widgets see it: the project file, the model it analyses, its
// concepts and their results. Everything slow (loading a model, an analysis, a unit's
// responses, generation) runs off the GUI thread and reports back through signals, so the
// interface never waits. Talks to core/ only through its LibTorch-free headers.
#include "core/project/concept_forcing.h"
#include "core/project/project_store.h"
#include "core/project/result_source.h"
#include "core/project/steering_curve.h"
#include "core/project/text_probe.h"
#include "core/runtime/language_model.h"
#include "core/science/expert_forcing.h"
#include "core/science/expertise.h"

#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <atomic>
#include <limits>
#include <map>
#include <memory>
#include <mutex>

class QThreadPool;
class QTimer;

namespace expertscope {

// Experts per analysed concept id; concepts with none are absent.
using ExpertCounts = std::map<int64_t, int>;

struct ConceptSummary {
    int64_t id = 0;
    QString name, group;
    int positives = 0, negatives = 0;
    bool analysed = false;
    double bestAp = 0;
    double bestAuroc = std::numeric_limits<double>::quiet_NaN();  // NaN: stored before AUROC was computed
};

struct TokenActivation {
    QString text;
    float value = 0;
};
struct SentenceActivation {
    QString sentence;
    bool positive = false;
    float response = 0;
    QVector<TokenActivation> tokens;  // empty until computed
};

// One unit of one concept, with everything the inspector shows.
struct UnitDetails {
    int64_t conceptId = 0, unit = 0;
    QString concept, probe;
    int unitInProbe = 0;
    double ap = 0, onP50 = 0, onP90 = 0, offMean = 0;
    double auroc = std::numeric_limits<double>::quiet_NaN();  // NaN: not computed for these results
    std::vector<float> responses;  // per sentence of the concept
    std::vector<uint8_t> labels;
    bool fromKeptResponses = false;
    QVector<SentenceActivation> strongest, weakest;  // with per-token activations
};

struct ConceptForcing {
    int64_t conceptId = 0;
    int experts = 0;  // ignored by Aura, which dampens every unit with AUROC > 0.5
    ForceValue value = ForceValue::OnP50;
    double strength = 1.0;  // multiplies the value (on values only)
};

struct GenerationRequest {
    QString prompt;
    std::vector<ConceptForcing> forcings;
    GenerationOptions options;
    ForceScope scope = ForceScope::AllPositions;
};

struct AnalysisStatus {
    int conceptsDone = 0, conceptsTotal = 0;
    QString concept;
    qint64 sentencesDone = 0, sentencesTotal = 0;
    double rate = 0, etaSeconds = -1;  // sentences a second; -1: unknown
};

class ProjectSession : public QObject {
    Q_OBJECT
public:
    explicit ProjectSession(QObject* parent = nullptr);
    ~ProjectSession() override;

    // Each of these reports failure through `failed` and returns false.
    bool openProject(const QString& path, bool create);
    void addModel(const QString& path, const QString& tokenizer = {});  // loads in the background
    // The project's model, moved: loads it from `path` in the background and, once its
    // weights are checked to be the ones the results came from, stores the new place.
    void locateModel(const QString& path);
    QString missingModel() const { return missingModel_; }  // where it was stored, while it is not found
    bool addConcepts(const QString& path);
    void startAnalysis();
    void cancelAnalysis();
    // Settings for new analyses, also preferred among stored runs: the concepts' results
    // are chosen again and conceptsChanged answers.
    void setRunSettings(const RunSettings& settings);
    const RunSettings& runSettings() const { return runSettings_; }
    // The AP at which a unit counts as an expert: expertCountsChanged answers.
    void setExpertThreshold(double ap);
    double expertThreshold() const { return threshold_; }

    bool hasProject() const { return store_ != nullptr; }
    QString projectPath() const;
    bool hasModel() const { return model_ != nullptr; }
    // BERT, RoBERTa: generation fills in [MASK] instead (core/science/fill_mask.h).
    bool modelIsEncoder() const { return model_ && model_->info().encoder; }
    QString modelName() const;
    // "qwen2 · Qwen2ForCausalLM · 0.1M parameters", with "no tokenizer" when it has none.
    QString modelDescription() const;
    // Whether the model can read text: a folder without a tokenizer runs on ids only, and
    // analyses need sentences.
    bool modelHasTokenizer() const;
    bool analysing() const { return analysing_; }
    const std::vector<ProbePoint>& probes() const { return probes_; }
    int64_t unitCount() const;
    const QVector<ConceptSummary>& concepts() const { return concepts_; }
    // Where a concept's shown results come from (runId 0 when it has none): the run
    // result_source.h chooses for the current settings, within the shown model and set.
    ProjectStore::ResultRef result(int64_t conceptId) const;
    // The whole result of a concept (empty when it has none yet).
    UnitExpertise expertise(int64_t conceptId) const;
    std::vector<Expert> topExperts(int64_t conceptId, int k) const;
    // What a concept of this set is like among every analysed concept of the project
    // (core/project/result_source.h); empty when it has no results.
    std::vector<Neighbour> closestInProject(int64_t conceptId, int k) const;
    // Experts (AP >= the expert threshold) per analysed concept; absent: none.
    const ExpertCounts& expertCounts() const { return counts_; }
    ConceptSummary concept(int64_t conceptId) const;
    // What the project suggests forcing first (core/project/concept_forcing.h), and its
    // concept's id among the shown analysed concepts (0: none, or not analysed).
    const ForcingSuggestion& forcingSuggestion() const { return suggestion_; }
    int64_t suggestedConcept() const;

    // Background work that needs the model; each answer comes through a signal.
    void requestUnitDetails(int64_t conceptId, int64_t unit);
    // Runs without forcing, then with it, at the same seed; a new request cancels the last.
    // Decoders write on after the prompt; encoders answer with their guesses for each [MASK]
    // of it (one tokenGenerated each, without and with forcing).
    int generate(const GenerationRequest& request);
    void cancelGeneration();
    // The steering curve of a concept's stored results (core/project/steering_curve.h), in
    // the background; a new request cancels the last. Answers: steeringProgress, steeringFinished.
    int runSteeringCurve(int64_t conceptId, const SteeringOptions& options);
    // Which analysed concepts a text lights up (core/project/text_probe.h), in the
    // background; a newer request supersedes older ones, cancelling one under way between
    // its passes (only the newest is answered). Answer: textProbed.
    int probeText(const QString& text, const TextProbeOptions& options);
    // The text probe under way (if any) stops at its next pass and is not answered.
    void cancelTextProbe() { latestProbe_->store(++nextJob_); }
    // The words a concept's steering curve counts by default (core's defaultTargets).
    QStringList defaultTargets(int64_t conceptId) const;
    void cancelSteeringCurve();
    void waitForIdle();  // for tests and quitting: until background work has ended

signals:
    void projectChanged();
    void modelChanged();
    void conceptsChanged();
    void expertCountsChanged(const ExpertCounts& counts);  // after conceptsChanged, or a new threshold
    void busy(const QString& what);  // empty when idle
    void analysisProgress(const AnalysisStatus& status);
    void analysisFinished(bool completed, bool cancelled, const QString& message);
    void unitDetailsReady(const UnitDetails& details);
    void tokenGenerated(int job, bool forced, const QString& text);
    void generationFinished(int job, const QString& error);
    void steeringProgress(int job, int done, int total);
    void steeringFinished(int job, const SteeringCurve& curve, const QString& error);  // error empty when done
    void textProbed(int job, const TextProbe& result, const QString& error);  // error empty when done
    void failed(const QString& title, const QString& message);
    // The results' model is at neither its stored place nor the same place relative to
    // the project: the window asks the user to locate it.
    void modelMissing(const QString& storedPath);

private:
    void showStoredResults();
    void checkForOtherWriters();
    void reloadConcepts();
    void recountExperts();
    void afterModelLoaded(std::shared_ptr<LanguageModel> model);
    void useModel(std::shared_ptr<LanguageModel> model, int64_t modelId);  // a stored model, loaded
    // The project's own model (is) is checked against its stored weights and keeps its id
    // and results; moved: its new place is stored too. Any other is added to the project.
    struct StoredModel {
        bool is = false, moved = false;
    };
    void startModelLoad(const QString& path, const QString& tokenizer, StoredModel stored);
    QString missingModel_;
    int projectGeneration_ = 0;  // counts openProject: a model loaded for an earlier project is dropped
    std::unique_ptr<ProjectStore> store_;
    std::shared_ptr<LanguageModel> model_;
    int64_t modelId_ = 0, setId_ = 0;
    std::map<int64_t, ProjectStore::ResultRef> results_;  // by concept id: the chosen run of each
    std::vector<ProbePoint> probes_;
    QVector<ConceptSummary> concepts_;
    RunSettings runSettings_;
    double threshold_;
    ExpertCounts counts_;
    ForcingSuggestion suggestion_;
    std::shared_ptr<std::atomic<int>> latestProbe_ = std::make_shared<std::atomic<int>>(0);
    // The text probe's experts, read from the project once per results, threshold and k
    // (on the model lane; the key says which).
    struct ProbeCache {
        std::mutex mutex;
        std::string key;
        std::shared_ptr<const ProbeExperts> experts;
    };
    std::shared_ptr<ProbeCache> probeCache_ = std::make_shared<ProbeCache>();
    bool analysing_ = false;
    std::shared_ptr<std::atomic<bool>> cancelAnalysis_, cancelGeneration_, cancelSteering_;
    int nextJob_ = 0;
    QThreadPool* modelLane_;  // one thread: model calls run one at a time, in order
    QThreadPool* analysisLane_;
    QTimer* otherWriters_;  // polls the project for commits by other processes
    int64_t dataVersion_ = 0;
};

}  // namespace expertscope

Q_DECLARE_METATYPE(expertscope::UnitDetails)
Q_DECLARE_METATYPE(expertscope::AnalysisStatus)
