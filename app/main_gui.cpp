// The desktop application: picks the language, opens the project named on the command
// line (else the last one, else the demo, built on first use) and rebuilds the window when
// the language changes.
#include "core/runtime/blas_setup.h"
#include "ui/app_settings.h"
#include "ui/demo_setup.h"
#include "ui/localisation.h"
#include "ui/main_window.h"
#include "ui/startup.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QIcon>

namespace {

expertscope::MainWindow* makeWindow(const QString& project, const expertscope::DemoSetup& demo) {
    auto* window = new expertscope::MainWindow;
    window->setAttribute(Qt::WA_DeleteOnClose);
    window->setDemo(demo);
    QObject::connect(window, &expertscope::MainWindow::languageChanged, window, [window, demo](const QString& code) {
        const QString path = window->session()->projectPath();
        if (!window->close()) return;  // the user kept a running analysis; the language applies next start
        expertscope::installLanguage(code);
        makeWindow(path, demo);
    });
    window->show();
    if (project == demo.project && !project.isEmpty())
        window->openDemoProject();  // built first when it is missing
    else if (!project.isEmpty())
        window->openProject(project);
    return window;
}

}  // namespace

int main(int argc, char** argv) {
    expertscope::selectBlasKernel(argv);
    QApplication app(argc, argv);
    QApplication::setApplicationName("Expertscope");
    QApplication::setOrganizationName("Expertscope");
    QApplication::setApplicationVersion(QStringLiteral(EXPERTSCOPE_VERSION));
    // Wayland and the menus match the window to its desktop entry and icon by this name.
    QGuiApplication::setDesktopFileName(QStringLiteral("org.expertscope.Expertscope"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/org.expertscope.Expertscope.svg")));
    expertscope::installLanguage(expertscope::savedLanguage());

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate("main", "Find and use expert units in Transformer language models."));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption demoOption("demo", QApplication::translate("main", "Open the demo project."));
    parser.addOption(demoOption);
    parser.addPositionalArgument("project", QApplication::translate("main", "A project file (.esproj) to open."), QStringLiteral("[project]"));
    parser.process(app);

    expertscope::DemoSetup demo;
    demo.project = expertscope::demoProjectPath(QCoreApplication::applicationDirPath());
    demo.modelDir = expertscope::shippedDemoModel(QCoreApplication::applicationDirPath());
    const bool demoAvailable = QFileInfo::exists(demo.project) || !demo.modelDir.isEmpty();
    const QString project = expertscope::projectOnStart(parser.positionalArguments().value(0), parser.isSet(demoOption),
                                                        expertscope::AppSettings::recentProjects(), demoAvailable ? demo.project : QString());
    makeWindow(project, demo);
    return app.exec();
}
