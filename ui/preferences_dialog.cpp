#include "ui/preferences_dialog.h"

#include "core/project/run_names.h"
#include "ui/choice_box.h"
#include "ui/colour_map.h"
#include "ui/localisation.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QSpinBox>

namespace expertscope {

PreferencesDialog::PreferencesDialog(const Preferences& current, QWidget* parent) : QDialog(parent), base_(current) {
    setWindowTitle(tr("Preferences"));
    setObjectName("preferences");
    language_ = new QComboBox(this);
    language_->setObjectName("language");
    for (const auto& l : availableLanguages()) language_->addItem(l.name, l.code);
    language_->setCurrentIndex(std::max(0, language_->findData(current.language)));
    colours_ = new QComboBox(this);
    colours_->setObjectName("colourMap");
    colours_->addItems(ColourMap::names());
    colours_->setCurrentIndex(current.colourMap);
    const RunSettings& run = current.analysis;
    threads_ = new QSpinBox(this);
    threads_->setObjectName("threads");
    threads_->setRange(0, 256);
    threads_->setSpecialValueText(tr("one per core"));
    threads_->setValue(run.workers);
    pooling_ = new QComboBox(this);
    pooling_->setObjectName("pooling");
    fillChoices(pooling_, poolingChoices(), {tr("maximum over the tokens"), tr("mean over the tokens"), tr("ml-selfcond (padded maximum)")});
    setCurrentChoice(pooling_, poolingChoices(), run.pooling);
    pooling_->setToolTip(tr("How a unit's response to a sentence is made from its values at each token"));
    length_ = new QSpinBox(this);
    length_->setObjectName("sequenceLength");
    length_->setRange(0, 100000);
    length_->setSpecialValueText(tr("the model's context"));
    length_->setValue(run.sequenceLength);
    length_->setToolTip(tr("Longer sentences (in tokens) are dropped or cut; ml-selfcond pooling needs a length"));
    longSentences_ = new QComboBox(this);
    longSentences_->setObjectName("longSentences");
    fillChoices(longSentences_, longSentenceChoices(), {tr("dropped (as ml-selfcond)"), tr("cut to the length")});
    setCurrentChoice(longSentences_, longSentenceChoices(), run.longSentences);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* form = new QFormLayout(this);
    form->addRow(tr("Language:"), language_);
    form->addRow(tr("Colour map:"), colours_);
    form->addRow(tr("Analysis threads:"), threads_);
    form->addRow(tr("Pooling:"), pooling_);
    form->addRow(tr("Sequence length:"), length_);
    form->addRow(tr("Longer sentences are:"), longSentences_);
    form->addRow(buttons);
}

Preferences PreferencesDialog::preferences() const {
    Preferences p = base_;
    p.language = language_->currentData().toString();
    p.colourMap = colours_->currentIndex();
    p.analysis.workers = threads_->value();
    p.analysis.pooling = currentChoice(pooling_, poolingChoices());
    p.analysis.sequenceLength = length_->value();
    if (p.analysis.pooling == Pooling::SelfcondMax && p.analysis.sequenceLength == 0) p.analysis.sequenceLength = kSelfcondSequenceLength;
    p.analysis.longSentences = currentChoice(longSentences_, longSentenceChoices());
    return p;
}

}  // namespace expertscope
