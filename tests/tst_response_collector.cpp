// collectAll: the worker-pool collection gives, to the bit, what one batch per sentence
// gives, in input order, whatever the batch, position, worker or thread count; reports
// progress; cancels; and passes errors on.
#include "core/base/error.h"
#include "core/runtime/language_model.h"
#include "core/science/response_collector.h"
#include "test_support.h"

#include <cmath>
#include <cstring>

using namespace expertscope;

class TestResponseCollector : public QObject {
    Q_OBJECT
    std::unique_ptr<LanguageModel> model_;
    std::vector<std::vector<int>> sentences_;

    ResponseMatrix alone(const std::vector<int>& ids, const CaptureOptions& o) const {
        return model_->collectResponses({ids}, o);
    }
    // Row `row` of `got` equals the single row of `want`, byte for byte.
    static void sameBits(const ResponseMatrix& got, int64_t row, const ResponseMatrix& want) {
        QCOMPARE(got.cols, want.cols);
        const float* a = got.values.data() + row * got.cols;
        if (std::memcmp(a, want.values.data(), static_cast<size_t>(want.cols) * sizeof(float)) == 0) return;
        int64_t u = 0;
        while (std::memcmp(a + u, want.values.data() + u, sizeof(float)) == 0) ++u;
        QFAIL(qPrintable(QString("row %1 unit %2: %3 vs %4 alone").arg(row).arg(u).arg(a[u], 0, 'g', 9).arg(want.values[size_t(u)], 0, 'g', 9)));
    }

private slots:
    void initTestCase() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        model_ = loadModel({bin.toStdString(), ""});
        const char* texts[] = {"Tim ran home.", "Once upon a time there was a big dog named Max who loved to run.",
                               "The sun was hot.", "Lily and Ben played with a red ball in the park all day long.",
                               "Mom said no.", "A bird sang.", "The little girl was sad because her toy was broken.",
                               "They ate cake.", "He saw a frog jump into the pond and laughed.", "It was fun."};
        for (const char* t : texts) sentences_.push_back(model_->tokenize(t));
    }

    void matchesOneSentenceAtATimeInInputOrder_data() {
        QTest::addColumn<int>("pooling");
        QTest::addColumn<int>("workers");
        QTest::addColumn<int>("budget");
        QTest::newRow("max, per core, small batches") << int(Pooling::Max) << 0 << 40;
        QTest::newRow("max, one worker, one batch") << int(Pooling::Max) << 1 << 100000;
        QTest::newRow("mean, 3 workers") << int(Pooling::Mean) << 3 << 64;
        QTest::newRow("selfcond, per core") << int(Pooling::SelfcondMax) << 0 << 64;
    }
    void matchesOneSentenceAtATimeInInputOrder() {
        QFETCH(int, pooling);
        QFETCH(int, workers);
        QFETCH(int, budget);
        CollectionOptions o;
        o.capture.pooling = static_cast<Pooling>(pooling);
        o.capture.paddedLength = 24;
        o.workers = workers;
        o.tokenBudget = budget;
        const auto all = collectAll(*model_, sentences_, o);
        QCOMPARE(all.rows, int64_t(sentences_.size()));
        QCOMPARE(all.cols, model_->unitCount());
        for (size_t r = 0; r < sentences_.size(); ++r) sameBits(all, static_cast<int64_t>(r), alone(sentences_[r], o.capture));
    }

    // A sentence's responses are bit-identical at every place in batches of every length and
    // with every thread count: reuse and resume rely on it (no tolerance anywhere).
    void aSentenceHasTheSameBitsInAnyBatch() {
        QVERIFY2(model_->info().rowAlignment > 0, "products are not row-exact on this machine's BLAS");
        qInfo("row alignment here: %d", model_->info().rowAlignment);
        for (Pooling pooling : {Pooling::Max, Pooling::Mean, Pooling::SelfcondMax}) {
            CaptureOptions o;
            o.pooling = pooling;
            o.paddedLength = 24;
            for (size_t target : {size_t(1), size_t(5)}) {  // a long sentence and a short one
                const auto reference = alone(sentences_[target], o);
                // Up to 40 companions: batches of over 1,000 rows, which two threads split.
                std::vector<std::vector<int>> pool;
                for (int copy = 0; copy < 4; ++copy) pool.insert(pool.end(), sentences_.begin(), sentences_.end());
                for (size_t companions : {size_t(1), size_t(4), size_t(9), size_t(40)})
                    for (size_t place = 0; place <= companions; place += std::max<size_t>(1, companions / 2)) {
                        std::vector<std::vector<int>> batch(pool.begin(), pool.begin() + long(companions));
                        batch.insert(batch.begin() + long(place), sentences_[target]);
                        for (int threads : {1, 2}) {
                            const int previous = intraOpThreads();
                            setIntraOpThreads(threads);
                            const auto together = model_->collectResponses(batch, o);
                            setIntraOpThreads(previous);
                            sameBits(together, static_cast<int64_t>(place), reference);
                        }
                    }
            }
        }
    }

    void reportsProgressToTheEnd() {
        // Reports are coalesced when batches end faster than the caller wakes, so give it
        // a few hundred batches to see progress before the end.
        std::vector<std::vector<int>> many;
        for (int i = 0; i < 40; ++i) many.insert(many.end(), sentences_.begin(), sentences_.end());
        CollectionOptions o;
        o.tokenBudget = 20;
        std::vector<int64_t> seen;
        bool totalsRight = true;
        collectAll(*model_, many, o, [&](const CollectionProgress& p) {
            seen.push_back(p.sentencesDone);
            totalsRight = totalsRight && p.sentencesTotal == int64_t(many.size());
            return true;
        });
        QVERIFY(totalsRight);
        QVERIFY2(seen.size() >= 2, qPrintable(QString::number(seen.size())));
        QVERIFY(std::is_sorted(seen.begin(), seen.end()));
        QCOMPARE(seen.back(), int64_t(many.size()));
    }

    void cancels() {
        std::vector<std::vector<int>> many;
        for (int i = 0; i < 40; ++i) many.insert(many.end(), sentences_.begin(), sentences_.end());
        CollectionOptions o;
        o.tokenBudget = 20;
        int64_t last = 0;
        QVERIFY_THROWS_EXCEPTION(Cancelled, collectAll(*model_, many, o, [&](const CollectionProgress& p) {
            last = p.sentencesDone;
            return false;
        }));
        QVERIFY(last < int64_t(many.size()));
    }

    void passesErrorsOn() {
        auto bad = sentences_;
        bad[3] = {1, 100000};  // outside the vocabulary
        try {
            collectAll(*model_, bad);
            QFAIL("no error");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("outside the vocabulary") != std::string::npos, e.what());
        }
    }

    void emptyInput() {
        const auto none = collectAll(*model_, {});
        QCOMPARE(none.rows, int64_t(0));
        QCOMPARE(none.cols, model_->unitCount());
    }
};

QTEST_GUILESS_MAIN(TestResponseCollector)
#include "tst_response_collector.moc"
