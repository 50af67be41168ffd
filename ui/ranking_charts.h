#pragma once
// The Model ranking view's two charts: r^2 and rho against the AP threshold (95% intervals
// shaded, the chosen threshold marked), and the models' experts against their scores at the
// chosen threshold. RankingView owns one and says what to show; the texts keep its
// translation context ("expertscope::RankingView").
#include "core/science/model_ranking.h"

#include <QString>

#include <cstddef>
#include <optional>

class QChartView;
class QLineSeries;
class QPainter;
class QRect;
class QWidget;

namespace expertscope {

// A statistic with 3 decimals, or "undefined": as the charts and the summary show it.
QString roundedStatistic(const std::optional<double>& value);

class RankingCharts {
public:
    // Both charts empty, their views children of `parent` (which lays them out).
    explicit RankingCharts(QWidget* parent);

    QChartView* curveView() const { return curve_; }
    QChartView* scatterView() const { return scatter_; }

    // No series and no axes left; the scatter's title as at the start.
    void clear();
    // r^2 and rho of `ranking` against the threshold, and the (still empty) marker.
    void plotCurve(const ModelRanking& ranking);
    // Threshold `index` of `ranking`: marked on the curve, its counts against the scores.
    void showThreshold(const ModelRanking& ranking, std::size_t index);
    // The curve in the left half of `area`, the scatter in the right, at that size.
    void render(QPainter& painter, const QRect& area) const;

private:
    QChartView *curve_, *scatter_;
    QLineSeries* marker_ = nullptr;  // the chosen threshold on the curve
};

}  // namespace expertscope
