#pragma once
// Layer x unit heatmap of one concept's AP: a row per probe point, a column per unit.
// Zoomed out, a pixel shows the largest AP of the units it covers, so a lone expert among
// thousands of units stays visible. Wheel or +/- zooms, drag or arrows pan, Home resets;
// hovering names the unit, clicking selects it.
#include "ui/colour_map.h"
#include "ui/figure.h"

#include "core/project/run_names.h"
#include "core/runtime/probe.h"

#include <QWidget>

#include <vector>

namespace expertscope {

class HeatmapView : public QWidget, public Figure {
    Q_OBJECT
public:
    explicit HeatmapView(QWidget* parent = nullptr);

    // ap, onP50, offMean: per global unit (empty clears the map).
    void setData(const std::vector<ProbePoint>& probes, const std::vector<double>& ap, const std::vector<double>& onP50,
                 const std::vector<double>& offMean, const QString& title);
    void setThreshold(double threshold);
    void setColourMap(ColourMap::Kind kind);
    void setSelectedUnit(int64_t unit);

    int rowCount() const { return static_cast<int>(probes_.size()); }
    int rowUnits(int row) const { return probes_[static_cast<size_t>(row)].units; }
    int columnCount() const { return maxUnits_; }
    double viewStart() const { return viewStart_; }
    double viewEnd() const { return viewEnd_; }
    void setView(double start, double end);
    // The unit a widget position shows (the strongest of those a pixel covers), or -1.
    int64_t unitAt(const QPoint& pos) const;
    QPoint positionOfUnit(int64_t unit) const;  // centre of the unit's pixel, for tests

    void renderFigure(QPainter& painter, const QRect& area) const override;
    Data figureData() const override;  // a row per unit: probe, unit, AP, on_p50, off_mean
    QString figureName() const override { return QStringLiteral("heatmap"); }

signals:
    void unitClicked(int64_t unit);
    void unitHovered(int64_t unit);  // -1 when leaving the map

protected:
    void paintEvent(QPaintEvent*) override;
    void wheelEvent(QWheelEvent*) override;
    void mousePressEvent(QMouseEvent*) override;
    void mouseMoveEvent(QMouseEvent*) override;
    void mouseReleaseEvent(QMouseEvent*) override;
    void keyPressEvent(QKeyEvent*) override;
    void leaveEvent(QEvent*) override;

private:
    struct Layout {
        QRect plot, colourBar;
        int labelWidth = 0;
    };
    Layout layoutFor(const QRect& area, const QFontMetrics& fm) const;
    int64_t unitAtIn(const Layout& l, const QPoint& pos) const;
    void zoomAround(double x, double factor);

    std::vector<ProbePoint> probes_;
    std::vector<float> ap_, onP50_, offMean_;
    QString title_;
    int maxUnits_ = 0;
    double low_ = 0.5, threshold_ = kDefaultExpertThreshold;
    double viewStart_ = 0, viewEnd_ = 1;
    int64_t selected_ = -1;
    ColourMap map_;
    QPoint pressAt_;
    double pressStart_ = 0, pressEnd_ = 0;
    bool dragging_ = false;
};

}  // namespace expertscope
