#pragma once
// Locating ../shared for tests: EXPERTSCOPE_SHARED (set by CTest) or ../shared from the
// working directory. A missing asset skips the test with its path in the message.
#include <QDir>
#include <QFileInfo>
#include <QString>
#include <QTest>

namespace expertscope::test {

inline QString sharedPath(const QString& relative) {
    const QByteArray env = qgetenv("EXPERTSCOPE_SHARED");
    const QString root = env.isEmpty() ? QStringLiteral("../shared") : QString::fromLocal8Bit(env);
    return QDir(root).filePath(relative);
}

}  // namespace expertscope::test

// Skips (never passes) when a shared asset is missing, saying which.
#define REQUIRE_SHARED(var, relative)                                                                      \
    const QString var = expertscope::test::sharedPath(relative);                                         \
    if (!QFileInfo::exists(var))                                                                          \
        QSKIP(qPrintable(QStringLiteral("SKIPPED: shared asset missing: %1 (set EXPERTSCOPE_SHARED)").arg(var)))
