#include "ui/startup.h"

#include <QFileInfo>

namespace expertscope {

QString projectOnStart(const QString& named, bool demoRequested, const QStringList& recent, const QString& demo) {
    if (!named.isEmpty()) return named;
    if (!demoRequested && !recent.isEmpty() && QFileInfo::exists(recent.first())) return recent.first();
    return demo;
}

}  // namespace expertscope
