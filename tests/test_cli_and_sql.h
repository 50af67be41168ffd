#pragma once
// What tests that drive expertscope-cli and edit project files by hand share: running the
// built command line (EXPERTSCOPE_CLI, set by CTest) and SQL on a project file (to make
// one of an older schema, say). Include beside test_support.h; link SQLite::SQLite3.
#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTest>

#include <sqlite3.h>

#include <string>

namespace expertscope::test {

struct Cli {
    int code;  // -1 when it crashed
    QByteArray out, err;
};

inline Cli cli(const QStringList& args) {
    QProcess p;
    p.start(QString::fromLocal8Bit(qgetenv("EXPERTSCOPE_CLI")), args);
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError()};
}

// Fails the test, with SQLite's message, unless every statement runs.
inline void execSql(const QString& path, const std::string& sql) {
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open(path.toUtf8().constData(), &db), SQLITE_OK);
    char* message = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
    const QString error = message ? QString::fromUtf8(message) : QString();
    sqlite3_free(message);
    sqlite3_close(db);
    QVERIFY2(rc == SQLITE_OK, qPrintable(error));
}

}  // namespace expertscope::test
