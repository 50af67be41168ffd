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

    // Pooled as the analysis pools (the maximum over tokens, BOS left out), each expert's
    // responses are the analysis's own for that sentence.
    void responsesAreTheAnalysis() {
        const auto& [conceptId, ref] = *std::find_if(results_.begin(), results_.end(), [](const auto& r) { return r.second.concept == "city"; });
        const auto kept = store_->keptResponses(ref.runId, ref.conceptId, store_->topExperts(ref.runId, ref.conceptId, 1)[0].unit);
        int checked = 0, compared = 0;
        for (size_t s = 0; s < kept.sentences.size() && checked < 5; ++s, ++checked) {
            const auto p = probeText(*model_, *store_, results_, kept.sentences[s]);
            const auto c = std::find_if(p.concepts.begin(), p.concepts.end(), [&](const ProbedConcept& x) { return x.conceptId == conceptId; });
            QVERIFY(c != p.concepts.end());
            for (size_t i = 0; i < c->units.size(); ++i) {
                const auto k = store_->keptResponses(ref.runId, ref.conceptId, c->units[i]);
                if (k.units.empty()) continue;
                const auto& r = c->responses[i];
                const float pooled = *std::max_element(r.begin() + p.firstScored, r.end());
                QCOMPARE(pooled, k.values[s]);
                ++compared;
            }
        }
        QCOMPARE(checked, 5);
        QVERIFY2(compared >= 5 * 10, qPrintable(QString::number(compared)));  // ten experts or more per sentence
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
};

QTEST_GUILESS_MAIN(TestTextProbe)
#include "tst_text_probe.moc"
