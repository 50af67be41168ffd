// expertscope-cli as a user runs it: JSON from `info`, exactly the golden text from
// `generate`, the expertise workflow (killed and resumed), and a clear message with a
// non-zero exit on errors.
#include "core/base/error.h"
#include "core/base/safetensors.h"
#include "core/project/concept_forcing.h"
#include "core/project/project_store.h"
#include "core/project/result_source.h"
#include "core/runtime/language_model.h"
#include "test_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <memory>
#include <set>

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
        if (qgetenv("EXPERTSCOPE_CLI").isEmpty()) MISSING_ASSET(QStringLiteral("EXPERTSCOPE_CLI not set (run through ctest)"));
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
        // Responses are batch-invariant here: sentences align to a divisor of 48 rows.
        const int alignment = doc.value("row_alignment").toInt();
        QVERIFY2(alignment > 0 && 48 % alignment == 0, qPrintable(QString::number(alignment)));
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
        // Without a tokenizer: info and token ids work, text is refused with the reason.
        const auto noTokenizer = cli({"info", "--model", dir});
        QCOMPARE(noTokenizer.code, 0);
        const auto bare = QJsonDocument::fromJson(noTokenizer.out).object();
        QCOMPARE(bare.value("tokenizer").toString(), QString());
        QCOMPARE(bare.value("architecture").toString(), QString("GPT2LMHeadModel"));
        QCOMPARE(bare.value("total_units").toInt(), doc.value("total_units").toInt());
        const auto text = cli({"generate", "--model", dir, "--prompt", "Hello"});
        QCOMPARE(text.code, 1);
        QVERIFY2(text.err.contains("the model has no tokenizer"), text.err.constData());
    }

    // tokenize: ids as JSON from a tokenizer.json, a GGUF vocabulary or a model (with the
    // BOS the model's tokenizer adds), special tokens on request, and decoding.
    void tokenizes() {
        REQUIRE_SHARED(llama3, "tokenizers/llama3/tokenizer.json");
        REQUIRE_SHARED(spm, "tokenizers/gguf-vocab/ggml-vocab-llama-spm.gguf");
        REQUIRE_SHARED(stories, "models/stories260K-hf/config.json");
        const auto ids = [](const QByteArray& out) {
            QStringList list;
            for (const auto& v : QJsonDocument::fromJson(out).object().value("ids").toArray()) list << QString::number(v.toInt());
            return list.join(',');
        };
        auto r = cli({"tokenize", "--tokenizer", llama3, "--text", "Hello world<|begin_of_text|>"});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(ids(r.out).startsWith("9906,1917,"));
        QVERIFY(!ids(r.out).contains("128000"));
        r = cli({"tokenize", "--tokenizer", llama3, "--text", "Hello world<|begin_of_text|>", "--special"});
        QCOMPARE(ids(r.out), QString("9906,1917,128000"));
        r = cli({"tokenize", "--tokenizer", llama3, "--decode", "9906,1917"});
        QCOMPARE(QString::fromUtf8(r.out), QString("Hello world\n"));
        r = cli({"tokenize", "--tokenizer", spm, "--text", "Hello world"});
        QCOMPARE(ids(r.out), QString("15043,3186"));  // llama-spm's ids for the test set's "Hello world"
        r = cli({"tokenize", "--model", QFileInfo(stories).absolutePath(), "--text", "Once upon"});
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value("bos_added").toBool(), true);
        QVERIFY(ids(r.out).startsWith("1,"));
        r = cli({"tokenize", "--tokenizer", llama3});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("tokenize needs --text TEXT or --decode 1,2,3"), r.err.constData());
    }

    // A model folder without a tokenizer (the family fixtures) is driven by ids: the greedy
    // continuation is Hugging Face's.
    void generatesFromPromptIds() {
        REQUIRE_SHARED(path, "models/qwen3-tiny-random/golden/greedy.json");
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto golden = QJsonDocument::fromJson(f.readAll()).object();
        QStringList prompt, want;
        for (const auto& v : golden.value("prompt_ids").toArray()) prompt << QString::number(v.toInt());
        for (const auto& v : golden.value("generated_use_cache_true").toArray()) want << QString::number(v.toInt());
        const QString dir = QFileInfo(path).absolutePath() + "/..";
        const auto info = cli({"info", "--model", dir});
        QCOMPARE(info.code, 0);
        const auto doc = QJsonDocument::fromJson(info.out).object();
        QCOMPARE(doc.value("family").toString(), QString("qwen3"));
        QCOMPARE(doc.value("architecture").toString(), QString("Qwen3ForCausalLM"));
        QCOMPARE(doc.value("total_units").toInt(), 1216);
        const auto g = cli({"generate", "--model", dir, "--prompt-ids", prompt.join(','), "--ids", "--temperature", "0",
                            "--length", "12"});
        QVERIFY2(g.code == 0, g.err.constData());
        QCOMPARE(QString::fromUtf8(g.out).trimmed(), want.join(','));
        const auto bad = cli({"generate", "--model", dir, "--prompt-ids", "1,x"});
        QCOMPARE(bad.code, 1);
        QVERIFY2(bad.err.contains("--prompt-ids expects token ids"), bad.err.constData());
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

    // analyse, experts, export, colearning and forced generation on a two-concept set; the
    // first analysis is killed (SIGKILL) after its first concept and must resume from there.
    void expertiseWorkflow() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        REQUIRE_SHARED(full, "concepts/onesec/sense/football-1_04_00__.json");
        REQUIRE_SHARED(small, "concepts/onesec-small/sense/football-1_04_00__.json");
        QTemporaryDir tmp;
        QDir().mkpath(tmp.filePath("set/sense"));
        QVERIFY(QFile::copy(small, tmp.filePath("set/sense/small.json")));
        QVERIFY(QFile::copy(full, tmp.filePath("set/sense/football.json")));
        {
            QFile list(tmp.filePath("set/concept_list.csv"));
            QVERIFY(list.open(QIODevice::WriteOnly));
            list.write("group,concept\nsense,small\nsense,football\n");
        }
        // The JSON files name their concept; the list's names are the ones used.
        for (const char* name : {"small", "football"}) {
            QFile f(tmp.filePath(QString("set/sense/%1.json").arg(name)));
            QVERIFY(f.open(QIODevice::ReadOnly));
            QByteArray data = f.readAll().replace("\"football-1_04_00__\"", QByteArray("\"") + name + "\"");
            f.close();
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(data);
        }
        // One worker and small batches: the second concept takes seconds, so the kill below
        // lands inside it.
        const auto analyseArgs = [&](const QString& project) {
            return QStringList{"analyse", "--model", bin, "--concepts", tmp.filePath("set"), "--project", project,
                               "--json", "--threads", "1", "--batch-tokens", "128"};
        };
        const QString reference = tmp.filePath("uninterrupted.esproj");
        QCOMPARE(cli(analyseArgs(reference)).code, 0);

        const QString project = tmp.filePath("p.esproj");
        QProcess killed;
        killed.start(QString::fromLocal8Bit(qgetenv("EXPERTSCOPE_CLI")), analyseArgs(project));
        QVERIFY(killed.waitForStarted());
        // Wait for the first concept to be stored, then kill without warning.
        bool firstStored = false;
        for (int i = 0; i < 3000 && !firstStored && killed.state() == QProcess::Running; ++i) {
            QTest::qWait(10);
            try {
                firstStored = !expertscope::ProjectStore::open(project.toStdString(), false)->finishedConcepts(1).empty();
            } catch (const expertscope::Error&) {  // not created yet
            }
        }
        QVERIFY(firstStored);
        killed.kill();
        killed.waitForFinished();
        // The kill landed mid-run: the second concept was not stored.
        QCOMPARE(expertscope::ProjectStore::open(project.toStdString(), false)->finishedConcepts(1).size(), size_t(1));

        const auto resumed = cli(analyseArgs(project));
        QCOMPARE(resumed.code, 0);
        const auto summary = QJsonDocument::fromJson(resumed.out).object();
        QCOMPARE(summary.value("already_done").toInt(), 1);
        QCOMPARE(summary.value("analysed").toInt(), 1);
        // Resumed equals uninterrupted, byte for byte in what export writes.
        for (const QString& p : {project, reference})
            QCOMPARE(cli({"export", "--project", p, "--out", tmp.filePath(QFileInfo(p).baseName())}).code, 0);
        for (const char* concept : {"small", "football"}) {
            QFile a(tmp.filePath(QString("p/sense/%1/expertise.csv").arg(concept)));
            QFile b(tmp.filePath(QString("uninterrupted/sense/%1/expertise.csv").arg(concept)));
            QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
            QVERIFY2(a.readAll() == b.readAll(), concept);
        }

        const auto experts = cli({"experts", "--project", project, "--concept", "football", "--top", "5", "--json"});
        QCOMPARE(experts.code, 0);
        const auto rows = QJsonDocument::fromJson(experts.out).array();
        QCOMPARE(rows.size(), 5);
        QVERIFY(rows[0].toObject().value("ap").toDouble() > 0.8);
        QVERIFY(rows[0].toObject().value("probe").toString().startsWith("model.layers."));

        const auto exported = cli({"export", "--project", project, "--out", tmp.filePath("out")});
        QCOMPARE(exported.code, 0);
        QFile csv(tmp.filePath("out/sense/football/expertise.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const auto lines = csv.readAll().split('\n');
        QCOMPARE(lines[0], QByteArray("ap,off_mean,on_p50,on_p90,layer,unit,uuid,concept,group"));
        QCOMPARE(lines.size(), 3000 + 2);  // header, one row a unit, final newline
        QVERIFY(QFile::exists(tmp.filePath("out/sense/small/expertise_info.json")));

        const auto matrix = cli({"colearning", "--project", project, "--k", "50", "--json"});
        QCOMPARE(matrix.code, 0);
        const auto m = QJsonDocument::fromJson(matrix.out).object();
        QCOMPARE(m.value("concepts").toArray().size(), 2);
        // The overlap of the two concepts is the share of top-50 experts they have in
        // common, counted here from what `experts` lists for each.
        std::set<qint64> shared, smallTop;
        for (const auto& e : QJsonDocument::fromJson(cli({"experts", "--project", project, "--concept", "small", "--top", "50", "--json"}).out).array())
            smallTop.insert(e.toObject().value("global_unit").toInteger());
        for (const auto& e : QJsonDocument::fromJson(cli({"experts", "--project", project, "--concept", "football", "--top", "50", "--json"}).out).array())
            if (smallTop.count(e.toObject().value("global_unit").toInteger())) shared.insert(e.toObject().value("global_unit").toInteger());
        QCOMPARE(smallTop.size(), size_t(50));
        QCOMPARE(m.value("overlap").toArray()[0].toArray()[1].toDouble(), double(shared.size()) / 50.0);
        QVERIFY(!shared.empty());
        const auto nearest = cli({"colearning", "--project", project, "--k", "50", "--concept", "football", "--json"});
        QCOMPARE(nearest.code, 0);
        const auto ranked = QJsonDocument::fromJson(nearest.out).array();
        QCOMPARE(ranked.size(), 1);
        QCOMPARE(ranked[0].toObject().value("concept").toString(), QString("small"));
        QCOMPARE(ranked[0].toObject().value("overlap").toDouble(), m.value("overlap").toArray()[0].toArray()[1].toDouble());

        const QStringList gen{"generate", "--model", bin, "--prompt", "Once upon a time", "--length", "40", "--seed", "4"};
        const auto plain = cli(gen);
        const auto forced = cli(gen + QStringList{"--project", project, "--concept", "football", "--experts", "50"});
        QCOMPARE(forced.code, 0);
        QVERIFY(plain.out != forced.out);
    }

    // export's expertise_info.json carries ml-selfcond's keys, each checked against the
    // exported expertise.csv: neurons_at_ap counts the units with AP strictly above each of
    // numpy's linspace(0.5, 1.0, 501), keyed "%.5f".
    void exportWritesSelfcondInfo() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        REQUIRE_SHARED(list, "concepts/onesec-small/concept_list.csv");
        QTemporaryDir tmp;
        const QString project = tmp.filePath("p.esproj");
        QCOMPARE(cli({"analyse", "--model", bin, "--concepts", QFileInfo(list).absolutePath(), "--project", project}).code, 0);
        const auto exported = cli({"export", "--project", project, "--out", tmp.filePath("out")});
        QVERIFY2(exported.code == 0, exported.err.constData());
        const QString dir = tmp.filePath("out/sense/football-1_04_00__");

        QFile csv(dir + "/expertise.csv");
        QVERIFY(csv.open(QIODevice::ReadOnly));
        std::vector<double> ap;
        QStringList layers;
        for (const auto& line : csv.readAll().split('\n').mid(1)) {
            if (line.isEmpty()) continue;
            const auto fields = line.split(',');
            bool ok = false;
            ap.push_back(static_cast<double>(fields[0].toFloat(&ok)));  // the stored float32, exactly
            QVERIFY(ok);
            if (layers.isEmpty() || layers.last() != fields[4]) layers << QString::fromUtf8(fields[4]);
        }
        QCOMPARE(ap.size(), size_t(3000));

        QFile file(dir + "/expertise_info.json");
        QVERIFY(file.open(QIODevice::ReadOnly));
        const auto info = QJsonDocument::fromJson(file.readAll()).object();
        QCOMPARE(info.value("concept").toString(), QString("football-1_04_00__"));
        QCOMPARE(info.value("group").toString(), QString("sense"));
        QCOMPARE(info.value("total_neurons").toInteger(), qint64(3000));
        QCOMPARE(info.value("max_ap").toDouble(), *std::max_element(ap.begin(), ap.end()));
        QStringList names;
        for (const auto& n : info.value("layer_names").toArray()) names << n.toString();
        QCOMPARE(names.size(), 35);
        QCOMPARE(names, layers);
        const auto probes = QJsonDocument::fromJson(cli({"info", "--model", bin}).out).object().value("probe_points").toArray();
        for (int p = 0; p < probes.size(); ++p) QCOMPARE(names[p], probes[p].toObject().value("name").toString());

        const auto counts = info.value("neurons_at_ap").toObject();
        QCOMPARE(counts.size(), 501);
        const double step = (1.0 - 0.5) / 500;
        qint64 previous = -1;
        for (int i = 0; i <= 500; ++i) {
            // The key from integers: thousandths, written with five decimals.
            const int thousandths = 500 + i;
            const QString key = QString("%1.%2").arg(thousandths / 1000).arg((thousandths % 1000) * 100, 5, 10, QChar('0'));
            QVERIFY2(counts.contains(key), qPrintable(key));
            const double threshold = i == 500 ? 1.0 : 0.5 + i * step;
            const qint64 above = std::count_if(ap.begin(), ap.end(), [&](double a) { return a > threshold; });
            QCOMPARE(counts.value(key).toInteger(-1), above);
            if (previous >= 0) QVERIFY(above <= previous);
            previous = above;
        }
        QCOMPARE(counts.value("0.50000").toInteger(), qint64(std::count_if(ap.begin(), ap.end(), [](double a) { return a > 0.5; })));
        QVERIFY(counts.value("0.50000").toInteger() > 100);  // not a degenerate count
        QCOMPARE(counts.value("1.00000").toInteger(), qint64(0));  // nothing is above 1
        // Where the results come from stays beside them.
        QCOMPARE(info.value("pooling").toString(), QString("max"));
        QCOMPARE(info.value("bos_pooled").toBool(), false);
        QCOMPARE(info.value("long_sentences").toString(), QString("drop"));
        QCOMPARE(info.value("run").toInteger(), qint64(1));
        QCOMPARE(info.value("num_positives").toInt() + info.value("num_negatives").toInt(), 31);

        // A concept without results, and bad selection options, are refused clearly.
        const auto unknown = cli({"experts", "--project", project, "--concept", "rugby"});
        QCOMPARE(unknown.code, 1);
        QVERIFY2(unknown.err.contains("no concept named 'rugby'; concepts with results: football-1_04_00__"), unknown.err.constData());
        const auto badPooling = cli({"stats", "--project", project, "--concept", "football-1_04_00__", "--pooling", "median"});
        QCOMPARE(badPooling.code, 1);
        QVERIFY2(badPooling.err.contains("--pooling expects max, mean or selfcond"), badPooling.err.constData());
        const auto emptyRun = cli({"export", "--project", project, "--out", tmp.filePath("x"), "--run", "7"});
        QCOMPARE(emptyRun.code, 1);
        QVERIFY2(emptyRun.err.contains("run 7 has no finished concepts"), emptyRun.err.constData());
    }

    // generate with a concept's experts forced prints exactly the text core writes with the
    // same forcing built directly: the concept's result chosen by result_source.h's rule for
    // the default settings (here the older of two runs: a newer mean-pooling run must not be
    // taken), its top K experts forced by forceExperts, LanguageModel::generate with the same
    // options, decoded. For every forcing value and both scopes; all nine texts differ (with
    // the plain one), so a CLI that mixed up the value, the scope, K or the run would fail.
    void generateForcesWhatCoreForces() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        REQUIRE_SHARED(list, "concepts/onesec-small/concept_list.csv");
        using namespace expertscope;
        QTemporaryDir tmp;
        const QString project = tmp.filePath("p.esproj"), concepts = QFileInfo(list).absolutePath();
        const QString concept = "football-1_04_00__";
        for (const QStringList& extra : {QStringList{}, QStringList{"--pooling", "mean"}}) {
            const auto r = cli(QStringList{"analyse", "--model", bin, "--concepts", concepts, "--project", project} + extra);
            QVERIFY2(r.code == 0, r.err.constData());
        }
        const auto model = loadModel({bin.toStdString(), ""});
        const auto store = ProjectStore::open(project.toStdString(), false);
        const auto ref = chooseResult(*store, concept.toStdString(), ResultRequest{});
        QCOMPARE(ref.pooling, std::string("max"));
        QCOMPARE(store->finishedResults(concept.toStdString()).front().pooling, std::string("mean"));  // the newest run
        const auto expertise = store->loadConceptResult(ref.runId, ref.conceptId);
        const int k = 30;
        const auto experts = store->topExperts(ref.runId, ref.conceptId, k);
        QCOMPARE(static_cast<int>(experts.size()), k);

        const std::string prompt = "Once upon a time";
        GenerationOptions options;
        options.maxNewTokens = 40;
        options.temperature = 0.8f;
        options.seed = 11;
        const auto coreText = [&](const Forcing& f) {
            return QByteArray::fromStdString(model->tokenizer().decode(model->generate(model->tokenize(prompt), options, f)));
        };
        const QStringList generate{"generate", "--model", bin, "--prompt", QString::fromStdString(prompt), "--length", "40",
                                   "--temperature", "0.8", "--seed", "11"};
        const QStringList forced = generate + QStringList{"--project", project, "--concept", concept, "--experts", QString::number(k)};

        const QByteArray plain = coreText({});
        QCOMPARE(cli(generate).out, plain);
        std::set<QByteArray> texts{plain};
        for (const char* value : {"on_p50", "on_p90", "off_mean", "zero"})
            for (const char* scope : {"all", "new"}) {
                Forcing f;
                f.scope = QByteArray(scope) == "all" ? ForceScope::AllPositions : ForceScope::NewTokens;
                forceExperts(f, model->probePoints(), experts, expertise, parseForceValue(value));
                QCOMPARE(static_cast<int>(f.units.size()), k);
                const QByteArray expected = coreText(f);
                const auto r = cli(forced + QStringList{"--force", value, "--scope", scope});
                QVERIFY2(r.code == 0, r.err.constData());
                QVERIFY2(r.out == expected, qPrintable(QString("--force %1 --scope %2:\n  cli:  %3\n  core: %4")
                                                           .arg(QString(value), QString(scope), QString::fromUtf8(r.out), QString::fromUtf8(expected))));
                texts.insert(expected);
            }
        QCOMPARE(texts.size(), size_t(9));

        // --force aura: every unit with AUROC > 0.5 multiplied by 1 - 2 (AUROC - 0.5), whatever
        // --experts says (forceAura on the stored results); the text changes.
        for (const char* scope : {"all", "new"}) {
            Forcing f;
            f.scope = QByteArray(scope) == "all" ? ForceScope::AllPositions : ForceScope::NewTokens;
            forceAura(f, model->probePoints(), expertise);
            QVERIFY(static_cast<int>(f.units.size()) > k);
            const QByteArray expected = coreText(f);
            if (f.scope == ForceScope::AllPositions) {
                qInfo("--force aura (%zu units dampened): %s", f.units.size(), expected.constData());
                QVERIFY2(expected != plain, expected.constData());
            }
            for (const QString& experts : {QString::number(k), QString("3")}) {
                const auto r = cli(generate + QStringList{"--project", project, "--concept", concept, "--experts", experts, "--force", "aura",
                                                          "--scope", scope});
                QVERIFY2(r.code == 0, r.err.constData());
                QVERIFY2(r.out == expected, qPrintable(QString("--force aura --scope %1 --experts %2:\n  cli:  %3\n  core: %4")
                                                           .arg(QString(scope), experts, QString::fromUtf8(r.out), QString::fromUtf8(expected))));
            }
        }

        // The defaults are on_p50 on every position; another K, and the mean-pooling run when
        // asked for, force something else, and the CLI follows.
        Forcing byDefault;
        forceExperts(byDefault, model->probePoints(), experts, expertise, ForceValue::OnP50);
        QCOMPARE(cli(forced).out, coreText(byDefault));
        Forcing fifty;
        forceExperts(fifty, model->probePoints(), store->topExperts(ref.runId, ref.conceptId, 50), expertise, ForceValue::OnP50);
        QVERIFY(coreText(fifty) != coreText(byDefault));
        QCOMPARE(cli(generate + QStringList{"--project", project, "--concept", concept}).out, coreText(fifty));  // default K: 50
        ResultRequest meanRequest;
        meanRequest.settings.pooling = Pooling::Mean;
        const auto meanRef = chooseResult(*store, concept.toStdString(), meanRequest);
        QVERIFY(meanRef.runId != ref.runId);
        Forcing mean;
        forceExperts(mean, model->probePoints(), store->topExperts(meanRef.runId, meanRef.conceptId, k),
                     store->loadConceptResult(meanRef.runId, meanRef.conceptId), ForceValue::OnP50);
        QVERIFY(coreText(mean) != coreText(byDefault));
        QCOMPARE(cli(forced + QStringList{"--pooling", "mean"}).out, coreText(mean));

        // Bad forcing options are refused by name, with nothing printed.
        const auto badValue = cli(forced + QStringList{"--force", "on_p95"});
        QCOMPARE(badValue.code, 1);
        QVERIFY(badValue.out.isEmpty());
        QVERIFY2(badValue.err.contains("the forcing value must be on_p50, on_p90, off_mean, zero or aura, not 'on_p95'"), badValue.err.constData());
        const auto badScope = cli(forced + QStringList{"--scope", "prompt"});
        QCOMPARE(badScope.code, 1);
        QVERIFY(badScope.out.isEmpty());
        QVERIFY2(badScope.err.contains("--scope expects all or new"), badScope.err.constData());
    }

    // GPT-2 through the CLI: the greedy continuation of the golden's first text is exactly
    // nanoGPT's 12 greedy tokens (greedy12.tokens, after the prompt's ids), decoded by the
    // model's tokenizer.
    void gpt2GreedyGenerateIsTheGoldenContinuation() {
        REQUIRE_SHARED(cfg, "models/gpt2-tiny-random/config.json");
        REQUIRE_SHARED(tok, "tokenizers/gpt2/encoder.json");
        REQUIRE_SHARED(acts, "models/gpt2-tiny-random/golden_activations.safetensors");
        const QString dir = QFileInfo(cfg).absolutePath();
        const expertscope::SafetensorsFile golden(acts.toStdString());
        const auto asIds = [](const expertscope::TensorView& v) {
            const auto f = v.toFloat32();
            return std::vector<int>(f.begin(), f.end());
        };
        const auto prompt = asIds(golden.tensor("s0.tokens")), all = asIds(golden.tensor("greedy12.tokens"));
        const QString text = QJsonDocument::fromJson(QByteArray::fromStdString(golden.metadata().at("texts"))).array()[0].toString();
        QCOMPARE(all.size(), prompt.size() + 12);
        QVERIFY(std::equal(prompt.begin(), prompt.end(), all.begin()));
        const auto model = expertscope::loadModel({dir.toStdString(), tok.toStdString()});
        QCOMPARE(model->tokenize(text.toStdString()), prompt);  // what the CLI runs on
        const std::vector<int> continuation(all.begin() + static_cast<long>(prompt.size()), all.end());
        // Generation stops at <|endoftext|>; the golden has none, so all 12 must come.
        QVERIFY(std::find(continuation.begin(), continuation.end(), model->info().eosId) == continuation.end());
        const QByteArray expected = QByteArray::fromStdString(model->tokenizer().decode(continuation));
        QVERIFY(expected.trimmed().size() > 12);  // not a degenerate decoding
        const auto r = cli({"generate", "--model", dir, "--tokenizer", tok, "--prompt", text, "--temperature", "0", "--length", "12"});
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(r.out, expected);
    }

    void refusesForeignProjects() {
        QTemporaryDir tmp;
        const QString path = tmp.filePath("notes.esproj");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("these are my notes, not a database\n");
        f.close();
        const auto r = cli({"experts", "--project", path, "--concept", "x"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("not an Expertscope project"), r.err.constData());
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("these are my notes, not a database\n"));
    }

    void errorsAreClear_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("missing model") << QStringList{"info", "--model", "/nonexistent/model.bin"} << "no such file or directory";
        QTest::newRow("no --model") << QStringList{"info"} << "missing --model";
        QTest::newRow("unknown option") << QStringList{"generate", "--bogus", "1"} << "unknown option '--bogus'";
        QTest::newRow("bad number") << QStringList{"generate", "--model", "x", "--length", "ten"} << "--length expects an integer";
        // Numbers from users: NaN, infinities, out of range, too large for the integer.
        for (const char* t : {"nan", "NaN", "inf", "-inf", "-1", "1e9", "0x"})
            QTest::newRow(qPrintable(QString("temperature %1").arg(t)))
                << QStringList{"generate", "--model", "x", "--temperature", t} << "--temperature expects a number from 0 to 100, got";
        QTest::newRow("top-p 2") << QStringList{"generate", "--model", "x", "--top-p", "2"} << "--top-p expects a number from 0 to 1";
        QTest::newRow("length overflow") << QStringList{"generate", "--model", "x", "--length", "99999999999999999999"}
                                         << "--length expects an integer from 0 to 2147483647";
        QTest::newRow("length past int") << QStringList{"generate", "--model", "x", "--length", "3000000000"}
                                         << "--length expects an integer from 0 to 2147483647";
        QTest::newRow("negative seed") << QStringList{"generate", "--model", "x", "--seed", "-5"} << "--seed expects an integer from 0";
        QTest::newRow("curve strength nan") << QStringList{"curve", "--model", "x", "--project", "p", "--concept", "c", "--strength", "nan"}
                                            << "--strength expects a number from 0 to 1000";
    }
    void errorsAreClear() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const auto r = cli(args);
        QCOMPARE(r.code, 1);
        QVERIFY(r.out.isEmpty());
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    }
    // Four analyses started at once into one new project (as a user starting a second by
    // mistake, or a script): every one finishes, and the project holds one model, one concept
    // set, one run and the concept's result once, intact. Eight times over: races differ
    // (before, about one start in three made a second run and concept set, or refused the
    // project as "locked").
    void concurrentAnalysesShareOneProject() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        REQUIRE_SHARED(list, "concepts/onesec-small/concept_list.csv");
        if (qgetenv("EXPERTSCOPE_CLI").isEmpty()) MISSING_ASSET(QStringLiteral("EXPERTSCOPE_CLI not set (run through ctest)"));
        QTemporaryDir tmp;
        for (int trial = 0; trial < 8; ++trial) {
            const QString path = tmp.filePath(QString("together%1.esproj").arg(trial));
            std::vector<std::unique_ptr<QProcess>> runs;
            for (int k = 0; k < 4; ++k) {
                runs.push_back(std::make_unique<QProcess>());
                runs.back()->start(QString::fromLocal8Bit(qgetenv("EXPERTSCOPE_CLI")),
                                   {"analyse", "--model", bin, "--concepts", QFileInfo(list).absolutePath(), "--project", path});
            }
            for (auto& r : runs) {
                QVERIFY(r->waitForFinished(120000));
                QVERIFY2(r->exitStatus() == QProcess::NormalExit && r->exitCode() == 0, r->readAllStandardError().constData());
            }
            const auto store = expertscope::ProjectStore::open(path.toStdString(), false);
            QCOMPARE(store->latestModel(), int64_t(1));
            QCOMPARE(store->latestConceptSet(), int64_t(1));
            const auto results = store->finishedResults("");
            QCOMPARE(results.size(), size_t(1));
            QCOMPARE(results[0].runId, int64_t(1));
        }
    }

    void unknownCommand() {
        const auto r = cli({"frobnicate"});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("unknown command"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
