// ProjectSession's background work: analyses, a unit's sentences and generation. Each runs
// on a thread pool and answers through the session's signals on the GUI thread.
#include "ui/project_session.h"

#include "core/base/error.h"
#include "core/project/analysis.h"
#include "core/project/concept_forcing.h"
#include "core/project/unit_report.h"
#include "core/science/fill_mask.h"
#include "core/science/response_collector.h"
#include "ui/post_to_gui.h"

#include <QPointer>
#include <QThreadPool>

#include <chrono>

namespace expertscope {

void ProjectSession::startAnalysis() {
    if (analysing_) return;
    if (!store_ || !model_ || !setId_) {
        emit failed(tr("Nothing to analyse"), !store_ ? tr("Open or create a project first.")
                                                  : !model_ ? tr("Add a model to the project first.")
                                                            : tr("Add a concept set to the project first."));
        return;
    }
    if (!modelHasTokenizer()) {
        emit failed(tr("The model has no tokenizer"),
                    tr("%1 has no tokenizer Expertscope can read, and an analysis needs the sentences as tokens. Add the "
                       "model again and choose its tokenizer (File > Add model…).")
                        .arg(modelName()));
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
    const RunSettings settings = runSettings_;
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
    d.auroc = r.auroc;
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
    settings.tokenBudget = runSettings_.tokenBudget;
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
            if (f.experts <= 0 && f.value != ForceValue::Aura) continue;  // AurA takes every unit whatever the count
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
            if (model->info().encoder) {  // fills in [MASK] instead: the guesses, after the prompt
                for (bool forced : {false, true}) {
                    if (cancel->load()) return;  // a newer request follows
                    const auto masks = fillMasks(*model, prompt, forced ? forcing : Forcing{}, 10);
                    const QString text = "\n" + QString::fromStdString(describeFilledMasks(masks));
                    if (self) post(self.data(), [self, job, forced, text] {
                            if (self) emit self->tokenGenerated(job, forced, text);
                        });
                }
                if (self) post(self.data(), [self, job] {
                        if (self) emit self->generationFinished(job, QString());
                    });
                return;
            }
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

int ProjectSession::runSteeringCurve(int64_t conceptId, const SteeringOptions& options) {
    cancelSteeringCurve();
    const int job = ++nextJob_;
    const auto ref = result(conceptId);
    if (!model_ || !store_ || !ref.runId) {
        const QString why = !model_ ? tr("No model is loaded.") : tr("The concept has no results yet: analyse it first.");
        post(this, [this, job, why] { emit steeringFinished(job, {}, why); });
        return job;
    }
    auto cancel = cancelSteering_ = std::make_shared<std::atomic<bool>>(false);
    auto model = model_;
    const std::string path = store_->path();
    QPointer<ProjectSession> self(this);
    modelLane_->start([self, job, cancel, model, path, ref, options] {
        SteeringCurve curve;
        QString error;
        try {
            const auto store = ProjectStore::open(path, false);  // this thread's own connection
            curve = steeringCurve(*model, *store, ref, options, [&](int done, int total) {
                if (self) post(self.data(), [self, job, done, total] {
                        if (self) emit self->steeringProgress(job, done, total);
                    });
                return !cancel->load();
            });
        } catch (const Cancelled&) {
            error = tr("Cancelled.");
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        }
        if (self) post(self.data(), [self, job, curve, error] {
                if (self) emit self->steeringFinished(job, curve, error);
            });
    });
    return job;
}

int ProjectSession::probeText(const QString& text, const TextProbeOptions& options) {
    const int job = ++nextJob_;
    latestProbe_->store(job);
    if (!model_ || !store_ || results_.empty()) {
        const QString why = !model_ ? tr("No model is loaded.") : tr("No concept has results yet: analyse first (Ctrl+R).");
        post(this, [this, job, why] { emit textProbed(job, {}, why); });
        return job;
    }
    auto model = model_;
    auto latest = latestProbe_;
    auto cache = probeCache_;
    const std::string path = store_->path(), body = text.toStdString();
    const auto results = results_;
    std::string key = path + " " + std::to_string(modelId_) + " " + std::to_string(options.threshold) + "/" + std::to_string(options.topK);
    for (const auto& [conceptId, ref] : results) key += " " + std::to_string(ref.runId) + ":" + std::to_string(conceptId);
    QPointer<ProjectSession> self(this);
    modelLane_->start([self, job, latest, cache, key, model, path, results, body, options] {
        const auto superseded = [latest, job] { return latest->load() != job; };
        if (superseded()) return;  // typed on meanwhile: only the newest text is run
        TextProbe result;
        QString error;
        try {
            std::shared_ptr<const ProbeExperts> experts;
            {
                std::lock_guard<std::mutex> lock(cache->mutex);
                if (cache->key == key) experts = cache->experts;
            }
            if (!experts) {
                const auto store = ProjectStore::open(path, false);  // this thread's own connection
                experts = std::make_shared<const ProbeExperts>(probeExperts(*store, results, options));
                std::lock_guard<std::mutex> lock(cache->mutex);
                cache->key = key;
                cache->experts = experts;
            }
            result = expertscope::probeText(*model, *experts, body, superseded);
        } catch (const Cancelled&) {
            return;  // a newer text is queued behind: it answers
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        }
        if (superseded()) return;  // cancelled during the last pass: never shown
        if (self) post(self.data(), [self, job, result, error] {
                if (self) emit self->textProbed(job, result, error);
            });
    });
    return job;
}

void ProjectSession::cancelSteeringCurve() {
    if (cancelSteering_) cancelSteering_->store(true);
}

}  // namespace expertscope
