#pragma once
// View > Model ranking (Suau et al. 2020): projects of several models, one model each, and
// a CSV of the models' scores; how well a model's number of experts predicts its score, at
// each AP threshold. The view reads and ranks exactly as `expertscope-cli rank` does
// (core/project/model_ranking_projects.h, core/science/model_ranking.h), off the interface
// thread, and shows r^2 and rho against the threshold, the models' experts against their
// scores at the chosen threshold, and the best threshold by r^2 (reported, used nowhere).
#include "core/project/model_ranking_projects.h"
#include "core/science/model_ranking.h"
#include "ui/figure.h"

#include <QJsonObject>
#include <QWidget>

#include <memory>

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSlider;

namespace expertscope {

class ProjectSession;
class RankingCharts;

class RankingView : public QWidget, public Figure {
    Q_OBJECT
public:
    // `session` (may be null) lends its run settings: they choose among a concept's results
    // in a project as in every other view.
    explicit RankingView(ProjectSession* session, QWidget* parent = nullptr);
    ~RankingView() override;

    QStringList projects() const;
    void setProjects(const QStringList& paths);
    QString scoresPath() const;
    void setScoresPath(const QString& path);
    void setLowerIsBetter(bool lower);
    bool running() const { return running_; }

    // The last successful ranking (null before one, or after a failed one) and its models.
    const ModelRanking* ranking() const;
    const std::vector<ModelExperts>& models() const;
    // The chosen threshold, as an index into ranking()->thresholds.
    int thresholdIndex() const;
    void setThresholdIndex(int index);

    void renderFigure(QPainter& painter, const QRect& area) const override;
    QString figureName() const override { return QStringLiteral("model-ranking"); }
    Data figureData() const override;  // a row per threshold
    QJsonObject figureContext() const;  // the export's manifest: inputs, bootstrap, formula

public slots:
    void rank();

signals:
    void finished(const QString& error);  // empty on success

private:
    struct Result;
    void addProjectsDialog();
    void chooseScoresDialog();
    void removeSelected();
    void showResult(std::shared_ptr<const Result> result, const QString& error);
    void showThreshold();
    QString summaryText() const;

    ProjectSession* session_;
    QListWidget* projects_;
    QPushButton *add_, *remove_, *chooseScores_, *run_;
    QLineEdit* scores_;
    QCheckBox* lowerIsBetter_;
    QLabel *status_, *summary_;
    QSlider* threshold_;
    QDoubleSpinBox* thresholdValue_;
    std::unique_ptr<RankingCharts> charts_;  // r² and ρ by threshold; experts and scores
    std::shared_ptr<const Result> result_;
    bool running_ = false;
};

}  // namespace expertscope
