#pragma once
// The status bar's report on a running analysis: progress of the current concept with its
// place among the concepts, the rate and time left, and a cancel button.
#include "ui/project_session.h"

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace expertscope {

class AnalysisProgress : public QWidget {
    Q_OBJECT
public:
    explicit AnalysisProgress(QWidget* parent = nullptr);
    void report(const AnalysisStatus& status);  // shows itself
    void finish();                              // hides itself

signals:
    void cancelRequested();

private:
    QProgressBar* bar_;
    QLabel* rate_;
    QPushButton* cancel_;
};

}  // namespace expertscope
