// The main window starts under the offscreen platform with its empty state and menus.
#include "ui/main_window.h"

#include <QAction>
#include <QLabel>
#include <QMenuBar>
#include <QTest>

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void startsWithEmptyState() {
        expertscope::MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.windowTitle(), QString("Expertscope"));
        auto* empty = w.findChild<QLabel*>("emptyState");
        QVERIFY(empty);
        QVERIFY(empty->isVisible());
        QStringList menus;
        for (auto* a : w.menuBar()->actions()) menus << a->text();
        QCOMPARE(menus, (QStringList{"&File", "&Help"}));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
