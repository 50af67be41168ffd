#pragma once
// The steering curve (ICML 2022's main figure) for a concept: target words, a k grid, seeds
// and the forcing mode; the curve runs in the background with progress and cancel, and is
// plotted against k: the rate of target words and the perplexity of the texts under the
// unforced model (mean and one standard deviation over seeds), and with a prompt the
// probability that the next token starts a target word.
#include "core/project/steering_curve.h"

#include <QWidget>

#include <memory>

class QChartView;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace expertscope {

class ProjectSession;
class SceneFigure;

class SteeringView : public QWidget {
    Q_OBJECT
public:
    SteeringView(ProjectSession* session, QWidget* parent = nullptr);
    ~SteeringView() override;
    void refreshConcepts();
    // And its default targets; for the project's suggested concept also the suggestion's
    // mode, and its k in the grid.
    void setCurrentConcept(int64_t conceptId);
    const SceneFigure* figure() const { return figure_.get(); }
    const SteeringCurve& curve() const { return curve_; }
    SteeringOptions options() const;  // as the controls show them
    bool running() const { return running_; }

public slots:
    void run();
    void cancel();

signals:
    void finished(const QString& error);

private:
    void plot();
    void showDefaultTargets();
    ProjectSession* session_;
    QComboBox *concept_, *mode_;
    QLineEdit *targets_, *ks_, *prompt_;
    QSpinBox *seeds_, *length_;
    QCheckBox* aura_;
    QPushButton *run_, *cancel_;
    QProgressBar* progress_;
    QLabel *summary_, *targetCount_;
    QChartView* chart_;
    std::unique_ptr<SceneFigure> figure_;
    SteeringCurve curve_;
    int job_ = 0;
    bool running_ = false;
};

}  // namespace expertscope
