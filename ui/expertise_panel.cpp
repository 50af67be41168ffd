#include "ui/expertise_panel.h"

#include "ui/figure_export.h"

#include "core/science/expert_queries.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QSplitter>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <map>

namespace expertscope {

ExpertisePanel::ExpertisePanel(QWidget* parent) : QWidget(parent) {
    heatmap_ = new HeatmapView(this);
    heatmap_->setObjectName("heatmap");
    slider_ = new QSlider(Qt::Horizontal, this);
    slider_->setObjectName("thresholdSlider");
    slider_->setRange(500, 1000);  // AP x 1000
    slider_->setValue(900);
    slider_->setSingleStep(5);
    slider_->setPageStep(50);
    slider_->setToolTip(tr("Units with an AP at or above this threshold count as experts"));
    thresholdLabel_ = new QLabel(this);
    thresholdLabel_->setMinimumWidth(fontMetrics().horizontalAdvance(tr("AP ≥ 0.000: 00000 experts")) + 10);
    colourMap_ = new QComboBox(this);
    colourMap_->setObjectName("colourMap");
    colourMap_->addItems(ColourMap::names());
    colourMap_->setToolTip(tr("Colour map: all rise evenly in lightness and stay readable with colour-blindness"));

    auto* chart = new QChart;
    chart->setTitle(tr("Experts per layer"));
    chart->legend()->hide();
    chart->setMargins(QMargins(4, 4, 4, 4));
    auto* series = new QBarSeries;
    bars_ = new QBarSet(tr("experts"));
    bars_->setColor(QColor(ColourMap(ColourMap::BlueYellow).at(0.35)));
    series->append(bars_);
    chart->addSeries(series);
    layersAxis_ = new QBarCategoryAxis;
    layersAxis_->setTitleText(tr("layer"));
    countAxis_ = new QValueAxis;
    countAxis_->setTitleText(tr("experts"));
    countAxis_->setLabelFormat("%d");
    chart->addAxis(layersAxis_, Qt::AlignBottom);
    chart->addAxis(countAxis_, Qt::AlignLeft);
    series->attachAxis(layersAxis_);
    series->attachAxis(countAxis_);
    chart_ = new QChartView(chart, this);
    chart_->setObjectName("expertCountChart");
    chart_->setRenderHint(QPainter::Antialiasing);
    chart_->setMinimumWidth(180);
    chart_->setMaximumWidth(380);  // the heatmap takes the rest

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("AP threshold:"), this));
    controls->addWidget(slider_, 1);
    controls->addWidget(thresholdLabel_);
    controls->addSpacing(12);
    controls->addWidget(new QLabel(tr("Colours:"), this));
    controls->addWidget(colourMap_);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->setObjectName("heatmapSplitter");
    split->addWidget(heatmap_);
    split->addWidget(chart_);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(split, 1);

    connect(slider_, &QSlider::valueChanged, this, [this] {
        heatmap_->setThreshold(threshold());
        updateCounts();
        emit thresholdChanged(threshold());
    });
    connect(colourMap_, &QComboBox::currentIndexChanged, this,
            [this](int i) { heatmap_->setColourMap(static_cast<ColourMap::Kind>(i)); });
    connect(heatmap_, &HeatmapView::unitClicked, this, &ExpertisePanel::unitClicked);
    connect(heatmap_, &HeatmapView::unitHovered, this, &ExpertisePanel::unitHovered);
    heatmap_->setThreshold(threshold());
    updateCounts();
    chartFigure_ = std::make_unique<SceneFigure>(chart_, QStringLiteral("experts-per-layer"));
    addFigureMenu(heatmap_, heatmap_);
    addFigureMenu(chart_, chartFigure_.get());
}

ExpertisePanel::~ExpertisePanel() = default;

const Figure* ExpertisePanel::heatmapFigure() const { return heatmap_; }

void ExpertisePanel::showUnit(int64_t unit) {
    heatmap_->setSelectedUnit(unit);
    heatmap_->setFocus();
}
int ExpertisePanel::colourMap() const { return colourMap_->currentIndex(); }
void ExpertisePanel::setColourMap(int index) { colourMap_->setCurrentIndex(index); }

double ExpertisePanel::threshold() const { return slider_->value() / 1000.0; }
void ExpertisePanel::setThreshold(double t) { slider_->setValue(static_cast<int>(std::lround(t * 1000))); }

void ExpertisePanel::setExpertise(const std::vector<ProbePoint>& probes, const UnitExpertise& e, const QString& title) {
    probes_ = probes;
    apOnly_.ap = e.ap;
    heatmap_->setData(probes, e.ap, e.onP50, e.offMean, title);
    updateCounts();
}

void ExpertisePanel::updateCounts() {
    const double t = threshold();
    std::map<int, int> perLayer;
    for (const auto& p : probes_) perLayer[p.layer] += 0;
    experts_ = 0;
    if (!apOnly_.ap.empty()) {
        const auto counts = expertsPerProbe(apOnly_, probes_, t);
        for (size_t i = 0; i < probes_.size(); ++i) {
            perLayer[probes_[i].layer] += counts[i];
            experts_ += counts[i];
        }
    }
    thresholdLabel_->setText(tr("AP ≥ %1: %n expert(s)", nullptr, experts_).arg(t, 0, 'f', 3));
    QStringList layers;
    bars_->remove(0, bars_->count());
    int most = 1;
    for (const auto& [layer, count] : perLayer) {
        layers << QString::number(layer);
        bars_->append(count);
        most = std::max(most, count);
    }
    layersAxis_->clear();
    layersAxis_->append(layers);
    countAxis_->setRange(0, std::max(4, most));  // whole numbers even when few
    countAxis_->applyNiceNumbers();
}

}  // namespace expertscope
