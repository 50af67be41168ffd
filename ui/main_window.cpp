#include "ui/main_window.h"

#include "ui/analysis_progress.h"
#include "ui/app_settings.h"
#include "ui/colearning_view.h"
#include "ui/concept_list.h"
#include "ui/expertise_panel.h"
#include "ui/figure_context.h"
#include "ui/figure_export.h"
#include "ui/generation_panel.h"
#include "ui/ranking_view.h"
#include "ui/steering_view.h"
#include "ui/text_probe_view.h"
#include "ui/unit_inspector.h"

#include "core/project/run_names.h"

#include <QCloseEvent>
#include <QJsonArray>
#include <QDockWidget>
#include <QFileInfo>
#include <QLabel>
#include <QMessageBox>
#include <QScreen>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>

namespace expertscope {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), session_(new ProjectSession(this)) {
    setWindowTitle(tr("Expertscope"));
    setObjectName("mainWindow");
    // 1500 x 920 where the screen has room; on smaller screens (1280 x 720) what it has.
    const QSize room = screen() ? screen()->availableGeometry().size() : QSize(1500, 920);
    resize(QSize(1500, 920).boundedTo(room));
    setAcceptDrops(true);

    // Views.
    expertise_ = new ExpertisePanel(this);
    expertise_->setObjectName("expertisePanel");
    coLearning_ = new CoLearningView(session_, this);
    coLearning_->setObjectName("coLearningView");
    generation_ = new GenerationPanel(session_, this);
    generation_->setObjectName("generationPanel");
    views_ = new QTabWidget(this);
    views_->setObjectName("views");
    views_->addTab(expertise_, tr("&Heatmap"));
    views_->addTab(coLearning_, tr("&Co-learning"));
    views_->addTab(generation_, tr("&Generation"));
    steering_ = new SteeringView(session_, this);
    steering_->setObjectName("steeringView");
    views_->addTab(steering_, tr("&Steering curve"));
    textProbe_ = new TextProbeView(session_, this);
    textProbe_->setObjectName("textProbeView");
    views_->addTab(textProbe_, tr("&Text probe"));
    ranking_ = new RankingView(session_, this);
    ranking_->setObjectName("rankingView");
    views_->addTab(ranking_, tr("&Model ranking"));
    setCentralWidget(views_);

    auto* conceptsDock = new QDockWidget(tr("Concepts"), this);
    conceptsDock->setObjectName("conceptsDock");
    concepts_ = new ConceptList(conceptsDock);
    conceptsDock->setWidget(concepts_);
    addDockWidget(Qt::LeftDockWidgetArea, conceptsDock);

    inspector_ = new UnitInspector(this);
    inspector_->setObjectName("inspector");
    auto* inspectorDock = new QDockWidget(tr("Unit inspector"), this);
    inspectorDock->setObjectName("inspectorDock");
    inspectorDock->setWidget(inspector_);
    addDockWidget(Qt::RightDockWidgetArea, inspectorDock);
    resizeDocks({conceptsDock, inspectorDock}, {330, 420}, Qt::Horizontal);

    // Status bar: what happens, and an analysis's progress with rate, ETA and cancel.
    statusText_ = new QLabel(this);
    progress_ = new AnalysisProgress(this);
    modelLabel_ = new QLabel(this);
    modelLabel_->setObjectName("modelLabel");
    statusBar()->addWidget(statusText_, 1);
    statusBar()->addPermanentWidget(progress_);
    statusBar()->addPermanentWidget(modelLabel_);

    buildMenus();
    connectSession();
    // Figure manifests record the shown concept's model, weights, set and run.
    setFigureContextProvider([this] {
        // The ranking's numbers come from its own projects, not the open one's.
        if (views_->currentWidget() == ranking_) return ranking_->figureContext();
        QJsonObject c = figureContextOf(*session_, currentConcept());
        if (views_->currentWidget() == steering_ && !steering_->curve().points.empty()) {  // the curve's own settings
            const auto& o = steering_->curve().options;
            QJsonArray targets, ks;
            for (const auto& t : o.targets) targets.append(QString::fromStdString(t));
            for (int k : o.ks) ks.append(k);
            c["steering"] = QJsonObject{{"concept", QString::fromStdString(steering_->curve().concept)}, {"targets", targets},
                                        {"k", ks}, {"seeds", QString("1-%1").arg(o.seeds)}, {"prompt", QString::fromStdString(o.prompt)},
                                        {"length", o.generation.maxNewTokens}, {"temperature", o.generation.temperature},
                                        {"top_p", o.generation.topP}, {"force", choiceName(forceValueChoices(), o.value)}};
        }
        return c;
    });
    restoreLayout();
    updateActions();
    statusText_->setText(tr("Open a project (Ctrl+O), or create one (Ctrl+N) and add a model and concepts."));
}

MainWindow::~MainWindow() = default;

void MainWindow::connectSession() {
    // Down: what the user picks goes to the session.
    connect(concepts_, &ConceptList::conceptPicked, this, &MainWindow::showConcept);
    connect(expertise_, &ExpertisePanel::unitClicked, this,
            [this](int64_t unit) { session_->requestUnitDetails(currentConcept(), unit); });
    // An expert chosen in the text probe: its concept selected, the unit in the heatmap and the inspector.
    connect(textProbe_, &TextProbeView::unitChosen, this, [this](int64_t conceptId, int64_t unit) {
        selectConcept(conceptId);
        expertise_->showUnit(unit);
        session_->requestUnitDetails(conceptId, unit);
    });
    connect(expertise_, &ExpertisePanel::thresholdChanged, session_, &ProjectSession::setExpertThreshold);
    connect(expertise_, &ExpertisePanel::unitHovered, this, [this](int64_t unit) {
        const auto& probes = session_->probes();
        if (unit < 0 || probes.empty()) {
            statusText_->clear();
            return;
        }
        const size_t p = probeOfUnit(probes, unit);
        statusText_->setText(tr("%1 unit %2").arg(QString::fromStdString(probes[p].name)).arg(unit - probes[p].offset));
    });
    connect(progress_, &AnalysisProgress::cancelRequested, session_, &ProjectSession::cancelAnalysis);

    // Up: the session's answers.
    connect(session_, &ProjectSession::expertCountsChanged, concepts_, &ConceptList::setExpertCounts);
    connect(session_, &ProjectSession::unitDetailsReady, inspector_, &UnitInspector::setDetails);
    connect(session_, &ProjectSession::failed, this, &MainWindow::showError);
    // Queued: the project shows its results first, then the question comes.
    connect(session_, &ProjectSession::modelMissing, this, &MainWindow::askForMissingModel, Qt::QueuedConnection);
    connect(session_, &ProjectSession::conceptsChanged, this, [this] {
        const QSignalBlocker quiet(concepts_);  // shown once, below
        concepts_->setConcepts(session_->concepts(), session_->suggestedConcept());
        coLearning_->refresh();
        generation_->refreshConcepts();
        steering_->refreshConcepts();
        showConcept();
    });
    connect(session_, &ProjectSession::modelChanged, this, [this] {
        modelLabel_->setText(session_->hasModel() ? session_->modelName() + " (" + session_->modelDescription() + ")" : QString());
        modelLabel_->setToolTip(session_->hasModel() ? tr("The model the project analyses") : QString());
        updateActions();
        showConcept();
    });
    connect(session_, &ProjectSession::projectChanged, this, [this] {
        setWindowTitle(tr("%1 – Expertscope").arg(QFileInfo(session_->projectPath()).fileName()));
        inspector_->clear();
        updateActions();
    });
    connect(session_, &ProjectSession::busy, this, [this](const QString& what) {
        statusText_->setText(what);
        updateActions();
    });
    connect(session_, &ProjectSession::analysisProgress, progress_, &AnalysisProgress::report);
    connect(session_, &ProjectSession::analysisFinished, this, [this](bool completed, bool cancelled, const QString& message) {
        progress_->finish();
        statusText_->setText(message.section('\n', 0, 0));
        if (message.contains('\n')) showError(tr("Some concepts were refused"), message);
        else if (!completed && !cancelled)
            showError(tr("The analysis stopped"), message);
        updateActions();
    });
    connect(generation_, &GenerationPanel::finished, this, [this](const QString& error) {
        statusText_->setText(error.isEmpty() ? tr("Generated") : tr("Generation failed: %1").arg(error));
    });
}

void MainWindow::restoreLayout() {
    restoreGeometry(AppSettings::windowGeometry());
    restoreState(AppSettings::windowState());
    for (auto* split : findChildren<QSplitter*>())
        if (!split->objectName().isEmpty()) split->restoreState(AppSettings::splitterState(split->objectName()));
    session_->setRunSettings(AppSettings::analysis(session_->runSettings()));
    expertise_->setThreshold(AppSettings::expertThreshold());
    session_->setExpertThreshold(expertise_->threshold());
    expertise_->setColourMap(AppSettings::colourMap());
    coLearning_->setK(AppSettings::coLearningK());
}

void MainWindow::closeEvent(QCloseEvent* e) {
    if (session_->analysing()) {
        const auto answer = QMessageBox::question(this, tr("An analysis is running"),
                                                  tr("Quit and stop the analysis? Finished concepts are kept, and the run resumes "
                                                     "when started again."));
        if (answer != QMessageBox::Yes) {
            e->ignore();
            return;
        }
    }
    AppSettings::setWindowLayout(saveGeometry(), saveState());
    for (auto* split : findChildren<QSplitter*>())
        if (!split->objectName().isEmpty()) AppSettings::setSplitterState(split->objectName(), split->saveState());
    AppSettings::setExpertThreshold(expertise_->threshold());
    AppSettings::setColourMap(expertise_->colourMap());
    AppSettings::setCoLearningK(coLearning_->k());
    session_->cancelAnalysis();
    session_->cancelGeneration();
    session_->waitForIdle();
    e->accept();
}

void MainWindow::showError(const QString& title, const QString& message) {
    statusText_->setText(title);
    QMessageBox box(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box.setObjectName("errorDialog");
    if (qEnvironmentVariableIsSet("EXPERTSCOPE_NO_DIALOGS")) {  // tests: record, do not block
        setProperty("lastError", title + ": " + message);
        return;
    }
    box.exec();
}

bool MainWindow::openProject(const QString& path, bool create) {
    if (!session_->openProject(path, create)) return false;
    AppSettings::addRecentProject(QFileInfo(path).absoluteFilePath());
    fillRecentMenu();
    return true;
}

void MainWindow::updateActions() {
    const bool project = session_->hasProject(), running = session_->analysing();
    addModel_->setEnabled(project && !running);
    addConcepts_->setEnabled(project && !running);
    analyse_->setEnabled(project && session_->hasModel() && !running);
    cancelAction_->setEnabled(running);
}

int64_t MainWindow::currentConcept() const { return concepts_->currentConcept(); }

void MainWindow::selectConcept(int64_t conceptId) {
    if (concepts_->selectConcept(conceptId)) showConcept();
}

void MainWindow::showView(View view) { views_->setCurrentIndex(static_cast<int>(view)); }

bool MainWindow::showBestExpert() {
    const auto top = session_->topExperts(currentConcept(), 1);
    if (top.empty()) return false;
    showView(Heatmap);
    expertise_->showUnit(top[0].unit);
    session_->requestUnitDetails(currentConcept(), top[0].unit);
    return true;
}

void MainWindow::goToBestExpert() {
    if (!showBestExpert()) showError(tr("No expert to show"), tr("The concept has no results yet: analyse it first (Ctrl+R)."));
}

void MainWindow::showConcept() {
    const int64_t current = currentConcept();
    const auto c = session_->concept(current);
    const auto e = c.analysed ? session_->expertise(c.id) : UnitExpertise{};
    expertise_->setExpertise(session_->probes(), e,
                             c.analysed ? tr("AP for “%1” – %2").arg(c.name, session_->modelName()) : QString());
    coLearning_->setCurrentConcept(current);
    generation_->setCurrentConcept(current);
    steering_->setCurrentConcept(current);
    if (inspector_->details().conceptId != current) inspector_->clear();
}

const Figure* MainWindow::currentFigure() const {
    if (views_->currentWidget() == expertise_) return expertise_->heatmapFigure();
    if (views_->currentWidget() == coLearning_) return coLearning_->figure();
    if (views_->currentWidget() == steering_) return steering_->figure();
    if (views_->currentWidget() == ranking_ && ranking_->ranking()) return ranking_;
    return nullptr;
}

QString MainWindow::exportCurrentFigure(const QString& path, int dpi) {
    const Figure* f = currentFigure();
    if (!f) return tr("This view has no figure to export.");
    const QString error = exportFigure(*f, path, QSize(960, 600), dpi);
    if (!error.isEmpty() || !AppSettings::exportFigureData()) return error;
    return exportFigureData(*f, path, figureContext());
}

}  // namespace expertscope
