#pragma once
// The text probe's table of one concept's experts (rows) by the text's tokens (columns):
// cells are made when drawn, so a text at the model's context with twenty experts shows at
// once instead of building ten thousand items on the interface thread.
#include "core/project/text_probe.h"
#include "core/runtime/probe.h"

#include <QAbstractTableModel>

namespace expertscope {

class ProbeResponsesModel : public QAbstractTableModel {
    Q_OBJECT
public:
    using QAbstractTableModel::QAbstractTableModel;
    // `concept` < 0 shows nothing; `probes` name the units in the row headers. The probe is
    // the view's own (not copied): shown again whenever the view changes it.
    void show(const TextProbe* probe, int concept, const std::vector<ProbePoint>& probes);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    const ProbedConcept* concept() const;
    const TextProbe* probe_ = nullptr;
    int concept_ = -1;
    std::vector<ProbePoint> probes_;
};

}  // namespace expertscope
