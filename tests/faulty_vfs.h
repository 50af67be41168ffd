#pragma once
// An SQLite VFS that wraps the machine's own and injects the faults real machines cause,
// at exact points: the disk filling up (a write past a byte budget fails with SQLITE_FULL,
// as a write that hits ENOSPC does in SQLite's unix VFS), and the process dying in the
// middle of a write (half of the buffer reaches the file, then SIGKILL). Registered as the
// default, so the project store uses it unchanged. Test code only.
#include <sqlite3.h>

#include <csignal>
#include <cstdint>
#include <cstring>

namespace expertscope::test {

struct FaultPlan {
    int64_t killAtWrite = 0;    // > 0: the process dies during this write (1-based)
    int64_t byteBudget = -1;    // >= 0: writes beyond this many bytes fail: the disk is full
    int64_t writes = 0, bytes = 0;  // counted so far (every file: database, WAL, journal)
    bool full = false;
};

inline FaultPlan& faultPlan() {
    static FaultPlan plan;
    return plan;
}

namespace faulty_detail {

struct File {
    sqlite3_file base;   // our methods
    sqlite3_file* real;  // the wrapped VFS's file, allocated right after this struct
};

inline sqlite3_vfs*& realVfs() {
    static sqlite3_vfs* vfs = nullptr;
    return vfs;
}
inline sqlite3_file* real(sqlite3_file* f) { return reinterpret_cast<File*>(f)->real; }

inline int write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
    auto& plan = faultPlan();
    ++plan.writes;
    if (plan.killAtWrite > 0 && plan.writes == plan.killAtWrite) {
        real(f)->pMethods->xWrite(real(f), data, amount / 2, offset);  // a torn write
        std::raise(SIGKILL);
    }
    // A full disk stays full: once one write is refused, every later one is too.
    if (plan.byteBudget >= 0 && (plan.full || plan.bytes + amount > plan.byteBudget)) {
        plan.full = true;
        return SQLITE_FULL;
    }
    plan.bytes += amount;
    return real(f)->pMethods->xWrite(real(f), data, amount, offset);
}

inline int close(sqlite3_file* f) {
    const int rc = real(f)->pMethods ? real(f)->pMethods->xClose(real(f)) : SQLITE_OK;
    return rc;
}

// Every other method passes straight through to the wrapped file.
inline const sqlite3_io_methods* methods() {
    static const sqlite3_io_methods m = [] {
        sqlite3_io_methods x{};
        x.iVersion = 3;
        x.xClose = close;
        x.xRead = [](sqlite3_file* f, void* p, int n, sqlite3_int64 o) { return real(f)->pMethods->xRead(real(f), p, n, o); };
        x.xWrite = write;
        x.xTruncate = [](sqlite3_file* f, sqlite3_int64 s) { return real(f)->pMethods->xTruncate(real(f), s); };
        x.xSync = [](sqlite3_file* f, int flags) { return real(f)->pMethods->xSync(real(f), flags); };
        x.xFileSize = [](sqlite3_file* f, sqlite3_int64* s) { return real(f)->pMethods->xFileSize(real(f), s); };
        x.xLock = [](sqlite3_file* f, int l) { return real(f)->pMethods->xLock(real(f), l); };
        x.xUnlock = [](sqlite3_file* f, int l) { return real(f)->pMethods->xUnlock(real(f), l); };
        x.xCheckReservedLock = [](sqlite3_file* f, int* r) { return real(f)->pMethods->xCheckReservedLock(real(f), r); };
        x.xFileControl = [](sqlite3_file* f, int op, void* a) { return real(f)->pMethods->xFileControl(real(f), op, a); };
        x.xSectorSize = [](sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); };
        x.xDeviceCharacteristics = [](sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); };
        x.xShmMap = [](sqlite3_file* f, int i, int s, int e, void volatile** p) { return real(f)->pMethods->xShmMap(real(f), i, s, e, p); };
        x.xShmLock = [](sqlite3_file* f, int o, int n, int fl) { return real(f)->pMethods->xShmLock(real(f), o, n, fl); };
        x.xShmBarrier = [](sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); };
        x.xShmUnmap = [](sqlite3_file* f, int d) { return real(f)->pMethods->xShmUnmap(real(f), d); };
        // No memory-mapped reads: every byte goes through xRead/xWrite above.
        x.xFetch = [](sqlite3_file*, sqlite3_int64, int, void** p) { *p = nullptr; return SQLITE_OK; };
        x.xUnfetch = [](sqlite3_file*, sqlite3_int64, void*) { return SQLITE_OK; };
        return x;
    }();
    return &m;
}

inline int open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* outFlags) {
    auto* file = reinterpret_cast<File*>(f);
    file->real = reinterpret_cast<sqlite3_file*>(file + 1);
    file->real->pMethods = nullptr;
    const int rc = realVfs()->xOpen(realVfs(), name, file->real, flags, outFlags);
    // SQLite calls xClose only when pMethods is set: set it only when the real file opened.
    f->pMethods = file->real->pMethods ? methods() : nullptr;
    return rc;
}

}  // namespace faulty_detail

// Makes the faulty VFS the default for this process (once).
inline void installFaultyVfs() {
    using namespace faulty_detail;
    static sqlite3_vfs vfs = [] {
        realVfs() = sqlite3_vfs_find(nullptr);
        sqlite3_vfs v = *realVfs();
        v.zName = "expertscope-faulty";
        v.szOsFile = static_cast<int>(sizeof(File)) + realVfs()->szOsFile;
        v.xOpen = open;
        return v;
    }();
    sqlite3_vfs_register(&vfs, 1);
}

}  // namespace expertscope::test
