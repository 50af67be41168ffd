#pragma once
// The demo project on a machine where Expertscope is installed: built on first use into
// the user's data folder (never into the read-only install tree), from the demo model that
// ships with the application and Debian's WordNet, under a progress dialog with Cancel.
#include <QString>

class QWidget;

namespace expertscope {

struct DemoSetup {
    QString project;   // where the demo project is, or is built
    QString modelDir;  // the shipped demo model (config.json, model.safetensors, tokenizer.model)
    QString wordnetDir = QStringLiteral("/usr/share/wordnet");
};

// Where the shipped demo model lies: installed (<prefix>/share/expertscope/demo/model beside
// <prefix>/bin), else in the source tree the build came from; empty when neither has it.
QString shippedDemoModel(const QString& applicationDir);
// The demo project's place: $EXPERTSCOPE_DEMO; else build/demo/demo.esproj when running
// from a build tree that has one; else the user's data folder (AppDataLocation).
QString demoProjectPath(const QString& applicationDir);

enum class DemoOutcome { Ready, Cancelled, Failed };
// Builds the project when it is missing (about a minute), showing progress; `error` says
// why it failed. Nothing is left behind when it is cancelled or fails.
DemoOutcome ensureDemoProject(QWidget* parent, const DemoSetup& setup, QString* error);

}  // namespace expertscope
