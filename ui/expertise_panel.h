#pragma once
// The heatmap of one concept with its AP threshold slider, colour map choice and a bar
// chart of how many experts each layer holds at that threshold.
#include "ui/heatmap_view.h"

#include "core/science/expertise.h"

#include <memory>

#include <QWidget>

class QBarSet;
class QBarCategoryAxis;
class QChartView;
class QComboBox;
class QLabel;
class QSlider;
class QValueAxis;

namespace expertscope {

class SceneFigure;

class ExpertisePanel : public QWidget {
    Q_OBJECT
public:
    explicit ExpertisePanel(QWidget* parent = nullptr);
    ~ExpertisePanel() override;
    const SceneFigure* countFigure() const { return chartFigure_.get(); }
    void setExpertise(const std::vector<ProbePoint>& probes, const UnitExpertise& e, const QString& title);
    const Figure* heatmapFigure() const;
    void showUnit(int64_t unit);  // selected and outlined in the heatmap
    double threshold() const;
    void setThreshold(double t);
    int expertCount() const { return experts_; }
    int colourMap() const;  // index into ColourMap::names()
    void setColourMap(int index);

signals:
    void thresholdChanged(double threshold);
    void unitClicked(int64_t unit);  // a global unit index
    void unitHovered(int64_t unit);  // -1: none

private:
    void updateCounts();
    HeatmapView* heatmap_;
    QSlider* slider_;
    QLabel* thresholdLabel_;
    QComboBox* colourMap_;
    QChartView* chart_;
    QBarSet* bars_;
    QBarCategoryAxis* layersAxis_;
    QValueAxis* countAxis_;
    std::vector<ProbePoint> probes_;
    UnitExpertise apOnly_;  // the AP vector, for counting experts at each threshold
    int experts_ = 0;
    std::unique_ptr<SceneFigure> chartFigure_;
};

}  // namespace expertscope
