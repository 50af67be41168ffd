#pragma once
// Which project the application opens when it starts.
#include <QString>
#include <QStringList>

namespace expertscope {

// The one named on the command line; else, unless the demo was asked for, the last one
// used while it still exists; else the demo project (empty when there is none to open or
// build: `demo` is then empty), which the window builds on first use.
QString projectOnStart(const QString& named, bool demoRequested, const QStringList& recent, const QString& demo);

}  // namespace expertscope
