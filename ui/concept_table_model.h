#pragma once
// The concepts of the shown set as a table: name, best AP, best AUROC, experts at the
// threshold, class sizes, group. A new threshold changes only the experts column.
#include "ui/project_session.h"

#include <QAbstractTableModel>

namespace expertscope {

class ConceptTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, BestAp, BestAuroc, Experts, Positives, Negatives, Group, Columns };
    static constexpr int kIdRole = Qt::UserRole;        // a row's concept id, on every column
    static constexpr int kSortRole = Qt::UserRole + 1;  // not analysed sorts below every AP
    // Qt::EditRole: the exact value (for CSV export), empty where there is none.

    explicit ConceptTableModel(QObject* parent = nullptr);
    void setConcepts(const QVector<ConceptSummary>& concepts);  // resets the table
    void setExpertCounts(const ExpertCounts& counts);           // signals the changed cells only

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    int expertsOf(int row) const;
    QVector<ConceptSummary> concepts_;
    ExpertCounts counts_;
};

}  // namespace expertscope
