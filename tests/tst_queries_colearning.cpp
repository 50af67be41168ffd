// Expert queries (threshold lists, per-probe counts, the 0.5..1.0 curve) and co-learning
// (top-k overlap and a clustering order that keeps related concepts together).
#include "core/base/error.h"
#include "core/science/colearning.h"
#include "core/science/expert_queries.h"
#include "test_support.h"

#include <QTest>

using namespace expertscope;

class TestQueriesCoLearning : public QObject {
    Q_OBJECT
private slots:
    void queries() {
        UnitExpertise e;
        e.ap = {0.4, 0.95, 0.5, 0.7, 0.95, 1.0, 0.501};
        std::vector<ProbePoint> probes(2);
        probes[0].units = 3;
        probes[1].units = 4;
        probes[1].offset = 3;
        const auto above = expertsAbove(e, 0.9);
        QCOMPARE(above.size(), size_t(3));
        QCOMPARE(above[0].unit, int64_t(5));
        QCOMPARE(above[1].unit, int64_t(1));  // tie with unit 4: lower index first
        QCOMPARE(expertsPerProbe(e, probes, 0.9), (std::vector<int>{1, 2}));
        // Strictly above numpy's linspace(0.5, 1.0, 501), as ml-selfcond counts.
        const auto curve = expertCountCurve(e);
        QCOMPARE(curve.size(), size_t(501));
        QCOMPARE(curve[0].units, int64_t(5));    // > 0.5: not the unit at exactly 0.5
        QCOMPARE(curve[1].threshold, 0.501);
        QCOMPARE(curve[1].units, int64_t(4));    // > 0.501
        QCOMPARE(curve[450].units, int64_t(1));  // > 0.95: only the 1.0
        QCOMPARE(curve[500].threshold, 1.0);
        QCOMPARE(curve[500].units, int64_t(0));
    }

    void overlapAndOrder() {
        // a and c share most experts, b and d share most, and the pairs share nothing.
        const std::vector<std::string> names{"a", "b", "c", "d"};
        const std::vector<std::vector<int64_t>> tops{{1, 2, 3, 4}, {10, 11, 12, 13}, {1, 2, 3, 9}, {10, 11, 20, 21}};
        const auto m = coLearning(names, tops, 4);
        QCOMPARE(m.at(0, 0), 1.0);
        QCOMPARE(m.at(0, 2), 0.75);
        QCOMPARE(m.at(2, 0), 0.75);
        QCOMPARE(m.at(1, 3), 0.5);
        QCOMPARE(m.at(0, 1), 0.0);
        QCOMPARE(m.order.size(), size_t(4));
        auto pos = [&](int c) { return std::find(m.order.begin(), m.order.end(), c) - m.order.begin(); };
        QCOMPARE(std::abs(pos(0) - pos(2)), 1L);
        QCOMPARE(std::abs(pos(1) - pos(3)), 1L);
        test::expectError([&] { coLearning(names, tops, 0); }, "co-learning: k must be positive");
        // a's closest: c (0.75), then b and d (0) in matrix order.
        QCOMPARE(closestConcepts(m, 0), (std::vector<size_t>{2, 1, 3}));
        QCOMPARE(closestConcepts(m, 3), (std::vector<size_t>{1, 0, 2}));
    }

    void largeOrderIsAPermutation() {
        const size_t n = 300;
        std::vector<double> d(n * n);
        for (size_t i = 0; i < n; ++i)
            for (size_t j = 0; j < n; ++j) d[i * n + j] = i == j ? 0 : 1.0 / (1 + ((i * 7 + j * 7) % 13));
        auto order = averageLinkageOrder(d, n);
        std::sort(order.begin(), order.end());
        for (size_t i = 0; i < n; ++i) QCOMPARE(order[i], int(i));
    }
};

QTEST_GUILESS_MAIN(TestQueriesCoLearning)
#include "tst_queries_colearning.moc"
