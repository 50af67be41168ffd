#pragma once
// The main window: the concept list on the left, the heatmap, co-learning and generation
// views in the middle, the unit inspector on the right; analyses report in the status
// bar with rate, ETA and a cancel button. Projects, models and concept sets open by menu,
// toolbar or drag and drop; layout and preferences are kept between sessions.
#include "ui/project_session.h"

#include <QMainWindow>

class QAction;
class QLabel;
class QLineEdit;
class QMenu;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QStandardItemModel;
class QTabWidget;
class QTableView;

namespace expertscope {

class CoLearningView;
class ExpertisePanel;
class Figure;
class GenerationPanel;
class UnitInspector;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    ProjectSession* session() const { return session_; }
    ExpertisePanel* expertisePanel() const { return expertise_; }
    UnitInspector* inspector() const { return inspector_; }
    CoLearningView* coLearningView() const { return coLearning_; }
    GenerationPanel* generationPanel() const { return generation_; }
    QTabWidget* views() const { return views_; }
    QTableView* conceptTable() const { return conceptTable_; }
    QProgressBar* progressBar() const { return progress_; }
    int64_t currentConcept() const { return current_; }
    void selectConcept(int64_t conceptId);
    // Writes the current view's figure (by suffix: png, svg, pdf); empty or the error.
    QString exportCurrentFigure(const QString& path, int dpi = 300);
    const Figure* currentFigure() const;
    void setDemoProject(const QString& path) { demoPath_ = path; }
    bool openProject(const QString& path, bool create = false);

signals:
    void languageChanged(const QString& code);  // the app rebuilds the window

protected:
    void closeEvent(QCloseEvent*) override;
    void dragEnterEvent(QDragEnterEvent*) override;
    void dropEvent(QDropEvent*) override;

private:
    void buildMenus();
    void newProject();
    void openProjectDialog();
    void addModelDialog();
    void addConceptsDialog();
    void exportFigureDialog();
    void exportTableDialog();
    void showPreferences();
    void showAbout();
    void refreshConcepts();
    void showConcept();
    bool selectRowOf(int64_t conceptId);  // selects its row without showing it again
    void updateActions();
    void rememberProject(const QString& path);
    void fillRecentMenu();
    void showError(const QString& title, const QString& message);
    void openDropped(const QString& path);
    void restoreLayout();

    ProjectSession* session_;
    ExpertisePanel* expertise_;
    UnitInspector* inspector_;
    CoLearningView* coLearning_;
    GenerationPanel* generation_;
    QTabWidget* views_;
    QLineEdit* search_;
    QTableView* conceptTable_;
    QStandardItemModel* conceptModel_;
    QSortFilterProxyModel* conceptFilter_;
    QLabel* statusText_;
    QProgressBar* progress_;
    QLabel* rate_;
    QPushButton* cancel_;
    QMenu* recentMenu_ = nullptr;
    QAction *analyse_ = nullptr, *cancelAction_ = nullptr, *addModel_ = nullptr, *addConcepts_ = nullptr,
            *exportFigure_ = nullptr;
    int64_t current_ = 0;
    QString demoPath_;
};

}  // namespace expertscope
