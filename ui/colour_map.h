#pragma once
// Colour maps for values in [0, 1]. "Lightness" maps rise linearly in CIELAB lightness,
// so equal steps in value look like equal steps, and run from blue to yellow, an axis
// that the common colour-vision deficiencies keep; "grey" is lightness alone (print).
#include <QColor>
#include <QString>
#include <QStringList>
#include <QVector>

namespace expertscope {

class ColourMap {
public:
    enum Kind { BlueYellow, PurpleOrange, Grey };
    explicit ColourMap(Kind kind = BlueYellow);
    static QStringList names();  // in Kind order, translated
    Kind kind() const { return kind_; }
    QRgb at(double t) const;     // t clamped to [0, 1]

private:
    Kind kind_;
    QVector<QRgb> table_;  // 256 entries
};

}  // namespace expertscope
