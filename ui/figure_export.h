#pragma once
// Writing figures to PNG (at a chosen resolution), SVG and PDF, copying them to the
// clipboard, and tables to CSV. Errors come back as messages, never as exceptions.
#include "ui/figure.h"

#include <QJsonObject>
#include <QSize>
#include <QString>

#include <functional>

class QAbstractItemModel;
class QGraphicsView;
class QWidget;

namespace expertscope {

// The format follows the suffix (.png, .svg, .pdf). `size` is in points (1/72 inch) for
// vector formats and is scaled by dpi/72 for PNG. Returns an empty string or the error.
QString exportFigure(const Figure& figure, const QString& path, QSize size, int dpi = 300);
void copyFigure(const Figure& figure, QSize size);
// Every row and column of a table model, with its header, as RFC 4180 CSV.
QString exportCsv(const QAbstractItemModel& model, const QString& path);

// Beside an exported figure FILE.EXT: FILE.csv with the plotted numbers and FILE.json, the
// manifest: `context` (model, its weights' SHA-256, concept set, run settings, seeds) with
// the figure's name, the application version and the date added. Empty, or the error.
QString exportFigureData(const Figure& figure, const QString& figurePath, const QJsonObject& context);
// What every export adds to its manifest (the main window provides the open project's).
void setFigureContextProvider(std::function<QJsonObject()> provider);
QJsonObject figureContext();

// A context menu on `widget` with Export (PNG/SVG/PDF) and Copy for `figure`, which must
// live as long as the widget.
void addFigureMenu(QWidget* widget, const Figure* figure);

// A Qt Charts view (or any graphics view) as a figure: its scene, scaled to the area.
class SceneFigure : public Figure {
public:
    SceneFigure(const QGraphicsView* view, QString name) : view_(view), name_(std::move(name)) {}
    void renderFigure(QPainter& painter, const QRect& area) const override;
    QString figureName() const override { return name_; }
    // A chart's series: every point of line and scatter series, every bar of bar sets.
    Data figureData() const override;

private:
    const QGraphicsView* view_;
    QString name_;
};

}  // namespace expertscope
