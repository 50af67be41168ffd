#include "ui/colour_map.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>

namespace expertscope {
namespace {

// CIELAB (D65) to 8-bit sRGB, clipped to the gamut.
QRgb fromLab(double L, double a, double b) {
    auto finv = [](double t) { return t > 6.0 / 29 ? t * t * t : 3 * (6.0 / 29) * (6.0 / 29) * (t - 4.0 / 29); };
    const double fy = (L + 16) / 116, fx = fy + a / 500, fz = fy - b / 200;
    const double X = 0.95047 * finv(fx), Y = finv(fy), Z = 1.08883 * finv(fz);
    const double rgb[3] = {3.2406 * X - 1.5372 * Y - 0.4986 * Z, -0.9689 * X + 1.8758 * Y + 0.0415 * Z,
                           0.0557 * X - 0.2040 * Y + 1.0570 * Z};
    int c[3];
    for (int i = 0; i < 3; ++i) {
        const double v = std::clamp(rgb[i], 0.0, 1.0);
        const double s = v <= 0.0031308 ? 12.92 * v : 1.055 * std::pow(v, 1 / 2.4) - 0.055;
        c[i] = static_cast<int>(std::lround(s * 255));
    }
    return qRgb(c[0], c[1], c[2]);
}

// Lightness from l0 to l1; hue turns from h0 to h1 degrees; chroma peaks mid-way.
QVector<QRgb> lightnessRamp(double l0, double l1, double h0, double h1, double c0, double cMid, double c1) {
    QVector<QRgb> t(256);
    for (int i = 0; i < 256; ++i) {
        const double x = i / 255.0;
        const double L = l0 + (l1 - l0) * x;
        const double h = (h0 + (h1 - h0) * x) * M_PI / 180;
        const double C = x < 0.5 ? c0 + (cMid - c0) * 2 * x : cMid + (c1 - cMid) * (2 * x - 1);
        t[i] = fromLab(L, C * std::cos(h), C * std::sin(h));
    }
    return t;
}

}  // namespace

ColourMap::ColourMap(Kind kind) : kind_(kind) {
    switch (kind) {
    case BlueYellow: table_ = lightnessRamp(18, 94, 300, 95, 45, 38, 85); break;
    case PurpleOrange: table_ = lightnessRamp(15, 90, 320, 80, 40, 60, 70); break;
    case Grey: table_ = lightnessRamp(10, 97, 0, 0, 0, 0, 0); break;
    }
}

QStringList ColourMap::names() {
    return {QCoreApplication::translate("ColourMap", "Blue to yellow"), QCoreApplication::translate("ColourMap", "Purple to orange"),
            QCoreApplication::translate("ColourMap", "Grey")};
}

QRgb ColourMap::at(double t) const {
    if (!(t >= 0)) t = 0;  // NaN too
    return table_[static_cast<int>(std::lround(std::min(t, 1.0) * 255))];
}

}  // namespace expertscope
