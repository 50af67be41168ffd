// The main window's menus and toolbar, the dialogs they open, and dropped files.
#include "ui/main_window.h"

#include "core/base/file_kind.h"
#include "core/base/hf_cache.h"
#include "core/runtime/blas_setup.h"
#include "core/tokenizers/tokenizer.h"
#include "ui/add_model_dialog.h"
#include "ui/app_settings.h"
#include "ui/colearning_view.h"
#include "ui/concept_list.h"
#include "ui/expertise_panel.h"
#include "ui/figure_export.h"
#include "ui/localisation.h"
#include "ui/preferences_dialog.h"
#include "ui/resolution_dialog.h"

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPointer>
#include <QPushButton>
#include <QTabWidget>
#include <QToolBar>

namespace expertscope {

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
    add(file, tr("&Locate model…"), QKeySequence(), tr("Point the project to its model's files after they moved"),
        &MainWindow::locateModelDialog);
    addConcepts_ = add(file, tr("Add &concepts…"), QKeySequence(Qt::CTRL | Qt::Key_K),
                       tr("Import concepts: an ml-selfcond folder, a CSV/TSV table or text files"), &MainWindow::addConceptsDialog);
    file->addSeparator();
    exportFigure_ = add(file, tr("&Export figure…"), QKeySequence(Qt::CTRL | Qt::Key_E),
                        tr("Save the current view as PNG, SVG or PDF"), &MainWindow::exportFigureDialog);
    add(file, tr("Cop&y figure"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C), tr("Copy the current view as an image"),
                      [this] {
                          if (const Figure* f = currentFigure()) copyFigure(*f, views_->currentWidget()->size());
                      });
    auto* withData = file->addAction(tr("Figures with their &data"));
    withData->setCheckable(true);
    withData->setChecked(AppSettings::exportFigureData());
    withData->setStatusTip(tr("Write the plotted numbers (CSV) and a manifest (JSON: model, weights' SHA-256, concept set, run "
                              "settings, version, date) beside every exported figure"));
    connect(withData, &QAction::toggled, this, [](bool on) { AppSettings::setExportFigureData(on); });
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
    auto* find = view->addAction(tr("Find concept"), this, [this] { concepts_->focusSearch(); });
    find->setShortcut(QKeySequence::Find);
    auto* best = view->addAction(tr("Go to &best expert"), this, &MainWindow::goToBestExpert);
    best->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_B));
    best->setStatusTip(tr("Select the concept's unit with the highest AP in the heatmap and the inspector"));
    for (auto* dock : findChildren<QDockWidget*>()) view->addAction(dock->toggleViewAction());

    auto* help = menuBar()->addMenu(tr("&Help"));
    auto* demo = help->addAction(tr("Open &demo project"), this, &MainWindow::openDemoProject);
    demo->setStatusTip(tr("WordNet concepts analysed with the small model that ships with Expertscope (built on first use)"));
    help->addAction(tr("&About Expertscope"), this, &MainWindow::showAbout);

    for (auto* a : {newAction, open, addModel_, addConcepts_}) toolbar->addAction(a);
    toolbar->addSeparator();
    for (auto* a : {analyse_, exportFigure_}) toolbar->addAction(a);
    fillRecentMenu();
}

void MainWindow::fillRecentMenu() {
    recentMenu_->clear();
    const QStringList recent = AppSettings::recentProjects();
    for (const auto& path : recent) recentMenu_->addAction(path, this, [this, path] { openProject(path); });
    recentMenu_->setEnabled(!recent.isEmpty());
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

bool MainWindow::openDemoProject() {
    QString error;
    QPointer<MainWindow> self(this);
    if (!QFileInfo::exists(demo_.project)) statusText_->setText(tr("Building the demo project…"));
    const DemoOutcome outcome = ensureDemoProject(this, demo_, &error);
    if (!self) return false;  // closed while it was built
    switch (outcome) {
    case DemoOutcome::Ready:
        return openProject(demo_.project);
    case DemoOutcome::Cancelled:
        statusText_->setText(tr("The demo project was not built; Help > Open demo project builds it."));
        return false;
    case DemoOutcome::Failed:
        showError(tr("The demo project could not be built"), error);
        return false;
    }
    return false;
}

void MainWindow::askForMissingModel(const QString& storedPath) {
    statusText_->setText(tr("The model was not found"));
    QMessageBox box(QMessageBox::Question, tr("Locate the model"),
                    tr("This project's results came from the model at\n%1\nwhich is not there any more (moved or deleted?).\n\n"
                       "The results stay viewable; generation, the inspector's sentences and the text probe need the model. "
                       "Locate its files now?").arg(storedPath),
                    QMessageBox::NoButton, this);
    box.setObjectName("locateModelPrompt");
    auto* locate = box.addButton(tr("&Locate model…"), QMessageBox::AcceptRole);
    box.addButton(tr("Not now"), QMessageBox::RejectRole);
    box.setDefaultButton(locate);
    if (qEnvironmentVariableIsSet("EXPERTSCOPE_NO_DIALOGS")) {  // tests: record, do not block
        setProperty("lastPrompt", box.objectName() + ": " + storedPath);
        return;
    }
    box.exec();
    if (box.clickedButton() == locate) locateModelDialog();
}

void MainWindow::locateModelDialog() {
    if (!session_->hasProject()) {
        showError(tr("No project"), tr("Open a project before locating its model."));
        return;
    }
    const QString missing = session_->missingModel();
    // Start where it was, or as near as still exists.
    QString start = QFileInfo(missing).absolutePath();
    while (!start.isEmpty() && !QFileInfo(start).isDir() && QFileInfo(start).absolutePath() != start) start = QFileInfo(start).absolutePath();
    const QString path = QFileDialog::getOpenFileName(this, tr("Locate the model (%1)").arg(QFileInfo(missing).fileName()), start,
                                                      tr("Models (config.json *.gguf *.bin);;All files (*)"));
    if (path.isEmpty()) return;
    // A Hugging Face folder is chosen by any file in it; a GGUF or llama2.c file by itself.
    const QFileInfo fi(path);
    const bool single = (fi.suffix() == "gguf" || fi.suffix() == "bin") && !QFileInfo::exists(fi.absolutePath() + "/config.json");
    session_->locateModel(single ? fi.absoluteFilePath() : fi.absolutePath());
}

void MainWindow::addModelDialog() {
    // First the models already in Hugging Face's cache; "Choose a file or folder" goes on below.
    AddModelDialog cached(hfHubCacheDir(), this);
    if (cached.exec() != QDialog::Accepted) return;
    if (!cached.chosenPath().isEmpty()) {
        session_->addModel(cached.chosenPath(), QString());
        return;
    }
    // A Hugging Face folder is chosen by its config.json; a GGUF or llama2.c file by itself.
    const QString path = QFileDialog::getOpenFileName(this, tr("Add model"), QString(),
                                                      tr("Models (config.json *.gguf *.bin);;All files (*)"));
    if (path.isEmpty()) return;
    const QFileInfo fi(path);
    if (fi.fileName() == "config.json") {
        // A folder without a tokenizer loads, but reads no text: offer to choose one.
        const QString tokenizer =
            folderHasTokenizer(fi.absolutePath().toStdString()) ? QString()
                         : QFileDialog::getOpenFileName(this, tr("The folder has no tokenizer: choose one (cancel: token ids only)"),
                                                        fi.absolutePath(), tr("Tokenizers (*.model vocab.json tokenizer.json)"));
        session_->addModel(fi.absolutePath(), tokenizer);
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

void MainWindow::exportFigureDialog() {
    if (!currentFigure()) {
        showError(tr("Nothing to export"), tr("Switch to the heatmap or co-learning view to export a figure."));
        return;
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Export figure"), currentFigure()->figureName() + ".png",
                                                      tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)"));
    if (path.isEmpty()) return;
    int dpi = 300;
    if (QFileInfo(path).suffix().toLower() == "png") {
        dpi = askResolution(this, AppSettings::exportDpi());
        if (dpi == 0) return;
        AppSettings::setExportDpi(dpi);
    }
    const QString error = exportCurrentFigure(path, dpi);
    if (!error.isEmpty()) showError(tr("Export failed"), error);
    else statusText_->setText(tr("Saved %1").arg(path));
}

void MainWindow::exportTableDialog() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export table"), "concepts.csv", tr("CSV table (*.csv)"));
    if (path.isEmpty()) return;
    const QString error = concepts_->exportCsv(path);
    if (!error.isEmpty()) showError(tr("Export failed"), error);
    else statusText_->setText(tr("Saved %1").arg(path));
}

void MainWindow::showPreferences() {
    const Preferences before{savedLanguage(), expertise_->colourMap(), session_->runSettings()};
    PreferencesDialog dialog(before, this);
    if (dialog.exec() != QDialog::Accepted) return;
    const Preferences after = dialog.preferences();
    AppSettings::setAnalysis(after.analysis);
    session_->setRunSettings(after.analysis);  // the results of these settings, where there are some
    expertise_->setColourMap(after.colourMap);
    if (after.language != before.language) {
        saveLanguage(after.language);
        emit languageChanged(after.language);
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
