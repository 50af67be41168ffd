// Screenshots of the main views for review: opens a project, picks its concept with the
// best AP, clicks its best unit, computes co-learning, a forced generation, a steering curve
// and two text probes, and saves a PNG of each view. Run by packaging/screenshots.sh under Xvfb at 1600x1000.
#include "test_support.h"
#include "ui/colearning_view.h"
#include "ui/expertise_panel.h"
#include "ui/generation_panel.h"
#include "ui/heatmap_view.h"
#include "ui/main_window.h"
#include "ui/steering_view.h"
#include "ui/text_probe_view.h"
#include "ui/unit_inspector.h"

#include <QAction>
#include <QApplication>
#include <QTimer>
#include <QDir>
#include <QLineEdit>
#include <QSpinBox>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QSlider>
#include <QTabWidget>
#include <QTest>

#include <cstdio>

using namespace expertscope;
using expertscope::test::waitFor;

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName("ExpertscopeScreenshots");
    if (argc < 3) {
        std::fprintf(stderr, "usage: expertscope-screenshots PROJECT OUTDIR [WIDTHxHEIGHT]\n");
        return 2;
    }
    const QString out = QString::fromLocal8Bit(argv[2]);
    QDir().mkpath(out);
    qputenv("EXPERTSCOPE_NO_DIALOGS", "1");
    MainWindow w;
    // An optional third argument sets the window size (default 1600x1000): 1280x720 checks
    // the smallest screen the application supports.
    const QStringList size = argc > 3 ? QString::fromLocal8Bit(argv[3]).split('x') : QStringList{"1600", "1000"};
    w.resize(size.value(0).toInt(), size.value(1).toInt());
    w.show();
    if (!w.openProject(QString::fromLocal8Bit(argv[1]))) return 1;
    auto* s = w.session();
    if (!waitFor([&] { return s->hasModel(); }, 60000)) std::fprintf(stderr, "the model did not load; continuing without\n");
    int64_t best = 0;
    double bestAp = -1;
    for (const auto& c : s->concepts())
        if (c.analysed && c.bestAp > bestAp) {
            bestAp = c.bestAp;
            best = c.id;
        }
    if (!best) return 1;
    w.selectConcept(best);
    const auto top = s->topExperts(best, 1);
    auto* heatmap = test::child<HeatmapView>(&w, "heatmap");
    auto* inspector = test::child<UnitInspector>(&w, "inspector");
    QTest::mouseClick(heatmap, Qt::LeftButton, {}, heatmap->positionOfUnit(top[0].unit));
    waitFor([&] { return !inspector->details().strongest.isEmpty(); }, 60000);
    QTest::qWait(300);
    auto save = [&](QWidget* widget, const char* name) {
        const QString path = QDir(out).filePath(name);
        if (!widget->grab().save(path)) std::fprintf(stderr, "cannot write %s\n", qPrintable(path));
        std::printf("%s\n", qPrintable(path));
    };
    save(&w, "1-heatmap.png");
    save(inspector, "2-inspector.png");

    w.showView(MainWindow::CoLearning);
    auto* matrix = test::child<MatrixView>(&w, "colearningMatrix");
    QTest::qWait(200);
    QTest::mouseClick(matrix, Qt::LeftButton, {}, matrix->cellCentre(0, 1));
    QTest::qWait(200);
    save(&w, "3-colearning.png");

    w.showView(MainWindow::Generation);
    auto* g = test::child<GenerationPanel>(&w, "generationPanel");
    int position = 0;
    const int most = g->mostExperts();
    while (GenerationPanel::expertsForPosition(position, most) < 50) ++position;
    test::child<QSlider>(g, "experts0")->setValue(position);
    g->regenerate();
    waitFor([&] { return !g->running(); }, 120000);
    QTest::qWait(200);
    save(&w, "4-generation.png");

    w.showView(MainWindow::Steering);
    auto* steering = test::child<SteeringView>(&w, "steeringView");
    test::child<QLineEdit>(steering, "kGrid")->setText("0, 3, 30, 300");
    test::child<QSpinBox>(steering, "seeds")->setValue(4);
    test::child<QSpinBox>(steering, "steeringLength")->setValue(30);
    steering->run();
    waitFor([&] { return !steering->running(); }, 300000);
    QTest::qWait(200);
    save(&w, "5-steering.png");

    // The text probe: a sentence (each token's label over its column), then a text cut at the
    // model's context (columns too narrow for any label).
    w.showView(MainWindow::TextProbe);
    auto* probe = test::child<TextProbeView>(&w, "textProbeView");
    const auto probeAndSave = [&](const QString& text, const char* name) {
        QSignalSpy done(probe, &TextProbeView::finished);
        probe->setText(text);
        waitFor([&] { return done.count() > 0; }, 60000);
        QTest::qWait(200);
        save(&w, name);
    };
    const QString sentence = "The team kicked the ball into the goal and won the football match.";
    probeAndSave(sentence, "7-probe.png");
    probeAndSave(sentence.repeated(60), "8-probe-long.png");

    // The preferences dialog is modal: grab it once it shows, then close it.
    QTimer::singleShot(500, [&] {
        if (QWidget* dialog = QApplication::activeModalWidget()) {
            save(dialog, "6-preferences.png");
            dialog->close();
        }
    });
    for (auto* a : w.findChildren<QAction*>())
        if (a->text() == MainWindow::tr("&Preferences…")) a->trigger();
    s->waitForIdle();
    return 0;
}
