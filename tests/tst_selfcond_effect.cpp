// Self-conditioning does what the paper says it does, on a real model: forcing the top
// experts of a concept at their on_p50 value raises how often the model writes the concept.
//
// stories260K was trained on TinyStories, so the concept is built from text of its own
// domain: a corpus of stories it writes itself (fixed seeds), cut into sentences; positives
// are the sentences naming "dog" or "dogs", negatives a seeded sample of the rest. core's
// analyse() finds the experts in a temporary project; then the same seeds and neutral
// prompts are continued without forcing and with the top K experts forced on every position
// (ml-selfcond's default), and the share of continuations naming the word is compared (the
// paper's p(concept): the fraction of generated texts that contain it). The forced texts'
// perplexity under the unforced model is measured too: the rate must not come from text
// that has fallen apart.
//
// Measured on the development machine (x86-64, OpenBLAS): 57 of the corpus's 2,090
// sentences name the word, best AP 0.981; "dog(s)" in 11 of 100 continuations unforced and
// in 51 of 100 with the top 40 experts at 0.6 x on_p50 (14 and 85 occurrences); perplexity
// 3.1 unforced, 38 forced; 13 s in all. The rates are bit-exact per machine (the same under
// OpenBLAS's Haswell kernels and with two threads), but another CPU may round differently,
// which changes the sampled corpus and texts as a change of seeds would; so the settings
// were chosen where the effect held over such changes: six corpora (corpus seeds from 1000,
// 3000, ..., 11000) gave 36-51% forced against 11% unforced (perplexity 19-38), and five
// blocks of evaluation seeds (1, 101, ..., 401) 51-61% forced against 6-12% unforced
// (perplexity 38-42). The assertions (forced at least twice unforced and 15 points above
// it; perplexity under 100) leave about ten points, and a factor of 2.4, of slack under the
// weakest of these.
// Why 40 experts at 0.6 x on_p50: at on_p50 itself (the paper's value) 30 experts gave
// 42-69%, but perplexity ~300, text broken into fragments of words; 30 at 0.5 x on_p50
// kept perplexity near 10 but gave only 21-52%, too close to the unforced rate to assert
// a clear margin on another machine. The effect is not general in this tiny model: for
// park, ball, mom, toy, tree, bird, cat and friend, forcing the top 10, 30 or 100 experts
// at on_p50 lowered the word's rate (only 100 experts at twice on_p50 raised friend and mom,
// in collapsed text). So this test checks that forcing works end to end on a concept where
// the paper's effect shows, not that it shows for every concept.
#include "core/project/analysis.h"
#include "core/project/concepts.h"
#include "core/project/project_store.h"
#include "core/project/result_source.h"
#include "core/runtime/language_model.h"
#include "core/science/expert_forcing.h"
#include "test_support.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>

using namespace expertscope;

namespace {

// The word family: singular and plural, whole words, any case.
const char* const kWord = "dogs?";
constexpr int kCorpusStories = 200, kCorpusTokens = 256;       // corpus: seeds 1000.., from BOS, temperature 1
constexpr int kContinuations = 100, kContinuationTokens = 64;  // evaluation: seeds 1..100, temperature 1
constexpr int kExperts = 40;
constexpr double kStrength = 0.6;  // x on_p50

QRegularExpression wordPattern() {
    return QRegularExpression(QStringLiteral("(?<![\\p{L}\\p{N}_])(?:%1)(?![\\p{L}\\p{N}_])").arg(kWord),
                              QRegularExpression::UseUnicodePropertiesOption | QRegularExpression::CaseInsensitiveOption);
}

// Sentences of generated text: cut after . ! ? and at line ends, trimmed, at least 3 words.
std::vector<std::string> sentences(const QString& text) {
    std::vector<std::string> out;
    static const QRegularExpression cut(QStringLiteral("(?<=[.!?])\\s+|\\n+"));
    for (QString s : text.split(cut)) {
        s = s.simplified();
        if (s.count(' ') >= 2) out.push_back(s.toStdString());
    }
    return out;
}

}  // namespace

class TestSelfcondEffect : public QObject {
    Q_OBJECT

private slots:
    // One intra-op thread: stories260K's operators are far too small to share, and with the
    // two cores busy (ctest -j2 runs another test beside this one) a second OpenMP thread
    // waits on the other process: this test took 76 s against 17 s with one thread (two
    // busy-looping processes beside it, 2-core machine). Responses and generation are
    // bit-identical whatever the thread count (row-exact products; the rates printed are the
    // same). Set before LibTorch first reads it; a thread count the caller chose is kept.
    void initTestCase() {
        if (qEnvironmentVariableIsEmpty("OMP_NUM_THREADS")) qputenv("OMP_NUM_THREADS", "1");
    }

    void forcingRaisesTheConceptsRate() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        QElapsedTimer clock;
        clock.start();
        const auto model = loadModel({bin.toStdString(), ""});

        // A corpus in the model's own domain.
        std::vector<std::string> corpus;
        GenerationOptions o;
        o.temperature = 1.f;
        o.maxNewTokens = kCorpusTokens;
        for (int i = 0; i < kCorpusStories; ++i) {
            o.seed = 1000 + static_cast<uint64_t>(i);
            const auto text = model->tokenizer().decode(model->generate({}, o));
            for (auto& s : sentences(QString::fromStdString(text))) corpus.push_back(std::move(s));
        }
        CorpusQuery query;
        query.pattern = kWord;
        query.regex = true;
        query.maxPositives = 400;
        query.maxNegatives = 400;
        query.seed = 1;
        ConceptSet set;
        set.name = set.origin = "stories260K's own stories";
        set.concepts.push_back(buildConceptFromCorpus(corpus, query, "dog"));
        const int positives = static_cast<int>(set.concepts[0].positives.size());
        qInfo("corpus: %zu sentences, %d name the word, %zu negatives sampled (%.1f s)", corpus.size(), positives,
              set.concepts[0].negatives.size(), clock.elapsed() / 1000.0);
        QVERIFY2(positives >= 30, qPrintable(QString("only %1 sentences name the word").arg(positives)));

        QTemporaryDir tmp;
        auto store = ProjectStore::open(tmp.filePath("p.esproj").toStdString(), true);
        QCOMPARE(analyse(*store, *model, store->addModel(*model), store->addConceptSet(set), RunSettings{}).analysed, 1);
        const auto ref = chooseResult(*store, "dog", ResultRequest{});
        Forcing forcing;
        forceExperts(forcing, model->probePoints(), store->topExperts(ref.runId, ref.conceptId, kExperts),
                     store->loadConceptResult(ref.runId, ref.conceptId), ForceValue::OnP50, kStrength);
        QCOMPARE(static_cast<int>(forcing.units.size()), kExperts);
        qInfo("analysed: best AP %.3f (%.1f s)", ref.bestAp, clock.elapsed() / 1000.0);

        const QRegularExpression word = wordPattern();
        const std::vector<std::string> prompts{"Once upon a time", "One day"};
        int with[2] = {0, 0}, occurrences[2] = {0, 0};
        double logLoss[2] = {0, 0};  // of the continuations' tokens under the unforced model, in nats
        int64_t tokens[2] = {0, 0};
        QString example[2];  // the first continuation of each kind that names the word
        o.temperature = 1.f;
        o.maxNewTokens = kContinuationTokens;
        for (int forced = 0; forced < 2; ++forced)
            for (int i = 0; i < kContinuations; ++i) {
                o.seed = 1 + static_cast<uint64_t>(i);
                const auto prompt = model->tokenize(prompts[size_t(i) % prompts.size()]);
                const auto generated = model->generate(prompt, o, forced ? forcing : Forcing{});
                const auto text = QString::fromStdString(model->tokenizer().decode(generated));
                auto all = prompt;
                all.insert(all.end(), generated.begin(), generated.end());
                const auto trace = model->trace(all);
                for (size_t t = prompt.size(); t < all.size(); ++t) {
                    const float* row = trace.logits.data() + (t - 1) * static_cast<size_t>(trace.vocab);
                    const double top = *std::max_element(row, row + trace.vocab);
                    double sum = 0;
                    for (int v = 0; v < trace.vocab; ++v) sum += std::exp(double(row[v]) - top);
                    logLoss[forced] += top + std::log(sum) - double(row[all[t]]);
                    ++tokens[forced];
                }
                int n = 0;
                for (auto it = word.globalMatch(text); it.hasNext(); it.next()) ++n;
                with[forced] += n > 0;
                if (n > 0 && example[forced].isEmpty()) example[forced] = QString("seed %1: %2").arg(o.seed).arg(text.simplified());
                occurrences[forced] += n;
            }
        const double unforced = double(with[0]) / kContinuations, forcedRate = double(with[1]) / kContinuations;
        const double perplexity[2] = {std::exp(logLoss[0] / double(tokens[0])), std::exp(logLoss[1] / double(tokens[1]))};
        qInfo("'%s' in %d of %d continuations unforced (%.2f; %d occurrences; perplexity %.1f), in %d with the top %d experts "
              "at %.1f x on_p50 (%.2f; %d; perplexity %.1f) (%.1f s)",
              kWord, with[0], kContinuations, unforced, occurrences[0], perplexity[0], with[1], kExperts, kStrength, forcedRate,
              occurrences[1], perplexity[1], clock.elapsed() / 1000.0);
        qInfo("unforced, %s", qPrintable(example[0]));
        qInfo("forced, %s", qPrintable(example[1]));
        const QString rates = QString("forced %1, unforced %2").arg(forcedRate).arg(unforced);
        QVERIFY2(forcedRate >= 2 * unforced, qPrintable(rates));
        QVERIFY2(forcedRate - unforced >= 0.15, qPrintable(rates));
        // Still text, not noise (a uniform choice among the 512 tokens has perplexity 512).
        QVERIFY2(perplexity[1] < 100, qPrintable(QString::number(perplexity[1])));
    }
};

QTEST_GUILESS_MAIN(TestSelfcondEffect)
#include "tst_selfcond_effect.moc"
