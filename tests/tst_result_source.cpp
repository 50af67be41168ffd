// Which run a concept's results come from (core/project/result_source.h), and BOS pooling in the
// project file: the rule on its own, its error messages, the schema 3 migration of
// projects whose runs pooled BOS, and the command line and the application's session
// agreeing on one project with a max-pooling and a mean-pooling run.
#include "core/base/error.h"
#include "core/project/analysis.h"
#include "core/project/result_source.h"
#include "core/science/expertise.h"
#include "test_support.h"
#include "test_cli_and_sql.h"
#include "ui/project_session.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <sqlite3.h>

#include <cmath>

using namespace expertscope;
using test::cli;
using test::execSql;
using expertscope::test::expectError;
using expertscope::test::waitFor;

namespace {

ProjectStore::ResultRef candidate(int64_t runId, Pooling pooling, bool poolBos = false) {
    ProjectStore::ResultRef r;
    r.runId = runId;
    r.settings.pooling = pooling;
    r.settings.poolBos = poolBos;
    return r;
}

RunSettings settingsOf(Pooling pooling, bool poolBos = false) {
    RunSettings s;
    s.pooling = pooling;
    s.poolBos = poolBos;
    return s;
}


std::vector<std::string> runSettingsTexts(const QString& path) {
    sqlite3* db = nullptr;
    sqlite3_open(path.toUtf8().constData(), &db);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT settings FROM runs ORDER BY id", -1, &st, nullptr);
    std::vector<std::string> out;
    while (sqlite3_step(st) == SQLITE_ROW) out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}


}  // namespace

class TestResultSource : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

private slots:
    // The rule alone: the newest run with the requested settings, else the newest.
    void ruleOnCandidates() {
        const std::vector<ProjectStore::ResultRef> runs{candidate(3, Pooling::Mean), candidate(1, Pooling::Max),
                                                        candidate(2, Pooling::Max), candidate(4, Pooling::Max, true)};
        QCOMPARE(preferredResult(runs, settingsOf(Pooling::Max))->runId, int64_t(2));  // not 4: it pooled BOS
        QCOMPARE(preferredResult(runs, settingsOf(Pooling::Max, true))->runId, int64_t(4));
        QCOMPARE(preferredResult(runs, settingsOf(Pooling::Mean))->runId, int64_t(3));
        QCOMPARE(preferredResult(runs, settingsOf(Pooling::SelfcondMax))->runId, int64_t(4));  // none: the newest
        RunSettings longer = settingsOf(Pooling::Mean);
        longer.sequenceLength = 64;
        QCOMPARE(preferredResult(runs, longer)->runId, int64_t(4));
        QVERIFY(preferredResult({}, RunSettings{}) == nullptr);
        // How the work is done is not part of the identity.
        RunSettings busy = settingsOf(Pooling::Mean);
        busy.workers = 7;
        busy.tokenBudget = 99;
        busy.keepResponses = 200;
        QCOMPARE(preferredResult(runs, busy)->runId, int64_t(3));
    }

    void settingsTextIsTheIdentity() {
        QCOMPARE(settingsText(RunSettings{}), std::string(R"({"pooling": "max", "sequence_length": 0})"));
        RunSettings s = settingsOf(Pooling::Mean, true);
        s.sequenceLength = 64;
        s.longSentences = LongSentencePolicy::Truncate;
        const std::string text = settingsText(s);
        QCOMPARE(text, std::string(R"({"pooling": "mean", "sequence_length": 64, "long_sentences": "truncate", "pool_bos": true})"));
        QCOMPARE(settingsText(parseSettingsText(text)), text);
        // ml-selfcond pooling takes every position in whatever the option says: no marker.
        QCOMPARE(settingsText(settingsOf(Pooling::SelfcondMax, true)), settingsText(settingsOf(Pooling::SelfcondMax)));
        expectError([] { parseSettingsText("not json"); }, "unreadable run settings");
    }

    // A project as schema 2 left it (max, mean and ml-selfcond runs that pooled BOS, in the
    // settings texts of that time) reads, once migrated, as what it was.
    void schema2RunsReadAsBosPooled() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        REQUIRE_SHARED(list, "concepts/onesec-small/concept_list.csv");
        const QString path = tmp_.filePath("v2.esproj");
        const auto model = loadModel({bin.toStdString(), ""});
        int64_t modelId = 0, setId = 0;
        {
            auto store = ProjectStore::open(path.toStdString(), true);
            modelId = store->addModel(*model);
            setId = store->addConceptSet(importSelfcondFolder(QFileInfo(list).absolutePath().toStdString()));
            RunSettings selfcond = settingsOf(Pooling::SelfcondMax);
            selfcond.sequenceLength = 128;
            for (const auto& s : {settingsOf(Pooling::Max), settingsOf(Pooling::Mean), selfcond})
                QCOMPARE(analyse(*store, *model, modelId, setId, s).analysed, 1);
            RunSettings cut;  // a run that never finished, with the other text form
            cut.longSentences = LongSentencePolicy::Truncate;
            QCOMPARE(store->createRun(modelId, setId, cut), int64_t(4));
        }
        // Back to schema 2, with exactly the texts schema 2 wrote.
        execSql(path, R"(UPDATE meta SET value = '2' WHERE key = 'schema_version';
            ALTER TABLE probe_results DROP COLUMN auroc; ALTER TABLE concept_results DROP COLUMN best_auroc;
            ALTER TABLE concepts DROP COLUMN words; ALTER TABLE models DROP COLUMN relative_path;
            UPDATE runs SET settings = '{"pooling": "max", "sequence_length": 0}' WHERE id = 1;
            UPDATE runs SET settings = '{"pooling": "mean", "sequence_length": 0}' WHERE id = 2;
            UPDATE runs SET settings = '{"pooling": "selfcond", "sequence_length": 128}' WHERE id = 3;
            UPDATE runs SET settings = '{"pooling": "max", "sequence_length": 0, "long_sentences": "truncate"}' WHERE id = 4;)");

        auto store = ProjectStore::open(path.toStdString(), false);
        QCOMPARE(runSettingsTexts(path), (std::vector<std::string>{
                                             R"({"pooling": "max", "sequence_length": 0, "pool_bos": true})",
                                             R"({"pooling": "mean", "sequence_length": 0, "pool_bos": true})",
                                             R"({"pooling": "selfcond", "sequence_length": 128})",
                                             R"({"pooling": "max", "sequence_length": 0, "long_sentences": "truncate", "pool_bos": true})"}));
        const auto results = store->finishedResults("football-1_04_00__");
        QCOMPARE(results.size(), size_t(3));
        for (const auto& r : results) QVERIFY2(r.bosPooled && std::isnan(r.bestAuroc), qPrintable(QString::number(r.runId)));
        QCOMPARE(results[0].runId, int64_t(3));  // newest first
        QCOMPARE(results[2].settings.pooling, Pooling::Max);
        QVERIFY(results[2].settings.poolBos);

        // Run identity: new runs (no BOS) are not the old ones.
        QCOMPARE(store->findRun(modelId, setId, settingsOf(Pooling::Max)), int64_t(0));
        QCOMPARE(store->findRun(modelId, setId, settingsOf(Pooling::Max, true)), int64_t(1));
        QCOMPARE(store->findRun(modelId, setId, settingsOf(Pooling::Mean)), int64_t(0));
        QCOMPARE(store->findRun(modelId, setId, settingsOf(Pooling::Mean, true)), int64_t(2));
        RunSettings selfcond = settingsOf(Pooling::SelfcondMax);
        selfcond.sequenceLength = 128;
        QCOMPARE(store->findRun(modelId, setId, selfcond), int64_t(3));
        RunSettings cut = settingsOf(Pooling::Max, true);
        cut.longSentences = LongSentencePolicy::Truncate;
        QCOMPARE(store->findRun(modelId, setId, cut), int64_t(4));

        // A new max analysis is a new run beside the old one, and the rule prefers it.
        QCOMPARE(analyse(*store, *model, modelId, setId, settingsOf(Pooling::Max)).runId, int64_t(5));
        const auto fresh = chooseResult(*store, "football-1_04_00__", ResultRequest{});
        QCOMPARE(fresh.runId, int64_t(5));
        QVERIFY(!fresh.bosPooled);
        QVERIFY(fresh.bestAuroc > 0.5);
        ResultRequest old;
        old.settings = settingsOf(Pooling::Max, true);
        QCOMPARE(chooseResult(*store, "football-1_04_00__", old).runId, int64_t(1));
    }

    void noResultsSayWhy() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        const QString path = tmp_.filePath("empty.esproj");
        auto store = ProjectStore::open(path.toStdString(), true);
        expectError([&] { chooseResult(*store, "football", ResultRequest{}); }, "no concept has results yet");
        Concept c{"football", "sense", "test", {"The team kicked the ball."}, {"The cat slept."}};
        const int64_t setId = store->addConceptSet(ConceptSet{"one", "test-one", {c}});
        expectError([&] { chooseResult(*store, "football", ResultRequest{}); }, "concept 'football' has no results yet; analyse it first");
        const auto model = loadModel({bin.toStdString(), ""});
        const int64_t modelId = store->addModel(*model);
        QCOMPARE(analyse(*store, *model, modelId, setId, RunSettings{}).analysed, 1);
        expectError([&] { chooseResult(*store, "footbal", ResultRequest{}); }, "no concept named 'footbal'; concepts with results: football");
        ResultRequest elsewhere;
        elsewhere.setId = setId + 1;
        expectError([&] { chooseResult(*store, "football", elsewhere); }, "no results for the requested model and concept set");
        QVERIFY(chooseResults(*store, elsewhere).empty());
        QCOMPARE(chooseScope(*store, elsewhere).setId, setId + 1);  // nothing there: unchanged
        QCOMPARE(chooseScope(*store, ResultRequest{}).setId, setId);
    }

    // The same files named by a relative path and by an absolute one are one model of the
    // project, stored under the absolute path (a project is opened from other folders); a
    // link is stored as the link.
    void aModelIsOneWhateverItsPathsSpelling() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        auto store = ProjectStore::open(tmp_.filePath("paths.esproj").toStdString(), true);
        const QFileInfo file(bin);
        const QString before = QDir::currentPath();
        QVERIFY(QDir::setCurrent(file.absoluteDir().absolutePath() + "/.."));
        const auto relative = loadModel({(file.absoluteDir().dirName() + "/./" + file.fileName()).toStdString(), ""});
        const int64_t id = store->addModel(*relative);
        QVERIFY(QDir::setCurrent(before));
        const auto absolute = loadModel({file.absoluteFilePath().toStdString(), ""});
        QCOMPARE(store->addModel(*absolute), id);
        // Stored in the folder that holds it, links in the folder's path resolved (../shared may be one).
        const QString folder = QFileInfo(file.absolutePath()).canonicalFilePath();
        QCOMPARE(QString::fromStdString(store->modelSource(id).path), folder + "/" + file.fileName());
        // A link to the file is kept as the link (an HF snapshot's files link to blobs named by hash).
        const QString link = tmp_.filePath("linked.bin");
        QVERIFY(QFile::link(file.absoluteFilePath(), link));
        const int64_t linked = store->addModel(*loadModel({link.toStdString(), file.absoluteDir().filePath("tok512.model").toStdString()}));
        QCOMPARE(QString::fromStdString(store->modelSource(linked).path), QFileInfo(tmp_.path()).canonicalFilePath() + "/linked.bin");
    }

    // One project, a max run and then a mean run of the same concepts: the command line and
    // the session show the same run and the same best AP, for the default settings and for
    // mean pooling; and the inspector recomputes a unit with the shown run's settings.
    void cliAndSessionAgree() {
        if (qgetenv("EXPERTSCOPE_CLI").isEmpty()) MISSING_ASSET(QStringLiteral("EXPERTSCOPE_CLI not set (run through ctest)"));
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        REQUIRE_SHARED(list, "concepts/onesec-small/concept_list.csv");
        const QString project = tmp_.filePath("agree.esproj"), concepts = QFileInfo(list).absolutePath();
        const QString name = "football-1_04_00__";
        for (const QString& pooling : {"max", "mean"}) {
            const auto r = cli({"analyse", "--model", bin, "--concepts", concepts, "--project", project, "--pooling", pooling});
            QVERIFY2(r.code == 0, r.err.constData());
        }
        struct Answer {
            qint64 run;
            double bestAp, topAp;  // the concept's best AP, and its first expert's
        };
        auto cliAnswer = [&](const QStringList& selection) -> Answer {
            const auto stats = cli(QStringList{"stats", "--project", project, "--concept", name, "--json"} + selection);
            const auto top = cli(QStringList{"experts", "--project", project, "--concept", name, "--top", "1", "--json"} + selection);
            if (stats.code != 0 || top.code != 0) return {-1, -1, -1};
            const auto s = QJsonDocument::fromJson(stats.out).object();
            return {s.value("run").toInteger(), s.value("best_ap").toDouble(),
                    QJsonDocument::fromJson(top.out).array()[0].toObject().value("ap").toDouble()};
        };
        const Answer cliMax = cliAnswer({}), cliMean = cliAnswer({"--pooling", "mean"});
        QCOMPARE(cliMax.run, qint64(1));
        QCOMPARE(cliMean.run, qint64(2));
        QCOMPARE(cliMax.topAp, cliMax.bestAp);
        QCOMPARE(cliMean.topAp, cliMean.bestAp);
        QVERIFY(std::fabs(cliMax.bestAp - cliMean.bestAp) > 1e-3);  // the two runs are told apart by their APs

        ProjectSession session;
        auto sessionAnswer = [&]() -> Answer {
            if (session.concepts().size() != 1 || !session.concepts()[0].analysed) return {-1, -1};
            const int64_t id = session.concepts()[0].id;
            const auto top = session.topExperts(id, 1);
            return {session.result(id).runId, session.concepts()[0].bestAp, top.empty() ? -1 : top[0].ap};
        };
        QSignalSpy loaded(&session, &ProjectSession::modelChanged);
        QVERIFY(session.openProject(project, false));  // default preferences: max pooling
        Answer s = sessionAnswer();
        QCOMPARE(s.run, cliMax.run);
        QCOMPARE(s.bestAp, cliMax.bestAp);
        QCOMPARE(s.topAp, cliMax.topAp);
        RunSettings settings = session.runSettings();
        settings.pooling = Pooling::Mean;
        session.setRunSettings(settings);
        s = sessionAnswer();
        QCOMPARE(s.run, cliMean.run);
        QCOMPARE(s.bestAp, cliMean.bestAp);
        QCOMPARE(s.topAp, cliMean.topAp);
        QVERIFY(waitFor([&] { return session.hasModel(); }, 30000));
        s = sessionAnswer();  // the loaded model is the stored one: still the same
        QCOMPARE(s.run, cliMean.run);

        // Settings no run has (selfcond): both fall back to the newest run, the mean one.
        QCOMPARE(cliAnswer({"--pooling", "selfcond"}).run, cliMean.run);
        settings.pooling = Pooling::SelfcondMax;
        settings.sequenceLength = 128;
        session.setRunSettings(settings);
        QCOMPARE(sessionAnswer().run, cliMean.run);

        // Exports state the run they come from and its BOS pooling.
        const auto exported = cli({"export", "--project", project, "--out", tmp_.filePath("agree-out"), "--pooling", "max"});
        QVERIFY2(exported.code == 0, exported.err.constData());
        QFile infoFile(tmp_.filePath("agree-out/sense/" + name + "/expertise_info.json"));
        QVERIFY(infoFile.open(QIODevice::ReadOnly));
        const auto info = QJsonDocument::fromJson(infoFile.readAll()).object();
        QCOMPARE(info.value("run").toInteger(), cliMax.run);
        QCOMPARE(info.value("pooling").toString(), QString("max"));
        QCOMPARE(info.value("bos_pooled").toBool(), false);
        QCOMPARE(float(info.value("max_ap").toDouble()), float(cliMax.bestAp));  // exports hold float32 values

        // The inspector recomputes a unit (no responses were kept) with the shown mean run's
        // settings, not the selfcond preferences: its AP comes out as stored.
        const int64_t id = session.concepts()[0].id;
        const auto best = session.topExperts(id, 1)[0];
        const auto stored = session.expertise(id);
        QSignalSpy ready(&session, &ProjectSession::unitDetailsReady);
        session.requestUnitDetails(id, best.unit);
        QVERIFY(waitFor([&] { return ready.count() >= 2; }, 60000));
        const auto d = qvariant_cast<UnitDetails>(ready.last().at(0));
        QVERIFY(!d.fromKeptResponses);
        QCOMPARE(d.responses.size(), size_t(31));
        const auto again = computeExpertise(d.responses.data(), static_cast<int64_t>(d.responses.size()), 1, d.labels, 1);
        QCOMPARE(float(again.ap[0]), float(stored.ap[static_cast<size_t>(best.unit)]));

        // The command line's unit report is the inspector's, value for value.
        const auto unit = cli({"unit", "--project", project, "--concept", name, "--unit", QString::number(best.unit), "--pooling", "mean", "--json"});
        QVERIFY2(unit.code == 0, unit.err.constData());
        const auto report = QJsonDocument::fromJson(unit.out).object();
        QCOMPARE(report.value("global_unit").toInteger(), best.unit);
        QCOMPARE(report.value("probe").toString(), d.probe);
        QCOMPARE(report.value("ap").toDouble(), d.ap);
        QCOMPARE(report.value("on_p50").toDouble(), d.onP50);
        int tokensCompared = 0;
        for (const auto& [key, list] : {std::pair{"strongest", &d.strongest}, std::pair{"weakest", &d.weakest}}) {
            const auto rows = report.value(key).toArray();
            QCOMPARE(rows.size(), list->size());
            QCOMPARE(rows.size(), 5);
            for (int i = 0; i < rows.size(); ++i) {
                const auto row = rows[i].toObject();
                const auto& s = (*list)[i];
                QCOMPARE(row.value("sentence").toString(), s.sentence);
                QCOMPARE(row.value("positive").toBool(), s.positive);
                QCOMPARE(float(row.value("response").toDouble()), s.response);
                const auto tokens = row.value("tokens").toArray();
                QCOMPARE(tokens.size(), s.tokens.size());
                for (int t = 0; t < tokens.size(); ++t, ++tokensCompared) {
                    QCOMPARE(tokens[t].toObject().value("text").toString(), s.tokens[t].text);
                    QCOMPARE(float(tokens[t].toObject().value("value").toDouble()), s.tokens[t].value);
                }
            }
        }
        QVERIFY(tokensCompared > 20);
        const auto outside = cli({"unit", "--project", project, "--concept", name, "--unit", "999999"});
        QVERIFY2(outside.code != 0 && outside.err.contains("unit 999999 is outside the results"), outside.err.constData());
        session.waitForIdle();
    }
};

QTEST_GUILESS_MAIN(TestResultSource)
#include "tst_result_source.moc"
