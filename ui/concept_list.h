#pragma once
// The concept list: a search field over a sortable table of the shown set's concepts
// (best AP first). Says which concept the user picks; keeps the pick across updates.
#include "ui/project_session.h"

#include <QWidget>

class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace expertscope {

class ConceptTableModel;

class ConceptList : public QWidget {
    Q_OBJECT
public:
    explicit ConceptList(QWidget* parent = nullptr);
    // A new list: the picked concept stays picked when it is still there (without
    // conceptPicked), else the first row is picked.
    // Keeps the current concept when it is still there, else selects `preferred` (when
    // given and present), else the first row.
    void setConcepts(const QVector<ConceptSummary>& concepts, int64_t preferred = 0);
    void setExpertCounts(const ExpertCounts& counts);
    int64_t currentConcept() const { return current_; }
    // Selects the concept's row without conceptPicked; false when it is not listed.
    bool selectConcept(int64_t conceptId);
    void focusSearch();
    QString exportCsv(const QString& path) const;  // empty, or the error

signals:
    void conceptPicked(int64_t conceptId);

private:
    QLineEdit* search_;
    ConceptTableModel* model_;
    QSortFilterProxyModel* filter_;
    QTableView* table_;
    int64_t current_ = 0;
};

}  // namespace expertscope
