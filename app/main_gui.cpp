#include "ui/main_window.h"

#include <QApplication>

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("Expertscope");
    QApplication::setOrganizationName("Expertscope");
    QApplication::setApplicationVersion(QStringLiteral(EXPERTSCOPE_VERSION));
    expertscope::MainWindow window;
    window.show();
    return app.exec();
}
