// The main window without a project: what is enabled, how bad input is answered (a
// message, no crash, the file untouched), and drag and drop of unknown files.
#include "ui/main_window.h"
#include "core/project/run_names.h"
#include "ui/app_settings.h"
#include "test_support.h"
#include "ui/project_session.h"
#include "ui/startup.h"

#include <QAction>
#include <QApplication>
#include <QDropEvent>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QSignalSpy>
#include <QMenuBar>
#include <QMimeData>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace expertscope;

class TestMainWindow : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

    static QAction* action(MainWindow& w, const QString& text) {
        for (auto* menu : w.menuBar()->findChildren<QMenu*>())
            for (auto* a : menu->actions())
                if (a->text() == text) return a;
        return nullptr;
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("ExpertscopeTests");
        QSettings().clear();  // nothing left by an earlier process: each function starts alike
        qputenv("EXPERTSCOPE_NO_DIALOGS", "1");
    }

    // The settings file is the user's to edit: what it holds is checked as it is read back.
    void settingsReadBackAreChecked() {
        for (const QVariant& bad : {QVariant("nan"), QVariant("inf"), QVariant(1.5), QVariant(-0.1), QVariant("high")}) {
            QSettings().setValue("view/threshold", bad);
            QCOMPARE(AppSettings::expertThreshold(), expertscope::kDefaultExpertThreshold);
        }
        QSettings().setValue("view/threshold", 0.75);
        QCOMPARE(AppSettings::expertThreshold(), 0.75);
        QSettings().setValue("export/dpi", 0);
        QVERIFY(AppSettings::exportDpi() >= 72 && AppSettings::exportDpi() <= 1200);
        QSettings().setValue("view/colearningK", -3);
        QVERIFY(AppSettings::coLearningK() >= 1);
        QSettings().clear();
    }

    void startsWithoutAProject() {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.windowTitle(), QString("Expertscope"));
        QStringList menus;
        for (auto* a : w.menuBar()->actions()) menus << a->text();
        QCOMPARE(menus, (QStringList{"&File", "&Analysis", "&View", "&Help"}));
        QVERIFY(!action(w, "&Run analysis")->isEnabled());
        QVERIFY(!action(w, "Add &model…")->isEnabled());
        QVERIFY(action(w, "&Open project…")->isEnabled());
        QCOMPARE(action(w, "&Open project…")->shortcut(), QKeySequence(QKeySequence::Open));
        QCOMPARE(test::child<QTabWidget>(&w, "views")->count(), 6);  // heatmap, co-learning, generation, steering, text probe, model ranking
    }

    void refusesAFileThatIsNotAProject() {
        const QString path = tmp_.filePath("notes.esproj");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("my notes, not a database");
        f.close();
        MainWindow w;
        QVERIFY(!w.openProject(path));
        const QString error = w.property("lastError").toString();
        QVERIFY2(error.startsWith("Cannot open the project: " + path + ": not an Expertscope project (") &&
                     error.endsWith("; the file was left unchanged"),
                 qPrintable(error));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("my notes, not a database"));
        QVERIFY(!w.session()->hasProject());
    }

    void addingWithoutAProjectExplains() {
        MainWindow w;
        QVERIFY(!w.session()->addConcepts(tmp_.filePath("nothing.csv")));
        QCOMPARE(w.property("lastError").toString(), QString("No project: Create or open a project before adding concepts."));
    }

    void opensTheDemoOnFirstLaunch() {
        const QString demo = tmp_.filePath("demo.esproj"), last = tmp_.filePath("last.esproj");
        QCOMPARE(projectOnStart({}, false, {}, {}), QString());  // no demo to open or build: nothing
        QCOMPARE(projectOnStart({}, false, {}, demo), demo);  // first launch: the window builds it
        QFile(demo).open(QIODevice::WriteOnly);
        QCOMPARE(projectOnStart({}, false, {}, demo), demo);
        QCOMPARE(projectOnStart({}, false, {last}, demo), demo);  // the last one is gone
        QFile(last).open(QIODevice::WriteOnly);
        QCOMPARE(projectOnStart({}, false, {last}, demo), last);
        QCOMPARE(projectOnStart({}, true, {last}, demo), demo);  // --demo
        QCOMPARE(projectOnStart("x.esproj", true, {last}, demo), QString("x.esproj"));
    }

    void keepsAnalysisSettings() {
        QSettings s;
        s.setValue("analysis/pooling", 1);
        s.setValue("analysis/sequenceLength", 64);
        s.setValue("analysis/truncate", true);
        s.setValue("analysis/threads", 3);
        {
            MainWindow w;
            const auto& run = w.session()->runSettings();
            QCOMPARE(run.pooling, Pooling::Mean);
            QCOMPARE(run.sequenceLength, 64);
            QCOMPARE(run.longSentences, LongSentencePolicy::Truncate);
            QCOMPARE(run.workers, 3);
        }
        s.remove("analysis");
        MainWindow fresh;
        QCOMPARE(fresh.session()->runSettings().pooling, Pooling::Max);
        QCOMPARE(fresh.session()->runSettings().sequenceLength, 0);
    }

    // A model folder without a tokenizer loads (its family shows in the status bar), and an
    // analysis asks for a tokenizer instead of starting.
    void refusesToAnalyseAModelWithoutATokenizer() {
        REQUIRE_SHARED(config, "models/qwen2-tiny-random/config.json");
        REQUIRE_SHARED(list, "concepts/onesec/concept_list.csv");
        MainWindow w;
        QVERIFY(w.openProject(tmp_.filePath("no-tokenizer.esproj"), true));
        QSignalSpy loaded(w.session(), &ProjectSession::modelChanged);
        w.session()->addModel(QFileInfo(config).absolutePath());
        QVERIFY(loaded.wait(30000));
        QVERIFY(w.session()->hasModel());
        QVERIFY(!w.session()->modelHasTokenizer());
        const QString shown = test::child<QLabel>(&w, "modelLabel")->text();
        QVERIFY2(shown.contains("qwen2 · Qwen2ForCausalLM") && shown.contains("no tokenizer"), qPrintable(shown));
        QVERIFY(w.session()->addConcepts(QFileInfo(list).absolutePath()));
        QSignalSpy finished(w.session(), &ProjectSession::analysisFinished);
        w.session()->startAnalysis();
        QVERIFY(!w.session()->analysing());
        QVERIFY2(w.property("lastError").toString().startsWith("The model has no tokenizer: qwen2-tiny-random has no tokenizer"),
                 qPrintable(w.property("lastError").toString()));
        QCOMPARE(finished.count(), 0);
        w.session()->waitForIdle();
    }

    void refusesADroppedFileItDoesNotKnow() {
        const QString path = tmp_.filePath("photo.jpg");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        MainWindow w;
        QMimeData data;
        data.setUrls({QUrl::fromLocalFile(path)});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &data, Qt::LeftButton, {});
        QApplication::sendEvent(&w, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &data, Qt::LeftButton, {});
        QApplication::sendEvent(&w, &drop);
        QCOMPARE(w.property("lastError").toString(), QString("Unknown file: %1 is not a project, a model or a concept set.").arg(path));
        QVERIFY(!w.session()->hasProject());
    }

    void exportsNeedAFigure() {
        MainWindow w;
        w.showView(MainWindow::Generation);  // generation has no figure
        QCOMPARE(w.exportCurrentFigure(tmp_.filePath("x.png")), QString("This view has no figure to export."));
        QVERIFY(!QFile::exists(tmp_.filePath("x.png")));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
