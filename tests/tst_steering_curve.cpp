// The steering curve on stories260K and onesec-small's football concept: at k = 0 its rates
// are those of plain generation with the same seeds; forcing experts changes the texts; the
// perplexity is the unforced model's; target words are counted whole and case-insensitively;
// cancelling stops it.
#include "core/base/error.h"
#include "core/project/analysis.h"
#include "core/project/concepts.h"
#include "core/project/result_source.h"
#include "core/project/steering_curve.h"
#include "core/science/response_collector.h"
#include "test_cli_and_sql.h"
#include "test_support.h"

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>

#include <cmath>

using namespace expertscope;

class TestSteeringCurve : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::unique_ptr<LanguageModel> model_;
    std::unique_ptr<ProjectStore> store_;
    ProjectStore::ResultRef ref_;

    SteeringOptions options() const {
        SteeringOptions o;
        o.targets = {"the", "Lily"};  // frequent in these stories, so k = 0 counts something
        o.ks = {0, 20};
        o.seeds = 4;
        o.generation.maxNewTokens = 30;
        o.generation.temperature = 0.8f;
        o.generation.stopAtEos = false;
        return o;
    }

private slots:
    void initTestCase() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        REQUIRE_SHARED(list, "concepts/onesec-small/concept_list.csv");
        model_ = loadModel({bin.toStdString(), ""});
        store_ = ProjectStore::open(dir_.filePath("p.esproj").toStdString(), true);
        const ConceptSet set = importSelfcondFolder(QFileInfo(list).absolutePath().toStdString());
        const auto summary = analyse(*store_, *model_, store_->addModel(*model_), store_->addConceptSet(set), RunSettings{});
        QCOMPARE(summary.analysed, 1);
        ref_ = chooseResult(*store_, "football-1_04_00__", ResultRequest{});
    }

    void countsWholeWordsCaseInsensitively() {
        const auto c = countTargets("The cat, the Theatre and THE end; body of water, bodies of water.", {"the", "body of water"});
        QCOMPARE(c.occurrences, 4);  // The, the, THE, "body of water" (not Theatre, not bodies of water)
        QCOMPARE(c.words, 13);
        QCOMPARE(countTargets("", {"x"}).words, 0);
        // Overlapping targets: the longest starting at a word counts, once; phrases match
        // across any spacing and punctuation between their words.
        const auto o = countTargets("A body of  water; water, body\nof water. St. Louis, Louis", {"water", "body of water", "st. louis"});
        QCOMPARE(o.occurrences, 4);  // body of water, water, body of water, St. Louis (not the lone Louis)
        QCOMPARE(o.words, 11);
        // Unicode case folding, whole words only.
        QCOMPARE(countTargets("Straße STRASSE Straßenbahn", {"straße"}).occurrences, 1);
        QCOMPARE(countTargets("Zoë ZOË zoe", {"zoë"}).occurrences, 2);
    }

    // A concept's own words, stored in the project, are its default targets; without them, its name.
    void defaultTargetsAreTheConceptsWords() {
        QTemporaryDir dir;
        auto store = ProjectStore::open(dir.filePath("w.esproj").toStdString(), true);
        ConceptSet set;
        set.concepts.push_back({"canine", "g", "", {"a dog barked"}, {"it rained"}, {"dog", "hot dog", "Wolf"}});
        set.concepts.push_back({"weather", "g", "", {"it rained"}, {"a dog barked"}, {}});
        const int64_t setId = store->addConceptSet(set);
        const auto concepts = store->concepts(setId);
        QCOMPARE(defaultTargets(*store, concepts[0].id, "canine"), (std::vector<std::string>{"dog", "hot dog", "Wolf"}));
        QCOMPARE(defaultTargets(*store, concepts[1].id, "weather"), std::vector<std::string>{"weather"});
        QCOMPARE(store->loadConcept(concepts[0].id).words, set.concepts[0].words);
        set.concepts[0].words = {"line\nbreak"};
        set.concepts.pop_back();
        test::expectError([&] { store->addConceptSet(set); }, "a word with a line break");
    }

    void atZeroExpertsItIsPlainGeneration() {
        const auto o = options();
        const auto curve = steeringCurve(*model_, *store_, ref_, o);
        QCOMPARE(curve.points.size(), size_t(2));
        const auto& zero = curve.points[0];
        double sum = 0;
        for (int seed = 1; seed <= o.seeds; ++seed) {
            GenerationOptions g = o.generation;
            g.seed = static_cast<uint64_t>(seed);
            const std::string text = model_->tokenizer().decode(model_->generate({}, g));
            QCOMPARE(zero.texts[static_cast<size_t>(seed - 1)], text);
            const auto c = countTargets(text, o.targets);
            sum += c.words ? double(c.occurrences) / c.words : 0;
        }
        QCOMPARE(zero.rate, sum / o.seeds);
        QVERIFY2(zero.rate > 0, "the targets never appear: the comparison would prove little");
        QVERIFY(zero.perplexity > 1 && std::isfinite(zero.perplexity));
        // Forcing 20 experts writes other texts, and they are less likely under the plain model.
        const auto& forced = curve.points[1];
        QCOMPARE(forced.k, 20);
        QVERIFY(forced.texts != zero.texts);
        QVERIFY(forced.perplexity != zero.perplexity);
        QCOMPARE(zero.firstTokenProbability, -1.0);  // no prompt
    }

    void withAPromptItGivesTheFirstTokenProbability() {
        auto o = options();
        o.prompt = "Once upon a time";
        o.seeds = 1;
        const auto curve = steeringCurve(*model_, *store_, ref_, o);
        for (const auto& p : curve.points) QVERIFY(p.firstTokenProbability > 0 && p.firstTokenProbability < 1);
        QVERIFY(curve.points[0].firstTokenProbability != curve.points[1].firstTokenProbability);
    }

    // AurA as one more point: every unit with AUROC > 0.5 dampened, whatever the grid.
    void auraIsOneMorePoint() {
        auto o = options();
        o.ks = {0};
        o.seeds = 2;
        o.auraPoint = true;
        const auto curve = steeringCurve(*model_, *store_, ref_, o);
        QCOMPARE(curve.points.size(), size_t(2));
        QCOMPARE(curve.points[1].k, -1);
        QVERIFY(curve.points[1].texts != curve.points[0].texts);
    }

    // Results stored without AUROC (before schema 4): the grid still runs, and the curve
    // says why the AurA point is missing.
    void withoutAurocTheGridStillRuns() {
        const QString copy = dir_.filePath("no-auroc.esproj");
        QVERIFY(QFile::copy(dir_.filePath("p.esproj"), copy));
        if (QFile::exists(dir_.filePath("p.esproj-wal")))  // what the open store has not checkpointed yet
            QVERIFY(QFile::copy(dir_.filePath("p.esproj-wal"), copy + "-wal"));
        test::execSql(copy, "UPDATE probe_results SET auroc = NULL; UPDATE concept_results SET best_auroc = NULL;");
        if (QTest::currentTestFailed()) return;
        const auto store = ProjectStore::open(copy.toStdString(), false);
        auto o = options();
        o.ks = {0, 5};
        o.seeds = 1;
        o.auraPoint = true;
        const auto curve = steeringCurve(*model_, *store, ref_, o);
        QCOMPARE(curve.points.size(), size_t(2));
        QCOMPARE(curve.points[1].k, 5);
        QVERIFY2(curve.auraMissing.find("AUROC") != std::string::npos, curve.auraMissing.c_str());
    }

    void cancelsAndRefusesBadOptions() {
        int calls = 0;
        QVERIFY_THROWS_EXCEPTION(Cancelled, steeringCurve(*model_, *store_, ref_, options(), [&](int, int) { return ++calls < 3; }));
        QCOMPARE(calls, 3);
        auto o = options();
        o.targets = {" "};
        test::expectError([&] { steeringCurve(*model_, *store_, ref_, o); }, "needs target words");
        o = options();
        o.ks = {-1};
        test::expectError([&] { steeringCurve(*model_, *store_, ref_, o); }, "must be 0 or more");
    }
};

QTEST_MAIN(TestSteeringCurve)
#include "tst_steering_curve.moc"
