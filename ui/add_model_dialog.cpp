#include "ui/add_model_dialog.h"

#include "core/base/hf_cache.h"
#include "core/base/hub_download.h"
#include "core/runtime/language_model.h"
#include "ui/post_to_gui.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace expertscope {
namespace {

enum Column { Name, Revision, Size, Family, Opens, Columns };
constexpr int kPathRole = Qt::UserRole;

QString revisionText(const CachedModel& m) {
    const QString hash = QString::fromStdString(m.revision).left(12);
    if (m.refs.empty()) return hash;
    QStringList refs;
    for (const auto& r : m.refs) refs << QString::fromStdString(r);
    return refs.join(", ") + " (" + hash + ")";
}

}  // namespace

AddModelDialog::AddModelDialog(const std::string& cacheDir, QWidget* parent) : QDialog(parent), cacheDir_(cacheDir) {
    setWindowTitle(tr("Add model"));
    const auto models = scanHfCache(cacheDir);
    auto* intro = new QLabel(models.empty() ? tr("No models in the Hugging Face cache (%1).").arg(QString::fromStdString(cacheDir))
                                            : tr("Models in the Hugging Face cache (%1): double-click one to add it.")
                                                  .arg(QString::fromStdString(cacheDir)),
                             this);
    intro->setWordWrap(true);
    table_ = new QTableWidget(static_cast<int>(models.size()), Columns, this);
    table_->setObjectName("cachedModels");
    table_->setHorizontalHeaderLabels({tr("Model"), tr("Revision"), tr("Size"), tr("Family"), tr("Opens")});
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setStretchLastSection(true);
    const QLocale locale;
    for (int r = 0; r < static_cast<int>(models.size()); ++r) {
        const auto& m = models[static_cast<size_t>(r)];
        const QString fullProblem = QString::fromStdString(modelProblem(m.path));
        // The row names the model: its folder's path before the reason only crowds the column.
        QString problem = fullProblem;
        for (const QString& prefix : {QString::fromStdString(m.path) + "/config.json: ", QString::fromStdString(m.path) + ": "})
            if (problem.startsWith(prefix)) problem = problem.mid(prefix.size());
        if (!m.missingFiles.empty())
            problem = tr("%n file(s) missing from the cache (an interrupted download?)", nullptr, static_cast<int>(m.missingFiles.size()));
        const QString cells[Columns] = {QString::fromStdString(m.repo), revisionText(m), locale.formattedDataSize(m.bytes),
                                        QString::fromStdString(m.modelType), problem.isEmpty() ? tr("yes") : tr("no: %1").arg(problem)};
        for (int c = 0; c < Columns; ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            item->setData(kPathRole, problem.isEmpty() ? QString::fromStdString(m.path) : QString());
            item->setToolTip(problem.isEmpty() ? QString::fromStdString(m.path) : fullProblem);
            // What cannot open stays listed, greyed, with the reason: not silently hidden.
            if (!problem.isEmpty()) item->setFlags(item->flags() & ~Qt::ItemIsEnabled);
            table_->setItem(r, c, item);
        }
    }
    table_->resizeColumnsToContents();
    table_->setMinimumWidth(760);

    auto* buttons = new QDialogButtonBox(this);
    open_ = buttons->addButton(tr("Add"), QDialogButtonBox::AcceptRole);
    open_->setObjectName("addCachedModel");
    open_->setEnabled(false);
    auto* browse = buttons->addButton(tr("Choose a file or folder…"), QDialogButtonBox::ActionRole);
    browse->setObjectName("browseForModel");
    browse->setToolTip(tr("A Hugging Face folder (its config.json), a GGUF file or a llama2.c .bin checkpoint"));
    buttons->addButton(QDialogButtonBox::Cancel);
    // Download from the Hub into the same cache.
    hubName_ = new QLineEdit(this);
    hubName_->setObjectName("hubModelName");
    hubName_->setPlaceholderText(tr("ORG/NAME or ORG/NAME@REVISION, e.g. Qwen/Qwen2.5-0.5B"));
    hubName_->setToolTip(tr("Config, safetensors weights and tokenizer files (never pickled .bin weights), checked against "
                            "the Hub's checksums; an interrupted download resumes. HF_TOKEN or huggingface-cli login for "
                            "gated models."));
    download_ = new QPushButton(tr("Download"), this);
    download_->setObjectName("downloadModel");
    cancelDownload_ = new QPushButton(tr("Cancel download"), this);
    cancelDownload_->setObjectName("cancelDownload");
    cancelDownload_->setEnabled(false);
    progress_ = new QProgressBar(this);
    progress_->setObjectName("downloadProgress");
    progress_->setVisible(false);
    downloadStatus_ = new QLabel(this);
    downloadStatus_->setObjectName("downloadStatus");
    downloadStatus_->setWordWrap(true);
    downloadStatus_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    if (hubOptionsFromEnvironment().offline) {
        for (QWidget* w : {static_cast<QWidget*>(hubName_), static_cast<QWidget*>(download_)}) w->setEnabled(false);
        downloadStatus_->setText(tr("HF_HUB_OFFLINE is set: nothing is downloaded."));
    }
    auto* hubRow = new QHBoxLayout;
    hubRow->addWidget(new QLabel(tr("From the Hugging Face Hub:"), this));
    hubRow->addWidget(hubName_, 1);
    hubRow->addWidget(download_);
    hubRow->addWidget(cancelDownload_);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(table_, 1);
    layout->addLayout(hubRow);
    layout->addWidget(progress_);
    layout->addWidget(downloadStatus_);
    layout->addWidget(buttons);
    connect(download_, &QPushButton::clicked, this, &AddModelDialog::startDownload);
    connect(hubName_, &QLineEdit::returnPressed, this, &AddModelDialog::startDownload);
    connect(cancelDownload_, &QPushButton::clicked, this, [this] { cancel_->store(true); });

    connect(table_, &QTableWidget::itemSelectionChanged, this, [this] {
        const auto* item = table_->currentItem();
        open_->setEnabled(item && !item->data(kPathRole).toString().isEmpty());
    });
    connect(table_, &QTableWidget::itemDoubleClicked, this, &AddModelDialog::openSelected);
    connect(open_, &QPushButton::clicked, this, &AddModelDialog::openSelected);
    connect(browse, &QPushButton::clicked, this, [this] {
        chosen_.clear();
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

int AddModelDialog::modelCount() const { return table_->rowCount(); }

AddModelDialog::~AddModelDialog() {
    cancel_->store(true);
    download_future_.waitForFinished();
}

void AddModelDialog::reject() {
    if (!downloading_) return QDialog::reject();
    cancel_->store(true);  // closes nothing until the download has stopped
}

void AddModelDialog::startDownload() {
    const QString text = hubName_->text().trimmed();
    if (downloading_ || text.isEmpty()) return;
    const std::string repo = text.section('@', 0, 0).toStdString(), revision = text.contains('@') ? text.section('@', 1).toStdString() : "main";
    downloading_ = true;
    cancel_->store(false);
    download_->setEnabled(false);
    cancelDownload_->setEnabled(true);
    open_->setEnabled(false);
    progress_->setVisible(true);
    progress_->setRange(0, 0);
    downloadStatus_->setStyleSheet(QString());
    downloadStatus_->setText(tr("Asking the Hub for %1…").arg(text));
    const auto cancel = cancel_;
    HubOptions options = hubOptionsFromEnvironment();
    options.cacheDir = cacheDir_;
    download_future_ = QtConcurrent::run([this, repo, revision, cancel, options] {
        QString snapshot, error;
        try {
            snapshot = QString::fromStdString(fetchModel(repo, revision, options, [this, cancel](const DownloadProgress& p) {
                                                  post(this, [this, p] {
                                                      const double mib = 1024.0 * 1024.0;
                                                      progress_->setRange(0, 1000);
                                                      progress_->setValue(p.total > 0 ? static_cast<int>(1000 * p.done / p.total) : 1000);
                                                      QString text = tr("%1 of %2 MiB").arg(p.done / mib, 0, 'f', 1).arg(p.total / mib, 0, 'f', 1);
                                                      if (p.bytesPerSecond > 0) text += tr(" · %1 MiB/s").arg(p.bytesPerSecond / mib, 0, 'f', 2);
                                                      if (p.secondsLeft >= 0) text += tr(" · %1 s left").arg(qRound(p.secondsLeft));
                                                      if (!p.file.empty()) text += " · " + QString::fromStdString(p.file);
                                                      downloadStatus_->setText(text);
                                                  });
                                                  return !cancel->load();
                                              }).snapshot);
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        }
        post(this, [this, snapshot, error] { downloadFinished(snapshot, error); });
    });
}

void AddModelDialog::downloadFinished(const QString& snapshot, const QString& error) {
    downloading_ = false;
    download_->setEnabled(true);
    cancelDownload_->setEnabled(false);
    progress_->setVisible(false);
    if (!error.isEmpty()) {
        downloadStatus_->setStyleSheet(QStringLiteral("color: #b00020"));
        downloadStatus_->setText(error);
        return;
    }
    chosen_ = snapshot;
    accept();
}

void AddModelDialog::openSelected() {
    const auto* item = table_->currentItem();
    if (!item || item->data(kPathRole).toString().isEmpty()) return;
    chosen_ = item->data(kPathRole).toString();
    accept();
}

}  // namespace expertscope
