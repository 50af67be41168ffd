// Expertise against scikit-learn and numpy: every case of the golden file (ties, constant
// responses, a single positive, ml-selfcond's own case, a realistic 300 x 1700 one), and
// clear errors for empty classes and NaN responses.
#include "core/base/error.h"
#include "core/base/safetensors.h"
#include "core/science/expertise.h"
#include "test_support.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

using namespace expertscope;

class TestExpertise : public QObject {
    Q_OBJECT
private slots:
    void goldenCases() {
        REQUIRE_SHARED(path, "golden/expertise/ap_golden.safetensors");
        const SafetensorsFile golden(path.toStdString());
        const auto cases = QJsonDocument::fromJson(QByteArray::fromStdString(golden.metadata().at("cases"))).object();
        QVERIFY(cases.size() >= 7);
        for (auto it = cases.begin(); it != cases.end(); ++it) {
            const std::string name = it.key().toStdString();
            const auto& view = golden.tensor(name + ".responses");
            const int64_t units = view.shape[0], sentences = view.shape[1];
            std::vector<uint8_t> labels;
            for (double l : golden.tensor(name + ".labels").toFloat64()) labels.push_back(l != 0);
            const auto expectedAp = golden.tensor(name + ".ap").toFloat64();
            const auto p50 = golden.tensor(name + ".on_p50").toFloat64();
            const auto p90 = golden.tensor(name + ".on_p90").toFloat64();
            const auto off = golden.tensor(name + ".off_mean").toFloat64();
            // The golden file is [units, sentences]; the engine takes [sentences, units].
            const auto transposed = [&](const auto& r) {
                std::remove_const_t<std::remove_reference_t<decltype(r)>> t(r.size());
                for (int64_t u = 0; u < units; ++u)
                    for (int64_t s = 0; s < sentences; ++s) t[s * units + u] = r[u * sentences + s];
                return t;
            };
            const bool f64 = view.dtype == DType::F64;
            const UnitExpertise got = f64 ? computeExpertise(transposed(view.toFloat64()).data(), sentences, units, labels, 2)
                                          : computeExpertise(transposed(view.toFloat32()).data(), sentences, units, labels, 2);
            // Percentiles come out exactly (numpy's own interpolation in double). AP sums the same
            // terms as scikit-learn in another order (sequential here, pairwise in numpy): equal
            // up to a few ulps, 1e-12 for at most 1,700 terms. off_mean of float32 responses: numpy averages them in
            // float32 by pairwise summation, the engine in double, so they differ by float32
            // rounding (about 10 ulps of values near 1 for 1,000 negatives: 1e-6).
            const double offTolerance = f64 ? 0 : 1e-6;
            for (int64_t u = 0; u < units; ++u) {
                const QString where = QString("%1 unit %2").arg(it.key()).arg(u);
                QVERIFY2(std::fabs(got.ap[u] - expectedAp[u]) <= 1e-12,
                         qPrintable(where + QString(": AP %1, expected %2").arg(got.ap[u], 0, 'g', 17).arg(expectedAp[u], 0, 'g', 17)));
                QVERIFY2(got.onP50[u] == p50[u], qPrintable(where + ": on_p50"));
                QVERIFY2(got.onP90[u] == p90[u], qPrintable(where + ": on_p90"));
                QVERIFY2(std::fabs(got.offMean[u] - off[u]) <= offTolerance, qPrintable(where + ": off_mean"));
            }
        }
    }

    void threadCountDoesNotMatter() {
        std::vector<float> r(500 * 70);
        for (size_t i = 0; i < r.size(); ++i) r[i] = std::round(std::sin(i * 0.37f) * 8.f) / 8.f;  // many ties
        std::vector<uint8_t> labels(500);
        for (size_t i = 0; i < labels.size(); ++i) labels[i] = (i * 7) % 3 == 0;
        const auto one = computeExpertise(r.data(), 500, 70, labels, 1);
        const auto many = computeExpertise(r.data(), 500, 70, labels, 3);
        QCOMPARE(one.ap, many.ap);
        QCOMPARE(one.onP90, many.onP90);
    }

    void refusesBadInput() {
        std::vector<float> r(10 * 3, 1.f);
        test::expectError([&] { computeExpertise(r.data(), 10, 3, std::vector<uint8_t>(10, 0)); }, "the concept has no positive sentences");
        test::expectError([&] { computeExpertise(r.data(), 10, 3, std::vector<uint8_t>(10, 1)); }, "the concept has no negative sentences");
        test::expectError([&] { computeExpertise(r.data(), 10, 3, std::vector<uint8_t>(9, 1)); }, "9 labels for 10 sentences");
        std::vector<uint8_t> labels{1, 0, 1, 0, 1, 0, 1, 0, 1, 0};
        r[4 * 3 + 2] = std::nanf("");
        try {
            computeExpertise(r.data(), 10, 3, labels);
            QFAIL("NaN accepted");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("unit 2 has a response that is not a number") != std::string::npos, e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestExpertise)
#include "tst_expertise.moc"
