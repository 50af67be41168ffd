#pragma once
// Choices the panels that force experts share: the analysed concepts, and the forcing
// modes' labels (in core's table order, run_names.h).
#include "ui/project_session.h"

#include <QStringList>

class QComboBox;

namespace expertscope {

// The analysed concepts (name, id as data), keeping the one chosen when it is still
// there; no signal while filling.
void fillAnalysedConcepts(QComboBox* box, const QVector<ConceptSummary>& concepts);

// One translated label per forceValueChoices() entry.
QStringList forceValueLabels();

}  // namespace expertscope
