#include "ui/main_window.h"

#include "core/base/file_kind.h"
#include "ui/choice_box.h"
#include "ui/colearning_view.h"
#include "ui/colour_map.h"
#include "ui/expertise_panel.h"
#include "ui/figure_export.h"
#include "ui/generation_panel.h"
#include "ui/heatmap_view.h"
#include "ui/localisation.h"
#include "ui/unit_inspector.h"

#include "core/runtime/blas_setup.h"

#include <QAction>
#include <QApplication>
#include <QChartView>
#include <QCloseEvent>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSlider>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardItemModel>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

namespace expertscope {
namespace {

constexpr int kRecentProjects = 8;
enum Column { Name, BestAp, Experts, Positives, Negatives, Group, Columns };

QString formatSeconds(double s) {
    if (s < 0) return QStringLiteral("–");
    if (s < 90) return QObject::tr("%1 s").arg(s, 0, 'f', 0);
    return QObject::tr("%1 min").arg(s / 60, 0, 'f', 1);
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), session_(new ProjectSession(this)) {
    setWindowTitle(tr("Expertscope"));
    setObjectName("mainWindow");
    resize(1500, 920);
    setAcceptDrops(true);

    // Views.
    expertise_ = new ExpertisePanel(this);
    coLearning_ = new CoLearningView(session_, this);
    generation_ = new GenerationPanel(session_, this);
    views_ = new QTabWidget(this);
    views_->setObjectName("views");
    views_->addTab(expertise_, tr("&Heatmap"));
    views_->addTab(coLearning_, tr("&Co-learning"));
    views_->addTab(generation_, tr("&Generation"));
    setCentralWidget(views_);

    // Concept list.
    auto* conceptsDock = new QDockWidget(tr("Concepts"), this);
    conceptsDock->setObjectName("conceptsDock");
    auto* conceptsWidget = new QWidget(conceptsDock);
    search_ = new QLineEdit(conceptsWidget);
    search_->setObjectName("conceptSearch");
    search_->setPlaceholderText(tr("Search concepts (Ctrl+F)"));
    search_->setClearButtonEnabled(true);
    conceptModel_ = new QStandardItemModel(0, Columns, this);
    conceptModel_->setHorizontalHeaderLabels({tr("Concept"), tr("Best AP"), tr("Experts"), tr("Positives"), tr("Negatives"), tr("Group")});
    conceptFilter_ = new QSortFilterProxyModel(this);
    conceptFilter_->setSourceModel(conceptModel_);
    conceptFilter_->setFilterCaseSensitivity(Qt::CaseInsensitive);
    conceptFilter_->setFilterKeyColumn(-1);
    conceptFilter_->setSortRole(Qt::EditRole);
    conceptTable_ = new QTableView(conceptsWidget);
    conceptTable_->setObjectName("conceptTable");
    conceptTable_->setModel(conceptFilter_);
    conceptTable_->setSortingEnabled(true);
    conceptTable_->sortByColumn(BestAp, Qt::DescendingOrder);  // the clearest concepts first
    conceptTable_->setSelectionBehavior(QAbstractItemView::SelectRows);
    conceptTable_->setSelectionMode(QAbstractItemView::SingleSelection);
    conceptTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    conceptTable_->verticalHeader()->hide();
    conceptTable_->horizontalHeader()->setStretchLastSection(true);
    conceptTable_->setColumnHidden(Group, true);
    conceptTable_->setToolTip(tr("Experts: units with an AP at or above the heatmap's threshold"));
    auto* conceptsLayout = new QVBoxLayout(conceptsWidget);
    conceptsLayout->setContentsMargins(2, 2, 2, 2);
    conceptsLayout->addWidget(search_);
    conceptsLayout->addWidget(conceptTable_);
    conceptsDock->setWidget(conceptsWidget);
    addDockWidget(Qt::LeftDockWidgetArea, conceptsDock);

    inspector_ = new UnitInspector(this);
    inspector_->setObjectName("inspector");
    auto* inspectorDock = new QDockWidget(tr("Unit inspector"), this);
    inspectorDock->setObjectName("inspectorDock");
    inspectorDock->setWidget(inspector_);
    addDockWidget(Qt::RightDockWidgetArea, inspectorDock);
    resizeDocks({conceptsDock, inspectorDock}, {330, 420}, Qt::Horizontal);

    // Status bar: what happens, progress with rate and ETA, cancel.
    statusText_ = new QLabel(this);
    progress_ = new QProgressBar(this);
    progress_->setObjectName("analysisProgress");
    progress_->setMaximumWidth(260);
    progress_->hide();
    rate_ = new QLabel(this);
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setToolTip(tr("Stop the analysis; finished concepts are kept (Esc)"));
    cancel_->hide();
    statusBar()->addWidget(statusText_, 1);
    statusBar()->addPermanentWidget(rate_);
    statusBar()->addPermanentWidget(progress_);
    statusBar()->addPermanentWidget(cancel_);

    buildMenus();

    connect(search_, &QLineEdit::textChanged, conceptFilter_, &QSortFilterProxyModel::setFilterFixedString);
    connect(conceptTable_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& index) {
        if (!index.isValid()) return;
        current_ = conceptFilter_->data(conceptFilter_->index(index.row(), Name), Qt::UserRole).toLongLong();
        showConcept();
    });
    connect(expertise_->heatmap(), &HeatmapView::unitClicked, this, [this](int64_t unit) {
        session_->requestUnitDetails(current_, unit);
    });
    connect(expertise_->heatmap(), &HeatmapView::unitHovered, this, [this](int64_t unit) {
        if (unit < 0 || session_->probes().empty()) {
            statusText_->clear();
            return;
        }
        const auto& probes = session_->probes();
        const size_t p = probeOfUnit(probes, unit);
        statusText_->setText(tr("%1 unit %2").arg(QString::fromStdString(probes[p].name)).arg(unit - probes[p].offset));
    });
    connect(expertise_, &ExpertisePanel::thresholdChanged, this, &MainWindow::refreshConcepts);
    connect(session_, &ProjectSession::unitDetailsReady, inspector_, &UnitInspector::setDetails);
    connect(session_, &ProjectSession::failed, this, &MainWindow::showError);
    connect(session_, &ProjectSession::conceptsChanged, this, [this] {
        refreshConcepts();
        coLearning_->refresh();
        generation_->refreshConcepts();
        showConcept();
    });
    connect(session_, &ProjectSession::modelChanged, this, [this] {
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
    connect(session_, &ProjectSession::analysisProgress, this, [this](const AnalysisStatus& s) {
        progress_->show();
        cancel_->show();
        progress_->setMaximum(static_cast<int>(std::max<qint64>(1, s.sentencesTotal)));
        progress_->setValue(static_cast<int>(s.sentencesDone));
        progress_->setFormat(tr("%1 (%2/%3)").arg(s.concept).arg(s.conceptsDone + 1).arg(s.conceptsTotal));
        rate_->setText(tr("%1 sentences/s, %2 left").arg(s.rate, 0, 'f', 0).arg(formatSeconds(s.etaSeconds)));
    });
    connect(session_, &ProjectSession::analysisFinished, this, [this](bool completed, bool cancelled, const QString& message) {
        progress_->hide();
        cancel_->hide();
        rate_->clear();
        statusText_->setText(message.section('\n', 0, 0));
        if (message.contains('\n')) showError(tr("Some concepts were refused"), message);
        else if (!completed && !cancelled)
            showError(tr("The analysis stopped"), message);
        updateActions();
    });
    connect(cancel_, &QPushButton::clicked, session_, &ProjectSession::cancelAnalysis);
    connect(generation_, &GenerationPanel::finished, this, [this](const QString& error) {
        statusText_->setText(error.isEmpty() ? tr("Generated") : tr("Generation failed: %1").arg(error));
    });

    restoreLayout();
    updateActions();
    statusText_->setText(tr("Open a project (Ctrl+O), or create one (Ctrl+N) and add a model and concepts."));
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
    auto* file = menuBar()->addMenu(tr("&File"));
    auto* toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName("mainToolbar");
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto add = [this](QMenu* menu, const QString& text, const QKeySequence& keys, const QString& tip, auto slot) {
        auto* a = menu->addAction(text, this, slot);
        a->setShortcut(keys);
        a->setStatusTip(tip);
        a->setToolTip(tip + (keys.isEmpty() ? QString() : QString(" (%1)").arg(keys.toString(QKeySequence::NativeText))));
        return a;
    };
    auto* newAction = add(file, tr("&New project…"), QKeySequence::New, tr("Create an empty project file"), &MainWindow::newProject);
    auto* open = add(file, tr("&Open project…"), QKeySequence::Open, tr("Open a project file"), &MainWindow::openProjectDialog);
    recentMenu_ = file->addMenu(tr("Open &recent"));
    file->addSeparator();
    addModel_ = add(file, tr("Add &model…"), QKeySequence(Qt::CTRL | Qt::Key_M),
                    tr("Add a Hugging Face model folder or a llama2.c checkpoint"), &MainWindow::addModelDialog);
    addConcepts_ = add(file, tr("Add &concepts…"), QKeySequence(Qt::CTRL | Qt::Key_K),
                       tr("Import concepts: an ml-selfcond folder, a CSV/TSV table or text files"), &MainWindow::addConceptsDialog);
    file->addSeparator();
    exportFigure_ = add(file, tr("&Export figure…"), QKeySequence(Qt::CTRL | Qt::Key_E),
                        tr("Save the current view as PNG, SVG or PDF"), &MainWindow::exportFigureDialog);
    add(file, tr("Cop&y figure"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C), tr("Copy the current view as an image"),
                      [this] {
                          if (const Figure* f = currentFigure()) copyFigure(*f, views_->currentWidget()->size());
                      });
    add(file, tr("Export &table…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E), tr("Save the concept table as CSV"),
        &MainWindow::exportTableDialog);
    file->addSeparator();
    add(file, tr("&Preferences…"), QKeySequence::Preferences, tr("Language, colours and analysis settings"), &MainWindow::showPreferences);
    add(file, tr("&Quit"), QKeySequence::Quit, tr("Quit Expertscope"), &MainWindow::close);

    auto* analysis = menuBar()->addMenu(tr("&Analysis"));
    analyse_ = add(analysis, tr("&Run analysis"), QKeySequence(Qt::CTRL | Qt::Key_R),
                   tr("Find every unit's expertise for every concept (resumes an interrupted run)"),
                   [this] { session_->startAnalysis(); });
    cancelAction_ = add(analysis, tr("&Cancel analysis"), QKeySequence(Qt::Key_Escape), tr("Stop the analysis; finished concepts are kept"),
                        [this] { session_->cancelAnalysis(); });

    auto* view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < views_->count(); ++i) {
        auto* a = view->addAction(views_->tabText(i).remove('&'), this, [this, i] { views_->setCurrentIndex(i); });
        a->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
    }
    view->addSeparator();
    auto* find = view->addAction(tr("Find concept"), this, [this] { search_->setFocus(); search_->selectAll(); });
    find->setShortcut(QKeySequence::Find);
    for (auto* dock : findChildren<QDockWidget*>()) view->addAction(dock->toggleViewAction());

    auto* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("Open &demo project"), this, [this] {
        if (demoPath_.isEmpty() || !QFileInfo::exists(demoPath_))
            showError(tr("No demo project"), tr("The demo project was not found at %1.").arg(demoPath_));
        else
            openProject(demoPath_);
    });
    help->addAction(tr("&About Expertscope"), this, &MainWindow::showAbout);

    for (auto* a : {newAction, open, addModel_, addConcepts_}) toolbar->addAction(a);
    toolbar->addSeparator();
    for (auto* a : {analyse_, exportFigure_}) toolbar->addAction(a);
    fillRecentMenu();
}

void MainWindow::restoreLayout() {
    QSettings s;
    restoreGeometry(s.value("window/geometry").toByteArray());
    restoreState(s.value("window/state").toByteArray());
    for (auto* split : findChildren<QSplitter*>())
        if (!split->objectName().isEmpty()) split->restoreState(s.value("splitters/" + split->objectName()).toByteArray());
    expertise_->setThreshold(s.value("view/threshold", kDefaultExpertThreshold).toDouble());
    expertise_->colourMapBox()->setCurrentIndex(s.value("view/colourMap", 0).toInt());
    coLearning_->kBox()->setValue(s.value("view/colearningK", kDefaultCoLearningK).toInt());
    session_->runSettings.workers = s.value("analysis/threads", 0).toInt();
    session_->runSettings.pooling = settingsChoice(s, "analysis/pooling", poolingChoices(), Pooling::Max);
    session_->runSettings.sequenceLength = std::max(0, s.value("analysis/sequenceLength", 0).toInt());
    session_->runSettings.longSentences = s.value("analysis/truncate", false).toBool() ? LongSentencePolicy::Truncate : LongSentencePolicy::Drop;
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
    QSettings s;
    s.setValue("window/geometry", saveGeometry());
    s.setValue("window/state", saveState());
    for (auto* split : findChildren<QSplitter*>())
        if (!split->objectName().isEmpty()) s.setValue("splitters/" + split->objectName(), split->saveState());
    s.setValue("view/threshold", expertise_->threshold());
    s.setValue("view/colourMap", expertise_->colourMapBox()->currentIndex());
    s.setValue("view/colearningK", coLearning_->kBox()->value());
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
    rememberProject(QFileInfo(path).absoluteFilePath());
    return true;
}

void MainWindow::newProject() {
    QString path = QFileDialog::getSaveFileName(this, tr("New project"), QString(), tr("Expertscope projects (*.esproj)"));
    if (path.isEmpty()) return;
    if (QFileInfo(path).suffix().isEmpty()) path += ".esproj";
    if (QFileInfo::exists(path)) {
        showError(tr("The file exists"), tr("%1 already exists; open it instead, or choose another name.").arg(path));
        return;
    }
    openProject(path, true);
}

void MainWindow::openProjectDialog() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open project"), QString(),
                                                      tr("Expertscope projects (*.esproj);;All files (*)"));
    if (!path.isEmpty()) openProject(path);
}

void MainWindow::addModelDialog() {
    // A Hugging Face folder is chosen by its config.json; a llama2.c checkpoint by its .bin.
    const QString path = QFileDialog::getOpenFileName(this, tr("Add model"), QString(),
                                                      tr("Models (config.json *.bin);;All files (*)"));
    if (path.isEmpty()) return;
    const QFileInfo fi(path);
    if (fi.fileName() == "config.json") {
        session_->addModel(fi.absolutePath());
        return;
    }
    // Its tokenizer is found beside it (tokenizer.model, tok*.model) unless one is named.
    const QString tokenizer = QFileDialog::getOpenFileName(this, tr("Tokenizer (cancel: the one beside the model)"), fi.absolutePath(),
                                                           tr("sentencepiece models (*.model)"));
    session_->addModel(path, tokenizer);
}

void MainWindow::addConceptsDialog() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Concepts"), QString(),
                                                      tr("Concept files (concept_list.csv *.csv *.tsv *.txt)"));
    if (path.isEmpty()) return;
    // ml-selfcond's concept_list.csv stands for its folder.
    session_->addConcepts(QFileInfo(path).fileName() == "concept_list.csv" ? QFileInfo(path).absolutePath() : path);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
    if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e) {
    for (const auto& url : e->mimeData()->urls())
        if (url.isLocalFile()) openDropped(url.toLocalFile());
}

void MainWindow::openDropped(const QString& path) {
    const auto guess = fileKind(path.toStdString());
    const QString target = QString::fromStdString(guess.path);
    switch (guess.kind) {
    case FileKind::Project: openProject(target); break;
    case FileKind::Model: session_->addModel(target); break;
    case FileKind::Concepts: session_->addConcepts(target); break;
    case FileKind::Unknown: showError(tr("Unknown file"), tr("%1 is not a project, a model or a concept set.").arg(path)); break;
    }
}

void MainWindow::rememberProject(const QString& path) {
    QSettings s;
    QStringList recent = s.value("recentProjects").toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kRecentProjects) recent.removeLast();
    s.setValue("recentProjects", recent);
    fillRecentMenu();
}

void MainWindow::fillRecentMenu() {
    recentMenu_->clear();
    const QStringList recent = QSettings().value("recentProjects").toStringList();
    for (const auto& path : recent) recentMenu_->addAction(path, this, [this, path] { openProject(path); });
    recentMenu_->setEnabled(!recent.isEmpty());
}

void MainWindow::updateActions() {
    const bool project = session_->hasProject(), running = session_->analysing();
    addModel_->setEnabled(project && !running);
    addConcepts_->setEnabled(project && !running);
    analyse_->setEnabled(project && session_->hasModel() && !running);
    cancelAction_->setEnabled(running);
}

void MainWindow::refreshConcepts() {
    const auto counts = session_->expertCounts(expertise_->threshold());
    conceptModel_->setRowCount(0);
    for (const auto& c : session_->concepts()) {
        QList<QStandardItem*> row;
        auto* name = new QStandardItem(c.name);
        name->setData(QVariant::fromValue<qint64>(c.id), Qt::UserRole);
        name->setToolTip(c.group.isEmpty() ? c.name : c.group + " / " + c.name);
        auto* best = new QStandardItem;
        auto* experts = new QStandardItem;
        if (c.analysed) {
            best->setData(c.bestAp, Qt::EditRole);
            best->setData(QString::number(c.bestAp, 'f', 3), Qt::DisplayRole);
            const auto n = counts.find(c.id);
            experts->setData(n == counts.end() ? 0 : n->second, Qt::EditRole);
        } else {
            best->setData(tr("not analysed"), Qt::DisplayRole);
            best->setData(-1.0, Qt::EditRole);
        }
        row << name << best << experts;
        for (int v : {c.positives, c.negatives}) {
            auto* item = new QStandardItem;
            item->setData(v, Qt::EditRole);
            row << item;
        }
        row << new QStandardItem(c.group);
        conceptModel_->appendRow(row);
    }
    conceptTable_->resizeColumnsToContents();
    // Keep the selection; the views show the concept already (callers that change it
    // call showConcept), so a threshold step does not reload its results.
    if (current_) selectRowOf(current_);
    else if (conceptFilter_->rowCount() > 0) conceptTable_->selectRow(0);
}

void MainWindow::selectConcept(int64_t conceptId) {
    if (selectRowOf(conceptId)) showConcept();
}

bool MainWindow::selectRowOf(int64_t conceptId) {
    for (int r = 0; r < conceptFilter_->rowCount(); ++r)
        if (conceptFilter_->data(conceptFilter_->index(r, Name), Qt::UserRole).toLongLong() == conceptId) {
            const QSignalBlocker block(conceptTable_->selectionModel());
            conceptTable_->selectRow(r);
            current_ = conceptId;
            return true;
        }
    return false;
}

void MainWindow::showConcept() {
    const auto c = session_->concept(current_);
    const auto e = c.analysed ? session_->expertise(c.id) : UnitExpertise{};
    expertise_->setExpertise(session_->probes(), e,
                             c.analysed ? tr("AP for “%1” – %2").arg(c.name, session_->modelName()) : QString());
    coLearning_->setCurrentConcept(current_);
    generation_->setCurrentConcept(current_);
    if (inspector_->details().conceptId != current_) inspector_->clear();
}

const Figure* MainWindow::currentFigure() const {
    if (views_->currentWidget() == expertise_) return expertise_->heatmap();
    if (views_->currentWidget() == coLearning_) return coLearning_->matrixView();
    return nullptr;
}

QString MainWindow::exportCurrentFigure(const QString& path, int dpi) {
    const Figure* f = currentFigure();
    if (!f) return tr("This view has no figure to export.");
    return exportFigure(*f, path, QSize(960, 600), dpi);
}

void MainWindow::exportFigureDialog() {
    if (!currentFigure()) {
        showError(tr("Nothing to export"), tr("Switch to the heatmap or co-learning view to export a figure."));
        return;
    }
    QString filter;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export figure"), currentFigure()->figureName() + ".png",
                                                      tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)"), &filter);
    if (path.isEmpty()) return;
    int dpi = 300;
    if (QFileInfo(path).suffix().toLower() == "png") {
        QDialog ask(this);
        ask.setWindowTitle(tr("Resolution"));
        auto* box = new QSpinBox(&ask);
        box->setRange(72, 1200);
        box->setValue(QSettings().value("export/dpi", 300).toInt());
        box->setSuffix(tr(" dpi"));
        auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &ask);
        connect(buttons, &QDialogButtonBox::accepted, &ask, &QDialog::accept);
        connect(buttons, &QDialogButtonBox::rejected, &ask, &QDialog::reject);
        auto* form = new QFormLayout(&ask);
        form->addRow(tr("Resolution:"), box);
        form->addRow(buttons);
        if (ask.exec() != QDialog::Accepted) return;
        dpi = box->value();
        QSettings().setValue("export/dpi", dpi);
    }
    const QString error = exportCurrentFigure(path, dpi);
    if (!error.isEmpty()) showError(tr("Export failed"), error);
    else statusText_->setText(tr("Saved %1").arg(path));
}

void MainWindow::exportTableDialog() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export table"), "concepts.csv", tr("CSV table (*.csv)"));
    if (path.isEmpty()) return;
    const QString error = exportCsv(*conceptModel_, path);
    if (!error.isEmpty()) showError(tr("Export failed"), error);
}

void MainWindow::showPreferences() {
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Preferences"));
    auto* language = new QComboBox(&dialog);
    for (const auto& l : availableLanguages()) language->addItem(l.name, l.code);
    language->setCurrentIndex(std::max(0, language->findData(savedLanguage())));
    auto* colours = new QComboBox(&dialog);
    colours->addItems(ColourMap::names());
    colours->setCurrentIndex(expertise_->colourMapBox()->currentIndex());
    auto* threads = new QSpinBox(&dialog);
    threads->setRange(0, 256);
    threads->setSpecialValueText(tr("one per core"));
    threads->setValue(session_->runSettings.workers);
    auto& run = session_->runSettings;
    auto* pooling = new QComboBox(&dialog);
    pooling->setObjectName("pooling");
    fillChoices(pooling, poolingChoices(), {tr("maximum over the tokens"), tr("mean over the tokens"), tr("ml-selfcond (padded maximum)")});
    setCurrentChoice(pooling, poolingChoices(), run.pooling);
    pooling->setToolTip(tr("How a unit's response to a sentence is made from its values at each token"));
    auto* length = new QSpinBox(&dialog);
    length->setRange(0, 100000);
    length->setSpecialValueText(tr("the model's context"));
    length->setValue(run.sequenceLength);
    length->setToolTip(tr("Longer sentences (in tokens) are dropped or cut; ml-selfcond pooling needs a length"));
    auto* cut = new QComboBox(&dialog);
    cut->setObjectName("longSentences");
    fillChoices(cut, longSentenceChoices(), {tr("dropped (as ml-selfcond)"), tr("cut to the length")});
    setCurrentChoice(cut, longSentenceChoices(), run.longSentences);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto* form = new QFormLayout(&dialog);
    form->addRow(tr("Language:"), language);
    form->addRow(tr("Colour map:"), colours);
    form->addRow(tr("Analysis threads:"), threads);
    form->addRow(tr("Pooling:"), pooling);
    form->addRow(tr("Sequence length:"), length);
    form->addRow(tr("Longer sentences are:"), cut);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted) return;
    run.pooling = currentChoice(pooling, poolingChoices());
    if (run.pooling == Pooling::SelfcondMax && length->value() == 0) length->setValue(kSelfcondSequenceLength);
    run.sequenceLength = length->value();
    run.longSentences = currentChoice(cut, longSentenceChoices());
    QSettings().setValue("analysis/pooling", QString::fromLatin1(choiceName(poolingChoices(), run.pooling)));
    QSettings().setValue("analysis/sequenceLength", length->value());
    QSettings().setValue("analysis/truncate", cut->currentIndex() == 1);
    session_->reloadResults();  // the results of these settings, when there are some
    expertise_->colourMapBox()->setCurrentIndex(colours->currentIndex());
    session_->runSettings.workers = threads->value();
    QSettings().setValue("analysis/threads", threads->value());
    const QString code = language->currentData().toString();
    if (code != savedLanguage()) {
        saveLanguage(code);
        emit languageChanged(code);
    }
}

void MainWindow::showAbout() {
    QMessageBox::about(this, tr("About Expertscope"),
                       tr("<h3>Expertscope %1</h3><p>Find and use expert units in Transformer language models.</p>"
                          "<p>Qt %2<br>%3<br>%4</p>")
                           .arg(QApplication::applicationVersion(), QString::fromLatin1(qVersion()),
                                QString::fromStdString(runtimeDescription()), QString::fromStdString(blasDescription())));
}

}  // namespace expertscope
