// The installed application's first launch: the demo project is built into the user's data
// folder (never beside the read-only executable) under a progress dialog that can cancel,
// and a missing WordNet or model is a clear message; nothing half-built is ever left.
#include "ui/demo_setup.h"
#include "ui/main_window.h"
#include "ui/project_session.h"
#include "test_support.h"

#include <QApplication>
#include <QDir>
#include <QProgressDialog>
#include <QRegularExpression>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>

using namespace expertscope;

namespace {

const QString kDemoModel = QStringLiteral(EXPERTSCOPE_SOURCE_DIR "/resources/demo/model");

QStringList filesIn(const QString& dir) { return QDir(dir).entryList(QDir::Files | QDir::Hidden); }

}  // namespace

class TestFirstLaunch : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

private slots:
    void initTestCase() {
        // A data folder of this process's own: CTest runs this binary twice at once (whole,
        // and each function alone), and both build the demo there.
        qputenv("HOME", tmp_.filePath("home").toUtf8());
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("ExpertscopeTests");
        QCoreApplication::setApplicationName("Expertscope");
        QSettings().clear();
        qunsetenv("EXPERTSCOPE_DEMO");
    }

    // Installed as <prefix>/bin and <prefix>/share/expertscope: the shipped model is found
    // there, and the demo project goes to the user's data folder.
    void findsTheInstalledLayout() {
        const QString prefix = tmp_.filePath("prefix");
        QVERIFY(QDir().mkpath(prefix + "/bin"));
        QVERIFY(QDir().mkpath(prefix + "/share/expertscope/demo/model"));
        QFile config(prefix + "/share/expertscope/demo/model/config.json");
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.close();
        QCOMPARE(shippedDemoModel(prefix + "/bin"), QFileInfo(prefix).absoluteFilePath() + "/share/expertscope/demo/model");
        QCOMPARE(demoProjectPath(prefix + "/bin"),
                 QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath("demo.esproj"));
        qputenv("EXPERTSCOPE_DEMO", tmp_.filePath("mine.esproj").toUtf8());
        QCOMPARE(demoProjectPath(prefix + "/bin"), tmp_.filePath("mine.esproj"));
        qunsetenv("EXPERTSCOPE_DEMO");
        // Not installed: the source tree's model (this build's).
        QCOMPARE(shippedDemoModel(tmp_.filePath("nowhere/bin")), QFileInfo(kDemoModel).canonicalFilePath());
    }

    void noWordNetIsAClearMessage() {
        const QString dir = tmp_.filePath("nowordnet");
        QDir().mkpath(dir);
        DemoSetup setup{dir + "/demo.esproj", kDemoModel, tmp_.filePath("no-such-wordnet")};
        QString error;
        QCOMPARE(ensureDemoProject(nullptr, setup, &error), DemoOutcome::Failed);
        QVERIFY2(error.contains("wordnet-base"), qPrintable(error));
        QCOMPARE(filesIn(dir), QStringList());
        setup.modelDir.clear();
        QCOMPARE(ensureDemoProject(nullptr, setup, &error), DemoOutcome::Failed);
        QVERIFY2(error.contains("demo model is not installed"), qPrintable(error));
    }

    void cancellingLeavesNothing() {
        if (!QFileInfo::exists("/usr/share/wordnet/data.noun")) QSKIP("WordNet (Debian's wordnet-base) is not installed");
        const QString dir = tmp_.filePath("cancel");
        QDir().mkpath(dir);
        const DemoSetup setup{dir + "/demo.esproj", kDemoModel};
        QString label, afterwards;
        bool visibleUntilStopped = false;
        QTimer driver;
        connect(&driver, &QTimer::timeout, [&] {
            for (auto* d : QApplication::topLevelWidgets())
                if (auto* p = qobject_cast<QProgressDialog*>(d); p && p->objectName() == "demoProgress" && label.isEmpty() && p->value() >= 2) {
                    label = p->labelText();
                    if (auto* button = p->findChild<QPushButton*>()) button->click();  // as the user does
                    // It stays up, saying so, until the build has stopped.
                    afterwards = p->labelText();
                    visibleUntilStopped = p->isVisible();
                }
        });
        driver.start(10);
        QString error;
        QCOMPARE(ensureDemoProject(nullptr, setup, &error), DemoOutcome::Cancelled);
        driver.stop();
        QVERIFY2(QRegularExpression("\nAnalysing concept [3-9] of 48: \\w+$").match(label).hasMatch(), qPrintable(label));
        QVERIFY(visibleUntilStopped);
        QVERIFY2(afterwards.endsWith("\nCancelling…"), qPrintable(afterwards));
        QCOMPARE(filesIn(dir), QStringList());
    }

    // The whole first launch, as a user sees it: the window, the progress, then the demo open.
    void buildsTheDemoOnFirstUse() {
        if (!QFileInfo::exists("/usr/share/wordnet/data.noun")) QSKIP("WordNet (Debian's wordnet-base) is not installed");
        qputenv("EXPERTSCOPE_NO_DIALOGS", "1");
        const QString dataDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
        QDir(dataDir).removeRecursively();
        const DemoSetup setup{demoProjectPath(tmp_.filePath("installed/bin")), kDemoModel};
        QCOMPARE(setup.project, QDir(dataDir).filePath("demo.esproj"));
        MainWindow w;
        w.setDemo(setup);
        w.show();
        int maximum = 0;
        QTimer watch;
        connect(&watch, &QTimer::timeout, [&] {
            for (auto* d : QApplication::topLevelWidgets())
                if (auto* p = qobject_cast<QProgressDialog*>(d); p && p->objectName() == "demoProgress" && p->isVisible())
                    maximum = std::max(maximum, p->maximum());
        });
        watch.start(50);
        QVERIFY2(w.openDemoProject(), qPrintable(w.property("lastError").toString()));
        watch.stop();
        QVERIFY(maximum >= 40);  // the progress counted the demo's concepts
        QCOMPARE(w.session()->projectPath(), setup.project);
        QVERIFY(w.session()->concepts().size() >= 40);
        QCOMPARE(filesIn(dataDir).filter(".partial"), QStringList());
        QVERIFY(test::waitFor([&] { return w.session()->hasModel(); }, 60000));
        w.close();
    }
};

QTEST_MAIN(TestFirstLaunch)
#include "tst_first_launch.moc"
