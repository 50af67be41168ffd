#include "core/blas_setup.h"
#include "ui/main_window.h"

#include <QApplication>

int main(int argc, char** argv) {
    expertscope::selectBlasKernel(argv);
    QApplication app(argc, argv);
    QApplication::setApplicationName("Expertscope");
    QApplication::setOrganizationName("Expertscope");
    QApplication::setApplicationVersion(QStringLiteral(EXPERTSCOPE_VERSION));
    expertscope::MainWindow window;
    window.show();
    return app.exec();
}
