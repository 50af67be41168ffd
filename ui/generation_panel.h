#pragma once
// Live self-conditioned generation: a prompt, one or more concepts each with its number of
// forced experts (logarithmic slider) and whether they are forced on or suppressed, the
// forcing strength and the sampling settings. Any change regenerates after a short pause,
// cancelling the run before; the same seed without and with forcing, side by side. An
// encoder fills in the prompt's [MASK] instead: its likeliest tokens, without and with.
#include "ui/project_session.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSlider;
class QSpinBox;
class QTimer;
class QVBoxLayout;

namespace expertscope {

class GenerationPanel : public QWidget {
    Q_OBJECT
public:
    GenerationPanel(ProjectSession* session, QWidget* parent = nullptr);
    void refreshConcepts();  // after the project's results change
    void setCurrentConcept(int64_t conceptId);

    // Experts for a slider position (0: none; then logarithmic up to the maximum).
    static int expertsForPosition(int position, int maximum);
    int mostExperts() const;  // the sliders' right end: all units, at most 5,000
    // The texts shown: without forcing and with it, each after the prompt.
    QString plainText() const;
    QString forcedText() const;
    bool running() const { return running_; }
    int addConceptRow();
    GenerationRequest request() const;

public slots:
    void regenerate();  // now, without waiting for the pause

signals:
    void finished(const QString& error);

private:
    struct Row {
        QWidget* widget;
        QComboBox* concept;
        QSlider* experts;
        QComboBox* mode;
    };
    void scheduleRegeneration();
    // Sets the slider to the concept's expert count at the threshold (at least 10), or to
    // the project's suggestion for that concept (experts and mode), and generates, now
    // when the panel shows, else when it next does.
    void presetExperts(const Row& row);
    void showEvent(QShowEvent* event) override;
    void adaptToModel();  // encoders fill in [MASK]: say so, no sampling settings
    ProjectSession* session_;
    QLineEdit* prompt_;
    QVBoxLayout* rowsLayout_;
    std::vector<Row> rows_;
    QDoubleSpinBox *strength_, *temperature_, *topP_;
    QSpinBox *length_, *seed_;
    QComboBox* scope_;
    QCheckBox* goOn_;
    QWidget* sampling_;
    QLabel* encoderNote_;
    QPlainTextEdit *plain_, *forced_;
    QTimer* debounce_;
    int job_ = 0;
    bool running_ = false;
    bool stale_ = false;  // a preset waits for the panel to show
};

}  // namespace expertscope
