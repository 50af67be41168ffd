// How long the heatmap takes to draw at GPT-2 small's 82,944 units (48 probe points) in a
// 1600x1000 window: zoomed out (every pixel the maximum of ~4 units), half-way, and at a
// unit a pixel. Prints JSON; frames under 16 ms keep zoom and pan smooth at 60 Hz.
#include "ui/heatmap_view.h"

#include <QApplication>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>

#include <chrono>
#include <cstdio>
#include <random>

using namespace expertscope;

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    std::vector<ProbePoint> probes;
    int64_t offset = 0;
    for (int layer = 0; layer < 12; ++layer)
        for (auto [kind, units] : {std::pair{"c_attn", 2304}, std::pair{"attn.c_proj", 768}, std::pair{"c_fc", 3072},
                                   std::pair{"mlp.c_proj", 768}}) {
            ProbePoint p;
            p.name = "transformer.h." + std::to_string(layer) + "." + kind;
            p.layer = layer;
            p.units = units;
            p.offset = offset;
            offset += units;
            probes.push_back(p);
        }
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> uniform(0.35, 1.0);
    std::vector<double> ap(static_cast<size_t>(offset)), on(ap.size(), 1.0), off(ap.size(), 0.0);
    for (auto& v : ap) v = uniform(rng);
    HeatmapView view;
    view.resize(1600, 1000);
    view.setData(probes, ap, on, off, "bench");
    QImage target(1600, 1000, QImage::Format_RGB32);
    QJsonArray runs;
    for (auto [name, span] : {std::pair{"zoomed out", 3072.0}, std::pair{"half", 1536.0}, std::pair{"unit per pixel", 1200.0},
                              std::pair{"zoomed in", 64.0}}) {
        view.setView(0, span);
        constexpr int frames = 50;
        const auto t = std::chrono::steady_clock::now();
        for (int f = 0; f < frames; ++f) {
            view.setView(f, f + span);  // panning, as a drag does
            QPainter p(&target);
            view.renderFigure(p, target.rect());
        }
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count() / frames;
        runs.append(QJsonObject{{"view", name}, {"units_across", span}, {"ms_per_frame", ms}});
    }
    const QJsonObject out{{"benchmark", "heatmap"}, {"units", static_cast<qint64>(offset)}, {"probe_points", static_cast<int>(probes.size())},
                          {"size", "1600x1000"}, {"runs", runs}};
    std::printf("%s", QJsonDocument(out).toJson().constData());
    return 0;
}
