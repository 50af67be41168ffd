#include "ui/colearning_view.h"

#include "core/project/run_names.h"

#include "ui/figure_export.h"
#include "ui/project_session.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMouseEvent>
#include <QPainter>
#include <QSpinBox>
#include <QSplitter>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <set>

namespace expertscope {

MatrixView::MatrixView(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setMinimumSize(300, 300);
}

void MatrixView::setMatrix(const CoLearningMatrix& m) {
    m_ = m;
    update();
}

// Concept names in a font no taller than a cell (down to 6 px), so dozens stay named.
QFont MatrixView::labelFont(const QRect& area, const QFont& base) const {
    const int n = std::max<int>(1, static_cast<int>(m_.concepts.size()));
    const int estimate = std::max(1, (std::min(area.width(), area.height()) - 120) / n);
    QFont f = base;
    if (estimate < QFontMetrics(base).height()) f.setPixelSize(std::max(6, estimate - 1));
    return f;
}

QRect MatrixView::gridFor(const QRect& area, const QFontMetrics& fm) const {
    const QFontMetrics small(labelFont(area, font()));
    int label = 0;
    for (const auto& c : m_.concepts) label = std::max(label, small.horizontalAdvance(QString::fromStdString(c)));
    label = std::min(label + 10, area.width() / 3);
    const int n = std::max<int>(1, static_cast<int>(m_.concepts.size()));
    const int top = fm.height() * 2, bar = 70;
    const int side = std::max(n, std::min(area.width() - label - bar, area.height() - top - label));
    const int cell = std::max(1, side / n);
    return QRect(area.left() + label, area.top() + top + label, cell * n, cell * n);
}

void MatrixView::renderFigure(QPainter& p, const QRect& area) const {
    p.save();
    p.fillRect(area, Qt::white);
    const QFontMetrics fm(p.font());
    const int n = static_cast<int>(m_.concepts.size());
    if (n == 0) {
        p.drawText(area, Qt::AlignCenter, tr("Co-learning needs at least two analysed concepts"));
        p.restore();
        return;
    }
    const QRect g = gridFor(area, fm);
    const int cell = g.width() / n;
    p.drawText(QRect(area.left(), area.top(), area.width(), fm.height() * 2), Qt::AlignCenter,
               tr("Shared top-%1 experts (fraction of k)").arg(m_.k));
    for (int a = 0; a < n; ++a)
        for (int b = 0; b < n; ++b) {
            const double v = m_.at(static_cast<size_t>(m_.order[a]), static_cast<size_t>(m_.order[b]));
            p.fillRect(QRect(g.left() + b * cell, g.top() + a * cell, cell, cell), QColor(map_.at(v)));
        }
    p.setPen(Qt::black);
    p.drawRect(g.adjusted(0, 0, -1, -1));
    // Labels in a font that fits a cell (down to 7 px), so dozens of concepts stay named.
    if (cell >= 6) {
        p.save();
        const QFont small = labelFont(area, p.font());
        p.setFont(small);
        const QFontMetrics sm(small);
        for (int a = 0; a < n; ++a) {
            const QString name = QString::fromStdString(m_.concepts[static_cast<size_t>(m_.order[a])]);
            const int width = g.left() - area.left() - 6;
            p.drawText(QRect(area.left(), g.top() + a * cell, width, cell), Qt::AlignRight | Qt::AlignVCenter,
                       sm.elidedText(name, Qt::ElideMiddle, width));
            p.save();
            p.translate(g.left() + a * cell + cell / 2 + sm.ascent() / 2, g.top() - 6);
            p.rotate(-90);
            p.drawText(0, 0, sm.elidedText(name, Qt::ElideMiddle, g.top() - area.top() - fm.height() * 2 - 8));
            p.restore();
        }
        p.restore();
    }
    // Colour bar 0..1.
    const QRect bar(g.right() + 16, g.top(), 14, g.height());
    for (int y = 0; y < bar.height(); ++y) {
        p.setPen(QColor(map_.at(1.0 - static_cast<double>(y) / std::max(1, bar.height() - 1))));
        p.drawLine(bar.left(), bar.top() + y, bar.right(), bar.top() + y);
    }
    p.setPen(Qt::black);
    p.drawRect(bar.adjusted(0, 0, -1, -1));
    for (int i = 0; i <= 4; ++i) {
        const int y = bar.bottom() - (bar.height() - 1) * i / 4;
        p.drawText(bar.right() + 5, y + fm.ascent() / 2, QString::number(i / 4.0, 'f', 2));
    }
    p.restore();
}

void MatrixView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    renderFigure(p, rect());
}

bool MatrixView::cellAt(const QPoint& pos, int* i, int* j) const {
    const int n = static_cast<int>(m_.concepts.size());
    if (n == 0) return false;
    const QRect g = gridFor(rect(), fontMetrics());
    if (!g.contains(pos)) return false;
    const int cell = g.width() / n;
    const int a = std::min(n - 1, (pos.y() - g.top()) / cell), b = std::min(n - 1, (pos.x() - g.left()) / cell);
    *i = m_.order[a];
    *j = m_.order[b];
    return true;
}

QPoint MatrixView::cellCentre(int i, int j) const {
    const int n = static_cast<int>(m_.concepts.size());
    const auto a = std::find(m_.order.begin(), m_.order.end(), i) - m_.order.begin();
    const auto b = std::find(m_.order.begin(), m_.order.end(), j) - m_.order.begin();
    if (n == 0 || a >= n || b >= n) return {-1, -1};
    const QRect g = gridFor(rect(), fontMetrics());
    const int cell = g.width() / n;
    return {g.left() + static_cast<int>(b) * cell + cell / 2, g.top() + static_cast<int>(a) * cell + cell / 2};
}

void MatrixView::mouseMoveEvent(QMouseEvent* e) {
    int i = 0, j = 0;
    if (!cellAt(e->pos(), &i, &j)) {
        QToolTip::hideText();
        return;
    }
    QToolTip::showText(e->globalPosition().toPoint(),
                       tr("%1 × %2: %3 shared").arg(QString::fromStdString(m_.concepts[static_cast<size_t>(i)]),
                                                    QString::fromStdString(m_.concepts[static_cast<size_t>(j)]))
                           .arg(m_.at(static_cast<size_t>(i), static_cast<size_t>(j)), 0, 'f', 3),
                       this);
}

void MatrixView::mouseReleaseEvent(QMouseEvent* e) {
    int i = 0, j = 0;
    if (e->button() == Qt::LeftButton && cellAt(e->pos(), &i, &j)) emit cellClicked(i, j);
}

CoLearningView::CoLearningView(ProjectSession* session, QWidget* parent) : QWidget(parent), session_(session) {
    matrix_ = new MatrixView(this);
    matrix_->setObjectName("colearningMatrix");
    addFigureMenu(matrix_, matrix_);
    k_ = new QSpinBox(this);
    k_->setObjectName("colearningK");
    k_->setRange(1, 1000);
    k_->setValue(kDefaultCoLearningK);
    k_->setToolTip(tr("How many of each concept's best experts are compared"));
    shared_ = new QListWidget(this);
    shared_->setObjectName("sharedExperts");
    closest_ = new QListWidget(this);
    closest_->setObjectName("closestConcepts");
    closest_->setToolTip(tr("Concepts whose experts overlap most with the selected concept's: what an unknown concept resembles"));
    across_ = new QCheckBox(tr("Across the whole project"), this);
    across_->setObjectName("closestAcross");
    across_->setChecked(true);
    across_->setToolTip(tr("Compare with every analysed concept of the project, in any concept set (same model and run "
                           "settings), not only with this set's"));

    auto* side = new QWidget(this);
    auto* sideLayout = new QVBoxLayout(side);
    auto* form = new QFormLayout;
    form->addRow(tr("Top-k experts:"), k_);
    sideLayout->addLayout(form);
    sideLayout->addWidget(new QLabel(tr("Shared experts of the clicked cell:"), side));
    sideLayout->addWidget(shared_, 1);
    sideLayout->addWidget(new QLabel(tr("Closest concepts to the selected one:"), side));
    sideLayout->addWidget(across_);
    sideLayout->addWidget(closest_, 1);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->setObjectName("colearningSplitter");
    split->addWidget(matrix_);
    split->addWidget(side);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);

    connect(k_, &QSpinBox::valueChanged, this, &CoLearningView::refresh);
    connect(matrix_, &MatrixView::cellClicked, this, &CoLearningView::showShared);
    connect(across_, &QCheckBox::toggled, this, &CoLearningView::showClosest);
}

void CoLearningView::refresh() {
    conceptIds_.clear();
    top_.clear();
    std::vector<std::string> names;
    for (const auto& c : session_->concepts()) {
        if (!c.analysed) continue;
        conceptIds_.push_back(c.id);
        names.push_back(c.name.toStdString());
        std::vector<int64_t> units;
        for (const auto& e : session_->topExperts(c.id, k_->value())) units.push_back(e.unit);
        top_.push_back(std::move(units));
    }
    matrix_->setMatrix(names.size() >= 2 ? coLearning(names, top_, k_->value()) : CoLearningMatrix{});
    shared_->clear();
    showClosest();
}

void CoLearningView::setCurrentConcept(int64_t conceptId) {
    current_ = conceptId;
    showClosest();
}

void CoLearningView::showShared(int i, int j) {
    shared_->clear();
    const auto& m = matrix_->matrix();
    const std::set<int64_t> other(top_[static_cast<size_t>(j)].begin(), top_[static_cast<size_t>(j)].end());
    const auto& probes = session_->probes();
    shared_->addItem(tr("%1 × %2").arg(QString::fromStdString(m.concepts[static_cast<size_t>(i)]),
                                       QString::fromStdString(m.concepts[static_cast<size_t>(j)])));
    for (int64_t u : top_[static_cast<size_t>(i)]) {
        if (!other.count(u) || probes.empty()) continue;
        const size_t p = probeOfUnit(probes, u);
        shared_->addItem(tr("%1 unit %2").arg(QString::fromStdString(probes[p].name)).arg(u - probes[p].offset));
    }
}

void CoLearningView::showClosest() {
    closest_->clear();
    if (across_->isChecked()) {
        const int64_t here = session_->result(current_).setId;
        for (const auto& n : session_->closestInProject(current_, k_->value())) {
            const QString set = QString::fromStdString(n.ref.setName);
            closest_->addItem(n.ref.setId == here ? QString("%1  %2").arg(n.overlap, 0, 'f', 3).arg(QString::fromStdString(n.ref.concept))
                                          : tr("%1  %2 (in %3)").arg(n.overlap, 0, 'f', 3).arg(QString::fromStdString(n.ref.concept), set));
            closest_->item(closest_->count() - 1)->setToolTip(closest_->item(closest_->count() - 1)->text());  // when the panel is narrow
        }
        return;
    }
    const auto& m = matrix_->matrix();
    const auto at = std::find(conceptIds_.begin(), conceptIds_.end(), current_);
    if (at == conceptIds_.end() || m.concepts.empty()) return;
    const size_t i = static_cast<size_t>(at - conceptIds_.begin());
    for (size_t j : closestConcepts(m, i))
        closest_->addItem(QString("%1  %2").arg(m.at(i, j), 0, 'f', 3).arg(QString::fromStdString(m.concepts[j])));
}

int CoLearningView::k() const { return k_->value(); }
void CoLearningView::setK(int k) { k_->setValue(k); }

Figure::Data MatrixView::figureData() const {
    Data d;
    d.header = QStringList{"concept_a", "concept_b", "k", "overlap"};
    for (size_t i = 0; i < m_.concepts.size(); ++i)
        for (size_t j = 0; j < m_.concepts.size(); ++j)
            d.rows.push_back({QString::fromStdString(m_.concepts[i]), QString::fromStdString(m_.concepts[j]), QString::number(m_.k),
                              QString::number(m_.at(i, j), 'g', 10)});
    return d;
}

}  // namespace expertscope
