#pragma once
// The main window: the concept list on the left, the heatmap, co-learning and generation
// views in the middle, the unit inspector on the right; analyses report in the status
// bar with rate, ETA and a cancel button. Projects, models and concept sets open by menu,
// toolbar or drag and drop; layout and preferences are kept between sessions.
//
// What the user asks for goes to the session, and what the views show comes back through
// the session's signals; the window wires the two and owns no results of its own.
#include "ui/demo_setup.h"
#include "ui/project_session.h"

#include <QMainWindow>

class QAction;
class QLabel;
class QMenu;
class QTabWidget;

namespace expertscope {

class AnalysisProgress;
class CoLearningView;
class ConceptList;
class ExpertisePanel;
class Figure;
class GenerationPanel;
class RankingView;
class SteeringView;
class TextProbeView;
class UnitInspector;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    enum View { Heatmap, CoLearning, Generation, Steering, TextProbe, Ranking };

    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    ProjectSession* session() const { return session_; }
    int64_t currentConcept() const;
    void selectConcept(int64_t conceptId);
    void showView(View view);
    // The current concept's unit with the highest AP: selected in the heatmap, inspected.
    // False when the concept has no results.
    bool showBestExpert();
    // Writes the current view's figure (by suffix: png, svg, pdf); empty or the error.
    QString exportCurrentFigure(const QString& path, int dpi = 300);
    const Figure* currentFigure() const;
    void setDemo(const DemoSetup& demo) { demo_ = demo; }
    // Opens the demo project, building it first when it is missing (progress, Cancel).
    bool openDemoProject();
    bool openProject(const QString& path, bool create = false);

signals:
    void languageChanged(const QString& code);  // the app rebuilds the window

protected:
    void closeEvent(QCloseEvent*) override;
    void dragEnterEvent(QDragEnterEvent*) override;
    void dropEvent(QDropEvent*) override;

private:
    // main_window_menus.cpp: the menus, the toolbar and the dialogs they open.
    void buildMenus();
    void newProject();
    void openProjectDialog();
    void addModelDialog();
    // The project's model moved: says so, and offers to locate it (File > Locate model).
    void askForMissingModel(const QString& storedPath);
    void locateModelDialog();
    void addConceptsDialog();
    void exportFigureDialog();
    void exportTableDialog();
    void showPreferences();
    void showAbout();
    void fillRecentMenu();
    void openDropped(const QString& path);

    void connectSession();
    void showConcept();
    void goToBestExpert();
    void updateActions();
    void showError(const QString& title, const QString& message);
    void restoreLayout();

    ProjectSession* session_;
    ConceptList* concepts_;
    ExpertisePanel* expertise_;
    UnitInspector* inspector_;
    CoLearningView* coLearning_;
    GenerationPanel* generation_;
    SteeringView* steering_;
    TextProbeView* textProbe_;
    RankingView* ranking_;
    QTabWidget* views_;
    QLabel* statusText_;
    QLabel* modelLabel_;  // the model's family, architecture and size
    AnalysisProgress* progress_;
    QMenu* recentMenu_ = nullptr;
    QAction *analyse_ = nullptr, *cancelAction_ = nullptr, *addModel_ = nullptr, *addConcepts_ = nullptr,
            *exportFigure_ = nullptr;
    DemoSetup demo_;
};

}  // namespace expertscope
