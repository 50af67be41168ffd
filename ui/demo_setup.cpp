#include "ui/demo_setup.h"

#include "core/science/response_collector.h"  // Cancelled
#include "demo/demo_project.h"

#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QLockFile>
#include <QPointer>
#include <QProgressDialog>
#include <QPushButton>
#include <QStandardPaths>
#include <QtConcurrent>

#include <atomic>
#include <memory>
#include <utility>

namespace expertscope {

QString shippedDemoModel(const QString& applicationDir) {
    const QDir bin(applicationDir);
    for (const QString& candidate : {bin.filePath("../share/expertscope/demo/model"), QStringLiteral(EXPERTSCOPE_SOURCE_DIR "/resources/demo/model")})
        if (QFileInfo::exists(candidate + "/config.json")) return QDir::cleanPath(QFileInfo(candidate).absoluteFilePath());
    return {};
}

QString demoProjectPath(const QString& applicationDir) {
    const QString fromEnv = qEnvironmentVariable("EXPERTSCOPE_DEMO");
    if (!fromEnv.isEmpty()) return QFileInfo(fromEnv).absoluteFilePath();
    // packaging/expertscope.sh builds it here when the application runs from its build tree.
    const QString built = QDir(applicationDir).filePath("../demo/demo.esproj");
    if (QFileInfo::exists(built)) return QDir::cleanPath(QFileInfo(built).absoluteFilePath());
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath("demo.esproj");
}

DemoOutcome ensureDemoProject(QWidget* parent, const DemoSetup& setup, QString* error) {
    if (QFileInfo::exists(setup.project)) return DemoOutcome::Ready;
    if (setup.modelDir.isEmpty()) {
        if (error) *error = QCoreApplication::translate("DemoSetup", "The demo model is not installed, so the demo project cannot be built.");
        return DemoOutcome::Failed;
    }
    const QString intro = QCoreApplication::translate("DemoSetup", "Building the demo project: WordNet's concepts analysed with the demo model…");
    QProgressDialog dialog(intro,
                           QCoreApplication::translate("DemoSetup", "Cancel"), 0, 0, parent);
    dialog.setObjectName("demoProgress");
    dialog.setWindowTitle(QCoreApplication::translate("DemoSetup", "First start: the demo project"));
    dialog.setWindowModality(Qt::WindowModal);
    dialog.setMinimumDuration(0);
    dialog.setMinimumWidth(480);
    // Shown, and the window blocked, until the build has really stopped: Cancel only asks.
    dialog.setAutoClose(false);
    dialog.setAutoReset(false);
    dialog.setValue(0);

    auto cancel = std::make_shared<std::atomic<bool>>(false);
    QPointer<QProgressDialog> shown(&dialog);
    DemoProjectOptions options;
    options.modelDir = setup.modelDir.toStdString();
    options.out = setup.project.toStdString();
    options.wordnetDir = setup.wordnetDir.toStdString();
    using Result = std::pair<DemoOutcome, QString>;
    QFutureWatcher<Result> watcher;
    QEventLoop loop;
    QObject::connect(&watcher, &QFutureWatcher<Result>::finished, &loop, &QEventLoop::quit);
    QObject::connect(&dialog, &QProgressDialog::canceled, &dialog, [cancel, shown, intro] {
        *cancel = true;
        if (!shown) return;
        shown->show();
        shown->setLabelText(intro + "\n" + QCoreApplication::translate("DemoSetup", "Cancelling…"));
        if (auto* button = shown->findChild<QPushButton*>()) button->setEnabled(false);
    });
    watcher.setFuture(QtConcurrent::run([options, cancel, shown, intro]() -> Result {
        try {
            // Two instances starting at once build it once: the second waits, then finds it.
            QLockFile lock(QString::fromStdString(options.out) + ".lock");
            QDir().mkpath(QFileInfo(QString::fromStdString(options.out)).absolutePath());
            lock.setStaleLockTime(0);  // held as long as its holder lives (a build takes a minute)
            while (!lock.tryLock(200)) {
                if (lock.error() != QLockFile::LockFailedError)
                    return {DemoOutcome::Failed, QCoreApplication::translate("DemoSetup", "%1 cannot be created: is the folder writable?")
                                                     .arg(QString::fromStdString(options.out) + ".lock")};
                if (*cancel) return {DemoOutcome::Cancelled, QString()};
            }
            if (QFileInfo::exists(QString::fromStdString(options.out))) return {DemoOutcome::Ready, QString()};
            buildDemoProject(options, [cancel, shown, intro](const AnalysisProgress& p) {
                const QString text = intro + "\n" + QCoreApplication::translate("DemoSetup", "Analysing concept %1 of %2: %3")
                                         .arg(std::min(p.conceptsDone + 1, p.conceptsTotal)).arg(p.conceptsTotal)
                                         .arg(QString::fromStdString(p.concept));
                QMetaObject::invokeMethod(shown, [shown, text, p, cancel] {
                    if (!shown || *cancel) return;
                    // The label first: a modal dialog's setValue processes events, which
                    // must not see the new count beside the old concept.
                    shown->setLabelText(text);
                    shown->setMaximum(p.conceptsTotal);
                    shown->setValue(p.conceptsDone);
                }, Qt::QueuedConnection);
                return !*cancel;
            });
        } catch (const Cancelled&) {
            return {DemoOutcome::Cancelled, QString()};
        } catch (const std::exception& e) {
            return {DemoOutcome::Failed, QString::fromStdString(e.what())};
        }
        return {DemoOutcome::Ready, QString()};
    }));
    if (!watcher.isFinished()) loop.exec();
    const Result result = watcher.result();
    if (error) *error = result.second;
    return result.first;
}

}  // namespace expertscope
