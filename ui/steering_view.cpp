#include "ui/steering_view.h"

#include "core/project/run_names.h"
#include "ui/choice_box.h"
#include "ui/concept_choices.h"
#include "ui/figure_export.h"
#include "ui/project_session.h"

#include <QAreaSeries>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

namespace expertscope {
namespace {

QString joined(const std::vector<int>& v) {
    QStringList s;
    for (int x : v) s << QString::number(x);
    return s.join(", ");
}

}  // namespace

SteeringView::SteeringView(ProjectSession* session, QWidget* parent) : QWidget(parent), session_(session) {
    concept_ = new QComboBox(this);
    concept_->setObjectName("steeringConcept");
    concept_->setMinimumContentsLength(16);
    targets_ = new QLineEdit(this);
    targets_->setObjectName("targets");
    targets_->setMaxLength(std::numeric_limits<int>::max());  // Qt's default, 32,767 characters, would cut a long word list
    targets_->setToolTip(tr("Words counted in the generated texts, separated by commas (whole words, any case). "
                            "Default: the concept's own words (for the demo, the WordNet lemmas under it), else its name"));
    targetCount_ = new QLabel(this);
    targetCount_->setObjectName("targetCount");
    connect(targets_, &QLineEdit::textChanged, this, [this](const QString& text) {
        targetCount_->setText(tr("%n word(s)", nullptr, static_cast<int>(text.split(',', Qt::SkipEmptyParts).size())));
    });
    ks_ = new QLineEdit(joined(SteeringOptions{}.ks), this);
    ks_->setObjectName("kGrid");
    ks_->setToolTip(tr("Numbers of top experts forced, separated by commas"));
    seeds_ = new QSpinBox(this);
    seeds_->setObjectName("seeds");
    seeds_->setRange(1, 1000);
    seeds_->setValue(SteeringOptions{}.seeds);
    seeds_->setToolTip(tr("Generations per k, with seeds 1, 2, …: the spread over them is shown"));
    length_ = new QSpinBox(this);
    length_->setObjectName("steeringLength");
    length_->setRange(1, 1000);
    length_->setValue(60);
    length_->setSuffix(tr(" tokens"));
    mode_ = new QComboBox(this);
    mode_->setObjectName("steeringMode");
    fillChoices(mode_, forceValueChoices(), forceValueLabels());
    aura_ = new QCheckBox(tr("AurA point"), this);
    aura_->setObjectName("auraPoint");
    aura_->setChecked(true);
    aura_->setToolTip(tr("Also AurA suppression (every unit with AUROC above 0.5 dampened), as one more point"));
    prompt_ = new QLineEdit(this);
    prompt_->setObjectName("steeringPrompt");
    prompt_->setPlaceholderText(tr("Empty: texts of the model's own"));
    prompt_->setToolTip(tr("With a prompt, the curve also shows the probability that the next token starts a target word"));
    run_ = new QPushButton(tr("Run"), this);
    run_->setObjectName("runCurve");
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setEnabled(false);
    progress_ = new QProgressBar(this);
    progress_->setObjectName("curveProgress");
    summary_ = new QLabel(this);
    summary_->setObjectName("curveSummary");
    summary_->setWordWrap(true);

    auto* chart = new QChart;
    chart->setTitle(tr("Steering curve"));
    chart_ = new QChartView(chart, this);
    chart_->setObjectName("steeringChart");
    chart_->setRenderHint(QPainter::Antialiasing);
    figure_ = std::make_unique<SceneFigure>(chart_, QStringLiteral("steering-curve"));
    addFigureMenu(chart_, figure_.get());

    auto* form = new QFormLayout;
    form->addRow(tr("Concept:"), concept_);
    auto* targetsRow = new QHBoxLayout;
    targetsRow->addWidget(targets_, 1);
    targetsRow->addWidget(targetCount_);
    form->addRow(tr("Target words:"), targetsRow);
    form->addRow(tr("Experts forced (k):"), ks_);
    form->addRow(tr("Mode:"), mode_);
    form->addRow(tr("Seeds:"), seeds_);
    form->addRow(QString(), aura_);
    form->addRow(tr("Length:"), length_);
    form->addRow(tr("Prompt:"), prompt_);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(run_);
    buttons->addWidget(cancel_);
    buttons->addWidget(progress_, 1);
    auto* left = new QVBoxLayout;
    left->addLayout(form);
    left->addLayout(buttons);
    left->addWidget(summary_);
    left->addStretch();
    auto* layout = new QHBoxLayout(this);
    layout->addLayout(left, 2);
    layout->addWidget(chart_, 3);

    connect(run_, &QPushButton::clicked, this, &SteeringView::run);
    connect(cancel_, &QPushButton::clicked, this, &SteeringView::cancel);
    connect(concept_, &QComboBox::currentIndexChanged, this, &SteeringView::showDefaultTargets);
    connect(session_, &ProjectSession::steeringProgress, this, [this](int job, int done, int total) {
        if (job != job_) return;
        progress_->setMaximum(total);
        progress_->setValue(done);
    });
    connect(session_, &ProjectSession::steeringFinished, this, [this](int job, const SteeringCurve& curve, const QString& error) {
        if (job != job_) return;
        running_ = false;
        run_->setEnabled(true);
        cancel_->setEnabled(false);
        if (error.isEmpty()) {
            curve_ = curve;
            plot();
        } else {
            summary_->setText(error);
        }
        emit finished(error);
    });
}

SteeringView::~SteeringView() = default;

void SteeringView::refreshConcepts() {
    fillAnalysedConcepts(concept_, session_->concepts());
    if (targets_->text().isEmpty()) showDefaultTargets();
}

void SteeringView::showDefaultTargets() {
    const int64_t concept = concept_->currentData().toLongLong();
    const QStringList words = session_->defaultTargets(concept);
    targets_->setText(words.join(QStringLiteral(", ")));
    targets_->setCursorPosition(0);
    // The project's suggested forcing (the demo's): its mode, and its k in the grid.
    if (concept && concept == session_->suggestedConcept()) {
        const auto& s = session_->forcingSuggestion();
        setCurrentChoice(mode_, forceValueChoices(), s.value);
        auto ks = SteeringOptions{}.ks;
        if (std::find(ks.begin(), ks.end(), s.experts) == ks.end()) ks.push_back(s.experts);
        std::sort(ks.begin(), ks.end());
        ks_->setText(joined(ks));
    }
}

void SteeringView::setCurrentConcept(int64_t conceptId) {
    if (running_) return;
    const int at = concept_->findData(QVariant::fromValue<qint64>(conceptId));
    if (at >= 0 && at != concept_->currentIndex()) concept_->setCurrentIndex(at);  // sets the targets too
}

SteeringOptions SteeringView::options() const {
    SteeringOptions o;
    o.targets.clear();
    for (const auto& t : targets_->text().split(',', Qt::SkipEmptyParts)) o.targets.push_back(t.trimmed().toStdString());
    o.ks.clear();
    for (const auto& k : ks_->text().split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts)) {
        bool ok = false;
        const int v = k.toInt(&ok);
        if (ok && v >= 0) o.ks.push_back(v);
    }
    std::sort(o.ks.begin(), o.ks.end());
    o.ks.erase(std::unique(o.ks.begin(), o.ks.end()), o.ks.end());
    o.seeds = seeds_->value();
    o.prompt = prompt_->text().toStdString();
    o.generation.maxNewTokens = length_->value();
    o.generation.temperature = 0.8f;
    o.generation.topP = 0.95f;
    o.generation.stopAtEos = false;
    o.value = currentChoice(mode_, forceValueChoices());
    o.auraPoint = aura_->isChecked();
    return o;
}

void SteeringView::run() {
    summary_->clear();
    running_ = true;
    run_->setEnabled(false);
    cancel_->setEnabled(true);
    progress_->setValue(0);
    job_ = session_->runSteeringCurve(concept_->currentData().toLongLong(), options());
}

void SteeringView::cancel() { session_->cancelSteeringCurve(); }

void SteeringView::plot() {
    QChart* chart = chart_->chart();
    chart->removeAllSeries();
    for (auto* axis : chart->axes()) {
        chart->removeAxis(axis);
        delete axis;
    }
    chart->setTitle(tr("Steering “%1”: %2 seeds per k").arg(QString::fromStdString(curve_.concept)).arg(curve_.options.seeds));
    // k on a categorical axis (0 has no logarithm), in grid order.
    auto* x = new QCategoryAxis;
    x->setTitleText(tr("experts forced (k)"));
    x->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    auto* rateAxis = new QValueAxis;
    rateAxis->setTitleText(tr("target words per word"));
    auto* pplAxis = new QValueAxis;
    pplAxis->setTitleText(tr("perplexity (unforced model)"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(rateAxis, Qt::AlignLeft);
    chart->addAxis(pplAxis, Qt::AlignRight);
    auto* rate = new QLineSeries;
    rate->setName(tr("target rate"));
    auto* rateLow = new QLineSeries, *rateHigh = new QLineSeries;
    auto* ppl = new QLineSeries;
    ppl->setName(tr("perplexity"));
    auto* first = new QLineSeries;
    first->setName(tr("P(first token)"));
    double topRate = 0, topPpl = 0;
    for (size_t i = 0; i < curve_.points.size(); ++i) {
        const auto& p = curve_.points[i];
        const double at = static_cast<double>(i);
        x->append(p.k < 0 ? tr("AurA") : QString::number(p.k), at);
        rate->append(at, p.rate);
        rateLow->append(at, std::max(0.0, p.rate - p.rateSd));
        rateHigh->append(at, p.rate + p.rateSd);
        ppl->append(at, p.perplexity);
        if (p.firstTokenProbability >= 0) first->append(at, p.firstTokenProbability);
        topRate = std::max({topRate, p.rate + p.rateSd, p.firstTokenProbability});
        topPpl = std::max(topPpl, p.perplexity + p.perplexitySd);
    }
    x->setRange(-0.2, std::max(1.0, static_cast<double>(curve_.points.size()) - 0.8));
    rateAxis->setRange(0, std::max(0.01, topRate * 1.1));
    pplAxis->setRange(0, std::max(1.0, topPpl * 1.1));
    auto* band = new QAreaSeries(rateHigh, rateLow);
    // An area series does not own its boundary lines (AddressSanitizer's leak check found
    // them outliving every plot): the band does, so removing it frees them.
    rateHigh->setParent(band);
    rateLow->setParent(band);
    band->setName(tr("± 1 sd"));
    band->setColor(QColor(70, 130, 180, 60));
    band->setBorderColor(QColor(70, 130, 180, 0));
    chart->addSeries(band);
    for (auto* s : {rate, ppl}) chart->addSeries(s);
    if (first->count() > 0) chart->addSeries(first);
    else delete first;
    for (auto* s : chart->series()) {
        s->attachAxis(x);
        s->attachAxis(s == ppl ? pplAxis : rateAxis);
    }
    const auto& last = curve_.points.back();
    summary_->setText(tr("k = %1: rate %2 (k = 0: %3), perplexity %4 (k = 0: %5).")
                          .arg(last.k < 0 ? tr("AurA") : QString::number(last.k))
                          .arg(last.rate, 0, 'g', 3)
                          .arg(curve_.points.front().rate, 0, 'g', 3)
                          .arg(last.perplexity, 0, 'f', 1)
                          .arg(curve_.points.front().perplexity, 0, 'f', 1) +
                      (curve_.auraMissing.empty() ? QString() : "\n" + tr("No AurA point: %1").arg(QString::fromStdString(curve_.auraMissing))));
}

}  // namespace expertscope
