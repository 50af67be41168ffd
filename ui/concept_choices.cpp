#include "ui/concept_choices.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QSignalBlocker>

namespace expertscope {

void fillAnalysedConcepts(QComboBox* box, const QVector<ConceptSummary>& concepts) {
    const int64_t previous = box->currentData().toLongLong();
    const QSignalBlocker block(box);
    box->clear();
    for (const auto& c : concepts)
        if (c.analysed) box->addItem(c.name, QVariant::fromValue<qint64>(c.id));
    const int at = box->findData(QVariant::fromValue<qint64>(previous));
    if (at >= 0) box->setCurrentIndex(at);
}

QStringList forceValueLabels() {
    const auto label = [](const char* text) { return QCoreApplication::translate("ForceValue", text); };
    return {label(QT_TRANSLATE_NOOP("ForceValue", "on (median)")), label(QT_TRANSLATE_NOOP("ForceValue", "on (p90)")),
            label(QT_TRANSLATE_NOOP("ForceValue", "suppress (off mean)")), label(QT_TRANSLATE_NOOP("ForceValue", "zero")),
            label(QT_TRANSLATE_NOOP("ForceValue", "suppress (AurA, all units)"))};
}

}  // namespace expertscope
