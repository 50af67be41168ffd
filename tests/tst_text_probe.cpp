// Asking the model about a text (core/project/text_probe.h), on the committed demo model and
// three WordNet concepts analysed as the demo is: a text made of a concept's own positive
// sentences ranks that concept first; each expert's responses, pooled as the analysis pools
// them, equal the responses the analysis kept for the same sentence, to the bit; the CLI's
// probe gives the same ranking and numbers. And what a new concept is like: a second concept
// set's concept is ranked against every analysed concept of the project.
#include "core/base/error.h"
#include "core/project/analysis.h"
#include "core/project/result_source.h"
#include "core/project/text_probe.h"
#include "core/science/response_collector.h"
#include "demo/wordnet.h"
#include "test_cli_and_sql.h"
#include "test_support.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <algorithm>

using namespace expertscope;

class TestTextProbe : public QObject {
    Q_OBJECT

    // Probes five of city's kept sentences; every expert with kept responses must pool to
    // the kept value exactly (and, for max pooling, be the maximum over its scored tokens).
    static void checkPooledAgainstKept(LanguageModel& model, const ProjectStore& store,
                                       const std::map<int64_t, ProjectStore::ResultRef>& results, const TextProbeOptions& options,
                                       bool maxPooling) {
        const auto& [conceptId, ref] = *std::find_if(results.begin(), results.end(), [](const auto& r) { return r.second.concept == "city"; });
        const auto kept = store.keptResponses(ref.runId, ref.conceptId, store.topExperts(ref.runId, ref.conceptId, 1)[0].unit);
        const auto experts = probeExperts(store, results, options);
        int checked = 0, compared = 0;
        for (size_t s = 0; s < kept.sentences.size() && checked < 5; ++s, ++checked) {
            const auto p = probeText(model, experts, kept.sentences[s]);
            const auto c = std::find_if(p.concepts.begin(), p.concepts.end(), [&](const ProbedConcept& x) { return x.conceptId == conceptId; });
            QVERIFY(c != p.concepts.end());
            for (size_t i = 0; i < c->units.size(); ++i) {
                const auto k = store.keptResponses(ref.runId, ref.conceptId, c->units[i]);
                if (k.units.empty()) continue;
                QCOMPARE(c->pooled[i], k.values[s]);
                if (maxPooling) {
                    const auto& r = c->responses[i];
                    QCOMPARE(*std::max_element(r.begin() + p.firstScored, r.end()), k.values[s]);
                }
                ++compared;
            }
        }
        QCOMPARE(checked, 5);
        QVERIFY2(compared >= 5 * 10, qPrintable(QString::number(compared)));  // ten experts or more per sentence
    }

    QTemporaryDir tmp_;
    std::unique_ptr<LanguageModel> model_;
    std::unique_ptr<ProjectStore> store_;
    std::map<int64_t, ProjectStore::ResultRef> results_;
    ConceptSet set_;

private slots:
    void initTestCase() {
        if (!QFileInfo::exists("/usr/share/wordnet/data.noun"))
            MISSING_ASSET(QStringLiteral("WordNet is not installed (/usr/share/wordnet; Debian package wordnet-base)"));
        const QString dir = QDir(QStringLiteral(EXPERTSCOPE_SOURCE_DIR)).filePath("resources/demo/model");
        model_ = loadModel({dir.toStdString(), ""});
        const WordNet wn;
        std::vector<WordNetCategory> some;
        for (const auto& c : demoCategories())
            if (c.name == "city" || c.name == "tree" || c.name == "metal") some.push_back(c);
        set_ = buildWordNetConcepts(wn, some);
        store_ = ProjectStore::open(tmp_.filePath("probe.esproj").toStdString(), true);
        RunSettings s;
        s.keepResponses = 20;
        QCOMPARE(analyse(*store_, *model_, store_->addModel(*model_), store_->addConceptSet(set_), s).analysed, 3);
        ResultRequest r;
        r.settings = s;
        results_ = chooseResults(*store_, r);
        QCOMPARE(results_.size(), size_t(3));
    }

    void aConceptsOwnSentencesRankItFirst() {
        for (const auto& c : set_.concepts) {
            const std::string text = c.positives[0] + " " + c.positives[1] + " " + c.positives[2];
            const auto p = probeText(*model_, *store_, results_, text);
            QVERIFY(!p.concepts.empty());
            qInfo("%s: first %s (%.3f)", c.name.c_str(), p.concepts[0].name.c_str(), p.concepts[0].score);
            QCOMPARE(p.concepts[0].name, c.name);
            QVERIFY(p.concepts[0].score > 0.5);
        }
    }

    // Each expert's response pooled by the probe is the analysis's own for that sentence, to
    // the bit; with max pooling it is also the maximum of the probe's per-token responses.
    // The few units' stored values the probe reads equal the whole result's, in the order asked.
    void unitResultsAreTheStoredOnes() {
        const auto& ref = results_.begin()->second;
        const auto all = store_->loadConceptResult(ref.runId, ref.conceptId);
        const std::vector<int64_t> units{static_cast<int64_t>(all.ap.size()) - 1, 0, 777, 5000, 0};
        const auto some = store_->unitResults(ref.runId, ref.conceptId, ref.modelId, units);
        QCOMPARE(some.ap.size(), units.size());
        for (size_t i = 0; i < units.size(); ++i) {
            const auto u = static_cast<size_t>(units[i]);
            QCOMPARE(some.ap[i], all.ap[u]);
            QCOMPARE(some.onP50[i], all.onP50[u]);
            QCOMPARE(some.onP90[i], all.onP90[u]);
            QCOMPARE(some.offMean[i], all.offMean[u]);
            QCOMPARE(some.auroc[i], all.auroc[u]);
        }
        test::expectError([&] { store_->unitResults(ref.runId, ref.conceptId, ref.modelId, {static_cast<int64_t>(all.ap.size())}); }, "has no unit");
    }

    void responsesAreTheAnalysis() { checkPooledAgainstKept(*model_, *store_, results_, TextProbeOptions{}, true); }

    // The same under mean pooling (the run's own pooling is used), and for the GPT-2 runtime:
    // the probe works with whatever family and pooling the project's runs used.
    void otherPoolingsAndFamilies() {
        {
            const auto store = ProjectStore::open(tmp_.filePath("mean.esproj").toStdString(), true);
            RunSettings s;
            s.pooling = Pooling::Mean;
            s.keepResponses = 20;
            QCOMPARE(analyse(*store, *model_, store->addModel(*model_), store->addConceptSet(set_), s).analysed, 3);
            ResultRequest r;
            r.settings = s;
            checkPooledAgainstKept(*model_, *store, chooseResults(*store, r), TextProbeOptions{0.0, 20}, false);
        }
        REQUIRE_SHARED(cfg, "models/gpt2-tiny-random/config.json");
        REQUIRE_SHARED(tok, "tokenizers/gpt2/encoder.json");
        const auto gpt2 = loadModel({QFileInfo(cfg).absolutePath().toStdString(), tok.toStdString()});
        const auto store = ProjectStore::open(tmp_.filePath("gpt2.esproj").toStdString(), true);
        RunSettings s;
        s.keepResponses = 20;
        QCOMPARE(analyse(*store, *gpt2, store->addModel(*gpt2), store->addConceptSet(set_), s).analysed, 3);
        ResultRequest r;
        r.settings = s;
        // Random weights: no unit reaches AP 0.9, so every stored top expert is asked.
        checkPooledAgainstKept(*gpt2, *store, chooseResults(*store, r), TextProbeOptions{0.0, 20}, true);
    }

    // A concept imported later, in a set of its own, made of city's sentences under another
    // name: across the project its closest concept is city, sharing every top expert.
    void aNewConceptIsPlacedAmongTheProjectsConcepts() {
        ConceptSet other;
        other.name = "later";
        other.origin = "test:later";
        Concept towns = *std::find_if(set_.concepts.begin(), set_.concepts.end(), [](const Concept& c) { return c.name == "city"; });
        towns.name = "towns";
        other.concepts.push_back(towns);
        RunSettings s;
        s.keepResponses = 20;
        const auto modelId = store_->addModel(*model_);
        QCOMPARE(analyse(*store_, *model_, modelId, store_->addConceptSet(other), s).analysed, 1);
        const auto ref = chooseResult(*store_, "towns", ResultRequest{s});
        const auto near = closestInProject(*store_, ref, 50);
        QCOMPARE(near.size(), size_t(3));
        QCOMPARE(near[0].ref.concept, std::string("city"));
        QCOMPARE(near[0].overlap, 1.0);
        QVERIFY(near[1].overlap < 1.0 && near[2].overlap <= near[1].overlap);
        if (qgetenv("EXPERTSCOPE_CLI").isEmpty()) MISSING_ASSET(QStringLiteral("EXPERTSCOPE_CLI not set (run through ctest)"));
        store_->checkpoint();
        const auto r = test::cli({"colearning", "--project", QString::fromStdString(store_->path()), "--concept", "towns", "--across",
                                  "--k", "50", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const auto rows = QJsonDocument::fromJson(r.out).array();
        QCOMPARE(rows.size(), 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(rows[i].toObject().value("concept").toString().toStdString(), near[static_cast<size_t>(i)].ref.concept);
            QCOMPARE(rows[i].toObject().value("overlap").toDouble(), near[static_cast<size_t>(i)].overlap);
        }
    }

    void theCommandLineAgrees() {
        if (qgetenv("EXPERTSCOPE_CLI").isEmpty()) MISSING_ASSET(QStringLiteral("EXPERTSCOPE_CLI not set (run through ctest)"));
        const std::string text = set_.concepts[1].positives[0];
        store_->checkpoint();
        const auto r = test::cli({"probe", "--project", QString::fromStdString(store_->path()), "--text", QString::fromStdString(text),
                                  "--json", "--keep-responses-ignored-by-probe"});
        QCOMPARE(r.code, 1);  // an unknown option is refused
        // --run: the three concepts' run, whatever other sets the project has gained since.
        const auto ok = test::cli({"probe", "--project", QString::fromStdString(store_->path()), "--text", QString::fromStdString(text),
                                   "--run", QString::number(results_.begin()->second.runId), "--json"});
        QVERIFY2(ok.code == 0, ok.err.constData());
        const auto json = QJsonDocument::fromJson(ok.out).object();
        const auto p = probeText(*model_, *store_, results_, text);
        const auto concepts = json.value("concepts").toArray();
        QCOMPARE(concepts.size(), static_cast<int>(p.concepts.size()));
        for (int i = 0; i < concepts.size(); ++i) {
            QCOMPARE(concepts[i].toObject().value("concept").toString().toStdString(), p.concepts[static_cast<size_t>(i)].name);
            QCOMPARE(concepts[i].toObject().value("score").toDouble(), p.concepts[static_cast<size_t>(i)].score);
        }
        test::expectError([&] { probeText(*model_, *store_, results_, "  \n"); }, "no text to probe");
    }

    // Asked between its passes (before the trace, before each pooling), a cancelled probe stops.
    void aProbeStopsWhenCancelled() {
        const auto experts = probeExperts(*store_, results_);
        int asked = 0;
        const auto p = probeText(*model_, experts, "The city council met.", [&] { return ++asked < 0; });
        QVERIFY(!p.concepts.empty());
        QCOMPARE(asked, 2);  // one run, one pooling
        asked = 0;
        QVERIFY_THROWS_EXCEPTION(Cancelled, probeText(*model_, experts, "The city council met.", [&] { return ++asked == 2; }));
        QCOMPARE(asked, 2);
    }
};

QTEST_GUILESS_MAIN(TestTextProbe)
#include "tst_text_probe.moc"
