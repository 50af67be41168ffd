#include "ui/probe_responses_model.h"

namespace expertscope {

void ProbeResponsesModel::show(const TextProbe* probe, int concept, const std::vector<ProbePoint>& probes) {
    beginResetModel();
    probe_ = probe;
    concept_ = probe && concept >= 0 && concept < static_cast<int>(probe->concepts.size()) ? concept : -1;
    probes_ = probes;
    endResetModel();
}

const ProbedConcept* ProbeResponsesModel::concept() const {
    return concept_ < 0 ? nullptr : &probe_->concepts[static_cast<size_t>(concept_)];
}

int ProbeResponsesModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() || !concept() ? 0 : static_cast<int>(concept()->units.size());
}

int ProbeResponsesModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() || !concept() ? 0 : static_cast<int>(probe_->tokens.size());
}

QVariant ProbeResponsesModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || !concept()) return {};
    const float r = concept()->responses[static_cast<size_t>(index.row())][static_cast<size_t>(index.column())];
    if (role == Qt::DisplayRole) return QString::number(r, 'f', 2);
    if (role == Qt::TextAlignmentRole) return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole) return QString::number(r, 'g', 9);
    return {};
}

QVariant ProbeResponsesModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (role != Qt::DisplayRole || !concept()) return {};
    if (orientation == Qt::Horizontal) {
        // A decoder's BOS decodes to nothing; an encoder's [CLS] names itself. Neither is scored.
        if (section < probe_->firstScored && probe_->tokens[static_cast<size_t>(section)].empty()) return tr("BOS");
        return section < static_cast<int>(probe_->tokens.size()) ? QString::fromStdString(probe_->tokens[static_cast<size_t>(section)])
                                                                 : QVariant();
    }
    if (section >= static_cast<int>(concept()->units.size())) return {};
    const int64_t unit = concept()->units[static_cast<size_t>(section)];
    if (probes_.empty()) return QString::number(unit);
    const auto& p = probes_[probeOfUnit(probes_, unit)];
    return tr("%1 unit %2").arg(QString::fromStdString(p.name)).arg(unit - p.offset);
}

}  // namespace expertscope
