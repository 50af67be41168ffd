#include "ui/resolution_dialog.h"

#include <QCoreApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QSpinBox>

namespace expertscope {

int askResolution(QWidget* parent, int dpi) {
    QDialog ask(parent);
    ask.setObjectName("resolutionDialog");
    ask.setWindowTitle(QCoreApplication::translate("ResolutionDialog", "Resolution"));
    auto* box = new QSpinBox(&ask);
    box->setObjectName("dpi");
    box->setRange(72, 1200);
    box->setValue(dpi);
    box->setSuffix(QCoreApplication::translate("ResolutionDialog", " dpi"));
    box->setToolTip(QCoreApplication::translate("ResolutionDialog", "300 dpi suits print; the figure is 960 x 600 points"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &ask);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &ask, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &ask, &QDialog::reject);
    auto* form = new QFormLayout(&ask);
    form->addRow(QCoreApplication::translate("ResolutionDialog", "Resolution:"), box);
    form->addRow(buttons);
    return ask.exec() == QDialog::Accepted ? box->value() : 0;
}

}  // namespace expertscope
