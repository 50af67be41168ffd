#include "ui/heatmap_view.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace expertscope {
namespace {

QRgb faded(QRgb c) {  // below the threshold: towards grey, so experts stand out
    const int g = 200;
    return qRgb((qRed(c) + 2 * g) / 3, (qGreen(c) + 2 * g) / 3, (qBlue(c) + 2 * g) / 3);
}

// Tick step of 1, 2 or 5 times a power of ten giving about `wanted` ticks over `span`.
double niceStep(double span, int wanted) {
    const double raw = span / std::max(1, wanted);
    const double p = std::pow(10.0, std::floor(std::log10(std::max(raw, 1e-12))));
    for (double m : {1.0, 2.0, 5.0})
        if (raw <= m * p) return m * p;
    return 10 * p;
}

}  // namespace

HeatmapView::HeatmapView(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(400, 240);
    setToolTip(tr("Wheel or +/- to zoom, drag or arrows to pan, Home to reset; click a unit to inspect it"));
}

void HeatmapView::setData(const std::vector<ProbePoint>& probes, const std::vector<double>& ap,
                          const std::vector<double>& onP50, const std::vector<double>& offMean, const QString& title) {
    const bool sameShape = probes.size() == probes_.size() && !probes.empty();
    probes_ = probes;
    ap_.assign(ap.begin(), ap.end());
    onP50_.assign(onP50.begin(), onP50.end());
    offMean_.assign(offMean.begin(), offMean.end());
    title_ = title;
    maxUnits_ = 0;
    for (const auto& p : probes_) maxUnits_ = std::max(maxUnits_, p.units);
    // The colour scale starts at the lowest AP rounded down to a tenth (chance is the
    // share of positives, often 0.4), so the same AP is the same colour across concepts
    // of one set.
    double lo = 1;
    for (float v : ap_) lo = std::min(lo, static_cast<double>(v));
    low_ = ap_.empty() ? 0.5 : std::min(0.9, std::floor(lo * 10) / 10);
    if (!sameShape) {
        viewStart_ = 0;
        viewEnd_ = std::max(1, maxUnits_);
    }
    update();
}

void HeatmapView::setThreshold(double threshold) {
    threshold_ = threshold;
    update();
}

void HeatmapView::setColourMap(ColourMap::Kind kind) {
    map_ = ColourMap(kind);
    update();
}

void HeatmapView::setSelectedUnit(int64_t unit) {
    selected_ = unit;
    update();
}

void HeatmapView::setView(double start, double end) {
    const double full = std::max(1, maxUnits_);
    double span = std::clamp(end - start, std::min(8.0, full), full);
    start = std::clamp(start, 0.0, full - span);
    viewStart_ = start;
    viewEnd_ = start + span;
    update();
}

HeatmapView::Layout HeatmapView::layoutFor(const QRect& area, const QFontMetrics& fm) const {
    Layout l;
    for (const auto& p : probes_) l.labelWidth = std::max(l.labelWidth, fm.horizontalAdvance(QString::fromStdString(p.name)) * 3 / 4);
    l.labelWidth = std::min(l.labelWidth + 12, area.width() / 3);
    const int top = fm.height() * 2, bottom = fm.height() * 3, barWidth = 16, barSpace = fm.horizontalAdvance("0.00") + 30;
    l.plot = QRect(area.left() + l.labelWidth, area.top() + top, area.width() - l.labelWidth - barWidth - barSpace,
                   area.height() - top - bottom);
    l.colourBar = QRect(l.plot.right() + 14, l.plot.top(), barWidth, l.plot.height());
    return l;
}

void HeatmapView::renderFigure(QPainter& p, const QRect& area) const {
    p.save();
    p.fillRect(area, Qt::white);
    const QFontMetrics fm(p.font());
    const Layout l = layoutFor(area, fm);
    p.setPen(Qt::black);
    if (probes_.empty() || ap_.empty() || l.plot.width() < 10 || l.plot.height() < 10) {
        p.drawText(area, Qt::AlignCenter, tr("No results for this concept yet"));
        p.restore();
        return;
    }
    QFont bold = p.font();
    bold.setBold(true);
    p.setFont(bold);
    p.drawText(QRect(area.left(), area.top(), area.width(), fm.height() * 2), Qt::AlignCenter, title_);
    p.setFont(QFont(p.font().family(), p.font().pointSize()));

    // The map, a pixel at a time: the largest AP of the units under it.
    const int W = l.plot.width(), H = l.plot.height(), rows = static_cast<int>(probes_.size());
    QImage image(W, H, QImage::Format_RGB32);
    image.fill(qRgb(235, 235, 235));
    const double perPixel = (viewEnd_ - viewStart_) / W;
    std::vector<float> column(static_cast<size_t>(W));
    for (int r = 0; r < rows; ++r) {
        const auto& probe = probes_[static_cast<size_t>(r)];
        const float* v = ap_.data() + probe.offset;
        for (int x = 0; x < W; ++x) {
            const auto a = static_cast<int64_t>(std::floor(viewStart_ + x * perPixel));
            const auto b = std::max(a + 1, static_cast<int64_t>(std::floor(viewStart_ + (x + 1) * perPixel)));
            float m = -1;
            for (int64_t u = a; u < std::min<int64_t>(b, probe.units); ++u) m = std::max(m, v[u]);
            column[static_cast<size_t>(x)] = m;
        }
        // One scan line per row, copied to the row's other lines.
        const int y0 = std::min(r * H / rows, H - 1), y1 = std::min(std::max((r + 1) * H / rows, y0 + 1), H);
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(y0));
        for (int x = 0; x < W; ++x) {
            const float m = column[static_cast<size_t>(x)];
            if (m < 0) continue;
            const QRgb c = map_.at((m - low_) / (1 - low_));
            line[x] = m < threshold_ ? faded(c) : c;
        }
        for (int y = y0 + 1; y < y1; ++y) std::memcpy(image.scanLine(y), line, static_cast<size_t>(W) * sizeof(QRgb));
    }
    p.drawImage(l.plot.topLeft(), image);

    // Row labels without the prefix all probe names share ("model.layers."), which says nothing.
    size_t common = probes_.front().name.size();
    for (const auto& probe : probes_) {
        size_t n = 0;
        while (n < common && n < probe.name.size() && probe.name[n] == probes_.front().name[n]) ++n;
        common = n;
    }
    const size_t dot = common == 0 ? std::string::npos : probes_.front().name.rfind('.', common - 1);
    common = dot == std::string::npos ? 0 : dot + 1;
    // Layer separators and row labels (every row when they fit, else the first of a layer).
    const bool allLabels = H / rows >= fm.height();
    p.setPen(QColor(255, 255, 255));
    for (int r = 1; r < rows; ++r)
        if (probes_[r].layer != probes_[r - 1].layer) p.drawLine(l.plot.left(), l.plot.top() + r * H / rows, l.plot.right(), l.plot.top() + r * H / rows);
    p.setPen(Qt::black);
    int lastLabelBottom = -1000;
    for (int r = 0; r < rows; ++r) {
        const bool first = r == 0 || probes_[r].layer != probes_[r - 1].layer;
        if (!allLabels && !first) continue;
        const int y = l.plot.top() + r * H / rows;
        if (y < lastLabelBottom) continue;
        const QString label = allLabels ? QString::fromStdString(probes_[r].name.substr(common)) : tr("layer %1").arg(probes_[r].layer);
        p.drawText(QRect(area.left(), y, l.labelWidth - 6, std::max(fm.height(), H / rows)), Qt::AlignRight | Qt::AlignVCenter,
                   fm.elidedText(label, Qt::ElideLeft, l.labelWidth - 6));
        lastLabelBottom = y + fm.height();
    }
    p.drawRect(l.plot.adjusted(0, 0, -1, -1));

    // Unit axis.
    const double step = std::max(1.0, niceStep(viewEnd_ - viewStart_, std::max(2, W / 90)));
    for (double t = std::ceil(viewStart_ / step) * step; t <= viewEnd_; t += step) {
        const int x = l.plot.left() + static_cast<int>((t - viewStart_) / perPixel);
        p.drawLine(x, l.plot.bottom(), x, l.plot.bottom() + 4);
        p.drawText(QRect(x - 40, l.plot.bottom() + 5, 80, fm.height()), Qt::AlignHCenter, QString::number(t, 'f', 0));
    }
    p.drawText(QRect(l.plot.left(), l.plot.bottom() + 5 + fm.height(), W, fm.height() + 4), Qt::AlignCenter,
               tr("unit (within its probe point)"));

    // Selected unit: a marker above and below its column.
    if (selected_ >= 0 && static_cast<size_t>(selected_) < ap_.size()) {
        const size_t probe = probeOfUnit(probes_, selected_);
        const double u = static_cast<double>(selected_ - probes_[probe].offset) + 0.5;
        const int x = l.plot.left() + static_cast<int>(std::floor((u - viewStart_) / perPixel));
        if (x >= l.plot.left() && x <= l.plot.right()) {
            p.setPen(QPen(Qt::red, 2));
            const int y0 = l.plot.top() + static_cast<int>(probe) * H / rows, y1 = l.plot.top() + (static_cast<int>(probe) + 1) * H / rows;
            p.drawRect(QRect(QPoint(x - 3, y0 - 1), QPoint(x + 3, std::max(y1, y0 + 2))));
        }
    }

    // Colour bar with values and the threshold.
    p.setPen(Qt::black);
    for (int y = 0; y < l.colourBar.height(); ++y) {
        const double t = 1.0 - static_cast<double>(y) / std::max(1, l.colourBar.height() - 1);
        p.setPen(QColor(map_.at(t)));
        p.drawLine(l.colourBar.left(), l.colourBar.top() + y, l.colourBar.right(), l.colourBar.top() + y);
    }
    p.setPen(Qt::black);
    p.drawRect(l.colourBar.adjusted(0, 0, -1, -1));
    for (int i = 0; i <= 5; ++i) {
        const double v = low_ + (1 - low_) * i / 5;
        const int y = l.colourBar.bottom() - static_cast<int>((l.colourBar.height() - 1) * i / 5.0);
        p.drawLine(l.colourBar.right(), y, l.colourBar.right() + 3, y);
        p.drawText(l.colourBar.right() + 6, y + fm.ascent() / 2, QString::number(v, 'f', 2));
    }
    if (threshold_ >= low_ && threshold_ <= 1) {
        const int y = l.colourBar.bottom() - static_cast<int>((l.colourBar.height() - 1) * (threshold_ - low_) / (1 - low_));
        p.setPen(QPen(Qt::red, 2));
        p.drawLine(l.colourBar.left() - 4, y, l.colourBar.right() + 2, y);
    }
    p.setPen(Qt::black);
    p.drawText(QRect(l.colourBar.left() - 10, area.top(), 40, fm.height() * 2), Qt::AlignCenter, tr("AP"));
    p.restore();
}

void HeatmapView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    renderFigure(p, rect());
    if (hasFocus()) {
        p.setPen(QPen(palette().highlight().color(), 1, Qt::DotLine));
        p.drawRect(rect().adjusted(0, 0, -1, -1));
    }
}

int64_t HeatmapView::unitAtIn(const Layout& l, const QPoint& pos) const {
    if (probes_.empty() || ap_.empty() || !l.plot.contains(pos)) return -1;
    const int rows = static_cast<int>(probes_.size());
    const int row = std::min(rows - 1, (pos.y() - l.plot.top()) * rows / std::max(1, l.plot.height()));
    const auto& probe = probes_[static_cast<size_t>(row)];
    const double perPixel = (viewEnd_ - viewStart_) / l.plot.width();
    const int x = pos.x() - l.plot.left();
    const auto a = static_cast<int64_t>(std::floor(viewStart_ + x * perPixel));
    const auto b = std::max(a + 1, static_cast<int64_t>(std::floor(viewStart_ + (x + 1) * perPixel)));
    int64_t best = -1;
    for (int64_t u = a; u < std::min<int64_t>(b, probe.units); ++u)
        if (best < 0 || ap_[probe.offset + u] > ap_[probe.offset + best]) best = u;
    return best < 0 ? -1 : probe.offset + best;
}

int64_t HeatmapView::unitAt(const QPoint& pos) const { return unitAtIn(layoutFor(rect(), fontMetrics()), pos); }

QPoint HeatmapView::positionOfUnit(int64_t unit) const {
    const Layout l = layoutFor(rect(), fontMetrics());
    if (probes_.empty()) return {};
    const size_t probe = probeOfUnit(probes_, unit);
    const int rows = static_cast<int>(probes_.size());
    const int y = l.plot.top() + static_cast<int>((2 * probe + 1) * l.plot.height() / (2 * rows));
    const double perPixel = (viewEnd_ - viewStart_) / l.plot.width();
    const int guess = l.plot.left() + static_cast<int>(std::floor((unit - probes_[probe].offset - viewStart_) / perPixel));
    // The pixel whose covered units (as drawn) include this one.
    for (int x = guess - 2; x <= guess + 2; ++x) {
        const int px = x - l.plot.left();
        const auto a = static_cast<int64_t>(std::floor(viewStart_ + px * perPixel));
        const auto b = std::max(a + 1, static_cast<int64_t>(std::floor(viewStart_ + (px + 1) * perPixel)));
        if (a <= unit - probes_[probe].offset && unit - probes_[probe].offset < b) return {x, y};
    }
    return {guess, y};
}

void HeatmapView::zoomAround(double x, double factor) {
    const Layout l = layoutFor(rect(), fontMetrics());
    const double f = std::clamp((x - l.plot.left()) / std::max(1, l.plot.width()), 0.0, 1.0);
    const double at = viewStart_ + f * (viewEnd_ - viewStart_);
    const double span = (viewEnd_ - viewStart_) * factor;
    setView(at - f * span, at - f * span + span);
}

void HeatmapView::wheelEvent(QWheelEvent* e) {
    const double steps = e->angleDelta().y() / 120.0;
    if (steps != 0) zoomAround(e->position().x(), std::pow(0.8, steps));
    e->accept();
}

void HeatmapView::mousePressEvent(QMouseEvent* e) {
    pressAt_ = e->pos();
    pressStart_ = viewStart_;
    pressEnd_ = viewEnd_;
    dragging_ = false;
}

void HeatmapView::mouseMoveEvent(QMouseEvent* e) {
    if (e->buttons() & Qt::LeftButton) {
        if (std::abs(e->pos().x() - pressAt_.x()) > 3) dragging_ = true;
        if (dragging_) {
            const Layout l = layoutFor(rect(), fontMetrics());
            const double shift = (pressAt_.x() - e->pos().x()) * (pressEnd_ - pressStart_) / std::max(1, l.plot.width());
            setView(pressStart_ + shift, pressEnd_ + shift);
        }
        return;
    }
    const int64_t unit = unitAt(e->pos());
    emit unitHovered(unit);
    if (unit < 0) {
        QToolTip::hideText();
        return;
    }
    const size_t probe = probeOfUnit(probes_, unit);
    const auto u = static_cast<size_t>(unit);
    QToolTip::showText(e->globalPosition().toPoint(),
                       tr("<b>%1</b> unit %2<br>AP %3<br>on_p50 %4<br>off_mean %5")
                           .arg(QString::fromStdString(probes_[probe].name))
                           .arg(unit - probes_[probe].offset)
                           .arg(ap_[u], 0, 'f', 4)
                           .arg(onP50_.size() > u ? onP50_[u] : 0, 0, 'g', 4)
                           .arg(offMean_.size() > u ? offMean_[u] : 0, 0, 'g', 4),
                       this);
}

void HeatmapView::mouseReleaseEvent(QMouseEvent* e) {
    if (!dragging_ && e->button() == Qt::LeftButton) {
        const int64_t unit = unitAt(e->pos());
        if (unit >= 0) {
            setSelectedUnit(unit);
            emit unitClicked(unit);
        }
    }
    dragging_ = false;
}

void HeatmapView::keyPressEvent(QKeyEvent* e) {
    const double span = viewEnd_ - viewStart_;
    const double centre = rect().center().x();
    switch (e->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal: zoomAround(centre, 0.5); break;
    case Qt::Key_Minus: zoomAround(centre, 2.0); break;
    case Qt::Key_Left: setView(viewStart_ - span / 4, viewEnd_ - span / 4); break;
    case Qt::Key_Right: setView(viewStart_ + span / 4, viewEnd_ + span / 4); break;
    case Qt::Key_Home:
    case Qt::Key_0: setView(0, std::max(1, maxUnits_)); break;
    default: QWidget::keyPressEvent(e); return;
    }
    e->accept();
}

void HeatmapView::leaveEvent(QEvent*) { emit unitHovered(-1); }

Figure::Data HeatmapView::figureData() const {
    Data d;
    d.header = QStringList{"probe", "unit", "global_unit", "ap", "on_p50", "off_mean"};
    for (const auto& p : probes_)
        for (int u = 0; u < p.units; ++u) {
            const auto g = static_cast<size_t>(p.offset + u);
            if (g >= ap_.size()) return d;
            d.rows.push_back({QString::fromStdString(p.name), QString::number(u), QString::number(g), QString::number(ap_[g], 'g', 9),
                              QString::number(onP50_[g], 'g', 9), QString::number(offMean_[g], 'g', 9)});
        }
    return d;
}

}  // namespace expertscope
