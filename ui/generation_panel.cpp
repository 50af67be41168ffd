#include "ui/generation_panel.h"

#include "ui/choice_box.h"
#include "ui/concept_choices.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace expertscope {
namespace {
constexpr int kSliderSteps = 100;
constexpr int kMostExperts = 5000;
constexpr int kSliderMinimumWidth = 200;
constexpr int kPresetExperts = 10;  // at least this many forced when a concept is chosen
}  // namespace

int GenerationPanel::mostExperts() const {
    return static_cast<int>(std::min<int64_t>(kMostExperts, std::max<int64_t>(1, session_->unitCount())));
}

int GenerationPanel::expertsForPosition(int position, int maximum) {
    if (position <= 0 || maximum <= 0) return 0;
    return static_cast<int>(std::lround(std::exp(std::log(static_cast<double>(maximum)) * position / kSliderSteps)));
}

GenerationPanel::GenerationPanel(ProjectSession* session, QWidget* parent) : QWidget(parent), session_(session) {
    prompt_ = new QLineEdit(this);
    prompt_->setObjectName("prompt");
    prompt_->setPlaceholderText(tr("Empty: the model starts a text of its own"));
    prompt_->setToolTip(tr("The text the model continues; empty starts from the beginning-of-text token"));

    auto* forcingBox = new QGroupBox(tr("Forcing"), this);
    rowsLayout_ = new QVBoxLayout;
    auto* add = new QPushButton(tr("Add concept"), forcingBox);
    add->setToolTip(tr("Force or suppress several concepts at once, each with its own number of experts"));
    strength_ = new QDoubleSpinBox(forcingBox);
    strength_->setObjectName("strength");
    strength_->setRange(0, 20);
    strength_->setSingleStep(0.25);
    strength_->setValue(1);
    strength_->setToolTip(tr("Multiplies the on value the experts are forced to"));
    scope_ = new QComboBox(forcingBox);
    scope_->setObjectName("forcingScope");
    fillChoices(scope_, forceScopeChoices(), {tr("all tokens"), tr("new tokens only")});
    scope_->setToolTip(tr("Force at every position, the prompt included, or only where new tokens are predicted"));
    auto* forcingLayout = new QVBoxLayout(forcingBox);
    forcingLayout->addLayout(rowsLayout_);
    auto* forcingOptions = new QHBoxLayout;
    forcingOptions->addWidget(add);
    forcingOptions->addStretch();
    forcingOptions->addWidget(new QLabel(tr("Strength:"), forcingBox));
    forcingOptions->addWidget(strength_);
    forcingOptions->addWidget(new QLabel(tr("Positions:"), forcingBox));
    forcingOptions->addWidget(scope_);
    forcingLayout->addLayout(forcingOptions);

    auto* sampling = new QGroupBox(tr("Sampling"), this);
    sampling_ = sampling;
    temperature_ = new QDoubleSpinBox(sampling);
    temperature_->setObjectName("temperature");
    temperature_->setRange(0, 3);
    temperature_->setSingleStep(0.1);
    temperature_->setValue(0.8);
    temperature_->setToolTip(tr("0 always takes the most likely token"));
    topP_ = new QDoubleSpinBox(sampling);
    topP_->setRange(0.05, 1);
    topP_->setSingleStep(0.05);
    topP_->setValue(0.95);
    length_ = new QSpinBox(sampling);
    length_->setRange(1, 1000);
    length_->setValue(60);
    length_->setSuffix(tr(" tokens"));
    seed_ = new QSpinBox(sampling);
    seed_->setObjectName("seed");
    seed_->setRange(0, 1000000);
    seed_->setValue(1);
    seed_->setToolTip(tr("Both texts use this seed, so only the forcing differs"));
    goOn_ = new QCheckBox(tr("Go on after the end of a text"), sampling);
    goOn_->setChecked(true);
    goOn_->setToolTip(tr("Keep generating new texts, one a line, until the length is reached"));
    auto* samplingLayout = new QFormLayout(sampling);
    samplingLayout->addRow(tr("Temperature:"), temperature_);
    samplingLayout->addRow(tr("Top-p:"), topP_);
    samplingLayout->addRow(tr("Length:"), length_);
    samplingLayout->addRow(tr("Seed:"), seed_);
    samplingLayout->addRow(goOn_);

    plain_ = new QPlainTextEdit(this);
    plain_->setObjectName("plainText");
    plain_->setReadOnly(true);
    plain_->setPlaceholderText(tr("Without forcing"));
    forced_ = new QPlainTextEdit(this);
    forced_->setObjectName("forcedText");
    forced_->setReadOnly(true);
    forced_->setPlaceholderText(tr("With forcing"));
    auto* texts = new QSplitter(Qt::Horizontal, this);
    texts->setObjectName("generationSplitter");
    for (auto [edit, title] : {std::pair{plain_, tr("Without forcing")}, std::pair{forced_, tr("With forcing")}}) {
        auto* box = new QGroupBox(title, texts);
        auto* l = new QVBoxLayout(box);
        l->addWidget(edit);
        texts->addWidget(box);
    }

    auto* top = new QHBoxLayout;
    top->addWidget(forcingBox, 3);
    top->addWidget(sampling, 1);
    auto* promptRow = new QHBoxLayout;
    promptRow->addWidget(new QLabel(tr("Prompt:"), this));
    promptRow->addWidget(prompt_, 1);
    auto* now = new QPushButton(tr("Generate"), this);
    now->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    now->setToolTip(tr("Generate now (Ctrl+Enter); any change also regenerates"));
    promptRow->addWidget(now);
    encoderNote_ = new QLabel(tr("This model is an encoder: it does not write on, it fills in. Write [MASK] (RoBERTa: "
                                 "<mask>) in the prompt; the panes show its ten likeliest tokens there, without and with "
                                 "forcing."),
                              this);
    encoderNote_->setObjectName("encoderNote");
    encoderNote_->setWordWrap(true);
    encoderNote_->hide();
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(encoderNote_);
    layout->addLayout(promptRow);
    layout->addLayout(top);
    layout->addWidget(texts, 1);

    debounce_ = new QTimer(this);
    debounce_->setSingleShot(true);
    debounce_->setInterval(350);
    connect(debounce_, &QTimer::timeout, this, &GenerationPanel::regenerate);
    connect(now, &QPushButton::clicked, this, &GenerationPanel::regenerate);
    connect(add, &QPushButton::clicked, this, [this] { addConceptRow(); });
    connect(prompt_, &QLineEdit::textChanged, this, &GenerationPanel::scheduleRegeneration);
    for (auto* box : {strength_, temperature_, topP_})
        connect(box, &QDoubleSpinBox::valueChanged, this, &GenerationPanel::scheduleRegeneration);
    for (auto* box : {length_, seed_}) connect(box, &QSpinBox::valueChanged, this, &GenerationPanel::scheduleRegeneration);
    connect(scope_, &QComboBox::currentIndexChanged, this, &GenerationPanel::scheduleRegeneration);
    connect(goOn_, &QCheckBox::toggled, this, &GenerationPanel::scheduleRegeneration);

    connect(session_, &ProjectSession::tokenGenerated, this, [this](int job, bool forced, const QString& text) {
        if (job != job_) return;
        auto* edit = forced ? forced_ : plain_;
        edit->moveCursor(QTextCursor::End);
        // A new text starts on its own line, without the space its first piece carries.
        const bool lineStart = edit->toPlainText().endsWith('\n');
        edit->insertPlainText(lineStart && text.startsWith(' ') ? text.mid(1) : text);
    });
    connect(session_, &ProjectSession::generationFinished, this, [this](int job, const QString& error) {
        if (job != job_) return;
        running_ = false;
        if (!error.isEmpty()) forced_->setPlainText(tr("Generation failed: %1").arg(error));
        emit finished(error);
    });
    connect(session_, &ProjectSession::modelChanged, this, &GenerationPanel::adaptToModel);
    addConceptRow();
    adaptToModel();
}

void GenerationPanel::adaptToModel() {
    const bool encoder = session_->modelIsEncoder();
    encoderNote_->setVisible(encoder);
    sampling_->setEnabled(!encoder);  // one pass, no sampling
    prompt_->setPlaceholderText(encoder ? tr("A text with [MASK] where the model should fill in a word")
                                        : tr("Empty: the model starts a text of its own"));
    scope_->setEnabled(!encoder);   // an encoder reads every position at once
    if (!encoder) return;
    if (prompt_->text().isEmpty()) prompt_->setText(QStringLiteral("The [MASK] was the best part of the day."));
    if (isVisible()) regenerate();
    else stale_ = true;  // filled in when the panel shows
}

int GenerationPanel::addConceptRow() {
    Row r;
    r.widget = new QWidget(this);
    r.concept = new QComboBox(r.widget);
    r.concept->setMinimumContentsLength(18);
    r.concept->setToolTip(tr("The concept whose experts are forced"));
    r.experts = new QSlider(Qt::Horizontal, r.widget);
    r.experts->setRange(0, kSliderSteps);
    r.experts->setValue(0);
    r.experts->setToolTip(tr("How many of the concept's best experts are forced (logarithmic)"));
    auto* count = new QLabel(r.widget);
    count->setMinimumWidth(fontMetrics().horizontalAdvance(tr("%1 experts").arg(88888)));
    r.mode = new QComboBox(r.widget);
    // Each row's controls by name, numbered from 0 ("experts0"), for tests and accessibility.
    const QString row = QString::number(rows_.size());
    r.concept->setObjectName("forcedConcept" + row);
    r.experts->setObjectName("experts" + row);
    r.mode->setObjectName("forcingValue" + row);
    fillChoices(r.mode, forceValueChoices(), forceValueLabels());
    r.mode->setToolTip(tr("Force the experts on, to their typical value on positives, or suppress the concept"));
    auto* remove = new QToolButton(r.widget);
    remove->setText(QStringLiteral("×"));
    remove->setToolTip(tr("Remove this concept from the forcing"));
    remove->setEnabled(!rows_.empty());
    // Two lines: what is forced, then how many experts, the slider given the whole width
    // (beside the names it was squeezed to a few pixels at 1280 x 720).
    r.experts->setMinimumWidth(kSliderMinimumWidth);
    auto* l = new QGridLayout(r.widget);
    l->setContentsMargins(0, 0, 0, 4);
    l->addWidget(r.concept, 0, 0);
    l->addWidget(r.mode, 0, 1);
    l->addWidget(remove, 0, 2);
    l->addWidget(r.experts, 1, 0, 1, 2);
    l->addWidget(count, 1, 2);
    l->setColumnStretch(0, 1);
    rowsLayout_->addWidget(r.widget);
    fillAnalysedConcepts(r.concept, session_->concepts());
    if (!rows_.empty() && r.concept->count() > 1) r.concept->setCurrentIndex(1);
    auto updateCount = [this, count, slider = r.experts] {
        count->setText(tr("%1 experts").arg(expertsForPosition(slider->value(), mostExperts())));
    };
    updateCount();
    connect(r.experts, &QSlider::valueChanged, this, updateCount);
    connect(r.experts, &QSlider::valueChanged, this, &GenerationPanel::scheduleRegeneration);
    // A new concept starts with enough experts to show an effect, and generates at once.
    connect(r.concept, &QComboBox::currentIndexChanged, this, [this, r] { presetExperts(r); });
    connect(r.mode, &QComboBox::currentIndexChanged, this, &GenerationPanel::scheduleRegeneration);
    QWidget* widget = r.widget;
    connect(remove, &QToolButton::clicked, this, [this, widget] {
        for (auto it = rows_.begin(); it != rows_.end(); ++it)
            if (it->widget == widget) {
                rows_.erase(it);
                break;
            }
        widget->deleteLater();
        scheduleRegeneration();
    });
    rows_.push_back(r);
    return static_cast<int>(rows_.size()) - 1;
}

void GenerationPanel::refreshConcepts() {
    for (auto& r : rows_) fillAnalysedConcepts(r.concept, session_->concepts());
}

void GenerationPanel::presetExperts(const Row& row) {
    QSlider* slider = row.experts;
    const int64_t concept = row.concept->currentData().toLongLong();
    const auto counts = session_->expertCounts();
    const auto n = counts.find(concept);
    int want = std::max(kPresetExperts, n == counts.end() ? 0 : n->second);
    const bool suggested = concept && concept == session_->suggestedConcept();
    if (suggested) {
        const auto& s = session_->forcingSuggestion();
        want = s.experts;
        const QSignalBlocker quiet(row.mode);
        setCurrentChoice(row.mode, forceValueChoices(), s.value);
    }
    row.concept->setToolTip(suggested ? tr("Suggested by the project: %1").arg(QString::fromStdString(session_->forcingSuggestion().reason))
                                      : QString());
    int position = 0;
    while (position < kSliderSteps && expertsForPosition(position, mostExperts()) < std::min(want, mostExperts())) ++position;
    {
        const QSignalBlocker quiet(slider);
        slider->setValue(position);
    }
    emit slider->valueChanged(position);  // the count label; then generate now, not after the pause
    debounce_->stop();
    if (isVisible()) regenerate();
    else stale_ = true;
}

void GenerationPanel::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (stale_) regenerate();
}

void GenerationPanel::setCurrentConcept(int64_t conceptId) {
    if (rows_.empty()) return;
    const int at = rows_[0].concept->findData(QVariant::fromValue<qint64>(conceptId));
    if (at >= 0) rows_[0].concept->setCurrentIndex(at);
}

QString GenerationPanel::plainText() const { return plain_->toPlainText(); }
QString GenerationPanel::forcedText() const { return forced_->toPlainText(); }

GenerationRequest GenerationPanel::request() const {
    GenerationRequest r;
    r.prompt = prompt_->text();
    r.options.maxNewTokens = length_->value();
    r.options.temperature = static_cast<float>(temperature_->value());
    r.options.topP = static_cast<float>(topP_->value());
    r.options.seed = static_cast<uint64_t>(seed_->value());
    r.options.stopAtEos = !goOn_->isChecked();
    r.scope = currentChoice(scope_, forceScopeChoices());
    const int most = mostExperts();
    for (const auto& row : rows_) {
        if (row.concept->currentIndex() < 0) continue;
        ConceptForcing f;
        f.conceptId = row.concept->currentData().toLongLong();
        f.experts = expertsForPosition(row.experts->value(), most);
        f.value = currentChoice(row.mode, forceValueChoices());
        f.strength = strength_->value();
        r.forcings.push_back(f);
    }
    return r;
}

void GenerationPanel::scheduleRegeneration() {
    if (isVisible() || running_) debounce_->start();
}

void GenerationPanel::regenerate() {
    stale_ = false;
    debounce_->stop();
    if (!session_->hasModel()) {
        forced_->setPlainText(tr("Add a model to the project to generate."));
        return;
    }
    // Both texts start with the prompt, so each reads as a whole.
    plain_->setPlainText(prompt_->text());
    forced_->setPlainText(prompt_->text());
    running_ = true;
    job_ = session_->generate(request());
}

}  // namespace expertscope
