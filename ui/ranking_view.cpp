#include "ui/ranking_view.h"

#include "core/project/run_names.h"
#include "ui/figure_export.h"
#include "ui/post_to_gui.h"
#include "ui/project_session.h"
#include "ui/ranking_charts.h"

#include <QChartView>
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPainter>
#include <QPointer>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSlider>
#include <QSplitter>
#include <QThreadPool>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace expertscope {

// What one ranking read and computed, handed from the worker to the view whole.
struct RankingView::Result {
    QStringList projects;
    QString scores;
    RunSettings settings;
    RankingOptions options;
    std::vector<ModelExperts> models;
    ModelRanking ranking;
};

namespace {

QString csvFormat() {
    return RankingView::tr("a CSV table: the header “model,score”, then one row per project, the model named by its project "
                           "file's name without the extension (“runs/gpt2.esproj”: “gpt2,23.5”)");
}

QString withInterval(const Estimate& e) {
    if (!e.interval) return roundedStatistic(e.value) + " " + RankingView::tr("[no defined resample]");
    return QStringLiteral("%1 [%2, %3]").arg(roundedStatistic(e.value)).arg(e.interval->low, 0, 'f', 3).arg(e.interval->high, 0, 'f', 3);
}

// Exported numbers round-trip: the shortest text that reads back as the same double.
QString exact(double v) { return QString::number(v, 'g', QLocale::FloatingPointShortest); }
QString exact(const std::optional<double>& v) { return v ? exact(*v) : QString(); }

}  // namespace

RankingView::RankingView(ProjectSession* session, QWidget* parent) : QWidget(parent), session_(session) {
    projects_ = new QListWidget(this);
    projects_->setObjectName("rankingProjects");
    projects_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    projects_->setToolTip(tr("One project file per model, all analysed on the same concepts; at least 3. A model is named by "
                             "its file's name without the extension, as in the scores file."));
    add_ = new QPushButton(tr("Add projects…"), this);
    add_->setObjectName("rankingAdd");
    add_->setToolTip(tr("Add project files (*.esproj), several at once: one per model"));
    remove_ = new QPushButton(tr("Remove"), this);
    remove_->setObjectName("rankingRemove");
    remove_->setToolTip(tr("Take the selected projects off the list (the files are not touched)"));
    remove_->setEnabled(false);
    scores_ = new QLineEdit(this);
    scores_->setObjectName("rankingScores");
    scores_->setPlaceholderText(tr("CSV file: model,score"));
    scores_->setToolTip(tr("The models' scores: %1").arg(csvFormat()));
    chooseScores_ = new QPushButton(tr("Choose…"), this);
    chooseScores_->setObjectName("rankingChooseScores");
    chooseScores_->setToolTip(tr("Choose the scores file, %1").arg(csvFormat()));
    lowerIsBetter_ = new QCheckBox(tr("Lower score is better (a loss)"), this);
    lowerIsBetter_->setObjectName("rankingLowerIsBetter");
    lowerIsBetter_->setToolTip(tr("For a loss or a perplexity: −score is correlated, so a positive ρ still means “more experts, "
                                  "better model” (r² does not change)"));
    run_ = new QPushButton(tr("Rank"), this);
    run_->setObjectName("rankingRun");
    run_->setToolTip(tr("Count every model's experts at each of 501 AP thresholds from 0.5 to 1.0 and correlate them with the "
                        "scores: r² and ρ with 95% intervals from 2000 bootstrap resamples of the models"));
    status_ = new QLabel(tr("Add 3 or more projects and a scores file, then Rank."), this);
    status_->setObjectName("rankingStatus");
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    threshold_ = new QSlider(Qt::Horizontal, this);
    threshold_->setObjectName("rankingThreshold");
    threshold_->setToolTip(tr("The AP threshold t the scatter plot shows: a unit with AP ≥ t is an expert"));
    threshold_->setEnabled(false);
    thresholdValue_ = new QDoubleSpinBox(this);
    thresholdValue_->setObjectName("rankingThresholdValue");
    thresholdValue_->setDecimals(3);
    thresholdValue_->setRange(0.5, 1.0);
    thresholdValue_->setSingleStep(0.001);
    thresholdValue_->setToolTip(threshold_->toolTip());
    thresholdValue_->setEnabled(false);
    summary_ = new QLabel(this);
    summary_->setObjectName("rankingSummary");
    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    charts_ = std::make_unique<RankingCharts>(this);
    for (auto* view : {charts_->curveView(), charts_->scatterView()}) addFigureMenu(view, this);

    // Inputs and the text in a column on the left (scrolling rather than cut off where the
    // window is small), the two charts stacked on the right.
    auto* projectButtons = new QHBoxLayout;
    projectButtons->addWidget(add_);
    projectButtons->addWidget(remove_);
    projectButtons->addStretch();
    auto* scoresRow = new QHBoxLayout;
    scoresRow->addWidget(scores_, 1);
    scoresRow->addWidget(chooseScores_);
    auto* runRow = new QHBoxLayout;
    runRow->addWidget(run_);
    runRow->addStretch();
    auto* thresholdRow = new QHBoxLayout;
    thresholdRow->addWidget(new QLabel(tr("Threshold t:"), this));
    thresholdRow->addWidget(threshold_, 1);
    thresholdRow->addWidget(thresholdValue_);
    auto* inputs = new QWidget(this);
    auto* column = new QVBoxLayout(inputs);
    column->addWidget(new QLabel(tr("Projects, one per model:"), this));
    column->addWidget(projects_);
    column->addLayout(projectButtons);
    column->addSpacing(6);
    column->addWidget(new QLabel(tr("Scores:"), this));
    column->addLayout(scoresRow);
    column->addWidget(lowerIsBetter_);
    column->addSpacing(6);
    column->addLayout(runRow);
    column->addWidget(status_);
    column->addSpacing(6);
    column->addLayout(thresholdRow);
    column->addWidget(summary_);
    column->addStretch();
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(inputs);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumWidth(260);
    auto* charts = new QSplitter(Qt::Vertical, this);
    charts->setObjectName("rankingCharts");
    charts->addWidget(charts_->curveView());
    charts->addWidget(charts_->scatterView());
    charts->setChildrenCollapsible(false);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->setObjectName("rankingSplit");
    split->addWidget(scroll);
    split->addWidget(charts);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    split->setSizes({400, 600});  // the same share empty or filled: by stretch, not by content
    split->setChildrenCollapsible(false);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(split);
    projects_->setMinimumHeight(projects_->fontMetrics().height() * 3);
    projects_->setMaximumHeight(projects_->fontMetrics().height() * 7);

    connect(add_, &QPushButton::clicked, this, &RankingView::addProjectsDialog);
    connect(remove_, &QPushButton::clicked, this, &RankingView::removeSelected);
    connect(projects_, &QListWidget::itemSelectionChanged, this, [this] { remove_->setEnabled(!projects_->selectedItems().isEmpty()); });
    connect(chooseScores_, &QPushButton::clicked, this, &RankingView::chooseScoresDialog);
    connect(run_, &QPushButton::clicked, this, &RankingView::rank);
    connect(threshold_, &QSlider::valueChanged, this, &RankingView::showThreshold);
    connect(thresholdValue_, &QDoubleSpinBox::valueChanged, this, [this](double t) {
        if (!result_) return;
        const auto& ts = result_->ranking.thresholds;  // the grid point nearest to what was typed
        const auto at = std::min_element(ts.begin(), ts.end(), [t](const ThresholdRanking& a, const ThresholdRanking& b) {
            return std::abs(a.threshold - t) < std::abs(b.threshold - t);
        });
        setThresholdIndex(static_cast<int>(at - ts.begin()));
    });
}

RankingView::~RankingView() = default;

QStringList RankingView::projects() const {
    QStringList paths;
    for (int i = 0; i < projects_->count(); ++i) paths << projects_->item(i)->data(Qt::UserRole).toString();
    return paths;
}

void RankingView::setProjects(const QStringList& paths) {
    projects_->clear();
    for (const auto& path : paths) {
        if (projects().contains(path)) continue;
        auto* item = new QListWidgetItem(QFileInfo(path).fileName(), projects_);
        item->setData(Qt::UserRole, path);
        item->setToolTip(path);
    }
}

QString RankingView::scoresPath() const { return scores_->text().trimmed(); }
void RankingView::setScoresPath(const QString& path) { scores_->setText(path); }
void RankingView::setLowerIsBetter(bool lower) { lowerIsBetter_->setChecked(lower); }

const ModelRanking* RankingView::ranking() const { return result_ ? &result_->ranking : nullptr; }

const std::vector<ModelExperts>& RankingView::models() const {
    static const std::vector<ModelExperts> none;
    return result_ ? result_->models : none;
}

int RankingView::thresholdIndex() const { return threshold_->value(); }
void RankingView::setThresholdIndex(int index) { threshold_->setValue(index); }

void RankingView::addProjectsDialog() {
    if (qEnvironmentVariableIsSet("EXPERTSCOPE_NO_DIALOGS")) return;  // tests: no modal dialog
    const QStringList chosen = QFileDialog::getOpenFileNames(this, tr("Add projects"), QString(),
                                                             tr("Expertscope projects (*.esproj);;All files (*)"));
    setProjects(projects() + chosen);
}

void RankingView::removeSelected() { qDeleteAll(projects_->selectedItems()); }

void RankingView::chooseScoresDialog() {
    if (qEnvironmentVariableIsSet("EXPERTSCOPE_NO_DIALOGS")) return;
    const QString path = QFileDialog::getOpenFileName(this, tr("Scores"), scoresPath(), tr("CSV tables (*.csv);;All files (*)"));
    if (!path.isEmpty()) setScoresPath(path);
}

void RankingView::rank() {
    if (running_) return;
    auto job = std::make_shared<Result>();
    job->projects = projects();
    job->scores = scoresPath();
    // Checked before reading, as the command line does: a scores file naming the missing
    // models would hide what is wrong.
    QString problem;
    if (job->projects.size() < 3)
        problem = tr("Ranking needs at least 3 models, one project each (%n listed).", nullptr, static_cast<int>(job->projects.size()));
    else if (job->scores.isEmpty())
        problem = tr("Choose a scores file: %1.").arg(csvFormat());
    if (!problem.isEmpty()) {
        status_->setText(problem);
        emit finished(problem);
        return;
    }
    job->settings = session_ ? session_->runSettings() : RunSettings{};
    job->options.higherIsBetter = !lowerIsBetter_->isChecked();
    running_ = true;
    run_->setEnabled(false);
    status_->setText(tr("Ranking %n model(s)…", nullptr, static_cast<int>(job->projects.size())));
    QPointer<RankingView> self(this);
    // The same calls as expertscope-cli rank; each project is opened by the worker itself.
    QThreadPool::globalInstance()->start([self, job] {
        QString error;
        try {
            std::vector<std::string> paths;
            for (const auto& p : job->projects) paths.push_back(p.toStdString());
            ResultRequest request;
            request.settings = job->settings;
            job->models = readProjectsExperts(paths, job->options.thresholds, request);
            const std::string scores = job->scores.toStdString();
            job->ranking = rankModels(withScores(job->models, readScoresFile(scores), scores), job->options);
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        }
        if (self)
            post(self.data(), [self, job, error] {
                if (self) self->showResult(job, error);
            });
    });
}

void RankingView::showResult(std::shared_ptr<const Result> result, const QString& error) {
    running_ = false;
    run_->setEnabled(true);
    if (!error.isEmpty()) {  // nothing from other inputs stays shown beside the message
        result_.reset();
        charts_->clear();
        summary_->clear();
        threshold_->setEnabled(false);
        thresholdValue_->setEnabled(false);
        status_->setText(tr("Ranking failed: %1").arg(error));
        emit finished(error);
        return;
    }
    result_ = std::move(result);
    const auto& r = result_->ranking;
    status_->setText(tr("Ranked %n model(s) on the concepts they share: %1.", nullptr, static_cast<int>(r.models.size()))
                         .arg(QFileInfo(result_->scores).fileName()));
    charts_->plotCurve(r);
    {
        const QSignalBlocker quiet(threshold_);  // shown once, below
        threshold_->setRange(0, static_cast<int>(r.thresholds.size()) - 1);
        threshold_->setValue(r.best ? static_cast<int>(*r.best) : 0);
    }
    threshold_->setEnabled(true);
    thresholdValue_->setEnabled(true);
    summary_->setText(summaryText());
    showThreshold();
    emit finished(QString());
}

// The chosen threshold: marked on the curve, its counts against the scores in the scatter.
void RankingView::showThreshold() {
    if (!result_) return;
    const auto& r = result_->ranking;
    const int index = std::clamp(threshold_->value(), 0, static_cast<int>(r.thresholds.size()) - 1);
    const auto& t = r.thresholds[static_cast<size_t>(index)];
    {
        const QSignalBlocker quiet(thresholdValue_);
        thresholdValue_->setValue(t.threshold);
    }
    charts_->showThreshold(r, static_cast<size_t>(index));
}

QString RankingView::summaryText() const {
    if (!result_) return {};
    const auto& r = result_->ranking;
    QString best;
    if (r.best) {
        const auto& t = r.thresholds[*r.best];
        best = tr("Best threshold by r² of the number of experts: t = %1, r² = %2, ρ = %3 (95% intervals). Reported only: "
                  "nothing else in the application uses it.")
                   .arg(t.threshold, 0, 'f', 3)
                   .arg(withInterval(t.byExperts.r2), withInterval(t.byExperts.rho));
    } else {
        best = tr("r² is undefined at every threshold: the scores, or every threshold's expert counts, are all equal.");
    }
    const QString formula =
        tr("experts(t) = units with AP ≥ t, summed over the %1 concepts every project shares; r² = Pearson's r(score, experts)²; "
           "ρ = Spearman's rank correlation; 95% intervals: percentile bootstrap over %2 resamples of the %3 models (seed %4).")
            .arg(models().empty() ? 0 : static_cast<int>(models().front().concepts.size()))
            .arg(r.bootstrap.resamples)
            .arg(r.models.size())
            .arg(r.bootstrap.seed);
    return best + "\n" + formula + (r.scoreNegated ? " " + tr("Lower score is better: −score is correlated.") : QString());
}

// Both charts side by side as shown, the summary beneath.
void RankingView::renderFigure(QPainter& painter, const QRect& area) const {
    painter.fillRect(area, Qt::white);
    const QString text = summaryText();
    QFont font = painter.font();
    font.setPixelSize(std::max(9, area.height() / 50));
    painter.setFont(font);
    const QRect textArea = area.adjusted(12, 0, -12, 0);
    const int textHeight =
        text.isEmpty() ? 0 : painter.fontMetrics().boundingRect(textArea, Qt::TextWordWrap, text).height() + 12;
    const QRect charts(area.left(), area.top(), area.width(), area.height() - textHeight);
    charts_->render(painter, charts);
    painter.setPen(Qt::black);
    painter.drawText(QRect(textArea.left(), charts.bottom() + 6, textArea.width(), textHeight), Qt::TextWordWrap, text);
}

Figure::Data RankingView::figureData() const {
    Data d;
    if (!result_) return d;
    const auto& r = result_->ranking;
    d.header = QStringList{"threshold", "r2", "r2_low", "r2_high", "rho", "rho_low", "rho_high"};
    for (const auto& m : r.models) d.header << "experts_" + QString::fromStdString(m);
    for (const auto& t : r.thresholds) {
        const auto& a = t.byExperts;
        QStringList row{exact(t.threshold), exact(a.r2.value), a.r2.interval ? exact(a.r2.interval->low) : QString(),
                        a.r2.interval ? exact(a.r2.interval->high) : QString(), exact(a.rho.value),
                        a.rho.interval ? exact(a.rho.interval->low) : QString(), a.rho.interval ? exact(a.rho.interval->high) : QString()};
        for (auto e : t.experts) row << QString::number(e);
        d.rows.push_back(row);
    }
    return d;
}

QJsonObject RankingView::figureContext() const {
    if (!result_) return {};
    const auto& r = result_->ranking;
    QJsonArray projects, models, concepts;
    for (const auto& p : result_->projects) projects.append(QFileInfo(p).absoluteFilePath());
    for (size_t m = 0; m < r.models.size(); ++m)
        models.append(QJsonObject{{"name", QString::fromStdString(r.models[m])},
                                  {"source", QString::fromStdString(result_->models[m].source)},
                                  {"score", r.scores[m]},
                                  {"units", static_cast<qint64>(r.units[m])}});
    if (!result_->models.empty())
        for (const auto& c : result_->models.front().concepts) concepts.append(QString::fromStdString(c));
    const auto& s = result_->settings;
    return {{"ranking",
             QJsonObject{{"projects", projects},
                         {"scores", QFileInfo(result_->scores).absoluteFilePath()},
                         {"score_negated", r.scoreNegated},
                         {"models", models},
                         {"concepts", concepts},
                         {"preferred_run_settings",
                          QJsonObject{{"pooling", QString::fromLatin1(choiceName(poolingChoices(), s.pooling))},
                                      {"sequence_length", s.sequenceLength},
                                      {"long_sentences", QString::fromLatin1(choiceName(longSentenceChoices(), s.longSentences))}}},
                         {"bootstrap", QJsonObject{{"resamples", r.bootstrap.resamples},
                                                   {"level", r.bootstrap.level},
                                                   {"seed", static_cast<qint64>(r.bootstrap.seed)}}},
                         {"best_threshold", r.best ? QJsonValue(r.thresholds[*r.best].threshold) : QJsonValue(QJsonValue::Null)},
                         {"shown_threshold", r.thresholds[static_cast<size_t>(thresholdIndex())].threshold},
                         {"formula", "experts(t) = units with AP >= t summed over concepts; r2 = Pearson r(score, experts)^2; "
                                     "rho = Spearman (average ranks); intervals: percentile bootstrap over the models"}}}};
}

}  // namespace expertscope
