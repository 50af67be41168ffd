// The inspector's precision-recall curve and class histograms against golden values made
// outside the project by scikit-learn and numpy (tests/golden/make_unit_curves.py): exact
// equality, since both sides divide the same integers and compare the same float32 values.
#include "core/base/error.h"
#include "core/science/unit_curves.h"
#include "test_support.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace expertscope;

namespace {

template <typename T>
std::vector<T> numbers(const QJsonValue& v) {
    std::vector<T> out;
    for (const auto& x : v.toArray()) out.push_back(static_cast<T>(x.toDouble()));
    return out;
}

}  // namespace

class TestUnitCurves : public QObject {
    Q_OBJECT
    QJsonArray cases_;

private slots:
    void initTestCase() {
        QFile f(QStringLiteral(EXPERTSCOPE_TEST_GOLDEN "/unit_curves.json"));
        QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(f.fileName()));
        cases_ = QJsonDocument::fromJson(f.readAll()).object().value("cases").toArray();
        QCOMPARE(cases_.size(), 7);
    }

    void precisionRecallIsScikitLearns() {
        for (const auto& value : cases_) {
            const auto c = value.toObject();
            const auto name = c.value("name").toString();
            const auto curve = precisionRecallCurve(numbers<float>(c.value("responses")), numbers<uint8_t>(c.value("labels")));
            QVERIFY2(curve.precision == numbers<double>(c.value("precision")), qPrintable(name));
            QVERIFY2(curve.recall == numbers<double>(c.value("recall")), qPrintable(name));
            QVERIFY2(curve.threshold == numbers<double>(c.value("thresholds")), qPrintable(name));
        }
    }

    void histogramIsNumpys() {
        for (const auto& value : cases_) {
            const auto c = value.toObject();
            const auto name = c.value("name").toString();
            const auto h = classHistogram(numbers<float>(c.value("responses")), numbers<uint8_t>(c.value("labels")),
                                          c.value("bins").toInt());
            QCOMPARE(h.low, c.value("low").toDouble());
            QCOMPARE(h.high, c.value("high").toDouble());
            QVERIFY2(h.positives == numbers<int>(c.value("positives")), qPrintable(name));
            QVERIFY2(h.negatives == numbers<int>(c.value("negatives")), qPrintable(name));
        }
    }

    void mismatchedInputsAreRefused() {
        test::expectError([] { precisionRecallCurve({1.f, 2.f}, {1}); }, "responses and labels differ in length");
        test::expectError([] { classHistogram({1.f, 2.f}, {1}, 4); }, "responses and labels differ in length");
    }
};

QTEST_GUILESS_MAIN(TestUnitCurves)
#include "tst_unit_curves.moc"
