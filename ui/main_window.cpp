#include "main_window.h"

#include "core/blas_setup.h"
#include "core/language_model.h"

#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>

namespace expertscope {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(tr("Expertscope"));
    resize(1280, 800);

    auto* empty = new QLabel(tr("Open a project or add a model to begin."), this);
    empty->setObjectName("emptyState");
    empty->setAlignment(Qt::AlignCenter);
    setCentralWidget(empty);

    auto* file = menuBar()->addMenu(tr("&File"));
    auto* quit = file->addAction(tr("&Quit"), qApp, &QApplication::quit);
    quit->setShortcut(QKeySequence::Quit);
    auto* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Expertscope"), this, &MainWindow::showAbout);

    statusBar()->showMessage(tr("Ready"));
}

void MainWindow::showAbout() {
    QMessageBox::about(this, tr("About Expertscope"),
                       tr("<h3>Expertscope %1</h3><p>Find and use expert units in Transformer language models.</p>"
                          "<p>Qt %2<br>%3<br>%4</p>")
                           .arg(QApplication::applicationVersion(), QString::fromLatin1(qVersion()),
                                QString::fromStdString(runtimeDescription()), QString::fromStdString(blasDescription())));
}

}  // namespace expertscope
