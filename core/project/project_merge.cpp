#include "core/project/project_merge.h"

#include "core/base/error.h"
#include "core/project/analysis.h"
#include "core/project/project_store.h"
#include "core/project/sqlite_statement.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

namespace expertscope {
namespace {

// What must agree between the projects, read from one attached as `src`.
struct Description {
    std::string path;
    int64_t runId = 0;
    std::string weightsHash, settings, numerics;
    int64_t units = 0, probes = 0;
    std::vector<std::string> names;                // the set's concepts, in its order
    std::map<std::string, std::string> content;    // name -> hash of group, source, words, sentences
    std::map<std::string, int64_t> ids;            // name -> concept id in that project
    std::set<std::string> finished;                // names with results
    std::map<std::string, std::string> refused;    // name -> why its analysis refused it
};

// One statement, run to its end.
void exec(sqlite3* db, const std::string& sql) { Statement(db, sql).run(); }

void attach(sqlite3* db, const std::string& path) {
    // A file this process may not write, or in a folder it may not write, is read as it is
    // (ProjectStore::open has checked that no unfinished write-ahead log is beside it).
    const QFileInfo file(QString::fromStdString(path));
    const bool writable = file.isWritable() && QFileInfo(file.absolutePath()).isWritable();
    Statement q(db, "ATTACH DATABASE ? AS src");
    q.bind(1, writable ? path : immutableUri(path)).run();
}

Description describe(sqlite3* db, const std::string& path) {
    Description d;
    d.path = path;
    Statement runs(db, "SELECT r.id, r.settings, m.weights_hash, m.units, (SELECT COUNT(*) FROM src.probes p WHERE p.model_id = m.id), "
                       "r.set_id FROM src.runs r JOIN src.models m ON m.id = r.model_id");
    int64_t setId = 0;
    int count = 0;
    while (runs.step()) {
        ++count;
        d.runId = runs.integer(0);
        d.settings = runs.text(1);
        d.weightsHash = runs.text(2);
        d.units = runs.integer(3);
        d.probes = runs.integer(4);
        setId = runs.integer(5);
    }
    if (count != 1)
        throw Error("cannot merge " + path + ": it holds " + std::to_string(count) +
                    " analysis runs; merge combines projects of one run each, as analyse --shard writes them");
    Statement numerics(db, "SELECT value FROM src.meta WHERE key = ?");
    numerics.bind(1, numericsKey(d.runId));
    if (numerics.step()) d.numerics = numerics.text(0);
    Statement concepts(db, "SELECT id, name, grp, source, COALESCE(words, '') FROM src.concepts WHERE set_id = ? ORDER BY id");
    concepts.bind(1, setId);
    Statement sentences(db, "SELECT cs.label, s.text FROM src.concept_sentences cs JOIN src.sentences s ON s.id = cs.sentence_id "
                            "WHERE cs.concept_id = ? ORDER BY cs.label DESC, cs.ord");
    while (concepts.step()) {
        QCryptographicHash hash(QCryptographicHash::Sha256);
        for (int c = 2; c <= 4; ++c) {
            const std::string field = concepts.text(c);
            hash.addData(QByteArrayView(field.data(), static_cast<qsizetype>(field.size() + 1)));  // with its NUL
        }
        sentences.bind(1, concepts.integer(0));
        while (sentences.step()) {
            const std::string text = std::to_string(sentences.integer(0)) + sentences.text(1);
            hash.addData(QByteArrayView(text.data(), static_cast<qsizetype>(text.size() + 1)));
        }
        sentences.reset();
        const std::string name = concepts.text(1);
        d.names.push_back(name);
        d.ids[name] = concepts.integer(0);
        d.content[name] = hash.result().toHex().toStdString();
    }
    Statement finished(db, "SELECT c.name FROM src.concept_results r JOIN src.concepts c ON c.id = r.concept_id "
                           "WHERE r.run_id = ? AND r.best_auroc IS NOT NULL");
    finished.bind(1, d.runId);
    while (finished.step()) d.finished.insert(finished.text(0));
    // Refusals as analysis.cpp records them (refusalKey: refused/RUN/CONCEPT = the reason).
    Statement refused(db, "SELECT c.name, m.value FROM src.meta m JOIN src.concepts c ON m.key = 'refused/' || ?1 || '/' || c.id "
                          "WHERE c.set_id = ?2 AND m.value <> ''");
    refused.bind(1, d.runId).bind(2, setId);
    while (refused.step()) d.refused[refused.text(0)] = refused.text(1);
    return d;
}

std::string shortHash(const std::string& h) { return h.substr(0, 12) + "…"; }

// Throws, naming the first difference, unless `b` may be merged with `a`.
void requireCompatible(const Description& a, const Description& b) {
    const std::string both = a.path + " and " + b.path;
    if (a.weightsHash != b.weightsHash)
        throw Error("cannot merge " + both + ": they were analysed with different model weights (SHA-256 " + shortHash(a.weightsHash) +
                    " and " + shortHash(b.weightsHash) + ")");
    if (a.units != b.units || a.probes != b.probes)
        throw Error("cannot merge " + both + ": their models have different probe points (" + std::to_string(a.probes) + " probes of " +
                    std::to_string(a.units) + " units, and " + std::to_string(b.probes) + " of " + std::to_string(b.units) + ")");
    if (a.settings != b.settings)
        throw Error("cannot merge " + both + ": their runs used different settings (" + a.settings + " and " + b.settings + ")");
    if (a.names != b.names) {
        std::string first;
        for (size_t i = 0; i < std::max(a.names.size(), b.names.size()) && first.empty(); ++i)
            if (i >= a.names.size() || i >= b.names.size() || a.names[i] != b.names[i])
                first = i < a.names.size() ? a.names[i] : b.names[i];
        throw Error("cannot merge " + both + ": their concept sets differ (" + std::to_string(a.names.size()) + " and " +
                    std::to_string(b.names.size()) + " concepts; the first difference at '" + first + "')");
    }
    for (const auto& name : a.names)
        if (a.content.at(name) != b.content.at(name))
            throw Error("cannot merge " + both + ": concept '" + name + "' differs between them (its sentences, group, source or words)");
}

// Throws unless two runs that both record their numerics (analysis.cpp) recorded the same.
void requireSameNumerics(const Description& a, const Description& b) {
    if (a.numerics.empty() || b.numerics.empty() || a.numerics == b.numerics) return;
    throw Error("cannot merge " + a.path + " and " + b.path + ": their responses were computed differently (" + a.numerics + ", and " +
                b.numerics + "), so they differ in their last bits; analyse every shard with the same device, kernels and "
                "tokenizer (on CPUs of different kinds, set OPENBLAS_CORETYPE alike)");
}

// A concept's results per table: the columns a run computes (compared between inputs), and
// those that say how it went (copied, not compared).
struct ResultTable {
    const char* name;
    const char* computed;
    const char* circumstances;
};
const ResultTable kResultTables[] = {
    {"concept_results", "positives, negatives, best_ap, best_auroc", ", seconds, finished"},
    {"probe_results", "probe_idx, ap, on_p50, on_p90, off_mean, auroc", ""},
    {"top_experts", "rank, unit, ap", ""},
};

// Whether `src`'s results for a concept are, value for value, those already in `main`.
bool sameResults(sqlite3* db, int64_t mainRun, int64_t mainConcept, int64_t srcRun, int64_t srcConcept) {
    // Rows of one side with no identical row on the other, both ways.
    for (const auto& t : kResultTables) {
        for (const auto& [a, b] : {std::pair{"src", "main"}, std::pair{"main", "src"}}) {
            const bool srcFirst = std::string(a) == "src";
            Statement q(db, std::string("SELECT COUNT(*) FROM (SELECT ") + t.computed + " FROM " + a + "." + t.name +
                                " WHERE run_id = ?1 AND concept_id = ?2 EXCEPT SELECT " + t.computed + " FROM " + b + "." + t.name +
                                " WHERE run_id = ?3 AND concept_id = ?4)");
            q.bind(1, srcFirst ? srcRun : mainRun).bind(2, srcFirst ? srcConcept : mainConcept);
            q.bind(3, srcFirst ? mainRun : srcRun).bind(4, srcFirst ? mainConcept : srcConcept);
            if (q.step() && q.integer(0) != 0) return false;
        }
    }
    return true;
}

bool hasKept(sqlite3* db, const char* schema, int64_t run, int64_t concept) {
    Statement q(db, std::string("SELECT 1 FROM ") + schema + ".kept_sentences WHERE run_id = ? AND concept_id = ?");
    q.bind(1, run).bind(2, concept);
    return q.step();
}

// Copies src's kept responses of one concept into main (its sentences named by main's ids).
void copyKept(sqlite3* db, int64_t mainRun, int64_t mainConcept, int64_t srcRun, int64_t srcConcept) {
    for (const char* table : {"kept_sentences", "kept_responses"}) {
        Statement drop(db, std::string("DELETE FROM main.") + table + " WHERE run_id = ? AND concept_id = ?");
        drop.bind(1, mainRun).bind(2, mainConcept).run();
    }
    Statement responses(db, "INSERT INTO main.kept_responses(run_id, concept_id, unit, responses) SELECT ?1, ?2, unit, responses "
                            "FROM src.kept_responses WHERE run_id = ?3 AND concept_id = ?4");
    responses.bind(1, mainRun).bind(2, mainConcept).bind(3, srcRun).bind(4, srcConcept).run();
    Statement kept(db, "SELECT sentence_ids, labels FROM src.kept_sentences WHERE run_id = ? AND concept_id = ?");
    kept.bind(1, srcRun).bind(2, srcConcept);
    if (!kept.step()) return;
    Statement id(db, "SELECT m.id FROM main.sentences m JOIN src.sentences s ON s.text = m.text WHERE s.id = ?");
    std::vector<int64_t> ids;
    for (int64_t srcId : kept.blob<int64_t>(0)) {
        id.bind(1, srcId);
        if (!id.step()) throw Error("a kept sentence of the concept is missing from the merged project");
        ids.push_back(id.integer(0));
        id.reset();
    }
    const auto labels = kept.blob<uint8_t>(1);
    Statement insert(db, "INSERT INTO main.kept_sentences VALUES(?, ?, ?, ?)");
    insert.bind(1, mainRun).bind(2, mainConcept).bindBlob(3, ids.data(), ids.size()).bindBlob(4, labels.data(), labels.size()).run();
}

// Copies src's results for one concept into main under main's run and concept ids.
void copyResults(sqlite3* db, int64_t mainRun, int64_t mainConcept, int64_t srcRun, int64_t srcConcept) {
    for (const auto& t : kResultTables) {
        Statement drop(db, std::string("DELETE FROM main.") + t.name + " WHERE run_id = ? AND concept_id = ?");
        drop.bind(1, mainRun).bind(2, mainConcept).run();
        const std::string columns = std::string(t.computed) + t.circumstances;
        Statement q(db, "INSERT INTO main." + std::string(t.name) + "(run_id, concept_id, " + columns + ") SELECT ?1, ?2, " + columns +
                            " FROM src." + t.name + " WHERE run_id = ?3 AND concept_id = ?4");
        q.bind(1, mainRun).bind(2, mainConcept).bind(3, srcRun).bind(4, srcConcept).run();
    }
    copyKept(db, mainRun, mainConcept, srcRun, srcConcept);
}

struct Connection {
    sqlite3* db = nullptr;
    explicit Connection(const std::string& path) {
        if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI, nullptr) != SQLITE_OK) {
            const std::string why = db ? sqlite3_errmsg(db) : "out of memory";
            sqlite3_close(db);
            throw Error("cannot open " + path + ": " + why);
        }
        sqlite3_busy_timeout(db, 10000);
    }
    ~Connection() { sqlite3_close(db); }
};

void syncFile(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

std::string absolute(const std::string& path) {
    return QDir::cleanPath(QFileInfo(QString::fromStdString(path)).absoluteFilePath()).toStdString();
}

// The merged pages written into the existing `out` through SQLite, in one transaction:
// a program that has it open (the application showing it) reads the old project or the
// new, never a file replaced under its write-ahead log.
void replaceContents(const std::string& out, const std::string& merged) {
    Connection target(out), source(merged);
    sqlite3_backup* backup = sqlite3_backup_init(target.db, "main", source.db, "main");
    if (!backup) throw Error("cannot write " + out + ": " + sqliteProblem(target.db));
    const int step = sqlite3_backup_step(backup, -1);
    sqlite3_backup_finish(backup);
    if (step == SQLITE_BUSY || step == SQLITE_LOCKED)
        throw Error("cannot write " + out + ": another program is writing to it; let it finish (or close it) and merge again");
    if (step != SQLITE_DONE) throw Error("cannot write " + out + ": " + sqlite3_errstr(step));
    sqlite3_exec(target.db, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);  // a reader may hold it back: fine
}

}  // namespace

MergeSummary mergeProjects(const std::string& outPath, const std::vector<std::string>& given) {
    const std::string out = absolute(outPath);
    const QFileInfo outInfo(QString::fromStdString(out));
    const std::string folder = outInfo.absolutePath().toStdString();
    if (!QFileInfo(outInfo.absolutePath()).isDir() || !QFileInfo(outInfo.absolutePath()).isWritable())
        throw Error("cannot write the merged project in " + folder + ": no such folder, or not writable");
    // Held for the whole merge, however long: only a lock whose process is gone is stale.
    QLockFile lock(QString::fromStdString(out + ".lock"));
    lock.setStaleLockTime(0);
    if (!lock.tryLock(0))
        throw Error("another merge into " + out + " is running (it holds " + out + ".lock; remove that file if no merge runs)");
    // What an interrupted merge left beside the output: no other merge runs now.
    for (const QString& left : QDir(outInfo.absolutePath()).entryList({outInfo.fileName() + ".??????.partial*"}, QDir::Files))
        QFile::remove(outInfo.absolutePath() + "/" + left);
    // An existing output is one more input; an empty file is none.
    const bool outExists = outInfo.exists() && outInfo.size() > 0;
    std::vector<std::string> inputs;
    if (outExists) inputs.push_back(out);
    for (const auto& p : given) {
        const std::string a = absolute(p);
        if (!QFileInfo::exists(QString::fromStdString(a))) throw Error("cannot merge " + p + ": no such file");
        if (std::find(inputs.begin(), inputs.end(), a) == inputs.end()) inputs.push_back(a);
    }
    if (inputs.empty()) throw Error("name the projects to merge");

    std::vector<Description> described;
    {
        Connection scratch(":memory:");
        for (const auto& p : inputs) {
            try {
                ProjectStore::open(p, false);  // refused when not a project; brought to this schema
                attach(scratch.db, p);
                described.push_back(describe(scratch.db, p));
                exec(scratch.db, "DETACH DATABASE src");
                requireCompatible(described.front(), described.back());
                // Numerics against the first input that records them (an empty shard, or
                // one whose every concept was refused, records none).
                for (const auto& d : described)
                    if (!d.numerics.empty()) {
                        requireSameNumerics(d, described.back());
                        break;
                    }
            } catch (const Error& e) {
                if (p != out || !outExists) throw;
                throw Error(std::string(e.what()) + " (" + out + " is the existing --out, which is merged in too: remove it or choose another name)");
            }
        }
    }

    // The first input copied whole into a file of its own beside the output, then every
    // other's results added to it.
    std::string partial = out + ".XXXXXX.partial";
    const int fd = mkstemps(partial.data(), static_cast<int>(std::strlen(".partial")));
    if (fd < 0) throw Error("cannot write the merged project in " + folder + ": " + std::strerror(errno));
    const mode_t mask = umask(0);  // mkstemps makes it 0600: give it the mode a new file gets
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    ::close(fd);  // VACUUM INTO writes into an empty file
    const auto removePartial = [&] {
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) QFile::remove(QString::fromStdString(partial + suffix));
    };
    MergeSummary summary;
    summary.inputs = static_cast<int>(inputs.size());
    try {
        {
            Connection first(":memory:");
            attach(first.db, inputs.front());
            Statement vacuum(first.db, "VACUUM src INTO ?");
            vacuum.bind(1, partial).run();
        }
        {
            Connection db(partial);
            const Description& base = described.front();
            std::set<std::string> have = base.finished;
            for (size_t i = 1; i < described.size(); ++i) {
                const Description& d = described[i];
                attach(db.db, d.path);
                exec(db.db, "BEGIN IMMEDIATE");
                for (const auto& name : d.finished) {
                    const int64_t mainConcept = base.ids.at(name), srcConcept = d.ids.at(name);
                    if (have.count(name)) {
                        if (!sameResults(db.db, base.runId, mainConcept, d.runId, srcConcept))
                            throw Error("cannot merge " + d.path + ": its results for concept '" + name + "' differ from those in " +
                                        described[0].path + " (or an earlier input); they were not computed alike");
                        if (!hasKept(db.db, "main", base.runId, mainConcept) && hasKept(db.db, "src", d.runId, srcConcept))
                            copyKept(db.db, base.runId, mainConcept, d.runId, srcConcept);
                        continue;
                    }
                    copyResults(db.db, base.runId, mainConcept, d.runId, srcConcept);
                    have.insert(name);
                }
                exec(db.db, "COMMIT");
                exec(db.db, "DETACH DATABASE src");
            }
            summary.concepts = static_cast<int>(base.names.size());
            summary.withResults = static_cast<int>(have.size());
            // What no input has: refused by an analysis (kept as refused in the merged project
            // too), or not analysed yet.
            Statement refusal(db.db, "INSERT OR REPLACE INTO meta VALUES(?, ?)");
            for (const auto& name : base.names) {
                const std::string key = refusalKey(base.runId, base.ids.at(name));
                if (have.count(name)) {
                    refusal.bind(1, key).bind(2, std::string()).run();
                    continue;
                }
                std::string why;
                for (const auto& d : described)
                    if (why.empty() && d.refused.count(name)) why = d.refused.at(name);
                if (why.empty()) {
                    summary.missing.push_back(name);
                } else {
                    summary.refused.emplace_back(name, why);
                    refusal.bind(1, key).bind(2, why).run();
                }
            }
            exec(db.db, "DELETE FROM meta WHERE key LIKE 'refused/%' AND value = ''");
            // Finished, as a single run is, when every concept has its results.
            if (summary.missing.empty() && summary.refused.empty()) {
                Statement finished(db.db, "UPDATE runs SET finished = COALESCE(finished, ?) WHERE id = ?");
                finished.bind(1, QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString()).bind(2, base.runId).run();
            }
            std::string numerics;
            for (const auto& d : described)
                if (numerics.empty()) numerics = d.numerics;
            if (!numerics.empty()) {
                Statement record(db.db, "INSERT OR REPLACE INTO meta VALUES(?, ?)");
                record.bind(1, numericsKey(base.runId)).bind(2, numerics).run();
            }
            if (numerics.find("ATen kernels") != std::string::npos)
                summary.notes.push_back("analysed with ATen kernels (" + numerics +
                                        "), whose responses depend on the batch a sentence runs in: the merged results equal "
                                        "one machine's run only up to rounding in their last bits");
            exec(db.db, "PRAGMA wal_checkpoint(TRUNCATE)");
        }
        {
            // The models' paths relative to where the merged project lies (the same folder).
            auto merged = ProjectStore::open(partial, false);
            merged->refreshRelativePaths();
            merged->checkpoint();
        }
        if (outExists) {
            replaceContents(out, partial);
            removePartial();
        } else {
            syncFile(partial);
            if (std::rename(partial.c_str(), out.c_str()) != 0)
                throw Error("cannot move " + partial + " to " + out + ": " + std::strerror(errno));
            syncFile(folder);
        }
    } catch (...) {
        removePartial();
        throw;
    }
    return summary;
}

}  // namespace expertscope
