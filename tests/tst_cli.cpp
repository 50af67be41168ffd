// expertscope-cli as a user runs it: JSON from `info`, exactly the golden text from
// `generate`, and a clear message with a non-zero exit on errors.
#include "test_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

class TestCli : public QObject {
    Q_OBJECT
    struct Result {
        int code;
        QByteArray out, err;
    };
    static Result cli(const QStringList& args) {
        QProcess p;
        p.start(QString::fromLocal8Bit(qgetenv("EXPERTSCOPE_CLI")), args);
        p.waitForFinished(120000);
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
                p.readAllStandardError()};
    }

private slots:
    void initTestCase() {
        if (qgetenv("EXPERTSCOPE_CLI").isEmpty()) QSKIP("SKIPPED: EXPERTSCOPE_CLI not set (run through ctest)");
    }

    void infoDescribesEveryProbe() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        const auto r = cli({"info", "--model", bin});
        QCOMPARE(r.code, 0);
        const auto doc = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(doc.value("family").toString(), QString("llama"));
        QCOMPARE(doc.value("format").toString(), QString("llama2.c"));
        QCOMPARE(doc.value("total_units").toInt(), 3000);
        QCOMPARE(doc.value("dimensions").toObject().value("kv_heads").toInt(), 4);
        const auto probes = doc.value("probe_points").toArray();
        QCOMPARE(probes.size(), 35);
        QCOMPARE(probes[5].toObject().value("name").toString(), QString("model.layers.0.mlp.up_proj"));
        QCOMPARE(probes[5].toObject().value("checkpoint_tensor").toString(), QString("layers.0.feed_forward.w3.weight"));
        QCOMPARE(probes[5].toObject().value("units").toInt(), 172);
    }

    void infoOnHuggingFaceDirectory() {
        REQUIRE_SHARED(cfg, "models/stories260K-hf/config.json");
        const auto r = cli({"info", "--model", QFileInfo(cfg).absolutePath()});
        QCOMPARE(r.code, 0);
        const auto doc = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(doc.value("format").toString(), QString("huggingface"));
        QCOMPARE(doc.value("probe_points").toArray()[0].toObject().value("checkpoint_tensor").toString(),
                 QString("model.layers.0.self_attn.q_proj.weight"));
    }

    void gpt2WithItsTokenizer() {
        REQUIRE_SHARED(cfg, "models/gpt2-tiny-random/config.json");
        REQUIRE_SHARED(tok, "tokenizers/gpt2/encoder.json");
        const QString dir = QFileInfo(cfg).absolutePath();
        const auto r = cli({"info", "--model", dir, "--tokenizer", tok});
        QCOMPARE(r.code, 0);
        const auto doc = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(doc.value("family").toString(), QString("gpt2"));
        QCOMPARE(doc.value("total_units").toInt(), 3 * (144 + 48 + 192 + 48));
        QCOMPARE(doc.value("probe_points").toArray()[2].toObject().value("name").toString(), QString("transformer.h.0.mlp.c_fc"));
        const auto g = cli({"generate", "--model", dir, "--tokenizer", tok, "--prompt", "Hello world", "--temperature", "0",
                            "--length", "5"});
        QCOMPARE(g.code, 0);
        QVERIFY(!g.out.isEmpty());
        const auto noTokenizer = cli({"info", "--model", dir});
        QCOMPARE(noTokenizer.code, 1);
        QVERIFY2(noTokenizer.err.contains("no vocab.json + merges.txt or tokenizer.json"), noTokenizer.err.constData());
    }

    void greedyGenerateIsTheGoldenText() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        REQUIRE_SHARED(text, "models/stories260K/golden/greedy_text_t0_n200.txt");
        const auto r = cli({"generate", "--model", bin, "--temperature", "0", "--length", "200"});
        QCOMPARE(r.code, 0);
        QFile f(text);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(r.out, f.readAll());
    }

    void promptAndSampling() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        const QStringList args{"generate", "--model", bin, "--prompt", "Lily and Tom", "--length", "30",
                               "--temperature", "0.8", "--top-k", "40", "--top-p", "0.9", "--seed", "5"};
        const auto a = cli(args), b = cli(args);
        QCOMPARE(a.code, 0);
        QVERIFY(!a.out.isEmpty());
        QCOMPARE(a.out, b.out);
        auto other = args;
        other.last() = "6";
        QVERIFY(cli(other).out != a.out);
    }

    void errorsAreClear_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("missing model") << QStringList{"info", "--model", "/nonexistent/model.bin"} << "no such file or directory";
        QTest::newRow("no --model") << QStringList{"info"} << "missing --model";
        QTest::newRow("unknown option") << QStringList{"generate", "--bogus", "1"} << "unknown option '--bogus'";
        QTest::newRow("bad number") << QStringList{"generate", "--model", "x", "--length", "ten"} << "--length expects an integer";
    }
    void errorsAreClear() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const auto r = cli(args);
        QCOMPARE(r.code, 1);
        QVERIFY(r.out.isEmpty());
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    }
    void unknownCommand() {
        const auto r = cli({"frobnicate"});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("unknown command"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
