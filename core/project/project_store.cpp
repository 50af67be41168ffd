#include "core/project/project_store.h"

#include "core/project/run_names.h"
#include "core/project/sqlite_statement.h"
#include "core/runtime/probe.h"

#include "core/base/error.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <numeric>
#include <thread>

namespace expertscope {
namespace {

const char* kSchemaV1 = R"(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE models(id INTEGER PRIMARY KEY, path TEXT NOT NULL, tokenizer TEXT NOT NULL, family TEXT NOT NULL,
    format TEXT NOT NULL, weights_hash TEXT NOT NULL, config TEXT NOT NULL, units INTEGER NOT NULL, added TEXT NOT NULL);
CREATE TABLE probes(model_id INTEGER NOT NULL REFERENCES models(id), idx INTEGER NOT NULL, name TEXT NOT NULL,
    kind TEXT NOT NULL, layer INTEGER NOT NULL, units INTEGER NOT NULL, first_unit INTEGER NOT NULL,
    PRIMARY KEY(model_id, idx));
CREATE TABLE concept_sets(id INTEGER PRIMARY KEY, name TEXT NOT NULL, origin TEXT NOT NULL, imported TEXT NOT NULL);
CREATE TABLE concepts(id INTEGER PRIMARY KEY, set_id INTEGER NOT NULL REFERENCES concept_sets(id), name TEXT NOT NULL,
    grp TEXT NOT NULL, source TEXT NOT NULL, UNIQUE(set_id, name));
CREATE TABLE sentences(id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
CREATE TABLE concept_sentences(concept_id INTEGER NOT NULL REFERENCES concepts(id),
    sentence_id INTEGER NOT NULL REFERENCES sentences(id), label INTEGER NOT NULL, ord INTEGER NOT NULL,
    PRIMARY KEY(concept_id, sentence_id));
CREATE TABLE runs(id INTEGER PRIMARY KEY, model_id INTEGER NOT NULL REFERENCES models(id),
    set_id INTEGER NOT NULL REFERENCES concept_sets(id), pooling TEXT NOT NULL, sequence_length INTEGER NOT NULL,
    settings TEXT NOT NULL, started TEXT NOT NULL, finished TEXT);
CREATE TABLE concept_results(run_id INTEGER NOT NULL REFERENCES runs(id), concept_id INTEGER NOT NULL REFERENCES concepts(id),
    positives INTEGER NOT NULL, negatives INTEGER NOT NULL, best_ap REAL NOT NULL, seconds REAL NOT NULL,
    finished TEXT NOT NULL, PRIMARY KEY(run_id, concept_id));
CREATE TABLE probe_results(run_id INTEGER NOT NULL, concept_id INTEGER NOT NULL, probe_idx INTEGER NOT NULL,
    ap BLOB NOT NULL, on_p50 BLOB NOT NULL, on_p90 BLOB NOT NULL, off_mean BLOB NOT NULL,
    PRIMARY KEY(run_id, concept_id, probe_idx));
CREATE TABLE top_experts(run_id INTEGER NOT NULL, concept_id INTEGER NOT NULL, rank INTEGER NOT NULL,
    unit INTEGER NOT NULL, ap REAL NOT NULL, PRIMARY KEY(run_id, concept_id, rank));
)";

// Migrations from each version to the next; index i takes version i+1 to i+2. New
// projects are created at version 1 and migrated, so every step runs in every test.
const std::vector<const char*> kMigrations = {
    // 2: per-sentence responses of top experts, kept on request
    R"(CREATE TABLE kept_sentences(run_id INTEGER NOT NULL, concept_id INTEGER NOT NULL, sentence_ids BLOB NOT NULL,
        labels BLOB NOT NULL, PRIMARY KEY(run_id, concept_id));
    CREATE TABLE kept_responses(run_id INTEGER NOT NULL, concept_id INTEGER NOT NULL, unit INTEGER NOT NULL,
        responses BLOB NOT NULL, PRIMARY KEY(run_id, concept_id, unit));)",
    // 3: max and mean pooling leave out the BOS position from now on. Runs made before it
    // pooled it, so their identity says so (the marker settingsText writes for poolBos);
    // ml-selfcond runs pool every position either way and keep theirs.
    R"(UPDATE runs SET settings = substr(settings, 1, length(settings) - 1) || ', "pool_bos": true}'
        WHERE pooling IN ('max', 'mean') AND settings LIKE '%}';)",
    // 4: each unit's AUROC beside its AP, and each concept's best. Results stored before
    // keep NULL there: they read as not computed, and analysing again computes them.
    R"(ALTER TABLE probe_results ADD COLUMN auroc BLOB;
    ALTER TABLE concept_results ADD COLUMN best_auroc REAL;)",
    // 5: a concept's own words (Concept::words), one per line; NULL: none given.
    R"(ALTER TABLE concepts ADD COLUMN words TEXT;)",
    // 6: each model's path relative to the project's folder as well (NULL for models
    // stored before): a project and its model moved together still find each other.
    R"(ALTER TABLE models ADD COLUMN relative_path TEXT;)",
};


std::string now() { return QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString(); }

std::vector<float> slice(const std::vector<double>& v, int64_t offset, int units) {
    return std::vector<float>(v.begin() + offset, v.begin() + offset + units);
}

// The schema version as stored (text), or 0 when it is not a plain positive number: a
// damaged or foreign file, whose number must not pick a migration.
int schemaVersion(const std::string& text) {
    if (text.empty() || text.size() > 6 || text.find_first_not_of("0123456789") != std::string::npos) return 0;
    return std::stoi(text);
}

// Switching a file to write-ahead logging takes an exclusive lock. When processes open the
// same new project at once, SQLite refuses all but one at once (SQLITE_BUSY without waiting
// in the busy handler, which could deadlock): each tries again here for as long as the busy
// timeout would have waited.
void switchToWal(sqlite3* db, std::chrono::milliseconds patience) {
    const auto until = std::chrono::steady_clock::now() + patience;
    while ((sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr) & 0xff) == SQLITE_BUSY &&
           std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

std::string readOnlyMessage(const std::string& path) {
    return path + ": the project file or its folder is read-only, so results cannot be saved in it; make them writable, "
                  "or analyse into another project";
}

}  // namespace

std::unique_ptr<ProjectStore> ProjectStore::open(const std::string& path, bool create) {
    const QFileInfo file(QString::fromStdString(path));
    const bool exists = file.exists();
    if (!exists && !create) throw Error(path + ": no such project file");
    // SQLite writes beside the file (its -wal and -shm): both it and its folder must allow it.
    const QByteArray folder = QFile::encodeName(file.absolutePath());
    const bool writable = access(folder.constData(), W_OK) == 0 && (!exists || access(path.c_str(), W_OK) == 0);
    if (!writable && create) throw Error(readOnlyMessage(path));
    // Another process may be creating this very project (two analyses started at once), or
    // one was killed while creating it: an empty file, or a database with no table yet, is a
    // project not made yet, and is made here (the schema goes in under the write lock, once).
    // Without `create`, only a file named as a project is taken for one being made: another
    // empty file stays as it is.
    const bool mayMake = create || file.suffix() == "esproj";
    bool fresh = !exists || (mayMake && file.size() == 0);
    if (fresh && !writable) throw Error(path + ": an empty file that cannot be written; not an Expertscope project");
    // Read without writing, SQLite takes the file as it is (immutable) and would not see
    // commits still in its write-ahead log (a writer killed, or still running as another user).
    if (!writable && exists && QFileInfo(file.filePath() + "-wal").size() > 0)
        throw Error(path + ": read-only, and its last changes are still in " + path + "-wal (its writer stopped or is still "
                           "running); make it writable once, so they are folded in, or wait for the writer");
    const std::string readOnlyName = writable ? path : immutableUri(path);
    const int readOnlyFlags = SQLITE_OPEN_READONLY | (writable ? 0 : SQLITE_OPEN_URI);
    if (exists && !fresh) {
        // Look before touching: read-only checks, so a file that is not ours stays as it is.
        sqlite3* ro = nullptr;
        // Only SELECTs run on it; a writable file is opened so, as after a crash SQLite must
        // recover the WAL index first, which a read-only connection cannot.
        const int rc = sqlite3_open_v2(readOnlyName.c_str(), &ro, writable ? SQLITE_OPEN_READWRITE : readOnlyFlags, nullptr);
        sqlite3_busy_timeout(ro, 10000);  // a writer in another process: wait for it
        std::string problem;
        sqlite3_stmt* st = nullptr;
        const bool empty = rc == SQLITE_OK && sqlite3_prepare_v2(ro, "SELECT count(*) FROM sqlite_master", -1, &st, nullptr) == SQLITE_OK &&
                           sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 0;
        sqlite3_finalize(st);
        if (rc != SQLITE_OK) {
            problem = sqlite3_errmsg(ro);
        } else if (empty && writable && mayMake) {
            fresh = true;
        } else {
            if (sqlite3_prepare_v2(ro, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st, nullptr) != SQLITE_OK) {
                const int code = sqlite3_errcode(ro);
                problem = code == SQLITE_BUSY || code == SQLITE_LOCKED
                              ? std::string("the project is busy: another program holds it locked; try again when it is done")
                              : std::string("not an Expertscope project (") + sqlite3_errmsg(ro) + ")";
            } else if (sqlite3_step(st) != SQLITE_ROW) {
                problem = "not an Expertscope project (no schema version)";
            } else if (const auto* text = sqlite3_column_text(st, 0); schemaVersion(text ? reinterpret_cast<const char*>(text) : "") < 1) {
                problem = std::string("not an Expertscope project (schema version '") + (text ? reinterpret_cast<const char*>(text) : "") + "')";
            } else if (sqlite3_column_int(st, 0) > kSchemaVersion) {
                problem = "made by a newer Expertscope (schema " + std::to_string(sqlite3_column_int(st, 0)) + ")";
            } else if (!writable && sqlite3_column_int(st, 0) < kSchemaVersion) {
                problem = "made by an older Expertscope and read-only, so it cannot be brought up to date; make it writable";
            }
            sqlite3_finalize(st);
            if (problem.empty()) {
                if (sqlite3_prepare_v2(ro, "PRAGMA quick_check", -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
                    const std::string result = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
                    if (result != "ok") problem = "damaged database (" + result + ")";
                }
                sqlite3_finalize(st);
            }
        }
        sqlite3_close(ro);
        if (!problem.empty()) throw Error(path + ": " + problem + "; the file was left unchanged");
    }
    sqlite3* db = nullptr;
    const int flags = writable ? SQLITE_OPEN_READWRITE | (fresh ? SQLITE_OPEN_CREATE : 0) : readOnlyFlags;
    if (sqlite3_open_v2(readOnlyName.c_str(), &db, flags, nullptr) != SQLITE_OK) {
        const std::string message = sqlite3_errmsg(db);
        sqlite3_close(db);
        throw Error(path + ": cannot open (" + message + ")");
    }
    if (!writable) {  // only read: checked above, and already in the newest schema
        sqlite3_exec(db, "PRAGMA foreign_keys=ON", nullptr, nullptr, nullptr);
        return std::unique_ptr<ProjectStore>(new ProjectStore(path, db));
    }
    std::unique_ptr<ProjectStore> store(new ProjectStore(path, db));
    // The wait first: switching to WAL already needs the lock another process may hold.
    sqlite3_busy_timeout(db, 10000);
    switchToWal(db, std::chrono::milliseconds(10000));
    store->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");  // failed: said here
    if (fresh) {
        store->exec("BEGIN IMMEDIATE");
        Statement tables(db, "SELECT count(*) FROM sqlite_master WHERE name = 'meta'");
        const bool made = tables.step() && tables.integer(0) > 0;
        tables.reset();
        store->exec(made ? std::string("COMMIT") : std::string(kSchemaV1) + "INSERT INTO meta VALUES('schema_version', '1'); COMMIT;");
    }
    // Migrate older projects one version at a time, each step in its own transaction. The
    // version is read again under the write lock before each step: another process opening
    // the same new project at once may have taken that step already. (Read first without
    // the lock: an up-to-date project must not wait for another process's writes.)
    const auto storedVersion = [db] {
        Statement version(db, "SELECT value FROM meta WHERE key = 'schema_version'");
        return version.step() ? schemaVersion(version.text(0)) : 0;
    };
    int found = storedVersion();
    if (found < 1 || found > kSchemaVersion)
        throw Error(path + ": not an Expertscope project (schema version '" + (found ? std::to_string(found) : "?") + "')");
    while (found < kSchemaVersion) {
        store->exec("BEGIN IMMEDIATE");
        found = storedVersion();
        if (found >= kSchemaVersion) {
            store->exec("COMMIT");
            break;
        }
        store->exec(std::string(kMigrations[static_cast<size_t>(found - 1)]) + "UPDATE meta SET value = '" +
                    std::to_string(found + 1) + "' WHERE key = 'schema_version'; COMMIT;");
        ++found;
    }
    return store;
}

ProjectStore::ProjectStore(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}
ProjectStore::~ProjectStore() { sqlite3_close(db_); }

void ProjectStore::exec(const std::string& sql) const {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        const std::string m = sqliteProblem(db_);
        sqlite3_free(message);
        rollback();
        throw Error(path_ + ": " + m);
    }
}

// Never throws: it runs while another error is on its way out, which it must not replace
// (after a full disk SQLite may have rolled the transaction back already).
void ProjectStore::rollback() const noexcept {
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

std::string weightsHash(const LanguageModel& model) {
    const QFileInfo fi(QString::fromStdString(model.info().path));
    QStringList files;
    if (fi.isDir()) {
        for (const auto& f : QDir(fi.absoluteFilePath()).entryList({"*.safetensors"}, QDir::Files, QDir::Name))
            files << QDir(fi.absoluteFilePath()).filePath(f);
    } else if (fi.isFile()) {
        files << fi.absoluteFilePath();
    }
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (const auto& f : files) {
        QFile file(f);
        if (file.open(QIODevice::ReadOnly)) hash.addData(&file);
    }
    return hash.result().toHex().toStdString();
}

namespace {

// One spelling of a model file's path ("model", "./model", "/abs/model", a path through a
// linked folder are one model), and one that still holds when the project is opened from
// another folder: the folder holding it resolved, its own name kept. (The canonical path
// of the file itself would turn a file linked into an HF cache snapshot into its blob,
// whose name says neither its format nor where its tokenizer is.)
QString modelFolderResolved(const QString& p) {
    const QFileInfo f(p);
    const QString folder = QFileInfo(f.absolutePath()).canonicalFilePath();
    return folder.isEmpty() ? QDir::cleanPath(f.absoluteFilePath()) : QDir(folder).filePath(f.fileName());
}

// A model's or tokenizer's path as the project stores it: spelt as above when the file
// exists (a tokenizer then matches its model's folder), else as given.
std::string pathAsStored(const std::string& p) {
    const QString given = QString::fromStdString(p);
    return p.empty() || !QFileInfo::exists(given) ? p : modelFolderResolved(given).toStdString();
}

}  // namespace

std::string ProjectStore::relativeToProject(const std::string& modelPath) const {
    if (modelPath.rfind("hf:", 0) == 0 || !QFileInfo(QString::fromStdString(modelPath)).isAbsolute()) return {};
    const QString folder = QFileInfo(QFileInfo(QString::fromStdString(path_)).absolutePath()).canonicalFilePath();
    return folder.isEmpty() ? std::string() : QDir(folder).relativeFilePath(QString::fromStdString(modelPath)).toStdString();
}

int64_t ProjectStore::addModel(const LanguageModel& model) {
    const auto& i = model.info();
    const std::string hash = weightsHash(model);
    const QString given = QString::fromStdString(i.path);
    const std::string path = pathAsStored(i.path);
    // Projects written before stored the path as given (perhaps relative): the same weights
    // under a path naming the same place are still this model.
    // Looked up and added under the write lock: two processes adding the model at once add it once.
    exec("BEGIN IMMEDIATE");
    try {
        Statement find(db_, "SELECT id, path FROM models WHERE weights_hash = ? ORDER BY id");
        find.bind(1, hash);
        while (find.step())
            if (find.text(1) == path || (QFileInfo::exists(given) && modelFolderResolved(QString::fromStdString(find.text(1))).toStdString() == path)) {
                const int64_t id = find.integer(0);
                find.reset();
                exec("COMMIT");
                return id;
            }
    } catch (...) {
        rollback();
        throw;
    }
    const std::string config = "{\"layers\": " + std::to_string(i.layers) + ", \"hidden\": " + std::to_string(i.hidden) +
                               ", \"intermediate\": " + std::to_string(i.intermediate) + ", \"heads\": " +
                               std::to_string(i.heads) + ", \"kv_heads\": " + std::to_string(i.kvHeads) + ", \"vocab\": " +
                               std::to_string(i.vocab) + ", \"max_positions\": " + std::to_string(i.maxPositions) + "}";
    int64_t id = 0;
    try {
        Statement insert(db_, "INSERT INTO models(path, tokenizer, family, format, weights_hash, config, units, added, relative_path) "
                              "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");
        insert.bind(1, path).bind(2, pathAsStored(i.tokenizerPath)).bind(3, i.family).bind(4, i.format).bind(5, hash).bind(6, config);
        insert.bind(7, unitCount(model.probePoints())).bind(8, now()).bind(9, relativeToProject(path)).run();
        id = sqlite3_last_insert_rowid(db_);
        Statement probe(db_, "INSERT INTO probes VALUES(?, ?, ?, ?, ?, ?, ?)");
        const auto& probes = model.probePoints();
        for (size_t p = 0; p < probes.size(); ++p) {
            probe.bind(1, id).bind(2, static_cast<int64_t>(p)).bind(3, probes[p].name).bind(4, probes[p].kind);
            probe.bind(5, static_cast<int64_t>(probes[p].layer)).bind(6, static_cast<int64_t>(probes[p].units)).bind(7, probes[p].offset).run();
        }
    } catch (...) {
        rollback();
        throw;
    }
    exec("COMMIT");
    return id;
}

int64_t ProjectStore::addConceptSet(const ConceptSet& set, bool reuseOrigin) {
    exec("BEGIN IMMEDIATE");
    try {
        if (reuseOrigin) {  // under the write lock: two processes importing one set import it once
            Statement find(db_, "SELECT id FROM concept_sets WHERE origin = ? ORDER BY id DESC LIMIT 1");
            find.bind(1, set.origin);
            if (find.step()) {
                const int64_t id = find.integer(0);
                find.reset();
                exec("COMMIT");
                return id;
            }
        }
        Statement insertSet(db_, "INSERT INTO concept_sets(name, origin, imported) VALUES(?, ?, ?)");
        insertSet.bind(1, set.name).bind(2, set.origin).bind(3, now()).run();
        const int64_t setId = sqlite3_last_insert_rowid(db_);
        Statement insertConcept(db_, "INSERT INTO concepts(set_id, name, grp, source, words) VALUES(?, ?, ?, ?, ?)");
        // Sentences shared by concepts are stored once.
        Statement insertSentence(db_, "INSERT INTO sentences(text) VALUES(?) ON CONFLICT(text) DO NOTHING");
        Statement sentenceId(db_, "SELECT id FROM sentences WHERE text = ?");
        Statement link(db_, "INSERT OR IGNORE INTO concept_sentences VALUES(?, ?, ?, ?)");
        for (const auto& c : set.concepts) {
            std::string words;
            for (const auto& w : c.words) {
                if (w.find('\n') != std::string::npos) throw Error("concept '" + c.name + "': a word with a line break");
                words += (words.empty() ? "" : "\n") + w;
            }
            insertConcept.bind(1, setId).bind(2, c.name).bind(3, c.group).bind(4, c.source);
            if (c.words.empty()) insertConcept.bindNull(5);
            else insertConcept.bind(5, words);
            insertConcept.run();
            const int64_t conceptId = sqlite3_last_insert_rowid(db_);
            int64_t ord = 0;
            for (int label : {1, 0})
                for (const auto& s : label ? c.positives : c.negatives) {
                    insertSentence.bind(1, s).run();
                    sentenceId.bind(1, s);
                    sentenceId.step();
                    const int64_t sid = sentenceId.integer(0);
                    sentenceId.reset();
                    link.bind(1, conceptId).bind(2, sid).bind(3, static_cast<int64_t>(label)).bind(4, ord++).run();
                }
        }
        exec("COMMIT");
        return setId;
    } catch (...) {
        rollback();
        throw;
    }
}

int64_t ProjectStore::findConceptSet(const std::string& origin) const {
    Statement q(db_, "SELECT id FROM concept_sets WHERE origin = ? ORDER BY id DESC LIMIT 1");
    q.bind(1, origin);
    return q.step() ? q.integer(0) : 0;
}

namespace {
const char* kResultColumns =
    "SELECT r.run_id, r.concept_id, runs.model_id, c.name, c.grp, c.source, models.path, runs.pooling, r.positives, "
    "r.negatives, runs.sequence_length, r.best_ap, runs.set_id, runs.settings, r.best_auroc, sets.name FROM concept_results r "
    "JOIN concepts c ON c.id = r.concept_id JOIN runs ON runs.id = r.run_id JOIN models ON models.id = runs.model_id "
    "JOIN concept_sets sets ON sets.id = runs.set_id ";

ProjectStore::ResultRef resultRef(const Statement& q) {
    ProjectStore::ResultRef ref;
    ref.runId = q.integer(0);
    ref.conceptId = q.integer(1);
    ref.modelId = q.integer(2);
    ref.concept = q.text(3);
    ref.group = q.text(4);
    ref.source = q.text(5);
    ref.setName = q.text(15);
    ref.modelPath = q.text(6);
    ref.pooling = q.text(7);
    ref.positives = static_cast<int>(q.integer(8));
    ref.negatives = static_cast<int>(q.integer(9));
    ref.sequenceLength = static_cast<int>(q.integer(10));
    ref.bestAp = q.real(11);
    ref.setId = q.integer(12);
    ref.settings = parseSettingsText(q.text(13));
    ref.bosPooled = ref.settings.poolBos || ref.settings.pooling == Pooling::SelfcondMax;
    if (!q.isNull(14)) ref.bestAuroc = q.real(14);
    return ref;
}
}  // namespace

std::vector<ProjectStore::ResultRef> ProjectStore::finishedResults(const std::string& conceptName, int64_t modelId,
                                                                   int64_t setId) const {
    Statement q(db_, std::string(kResultColumns) +
                         "WHERE (?1 = '' OR c.name = ?1) AND (?2 = 0 OR runs.model_id = ?2) AND (?3 = 0 OR runs.set_id = ?3) "
                         "ORDER BY r.run_id DESC, r.concept_id");
    q.bind(1, conceptName).bind(2, modelId).bind(3, setId);
    std::vector<ResultRef> out;
    while (q.step()) out.push_back(resultRef(q));
    return out;
}

std::vector<ProjectStore::ResultRef> ProjectStore::results(int64_t runId) const {
    Statement q(db_, std::string(kResultColumns) + "WHERE r.run_id = ? ORDER BY r.concept_id");
    q.bind(1, runId);
    std::vector<ResultRef> out;
    while (q.step()) out.push_back(resultRef(q));
    return out;
}

std::map<int64_t, int> ProjectStore::expertCounts(int64_t runId, double threshold) const {
    Statement q(db_, "SELECT concept_id, COUNT(*) FROM top_experts WHERE run_id = ? AND ap >= ? GROUP BY concept_id");
    q.bind(1, runId).bind(2, threshold);
    std::map<int64_t, int> out;
    while (q.step()) out[q.integer(0)] = static_cast<int>(q.integer(1));
    return out;
}

std::vector<ProbePoint> ProjectStore::probes(int64_t modelId) const {
    Statement q(db_, "SELECT name, kind, layer, units, first_unit FROM probes WHERE model_id = ? ORDER BY idx");
    q.bind(1, modelId);
    std::vector<ProbePoint> out;
    while (q.step()) {
        ProbePoint p;
        p.name = q.text(0);
        p.kind = q.text(1);
        p.layer = static_cast<int>(q.integer(2));
        p.units = static_cast<int>(q.integer(3));
        p.offset = q.integer(4);
        // Units are addressed by these offsets: a layout whose probes do not follow one
        // another from 0 would send reads outside the stored vectors.
        const int64_t expected = out.empty() ? 0 : out.back().offset + out.back().units;
        if (p.units < 1 || p.offset != expected)
            throw Error(path_ + ": damaged project: the probe points of model " + std::to_string(modelId) + " do not follow one another");
        out.push_back(p);
    }
    return out;
}

std::vector<StoredConcept> ProjectStore::concepts(int64_t setId) const {
    Statement q(db_, "SELECT c.id, c.name, c.grp, SUM(cs.label), SUM(1 - cs.label) FROM concepts c "
                     "LEFT JOIN concept_sentences cs ON cs.concept_id = c.id WHERE c.set_id = ? GROUP BY c.id ORDER BY c.id");
    q.bind(1, setId);
    std::vector<StoredConcept> out;
    while (q.step()) out.push_back({q.integer(0), q.text(1), q.text(2), static_cast<int>(q.integer(3)), static_cast<int>(q.integer(4))});
    return out;
}

bool ProjectStore::hasConcept(const std::string& name) const {
    Statement q(db_, "SELECT 1 FROM concepts WHERE name = ? LIMIT 1");
    q.bind(1, name);
    return q.step();
}

Concept ProjectStore::loadConcept(int64_t conceptId) const {
    Statement head(db_, "SELECT name, grp, source FROM concepts WHERE id = ?");
    head.bind(1, conceptId);
    if (!head.step()) throw Error(path_ + ": no concept with id " + std::to_string(conceptId));
    Concept c{head.text(0), head.text(1), head.text(2), {}, {}, conceptWords(conceptId)};
    Statement q(db_, "SELECT s.text, cs.label FROM concept_sentences cs JOIN sentences s ON s.id = cs.sentence_id "
                     "WHERE cs.concept_id = ? ORDER BY cs.ord");
    q.bind(1, conceptId);
    while (q.step()) (q.integer(1) ? c.positives : c.negatives).push_back(q.text(0));
    return c;
}

void ProjectStore::setMeta(const std::string& key, const std::string& value) {
    // Under the write lock from the start: a write that begins as a read can fail at once
    // with "database is locked" when another process commits in between (its busy wait
    // does not apply then), as analyses running side by side do.
    exec("BEGIN IMMEDIATE");
    try {
        Statement q(db_, "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
        q.bind(1, key).bind(2, value).run();
        exec("COMMIT");
    } catch (...) {
        rollback();
        throw;
    }
}

std::string ProjectStore::meta(const std::string& key) const {
    Statement q(db_, "SELECT value FROM meta WHERE key = ?");
    q.bind(1, key);
    return q.step() ? q.text(0) : std::string();
}

std::vector<std::string> ProjectStore::conceptWords(int64_t conceptId) const {
    Statement q(db_, "SELECT words FROM concepts WHERE id = ? AND words IS NOT NULL");
    q.bind(1, conceptId);
    std::vector<std::string> out;
    if (q.step())
        for (const auto& w : QString::fromStdString(q.text(0)).split('\n', Qt::SkipEmptyParts)) out.push_back(w.toStdString());
    return out;
}

std::string settingsText(const RunSettings& s) {
    // Dropping is the default and older runs do not name it, so it stays unnamed; the same
    // for BOS, which ml-selfcond pooling takes in whatever the option says.
    const bool bosMarker = s.poolBos && s.pooling != Pooling::SelfcondMax;
    return std::string("{\"pooling\": \"") + choiceName(poolingChoices(), s.pooling) + "\", \"sequence_length\": " + std::to_string(s.sequenceLength) +
           (s.longSentences != LongSentencePolicy::Drop
                ? std::string(", \"long_sentences\": \"") + choiceName(longSentenceChoices(), s.longSentences) + "\""
                : std::string()) +
           (bosMarker ? ", \"pool_bos\": true" : "") + "}";
}

RunSettings parseSettingsText(const std::string& text) {
    const QJsonObject o = QJsonDocument::fromJson(QByteArray::fromStdString(text)).object();
    if (o.isEmpty()) throw Error("unreadable run settings '" + text + "'");
    RunSettings s;
    s.pooling = parseChoice(poolingChoices(), o.value("pooling").toString().toStdString(), "the pooling in run settings '" + text + "'");
    s.sequenceLength = o.value("sequence_length").toInt();
    s.longSentences = parseChoice(longSentenceChoices(), o.value("long_sentences").toString("drop").toStdString(),
                                  "the long-sentence policy in run settings '" + text + "'");
    s.poolBos = o.value("pool_bos").toBool();
    return s;
}

int64_t ProjectStore::createRun(int64_t modelId, int64_t setId, const RunSettings& settings) {
    Statement q(db_, "INSERT INTO runs(model_id, set_id, pooling, sequence_length, settings, started) VALUES(?, ?, ?, ?, ?, ?)");
    q.bind(1, modelId).bind(2, setId).bind(3, std::string(choiceName(poolingChoices(), settings.pooling)));
    q.bind(4, static_cast<int64_t>(settings.sequenceLength)).bind(5, settingsText(settings)).bind(6, now()).run();
    return sqlite3_last_insert_rowid(db_);
}

int64_t ProjectStore::findOrCreateRun(int64_t modelId, int64_t setId, const RunSettings& settings) {
    exec("BEGIN IMMEDIATE");  // two analyses starting at once share one run
    int64_t id = 0;
    try {
        id = findRun(modelId, setId, settings);
        if (!id) id = createRun(modelId, setId, settings);
    } catch (...) {
        rollback();
        throw;
    }
    exec("COMMIT");
    return id;
}

int64_t ProjectStore::findRun(int64_t modelId, int64_t setId, const RunSettings& settings) const {
    Statement q(db_, "SELECT id FROM runs WHERE model_id = ? AND set_id = ? AND settings = ? ORDER BY id DESC LIMIT 1");
    q.bind(1, modelId).bind(2, setId).bind(3, settingsText(settings));
    return q.step() ? q.integer(0) : 0;
}

std::vector<int64_t> ProjectStore::finishedConcepts(int64_t runId) const {
    Statement q(db_, "SELECT concept_id FROM concept_results WHERE run_id = ? AND best_auroc IS NOT NULL ORDER BY concept_id");
    q.bind(1, runId);
    std::vector<int64_t> out;
    while (q.step()) out.push_back(q.integer(0));
    return out;
}

std::unordered_map<std::string, int> ProjectStore::sharedSentences(int64_t setId, int64_t runId,
                                                                   const std::vector<int64_t>& among) const {
    std::string only;
    for (int64_t id : among) only += (only.empty() ? " AND cs.concept_id IN (" : ", ") + std::to_string(id);
    if (!only.empty()) only += ")";
    Statement q(db_, "SELECT s.text, COUNT(*) FROM concept_sentences cs JOIN concepts c ON c.id = cs.concept_id "
                     "JOIN sentences s ON s.id = cs.sentence_id WHERE c.set_id = ? AND cs.concept_id NOT IN "
                     "(SELECT concept_id FROM concept_results WHERE run_id = ? AND best_auroc IS NOT NULL)" + only +
                     " GROUP BY cs.sentence_id HAVING COUNT(*) > 1");
    q.bind(1, setId).bind(2, runId);
    std::unordered_map<std::string, int> out;
    while (q.step()) out.emplace(q.text(0), static_cast<int>(q.integer(1)));
    return out;
}

int64_t ProjectStore::dataVersion() const {
    Statement q(db_, "PRAGMA data_version");
    return q.step() ? q.integer(0) : 0;
}

bool ProjectStore::readOnly() const { return sqlite3_db_readonly(db_, "main") == 1; }

void ProjectStore::requireWritable() const {
    if (readOnly()) throw Error(readOnlyMessage(path_));
}

void ProjectStore::finishRun(int64_t runId) {
    Statement q(db_, "UPDATE runs SET finished = ? WHERE id = ?");
    q.bind(1, now()).bind(2, runId).run();
}

void ProjectStore::saveConceptResult(int64_t runId, int64_t conceptId, const std::vector<ProbePoint>& probes,
                                     const UnitExpertise& e, int positives, int negatives, double seconds,
                                     const KeptResponses* kept) {
    std::vector<int64_t> order(e.ap.size());
    std::iota(order.begin(), order.end(), int64_t{0});
    const size_t top = std::min(order.size(), static_cast<size_t>(kTopExpertsStored));
    std::partial_sort(order.begin(), order.begin() + static_cast<long>(top), order.end(),
                      [&](int64_t a, int64_t b) { return e.ap[a] > e.ap[b] || (e.ap[a] == e.ap[b] && a < b); });
    // The highest AUROC. Results without AUROC (none given) store NULL: not computed.
    if (!e.auroc.empty() && e.auroc.size() != e.ap.size())
        throw Error(path_ + ": " + std::to_string(e.auroc.size()) + " AUROC values for " + std::to_string(e.ap.size()) + " units");
    double bestAuroc = std::numeric_limits<double>::quiet_NaN();
    for (double v : e.auroc)
        if (!std::isnan(v) && (std::isnan(bestAuroc) || v > bestAuroc)) bestAuroc = v;
    exec("BEGIN");
    try {
        Statement probe(db_, "INSERT OR REPLACE INTO probe_results(run_id, concept_id, probe_idx, ap, on_p50, on_p90, off_mean, auroc) "
                             "VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
        for (size_t p = 0; p < probes.size(); ++p) {
            const auto& pp = probes[p];
            probe.bind(1, runId).bind(2, conceptId).bind(3, static_cast<int64_t>(p));
            probe.bindFloats(4, slice(e.ap, pp.offset, pp.units)).bindFloats(5, slice(e.onP50, pp.offset, pp.units));
            probe.bindFloats(6, slice(e.onP90, pp.offset, pp.units)).bindFloats(7, slice(e.offMean, pp.offset, pp.units));
            if (e.auroc.empty()) probe.bindNull(8).run();
            else probe.bindFloats(8, slice(e.auroc, pp.offset, pp.units)).run();
        }
        Statement experts(db_, "INSERT OR REPLACE INTO top_experts VALUES(?, ?, ?, ?, ?)");
        for (size_t r = 0; r < top; ++r)
            experts.bind(1, runId).bind(2, conceptId).bind(3, static_cast<int64_t>(r)).bind(4, order[r]).bind(5, e.ap[order[r]]).run();
        Statement summary(db_, "INSERT OR REPLACE INTO concept_results(run_id, concept_id, positives, negatives, best_ap, seconds, "
                               "finished, best_auroc) VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
        summary.bind(1, runId).bind(2, conceptId).bind(3, static_cast<int64_t>(positives)).bind(4, static_cast<int64_t>(negatives));
        summary.bind(5, top ? e.ap[order[0]] : 0.0).bind(6, seconds).bind(7, now()).bind(8, bestAuroc).run();
        if (kept && !kept->units.empty()) {
            std::vector<int64_t> ids;
            Statement find(db_, "SELECT id FROM sentences WHERE text = ?");
            for (const auto& text : kept->sentences) {
                find.bind(1, text);
                if (!find.step()) throw Error(path_ + ": a kept sentence is not in the project");
                ids.push_back(find.integer(0));
                find.reset();
            }
            Statement sentences(db_, "INSERT OR REPLACE INTO kept_sentences VALUES(?, ?, ?, ?)");
            sentences.bind(1, runId).bind(2, conceptId).bindBlob(3, ids.data(), ids.size());
            sentences.bindBlob(4, kept->labels.data(), kept->labels.size()).run();
            Statement responses(db_, "INSERT OR REPLACE INTO kept_responses VALUES(?, ?, ?, ?)");
            const size_t n = kept->sentences.size();
            for (size_t u = 0; u < kept->units.size(); ++u)
                responses.bind(1, runId).bind(2, conceptId).bind(3, kept->units[u]).bindBlob(4, kept->values.data() + u * n, n).run();
        }
        exec("COMMIT");
    } catch (...) {
        rollback();
        throw;
    }
}

UnitExpertise ProjectStore::loadConceptResult(int64_t runId, int64_t conceptId) const {
    Statement q(db_, "SELECT ap, on_p50, on_p90, off_mean, auroc FROM probe_results WHERE run_id = ? AND concept_id = ? "
                     "ORDER BY probe_idx");
    q.bind(1, runId).bind(2, conceptId);
    UnitExpertise e;
    while (q.step()) {
        const size_t before = e.ap.size();
        for (int c = 0; c < 4; ++c) {
            auto& target = c == 0 ? e.ap : c == 1 ? e.onP50 : c == 2 ? e.onP90 : e.offMean;
            const auto v = q.floats(c);
            target.insert(target.end(), v.begin(), v.end());
        }
        // NULL (stored before schema 4): NaN, one per unit of the probe.
        if (e.onP50.size() != e.ap.size() || e.onP90.size() != e.ap.size() || e.offMean.size() != e.ap.size())
            throw Error(path_ + ": damaged project: the results of concept " + std::to_string(conceptId) + " in run " +
                        std::to_string(runId) + " have vectors of different lengths");
        const auto auroc = q.floats(4);
        if (auroc.size() == e.ap.size() - before) e.auroc.insert(e.auroc.end(), auroc.begin(), auroc.end());
        else e.auroc.resize(e.ap.size(), std::numeric_limits<double>::quiet_NaN());
    }
    if (e.ap.empty()) throw Error(path_ + ": no results for concept " + std::to_string(conceptId) + " in run " + std::to_string(runId));
    return e;
}

UnitExpertise ProjectStore::unitResults(int64_t runId, int64_t conceptId, int64_t modelId, const std::vector<int64_t>& units) const {
    const auto layout = probes(modelId);
    Statement q(db_, "SELECT ap, on_p50, on_p90, off_mean, auroc FROM probe_results WHERE run_id = ? AND concept_id = ? AND probe_idx = ?");
    std::map<size_t, std::array<std::vector<float>, 5>> read;  // per probe, its five vectors
    UnitExpertise e;
    for (int64_t u : units) {
        const size_t p = layout.empty() ? 0 : probeOfUnit(layout, u);
        if (layout.empty() || u < layout[p].offset || u >= layout[p].offset + layout[p].units)
            throw Error(path_ + ": model " + std::to_string(modelId) + " has no unit " + std::to_string(u));
        auto found = read.find(p);
        if (found == read.end()) {
            q.reset();
            q.bind(1, runId).bind(2, conceptId).bind(3, static_cast<int64_t>(p));
            if (!q.step())
                throw Error(path_ + ": no results for concept " + std::to_string(conceptId) + " in run " + std::to_string(runId));
            found = read.emplace(p, std::array<std::vector<float>, 5>{q.floats(0), q.floats(1), q.floats(2), q.floats(3), q.floats(4)}).first;
        }
        const auto& v = found->second;
        const size_t i = static_cast<size_t>(u - layout[p].offset), units = static_cast<size_t>(layout[p].units);
        if (v[0].size() != units || v[1].size() != units || v[2].size() != units || v[3].size() != units ||
            (!v[4].empty() && v[4].size() != units))
            throw Error(path_ + ": the stored results of probe " + std::to_string(p) + " do not match the model's layout");
        e.ap.push_back(v[0][i]);
        e.onP50.push_back(v[1][i]);
        e.onP90.push_back(v[2][i]);
        e.offMean.push_back(v[3][i]);
        e.auroc.push_back(v[4].empty() ? std::numeric_limits<double>::quiet_NaN() : v[4][i]);
    }
    return e;
}

std::vector<Expert> ProjectStore::topExperts(int64_t runId, int64_t conceptId, int k) const {
    Statement q(db_, "SELECT unit, ap FROM top_experts WHERE run_id = ? AND concept_id = ? ORDER BY rank LIMIT ?");
    q.bind(1, runId).bind(2, conceptId).bind(3, static_cast<int64_t>(k));
    std::vector<Expert> out;
    while (q.step()) out.push_back({q.integer(0), q.real(1)});
    return out;
}

void ProjectStore::checkpoint() { exec("PRAGMA wal_checkpoint(TRUNCATE)"); }

void ProjectStore::refreshRelativePaths() {
    std::vector<std::pair<int64_t, std::string>> models;
    {
        Statement q(db_, "SELECT id, path FROM models");
        while (q.step()) models.emplace_back(q.integer(0), q.text(1));
    }
    Statement update(db_, "UPDATE models SET relative_path = ? WHERE id = ?");
    for (const auto& [id, path] : models) update.bind(1, relativeToProject(path)).bind(2, id).run();
}

std::string ProjectStore::modelRelativePath(int64_t modelId) const {
    Statement q(db_, "SELECT relative_path FROM models WHERE id = ?");
    q.bind(1, modelId);
    if (!q.step()) throw Error(path_ + ": no model with id " + std::to_string(modelId));
    return q.text(0);
}

void ProjectStore::requireSameWeights(int64_t modelId, const LanguageModel& model, const std::string& weightsHash) const {
    Statement q(db_, "SELECT path, weights_hash FROM models WHERE id = ?");
    q.bind(1, modelId);
    if (!q.step()) throw Error(path_ + ": no model with id " + std::to_string(modelId));
    if (q.text(1) != weightsHash)
        throw Error(model.info().path + " holds other weights than the model this project's results came from (" + q.text(0) +
                    "); choose that model's files, moved or copied");
}

void ProjectStore::relocateModel(int64_t modelId, const LanguageModel& model, const std::string& weightsHash) {
    requireWritable();
    const auto& i = model.info();
    const std::string path = pathAsStored(i.path);
    exec("BEGIN IMMEDIATE");
    try {
        requireSameWeights(modelId, model, weightsHash);
        Statement update(db_, "UPDATE models SET path = ?, tokenizer = ?, relative_path = ? WHERE id = ?");
        update.bind(1, path).bind(2, pathAsStored(i.tokenizerPath)).bind(3, relativeToProject(path)).bind(4, modelId).run();
    } catch (...) {
        rollback();
        throw;
    }
    exec("COMMIT");
}

ModelSource ProjectStore::modelSource(int64_t modelId) const {
    Statement q(db_, "SELECT path, tokenizer FROM models WHERE id = ?");
    q.bind(1, modelId);
    if (!q.step()) throw Error(path_ + ": no model with id " + std::to_string(modelId));
    return {q.text(0), q.text(1)};
}

int64_t ProjectStore::latestModel() const {
    Statement q(db_, "SELECT MAX(id) FROM models");
    return q.step() ? q.integer(0) : 0;
}

int64_t ProjectStore::latestConceptSet() const {
    Statement q(db_, "SELECT MAX(id) FROM concept_sets");
    return q.step() ? q.integer(0) : 0;
}

KeptResponses ProjectStore::keptResponses(int64_t runId, int64_t conceptId, int64_t unit) const {
    KeptResponses out;
    Statement q(db_, "SELECT r.responses, k.sentence_ids, k.labels FROM kept_responses r JOIN kept_sentences k "
                     "ON k.run_id = r.run_id AND k.concept_id = r.concept_id WHERE r.run_id = ? AND r.concept_id = ? AND r.unit = ?");
    q.bind(1, runId).bind(2, conceptId).bind(3, unit);
    if (!q.step()) return out;
    out.units = {unit};
    out.values = q.floats(0);
    out.labels = q.blob<uint8_t>(2);
    Statement text(db_, "SELECT text FROM sentences WHERE id = ?");
    for (int64_t id : q.blob<int64_t>(1)) {
        text.bind(1, id);
        out.sentences.push_back(text.step() ? text.text(0) : std::string());
        text.reset();
    }
    if (out.values.size() != out.sentences.size() || out.labels.size() != out.sentences.size())
        throw Error(path_ + ": kept responses of unit " + std::to_string(unit) + " do not match their sentences");
    return out;
}

}  // namespace expertscope
