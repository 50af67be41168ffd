#include "ui/add_model_dialog.h"

#include "core/base/hf_cache.h"
#include "core/runtime/language_model.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

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

AddModelDialog::AddModelDialog(const std::string& cacheDir, QWidget* parent) : QDialog(parent) {
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
    browse->setToolTip(tr("A Hugging Face folder (its config.json) or a llama2.c .bin checkpoint"));
    buttons->addButton(QDialogButtonBox::Cancel);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(table_, 1);
    layout->addWidget(buttons);

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

void AddModelDialog::openSelected() {
    const auto* item = table_->currentItem();
    if (!item || item->data(kPathRole).toString().isEmpty()) return;
    chosen_ = item->data(kPathRole).toString();
    accept();
}

}  // namespace expertscope
