// Inputs sized to exhaust a machine, and the bounds that hold instead: a 10 MB sentence is
// judged from its first part (dropped, or cut), a concept whose responses would not fit in
// the memory an analysis may use is refused before any work, a checkpoint whose config
// claims an absurd context is refused before anything is allocated for it, and a tokenizer
// with two million merges loads in memory proportional to its file. Peak memory is read
// from the kernel (VmHWM) of the process doing the work.
#include "core/base/error.h"
#include "core/project/long_text.h"
#include "core/tokenizers/tokenizer.h"
#include "test_support.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QThread>

#include <chrono>

using namespace expertscope;

namespace {

// Under AddressSanitizer every allocation carries shadow memory and freed blocks wait in a
// 256 MB quarantine: the bounds below are for the program, so they are loosened there.
#if defined(__SANITIZE_ADDRESS__)
constexpr double kMemoryScale = 3;
#else
constexpr double kMemoryScale = 1;
#endif

// Peak resident memory of a process, in MB (0 when it is gone).
double peakMb(qint64 pid) {
    QFile status(QString("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly)) return 0;
    for (const QByteArray& line : status.readAll().split('\n'))
        if (line.startsWith("VmHWM:")) return line.mid(6).trimmed().split(' ').first().toDouble() / 1024;
    return 0;
}

struct Run {
    int code = -1;
    QByteArray out, err;
    double peakMb = 0, seconds = 0;
};

// The command line, its peak memory sampled every 10 ms until it ends.
Run cli(const QStringList& args) {
    Run r;
    QProcess p;
    const auto start = std::chrono::steady_clock::now();
    p.start(qEnvironmentVariable("EXPERTSCOPE_CLI"), args);
    if (!p.waitForStarted()) return r;
    while (!p.waitForFinished(10)) r.peakMb = std::max(r.peakMb, peakMb(p.processId()));
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

void writeTable(const QString& path, const QList<QByteArray>& positives, const QList<QByteArray>& negatives) {
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(path));
    f.write("label,sentence\n");
    for (const auto& s : positives) f.write("1,\"" + s + "\"\n");
    for (const auto& s : negatives) f.write("0,\"" + s + "\"\n");
}

QList<QByteArray> sentences(const char* stem, int count) {
    QList<QByteArray> out;
    for (int i = 0; i < count; ++i) out << QByteArray(stem) + " number " + QByteArray::number(i) + " sat on the mat";
    return out;
}

QJsonArray messagesOf(const Run& r) { return QJsonDocument::fromJson(r.out).object().value("messages").toArray(); }

}  // namespace

class TestResourceLimits : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    QString model_;

private slots:
    void initTestCase() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        model_ = bin;
        if (!QFileInfo::exists(qEnvironmentVariable("EXPERTSCOPE_CLI"))) MISSING_ASSET("EXPERTSCOPE_CLI (expertscope-cli) is not set");
    }

    // A 10 MB sentence (words, and one 10 MB word) among short ones: dropped as too long, or
    // cut to the context with --long truncate, in about the memory and time of the same
    // analysis without it (before: 1.1-2.6 GB and 10-18 s, tokenizing all of it).
    void tenMegabyteSentence() {
        const QList<QByteArray> negatives = sentences("a dog", 10);
        const QString plain = tmp_.filePath("plain.csv");
        writeTable(plain, sentences("the cat", 10), negatives);
        const auto analyse = [&](const QString& table, const QString& project, const QString& policy) {
            return cli({"analyse", "--model", model_, "--concepts", table, "--project", tmp_.filePath(project), "--threads", "1",
                        "--long", policy, "--json"});
        };
        const Run base = analyse(plain, "plain.esproj", "drop");
        QCOMPARE(base.code, 0);
        QByteArray words;
        QRandomGenerator random(3);
        const char* vocabulary[] = {"the", "cat", "sat", "on", "a", "mat", "ran", "far", "away"};
        while (words.size() < 10 << 20) words += QByteArray(vocabulary[random.bounded(9)]) + ' ';
        for (const QByteArray& huge : {words, QByteArray(10 << 20, 'x')}) {
            const QString table = tmp_.filePath("huge.csv");
            writeTable(table, sentences("the cat", 10) << huge, negatives);
            for (const QString policy : {"drop", "truncate"}) {
                QFile::remove(tmp_.filePath("huge.esproj"));
                const Run r = analyse(table, "huge.esproj", policy);
                QVERIFY2(r.code == 0, r.err.constData());
                const auto summary = QJsonDocument::fromJson(r.out).object();
                const int positives = summary.value("concepts").toArray()[0].toObject().value("positives").toInt();
                QCOMPARE(positives, policy == "drop" ? 10 : 11);
                const QString message = messagesOf(r)[0].toObject().value("message").toString();
                QVERIFY2(message.contains(policy == "drop" ? "dropped" : "cut"), qPrintable(message));
                qInfo("10 MB %s, %s: peak %.0f MB in %.1f s (without it: %.0f MB, %.1f s)", huge.contains(' ') ? "of words" : "word",
                      qPrintable(policy), r.peakMb, r.seconds, base.peakMb, base.seconds);
                // The sentence is read, stored and copied a few times (10 MB each): far
                // below tokenizing it (about 100 bytes a byte).
                QVERIFY2(r.peakMb < base.peakMb + 200 * kMemoryScale, qPrintable(QString("%1 MB").arg(r.peakMb)));
            }
        }
    }

    // A million sentences: imported, then refused before any sentence runs, saying what it
    // would need; the machine's own default is half its memory.
    void millionSentencesOverTheMemoryLimit() {
        const QString table = tmp_.filePath("million.csv");
        {
            QFile f(table);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("label,sentence\n");
            for (int i = 0; i < 1000000; ++i) f.write(QByteArray(i % 2 ? "1" : "0") + ",sentence " + QByteArray::number(i) + " sat on the mat\n");
        }
        const Run r = cli({"analyse", "--model", model_, "--concepts", table, "--project", tmp_.filePath("million.esproj"),
                           "--threads", "1", "--max-memory-mb", "256", "--json"});
        QCOMPARE(r.code, 1);  // a refused concept fails the command, saying why
        const auto messages = messagesOf(r);
        QVERIFY2(!messages.isEmpty(), r.err.constData());
        const QString message = messages[0].toObject().value("message").toString();
        // Scored one probe at a time from disk, it would still hold the widest probe's
        // responses (172 units of stories260K): 688 MB, more than the limit.
        QVERIFY2(message.startsWith("1000000 sentences x 172 units (the widest probe") &&
                     message.contains("need 688 MB, more than the 268 MB an analysis may use (--max-memory-mb); use at most 390167 sentences"),
                 qPrintable(message));
        QVERIFY(QJsonDocument::fromJson(r.out).object().value("concepts").toArray().isEmpty());
        qInfo("a million sentences: refused in %.1f s, peak %.0f MB: %s", r.seconds, r.peakMb, qPrintable(message));
        QVERIFY2(r.peakMb < 1500 * kMemoryScale, qPrintable(QString("%1 MB").arg(r.peakMb)));
    }

    // In a job whose memory is limited (Slurm's --mem, a control group), the default limit
    // is half of the job's memory, not of the machine's: a concept whose responses exceed
    // it goes to disk instead of being killed for memory. 24,000 sentences x 3,000 units
    // = 288 MB of responses, in a group of 512 MB (of which less than half may be held: the
    // program takes its share first); held in memory, they and the program would pass the
    // group's limit.
    void defaultLimitFollowsTheJobsMemory() {
#if defined(__SANITIZE_ADDRESS__)
        QSKIP("the 512 MB group is sized for the uninstrumented program");
#endif
        // cgroup v2 (memory.max) or v1's memory controller (memory.limit_in_bytes).
        const bool v2 = QFileInfo::exists("/sys/fs/cgroup/cgroup.controllers");
        const QString root = v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory";
        const QString group = root + QString("/expertscope-test-%1").arg(QCoreApplication::applicationPid());
        if (!QDir().mkdir(group))
            QSKIP(qPrintable("cannot make a memory control group under " + root +
                             " (not root, or a container's read-only cgroup fs): the job-limit default is not exercised here"));
        const auto cleanup = qScopeGuard([&] { QDir().rmdir(group); });
        QFile limit(group + (v2 ? "/memory.max" : "/memory.limit_in_bytes"));
        if (!limit.open(QIODevice::WriteOnly) || limit.write("536870912") < 0 || !limit.flush())
            QSKIP(qPrintable("cannot set a memory limit on " + group + ": the job-limit default is not exercised here"));
        limit.close();
        const QString table = tmp_.filePath("job.csv");
        writeTable(table, sentences("a cat", 12000), sentences("a dog", 12000));
        // The file of responses on the build tree's disk: a tmpfs /tmp would charge it to the group.
        QTemporaryDir scratch(QDir::currentPath() + "/scratch-XXXXXX");
        QVERIFY(scratch.isValid());
        const QString command = QString("echo $$ > '%1/cgroup.procs' && exec \"$0\" \"$@\"").arg(group);
        QProcess p;
        p.start("sh", {"-c", command, qEnvironmentVariable("EXPERTSCOPE_CLI"), "analyse", "--model", model_, "--concepts", table,
                       "--project", tmp_.filePath("job.esproj"), "--scratch", scratch.path(), "--json"});
        QVERIFY(p.waitForFinished(300000));
        const QByteArray out = p.readAllStandardOutput(), err = p.readAllStandardError();
        QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0, err.constData());
        const auto messages = QJsonDocument::fromJson(out).object().value("messages").toArray();
        QVERIFY2(!messages.isEmpty(), out.constData());
        const QString message = messages[0].toObject().value("message").toString();
        // Half of what the 512 MB leave beside the program itself: below 268 MB.
        const QRegularExpression expected("^its responses \\(288 MB\\) exceed the (\\d+) MB an analysis may hold \\(half of what this "
                                          "machine's or job's memory leaves beside the model\\): kept in a temporary file and scored one "
                                          "probe at a time$");
        const auto match = expected.match(message);
        QVERIFY2(match.hasMatch() && match.captured(1).toInt() < 268 && match.captured(1).toInt() > 100, qPrintable(message));
        QCOMPARE(QJsonDocument::fromJson(out).object().value("analysed").toInt(), 1);
    }

    // A checkpoint whose config claims a context of 2^31 - 1 positions: refused before its
    // position tables are made (it used to allocate 8.5 GB, then fail with LibTorch's
    // allocator trace), in the memory of loading the model.
    void absurdContextInAConfig() {
        REQUIRE_SHARED(llama, "models/llama3-tiny-random/config.json");
        const QString dir = tmp_.filePath("absurd-context");
        QVERIFY(QDir().mkpath(dir));
        for (const QString& name : QDir(QFileInfo(llama).absolutePath()).entryList(QDir::Files))
            QVERIFY(QFile::copy(QFileInfo(llama).absolutePath() + "/" + name, dir + "/" + name));
        QFile config(dir + "/config.json");
        QVERIFY(config.open(QIODevice::ReadOnly));
        QJsonObject o = QJsonDocument::fromJson(config.readAll()).object();
        config.close();
        for (const qint64 positions : {qint64{2147483647}, qint64{50000000}}) {
            o["max_position_embeddings"] = positions;
            QVERIFY(config.open(QIODevice::WriteOnly | QIODevice::Truncate));
            config.write(QJsonDocument(o).toJson());
            config.close();
            const Run r = cli({"info", "--model", dir});
            QCOMPARE(r.code, 1);
            QVERIFY2(r.err.contains("max_position_embeddings " + QByteArray::number(positions) + " is not plausible"), r.err.constData());
            QVERIFY2(!r.err.contains("frame #"), r.err.constData());
            qInfo("max_position_embeddings %lld: refused, peak %.0f MB: %s", positions, r.peakMb, r.err.trimmed().constData());
            QVERIFY2(r.peakMb < 1000 * kMemoryScale, qPrintable(QString("%1 MB").arg(r.peakMb)));
        }
    }

    // Qwen2's tokenizer.json with two million more merges (and their tokens, 62 MB): it
    // loads and tokenizes, in memory proportional to the file.
    void twoMillionMerges() {
        REQUIRE_SHARED(qwen, "tokenizers/qwen2/tokenizer.json");
        QFile in(qwen);
        QVERIFY(in.open(QIODevice::ReadOnly));
        QByteArray text = in.readAll();
        // New tokens: words over a-z, each merged from its prefix and last letter, given
        // ids past the vocabulary's. Spliced into the file's own vocab and merges.
        QByteArray vocab, merges;
        QList<QByteArray> level;
        for (char c = 'a'; c <= 'z'; ++c) level << QByteArray(1, c);
        int added = 0, id = 300000;
        while (added < 2000000) {
            QList<QByteArray> next;
            for (const auto& prefix : level) {
                for (char c = 'a'; c <= 'z' && added < 2000000; ++c) {
                    const QByteArray word = prefix + c;
                    next << word;
                    if (word.size() < 3) continue;  // two-letter words may be in the vocabulary already
                    vocab += "\"" + word + "\": " + QByteArray::number(id++) + ", ";
                    merges += "\"" + prefix + " " + c + "\", ";
                    ++added;
                }
            }
            level = next;
        }
        const auto splice = [&](const QByteArray& marker, const QByteArray& insert) {
            const int at = text.indexOf(marker);
            QVERIFY2(at >= 0, marker.constData());
            text.insert(at + marker.size(), insert);
        };
        splice("\"vocab\": {", vocab);
        splice("\"merges\": [", merges);
        const QString dir = tmp_.filePath("many-merges");
        QVERIFY(QDir().mkpath(dir));
        QFile out(dir + "/tokenizer.json");
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(text);
        out.close();
        const double fileMb = static_cast<double>(text.size()) / (1 << 20);
        text.clear();
        const Run plain = cli({"tokenize", "--tokenizer", qwen, "--text", "hello world abcde"});
        const Run r = cli({"tokenize", "--tokenizer", dir + "/tokenizer.json", "--text", "hello world abcde"});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(r.out.contains("\"ids\""));
        qInfo("%.0f MB tokenizer.json, 2.15 million merges: loaded in %.1f s, peak %.0f MB (Qwen2's own: %.1f s, %.0f MB)", fileMb,
              r.seconds, r.peakMb, plain.seconds, plain.peakMb);
        // About 11 bytes of memory a byte of file (QJsonDocument's tree, then the tables).
        QVERIFY2(r.peakMb < plain.peakMb + 20 * fileMb * kMemoryScale, qPrintable(QString("%1 MB").arg(r.peakMb)));
    }

    // A long text whose tokenizer folds it (WordPiece: a word past 100 characters is one
    // [UNK]) is measured whole: its first part alone cannot say it is too long.
    void foldedTextsAreMeasuredWhole() {
        REQUIRE_SHARED(vocab, "tokenizers/bert-base-uncased/vocab.txt");
        const auto tok = loadTokenizer(vocab.toStdString());
        const std::string text = "the cat sat on the mat with " + std::string(5000, 'a') + " and left";
        int64_t bound = -1;
        QVERIFY(longerThanAnyFit(text, 64, *tok, bound));  // more bytes than 65 tokens could cover
        const std::string first = firstPartBeyond(text, 64, *tok, bound);
        QVERIFY(first.size() < text.size());
        QVERIFY(tok->encode(first).size() <= 64);  // so callers tokenize the whole text
        QCOMPARE(tok->encode(text).size(), size_t(10));
    }
};

QTEST_GUILESS_MAIN(TestResourceLimits)
#include "tst_resource_limits.moc"
