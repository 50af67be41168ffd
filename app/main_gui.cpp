// The desktop application: picks the language, opens the project named on the command
// line (else the last one, else the demo) and rebuilds the window when the language changes.
#include "core/runtime/blas_setup.h"
#include "ui/app_settings.h"
#include "ui/localisation.h"
#include "ui/main_window.h"
#include "ui/startup.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>

namespace {

QString demoProject() {
    const QString fromEnv = qEnvironmentVariable("EXPERTSCOPE_DEMO");
    if (!fromEnv.isEmpty()) return QFileInfo(fromEnv).absoluteFilePath();
    // Installed beside the executable, or in the build tree.
    for (const QString& candidate : {QStringLiteral("demo/demo.esproj"), QStringLiteral("../demo/demo.esproj")}) {
        const QString path = QDir(QCoreApplication::applicationDirPath()).filePath(candidate);
        if (QFileInfo::exists(path)) return QFileInfo(path).absoluteFilePath();
    }
    return QDir(QCoreApplication::applicationDirPath()).filePath("demo/demo.esproj");
}

expertscope::MainWindow* makeWindow(const QString& project, const QString& demo) {
    auto* window = new expertscope::MainWindow;
    window->setAttribute(Qt::WA_DeleteOnClose);
    window->setDemoProject(demo);
    QObject::connect(window, &expertscope::MainWindow::languageChanged, window, [window, demo](const QString& code) {
        const QString path = window->session()->projectPath();
        if (!window->close()) return;  // the user kept a running analysis; the language applies next start
        expertscope::installLanguage(code);
        makeWindow(path, demo);
    });
    window->show();
    if (!project.isEmpty()) window->openProject(project);
    return window;
}

}  // namespace

int main(int argc, char** argv) {
    expertscope::selectBlasKernel(argv);
    QApplication app(argc, argv);
    QApplication::setApplicationName("Expertscope");
    QApplication::setOrganizationName("Expertscope");
    QApplication::setApplicationVersion(QStringLiteral(EXPERTSCOPE_VERSION));
    expertscope::installLanguage(expertscope::savedLanguage());

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate("main", "Find and use expert units in Transformer language models."));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption demoOption("demo", QApplication::translate("main", "Open the demo project."));
    parser.addOption(demoOption);
    parser.addPositionalArgument("project", QApplication::translate("main", "A project file (.esproj) to open."));
    parser.process(app);

    const QString demo = demoProject();
    const QString project = expertscope::projectOnStart(parser.positionalArguments().value(0), parser.isSet(demoOption),
                                                        expertscope::AppSettings::recentProjects(), demo);
    makeWindow(project, demo);
    return app.exec();
}
