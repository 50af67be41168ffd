// Beyond one machine: a concept set analysed in shards (analyse --shard I/N) and merged
// holds, byte for byte, the results of one run; projects that differ are refused; and a
// concept whose responses go to disk (scored probe by probe) gets the in-memory results.
#include "test_cli_and_sql.h"
#include "test_support.h"

#include "core/project/project_store.h"
#include "core/project/shards.h"
#include "core/science/response_spool.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QTemporaryDir>

#include <algorithm>
#include <cstring>
#include <random>
#include <thread>

using namespace expertscope;
using namespace expertscope::test;

namespace {

// Every stored result of a project, by concept name (ids differ between projects): the
// float32 vectors and kept responses in hex, summaries, top experts, kept sentences' texts.
QStringList resultRows(const QString& project) {
    QStringList rows;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(project.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return {"cannot open " + project};
    }
    const auto query = [&](const char* sql) {
        sqlite3_stmt* q = nullptr;
        if (sqlite3_prepare_v2(db, sql, -1, &q, nullptr) != SQLITE_OK) {
            rows << QString("bad query: %1").arg(sqlite3_errmsg(db));
            return;
        }
        while (sqlite3_step(q) == SQLITE_ROW) {
            QStringList fields;
            for (int c = 0; c < sqlite3_column_count(q); ++c)
                fields << QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(q, c)));
            rows << fields.join('|');
        }
        sqlite3_finalize(q);
    };
    query("SELECT c.name, p.probe_idx, hex(p.ap), hex(p.on_p50), hex(p.on_p90), hex(p.off_mean), hex(p.auroc) "
          "FROM probe_results p JOIN concepts c ON c.id = p.concept_id ORDER BY 1, 2");
    query("SELECT c.name, r.positives, r.negatives, hex(r.best_ap), hex(r.best_auroc) FROM concept_results r "
          "JOIN concepts c ON c.id = r.concept_id ORDER BY 1");
    query("SELECT c.name, t.rank, t.unit, hex(t.ap) FROM top_experts t JOIN concepts c ON c.id = t.concept_id ORDER BY 1, 2");
    query("SELECT c.name, k.unit, hex(k.responses) FROM kept_responses k JOIN concepts c ON c.id = k.concept_id ORDER BY 1, 2");
    // Kept sentences as their texts, in stored order (the ids are the project's own).
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(db, "SELECT c.name, k.sentence_ids, hex(k.labels) FROM kept_sentences k JOIN concepts c ON c.id = k.concept_id ORDER BY 1",
                       -1, &q, nullptr);
    sqlite3_stmt* text = nullptr;
    sqlite3_prepare_v2(db, "SELECT text FROM sentences WHERE id = ?", -1, &text, nullptr);
    while (sqlite3_step(q) == SQLITE_ROW) {
        std::vector<int64_t> ids(static_cast<size_t>(sqlite3_column_bytes(q, 1)) / sizeof(int64_t));
        if (!ids.empty()) std::memcpy(ids.data(), sqlite3_column_blob(q, 1), ids.size() * sizeof(int64_t));
        QStringList texts;
        for (int64_t id : ids) {
            sqlite3_bind_int64(text, 1, id);
            texts << (sqlite3_step(text) == SQLITE_ROW ? QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(text, 0)))
                                                        : QString("missing sentence"));
            sqlite3_reset(text);
        }
        rows << QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(q, 0))) + "|" + texts.join('\n') + "|" +
                    QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(q, 2)));
    }
    sqlite3_finalize(text);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return rows;
}

// The first row where two projects' results differ, or "" when they are equal.
QString firstDifference(const QString& a, const QString& b) {
    const QStringList x = resultRows(a), y = resultRows(b);
    for (int i = 0; i < std::min(x.size(), y.size()); ++i)
        if (x[i] != y[i]) return QString("row %1:\n%2\n%3").arg(i).arg(x[i].left(300), y[i].left(300));
    if (x.size() != y.size()) return QString("%1 rows and %2 rows").arg(x.size()).arg(y.size());
    return x.isEmpty() ? "no results at all" : QString();
}

QByteArray fileHash(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(&f);
    return h.result().toHex();
}

QString runFinished(const QString& project) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(project.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(db, "SELECT COALESCE(finished, 'unfinished') FROM runs", -1, &q, nullptr);
    const QString out = sqlite3_step(q) == SQLITE_ROW ? QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(q, 0))) : "no run";
    sqlite3_finalize(q);
    sqlite3_close(db);
    return out;
}

// The first column of the first row `sql` (with one text parameter) gives, as text.
QString scalar(const QString& project, const char* sql, const QString& parameter = {}) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(project.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &q, nullptr);
    const QByteArray bound = parameter.toUtf8();
    if (sqlite3_bind_parameter_count(q) > 0) sqlite3_bind_text(q, 1, bound.constData(), -1, SQLITE_TRANSIENT);
    const QString out = sqlite3_step(q) == SQLITE_ROW ? QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(q, 0))) : QString();
    sqlite3_finalize(q);
    sqlite3_close(db);
    return out;
}

// Files a merge may leave behind when it goes wrong: partial projects and lock files.
QStringList leftovers(const QString& folder) { return QDir(folder).entryList({"*.partial*", "*.lock"}, QDir::Files); }

QString metaValue(const QString& project, const QString& like) { return scalar(project, "SELECT value FROM meta WHERE key LIKE ?", like); }

// expertscope-cli with one more environment variable (the kernels, say).
Cli cliWith(const QString& variable, const QString& value, const QStringList& args) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(variable, value);
    p.setProcessEnvironment(env);
    p.start(qEnvironmentVariable("EXPERTSCOPE_CLI"), args);
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError()};
}

}  // namespace

class ShardMerge : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    QString model_, tokenizer_, set_;

    QString path(const QString& name) const { return tmp_.filePath(name); }

    // A concept set of seven concepts cut from OneSec's football (20 to 74 positives, 30
    // more negatives each), overlapping, so some sentences are shared between concepts.
    void writeSet(const QString& dir, const QString& changedConcept = {}, bool withEmptyClass = false) {
        const QString football = sharedPath("concepts/onesec/sense/football-1_04_00__.json");
        QFile in(football);
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QJsonObject sentences = QJsonDocument::fromJson(in.readAll()).object().value("sentences").toObject();
        const QJsonArray pos = sentences.value("positive").toArray(), neg = sentences.value("negative").toArray();
        QVERIFY(QDir().mkpath(dir + "/sense"));
        QFile list(dir + "/concept_list.csv");
        QVERIFY(list.open(QIODevice::WriteOnly));
        list.write("group,concept\n");
        for (int k = 0; k < 7; ++k) {
            const int n = 20 + 9 * k;
            QJsonArray p, q;
            for (int i = 0; i < n; ++i) p.append(pos.at(k * 60 + i));
            for (int i = 0; i < n + 30; ++i) q.append(neg.at(k * 50 + i));
            const QString name = QString("c%1").arg(k);
            if (name == changedConcept) p[0] = p[0].toString() + " Changed.";
            QFile f(dir + "/sense/" + name + ".json");
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QJsonDocument(QJsonObject{{"concept", name}, {"group", "sense"}, {"source", "test"},
                                              {"sentences", QJsonObject{{"positive", p}, {"negative", q}}}})
                        .toJson());
            list.write("sense," + name.toUtf8() + "\n");
        }
        if (withEmptyClass) {  // c7: positives only, which an analysis refuses
            QFile f(dir + "/sense/c7.json");
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QJsonDocument(QJsonObject{{"concept", "c7"}, {"group", "sense"}, {"source", "test"},
                                              {"sentences", QJsonObject{{"positive", QJsonArray{pos.at(0), pos.at(1)}}, {"negative", QJsonArray{}}}}})
                        .toJson());
            list.write("sense,c7\n");
        }
    }

    Cli analyse(const QString& project, QStringList extra = {}, const QString& model = {}, const QString& set = {}) {
        return cli(QStringList{"analyse", "--model", model.isEmpty() ? model_ : model, "--tokenizer", tokenizer_, "--concepts",
                               set.isEmpty() ? set_ : set, "--project", project, "--threads", "2"} +
                   extra);
    }

    // Shards I of N into shard-I-of-N<tag>.esproj; fails the test on an error.
    QStringList shards(int n, const QString& tag = {}, const QStringList& extra = {}) {
        QStringList out;
        for (int i = 1; i <= n; ++i) {
            const QString p = path(QString("shard-%1-of-%2%3.esproj").arg(i).arg(n).arg(tag));
            if (!QFile::exists(p)) {
                const Cli r = analyse(p, QStringList{"--shard", QString("%1/%2").arg(i).arg(n)} + extra);
                if (r.code != 0) qWarning("%s", r.err.constData());
            }
            out << p;
        }
        return out;
    }

    QString single() {
        const QString p = path("single.esproj");
        if (!QFile::exists(p)) {
            const Cli r = analyse(p, {"--keep-responses", "4"});
            if (r.code != 0) qWarning("%s", r.err.constData());
        }
        return p;
    }

private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        REQUIRE_SHARED(model, "models/stories260K/stories260K.bin");
        REQUIRE_SHARED(tokenizer, "models/stories260K/tok512.model");
        REQUIRE_SHARED(football, "concepts/onesec/sense/football-1_04_00__.json");
        model_ = model;
        tokenizer_ = tokenizer;
        set_ = path("set");
        writeSet(set_);
    }

    // Every concept in exactly one shard; the shards' sentences within one concept of each
    // other; the split a function of names and sizes only, not of ids.
    void shardsSplitEvenlyAndAlike() {
        std::vector<StoredConcept> concepts;
        std::mt19937 random(7);
        for (int i = 0; i < 200; ++i)
            concepts.push_back({i + 1, "concept " + std::to_string(i), "g", static_cast<int>(random() % 900) + 1, static_cast<int>(random() % 900) + 1});
        for (int n : {1, 2, 3, 8, 200, 300}) {
            std::vector<int> owner(concepts.size(), 0);
            int64_t most = 0, least = std::numeric_limits<int64_t>::max(), largest = 0;
            for (int i = 1; i <= n; ++i) {
                int64_t sentences = 0;
                for (int64_t id : conceptsOfShard(concepts, {i, n})) {
                    ++owner[static_cast<size_t>(id - 1)];
                    const auto& c = concepts[static_cast<size_t>(id - 1)];
                    sentences += c.positives + c.negatives;
                    largest = std::max<int64_t>(largest, c.positives + c.negatives);
                }
                most = std::max(most, sentences);
                least = std::min(least, sentences);
            }
            QVERIFY(std::all_of(owner.begin(), owner.end(), [](int o) { return o == 1; }));
            if (n <= 200) QVERIFY2(most - least <= largest, qPrintable(QString("%1 shards: %2 to %3").arg(n).arg(least).arg(most)));
        }
        // The same concepts under other ids, listed in another order: the same split by name.
        auto renumbered = concepts;
        std::reverse(renumbered.begin(), renumbered.end());
        for (auto& c : renumbered) c.id += 1000;
        for (int i = 1; i <= 3; ++i) {
            std::vector<std::string> a, b;
            for (int64_t id : conceptsOfShard(concepts, {i, 3})) a.push_back(concepts[static_cast<size_t>(id - 1)].name);
            for (int64_t id : conceptsOfShard(renumbered, {i, 3}))
                b.push_back(std::find_if(renumbered.begin(), renumbered.end(), [&](const StoredConcept& c) { return c.id == id; })->name);
            std::sort(a.begin(), a.end());
            std::sort(b.begin(), b.end());
            QCOMPARE(a, b);
        }
    }

    void shardArgumentsAreChecked() {
        QCOMPARE(parseShard("3/8").index, 3);
        QCOMPARE(parseShard("3/8").count, 8);
        for (const char* bad : {"0/3", "4/3", "3", "a/3", "1/0", "-1/3", "1/3/4", " 1/3", "1/1000000"}) {
            bool refused = false;
            try {
                parseShard(bad);
            } catch (const Error& e) {
                refused = std::string(e.what()).find("expected I/N") != std::string::npos;
            }
            QVERIFY2(refused, bad);
        }
        const Cli r = analyse(path("bad-shard.esproj"), {"--shard", "4/3"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("--shard 4/3: expected I/N"), r.err.constData());
        QVERIFY(!QFile::exists(path("bad-shard.esproj")));
    }

    // Three shards merged, in any order, store exactly what one run stores.
    void mergedShardsEqualOneRun() {
        const QString one = single();
        const QStringList parts = shards(3, {}, {"--keep-responses", "4"});
        int analysed = 0;
        for (const auto& p : parts) {
            QCOMPARE(runFinished(p), QString("unfinished"));  // a shard alone is not the whole run
            analysed += static_cast<int>(resultRows(p).filter(QRegularExpression("^c\\d\\|\\d+\\|\\d+\\|[0-9A-F]+\\|[0-9A-F]+$")).size());
        }
        QCOMPARE(analysed, 7);  // each concept in exactly one shard
        const Cli r = cli({"merge", "--out", path("merged.esproj"), parts[0], parts[1], parts[2], "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(o.value("with_results").toInt(), 7);
        QVERIFY(o.value("missing").toArray().isEmpty());
        QCOMPARE(firstDifference(one, path("merged.esproj")), QString());
        QVERIFY(runFinished(path("merged.esproj")) != "unfinished");
        QVERIFY2(leftovers(tmp_.path()).isEmpty(), qPrintable(leftovers(tmp_.path()).join(", ")));
        QCOMPARE(QFile::permissions(path("merged.esproj")), QFile::permissions(parts[0]));  // a new file's usual mode
        // Another order of inputs, the same bytes of results.
        const Cli again = cli({"merge", "--out", path("merged-312.esproj"), parts[2], parts[0], parts[1]});
        QVERIFY2(again.code == 0, again.err.constData());
        QCOMPARE(firstDifference(one, path("merged-312.esproj")), QString());
        // The merged project reads like any other: its experts as the single run's.
        const Cli a = cli({"experts", "--project", path("merged.esproj"), "--concept", "c4", "--top", "5", "--json"});
        const Cli b = cli({"experts", "--project", one, "--concept", "c4", "--top", "5", "--json"});
        QCOMPARE(a.code, 0);
        QCOMPARE(a.out, b.out);
    }

    // Merging as shards finish: an incomplete merge lists what is missing (exit 1, the run
    // not finished); the existing output is merged in again with the rest.
    void anExistingOutputIsMergedIn() {
        const QString one = single();
        const QStringList parts = shards(3, {}, {"--keep-responses", "4"});
        const QString out = path("growing.esproj");
        const Cli first = cli({"merge", "--out", out, parts[0], parts[1]});
        QCOMPARE(first.code, 1);
        QVERIFY2(first.out.contains("missing (no project has them"), first.out.constData());
        QCOMPARE(runFinished(out), QString("unfinished"));
        const Cli rest = cli({"merge", "--out", out, parts[2], "--json"});
        QVERIFY2(rest.code == 0, rest.err.constData());
        QCOMPARE(QJsonDocument::fromJson(rest.out).object().value("inputs").toInt(), 2);
        QCOMPARE(firstDifference(one, out), QString());
        QVERIFY(runFinished(out) != "unfinished");
        // Merging the same shards once more changes no result.
        const Cli repeat = cli({"merge", "--out", out, parts[0], parts[1], parts[2]});
        QCOMPARE(repeat.code, 0);
        QCOMPARE(firstDifference(one, out), QString());
    }

    // A re-run shard skips what it finished: the resumable array task.
    void aShardResumes() {
        const QStringList parts = shards(3, {}, {"--keep-responses", "4"});
        const Cli r = analyse(parts[1], {"--shard", "2/3", "--keep-responses", "4", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(o.value("analysed").toInt(), 0);
        QVERIFY(o.value("already_done").toInt() >= 2);
        QCOMPARE(o.value("shard").toString(), QString("2/3"));
    }

    // Each kind of difference refused, naming it; nothing written, an existing output kept.
    void mismatchesAreRefused() {
        const QStringList parts = shards(3);
        const QString out = path("refusing.esproj");
        QCOMPARE(cli({"merge", "--out", out, parts[0]}).code, 1);  // one shard: incomplete, but written
        const QByteArray before = fileHash(out);
        QVERIFY(!before.isEmpty());

        // Other weights: the model with its last weight changed.
        const QString otherModel = path("other-weights.bin");
        QVERIFY(QFile::copy(model_, otherModel));
        {
            QFile f(otherModel);
            QVERIFY(f.open(QIODevice::ReadWrite));
            QVERIFY(f.seek(f.size() - 2));
            const QByteArray last = f.read(1);
            QVERIFY(f.seek(f.size() - 2));
            f.write(QByteArray(1, static_cast<char>(last[0] ^ 0x01)));
        }
        const QString weights = path("weights.esproj");
        QCOMPARE(analyse(weights, {"--shard", "2/3"}, otherModel).code, 0);
        // Other settings.
        const QString pooling = path("pooling.esproj");
        QCOMPARE(analyse(pooling, {"--shard", "2/3", "--pooling", "mean"}).code, 0);
        // Another concept set: one sentence of c3 changed.
        writeSet(path("set-changed"), "c3");
        const QString changed = path("changed.esproj");
        QCOMPARE(analyse(changed, {"--shard", "2/3"}, {}, path("set-changed")).code, 0);
        // The same concept, other results (one byte of one vector).
        const QString tampered = path("tampered.esproj");
        QVERIFY(QFile::copy(parts[0], tampered));
        execSql(tampered, "UPDATE probe_results SET ap = zeroblob(length(ap)) WHERE probe_idx = 3");
        // Two runs in one project.
        const QString twoRuns = path("two-runs.esproj");
        QVERIFY(QFile::copy(parts[1], twoRuns));
        QCOMPARE(analyse(twoRuns, {"--shard", "2/3", "--pooling", "mean"}).code, 0);
        // Other kernels (LibTorch's own operators, as on a GPU): other last bits.
        const QString aten = path("aten.esproj");
        QCOMPARE(cliWith("EXPERTSCOPE_KERNELS", "aten", {"analyse", "--model", model_, "--tokenizer", tokenizer_, "--concepts", set_,
                                                          "--project", aten, "--shard", "2/3"}).code, 0);
        const QString here = metaValue(parts[1], "analysed_on/%"), there = metaValue(aten, "analysed_on/%");
        QVERIFY2(here.startsWith("cpu, batch-invariant kernels") && here.contains("; responses "), qPrintable(here));
        QVERIFY2(there.startsWith("cpu, ATen kernels") && there != here, qPrintable(there));
        // Not a project.
        const QString text = path("notes.esproj");
        {
            QFile f(text);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("not a project\n");
        }
        const struct {
            QString first, input, message;
        } cases[] = {
            {parts[1], weights, "they were analysed with different model weights (SHA-256 "},
            {parts[1], pooling, "their runs used different settings ({\"pooling\": \"max\", \"sequence_length\": 0} and {\"pooling\": \"mean\", \"sequence_length\": 0})"},
            {parts[1], changed, "concept 'c3' differs between them (its sentences, group, source or words)"},
            {parts[0], tampered, "differ from those in"},  // the same concepts as shard 1
            {parts[1], twoRuns, "it holds 2 analysis runs; merge combines projects of one run each"},
            {parts[1], aten, "their responses were computed differently (" + here + ", and " + there + "), so they differ in their last bits"},
            {parts[1], text, "not an Expertscope project"},
        };
        for (const auto& c : cases) {
            const Cli r = cli({"merge", "--out", out, c.first, c.input});
            QVERIFY2(r.code == 1 && r.err.contains(c.message.toUtf8()), qPrintable(c.input + ": " + r.err));
            QVERIFY2(r.err.startsWith("expertscope-cli merge: cannot merge") || c.input == text, r.err.constData());
            QVERIFY2(!r.err.contains("merge: merge:"), r.err.constData());
            QCOMPARE(fileHash(out), before);  // the existing output untouched
            QVERIFY2(leftovers(tmp_.path()).isEmpty(), qPrintable(leftovers(tmp_.path()).join(", ")));
            const Cli fresh = cli({"merge", "--out", path("never.esproj"), c.first, c.input});
            QCOMPARE(fresh.code, 1);
            QVERIFY(!QFile::exists(path("never.esproj")));
        }
    }

    // Shards whose projects gave their concepts and sentences other ids (another set was
    // imported first): results and kept sentences mapped by name and text, equal again.
    void idsDifferBetweenShards() {
        const QString one = single();
        const QStringList parts = shards(3, {}, {"--keep-responses", "4"});
        const QString shifted = path("shifted-2-of-3.esproj");
        {
            auto store = ProjectStore::open(shifted.toStdString(), true);
            ConceptSet other;
            other.name = "other";
            other.origin = "test";
            Concept c;
            c.name = "c2";  // the same name in another set
            for (int i = 0; i < 40; ++i) c.positives.push_back("an unrelated sentence " + std::to_string(i));
            for (int i = 0; i < 40; ++i) c.negatives.push_back("another unrelated sentence " + std::to_string(i));
            other.concepts.push_back(c);
            store->addConceptSet(other);
        }
        const Cli r = analyse(shifted, {"--shard", "2/3", "--keep-responses", "4"});
        QVERIFY2(r.code == 0, r.err.constData());
        const char* idOfC0 = "SELECT c.id FROM concepts c JOIN runs r ON r.set_id = c.set_id WHERE c.name = 'c0'";
        QVERIFY(scalar(shifted, idOfC0) != scalar(parts[0], idOfC0));  // other ids for the same concept
        const char* firstSentence = "SELECT MIN(cs.sentence_id) FROM concept_sentences cs JOIN concepts c ON c.id = cs.concept_id "
                                    "JOIN runs r ON r.set_id = c.set_id";
        QVERIFY(scalar(shifted, firstSentence) != scalar(parts[0], firstSentence));
        const QString out = path("shifted-merged.esproj");
        const Cli m = cli({"merge", "--out", out, shifted, parts[0], parts[2]});
        QVERIFY2(m.code == 0, m.err.constData());
        QCOMPARE(firstDifference(one, out), QString());
    }

    // Kernels whose responses depend on the batch (ATen's, a GPU's): shards of them merge,
    // saying their results equal one run only up to rounding; a shard continued on a
    // machine that computes otherwise is marked mixed and then merges with nothing.
    void numericsAreRecordedAndCompared() {
        QStringList aten;
        for (int i = 1; i <= 3; ++i) {
            aten << path(QString("aten-%1-of-3.esproj").arg(i));
            QCOMPARE(cliWith("EXPERTSCOPE_KERNELS", "aten", {"analyse", "--model", model_, "--tokenizer", tokenizer_, "--concepts", set_,
                                                              "--project", aten.back(), "--shard", QString("%1/3").arg(i)}).code, 0);
        }
        const Cli r = cliWith("EXPERTSCOPE_KERNELS", "aten", {"merge", "--out", path("aten-merged.esproj"), aten[0], aten[1], aten[2], "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonArray notes = QJsonDocument::fromJson(r.out).object().value("notes").toArray();
        QCOMPARE(notes.size(), 1);
        QVERIFY2(notes[0].toString().contains("only up to rounding in their last bits"), qPrintable(notes[0].toString()));

        // An empty shard (8 of 8: seven concepts) records no numerics: the next input that
        // does is the reference, and the merged project records it.
        const QStringList parts8 = shards(8);
        QVERIFY(metaValue(parts8[7], "analysed_on/%").isEmpty());
        const Cli skipped = cli({"merge", "--out", path("empty-first.esproj"), parts8[7], parts8[0], aten[1]});
        QCOMPARE(skipped.code, 1);
        QVERIFY2(skipped.err.contains("their responses were computed differently"), skipped.err.constData());
        QVERIFY(!QFile::exists(path("empty-first.esproj")));
        const Cli fine = cli({"merge", "--out", path("empty-first.esproj"), parts8[7], parts8[0], parts8[1]});
        QCOMPARE(fine.code, 1);  // concepts missing, but merged
        QCOMPARE(metaValue(path("empty-first.esproj"), "analysed_on/%"), metaValue(parts8[0], "analysed_on/%"));

        // A shard with one concept still to do, continued with other kernels.
        const QStringList parts = shards(3);
        const QString mixed = path("mixed-1-of-3.esproj");
        QVERIFY(QFile::copy(parts[0], mixed));
        execSql(mixed, "DELETE FROM concept_results WHERE concept_id = (SELECT MAX(concept_id) FROM concept_results)");
        const Cli resumed = cliWith("EXPERTSCOPE_KERNELS", "aten", {"analyse", "--model", model_, "--tokenizer", tokenizer_, "--concepts",
                                                                     set_, "--project", mixed, "--shard", "1/3"});
        QVERIFY2(resumed.code == 0, resumed.err.constData());
        QVERIFY2(resumed.out.contains("note: this run's earlier results were computed as cpu, batch-invariant kernels"), resumed.out.constData());
        QVERIFY(metaValue(mixed, "analysed_on/%").contains(" | cpu, ATen kernels"));
        const Cli refused = cli({"merge", "--out", path("mixed-merged.esproj"), mixed, parts[1], parts[2]});
        QCOMPARE(refused.code, 1);
        QVERIFY2(refused.err.contains("their responses were computed differently"), refused.err.constData());
    }

    // A concept every analysis refuses (no negatives) is listed with its reason, not as
    // missing; the merged run, like a single run with a refusal, is not finished.
    void refusedConceptsAreReportedWithTheirReason() {
        const QString set = path("set-refusing");
        writeSet(set, {}, true);
        QStringList parts;
        for (int i = 1; i <= 2; ++i) {
            parts << path(QString("refusing-%1-of-2.esproj").arg(i));
            analyse(parts.back(), {"--shard", QString("%1/2").arg(i)}, {}, set);
        }
        const Cli r = cli({"merge", "--out", path("with-refusal.esproj"), parts[0], parts[1], "--json"});
        QCOMPARE(r.code, 1);
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        QVERIFY(o.value("missing").toArray().isEmpty());
        const QJsonArray refused = o.value("refused").toArray();
        QVERIFY2(refused.size() == 1, r.out + r.err);
        QCOMPARE(refused[0].toObject().value("concept").toString(), QString("c7"));
        QVERIFY2(refused[0].toObject().value("message").toString().contains("negative"), qPrintable(refused[0].toObject().value("message").toString()));
        QCOMPARE(o.value("with_results").toInt(), 7);
        QCOMPARE(runFinished(path("with-refusal.esproj")), QString("unfinished"));
        // Merged again from the output alone, the refusal is still known.
        const Cli again = cli({"merge", "--out", path("with-refusal.esproj"), parts[0], "--json"});
        QCOMPARE(QJsonDocument::fromJson(again.out).object().value("refused").toArray().size(), 1);
    }

    // Merging into an output another program has open (the application showing it, with
    // changes of its own still in the write-ahead log): written through SQLite, so the file
    // stays sound and the open connection reads the merged results.
    void mergingIntoAProjectThatIsOpen() {
        const QString one = single();
        const QStringList parts = shards(3, {}, {"--keep-responses", "4"});
        const QString out = path("open.esproj");
        QCOMPARE(cli({"merge", "--out", out, parts[0]}).code, 1);
        const QFile::Permissions permissions = QFile::permissions(out) | QFile::ReadGroup;
        QVERIFY(QFile::setPermissions(out, permissions));
        auto viewer = ProjectStore::open(out.toStdString(), false);
        viewer->setMeta("viewer", "was here");  // a commit that stays in the -wal while open
        QVERIFY(QFileInfo(out + "-wal").size() > 0);
        const Cli r = cli({"merge", "--out", out, parts[1], parts[2]});
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(viewer->results(1).size(), size_t{7});  // the open connection sees the merge
        viewer.reset();
        QCOMPARE(firstDifference(one, out), QString());
        const Cli check = cli({"experts", "--project", out, "--concept", "c6", "--top", "3"});
        QCOMPARE(check.code, 0);
        QCOMPARE(QFile::permissions(out), permissions);  // the same file, not a new one
        const QStringList left = QDir(tmp_.path()).entryList({"open.esproj.*"});
        QVERIFY2(left.isEmpty(), qPrintable(left.join(", ")));
    }

    // An empty file at --out is no project: replaced. A project without a run there is
    // refused as the existing output, untouched.
    void theExistingOutputIsNamedWhenItIsTheProblem() {
        const QString one = single();
        const QStringList parts = shards(3);
        const QString empty = path("empty.esproj");
        QVERIFY(QFile(empty).open(QIODevice::WriteOnly));
        const Cli r = cli({"merge", "--out", empty, parts[0], parts[1], parts[2]});
        QVERIFY2(r.code == 0, r.err.constData());
        const QString runless = path("runless.esproj");
        ProjectStore::open(runless.toStdString(), true);
        const QByteArray before = fileHash(runless);
        const Cli refused = cli({"merge", "--out", runless, parts[0]});
        QCOMPARE(refused.code, 1);
        QVERIFY2(refused.err.contains("holds 0 analysis runs") && refused.err.contains("is the existing --out, which is merged in too"),
                 refused.err.constData());
        QCOMPARE(fileHash(runless), before);
    }

    // Responses kept in a temporary file and scored probe by probe give the in-memory
    // results to the bit; chosen by itself for a concept over --max-memory-mb, refused
    // when one probe alone would not fit.
    void responsesOnDiskEqualInMemory() {
        const QString one = single();
        const QString disk = path("on-disk.esproj");
        const Cli r = analyse(disk, {"--responses-on-disk", "--keep-responses", "4", "--scratch", tmp_.path()});
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(firstDifference(one, disk), QString());
        // 1 MB holds 87 sentences x 3,000 units x 4 bytes: the six concepts of 88 sentences
        // and more go to disk, the first (70) stays in memory.
        const QString automatic = path("automatic.esproj");
        const Cli a = analyse(automatic, {"--max-memory-mb", "1", "--keep-responses", "4", "--json"});
        QVERIFY2(a.code == 0, a.err.constData());
        int notes = 0;
        for (const auto& m : QJsonDocument::fromJson(a.out).object().value("messages").toArray())
            notes += m.toObject().value("message").toString().contains("kept in a temporary file and scored one probe at a time");
        QCOMPARE(notes, 6);
        QCOMPARE(firstDifference(one, automatic), QString());
        const Cli missingScratch = analyse(path("scratch.esproj"), {"--scratch", path("no-such-folder")});
        QCOMPARE(missingScratch.code, 1);
        QVERIFY2(missingScratch.err.contains("no-such-folder: no such folder"), missingScratch.err.constData());
    }

    // The spool alone: rows written in any order from several threads, read back probe by
    // probe, scored exactly as the whole matrix is (ties and all).
    void spoolScoresAsTheMatrix() {
        const int rows = 61;
        const std::vector<int> widths{5, 17, 1, 9, 30};
        std::vector<ProbePoint> probes;
        int64_t units = 0;
        for (int w : widths) {
            ProbePoint p;
            p.name = "probe " + std::to_string(probes.size());
            p.units = w;
            p.offset = units;
            units += w;
            probes.push_back(p);
        }
        std::mt19937 random(11);
        std::vector<float> matrix(static_cast<size_t>(rows * units));
        for (auto& v : matrix) v = static_cast<float>(static_cast<int>(random() % 9)) * 0.25f;  // many ties
        std::vector<uint8_t> labels(rows);
        for (int i = 0; i < rows; ++i) labels[static_cast<size_t>(i)] = i % 3 == 0;
        ResponseSpool spool(tmp_.path().toStdString(), rows, probes);
        std::vector<int64_t> order(rows);
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), random);
        std::thread other([&] {
            for (size_t i = 0; i < order.size(); i += 2) spool.writeRow(order[i], matrix.data() + order[i] * units);
        });
        for (size_t i = 1; i < order.size(); i += 2) spool.writeRow(order[i], matrix.data() + order[i] * units);
        other.join();
        const UnitExpertise a = computeExpertise(matrix.data(), rows, units, labels, 2);
        const UnitExpertise b = computeExpertise(spool, labels, 2);
        for (const auto& [x, y] : {std::pair{&a.ap, &b.ap}, {&a.onP50, &b.onP50}, {&a.onP90, &b.onP90}, {&a.offMean, &b.offMean},
                                   {&a.auroc, &b.auroc}}) {
            QCOMPARE(y->size(), x->size());
            QVERIFY(std::memcmp(x->data(), y->data(), x->size() * sizeof(double)) == 0);
        }
        QCOMPARE(spool.readProbe(3).size(), size_t{rows * 9});
    }

    // Not enough room for the file: refused before anything is written, naming the folder.
    void spoolRefusesWithoutRoom() {
        ProbePoint p;
        p.units = 1 << 20;
        const int64_t free = freeBytes(tmp_.path().toStdString());
        QVERIFY(free > 0);
        const int64_t rows = free / (int64_t{4} << 20) + 1000;  // a little more than fits
        QString message;
        try {
            ResponseSpool spool(tmp_.path().toStdString(), rows, {p});
        } catch (const Error& e) {
            message = e.what();
        }
        QVERIFY2(message.contains("need a temporary file in " + tmp_.path()) && message.contains("free; name a folder with more room (--scratch, or TMPDIR)"),
                 qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(ShardMerge)
#include "tst_shard_merge.moc"
