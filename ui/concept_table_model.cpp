#include "ui/concept_table_model.h"

#include <cmath>

namespace expertscope {

ConceptTableModel::ConceptTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void ConceptTableModel::setConcepts(const QVector<ConceptSummary>& concepts) {
    beginResetModel();
    concepts_ = concepts;
    endResetModel();
}

int ConceptTableModel::expertsOf(int row) const {
    const auto it = counts_.find(concepts_[row].id);
    return it == counts_.end() ? 0 : it->second;
}

void ConceptTableModel::setExpertCounts(const ExpertCounts& counts) {
    std::vector<int> before(static_cast<size_t>(concepts_.size()));
    for (int r = 0; r < concepts_.size(); ++r) before[static_cast<size_t>(r)] = expertsOf(r);
    counts_ = counts;
    // One signal over the rows whose count moved, in the experts column alone: views and
    // the sorting proxy redo that column only.
    int first = -1, last = -1;
    for (int r = 0; r < concepts_.size(); ++r)
        if (concepts_[r].analysed && expertsOf(r) != before[static_cast<size_t>(r)]) {
            if (first < 0) first = r;
            last = r;
        }
    if (first >= 0) emit dataChanged(index(first, Experts), index(last, Experts), {Qt::DisplayRole, Qt::EditRole});
}

int ConceptTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : static_cast<int>(concepts_.size()); }
int ConceptTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : Columns; }

QVariant ConceptTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= concepts_.size()) return {};
    const ConceptSummary& c = concepts_[index.row()];
    if (role == kIdRole) return QVariant::fromValue<qint64>(c.id);
    const bool display = role == Qt::DisplayRole, sort = role == Qt::EditRole || role == kSortRole;
    switch (index.column()) {
    case Name:
        if (display || sort) return c.name;
        if (role == Qt::ToolTipRole) return c.group.isEmpty() ? c.name : c.group + " / " + c.name;
        break;
    case BestAp:
        if (display) return c.analysed ? QString::number(c.bestAp, 'f', 3) : tr("not analysed");
        if (role == kSortRole) return c.analysed ? c.bestAp : -1.0;
        if (sort && c.analysed) return c.bestAp;
        break;
    case BestAuroc: {
        // NaN: results stored before AUROC was computed; they sort below every value.
        const bool known = c.analysed && !std::isnan(c.bestAuroc);
        if (display) return !c.analysed ? tr("not analysed") : known ? QString::number(c.bestAuroc, 'f', 3) : tr("not computed");
        if (role == Qt::ToolTipRole && c.analysed && !known) return tr("Stored before AUROC was computed: analyse again to compute it");
        if (role == kSortRole) return known ? c.bestAuroc : -1.0;
        if (sort && known) return c.bestAuroc;
        break;
    }
    case Experts:
        if (role == kSortRole) return c.analysed ? expertsOf(index.row()) : -1;
        if ((display || sort) && c.analysed) return expertsOf(index.row());
        break;
    case Positives:
        if (display || sort) return c.positives;
        break;
    case Negatives:
        if (display || sort) return c.negatives;
        break;
    case Group:
        if (display || sort) return c.group;
        break;
    default: break;
    }
    return {};
}

QVariant ConceptTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Name: return tr("Concept");
    case BestAp: return tr("Best AP");
    case BestAuroc: return tr("Best AUROC");
    case Experts: return tr("Experts");
    case Positives: return tr("Positives");
    case Negatives: return tr("Negatives");
    case Group: return tr("Group");
    default: return {};
    }
}

}  // namespace expertscope
