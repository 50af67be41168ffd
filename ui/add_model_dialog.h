#pragma once
// File > Add model: the models already in Hugging Face's cache, each with its revision,
// size, family and whether this version opens it (and if not, why), opened with a
// double-click; or a file or folder chosen on disk. Nothing touches the network.
#include <QDialog>
#include <QString>

#include <string>

class QTableWidget;
class QPushButton;

namespace expertscope {

class AddModelDialog : public QDialog {
    Q_OBJECT
public:
    AddModelDialog(const std::string& cacheDir, QWidget* parent = nullptr);
    // The snapshot folder chosen from the cache; empty when the user asked to browse instead.
    QString chosenPath() const { return chosen_; }
    int modelCount() const;  // rows listed

private:
    void openSelected();
    QTableWidget* table_;
    QPushButton* open_;
    QString chosen_;
};

}  // namespace expertscope
