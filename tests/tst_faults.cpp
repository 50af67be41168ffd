// What real machines do to a long analysis, and what must survive it: the process killed
// at every kind of moment (at exact writes, through an SQLite VFS that dies mid-write, and
// the real command line killed at random times), the disk filling up (a VFS that refuses
// writes past a budget, and a real size-limited filesystem where this machine may mount
// one) and a read-only project. Each time: a clear message, the project still opens, every
// concept finished before is intact to the bit, and the next run resumes to exactly the
// uninterrupted result.
#include "core/base/error.h"
#include "core/project/analysis.h"
#include "core/project/project_store.h"
#include "core/runtime/language_model.h"
#include "faulty_vfs.h"
#include "test_support.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QThread>

#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <iostream>

using namespace expertscope;

namespace {

constexpr int kConcepts = 4;

// The run every child makes: one worker, a few kept responses (written in the commits too).
RunSettings childSettings() {
    RunSettings settings;
    settings.workers = 1;
    settings.keepResponses = 3;
    return settings;
}

// Runs the analysis of `concepts` into `project` under the faulty VFS, in this process (a
// child of the test): `mode` is "count", "kill" (dies during write `value`) or "full"
// (writes past `value` bytes fail). Prints what it counted as JSON; exit 1 with the
// message on an error, as the command line does.
int childMain(const QStringList& a) {
    const std::string project = a[0].toStdString(), concepts = a[1].toStdString(), modelPath = a[2].toStdString();
    const QString mode = a[3];
    const qint64 value = a[4].toLongLong();
    test::installFaultyVfs();
    if (mode == "kill") test::faultPlan().killAtWrite = value;
    if (mode == "full") test::faultPlan().byteBudget = value;
    QJsonArray commits;  // [writes before, writes after] each concept's transaction
    try {
        auto model = loadModel({modelPath, ""});
        auto store = ProjectStore::open(project, true);
        const int64_t modelId = store->addModel(*model);
        const int64_t setId = importOrReuseConceptSet(*store, concepts);
        const RunSettings settings = childSettings();
        int done = -1;
        int64_t before = 0;
        analyse(*store, *model, modelId, setId, settings, [&](const AnalysisProgress& p) {
            if (done >= 0 && p.conceptsDone > done) commits.append(QJsonArray{qint64(before), qint64(test::faultPlan().writes)});
            done = p.conceptsDone;
            before = test::faultPlan().writes;
            return true;
        });
    } catch (const std::exception& e) {
        std::cerr << e.what() << std::endl;
        return 1;
    }
    const QJsonObject out{{"writes", qint64(test::faultPlan().writes)}, {"bytes", qint64(test::faultPlan().bytes)},
                          {"commits", commits}};
    std::cout << QJsonDocument(out).toJson(QJsonDocument::Compact).toStdString() << std::endl;
    return 0;
}

struct Outcome {
    int code = -1;
    bool crashed = false;
    QByteArray out, err;
};

Outcome runChild(const QStringList& args) {
    QProcess p;
    p.start(QCoreApplication::applicationFilePath(), QStringList{"--child"} + args);
    p.waitForFinished(300000);
    return {p.exitCode(), p.exitStatus() == QProcess::CrashExit, p.readAllStandardOutput(), p.readAllStandardError()};
}

bool sameValues(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return false;
    return true;
}

// Every result of `project` equals the reference's, bit for bit; returns how many concepts
// were finished there (QVERIFY failures leave it at -1).
int compareWithReference(const QString& project, const QString& reference, QString* problem) {
    if (!QFileInfo::exists(project)) return 0;  // killed before it made the file
    std::unique_ptr<ProjectStore> got, want;
    try {
        got = ProjectStore::open(project.toStdString(), false);
        want = ProjectStore::open(reference.toStdString(), false);
    } catch (const Error& e) {
        *problem = QString("does not open: ") + e.what();
        return -1;
    }
    const int64_t modelId = got->latestModel(), setId = got->latestConceptSet();
    const int64_t run = modelId && setId ? got->findRun(modelId, setId, childSettings()) : 0;
    if (!run) return 0;  // killed before the run was made
    const int64_t refRun = want->findRun(want->latestModel(), want->latestConceptSet(), childSettings());
    const auto finished = got->finishedConcepts(run);
    const auto concepts = got->concepts(setId), refConcepts = want->concepts(want->latestConceptSet());
    for (int64_t id : finished) {
        const auto c = std::find_if(concepts.begin(), concepts.end(), [&](const auto& s) { return s.id == id; });
        const auto r = std::find_if(refConcepts.begin(), refConcepts.end(), [&](const auto& s) { return s.name == c->name; });
        const auto a = got->loadConceptResult(run, id), b = want->loadConceptResult(refRun, r->id);
        if (!sameValues(a.ap, b.ap) || !sameValues(a.onP50, b.onP50) || !sameValues(a.onP90, b.onP90) ||
            !sameValues(a.offMean, b.offMean) || !sameValues(a.auroc, b.auroc)) {
            *problem = QString::fromStdString(c->name) + ": results differ from the uninterrupted run's";
            return -1;
        }
        const auto ta = got->topExperts(run, id, 20), tb = want->topExperts(refRun, r->id, 20);
        for (size_t i = 0; i < std::max(ta.size(), tb.size()); ++i)
            if (i >= ta.size() || i >= tb.size() || ta[i].unit != tb[i].unit || ta[i].ap != tb[i].ap) {
                *problem = QString::fromStdString(c->name) + ": top experts differ";
                return -1;
            }
    }
    return static_cast<int>(finished.size());
}

}  // namespace

class TestFaults : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    QString model_, concepts_, reference_;
    QJsonObject counted_;  // what the uninterrupted run wrote

    QString fresh(const QString& name) {
        const QString path = tmp_.filePath(name);
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) QFile::remove(path + suffix);
        return path;
    }

    // After a fault: the project opens, what finished is intact, and the next run (no fault)
    // resumes and ends equal to the reference. Returns the concepts finished before it.
    int checkAndResume(const QString& project, const QString& what) {
        QString problem;
        const int before = compareWithReference(project, reference_, &problem);
        if (before < 0) {
            QTest::qFail(qPrintable(what + ": " + problem), __FILE__, __LINE__);
            return -1;
        }
        const auto resumed = runChild({project, concepts_, model_, "count", "0"});
        if (resumed.code != 0) {
            QTest::qFail(qPrintable(what + ": the next run failed: " + resumed.err), __FILE__, __LINE__);
            return -1;
        }
        if (compareWithReference(project, reference_, &problem) != kConcepts) {
            QTest::qFail(qPrintable(what + ": after resuming: " + problem), __FILE__, __LINE__);
            return -1;
        }
        return before;
    }

private slots:
    void initTestCase() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        REQUIRE_SHARED(football, "concepts/onesec/sense/football-1_04_00__.json");
        model_ = bin;
        // Four concepts from disjoint slices of OneSec's football sentences: each runs its
        // own sentences through the model (none is reused from another).
        QFile f(football);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto sentences = QJsonDocument::fromJson(f.readAll()).object().value("sentences").toObject();
        const auto pos = sentences.value("positive").toArray(), neg = sentences.value("negative").toArray();
        concepts_ = tmp_.filePath("set");
        QVERIFY(QDir().mkpath(concepts_ + "/sense"));
        QFile list(concepts_ + "/concept_list.csv");
        QVERIFY(list.open(QIODevice::WriteOnly));
        list.write("group,concept\n");
        for (int c = 0; c < kConcepts; ++c) {
            const QString name = QString("part%1").arg(c);
            QJsonArray p, n;
            for (int i = 0; i < 30; ++i) {
                p.append(pos[c * 30 + i]);
                n.append(neg[c * 30 + i]);
            }
            const QJsonObject concept{{"concept", name}, {"group", "sense"}, {"source", "test"},
                                      {"sentences", QJsonObject{{"positive", p}, {"negative", n}}}};
            QFile out(concepts_ + "/sense/" + name + ".json");
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(QJsonDocument(concept).toJson());
            list.write("sense," + name.toUtf8() + "\n");
        }
        list.close();
        reference_ = tmp_.filePath("reference.esproj");
        const auto r = runChild({reference_, concepts_, model_, "count", "0"});
        QVERIFY2(r.code == 0, r.err.constData());
        counted_ = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(counted_.value("commits").toArray().size(), kConcepts);
        qInfo("uninterrupted run: %lld writes, %lld bytes", counted_.value("writes").toInteger(), counted_.value("bytes").toInteger());
    }

    // Killed during exact writes: while the project is created, inside each concept's
    // commit (its first, middle and last write) and between commits; torn writes included.
    void killedDuringWrites() {
        const qint64 total = counted_.value("writes").toInteger();
        QList<qint64> moments{1, 2, 3, 5, 8, total};
        for (const auto& c : counted_.value("commits").toArray()) {
            const qint64 from = c.toArray()[0].toInteger() + 1, to = c.toArray()[1].toInteger();
            moments << from << (from + to) / 2 << to;
            if (to + 1 < total) moments << to + 1;
        }
        std::sort(moments.begin(), moments.end());
        moments.erase(std::unique(moments.begin(), moments.end()), moments.end());
        QVector<int> finishedBefore;
        for (qint64 at : moments) {
            const QString project = fresh("killed.esproj");
            const auto r = runChild({project, concepts_, model_, "kill", QString::number(at)});
            QVERIFY2(r.crashed, qPrintable(QString("write %1 of %2 was never reached").arg(at).arg(total)));
            const int before = checkAndResume(project, QString("killed during write %1 of %2").arg(at).arg(total));
            if (QTest::currentTestFailed()) return;
            finishedBefore << before;
        }
        qInfo("killed at %lld moments; concepts intact each time: %s", static_cast<long long>(moments.size()),
              qPrintable([&] { QStringList s; for (int b : finishedBefore) s << QString::number(b); return s.join(' '); }()));
        // The moments span the run: none finished, some, and all.
        QCOMPARE(finishedBefore.first(), 0);
        QCOMPARE(finishedBefore.last(), kConcepts);
    }

    // The disk fills up at budgets spread over everything the run writes: the error says so,
    // and freeing space (the next run without the budget) resumes.
    void diskFullAtManyPoints() {
        const qint64 bytes = counted_.value("bytes").toInteger();
        QStringList outcomes;  // concepts intact after each
        for (int i = 0; i < 8; ++i) {
            const qint64 budget = bytes * i / 8 + 1000;
            const QString project = fresh("full.esproj");
            const auto r = runChild({project, concepts_, model_, "full", QString::number(budget)});
            QVERIFY2(!r.crashed, qPrintable(QString("budget %1: crashed: %2").arg(budget).arg(r.err)));
            // Either the error says so, or the refused writes were only copies SQLite makes
            // from its WAL into the file (a checkpoint, retried later): then all is stored.
            if (r.code == 0) {
                QString problem;
                QCOMPARE(compareWithReference(project, reference_, &problem), kConcepts);
                outcomes << "all stored";
                continue;
            }
            QVERIFY2(r.code == 1 && r.err.contains("the disk is full"), r.err.constData());
            outcomes << QString::number(checkAndResume(project, QString("disk full after %1 of %2 bytes").arg(budget).arg(bytes)));
            if (QTest::currentTestFailed()) return;
        }
        qInfo("disk full at 8 budgets up to %lld bytes; concepts intact each time: %s", bytes, qPrintable(outcomes.join(", ")));
    }

    // The real command line, killed (SIGKILL) at seeded random moments of its run.
    void commandLineKilledAtRandomMoments() {
        const QString cli = qEnvironmentVariable("EXPERTSCOPE_CLI");
        if (!QFileInfo::exists(cli)) MISSING_ASSET("EXPERTSCOPE_CLI (expertscope-cli) is not set");
        const auto args = [&](const QString& project) {
            return QStringList{"analyse", "--model", model_, "--concepts", concepts_, "--project", project,
                               "--threads", "1", "--keep-responses", "3"};
        };
        QElapsedTimer clock;
        clock.start();
        const QString whole = fresh("cli.esproj");
        QCOMPARE(QProcess::execute(cli, args(whole)), 0);
        const int span = static_cast<int>(clock.elapsed());
        QString problem;
        QCOMPARE(compareWithReference(whole, reference_, &problem), kConcepts);
        QRandomGenerator random(16);
        QStringList finished;
        for (int i = 0; i < 8; ++i) {
            const QString project = fresh("cli-killed.esproj");
            const int at = static_cast<int>(random.bounded(span));
            QProcess p;
            p.start(cli, args(project));
            QVERIFY(p.waitForStarted());
            QThread::msleep(static_cast<unsigned long>(at));
            p.kill();
            p.waitForFinished();
            finished << QString::number(checkAndResume(project, QString("the command line killed after %1 ms").arg(at)));
            if (QTest::currentTestFailed()) return;
        }
        qInfo("an uninterrupted run took %d ms; killed at 8 moments, concepts intact each time: %s", span, qPrintable(finished.join(' ')));
    }

    // A filesystem of a fixed size (tmpfs), filled by the project: the command line says the
    // disk is full, and with more room the same project resumes.
    void diskFullOnARealFilesystem() {
        if (geteuid() != 0)
            QSKIP("mounting a size-limited filesystem needs root here; diskFullAtManyPoints fills the disk through SQLite instead");
        const QString cli = qEnvironmentVariable("EXPERTSCOPE_CLI");
        if (!QFileInfo::exists(cli)) MISSING_ASSET("EXPERTSCOPE_CLI (expertscope-cli) is not set");
        QTemporaryDir dir;
        const QByteArray where = QFile::encodeName(dir.path());
        // Room for the finished project's file, but not for it and its WAL at once.
        const qint64 room = (QFileInfo(reference_).size() + 4095) / 4096 * 4096;
        if (mount("tmpfs", where.constData(), "tmpfs", 0, QByteArray("size=" + QByteArray::number(room)).constData()) != 0)
            QSKIP(qPrintable(QString("cannot mount a tmpfs here (%1); diskFullAtManyPoints covers a full disk").arg(strerror(errno))));
        const auto unmount = qScopeGuard([&] { umount2(where.constData(), MNT_DETACH); });
        const QString project = dir.filePath("p.esproj");
        const QStringList args{"analyse", "--model", model_, "--concepts", concepts_, "--project", project,
                               "--threads", "1", "--keep-responses", "3"};
        QProcess p;
        p.start(cli, args);
        QVERIFY(p.waitForFinished(300000));
        const QByteArray err = p.readAllStandardError();
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QVERIFY2(p.exitCode() == 1 && err.contains("the disk is full"), err.constData());
        QString problem;
        const int before = compareWithReference(project, reference_, &problem);
        QVERIFY2(before >= 0, qPrintable(problem));
        qInfo("a %lld-byte filesystem held %d of %d concepts; the message: %s", room, before, kConcepts, err.trimmed().constData());
        QCOMPARE(mount(nullptr, where.constData(), nullptr, MS_REMOUNT, "size=256m"), 0);
        QCOMPARE(QProcess::execute(cli, args), 0);
        QCOMPARE(compareWithReference(project, reference_, &problem), kConcepts);
    }

    // A project file that may not be written: analysing into it says so before any work and
    // leaves it byte for byte as it was; reading it works; made writable, it resumes.
    void readOnlyProject() {
        const QString cli = qEnvironmentVariable("EXPERTSCOPE_CLI");
        if (!QFileInfo::exists(cli)) MISSING_ASSET("EXPERTSCOPE_CLI (expertscope-cli) is not set");
        // A folder others may enter: as root, the command line runs as nobody (root writes
        // through any file mode).
        QTemporaryDir dir;
        QVERIFY(QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadOther |
                                                      QFile::ExeOther | QFile::ReadGroup | QFile::ExeGroup));
        const QString project = dir.filePath("p.esproj");
        // Two of the four concepts finished: killed right after the second commit.
        const qint64 second = counted_.value("commits").toArray()[1].toArray()[1].toInteger();
        QVERIFY(runChild({project, concepts_, model_, "kill", QString::number(second + 1)}).crashed);
        const auto run = [&](const QStringList& args) {
            QProcess p;
            if (geteuid() == 0)
                p.start("setpriv", QStringList{"--reuid=65534", "--regid=65534", "--clear-groups", cli} + args);
            else
                p.start(cli, args);
            p.waitForFinished(300000);
            return std::make_pair(p.exitCode(), p.readAllStandardError() + p.readAllStandardOutput());
        };
        const auto readOnly = [&] { return QFile::setPermissions(project, QFile::ReadOwner | QFile::ReadGroup | QFile::ReadOther); };
        const auto writable = [&] {
            return QFile::setPermissions(project, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
        };
        // Killed, its last commits are still in its WAL, which a reader that may not write
        // cannot fold in: refused, saying so (not shown without them).
        QVERIFY(QFileInfo(project + "-wal").size() > 0);
        QVERIFY(readOnly());
        const auto pending = run({"experts", "--project", project, "--concept", "part1", "--top", "3"});
        QVERIFY2(pending.first == 1 && pending.second.contains("its last changes are still in"), pending.second.constData());
        QVERIFY(writable());
        ProjectStore::open(project.toStdString(), false).reset();  // closed cleanly: the WAL folded in
        QVERIFY(readOnly());
        const auto bytes = [&] {
            QFile f(project);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        };
        const QByteArray was = bytes();
        const QStringList analyse{"analyse", "--model", model_, "--concepts", concepts_, "--project", project,
                                  "--threads", "1", "--keep-responses", "3"};
        const auto refused = run(analyse);
        QVERIFY2(refused.first == 1 && refused.second.contains("read-only"), refused.second.constData());
        QVERIFY(bytes() == was);
        const auto read = run({"experts", "--project", project, "--concept", "part1", "--top", "3"});
        QVERIFY2(read.first == 0, read.second.constData());
        QVERIFY(bytes() == was);
        QString problem;
        QCOMPARE(compareWithReference(project, reference_, &problem), 2);
        QVERIFY(writable());
        QCOMPARE(QProcess::execute(cli, analyse), 0);
        QCOMPARE(compareWithReference(project, reference_, &problem), kConcepts);
        qInfo("refused with: %s", refused.second.trimmed().constData());
    }
};

int main(int argc, char** argv) {
    if (argc > 1 && std::strcmp(argv[1], "--child") == 0) {
        QCoreApplication app(argc, argv);
        return childMain(app.arguments().mid(2));
    }
    QCoreApplication app(argc, argv);
    TestFaults t;
    return QTest::qExec(&t, argc, argv);
}

#include "tst_faults.moc"
