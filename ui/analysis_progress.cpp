#include "ui/analysis_progress.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

#include <algorithm>

namespace expertscope {
namespace {

QString formatSeconds(double s) {
    if (s < 0) return QStringLiteral("–");
    if (s < 90) return AnalysisProgress::tr("%1 s").arg(s, 0, 'f', 0);
    return AnalysisProgress::tr("%1 min").arg(s / 60, 0, 'f', 1);
}

}  // namespace

AnalysisProgress::AnalysisProgress(QWidget* parent) : QWidget(parent) {
    setObjectName("analysisStatus");
    rate_ = new QLabel(this);
    bar_ = new QProgressBar(this);
    bar_->setObjectName("analysisProgress");
    bar_->setMaximumWidth(260);
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setToolTip(tr("Stop the analysis; finished concepts are kept (Esc)"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(rate_);
    layout->addWidget(bar_);
    layout->addWidget(cancel_);
    connect(cancel_, &QPushButton::clicked, this, &AnalysisProgress::cancelRequested);
    hide();
}

void AnalysisProgress::report(const AnalysisStatus& s) {
    bar_->setMaximum(static_cast<int>(std::max<qint64>(1, s.sentencesTotal)));
    bar_->setValue(static_cast<int>(s.sentencesDone));
    bar_->setFormat(tr("%1 (%2/%3)").arg(s.concept).arg(s.conceptsDone + 1).arg(s.conceptsTotal));
    rate_->setText(tr("%1 sentences/s, %2 left").arg(s.rate, 0, 'f', 0).arg(formatSeconds(s.etaSeconds)));
    show();
}

void AnalysisProgress::finish() {
    rate_->clear();
    hide();
}

}  // namespace expertscope
