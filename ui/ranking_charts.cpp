#include "ui/ranking_charts.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QCoreApplication>
#include <QCursor>
#include <QGraphicsScene>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPainter>
#include <QScatterSeries>
#include <QToolTip>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

// The texts are RankingView's, translated in its context: written out in full, as lupdate
// reads them.
namespace expertscope {

namespace {

const QColor kR2(31, 119, 180), kRho(230, 120, 20);  // blue and orange: apart for colour-blind eyes too

QString scatterTitle() { return QCoreApplication::translate("expertscope::RankingView", "Experts and scores"); }

void clearChart(QChart* chart) {
    chart->removeAllSeries();
    for (auto* axis : chart->axes()) {
        chart->removeAxis(axis);
        delete axis;
    }
}

// A line through the defined values of one statistic, and its interval as a band.
QLineSeries* statisticLine(const ModelRanking& r, Estimate Association::*which, const QString& name, QColor colour, QChart* chart) {
    auto* line = new QLineSeries;
    line->setName(name);
    line->setPen(QPen(colour, 2));
    auto* band = new QAreaSeries;
    auto *high = new QLineSeries(band), *low = new QLineSeries(band);  // the band owns its edges
    for (const auto& t : r.thresholds) {
        const Estimate& e = t.byExperts.*which;
        if (e.value) line->append(t.threshold, *e.value);
        if (e.interval) {
            high->append(t.threshold, e.interval->high);
            low->append(t.threshold, e.interval->low);
        }
    }
    band->setUpperSeries(high);
    band->setLowerSeries(low);
    colour.setAlpha(50);
    band->setColor(colour);
    band->setBorderColor(Qt::transparent);
    chart->addSeries(band);
    chart->addSeries(line);
    for (auto* marker : chart->legend()->markers(band)) marker->setVisible(false);
    return line;
}

// A chart laid out at the figure's size (not the widget's scaled: the tab may never have been
// shown), then put back as it was.
void renderChart(QChart* chart, QPainter& painter, const QRect& target) {
    const QRectF shown = chart->geometry();
    chart->setGeometry(QRectF(QPointF(0, 0), target.size()));
    QCoreApplication::sendPostedEvents(chart, QEvent::LayoutRequest);
    chart->scene()->render(&painter, QRectF(target), chart->geometry(), Qt::KeepAspectRatio);
    chart->setGeometry(shown);
    QCoreApplication::sendPostedEvents(chart, QEvent::LayoutRequest);
}

}  // namespace

QString roundedStatistic(const std::optional<double>& value) {
    return value ? QString::number(*value, 'f', 3) : QCoreApplication::translate("expertscope::RankingView", "undefined");
}

RankingCharts::RankingCharts(QWidget* parent) {
    auto* curveChart = new QChart;
    curveChart->setTitle(QCoreApplication::translate("expertscope::RankingView", "r² and ρ by threshold (shaded: 95% CI)"));
    curve_ = new QChartView(curveChart, parent);
    curve_->setObjectName("rankingCurve");
    auto* scatterChart = new QChart;
    scatterChart->setTitle(scatterTitle());
    scatterChart->legend()->hide();  // each point carries its model's name
    scatter_ = new QChartView(scatterChart, parent);
    scatter_->setObjectName("rankingScatter");
    for (auto* view : {curve_, scatter_}) {
        view->setRenderHint(QPainter::Antialiasing);
        view->setMinimumSize(300, 200);
    }
}

void RankingCharts::clear() {
    clearChart(curve_->chart());
    clearChart(scatter_->chart());
    marker_ = nullptr;
    scatter_->chart()->setTitle(scatterTitle());
}

void RankingCharts::plotCurve(const ModelRanking& r) {
    QChart* chart = curve_->chart();
    clearChart(chart);
    auto* x = new QValueAxis;
    x->setTitleText(QCoreApplication::translate("expertscope::RankingView", "AP threshold t"));
    x->setRange(r.thresholds.front().threshold, r.thresholds.back().threshold);
    x->setTickCount(6);
    x->setLabelFormat("%.2f");
    auto* y = new QValueAxis;
    y->setTitleText(QCoreApplication::translate("expertscope::RankingView", "r², ρ"));
    y->setRange(-1, 1);
    y->setTickCount(5);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    statisticLine(r, &Association::r2, QCoreApplication::translate("expertscope::RankingView", "r²"), kR2, chart);
    statisticLine(r, &Association::rho, QCoreApplication::translate("expertscope::RankingView", "ρ"), kRho, chart);
    marker_ = new QLineSeries;
    marker_->setName(QCoreApplication::translate("expertscope::RankingView", "t shown"));
    marker_->setPen(QPen(Qt::darkGray, 1.5, Qt::DashLine));
    chart->addSeries(marker_);
    for (auto* s : chart->series()) {
        s->attachAxis(x);
        s->attachAxis(y);
    }
}

void RankingCharts::showThreshold(const ModelRanking& r, std::size_t index) {
    const auto& t = r.thresholds[index];
    if (marker_) marker_->replace(QList<QPointF>{{t.threshold, -1}, {t.threshold, 1}});

    QChart* chart = scatter_->chart();
    clearChart(chart);
    chart->setTitle(QCoreApplication::translate("expertscope::RankingView", "t = %1: r² = %2, ρ = %3")
                        .arg(t.threshold, 0, 'f', 3)
                        .arg(roundedStatistic(t.byExperts.r2.value), roundedStatistic(t.byExperts.rho.value)));
    auto* x = new QValueAxis;
    x->setTitleText(QCoreApplication::translate("expertscope::RankingView", "experts (AP ≥ t)"));
    x->setLabelFormat("%g");
    auto* y = new QValueAxis;
    y->setTitleText(r.scoreNegated ? QCoreApplication::translate("expertscope::RankingView", "score (↓ better)")
                                   : QCoreApplication::translate("expertscope::RankingView", "score"));
    y->setLabelFormat("%g");
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    // One series per model, so each point carries its name as its label.
    for (size_t m = 0; m < r.models.size(); ++m) {
        auto* s = new QScatterSeries;
        const QString name = QString::fromStdString(r.models[m]);
        s->setName(name);
        s->setMarkerSize(10);
        s->append(static_cast<double>(t.experts[m]), r.scores[m]);
        s->setPointLabelsFormat(QString(name).replace('@', QStringLiteral("＠")));  // '@' starts a placeholder there
        s->setPointLabelsVisible(true);
        s->setPointLabelsClipping(false);
        const QString tip = QCoreApplication::translate("expertscope::RankingView", "%1: %2 experts, score %3")
                                .arg(name)
                                .arg(t.experts[m])
                                .arg(r.scores[m]);
        QObject::connect(s, &QScatterSeries::hovered, s, [tip](const QPointF&, bool on) {
            if (on) QToolTip::showText(QCursor::pos(), tip);
            else QToolTip::hideText();
        });
        chart->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
    }
    // Ranges around the points with a margin, so no point or label sits on the frame.
    const auto [lowX, highX] = std::minmax_element(t.experts.begin(), t.experts.end());
    const auto [lowY, highY] = std::minmax_element(r.scores.begin(), r.scores.end());
    const auto padded = [](QValueAxis* axis, double low, double high) {
        const double margin = high > low ? (high - low) * 0.2 : std::max(1.0, std::abs(high) * 0.1);
        axis->setRange(low - margin, high + margin);
        axis->setTickCount(5);
        axis->applyNiceNumbers();  // round ticks
    };
    padded(x, static_cast<double>(*lowX), static_cast<double>(*highX));
    padded(y, *lowY, *highY);
}

void RankingCharts::render(QPainter& painter, const QRect& area) const {
    const QRect left(area.left(), area.top(), area.width() / 2, area.height());
    const QRect right(left.right() + 1, area.top(), area.width() - left.width(), area.height());
    renderChart(curve_->chart(), painter, left);
    renderChart(scatter_->chart(), painter, right);
}

}  // namespace expertscope
