#include "ui/project_session.h"

#include "core/base/error.h"
#include "core/project/analysis.h"
#include "core/project/model_location.h"
#include "core/project/result_source.h"
#include "core/project/run_names.h"
#include "ui/post_to_gui.h"

#include <QDir>
#include <QFileInfo>
#include <QPointer>
#include <QThreadPool>
#include <QTimer>


namespace expertscope {
ProjectSession::ProjectSession(QObject* parent)
    : QObject(parent), threshold_(kDefaultExpertThreshold), modelLane_(new QThreadPool(this)), analysisLane_(new QThreadPool(this)),
      otherWriters_(new QTimer(this)) {
    qRegisterMetaType<UnitDetails>();
    qRegisterMetaType<AnalysisStatus>();
    modelLane_->setMaxThreadCount(1);
    analysisLane_->setMaxThreadCount(1);
    runSettings_.keepResponses = 200;  // the inspector opens the best experts at once
    // A command-line analysis into the open project shows here as its concepts finish. A
    // read in WAL mode never waits for that writer, so the poll cannot stall the interface.
    otherWriters_->setInterval(1000);
    connect(otherWriters_, &QTimer::timeout, this, &ProjectSession::checkForOtherWriters);
}

ProjectSession::~ProjectSession() {
    cancelAnalysis();
    cancelGeneration();
    cancelSteeringCurve();
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

QString ProjectSession::modelDescription() const {
    if (!model_) return {};
    const ModelInfo& i = model_->info();
    QStringList parts{QString::fromStdString(i.family), QString::fromStdString(i.architecture),
                      tr("%1M parameters").arg(static_cast<double>(i.parameters) / 1e6, 0, 'f', 1)};
    if (!modelHasTokenizer()) parts << tr("no tokenizer");
    return parts.join(QStringLiteral(" · "));
}

bool ProjectSession::modelHasTokenizer() const { return model_ && !model_->info().tokenizerPath.empty(); }

int64_t ProjectSession::unitCount() const {
    return expertscope::unitCount(probes_);
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
    ++projectGeneration_;
    probeCache_ = std::make_shared<ProbeCache>();  // another project's experts are not these
    model_.reset();
    probes_.clear();
    modelId_ = setId_ = 0;
    results_.clear();
    try {
        dataVersion_ = store_->dataVersion();
    } catch (const std::exception&) {
    }
    otherWriters_->start();
    showStoredResults();
    return true;
}

// Shows the model and concept set of the results the current settings prefer (as the
// command line chooses them); the model loads in the background.
void ProjectSession::showStoredResults() {
    ResultRequest request;
    request.settings = runSettings_;
    const auto scope = chooseScope(*store_, request);
    modelId_ = scope.modelId ? scope.modelId : store_->latestModel();
    setId_ = scope.setId ? scope.setId : store_->latestConceptSet();
    if (modelId_) probes_ = store_->probes(modelId_);
    suggestion_ = expertscope::forcingSuggestion(*store_);
    reloadConcepts();
    emit projectChanged();
    emit modelChanged();
    missingModel_.clear();
    if (modelId_) {
        const auto where = findStoredModel(*store_, modelId_);
        if (!where.found) {
            missingModel_ = QString::fromStdString(where.storedPath);
            emit modelMissing(missingModel_);
            return;
        }
        // The stored model, checked to hold the same weights; found beside the project (the
        // two moved together), its new place is stored.
        startModelLoad(QString::fromStdString(where.source.path), QString::fromStdString(where.source.tokenizerPath),
                       StoredModel{true, where.source.path != where.storedPath});
    }
}

void ProjectSession::checkForOtherWriters() {
    if (!store_ || analysing_) return;  // an analysis here reloads as it goes
    try {
        const int64_t version = store_->dataVersion();
        if (version == dataVersion_) return;
        // A project that had no model or concepts when it opened: show what was written.
        if (!modelId_ && !model_) {
            if (store_->latestModel() && store_->latestConceptSet()) {
                probes_.clear();
                setId_ = 0;
                showStoredResults();
            }
        } else {
            if (!setId_) setId_ = store_->latestConceptSet();
            reloadConcepts();
        }
        dataVersion_ = version;  // only once shown: a failed reload is tried again next time
    } catch (const std::exception&) {
        // Busy or briefly unreadable: the next poll tries again.
    }
}

void ProjectSession::addModel(const QString& path, const QString& tokenizer) {
    if (!store_) {
        emit failed(tr("No project"), tr("Create or open a project before adding a model."));
        return;
    }
    startModelLoad(path, tokenizer, StoredModel{});
}

void ProjectSession::locateModel(const QString& path) {
    if (!store_ || !modelId_) {
        emit failed(tr("No project"), tr("Open a project before locating its model."));
        return;
    }
    // A tokenizer stored apart from the model, and still there, stays the model's.
    QString tokenizer;
    try {
        tokenizer = QString::fromStdString(store_->modelSource(modelId_).tokenizerPath);
    } catch (const std::exception& e) {
        emit failed(tr("Cannot read the project"), QString::fromStdString(e.what()));
        return;
    }
    startModelLoad(path, QFileInfo::exists(tokenizer) ? tokenizer : QString(), StoredModel{true, true});
}

void ProjectSession::startModelLoad(const QString& path, const QString& tokenizer, StoredModel stored) {
    emit busy(tr("Loading %1…").arg(QFileInfo(path).fileName()));
    QPointer<ProjectSession> self(this);
    const int64_t storedId = modelId_;
    const int generation = projectGeneration_;
    const ModelSource source{path.toStdString(), tokenizer.toStdString()};
    modelLane_->start([self, source, stored, storedId, generation] {
        std::shared_ptr<LanguageModel> model;
        std::string hash;  // the stored model's: its weights' hash, read here rather than on the interface thread
        QString error;
        try {
            model = loadModel(source);
            if (stored.is) hash = weightsHash(*model);
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        }
        if (!self) return;
        post(self.data(), [self, model, hash, error, stored, storedId, generation] {
            if (!self || self->projectGeneration_ != generation) return;  // loaded for a project since closed
            emit self->busy({});
            if (!error.isEmpty()) {
                emit self->failed(tr("The model could not be loaded"),
                                  error + "\n\n" + tr("Stored results stay viewable; generation and the inspector's "
                                                      "sentences need the model."));
                return;
            }
            if (stored.is) {
                if (!self->store_ || self->modelId_ != storedId) return;  // another model chosen since
                try {
                    self->store_->requireSameWeights(storedId, *model, hash);
                } catch (const std::exception& e) {
                    // Other weights where the model was: the results stay, File > Locate model finds it.
                    self->missingModel_ = QString::fromStdString(model->info().path);
                    emit self->failed(tr("Not this project's model"), QString::fromStdString(e.what()));
                    return;
                }
                // A read-only project keeps the old place; the model is used for this session.
                if (stored.moved && !self->store_->readOnly()) {
                    try {
                        self->store_->relocateModel(storedId, *model, hash);
                    } catch (const std::exception& e) {
                        emit self->failed(tr("The model's new place could not be stored"), QString::fromStdString(e.what()));
                    }
                }
                self->missingModel_.clear();
                self->useModel(model, storedId);
                return;
            }
            self->afterModelLoaded(model);
        });
    });
}

void ProjectSession::useModel(std::shared_ptr<LanguageModel> model, int64_t modelId) {
    modelId_ = modelId;
    model_ = std::move(model);
    probes_ = model_->probePoints();
    reloadConcepts();
    emit modelChanged();
}

void ProjectSession::afterModelLoaded(std::shared_ptr<LanguageModel> model) {
    int64_t id = 0;
    try {
        id = store_->addModel(*model);
    } catch (const std::exception& e) {
        emit failed(tr("Cannot store the model in the project"), QString::fromStdString(e.what()));
        return;
    }
    useModel(std::move(model), id);
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
        request.settings = runSettings_;
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
                s.bestAuroc = d->second.bestAuroc;
            }
            concepts_.push_back(s);
        }
    }
    // Counted before conceptsChanged, so what listens to it (the generation panel's preset)
    // reads the new counts.
    counts_ = store_ ? expertscope::expertCounts(*store_, results_, threshold_) : ExpertCounts{};
    emit conceptsChanged();
    emit expertCountsChanged(counts_);
}

int64_t ProjectSession::suggestedConcept() const {
    for (const auto& c : concepts_)
        if (c.analysed && c.name.toStdString() == suggestion_.concept) return c.id;
    return 0;
}

QStringList ProjectSession::defaultTargets(int64_t conceptId) const {
    QStringList out;
    for (const auto& c : concepts_)
        if (c.id == conceptId && store_)
            for (const auto& w : expertscope::defaultTargets(*store_, conceptId, c.name.toStdString())) out << QString::fromStdString(w);
    return out;
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

void ProjectSession::setRunSettings(const RunSettings& settings) {
    runSettings_ = settings;
    reloadConcepts();  // the results of these settings, where there are some
}

void ProjectSession::setExpertThreshold(double ap) {
    threshold_ = ap;
    recountExperts();
}

void ProjectSession::recountExperts() {
    counts_ = store_ ? expertscope::expertCounts(*store_, results_, threshold_) : ExpertCounts{};
    emit expertCountsChanged(counts_);
}

std::vector<Expert> ProjectSession::topExperts(int64_t conceptId, int k) const {
    const auto ref = result(conceptId);
    return store_ && ref.runId ? store_->topExperts(ref.runId, conceptId, k) : std::vector<Expert>{};
}

std::vector<Neighbour> ProjectSession::closestInProject(int64_t conceptId, int k) const {
    const auto ref = result(conceptId);
    return store_ && ref.runId ? expertscope::closestInProject(*store_, ref, k) : std::vector<Neighbour>{};
}

ConceptSummary ProjectSession::concept(int64_t conceptId) const {
    for (const auto& c : concepts_)
        if (c.id == conceptId) return c;
    return {};
}

}  // namespace expertscope
