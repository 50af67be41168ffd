#pragma once
// Concept co-learning: the overlap of the concepts' top-k experts as a matrix in
// clustering order (hover for the value, click a cell for the shared experts), and for
// the selected concept the concepts whose experts overlap with its own the most (in this
// concept set, or across every set of the project).
#include "ui/colour_map.h"
#include "ui/figure.h"

#include "core/runtime/probe.h"
#include "core/science/colearning.h"

#include <QWidget>

class QCheckBox;
class QListWidget;
class QSpinBox;

namespace expertscope {

class ProjectSession;

class MatrixView : public QWidget, public Figure {
    Q_OBJECT
public:
    explicit MatrixView(QWidget* parent = nullptr);
    void setMatrix(const CoLearningMatrix& m);
    const CoLearningMatrix& matrix() const { return m_; }
    // Display position of a cell (i, j in concept order) for tests; -1 when none.
    QPoint cellCentre(int i, int j) const;
    void renderFigure(QPainter& painter, const QRect& area) const override;
    QString figureName() const override { return QStringLiteral("colearning"); }
    Data figureData() const override;  // a row per pair of concepts: their overlap at k

signals:
    void cellClicked(int i, int j);  // concept indices (not display positions)

protected:
    void paintEvent(QPaintEvent*) override;
    void mouseMoveEvent(QMouseEvent*) override;
    void mouseReleaseEvent(QMouseEvent*) override;

private:
    QRect gridFor(const QRect& area, const QFontMetrics& fm) const;
    QFont labelFont(const QRect& area, const QFont& base) const;
    bool cellAt(const QPoint& pos, int* i, int* j) const;
    CoLearningMatrix m_;
    ColourMap map_;
};

class CoLearningView : public QWidget {
    Q_OBJECT
public:
    CoLearningView(ProjectSession* session, QWidget* parent = nullptr);
    void refresh();                              // after results change
    void setCurrentConcept(int64_t conceptId);   // for the closest-concepts list
    const Figure* figure() const { return matrix_; }
    int k() const;  // top experts compared
    void setK(int k);

private:
    void showShared(int i, int j);
    void showClosest();
    ProjectSession* session_;
    MatrixView* matrix_;
    QSpinBox* k_;
    QListWidget* shared_;
    QListWidget* closest_;
    QCheckBox* across_;  // closest among every concept set's concepts, not this set's only
    std::vector<int64_t> conceptIds_;
    std::vector<std::vector<int64_t>> top_;
    int64_t current_ = 0;
};

}  // namespace expertscope
