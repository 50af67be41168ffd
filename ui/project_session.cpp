#include "ui/project_session.h"

#include "core/base/error.h"
#include "core/project/analysis.h"
#include "core/project/concept_forcing.h"
#include "core/project/result_source.h"
#include "core/project/unit_report.h"
#include "core/science/expert_queries.h"
#include "core/science/response_collector.h"

#include <QDir>
#include <QFileInfo>
#include <QMetaObject>
#include <QPointer>
#include <QThreadPool>

#include <algorithm>
#include <chrono>

namespace expertscope {
namespace {

// Runs `f` on the receiver's thread (the GUI thread), unless the receiver is gone.
template <typename F>
void post(QObject* receiver, F&& f) {
    QMetaObject::invokeMethod(receiver, std::forward<F>(f), Qt::QueuedConnection);
}

}  // namespace

ProjectSession::ProjectSession(QObject* parent)
    : QObject(parent), modelLane_(new QThreadPool(this)), analysisLane_(new QThreadPool(this)) {
    qRegisterMetaType<UnitDetails>();
    qRegisterMetaType<AnalysisStatus>();
    modelLane_->setMaxThreadCount(1);
    analysisLane_->setMaxThreadCount(1);
    runSettings.keepResponses = 200;  // the inspector opens the best experts at once
}

ProjectSession::~ProjectSession() {
    cancelAnalysis();
    cancelGeneration();
    waitForIdle();
}

void ProjectSession::waitForIdle() {
    analysisLane_->waitForDone();
    modelLane_->waitForDone();
}

QString ProjectSession::projectPath() const { return store_ ? QString::fromStdString(store_->path()) : QString(); }

QString ProjectSession::modelName() const {
    if (!model_) return {};
    // A folder called "model" says little: name its parent too ("demo/model").
    const QFileInfo fi(QString::fromStdString(model_->info().path));
    if (fi.fileName() == "model" || fi.fileName() == "models") return fi.dir().dirName() + "/" + fi.fileName();
    return fi.fileName();
}

int64_t ProjectSession::unitCount() const {
    return probes_.empty() ? 0 : probes_.back().offset + probes_.back().units;
}

bool ProjectSession::openProject(const QString& path, bool create) {
    if (analysing_) {
        emit failed(tr("Cannot open a project"), tr("An analysis is running; cancel it first."));
        return false;
    }
    std::unique_ptr<ProjectStore> store;
    try {
        store = ProjectStore::open(path.toStdString(), create);
    } catch (const std::exception& e) {
        emit failed(tr("Cannot open the project"), QString::fromStdString(e.what()));
        return false;
    }
    cancelGeneration();
    modelLane_->waitForDone();
    store_ = std::move(store);
    model_.reset();
    probes_.clear();
    modelId_ = setId_ = 0;
    results_.clear();
    // Show the model and concept set of the results the current settings prefer (as the
    // command line chooses them); the model loads in the background.
    ResultRequest request;
    request.settings = runSettings;
    const auto scope = chooseScope(*store_, request);
    modelId_ = scope.modelId ? scope.modelId : store_->latestModel();
    setId_ = scope.setId ? scope.setId : store_->latestConceptSet();
    if (modelId_) probes_ = store_->probes(modelId_);
    reloadConcepts();
    emit projectChanged();
    emit modelChanged();
    if (modelId_) {
        const auto source = store_->modelSource(modelId_);
        addModel(QString::fromStdString(source.path), QString::fromStdString(source.tokenizerPath));
    }
    return true;
}

void ProjectSession::addModel(const QString& path, const QString& tokenizer) {
    if (!store_) {
        emit failed(tr("No project"), tr("Create or open a project before adding a model."));
        return;
    }
    emit busy(tr("Loading %1…").arg(QFileInfo(path).fileName()));
    QPointer<ProjectSession> self(this);
    const ModelSource source{path.toStdString(), tokenizer.toStdString()};
    modelLane_->start([self, source] {
        std::shared_ptr<LanguageModel> model;
        QString error;
        try {
            model = loadModel(source);
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        }
        if (!self) return;
        post(self.data(), [self, model, error] {
            if (!self) return;
            emit self->busy({});
            if (!error.isEmpty()) {
                emit self->failed(tr("The model could not be loaded"),
                                  error + "\n\n" + tr("Stored results stay viewable; generation and the inspector's "
                                                      "sentences need the model."));
                return;
            }
            self->afterModelLoaded(model);
        });
    });
}

void ProjectSession::afterModelLoaded(std::shared_ptr<LanguageModel> model) {
    try {
        modelId_ = store_->addModel(*model);
    } catch (const std::exception& e) {
        emit failed(tr("Cannot store the model in the project"), QString::fromStdString(e.what()));
        return;
    }
    model_ = std::move(model);
    probes_ = model_->probePoints();
    reloadConcepts();
    emit modelChanged();
}

bool ProjectSession::addConcepts(const QString& path) {
    if (!store_) {
        emit failed(tr("No project"), tr("Create or open a project before adding concepts."));
        return false;
    }
    try {
        setId_ = importOrReuseConceptSet(*store_, path.toStdString());
    } catch (const std::exception& e) {
        emit failed(tr("The concepts could not be imported"), QString::fromStdString(e.what()));
        return false;
    }
    reloadConcepts();
    return true;
}

void ProjectSession::reloadConcepts() {
    concepts_.clear();
    results_.clear();
    if (store_ && setId_) {
        // Per concept: the newest run with the current settings, else the newest (results
        // made with other settings still show).
        ResultRequest request;
        request.settings = runSettings;
        request.modelId = modelId_;
        request.setId = setId_;
        try {
            results_ = chooseResults(*store_, request);
        } catch (const std::exception& e) {
            emit failed(tr("Cannot open the project"), QString::fromStdString(e.what()));
        }
        for (const auto& c : store_->concepts(setId_)) {
            ConceptSummary s{c.id, QString::fromStdString(c.name), QString::fromStdString(c.group), c.positives, c.negatives};
            const auto d = results_.find(c.id);
            if (d != results_.end()) {
                s.analysed = true;
                s.bestAp = d->second.bestAp;
            }
            concepts_.push_back(s);
        }
    }
    emit conceptsChanged();
}

ProjectStore::ResultRef ProjectSession::result(int64_t conceptId) const {
    const auto it = results_.find(conceptId);
    return it == results_.end() ? ProjectStore::ResultRef{} : it->second;
}

UnitExpertise ProjectSession::expertise(int64_t conceptId) const {
    const auto ref = result(conceptId);
    if (!store_ || !ref.runId) return {};
    try {
        return store_->loadConceptResult(ref.runId, conceptId);
    } catch (const Error&) {
        return {};
    }
}

std::map<int64_t, int> ProjectSession::expertCounts(double threshold) const {
    return store_ ? expertscope::expertCounts(*store_, results_, threshold) : std::map<int64_t, int>{};
}

std::vector<Expert> ProjectSession::topExperts(int64_t conceptId, int k) const {
    const auto ref = result(conceptId);
    return store_ && ref.runId ? store_->topExperts(ref.runId, conceptId, k) : std::vector<Expert>{};
}

ConceptSummary ProjectSession::concept(int64_t conceptId) const {
    for (const auto& c : concepts_)
        if (c.id == conceptId) return c;
    return {};
}

void ProjectSession::startAnalysis() {
    if (analysing_) return;
    if (!store_ || !model_ || !setId_) {
        emit failed(tr("Nothing to analyse"), !store_ ? tr("Open or create a project first.")
                                                  : !model_ ? tr("Add a model to the project first.")
                                                            : tr("Add a concept set to the project first."));
        return;
    }
    analysing_ = true;
    cancelAnalysis_ = std::make_shared<std::atomic<bool>>(false);
    emit busy(tr("Analysing…"));
    QPointer<ProjectSession> self(this);
    const std::string path = store_->path();
    auto model = model_;
    auto cancel = cancelAnalysis_;
    const int64_t modelId = modelId_, setId = setId_;
    const RunSettings settings = runSettings;
    analysisLane_->start([self, path, model, cancel, modelId, setId, settings] {
        bool completed = false, cancelled = false;
        QString message;
        try {
            // Its own connection: the GUI keeps reading the project meanwhile (WAL).
            auto store = ProjectStore::open(path, false);
            auto lastReport = std::chrono::steady_clock::now() - std::chrono::seconds(1);
            int lastDone = -1;
            const auto summary = analyse(*store, *model, modelId, setId, settings, [&](const AnalysisProgress& p) {
                const auto now = std::chrono::steady_clock::now();
                const bool conceptFinished = p.conceptsDone != lastDone;
                if (conceptFinished || now - lastReport > std::chrono::milliseconds(100)) {
                    lastReport = now;
                    AnalysisStatus s;
                    s.conceptsDone = p.conceptsDone;
                    s.conceptsTotal = p.conceptsTotal;
                    s.concept = QString::fromStdString(p.concept);
                    s.sentencesDone = p.sentencesDone;
                    s.sentencesTotal = p.sentencesTotal;
                    s.rate = p.seconds > 0 ? static_cast<double>(p.sentencesDone) / p.seconds : 0;
                    s.etaSeconds = s.rate > 0 ? static_cast<double>(p.sentencesTotal - p.sentencesDone) / s.rate : -1;
                    const bool reload = conceptFinished && lastDone >= 0;
                    lastDone = p.conceptsDone;
                    if (self)
                        post(self.data(), [self, s, reload] {
                            if (!self) return;
                            if (reload) self->reloadConcepts();  // finished concepts show at once
                            emit self->analysisProgress(s);
                        });
                }
                return !cancel->load();
            });
            completed = true;
            message = tr("%n concept(s) analysed", nullptr, summary.analysed);
            if (summary.refused) message += ", " + tr("%n refused", nullptr, summary.refused);
            for (const auto& m : summary.messages)
                if (m.fatal) message += "\n" + QString::fromStdString(m.concept + ": " + m.message);
        } catch (const Cancelled&) {
            cancelled = true;
            message = tr("Analysis cancelled; finished concepts are saved and the run resumes when started again.");
        } catch (const std::exception& e) {
            message = QString::fromStdString(e.what());
        }
        if (!self) return;
        post(self.data(), [self, completed, cancelled, message] {
            if (!self) return;
            self->analysing_ = false;
            self->reloadConcepts();
            emit self->busy({});
            emit self->analysisFinished(completed, cancelled, message);
        });
    });
}

void ProjectSession::cancelAnalysis() {
    if (cancelAnalysis_) cancelAnalysis_->store(true);
}

namespace {

UnitDetails toDetails(const UnitReport& r, int64_t conceptId, const QString& concept) {
    UnitDetails d;
    d.conceptId = conceptId;
    d.unit = r.unit;
    d.concept = concept;
    d.probe = QString::fromStdString(r.probe);
    d.unitInProbe = r.unitInProbe;
    d.ap = r.ap;
    d.onP50 = r.onP50;
    d.onP90 = r.onP90;
    d.offMean = r.offMean;
    d.responses = r.responses;
    d.labels = r.labels;
    d.fromKeptResponses = r.fromKeptResponses;
    const auto sentences = [](const std::vector<SentenceReport>& list) {
        QVector<SentenceActivation> out;
        for (const auto& s : list) {
            SentenceActivation a{QString::fromStdString(s.sentence), s.positive, s.response, {}};
            for (const auto& t : s.tokens) a.tokens.push_back({QString::fromStdString(t.text), t.value});
            out.push_back(a);
        }
        return out;
    };
    d.strongest = sentences(r.strongest);
    d.weakest = sentences(r.weakest);
    return d;
}

}  // namespace

void ProjectSession::requestUnitDetails(int64_t conceptId, int64_t unit) {
    const auto ref = result(conceptId);
    if (!store_ || !ref.runId || probes_.empty()) return;
    UnitReport report;
    try {
        report = storedUnitReport(*store_, ref, unit);
    } catch (const Error&) {
        return;  // not a unit of these results
    }
    const QString name = concept(conceptId).name;
    emit unitDetailsReady(toDetails(report, conceptId, name));  // the stored values at once; sentences follow
    if (!model_) return;
    const Concept stored = store_->loadConcept(conceptId);
    // The shown run's settings, not the preferences: the responses must be the ones its
    // AP came from (pooling, length, long sentences, BOS).
    RunSettings settings = ref.settings;
    settings.tokenBudget = runSettings.tokenBudget;
    auto model = model_;
    QPointer<ProjectSession> self(this);
    modelLane_->start([self, report, stored, settings, model, conceptId, name]() mutable {
        try {
            explainUnit(report, stored, settings, *model);
        } catch (const std::exception& e) {
            if (self) post(self.data(), [self, m = QString::fromStdString(e.what())] {
                    if (self) emit self->failed(tr("The unit's sentences could not be computed"), m);
                });
            return;
        }
        if (self) post(self.data(), [self, d = toDetails(report, conceptId, name)] {
                if (self) emit self->unitDetailsReady(d);
            });
    });
}

int ProjectSession::generate(const GenerationRequest& request) {
    cancelGeneration();
    const int job = ++nextJob_;
    // Answers always arrive later through the event loop, once the caller knows the job.
    if (!model_) {
        post(this, [this, job] { emit generationFinished(job, tr("No model is loaded.")); });
        return job;
    }
    Forcing forcing;
    forcing.scope = request.scope;
    try {
        for (const auto& f : request.forcings) {
            if (f.experts <= 0) continue;
            const auto ref = result(f.conceptId);
            if (!store_ || !ref.runId) throw Error("the concept has no results yet: analyse it first");
            forceConceptExperts(forcing, *store_, ref, model_->probePoints(), f.experts, f.value, f.strength);
        }
    } catch (const std::exception& e) {
        post(this, [this, job, m = QString::fromStdString(e.what())] { emit generationFinished(job, m); });
        return job;
    }
    auto cancel = cancelGeneration_ = std::make_shared<std::atomic<bool>>(false);
    auto model = model_;
    QPointer<ProjectSession> self(this);
    const std::string prompt = request.prompt.toStdString();
    const GenerationOptions options = request.options;
    const int eos = model_->info().eosId, bos = model_->info().bosId;
    modelLane_->start([self, job, cancel, model, forcing, prompt, options, eos, bos] {
        QString error;
        try {
            const auto ids = prompt.empty() ? std::vector<int>{} : model->tokenize(prompt);
            for (bool forced : {false, true}) {
                model->generate(ids, options, forced ? forcing : Forcing{}, [&](int token, const std::string& text) {
                    if (cancel->load()) return false;
                    // Past the end of a text (when generation goes on), a new line.
                    const QString shown = token == eos ? QStringLiteral("\n") : token == bos ? QString() : QString::fromStdString(text);
                    if (self) post(self.data(), [self, job, forced, t = shown] {
                            if (self) emit self->tokenGenerated(job, forced, t);
                        });
                    return true;
                });
                if (cancel->load()) return;  // a newer request follows; this one says nothing more
            }
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        }
        if (self) post(self.data(), [self, job, error] {
                if (self) emit self->generationFinished(job, error);
            });
    });
    return job;
}

void ProjectSession::cancelGeneration() {
    if (cancelGeneration_) cancelGeneration_->store(true);
}

}  // namespace expertscope
