#include "ui/concept_list.h"

#include "ui/concept_table_model.h"
#include "ui/figure_export.h"

#include <QHeaderView>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace expertscope {

ConceptList::ConceptList(QWidget* parent) : QWidget(parent) {
    setObjectName("conceptList");
    search_ = new QLineEdit(this);
    search_->setObjectName("conceptSearch");
    search_->setPlaceholderText(tr("Search concepts (Ctrl+F)"));
    search_->setClearButtonEnabled(true);
    model_ = new ConceptTableModel(this);
    filter_ = new QSortFilterProxyModel(this);
    filter_->setSourceModel(model_);
    filter_->setFilterCaseSensitivity(Qt::CaseInsensitive);
    filter_->setFilterKeyColumn(-1);
    filter_->setSortRole(ConceptTableModel::kSortRole);
    table_ = new QTableView(this);
    table_->setObjectName("conceptTable");
    table_->setModel(filter_);
    table_->setSortingEnabled(true);
    table_->sortByColumn(ConceptTableModel::BestAp, Qt::DescendingOrder);  // the clearest concepts first
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setColumnHidden(ConceptTableModel::Group, true);
    table_->setToolTip(tr("Experts: units with an AP at or above the heatmap's threshold"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(search_);
    layout->addWidget(table_);

    connect(search_, &QLineEdit::textChanged, filter_, &QSortFilterProxyModel::setFilterFixedString);
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& index) {
        if (!index.isValid()) return;
        current_ = filter_->data(index, ConceptTableModel::kIdRole).toLongLong();
        emit conceptPicked(current_);
    });
}

void ConceptList::setConcepts(const QVector<ConceptSummary>& concepts, int64_t preferred) {
    model_->setConcepts(concepts);
    table_->resizeColumnsToContents();
    if (current_ && selectConcept(current_)) return;
    current_ = 0;
    if (preferred && selectConcept(preferred)) return;
    if (filter_->rowCount() > 0) table_->selectRow(0);  // picks it
}

void ConceptList::setExpertCounts(const ExpertCounts& counts) { model_->setExpertCounts(counts); }

bool ConceptList::selectConcept(int64_t conceptId) {
    for (int r = 0; r < filter_->rowCount(); ++r)
        if (filter_->data(filter_->index(r, 0), ConceptTableModel::kIdRole).toLongLong() == conceptId) {
            const QSignalBlocker block(table_->selectionModel());
            table_->selectRow(r);
            table_->scrollTo(filter_->index(r, 0));  // a concept picked elsewhere (or suggested) is seen selected
            current_ = conceptId;
            return true;
        }
    return false;
}

void ConceptList::focusSearch() {
    search_->setFocus();
    search_->selectAll();
}

QString ConceptList::exportCsv(const QString& path) const { return expertscope::exportCsv(*model_, path); }

}  // namespace expertscope
