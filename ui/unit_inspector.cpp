#include "ui/unit_inspector.h"

#include "ui/colour_map.h"
#include "ui/figure_export.h"

#include "core/science/unit_curves.h"

#include <QChart>
#include <QChartView>
#include <QFormLayout>
#include <QLabel>
#include <QLineSeries>
#include <QSplitter>
#include <QTextBrowser>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace expertscope {
namespace {

constexpr int kBins = 30;

QChartView* makeChart(const QString& title, QWidget* parent) {
    auto* chart = new QChart;
    chart->setTitle(title);
    chart->setMargins(QMargins(2, 2, 2, 2));
    auto* view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(200);
    return view;
}

void resetChart(QChart* chart) {
    chart->removeAllSeries();
    for (auto* axis : chart->axes()) {
        chart->removeAxis(axis);
        delete axis;
    }
}

}  // namespace

UnitInspector::UnitInspector(QWidget* parent) : QWidget(parent) {
    heading_ = new QLabel(tr("Click a unit in the heatmap to inspect it."), this);
    heading_->setObjectName("inspectorHeading");
    heading_->setWordWrap(true);
    ap_ = new QLabel(this);
    ap_->setObjectName("apValue");
    auroc_ = new QLabel(this);
    auroc_->setObjectName("aurocValue");
    auroc_->setToolTip(tr("Area under the ROC curve: the chance that the unit responds more to a positive sentence "
                          "than to a negative one (ties count half). AurA suppression dampens units above 0.5."));
    onP50_ = new QLabel(this);
    onP50_->setObjectName("onP50Value");
    onP90_ = new QLabel(this);
    onP90_->setObjectName("onP90Value");
    offMean_ = new QLabel(this);
    offMean_->setObjectName("offMeanValue");
    for (auto* l : {ap_, auroc_, onP50_, onP90_, offMean_}) l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* values = new QFormLayout;
    values->addRow(tr("AP:"), ap_);
    values->addRow(tr("AUROC:"), auroc_);
    values->addRow(tr("on_p50 (median on positives):"), onP50_);
    values->addRow(tr("on_p90 (90th percentile on positives):"), onP90_);
    values->addRow(tr("off_mean (mean on negatives):"), offMean_);

    prChart_ = makeChart(tr("Precision-recall"), this);
    prChart_->setObjectName("prChart");
    histogram_ = makeChart(tr("Responses"), this);
    histogram_->setObjectName("histogramChart");
    sentences_ = new QTextBrowser(this);
    sentences_->setObjectName("sentences");
    sentences_->setPlaceholderText(tr("The sentences that excite the unit most and least appear here."));

    auto* split = new QSplitter(Qt::Vertical, this);
    split->setObjectName("inspectorSplitter");
    split->addWidget(prChart_);
    split->addWidget(histogram_);
    split->addWidget(sentences_);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(heading_);
    layout->addLayout(values);
    layout->addWidget(split, 1);
    prFigure_ = std::make_unique<SceneFigure>(prChart_, QStringLiteral("precision-recall"));
    histogramFigure_ = std::make_unique<SceneFigure>(histogram_, QStringLiteral("responses"));
    addFigureMenu(prChart_, prFigure_.get());
    addFigureMenu(histogram_, histogramFigure_.get());
    clear();
}

UnitInspector::~UnitInspector() = default;

void UnitInspector::clear() {
    details_ = UnitDetails{};
    heading_->setText(tr("Click a unit in the heatmap to inspect it."));
    for (auto* l : {ap_, auroc_, onP50_, onP90_, offMean_}) l->setText(QStringLiteral("–"));
    resetChart(prChart_->chart());
    resetChart(histogram_->chart());
    sentences_->clear();
}

QString UnitInspector::valueText(const QString& name) const {
    if (name == "ap") return ap_->text();
    if (name == "auroc") return auroc_->text();
    if (name == "on_p50") return onP50_->text();
    if (name == "on_p90") return onP90_->text();
    return offMean_->text();
}

void UnitInspector::setDetails(const UnitDetails& d) {
    const bool same = d.conceptId == details_.conceptId && d.unit == details_.unit && !details_.probe.isEmpty();
    if (same && d.responses.empty() && !details_.responses.empty()) return;  // an older, smaller answer
    details_ = d;
    heading_->setText(tr("<b>%1</b> unit %2 (global %3) for <b>%4</b>")
                          .arg(d.probe.toHtmlEscaped())
                          .arg(d.unitInProbe)
                          .arg(d.unit)
                          .arg(d.concept.toHtmlEscaped()));
    ap_->setText(QString::number(d.ap, 'f', 4));
    // Results stored before AUROC was computed have none: analysing again computes it.
    auroc_->setText(std::isnan(d.auroc) ? tr("not computed; analyse again") : QString::number(d.auroc, 'f', 4));
    onP50_->setText(QString::number(d.onP50, 'g', 6));
    onP90_->setText(QString::number(d.onP90, 'g', 6));
    offMean_->setText(QString::number(d.offMean, 'g', 6));
    showCharts();
    showSentences();
}

void UnitInspector::showCharts() {
    auto* pr = prChart_->chart();
    auto* hist = histogram_->chart();
    resetChart(pr);
    resetChart(hist);
    if (details_.responses.empty()) {
        pr->setTitle(tr("Precision-recall (computing…)"));
        hist->setTitle(tr("Responses (computing…)"));
        return;
    }
    pr->setTitle(tr("Precision-recall (AP %1)").arg(details_.ap, 0, 'f', 4));
    hist->setTitle(tr("Responses on positives and negatives"));
    const auto curve = precisionRecallCurve(details_.responses, details_.labels);
    auto* line = new QLineSeries;
    line->setName(tr("unit"));
    line->append(0, curve.precision.empty() ? 1 : curve.precision.front());
    for (size_t i = 0; i < curve.recall.size(); ++i) line->append(curve.recall[i], curve.precision[i]);
    line->setColor(QColor(ColourMap(ColourMap::BlueYellow).at(0.3)));
    pr->addSeries(line);
    const double chance = std::count(details_.labels.begin(), details_.labels.end(), uint8_t{1}) /
                          std::max<double>(1, static_cast<double>(details_.labels.size()));
    auto* base = new QLineSeries;
    base->setName(tr("chance"));
    base->append(0, chance);
    base->append(1, chance);
    base->setPen(QPen(Qt::gray, 1, Qt::DashLine));
    pr->addSeries(base);
    auto* rx = new QValueAxis;
    rx->setRange(0, 1);
    rx->setTitleText(tr("recall"));
    auto* ry = new QValueAxis;
    ry->setRange(0, 1);
    ry->setTickCount(6);
    rx->setTickCount(6);
    ry->setTitleText(tr("precision"));
    pr->addAxis(rx, Qt::AlignBottom);
    pr->addAxis(ry, Qt::AlignLeft);
    for (auto* s : {line, base}) {
        s->attachAxis(rx);
        s->attachAxis(ry);
    }

    // Histograms as step outlines on a value axis, so the response axis reads as numbers.
    const auto h = classHistogram(details_.responses, details_.labels, kBins);
    const double width = (h.high - h.low) / kBins;
    int most = 1;
    auto steps = [&](const std::vector<int>& counts, const QString& name, double shade) {
        auto* line = new QLineSeries;
        line->setName(name);
        line->append(h.low, 0);
        for (int b = 0; b < kBins; ++b) {
            line->append(h.low + b * width, counts[static_cast<size_t>(b)]);
            line->append(h.low + (b + 1) * width, counts[static_cast<size_t>(b)]);
            most = std::max(most, counts[static_cast<size_t>(b)]);
        }
        line->append(h.high, 0);
        line->setPen(QPen(QColor(ColourMap(ColourMap::BlueYellow).at(shade)), 2));
        hist->addSeries(line);
        return line;
    };
    auto* neg = steps(h.negatives, tr("negatives"), 0.2);
    auto* pos = steps(h.positives, tr("positives"), 0.75);
    auto* hx = new QValueAxis;
    hx->setRange(h.low, h.high);
    hx->setTitleText(tr("response"));
    hx->setLabelFormat("%.3g");
    auto* hy = new QValueAxis;
    hy->setRange(0, most);
    hy->setLabelFormat("%d");
    hy->setTitleText(tr("sentences"));
    hy->applyNiceNumbers();
    hist->addAxis(hx, Qt::AlignBottom);
    hist->addAxis(hy, Qt::AlignLeft);
    for (auto* s : {neg, pos}) {
        s->attachAxis(hx);
        s->attachAxis(hy);
    }
}

void UnitInspector::showSentences() {
    if (details_.strongest.isEmpty()) {
        sentences_->setHtml(details_.responses.empty() ? QString() : tr("<i>Computing the sentences' activations…</i>"));
        return;
    }
    // Shade each token by the unit's activation on a scale shared by all shown sentences.
    float lo = 0, hi = 0;
    for (const auto* list : {&details_.strongest, &details_.weakest})
        for (const auto& s : *list)
            for (const auto& t : s.tokens) {
                lo = std::min(lo, t.value);
                hi = std::max(hi, t.value);
            }
    const double scale = std::max(std::fabs(lo), std::fabs(hi));
    auto shade = [&](float v) {
        const double t = scale > 0 ? v / scale : 0;  // -1..1: blue below zero, orange above
        const int a = static_cast<int>(std::lround(std::fabs(t) * 200));
        return t >= 0 ? QString("rgba(230,120,0,%1)").arg(a / 255.0, 0, 'f', 2) : QString("rgba(40,90,200,%1)").arg(a / 255.0, 0, 'f', 2);
    };
    QString html;
    auto section = [&](const QString& title, const QVector<SentenceActivation>& list) {
        html += "<h4>" + title.toHtmlEscaped() + "</h4><ol>";
        for (const auto& s : list) {
            html += "<li><span style='color:gray'>" + (s.positive ? tr("positive") : tr("negative")) +
                    QString(", %1</span><br>").arg(s.response, 0, 'g', 4);
            if (s.tokens.isEmpty()) {
                html += s.sentence.toHtmlEscaped();
            } else {
                for (const auto& t : s.tokens)
                    html += QString("<span style='background-color:%1' title='%2'>%3</span>")
                                .arg(shade(t.value))
                                .arg(t.value, 0, 'g', 4)
                                .arg(t.text.toHtmlEscaped());
            }
            html += "</li>";
        }
        html += "</ol>";
    };
    section(tr("Sentences that excite the unit most"), details_.strongest);
    section(tr("Sentences that excite the unit least"), details_.weakest);
    sentences_->setHtml(html);
}

}  // namespace expertscope
