#pragma once
// Which project the application opens when it starts.
#include <QString>
#include <QStringList>

namespace expertscope {

// The one named on the command line; else, unless the demo was asked for, the last one
// used while it still exists; else the demo project when it has been built; else none.
QString projectOnStart(const QString& named, bool demoRequested, const QStringList& recent, const QString& demo);

}  // namespace expertscope
