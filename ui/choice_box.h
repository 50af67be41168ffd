#pragma once
// Combo boxes over core's name tables (core/project/run_names.h): each item carries the choice's
// name, so what a box holds is read and set by name, never by casting its index.
#include "core/project/run_names.h"

#include <QComboBox>
#include <QStringList>

namespace expertscope {

// One item per choice, in the table's order, showing labels[i] (translated by the caller).
template <typename E>
void fillChoices(QComboBox* box, const std::vector<Choice<E>>& table, const QStringList& labels) {
    for (size_t i = 0; i < table.size(); ++i) box->addItem(labels.value(static_cast<int>(i)), QString::fromLatin1(table[i].name));
}

template <typename E>
E currentChoice(const QComboBox* box, const std::vector<Choice<E>>& table) {
    return parseChoice(table, box->currentData().toString().toStdString(), "the choice of " + box->objectName().toStdString());
}

template <typename E>
void setCurrentChoice(QComboBox* box, const std::vector<Choice<E>>& table, E value) {
    box->setCurrentIndex(std::max(0, box->findData(QString::fromLatin1(choiceName(table, value)))));
}

}  // namespace expertscope
