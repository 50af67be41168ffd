#pragma once
// One unit of one concept: its values (AP, AUROC, forcing values), its precision-recall curve, histograms of its
// responses on positives and negatives, and the sentences that excite it most and least
// with each token shaded by the unit's activation there.
#include "ui/project_session.h"

#include <QWidget>

#include <memory>

class QChartView;
class QLabel;
class QTextBrowser;

namespace expertscope {

class SceneFigure;

class UnitInspector : public QWidget {
    Q_OBJECT
public:
    explicit UnitInspector(QWidget* parent = nullptr);
    ~UnitInspector() override;
    const SceneFigure* precisionRecallFigure() const { return prFigure_.get(); }
    const SceneFigure* histogramFigure() const { return histogramFigure_.get(); }
    void setDetails(const UnitDetails& details);
    void clear();
    const UnitDetails& details() const { return details_; }
    QString valueText(const QString& name) const;  // "ap", "auroc", "on_p50", "on_p90", "off_mean"

private:
    void showCharts();
    void showSentences();
    UnitDetails details_;
    QLabel* heading_;
    QLabel *ap_, *auroc_, *onP50_, *onP90_, *offMean_;
    QChartView* prChart_;
    QChartView* histogram_;
    QTextBrowser* sentences_;
    std::unique_ptr<SceneFigure> prFigure_, histogramFigure_;
};

}  // namespace expertscope
