#pragma once
// A view that can draw itself as a figure (axes, labels, legend) at any size, onto the
// screen or into PNG/SVG/PDF files, so exports look like what is shown.
#include <QRect>
#include <QString>
#include <QStringList>

#include <vector>

class QPainter;

namespace expertscope {

class Figure {
public:
    virtual ~Figure() = default;
    virtual void renderFigure(QPainter& painter, const QRect& area) const = 0;
    virtual QString figureName() const = 0;  // a default file name, without extension
    // The plotted numbers as a table: a header, then rows (empty: the figure has none).
    struct Data {
        QStringList header;
        std::vector<QStringList> rows;
    };
    virtual Data figureData() const { return {}; }
};

}  // namespace expertscope
