#pragma once
// The preferences: interface language, colour map, and the settings of new analyses
// (threads, pooling, sequence length, what happens to longer sentences).
#include "core/project/project_store.h"

#include <QDialog>

class QComboBox;
class QSpinBox;

namespace expertscope {

struct Preferences {
    QString language;    // "en", "de"
    int colourMap = 0;   // index into ColourMap::names()
    RunSettings analysis;
};

class PreferencesDialog : public QDialog {
    Q_OBJECT
public:
    PreferencesDialog(const Preferences& current, QWidget* parent = nullptr);
    // What the dialog shows; ml-selfcond pooling without a length gets its padded length.
    Preferences preferences() const;

private:
    Preferences base_;
    QComboBox *language_, *colours_, *pooling_, *longSentences_;
    QSpinBox *threads_, *length_;
};

}  // namespace expertscope
