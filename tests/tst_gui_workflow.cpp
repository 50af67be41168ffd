// The application end to end through its real widgets (offscreen): a project with
// stories260K and three concepts (OneSec football and two built from its sentences), the
// analysis with the event loop watched, the heatmap's shape, a clicked unit in the
// inspector against the engine, the k slider changing the forced text, co-learning,
// figure export in three formats, and the German translation.
#include "core/analysis.h"
#include "core/concepts.h"
#include "core/expertise.h"
#include "test_support.h"
#include "ui/colearning_view.h"
#include "ui/figure_export.h"
#include "ui/expertise_panel.h"
#include "ui/generation_panel.h"
#include "ui/heatmap_view.h"
#include "ui/localisation.h"
#include "ui/main_window.h"
#include "ui/unit_inspector.h"

#include <QAction>
#include <QApplication>
#include <QWheelEvent>
#include <QChartView>
#include <QTableView>
#include <QElapsedTimer>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QSvgRenderer>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>

using namespace expertscope;
using expertscope::test::waitFor;

namespace {

void writeConcept(const QString& dir, const Concept& c) {
    QDir().mkpath(dir + "/sense");
    QJsonArray pos, neg;
    for (const auto& s : c.positives) pos.append(QString::fromStdString(s));
    for (const auto& s : c.negatives) neg.append(QString::fromStdString(s));
    QJsonObject o{{"concept", QString::fromStdString(c.name)},
                  {"group", "sense"},
                  {"source", "test"},
                  {"sentences", QJsonObject{{"positive", pos}, {"negative", neg}}}};
    QFile f(dir + "/sense/" + QString::fromStdString(c.name) + ".json");
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QJsonDocument(o).toJson());
}

}  // namespace

class TestGuiWorkflow : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    std::unique_ptr<MainWindow> w_;
    QString model_;

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("ExpertscopeTests");
        qputenv("EXPERTSCOPE_NO_DIALOGS", "1");
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        REQUIRE_SHARED(list, "concepts/onesec/concept_list.csv");
        model_ = bin;
        // Three concepts in one set: football, and "ball" and "team" from the same sentences.
        auto football = importSelfcondFolder(QFileInfo(list).absolutePath().toStdString()).concepts[0];
        std::vector<std::string> corpus = football.positives;
        corpus.insert(corpus.end(), football.negatives.begin(), football.negatives.end());
        const QString dir = tmp_.filePath("concepts");
        writeConcept(dir, football);
        CorpusQuery q;
        q.maxPositives = 150;
        q.maxNegatives = 300;
        for (const char* word : {"ball", "team"}) {
            q.pattern = word;
            writeConcept(dir, buildConceptFromCorpus(corpus, q, word));
        }
        QFile csv(dir + "/concept_list.csv");
        QVERIFY(csv.open(QIODevice::WriteOnly));
        csv.write("group,concept\nsense,football-1_04_00__\nsense,ball\nsense,team\n");
        csv.close();

        w_ = std::make_unique<MainWindow>();
        w_->resize(1600, 1000);
        w_->show();
        QVERIFY(QTest::qWaitForWindowExposed(w_.get()));
        QVERIFY(w_->openProject(tmp_.filePath("gui.esproj"), true));
        auto* s = w_->session();
        QSignalSpy loaded(s, &ProjectSession::modelChanged);
        s->addModel(model_);
        QVERIFY(loaded.wait(30000));
        QVERIFY(s->hasModel());
        QVERIFY(s->addConcepts(dir));
        QCOMPARE(s->concepts().size(), 3);
    }

    void analysesWithoutBlockingTheInterface() {
        auto* s = w_->session();
        QSignalSpy finished(s, &ProjectSession::analysisFinished);
        QSignalSpy progress(s, &ProjectSession::analysisProgress);
        // The longest wait between two ticks of a 10 ms timer while the analysis runs.
        QElapsedTimer clock;
        qint64 last = 0, worst = 0;
        QTimer tick;
        tick.setInterval(10);
        connect(&tick, &QTimer::timeout, [&] {
            const qint64 now = clock.elapsed();
            worst = std::max(worst, now - last);
            last = now;
        });
        clock.start();
        tick.start();
        QAction* run = nullptr;
        for (auto* a : w_->findChildren<QAction*>())
            if (a->text() == "&Run analysis") run = a;
        QVERIFY(run && run->isEnabled());
        run->trigger();
        QVERIFY(!run->isEnabled());
        QVERIFY(finished.wait(120000));
        tick.stop();
        QCOMPARE(finished.first().at(0).toBool(), true);
        QVERIFY(progress.count() > 0);
        qInfo("longest event-loop stall during the analysis: %lld ms (%lld progress reports)", worst,
              static_cast<long long>(progress.count()));
        QVERIFY2(worst < 100, qPrintable(QString::number(worst)));
        for (const auto& c : s->concepts()) QVERIFY(c.analysed);
    }

    void heatmapHasARowPerProbePoint() {
        w_->views()->setCurrentIndex(0);
        w_->selectConcept(w_->session()->concepts()[0].id);  // football
        auto* heatmap = w_->expertisePanel()->heatmap();
        const auto& probes = w_->session()->probes();
        QCOMPARE(heatmap->rowCount(), static_cast<int>(probes.size()));
        int widest = 0;
        for (int r = 0; r < heatmap->rowCount(); ++r) {
            QCOMPARE(heatmap->rowUnits(r), probes[static_cast<size_t>(r)].units);
            widest = std::max(widest, probes[static_cast<size_t>(r)].units);
        }
        QCOMPARE(heatmap->columnCount(), widest);
        // Zoomed out, the best unit still shows: the pixel under it names it.
        const auto best = w_->session()->topExperts(w_->session()->concepts()[0].id, 1)[0];
        QCOMPARE(heatmap->unitAt(heatmap->positionOfUnit(best.unit)), best.unit);
        // Keyboard, wheel and drag move the view; Home shows everything again.
        const double full = heatmap->viewEnd() - heatmap->viewStart();
        heatmap->setFocus();
        QTest::keyClick(heatmap, Qt::Key_Plus);
        QCOMPARE(heatmap->viewEnd() - heatmap->viewStart(), full / 2);
        QTest::keyClick(heatmap, Qt::Key_Right);
        QVERIFY(heatmap->viewStart() > 0);
        QTest::keyClick(heatmap, Qt::Key_Home);
        QCOMPARE(heatmap->viewStart(), 0.0);
        const QPointF centre = heatmap->rect().center();
        QWheelEvent wheel(centre, heatmap->mapToGlobal(centre), {}, {0, 240}, Qt::NoButton, {}, Qt::NoScrollPhase, false);
        QApplication::sendEvent(heatmap, &wheel);
        const double zoomed = heatmap->viewEnd() - heatmap->viewStart();
        QVERIFY(zoomed < full);
        const double before = heatmap->viewStart();
        QTest::mousePress(heatmap, Qt::LeftButton, {}, centre.toPoint());
        QTest::mouseMove(heatmap, centre.toPoint() - QPoint(60, 0));
        QTest::mouseRelease(heatmap, Qt::LeftButton, {}, centre.toPoint() - QPoint(60, 0));
        QVERIFY(heatmap->viewStart() > before);  // dragged left: later units come into view
        QCOMPARE(heatmap->viewEnd() - heatmap->viewStart(), zoomed);
        QTest::keyClick(heatmap, Qt::Key_Home);
        // The threshold slider counts experts.
        auto* panel = w_->expertisePanel();
        panel->setThreshold(0.5);
        const int many = panel->expertCount();
        panel->setThreshold(0.95);
        QVERIFY(panel->expertCount() < many);
        panel->setThreshold(0.9);
    }

    void inspectorAgreesWithTheEngine() {
        auto* s = w_->session();
        const int64_t football = s->concepts()[0].id;
        const auto best = s->topExperts(football, 3)[2];  // not the first, to show it is the clicked one
        const auto e = s->expertise(football);
        auto* heatmap = w_->expertisePanel()->heatmap();
        heatmap->setView(0, 64);  // zoomed in: one unit a pixel at least
        const auto probeIndex = probeOfUnit(s->probes(), best.unit);
        const int local = static_cast<int>(best.unit - s->probes()[probeIndex].offset);
        heatmap->setView(std::max(0, local - 20), std::max(0, local - 20) + 64);
        const QPoint at = heatmap->positionOfUnit(best.unit);
        QCOMPARE(heatmap->unitAt(at), best.unit);
        QTest::mouseClick(heatmap, Qt::LeftButton, {}, at);
        auto* inspector = w_->inspector();
        QVERIFY(waitFor([&] { return inspector->details().unit == best.unit && !inspector->details().strongest.isEmpty(); }, 30000));
        const auto& d = inspector->details();
        QCOMPARE(inspector->valueText("ap"), QString::number(e.ap[static_cast<size_t>(best.unit)], 'f', 4));
        QCOMPARE(inspector->valueText("on_p50"), QString::number(e.onP50[static_cast<size_t>(best.unit)], 'g', 6));
        QCOMPARE(inspector->valueText("off_mean"), QString::number(e.offMean[static_cast<size_t>(best.unit)], 'g', 6));
        // Its responses give the engine's AP again, and its sentences are shaded per token.
        const auto again = computeExpertise(d.responses.data(), static_cast<int64_t>(d.responses.size()), 1, d.labels, 1);
        QCOMPARE(float(again.ap[0]), float(e.ap[static_cast<size_t>(best.unit)]));  // stored as float32
        QVERIFY(d.fromKeptResponses);
        QVERIFY(!d.strongest.front().tokens.isEmpty());
        QVERIFY(d.strongest.front().response >= d.weakest.front().response);
        QVERIFY(!inspector->precisionRecallChart()->chart()->series().isEmpty());
        QVERIFY(!inspector->histogramChart()->chart()->series().isEmpty());
        heatmap->setView(0, heatmap->columnCount());
    }

    void expertsSliderChangesTheForcedText() {
        w_->views()->setCurrentIndex(2);
        auto* g = w_->generationPanel();
        g->prompt()->setText("Once upon a time");  // stories260K's opening
        QSignalSpy done(g, &GenerationPanel::finished);
        g->expertsSlider()->setValue(0);
        g->regenerate();
        QVERIFY(done.wait(60000));
        const QString plainBefore = g->plainText()->toPlainText(), forcedBefore = g->forcedText()->toPlainText();
        QVERIFY(plainBefore.startsWith(g->prompt()->text()) && plainBefore.size() > g->prompt()->text().size() + 10);
        QCOMPARE(forcedBefore, plainBefore);  // no experts: no forcing
        done.clear();
        const int total = g->mostExperts();
        int position = 0;
        while (GenerationPanel::expertsForPosition(position, total) < 50) ++position;
        g->expertsSlider()->setValue(position);  // regenerates after the pause
        QVERIFY(done.wait(60000));
        QCOMPARE(done.first().at(0).toString(), QString());
        QCOMPARE(g->plainText()->toPlainText(), plainBefore);  // same seed
        QVERIFY2(g->forcedText()->toPlainText() != forcedBefore, qPrintable(g->forcedText()->toPlainText()));
        qInfo("forced with %d experts: %s", GenerationPanel::expertsForPosition(position, total),
              qPrintable(g->forcedText()->toPlainText().left(120)));
    }

    void coLearningListsSharedExperts() {
        w_->views()->setCurrentIndex(1);
        auto* view = w_->coLearningView();
        view->kBox()->setValue(50);
        auto* matrix = view->matrixView();
        QCOMPARE(matrix->matrix().concepts.size(), size_t(3));
        QCOMPARE(matrix->matrix().at(0, 0), 1.0);
        QTest::mouseClick(matrix, Qt::LeftButton, {}, matrix->cellCentre(0, 0));
        QCOMPARE(view->sharedList()->count(), 1 + 50);  // a heading and the 50 shared with itself
        QCOMPARE(view->closestList()->count(), 2);
    }

    void exportsFigures() {
        // The views' own figures through the main window; the charts through their menus' path.
        const std::vector<const Figure*> figures = {w_->expertisePanel()->heatmap(), w_->coLearningView()->matrixView(),
                                                    w_->expertisePanel()->countFigure(), w_->inspector()->precisionRecallFigure(),
                                                    w_->inspector()->histogramFigure()};
        for (size_t f = 0; f < figures.size(); ++f) {
            if (f < 2) w_->views()->setCurrentIndex(static_cast<int>(f));
            for (const QString& suffix : {"png", "svg", "pdf"}) {
                const QString path = tmp_.filePath(QString("figure%1.%2").arg(f).arg(suffix));
                QCOMPARE(f < 2 ? w_->exportCurrentFigure(path, 150) : exportFigure(*figures[f], path, QSize(960, 600), 150), QString());
                QFile f(path);
                QVERIFY(f.open(QIODevice::ReadOnly));
                const QByteArray bytes = f.readAll();
                QVERIFY2(bytes.size() > 1000, qPrintable(path));
                if (suffix == "png") {
                    QImage image(path);
                    QCOMPARE(image.width(), 960 * 150 / 72);
                    // Not blank: the heatmap and the matrix have many colours.
                    QSet<QRgb> colours;
                    for (int y = 0; y < image.height(); y += 7)
                        for (int x = 0; x < image.width(); x += 7) colours.insert(image.pixel(x, y));
                    QVERIFY(colours.size() > 20);
                } else if (suffix == "svg") {
                    QVERIFY(QSvgRenderer(path).isValid());
                } else {
                    QVERIFY(bytes.startsWith("%PDF-"));
                    QVERIFY(bytes.trimmed().endsWith("%%EOF"));
                }
            }
        }
    }

    void reopensTheProjectWithItsResults() {
        const QString path = w_->session()->projectPath();
        MainWindow other;
        QVERIFY(other.openProject(path));
        QCOMPARE(other.session()->concepts().size(), 3);
        for (const auto& c : other.session()->concepts()) QVERIFY(c.analysed);
        QCOMPARE(other.conceptTable()->model()->rowCount(), 3);
        other.session()->waitForIdle();
    }

    void translatesToGerman() {
        QVERIFY(installLanguage("de"));
        {
            MainWindow german;
            QCOMPARE(german.menuBar()->actions().first()->text(), QString("&Datei"));
            QCOMPARE(german.views()->tabText(2), QString("&Generierung"));
        }
        QVERIFY(installLanguage("en"));
        MainWindow english;
        QCOMPARE(english.menuBar()->actions().first()->text(), QString("&File"));
    }

    void cleanupTestCase() {
        if (w_) w_->session()->waitForIdle();
        w_.reset();
    }
};

QTEST_MAIN(TestGuiWorkflow)
#include "tst_gui_workflow.moc"
