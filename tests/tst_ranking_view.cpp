// View > Model ranking (ui/ranking_view.h): the view's ranking is the core's for the same
// projects and scores, bit for bit; the threshold control starts at the best threshold and
// the scatter follows it; a bad scores file shows the core's message; the figure exports
// with a row per threshold; the main window has the tab, on Ctrl+6. Projects: stories260K
// analysed with three poolings, as in tst_model_ranking.
#include "core/base/error.h"
#include "core/project/analysis.h"
#include "core/project/model_ranking_projects.h"
#include "core/runtime/language_model.h"
#include "core/science/model_ranking.h"
#include "ranking_fixture.h"
#include "test_support.h"
#include "ui/figure_export.h"
#include "ui/main_window.h"
#include "ui/ranking_view.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QScatterSeries>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QStandardPaths>
#include <QSvgRenderer>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace expertscope;

namespace {

bool same(const Estimate& a, const Estimate& b) {
    if (a.value != b.value || a.interval.has_value() != b.interval.has_value()) return false;
    if (a.interval && (a.interval->low != b.interval->low || a.interval->high != b.interval->high)) return false;
    return a.resamplesUsed == b.resamplesUsed && a.resamplesSkipped == b.resamplesSkipped;
}

}  // namespace

class TestRankingView : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

    QStringList projects(const QString& bin) { return test::rankingProjects(QDir(tmp_.path()), bin); }

    QString scoresFile(const QString& name, const QByteArray& text) {
        const QString path = tmp_.filePath(name);
        QFile f(path);
        if (f.open(QIODevice::WriteOnly)) f.write(text);
        return path;
    }

    // Ranks in the view and waits for its answer (at once for input refused before reading);
    // the error it reported.
    static QString rankIn(RankingView* view) {
        QSignalSpy done(view, &RankingView::finished);
        view->rank();
        if (done.isEmpty() && !done.wait(120000)) return QStringLiteral("no answer");
        return done.first().at(0).toString();
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("ExpertscopeTests");
        QSettings().clear();  // figures with their data: the default
        qputenv("EXPERTSCOPE_NO_DIALOGS", "1");
    }

    // The view's ranking equals rankModels on what readProjectsExperts and readScoresFile
    // read, every number ==; the work runs off the interface thread (the button is off
    // meanwhile); the threshold starts at the best one and the scatter shows its counts.
    void ranksAsTheCoreDoes() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        const auto list = projects(bin);
        const QString scores = scoresFile("scores.csv", "model,score\nselfcond,3.5\nmax,2.25\nmean,1.0\n");
        RankingView view(nullptr);
        view.resize(1200, 800);
        view.show();
        view.setProjects(list);
        view.setScoresPath(scores);
        test::child<QCheckBox>(&view, "rankingLowerIsBetter")->setChecked(true);
        QCOMPARE(test::child<QListWidget>(&view, "rankingProjects")->count(), 3);
        QCOMPARE(view.projects(), list);

        QSignalSpy done(&view, &RankingView::finished);
        view.rank();
        QVERIFY(view.running());
        QVERIFY(!test::child<QPushButton>(&view, "rankingRun")->isEnabled());
        QVERIFY(done.wait(120000));
        QCOMPARE(done.first().at(0).toString(), QString());
        QVERIFY(test::child<QPushButton>(&view, "rankingRun")->isEnabled());
        QVERIFY(view.ranking());

        RankingOptions options;
        options.higherIsBetter = false;
        std::vector<std::string> paths;
        for (const auto& p : list) paths.push_back(p.toStdString());
        const auto core = rankModels(withScores(readProjectsExperts(paths, options.thresholds), readScoresFile(scores.toStdString()),
                                                scores.toStdString()),
                                     options);
        const ModelRanking& r = *view.ranking();
        QCOMPARE(r.models, core.models);
        QCOMPARE(r.scoreNegated, true);
        QCOMPARE(r.best, core.best);
        QVERIFY(core.best);
        QCOMPARE(r.thresholds.size(), core.thresholds.size());
        for (size_t i = 0; i < core.thresholds.size(); ++i) {
            QVERIFY(r.thresholds[i].threshold == core.thresholds[i].threshold);
            QCOMPARE(r.thresholds[i].experts, core.thresholds[i].experts);
            QVERIFY2(same(r.thresholds[i].byExperts.r2, core.thresholds[i].byExperts.r2), qPrintable(QString::number(i)));
            QVERIFY2(same(r.thresholds[i].byExperts.rho, core.thresholds[i].byExperts.rho), qPrintable(QString::number(i)));
        }
        const auto& best = core.thresholds[*core.best];
        QVERIFY(*r.thresholds[*r.best].byExperts.r2.value == *best.byExperts.r2.value);
        QVERIFY(*r.thresholds[*r.best].byExperts.rho.value == *best.byExperts.rho.value);

        // Starts at the best threshold; the text states it with the formula.
        auto* slider = test::child<QSlider>(&view, "rankingThreshold");
        QCOMPARE(slider->value(), int(*core.best));
        QCOMPARE(test::child<QDoubleSpinBox>(&view, "rankingThresholdValue")->value(), best.threshold);
        const QString summary = test::child<QLabel>(&view, "rankingSummary")->text();
        QVERIFY2(summary.contains(QString("t = %1, r² = %2").arg(best.threshold, 0, 'f', 3).arg(*best.byExperts.r2.value, 0, 'f', 3)),
                 qPrintable(summary));
        QVERIFY(summary.contains("Reported only"));
        QVERIFY(summary.contains("experts(t) = units with AP ≥ t"));

        // The scatter: each model's experts at the threshold shown against its score.
        const auto scatterPoints = [&] {
            std::vector<QPointF> points;
            for (auto* s : test::child<QChartView>(&view, "rankingScatter")->chart()->series())
                for (const QPointF& p : qobject_cast<QScatterSeries*>(s)->points()) points.push_back(p);
            return points;
        };
        const auto expected = [&](size_t t) {
            std::vector<QPointF> points;
            for (size_t m = 0; m < core.models.size(); ++m)
                points.emplace_back(double(core.thresholds[t].experts[m]), core.scores[m]);
            return points;
        };
        QCOMPARE(scatterPoints(), expected(*core.best));
        size_t other = 0;
        while (other < core.thresholds.size() && core.thresholds[other].experts == best.experts) ++other;
        QVERIFY(other < core.thresholds.size());  // some threshold counts differently
        slider->setValue(int(other));
        QCOMPARE(view.thresholdIndex(), int(other));
        QCOMPARE(scatterPoints(), expected(other));
        QCOMPARE(test::child<QChartView>(&view, "rankingScatter")->chart()->series().first()->name(), QString("max"));
        // Typing a threshold moves to the grid point nearest to it.
        test::child<QDoubleSpinBox>(&view, "rankingThresholdValue")->setValue(0.75);
        QCOMPARE(view.thresholdIndex(), 250);
        QCOMPARE(scatterPoints(), expected(250));
    }

    // The core's messages, shown in the status line; nothing ranked stays shown.
    void badInputShowsTheCoresError() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        const auto list = projects(bin);
        RankingView view(nullptr);
        view.setProjects(list);
        view.setScoresPath(scoresFile("good.csv", "model,score\nselfcond,3.5\nmax,2.25\nmean,1.0\n"));
        QCOMPARE(rankIn(&view), QString());
        QVERIFY(view.ranking());
        // Never shown, the charts are still laid out for the figure: the coloured lines and
        // points are there, not only grey text.
        const QString hidden = tmp_.filePath("hidden.png");
        QCOMPARE(exportFigure(view, hidden, QSize(960, 600), 72), QString());
        const QImage image(hidden);
        int coloured = 0;
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x) {
                const QColor c = image.pixelColor(x, y);
                coloured += std::max({c.red(), c.green(), c.blue()}) - std::min({c.red(), c.green(), c.blue()}) > 80;
            }
        QVERIFY2(coloured > 500, qPrintable(QString::number(coloured)));

        const QString bad = scoresFile("bad.csv", "name,value\nmax,1\n");
        QString message;
        try {
            readScoresFile(bad.toStdString());
        } catch (const Error& e) {
            message = QString::fromStdString(e.what());
        }
        QVERIFY(message.contains("expected the header 'model,score'"));
        view.setScoresPath(bad);
        QCOMPARE(rankIn(&view), message);
        QVERIFY(test::child<QLabel>(&view, "rankingStatus")->text().contains(message));
        QVERIFY(!view.ranking());
        QVERIFY(test::child<QChartView>(&view, "rankingScatter")->chart()->series().isEmpty());
        QVERIFY(!test::child<QSlider>(&view, "rankingThreshold")->isEnabled());

        view.setScoresPath(scoresFile("missing.csv", "model,score\nmax,1\nmean,2\n"));
        QVERIFY(rankIn(&view).contains("model 'selfcond'"));
        view.setScoresPath(tmp_.filePath("absent.csv"));
        QVERIFY(rankIn(&view).contains("absent.csv"));
        view.setProjects(list.mid(0, 2));
        QVERIFY(rankIn(&view).contains("at least 3 models"));
        QVERIFY(test::child<QLabel>(&view, "rankingStatus")->text().contains("at least 3 models"));
    }

    // Through the main window: PNG and SVG of both charts, and beside them the numbers, a
    // row per threshold, and a manifest naming the projects and the scores.
    void exportsTheFigureWithItsData() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        const auto list = projects(bin);
        const QString scores = scoresFile("scores.csv", "model,score\nselfcond,3.5\nmax,2.25\nmean,1.0\n");
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.showView(MainWindow::Ranking);
        QCOMPARE(w.exportCurrentFigure(tmp_.filePath("none.png")), QString("This view has no figure to export."));
        auto* view = test::child<RankingView>(&w, "rankingView");
        view->setProjects(list);
        view->setScoresPath(scores);
        QCOMPARE(rankIn(view), QString());
        const ModelRanking& r = *view->ranking();
        QCOMPARE(w.currentFigure(), static_cast<const Figure*>(view));

        const QString png = tmp_.filePath("ranking.png"), svg = tmp_.filePath("ranking.svg");
        QCOMPARE(w.exportCurrentFigure(png, 100), QString());
        QCOMPARE(w.exportCurrentFigure(svg), QString());
        const QImage image(png);
        QCOMPARE(image.width(), 960 * 100 / 72);
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 5)
            for (int x = 0; x < image.width(); x += 5) colours.insert(image.pixel(x, y));
        QVERIFY(colours.size() > 20);  // lines, bands, points and text, not a blank page
        QVERIFY(QSvgRenderer(svg).isValid());

        QFile csv(tmp_.filePath("ranking.csv")), json(tmp_.filePath("ranking.json"));
        QVERIFY(csv.open(QIODevice::ReadOnly | QIODevice::Text) && json.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.value(0), QString("threshold,r2,r2_low,r2_high,rho,rho_low,rho_high,experts_max,experts_mean,experts_selfcond"));
        QCOMPARE(lines.size() - 1, int(r.thresholds.size()));
        for (size_t i = 0; i < r.thresholds.size(); ++i) {
            const QStringList row = lines[int(i) + 1].split(',');
            const auto& t = r.thresholds[i];
            QVERIFY(row[0].toDouble() == t.threshold);
            QCOMPARE(row[1].isEmpty(), !t.byExperts.r2.value);
            if (t.byExperts.r2.value) QVERIFY(row[1].toDouble() == *t.byExperts.r2.value);
            if (t.byExperts.rho.interval) QVERIFY(row[6].toDouble() == t.byExperts.rho.interval->high);
            for (size_t m = 0; m < t.experts.size(); ++m) QCOMPARE(row[7 + int(m)].toLongLong(), t.experts[m]);
        }
        const auto manifest = QJsonDocument::fromJson(json.readAll()).object();
        QCOMPARE(manifest.value("data").toString(), QString("ranking.csv"));
        const auto ranking = manifest.value("ranking").toObject();
        QCOMPARE(ranking.value("scores").toString(), QFileInfo(scores).absoluteFilePath());
        QCOMPARE(ranking.value("projects").toArray().size(), 3);
        QVERIFY(ranking.value("best_threshold").toDouble() == r.thresholds[*r.best].threshold);
        QCOMPARE(ranking.value("bootstrap").toObject().value("resamples").toInt(), 2000);
    }

    // The sixth tab, on Ctrl+6 and in the View menu; no project needed.
    void mainWindowHasTheTab() {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        auto* views = test::child<QTabWidget>(&w, "views");
        QCOMPARE(views->count(), 6);
        QCOMPARE(views->tabText(5), QString("&Model ranking"));
        QCOMPARE(views->widget(5), test::child<RankingView>(&w, "rankingView"));
        QCOMPARE(views->currentIndex(), 0);
        QTest::keyClick(&w, Qt::Key_6, Qt::ControlModifier);
        QCOMPARE(views->currentIndex(), 5);
        w.showView(MainWindow::Heatmap);
        w.showView(MainWindow::Ranking);
        QCOMPARE(views->currentIndex(), 5);
        // Every input is there for the user, with a tooltip.
        for (const char* name : {"rankingProjects", "rankingScores", "rankingLowerIsBetter", "rankingRun", "rankingThreshold"})
            QVERIFY2(!test::child<QWidget>(&w, name)->toolTip().isEmpty(), name);
        QVERIFY(!test::child<QPushButton>(&w, "rankingRun")->text().isEmpty());
    }
};

QTEST_MAIN(TestRankingView)
#include "tst_ranking_view.moc"
