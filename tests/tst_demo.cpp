// The embedded demo: WordNet read from Debian's wordnet-base, its categories as concepts
// (balanced, seeded, the same every time), the tokenizer and model training (deterministic,
// loss falling, saved in the layout the loader reads and read by it exactly as the training
// code reads it), and the committed demo model with its concepts finding experts.
#include "core/base/safetensors.h"
#include "core/project/analysis.h"
#include "core/project/result_source.h"
#include "core/project/steering_curve.h"
#include "core/runtime/llama/llama_training.h"
#include "demo/demo_defaults.h"
#include "demo/tokenizer_training.h"
#include "demo/wordnet.h"
#include "test_support.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <cmath>

using namespace expertscope;

#define REQUIRE_WORDNET()                                                                                           \
    if (!QFileInfo::exists("/usr/share/wordnet/data.noun"))                                                        \
        MISSING_ASSET(QStringLiteral("WordNet is not installed (/usr/share/wordnet; Debian package wordnet-base)"))

namespace {

QByteArray digest(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex();
}

// Mean next-token loss of the runtime's logits over the sequence.
double runtimeLoss(LanguageModel& model, const std::vector<int>& ids) {
    const auto trace = model.trace(std::vector<int>(ids.begin(), ids.end() - 1));
    double sum = 0;
    for (int64_t t = 0; t < trace.tokens; ++t) {
        const float* row = trace.logits.data() + t * trace.vocab;
        const double top = *std::max_element(row, row + trace.vocab);
        double z = 0;
        for (int v = 0; v < trace.vocab; ++v) z += std::exp(row[v] - top);
        sum += top + std::log(z) - row[ids[static_cast<size_t>(t + 1)]];
    }
    return sum / static_cast<double>(trace.tokens);
}

QString demoModel() { return QDir(QStringLiteral(EXPERTSCOPE_SOURCE_DIR)).filePath("resources/demo/model"); }

}  // namespace

class TestDemo : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    std::unique_ptr<WordNet> wordnet_;

private slots:
    void initTestCase() {
        if (QFileInfo::exists("/usr/share/wordnet/data.noun")) wordnet_ = std::make_unique<WordNet>();
    }

    void readsWordNet() {
        REQUIRE_WORDNET();
        const auto& dog = wordnet_->synsets()[static_cast<size_t>(wordnet_->noun("dog", 1))];
        QCOMPARE(dog.words.front(), std::string("dog"));
        QVERIFY(dog.definition.rfind("a member of the genus Canis", 0) == 0);
        QCOMPARE(dog.examples.front(), std::string("the dog barked all night"));
        const auto animals = wordnet_->tree(wordnet_->noun("animal", 1));
        QVERIFY(std::find(animals.begin(), animals.end(), wordnet_->noun("dog", 1)) != animals.end());
        QVERIFY(std::find(animals.begin(), animals.end(), wordnet_->noun("chair", 1)) == animals.end());
        test::expectError([&] { wordnet_->noun("dog", 99); }, "WordNet has no noun sense 99 of 'dog'");
        QVERIFY(wordNetCorpus(*wordnet_).size() > 150000);
    }

    void categoriesMakeBalancedSeededConcepts() {
        REQUIRE_WORDNET();
        const auto categories = demoCategories();
        QVERIFY(categories.size() >= 40);
        const auto set = buildWordNetConcepts(*wordnet_, categories);
        QCOMPARE(set.concepts.size(), categories.size());
        for (const auto& c : set.concepts) {
            QVERIFY2(c.positives.size() >= 50, c.name.c_str());
            QCOMPARE(c.negatives.size(), c.positives.size());
            for (const auto& n : c.negatives) QVERIFY(std::find(c.positives.begin(), c.positives.end(), n) == c.positives.end());
        }
        const auto again = buildWordNetConcepts(*wordnet_, categories);
        for (size_t i = 0; i < set.concepts.size(); ++i) {
            QCOMPARE(again.concepts[i].positives, set.concepts[i].positives);
            QCOMPARE(again.concepts[i].negatives, set.concepts[i].negatives);
        }
        const auto words = categoryWords(*wordnet_, categories[0]);  // animal
        QCOMPARE(countWords("The dog chased a Cat, then slept.", words).matching, int64_t(2));
        QCOMPARE(countWords("The dog chased a Cat, then slept.", words).words, int64_t(7));
        // Each concept carries its own words for the steering curve: the lemmas under it.
        QCOMPARE(set.concepts[0].words, words);
        QVERIFY(std::binary_search(words.begin(), words.end(), std::string("sea lion")));
        QVERIFY(!std::binary_search(words.begin(), words.end(), std::string("chair")));
    }

    void trainsDeterministicallyIntoTheLoadersLayout() {
        REQUIRE_WORDNET();
        auto corpus = wordNetCorpus(*wordnet_);
        corpus.resize(4000);
        LlamaShape shape;
        shape.vocab = 600;  // at least the 256 byte pieces and every character
        shape.hidden = 32;
        shape.intermediate = 64;
        shape.layers = 2;
        shape.heads = 4;
        shape.kvHeads = 2;  // grouped-query attention too
        TrainingOptions options;
        options.steps = 40;
        options.batch = 8;
        options.context = 32;
        options.reportEvery = 10;
        std::vector<QString> dirs;
        std::vector<TrainingReport> reports;
        for (int run = 0; run < 3; ++run) {
            // Run 0 also saves step 20; run 2 stops there, its schedule still spanning 40 steps.
            options.checkpoints = run == 0 ? std::vector<int>{20} : std::vector<int>{};
            options.stopAfter = run == 2 ? 20 : 0;
            const QString dir = tmp_.filePath(QString("tiny%1").arg(run));
            QDir().mkpath(dir);
            trainSentencePiece(corpus, (dir + "/tokenizer").toStdString(), {shape.vocab, "bpe"});
            const auto tok = loadSentencePieceTokenizer((dir + "/tokenizer.model").toStdString());
            QCOMPARE(tok->bosId(), 1);
            QCOMPARE(tok->eosId(), 2);
            std::vector<std::vector<int>> documents;
            for (const auto& s : corpus) documents.push_back(tok->encode(s));
            reports.push_back(trainLlama(documents, shape, options, dir.toStdString()));
            dirs.push_back(dir);
        }
        // Same inputs, same files.
        QCOMPARE(digest(dirs[0] + "/tokenizer.model"), digest(dirs[1] + "/tokenizer.model"));
        QCOMPARE(digest(dirs[0] + "/model.safetensors"), digest(dirs[1] + "/model.safetensors"));
        // A checkpoint is the model a full run passes through: run 0's step 20 is run 2's end.
        QCOMPARE(digest(dirs[0] + "/step-20/model.safetensors"), digest(dirs[2] + "/model.safetensors"));
        QVERIFY(digest(dirs[2] + "/model.safetensors") != digest(dirs[0] + "/model.safetensors"));
        QCOMPARE(reports[2].curve.back().step, 20);
        const auto& curve = reports[0].curve;
        QCOMPARE(curve.size(), size_t(4));
        QVERIFY2(curve.back().loss < curve.front().loss - 0.5,
                 qPrintable(QString("%1 -> %2").arg(curve.front().loss).arg(curve.back().loss)));
        // The runtime reads the saved model exactly as the training code does.
        const auto model = loadModel({dirs[0].toStdString(), ""});
        QCOMPARE(model->info().family, std::string("llama"));
        QCOMPARE(static_cast<int>(model->probePoints().size()), shape.layers * 7);
        const auto ids = model->tokenize("dog: a member of the genus Canis that has been domesticated by man");
        const double runtime = runtimeLoss(*model, ids), training = trainedModelLoss(dirs[0].toStdString(), ids);
        // Two implementations of the same float32 forward pass (training operators, runtime
        // kernels) round differently, by ~1e-6 in a loss of a few nats; a wrong weight or
        // layout moves it by far more than 1e-4.
        QVERIFY2(std::fabs(runtime - training) < 1e-4, qPrintable(QString("%1 vs %2").arg(runtime).arg(training)));
    }

    void theCommittedDemoModelFindsExperts() {
        REQUIRE_WORDNET();
        if (!QFileInfo::exists(demoModel() + "/model.safetensors")) QFAIL("resources/demo/model/model.safetensors is missing");
        const auto model = loadModel({demoModel().toStdString(), ""});
        QCOMPARE(model->info().maxPositions, 128);
        // Trained: its loss on a gloss is far below chance (log 2048 = 7.6).
        const auto ids = model->tokenize("dog: a member of the genus Canis (probably descended from the common wolf)");
        const double loss = runtimeLoss(*model, ids);
        qInfo("demo model loss on the dog gloss: %.3f", loss);
        QVERIFY(loss < 4.5);
        QVERIFY(std::fabs(loss - trainedModelLoss(demoModel().toStdString(), ids)) < 1e-4);
        // Its loss curve was recorded and falls.
        QFile f(demoModel() + "/training.json");
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto curve = QJsonDocument::fromJson(f.readAll()).object().value("loss_curve").toArray();
        QVERIFY(curve.size() > 10);
        QVERIFY(curve.last().toObject().value("loss").toDouble() < curve.first().toObject().value("loss").toDouble() - 2);
        // Three of the demo's concepts, analysed as the demo project is: each has units far
        // above chance (AP 0.5 with balanced classes), and city an expert at 0.9.
        std::vector<WordNetCategory> some;
        for (const auto& c : demoCategories())
            if (c.name == "animal" || c.name == "colour" || c.name == "city") some.push_back(c);
        auto set = buildWordNetConcepts(*wordnet_, some);
        auto store = ProjectStore::open(tmp_.filePath("demo3.esproj").toStdString(), true);
        const auto summary = analyse(*store, *model, store->addModel(*model), store->addConceptSet(set), RunSettings{});
        QCOMPARE(summary.analysed, 3);
        double highest = 0;
        for (const auto& r : store->results(summary.runId)) {
            const double best = store->topExperts(r.runId, r.conceptId, 1)[0].ap;
            qInfo("%s: best AP %.4f", r.concept.c_str(), best);
            QVERIFY2(best > 0.8, r.concept.c_str());
            highest = std::max(highest, best);
        }
        QVERIFY(highest >= 0.9);
    }

    // The demo's suggested forcing steers visibly (issue 14): on the committed model, its
    // concept's top experts raise the rate of the concept's own words (WordNet lemmas) in
    // seeded generations well above plain generation's, and the text stays fluent. The
    // curve as the CLI and the steering tab run it, at k = 0 and the suggested k.
    void theSuggestedForcingSteersVisibly() {
        REQUIRE_WORDNET();
        const auto suggestion = demoForcingSuggestion();
        std::vector<WordNetCategory> one;
        for (const auto& c : demoCategories())
            if (c.name == suggestion.concept) one.push_back(c);
        QCOMPARE(one.size(), size_t(1));
        const auto model = loadModel({demoModel().toStdString(), ""});
        auto store = ProjectStore::open(tmp_.filePath("steer.esproj").toStdString(), true);
        QCOMPARE(analyse(*store, *model, store->addModel(*model), store->addConceptSet(buildWordNetConcepts(*wordnet_, one)),
                         RunSettings{}).analysed, 1);
        suggestForcing(*store, suggestion);
        QCOMPARE(forcingSuggestion(*store).experts, suggestion.experts);
        const auto ref = chooseResult(*store, suggestion.concept, ResultRequest{});
        SteeringOptions o;
        o.targets = defaultTargets(*store, ref.conceptId, ref.concept);
        QVERIFY(o.targets.size() > 100);  // the lemmas, not the name
        o.ks = {0, suggestion.experts};
        o.value = suggestion.value;
        o.generation.maxNewTokens = 60;  // the CLI's and the tab's defaults
        o.generation.temperature = 0.8f;
        o.generation.topP = 0.95f;
        o.generation.stopAtEos = false;
        const auto curve = steeringCurve(*model, *store, ref, o);
        const auto &plain = curve.points[0], &forced = curve.points[1];
        qInfo("%s: rate %.4f -> %.4f, texts with a target word %.2f -> %.2f, perplexity %.1f -> %.1f", ref.concept.c_str(),
              plain.rate, forced.rate, plain.share, forced.share, plain.perplexity, forced.perplexity);
        // Measured here: 1.1% -> 5.5%, 15% -> 70% of texts, perplexity 7.8 -> 12.1 (margins for other CPUs' rounding).
        QVERIFY2(forced.rate >= 3 * plain.rate && forced.rate - plain.rate >= 0.02, "the rate does not rise clearly");
        QVERIFY2(forced.share >= plain.share + 0.25, "few more texts name the concept");
        QVERIFY2(forced.perplexity < 2 * plain.perplexity, "the forced text breaks down");
    }
};

QTEST_GUILESS_MAIN(TestDemo)
#include "tst_demo.moc"
