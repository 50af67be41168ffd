#pragma once
// File > Add model: the models already in Hugging Face's cache, each with its revision,
// size, family and whether this version opens it (and if not, why), opened with a
// double-click; a model downloaded from the Hub into that cache (in the background, with
// progress, speed, time left and cancel); or a file or folder chosen on disk. Only the
// download touches the network, and not with HF_HUB_OFFLINE set.
#include <QDialog>
#include <QFuture>
#include <QString>

#include <atomic>
#include <memory>
#include <string>

class QLabel;
class QLineEdit;
class QProgressBar;
class QTableWidget;
class QPushButton;

namespace expertscope {

class AddModelDialog : public QDialog {
    Q_OBJECT
public:
    AddModelDialog(const std::string& cacheDir, QWidget* parent = nullptr);
    ~AddModelDialog() override;  // a running download is cancelled and waited for
    // The snapshot folder chosen from the cache; empty when the user asked to browse instead.
    QString chosenPath() const { return chosen_; }
    int modelCount() const;  // rows listed

    bool downloading() const { return downloading_; }

public slots:
    void startDownload();  // the name in the Hub field; accepted with its snapshot when done
    void reject() override;  // while downloading: cancels the download instead of closing

private:
    void openSelected();
    void downloadFinished(const QString& snapshot, const QString& error);
    QTableWidget* table_;
    QPushButton *open_, *download_, *cancelDownload_;
    QLineEdit* hubName_;
    QProgressBar* progress_;
    QLabel* downloadStatus_;
    QString chosen_;
    std::string cacheDir_;  // listed, and downloaded into
    std::shared_ptr<std::atomic<bool>> cancel_ = std::make_shared<std::atomic<bool>>(false);
    QFuture<void> download_future_;
    bool downloading_ = false;
};

}  // namespace expertscope
