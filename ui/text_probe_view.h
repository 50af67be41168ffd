#pragma once
// View > Text probe: type or paste a text; after each pause in typing the model reads it once
// (off the interface thread; a newer text supersedes an older one) and the view ranks the
// analysed concepts by how strongly their experts respond (core/project/text_probe.h), with
// a tokens x concepts strip coloured by each concept's token score. Choosing a concept shows
// its experts' responses token by token; double-clicking an expert inspects it.
#include "core/project/text_probe.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QTableView;
class QTableWidget;
class QTimer;

namespace expertscope {

class ProjectSession;
class TokenStrip;

class TextProbeView : public QWidget {
    Q_OBJECT
public:
    TextProbeView(ProjectSession* session, QWidget* parent = nullptr);
    const TextProbe& result() const { return result_; }
    void setText(const QString& text);  // and probes it now
    bool running() const { return running_; }

signals:
    void finished(const QString& error);
    void unitChosen(int64_t conceptId, int64_t unit);  // to inspect

private:
    void probe();
    void show(const TextProbe& result);
    void showConcept(int row);
    ProjectSession* session_;
    QPlainTextEdit* text_;
    QTableWidget* ranking_;
    QTableView* responses_;
    class ProbeResponsesModel* responsesModel_;
    TokenStrip* strip_;
    QLabel* status_;
    QTimer* debounce_;
    TextProbe result_;
    int job_ = 0;
    bool running_ = false;
};

}  // namespace expertscope
