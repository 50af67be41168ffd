#include "ui/text_probe_view.h"

#include "ui/colour_map.h"
#include "ui/probe_responses_model.h"
#include "ui/project_session.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QPlainTextEdit>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <utility>
#include <vector>

namespace expertscope {

// Tokens across, the ranked concepts down, each cell coloured by the concept's token score
// (0 at off_mean, 1 at on_p50; clamped to [0, 1] for the colour).
class TokenStrip : public QWidget {
public:
    explicit TokenStrip(QWidget* parent) : QWidget(parent) {
        setMinimumHeight(80);
        setMouseTracking(true);
    }
    void setProbe(const TextProbe& p, int rows) {
        probe_ = p;
        rows_ = std::min<int>(rows, static_cast<int>(p.concepts.size()));
        labels_.clear();
        update();
    }

protected:
    // Repainted whenever the view around it lays out again (as its status line changes while
    // the user types): only the columns the paint touches are drawn, and the tokens' labels,
    // elided to their columns, are measured once per probe and width, not at every paint.
    void paintEvent(QPaintEvent* e) override {
        QPainter painter(this);
        painter.fillRect(e->rect(), palette().base());
        const int T = static_cast<int>(probe_.tokens.size());
        if (T == 0 || rows_ == 0) return;
        if (labels_.size() != static_cast<size_t>(T)) elideLabels();
        const QRect area = grid();
        const ColourMap colours(ColourMap::BlueYellow);
        const auto [first, last] = columnsWithin(e->rect());
        painter.setPen(palette().text().color());
        for (int t = first; t <= last; ++t) {
            if (labels_[static_cast<size_t>(t)].isEmpty()) continue;
            const QRect c = cell(0, t);
            painter.drawText(QRect(c.left(), 0, c.width(), kHeader), Qt::AlignHCenter | Qt::AlignBottom | Qt::TextSingleLine,
                             labels_[static_cast<size_t>(t)]);
        }
        for (int r = 0; r < rows_; ++r) {
            const auto& c = probe_.concepts[static_cast<size_t>(r)];
            painter.setPen(palette().text().color());
            const QRect name(0, area.top() + r * rowHeight(), labelWidth() - 4, rowHeight());
            if (name.intersects(e->rect())) painter.drawText(name, Qt::AlignRight | Qt::AlignVCenter, QString::fromStdString(c.name));
            for (int t = first; t <= last; ++t)
                painter.fillRect(cell(r, t), QColor(colours.at(std::clamp(c.tokenScores[static_cast<size_t>(t)], 0.0, 1.0))));
        }
    }
    void resizeEvent(QResizeEvent*) override { labels_.clear(); }
    void changeEvent(QEvent* e) override {
        if (e->type() == QEvent::FontChange) labels_.clear();  // measured with the old font
        QWidget::changeEvent(e);
    }
    void mouseMoveEvent(QMouseEvent* e) override {
        const int T = static_cast<int>(probe_.tokens.size());
        for (int r = 0; r < rows_; ++r)
            for (int t = 0; t < T; ++t)
                if (cell(r, t).contains(e->position().toPoint())) {
                    const auto& c = probe_.concepts[static_cast<size_t>(r)];
                    QToolTip::showText(e->globalPosition().toPoint(),
                                       QStringLiteral("%1 · “%2”: %3").arg(QString::fromStdString(c.name),
                                                                           QString::fromStdString(probe_.tokens[static_cast<size_t>(t)]))
                                           .arg(c.tokenScores[static_cast<size_t>(t)], 0, 'f', 3),
                                       this);
                    return;
                }
        QToolTip::hideText();
    }

private:
    static constexpr int kHeader = 16;  // the tokens' row
    int labelWidth() const { return 140; }
    int rowHeight() const { return std::max(12, std::min(22, (height() - kHeader - 4) / std::max(1, rows_))); }
    QRect grid() const { return QRect(labelWidth(), kHeader + 2, width() - labelWidth() - 2, rows_ * rowHeight()); }
    QRect cell(int r, int t) const {
        const QRect g = grid();
        const int T = static_cast<int>(probe_.tokens.size());
        const int x0 = g.left() + g.width() * t / T, x1 = g.left() + g.width() * (t + 1) / T;
        return QRect(x0, g.top() + r * rowHeight(), std::max(1, x1 - x0 - 1), rowHeight() - 1);
    }
    // The first and last token columns that reach into `r` (the inverse of cell()'s x0, widened by one).
    std::pair<int, int> columnsWithin(const QRect& r) const {
        const QRect g = grid();
        const int T = static_cast<int>(probe_.tokens.size());
        if (g.width() <= 0) return {0, -1};
        const auto column = [&](int x) { return std::clamp((x - g.left()) * T / g.width(), 0, T - 1); };
        return {std::max(0, column(r.left()) - 1), std::min(T - 1, column(r.right()) + 1)};
    }
    void elideLabels() {
        const int T = static_cast<int>(probe_.tokens.size());
        labels_.assign(static_cast<size_t>(T), QString());
        const QFontMetrics metrics = fontMetrics();
        for (int t = 0; t < T; ++t) {
            const std::string& token = probe_.tokens[static_cast<size_t>(t)];
            const QString text = t < probe_.firstScored && token.empty() ? TextProbeView::tr("BOS") : QString::fromStdString(token).trimmed();
            const int width = cell(0, t).width();
            const QString shown = metrics.elidedText(text, Qt::ElideRight, width);
            // Too narrow for even one letter, elidedText still answers one: a clipped smear, not drawn.
            if (metrics.horizontalAdvance(shown) <= width) labels_[static_cast<size_t>(t)] = shown;
        }
    }
    TextProbe probe_;
    int rows_ = 0;
    std::vector<QString> labels_;  // each token's label as its column and font show it; empty until measured
};

TextProbeView::TextProbeView(ProjectSession* session, QWidget* parent) : QWidget(parent), session_(session) {
    text_ = new QPlainTextEdit(this);
    text_->setObjectName("probeText");
    text_->setPlaceholderText(tr("Type or paste a text: after a pause the model reads it and ranks the concepts whose experts respond"));
    text_->setToolTip(tr("Score of a concept: the mean over its experts (AP at the threshold, its best 20) of where each "
                         "expert's response, pooled over the text as the analysis pooled (by default its highest), lies "
                         "between its mean on negatives (0) and its median on positives (1)"));
    text_->setMaximumHeight(90);
    status_ = new QLabel(this);
    status_->setObjectName("probeStatus");
    status_->setWordWrap(true);
    ranking_ = new QTableWidget(0, 4, this);
    ranking_->setObjectName("probeRanking");
    ranking_->setHorizontalHeaderLabels({tr("Concept"), tr("Score"), tr("Experts"), tr("Peak token")});
    ranking_->setSelectionBehavior(QAbstractItemView::SelectRows);
    ranking_->setSelectionMode(QAbstractItemView::SingleSelection);
    ranking_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    ranking_->verticalHeader()->hide();
    ranking_->horizontalHeader()->setStretchLastSection(true);
    responsesModel_ = new ProbeResponsesModel(this);
    responses_ = new QTableView(this);
    responses_->setObjectName("probeResponses");
    responses_->setModel(responsesModel_);
    responses_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    responses_->setSelectionBehavior(QAbstractItemView::SelectRows);
    responses_->horizontalHeader()->setDefaultSectionSize(responses_->fontMetrics().horizontalAdvance(QStringLiteral("-00.00")) + 12);
    responses_->setToolTip(tr("The concept's experts (rows) and their responses at each token; double-click an expert to inspect it"));
    strip_ = new TokenStrip(this);
    strip_->setObjectName("probeStrip");
    strip_->setToolTip(tr("Each concept's score at each token (0 as without the concept, 1 as with it)"));

    auto* lower = new QSplitter(Qt::Horizontal, this);
    lower->addWidget(ranking_);
    lower->addWidget(responses_);
    lower->setStretchFactor(0, 1);
    lower->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(text_);
    layout->addWidget(status_);
    layout->addWidget(strip_, 1);
    layout->addWidget(lower, 2);

    debounce_ = new QTimer(this);
    debounce_->setSingleShot(true);
    debounce_->setInterval(400);
    connect(debounce_, &QTimer::timeout, this, &TextProbeView::probe);
    // Typing on makes a reading under way moot: it is cancelled now, not after the pause.
    connect(text_, &QPlainTextEdit::textChanged, this, [this] {
        debounce_->start();
        if (!running_) return;
        session_->cancelTextProbe();
        running_ = false;
        job_ = 0;  // an answer already on its way is for the old text
        status_->setText(tr("Waiting for a pause in typing…"));
    });
    connect(ranking_, &QTableWidget::currentCellChanged, this, [this](int row) { showConcept(row); });
    connect(responses_, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        const int row = index.row();
        const int r = ranking_->currentRow();
        if (r < 0 || r >= static_cast<int>(result_.concepts.size())) return;
        const auto& c = result_.concepts[static_cast<size_t>(r)];
        if (row >= 0 && row < static_cast<int>(c.units.size())) emit unitChosen(c.conceptId, c.units[static_cast<size_t>(row)]);
    });
    connect(session_, &ProjectSession::textProbed, this, [this](int job, const TextProbe& result, const QString& error) {
        if (job != job_) return;  // an older text's answer
        running_ = false;
        if (error.isEmpty()) show(result);
        else status_->setText(error);
        emit finished(error);
    });
}

void TextProbeView::setText(const QString& text) {
    text_->setPlainText(text);
    debounce_->stop();
    probe();
}

void TextProbeView::probe() {
    const QString text = text_->toPlainText();
    if (text.trimmed().isEmpty()) {  // cleared: nothing to rank
        show(TextProbe{});
        status_->clear();
        emit finished(QString());
        return;
    }
    TextProbeOptions o;
    o.threshold = session_->expertThreshold();
    running_ = true;
    status_->setText(tr("Reading…"));
    job_ = session_->probeText(text, o);
}

void TextProbeView::show(const TextProbe& p) {
    result_ = p;
    QString status = tr("%n token(s)", nullptr, static_cast<int>(p.tokens.size()));
    if (p.cut) status += tr(" (cut at the model's context)");
    if (!p.withoutExperts.empty())
        status += tr("; %n concept(s) without an expert at the threshold are not ranked", nullptr, static_cast<int>(p.withoutExperts.size()));
    status_->setText(status);
    ranking_->setRowCount(static_cast<int>(p.concepts.size()));
    for (int r = 0; r < static_cast<int>(p.concepts.size()); ++r) {
        const auto& c = p.concepts[static_cast<size_t>(r)];
        const QString peak = c.peakToken >= 0 ? QString::fromStdString(p.tokens[static_cast<size_t>(c.peakToken)]) : QString();
        const QStringList cells{QString::fromStdString(c.name), QString::number(c.score, 'f', 3), QString::number(c.units.size()), peak};
        for (int k = 0; k < cells.size(); ++k) ranking_->setItem(r, k, new QTableWidgetItem(cells[k]));
    }
    ranking_->resizeColumnsToContents();
    strip_->setProbe(p, 8);
    // The first concept, shown even when row 0 was already current (no change signal then).
    {
        const QSignalBlocker quiet(ranking_);
        ranking_->setCurrentCell(p.concepts.empty() ? -1 : 0, 0);
    }
    showConcept(p.concepts.empty() ? -1 : 0);
}

void TextProbeView::showConcept(int row) { responsesModel_->show(&result_, row, session_->probes()); }

}  // namespace expertscope
