#pragma once
#include <QMainWindow>

namespace expertscope {

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);

private:
    void showAbout();
};

}  // namespace expertscope
