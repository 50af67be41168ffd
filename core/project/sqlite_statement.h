#pragma once
// SQLite for the project file: a prepared statement that finalises itself, and what an
// SQLite failure means to the person who sees it. Internal to core/project.
#include "core/base/error.h"

#include <QFileInfo>

#include <sqlite3.h>

#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace expertscope {

// What an SQLite failure means to the person who sees it. A full disk or a read-only file
// fails the transaction in progress only: SQLite rolls it back, and every commit before it
// stays (tests/tst_faults.cpp).
inline std::string sqliteProblem(sqlite3* db) {
    const std::string sqlite = sqlite3_errmsg(db);
    switch (sqlite3_errcode(db) & 0xff) {
    case SQLITE_FULL:
        return "the disk is full (" + sqlite + "); what was finished before is kept: free some space and run again to resume";
    case SQLITE_READONLY:
        return "the project cannot be written (" + sqlite + "); make the file and its folder writable, or use another project";
    case SQLITE_IOERR:
        return "the disk reported an error (" + sqlite + "); what was finished before is kept";
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return "the project is busy: another program holds it locked (" + sqlite + "); try again when it is done";
    default:
        return sqlite;
    }
}

// A prepared statement that finalises itself; errors carry SQLite's message.
class Statement {
public:
    Statement(sqlite3* db, const std::string& sql) : db_(db) {
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK)
            throw Error("project database: " + sqliteProblem(db));
    }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement& bind(int i, int64_t v) { return check(sqlite3_bind_int64(stmt_, i, v)); }
    // NaN is stored as NULL (SQLite would store it so anyway): what was not computed.
    Statement& bind(int i, double v) { return check(std::isnan(v) ? sqlite3_bind_null(stmt_, i) : sqlite3_bind_double(stmt_, i, v)); }
    Statement& bind(int i, const std::string& v) {
        return check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    }
    template <typename T>
    Statement& bindBlob(int i, const T* data, size_t count) {
        return check(sqlite3_bind_blob(stmt_, i, data, static_cast<int>(count * sizeof(T)), SQLITE_TRANSIENT));
    }
    Statement& bindFloats(int i, const std::vector<float>& v) { return bindBlob(i, v.data(), v.size()); }
    bool step() {
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw Error("project database: " + sqliteProblem(db_));
    }
    void run() {
        step();
        sqlite3_reset(stmt_);
    }
    void reset() { sqlite3_reset(stmt_); }
    Statement& bindNull(int i) { return check(sqlite3_bind_null(stmt_, i)); }
    bool isNull(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
    int64_t integer(int c) const { return sqlite3_column_int64(stmt_, c); }
    double real(int c) const { return sqlite3_column_double(stmt_, c); }
    std::string text(int c) const {
        const auto* p = sqlite3_column_text(stmt_, c);
        return p ? reinterpret_cast<const char*>(p) : "";
    }
    template <typename T>
    std::vector<T> blob(int c) const {
        std::vector<T> v(static_cast<size_t>(sqlite3_column_bytes(stmt_, c)) / sizeof(T));
        if (!v.empty()) std::memcpy(v.data(), sqlite3_column_blob(stmt_, c), v.size() * sizeof(T));
        return v;
    }
    std::vector<float> floats(int c) const { return blob<float>(c); }

private:
    Statement& check(int rc) {
        if (rc != SQLITE_OK) throw Error("project database: " + sqliteProblem(db_));
        return *this;
    }
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

// An SQLite URI that reads `path` as a file nobody changes: no locks, no shared-memory
// file (which a read-only folder would not let SQLite create).
inline std::string immutableUri(const std::string& path) {
    std::string uri = "file:";
    for (char c : QFileInfo(QString::fromStdString(path)).absoluteFilePath().toStdString()) {
        if (c == '%' || c == '?' || c == '#') {
            char hex[4];
            std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(c));
            uri += hex;
        } else {
            uri += c;
        }
    }
    return uri + "?immutable=1";
}

}  // namespace expertscope
