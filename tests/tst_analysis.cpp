// The analysis end to end on stories260K and the OneSec football concept: every unit gets
// an AP, real experts appear, an interrupted run resumes to exactly the uninterrupted
// result, refused concepts say why, and a file that is not a project is left untouched.
#include "core/base/error.h"
#include "core/project/analysis.h"
#include "core/project/result_source.h"
#include "core/science/expert_queries.h"
#include "core/science/response_collector.h"
#include "test_support.h"

#include <QDir>
#include <QFile>
#include <sqlite3.h>
#include <QTemporaryDir>
#include <QTest>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

using namespace expertscope;

class TestAnalysis : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    std::unique_ptr<LanguageModel> model_;
    ConceptSet set_;

private slots:
    void initTestCase() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        REQUIRE_SHARED(full, "concepts/onesec/concept_list.csv");
        REQUIRE_SHARED(small, "concepts/onesec-small/concept_list.csv");
        model_ = loadModel({bin.toStdString(), ""});
        // Two concepts: the small football set first (fast), then the full one.
        set_ = importSelfcondFolder(QFileInfo(small).absolutePath().toStdString());
        set_.concepts[0].name = "football-small";
        set_.concepts.push_back(importSelfcondFolder(QFileInfo(full).absolutePath().toStdString()).concepts[0]);
        set_.name = "football";
    }

    void analysesResumesAndStores() {
        RunSettings settings;
        settings.keepResponses = 5;
        // Uninterrupted, in one project.
        auto a = ProjectStore::open(tmp_.filePath("a.esproj").toStdString(), true);
        const int64_t modelA = a->addModel(*model_), setA = a->addConceptSet(set_);
        const auto whole = analyse(*a, *model_, modelA, setA, settings);
        QCOMPARE(whole.analysed, 2);
        // The small set's sentences are also the full set's: they run once.
        qInfo("sentences run %lld, reused %lld", static_cast<long long>(whole.sentencesRun),
              static_cast<long long>(whole.sentencesReused));
        QVERIFY(whole.sentencesReused > 0);
        const auto concepts = a->concepts(setA);
        QCOMPARE(concepts[1].positives, 700);
        QCOMPARE(concepts[1].negatives, 1000);
        const auto football = a->loadConceptResult(whole.runId, concepts[1].id);
        QCOMPARE(int64_t(football.ap.size()), model_->unitCount());
        for (double ap : football.ap) QVERIFY(std::isfinite(ap) && ap > 0 && ap <= 1);
        const auto top = a->topExperts(whole.runId, concepts[1].id, 50);
        QCOMPARE(top.size(), size_t(50));
        qInfo("best football AP with stories260K: %.4f (unit %lld)", top[0].ap, static_cast<long long>(top[0].unit));
        QVERIFY2(top[0].ap > 0.8, qPrintable(QString::number(top[0].ap)));
        QCOMPARE(float(top[0].ap), float(*std::max_element(football.ap.begin(), football.ap.end())));
        // Expert counts in one query: exact below the stored 1,000, capped there above.
        for (double t : {0.9, 0.7, 0.0}) {
            const auto counts = a->expertCounts(whole.runId, t);
            const int exact = static_cast<int>(expertsAbove(football, t).size());
            QCOMPARE(counts.at(concepts[1].id), std::min(exact, ProjectStore::kTopExpertsStored));
            // What the front ends show is exact: counted from the full results past the cap.
            QCOMPARE(expertCounts(*a, chooseResults(*a, ResultRequest{}), t).at(concepts[1].id), exact);
        }
        QCOMPARE(a->results(whole.runId)[1].bestAp, top[0].ap);
        QCOMPARE(float(a->results(whole.runId)[1].bestAuroc), float(*std::max_element(football.auroc.begin(), football.auroc.end())));
        // The top experts' responses were kept: their AP recomputed from them is the stored one.
        for (int rank = 0; rank < 6; ++rank) {
            const auto kept = a->keptResponses(whole.runId, concepts[1].id, top[rank].unit);
            if (rank == 5) {
                QVERIFY(kept.units.empty());
                break;
            }
            QCOMPARE(kept.sentences.size(), size_t(1700));
            QCOMPARE(std::count(kept.labels.begin(), kept.labels.end(), 1), 700);
            const auto again = computeExpertise(kept.values.data(), 1700, 1, kept.labels, 1);
            QCOMPARE(again.ap[0], top[rank].ap);
            QCOMPARE(float(again.auroc[0]), float(football.auroc[size_t(top[rank].unit)]));
            QCOMPARE(float(again.onP50[0]), float(football.onP50[size_t(top[rank].unit)]));
        }

        // A sentence's responses do not depend on its batch (row-exact products), so the same
        // results come out to the bit whether shared sentences are reused or run again, in
        // other batches, on one worker or several.
        const auto sameResults = [&](ProjectStore& other, int64_t run, const char* what) {
            for (int i = 0; i < 2; ++i) {
                const auto x = a->loadConceptResult(whole.runId, concepts[size_t(i)].id);
                const auto y = other.loadConceptResult(run, other.concepts(1)[size_t(i)].id);
                QVERIFY2(x.ap == y.ap && x.auroc == y.auroc && x.onP50 == y.onP50 && x.onP90 == y.onP90 && x.offMean == y.offMean,
                         qPrintable(QString("%1: concept %2 differs").arg(what).arg(i)));
            }
        };
        RunSettings noReuse = settings;
        noReuse.reuseBytes = 0;
        noReuse.tokenBudget = 300;
        noReuse.workers = 1;
        auto c = ProjectStore::open(tmp_.filePath("c-noreuse.esproj").toStdString(), true);
        const auto alone = analyse(*c, *model_, c->addModel(*model_), c->addConceptSet(set_), noReuse);
        QCOMPARE(alone.sentencesReused, int64_t(0));
        sameResults(*c, alone.runId, "no reuse, other batches, one worker");

        // Interrupted in the middle of the second concept (the first stored, some batches of
        // the second done), then resumed: the first is kept, the second redone, and the
        // results equal the uninterrupted run's.
        const QString bPath = tmp_.filePath("b.esproj");
        {
            auto b = ProjectStore::open(bPath.toStdString(), true);
            const int64_t modelB = b->addModel(*model_), setB = b->addConceptSet(set_);
            int64_t seenInSecond = 0;
            QVERIFY_THROWS_EXCEPTION(Cancelled, analyse(*b, *model_, modelB, setB, settings, [&](const AnalysisProgress& p) {
                if (p.conceptsDone == 1) seenInSecond = p.sentencesDone;
                return !(p.conceptsDone == 1 && p.sentencesDone > 0);
            }));
            QVERIFY(seenInSecond > 0 && seenInSecond < 1700);
            QCOMPARE(b->finishedConcepts(1).size(), size_t(1));
        }
        auto b = ProjectStore::open(bPath.toStdString(), false);
        const auto resumed = analyse(*b, *model_, 1, 1, settings);
        QCOMPARE(resumed.alreadyDone, 1);
        QCOMPARE(resumed.analysed, 1);
        sameResults(*b, resumed.runId, "interrupted and resumed");
        // Finished concepts are never recomputed.
        const auto again = analyse(*b, *model_, 1, 1, settings);
        QCOMPARE(again.runId, resumed.runId);
        QCOMPARE(again.analysed, 0);
        QCOMPARE(again.alreadyDone, 2);
    }

    // A concept set is imported once per project: the same folder again, by a relative or
    // an absolute path, is the set already there; another folder is a new set.
    void conceptSetsAreImportedOnce() {
        REQUIRE_SHARED(small, "concepts/onesec-small/concept_list.csv");
        REQUIRE_SHARED(full, "concepts/onesec/concept_list.csv");
        auto p = ProjectStore::open(tmp_.filePath("sets.esproj").toStdString(), true);
        const QString folder = QFileInfo(small).absolutePath();
        const int64_t first = importOrReuseConceptSet(*p, folder.toStdString());
        const QString relative = QDir::current().relativeFilePath(folder);
        QCOMPARE(importOrReuseConceptSet(*p, relative.toStdString()), first);
        QCOMPARE(importOrReuseConceptSet(*p, (folder + "/").toStdString()), first);
        const int64_t other = importOrReuseConceptSet(*p, QFileInfo(full).absolutePath().toStdString());
        QVERIFY(other != first);
        QCOMPARE(p->concepts(other).size(), size_t(1));
        test::expectError([&] { importOrReuseConceptSet(*p, tmp_.filePath("no-such-folder").toStdString()); }, "no-such-folder");
    }

    void olderProjectsAreMigrated() {
        const QString path = tmp_.filePath("old.esproj");
        ProjectStore::open(path.toStdString(), true);
        {  // back to schema 1, as an older Expertscope left it
            sqlite3* db = nullptr;
            QCOMPARE(sqlite3_open(path.toUtf8().constData(), &db), SQLITE_OK);
            QCOMPARE(sqlite3_exec(db, "DROP TABLE kept_responses; DROP TABLE kept_sentences; "
                                      "ALTER TABLE probe_results DROP COLUMN auroc; ALTER TABLE concept_results DROP COLUMN best_auroc; "
                                      "ALTER TABLE concepts DROP COLUMN words; ALTER TABLE models DROP COLUMN relative_path; "
                                      "UPDATE meta SET value = '1' WHERE key = 'schema_version'", nullptr, nullptr, nullptr), SQLITE_OK);
            sqlite3_close(db);
        }
        auto p = ProjectStore::open(path.toStdString(), false);
        QVERIFY(p->keptResponses(1, 1, 0).units.empty());  // the table exists again
    }

    void longSentencesAreDroppedOrCut() {
        ConceptSet set{"long", "test-long", {set_.concepts[0]}};  // Wikipedia sentences: all over 30 tokens
        for (const char* s : {"The team kicked the ball.", "He scored a goal.", "The match was fun."})
            set.concepts[0].positives.push_back(s);
        for (const char* s : {"The cat slept.", "Mom made soup.", "It rained all day."}) set.concepts[0].negatives.push_back(s);
        for (auto policy : {LongSentencePolicy::Drop, LongSentencePolicy::Truncate}) {
            auto p = ProjectStore::open(tmp_.filePath(QString("long%1.esproj").arg(int(policy))).toStdString(), true);
            RunSettings settings;
            settings.sequenceLength = 30;
            settings.longSentences = policy;
            settings.keepResponses = 1;
            const auto summary = analyse(*p, *model_, p->addModel(*model_), p->addConceptSet(set), settings);
            QCOMPARE(summary.analysed, 1);
            const std::string expected = policy == LongSentencePolicy::Drop ? "tokens dropped" : "cut to 30 tokens";
            QVERIFY(std::any_of(summary.messages.begin(), summary.messages.end(),
                                [&](const ValidationMessage& m) { return m.message.find(expected) != std::string::npos; }));
            const auto conceptId = p->concepts(1)[0].id;
            const auto kept = p->keptResponses(summary.runId, conceptId, p->topExperts(summary.runId, conceptId, 1)[0].unit);
            const size_t all = set.concepts[0].positives.size() + set.concepts[0].negatives.size();
            // Cut sentences are analysed (and kept under their stored text); dropped ones are not.
            if (policy == LongSentencePolicy::Truncate)
                QCOMPARE(kept.sentences.size(), all);
            else
                QVERIFY(kept.sentences.size() < all);
        }
    }

    void refusedConceptsSayWhy() {
        auto p = ProjectStore::open(tmp_.filePath("c.esproj").toStdString(), true);
        ConceptSet set{"bad", "test", {Concept{"no-negatives", "g", "s", {"A ball.", "A goal."}, {}}}};
        const auto summary = analyse(*p, *model_, p->addModel(*model_), p->addConceptSet(set), RunSettings{});
        QCOMPARE(summary.refused, 1);
        QVERIFY(!summary.messages.empty());
        QVERIFY(summary.messages.back().fatal);
        QCOMPARE(summary.messages.back().message, std::string("no negative sentences: the concept cannot be analysed"));
    }

    void foreignFilesAreRefusedUntouched() {
        const QString garbage = tmp_.filePath("garbage.esproj");
        QFile f(garbage);
        QVERIFY(f.open(QIODevice::WriteOnly));
        const QByteArray content = QByteArray("this is not a database at all ").repeated(200);
        f.write(content);
        f.close();
        try {
            ProjectStore::open(garbage.toStdString(), false);
            QFAIL("opened garbage");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("not an Expertscope project") != std::string::npos, e.what());
            QVERIFY2(std::string(e.what()).find("left unchanged") != std::string::npos, e.what());
        }
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), content);
        QVERIFY(!QFile::exists(garbage + "-wal"));
        test::expectError([&] { ProjectStore::open(tmp_.filePath("missing.esproj").toStdString(), false); }, "missing.esproj: no such project file");
    }

    // Processes that open one new project at the same instant (analyses started together)
    // all get it: SQLite refuses all but one of them the switch to write-ahead logging at
    // once, without its busy wait, so they must wait and try again. Started at a barrier,
    // 4 processes x 40 projects: before, about one opening in ten failed "database is locked".
    void aNewProjectOpensInManyProcessesAtOnce() {
        int failed = 0;
        for (int trial = 0; trial < 40; ++trial) {
            const std::string path = tmp_.filePath(QString("together%1.esproj").arg(trial)).toStdString();
            int barrier[2];
            QVERIFY(pipe(barrier) == 0);
            std::vector<pid_t> children;
            for (int k = 0; k < 4; ++k) {
                const pid_t child = fork();
                if (child == 0) {
                    ::close(barrier[1]);
                    char go;
                    const bool released = read(barrier[0], &go, 1) == 0;  // all start when the pipe closes
                    try {
                        ProjectStore::open(path, true)->setMeta("opened_by/" + std::to_string(k), "yes");
                        _exit(released ? 0 : 3);
                    } catch (const std::exception& e) {
                        std::fprintf(stderr, "process %d: %s\n", k, e.what());
                        _exit(1);
                    }
                }
                QVERIFY(child > 0);
                children.push_back(child);
            }
            ::close(barrier[0]);
            QTest::qWait(20);  // every child waiting at the barrier
            ::close(barrier[1]);
            for (const pid_t child : children) {
                int status = 0;
                QCOMPARE(waitpid(child, &status, 0), child);
                failed += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
            }
            const auto store = ProjectStore::open(path, false);
            for (int k = 0; k < 4 && !failed; ++k) QCOMPARE(store->meta("opened_by/" + std::to_string(k)), std::string("yes"));
        }
        QCOMPARE(failed, 0);
    }
};

QTEST_GUILESS_MAIN(TestAnalysis)
#include "tst_analysis.moc"
