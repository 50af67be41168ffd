// What `export` and `stats` print, against values computed outside the project: the
// golden file's realistic case (300 units x 1,700 sentences, 700 positive; AP by
// scikit-learn, percentiles and means by numpy) is analysed into a project of stories260K
// (3,000 units: unit u takes golden unit u % 300), then exported through the command line.
#include "core/base/safetensors.h"
#include "core/project/analysis.h"
#include "core/science/expertise.h"
#include "test_support.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>

using namespace expertscope;

class TestExportGolden : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    QString project_;
    std::vector<double> ap_, p50_, p90_, off_;  // golden, per unit of the model
    std::vector<std::string> probeNames_;

    static QByteArray cli(const QStringList& args) {
        QProcess p;
        p.start(QString::fromLocal8Bit(qgetenv("EXPERTSCOPE_CLI")), args);
        p.waitForFinished(120000);
        if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) qWarning("%s", p.readAllStandardError().constData());
        return p.readAllStandardOutput();
    }
    // The engine stores float32: a golden value is compared as the float it becomes, and a
    // printed value as the float it reads back as (9 significant digits round-trip a float).
    static double stored(double v) { return static_cast<float>(v); }
    static double read(const QByteArray& text) { return static_cast<float>(text.toDouble()); }

private slots:
    void initTestCase() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        REQUIRE_SHARED(goldenPath, "golden/expertise/ap_golden.safetensors");
        if (qgetenv("EXPERTSCOPE_CLI").isEmpty()) MISSING_ASSET(QStringLiteral("EXPERTSCOPE_CLI not set (run through ctest)"));
        const SafetensorsFile golden(goldenPath.toStdString());
        const auto& view = golden.tensor("realistic_1700.responses");
        const int64_t goldenUnits = view.shape[0], sentences = view.shape[1];
        const auto responses = view.toFloat32();
        std::vector<uint8_t> labels;
        for (double l : golden.tensor("realistic_1700.labels").toFloat64()) labels.push_back(l != 0);
        const auto ap = golden.tensor("realistic_1700.ap").toFloat64(), p50 = golden.tensor("realistic_1700.on_p50").toFloat64(),
                   p90 = golden.tensor("realistic_1700.on_p90").toFloat64(), off = golden.tensor("realistic_1700.off_mean").toFloat64();

        const auto model = loadModel({bin.toStdString(), ""});
        const int64_t units = model->unitCount();
        for (const auto& p : model->probePoints()) probeNames_.push_back(p.name);
        std::vector<float> matrix(static_cast<size_t>(sentences * units));  // [sentences, units]
        for (int64_t s = 0; s < sentences; ++s)
            for (int64_t u = 0; u < units; ++u)
                matrix[size_t(s * units + u)] = responses[size_t((u % goldenUnits) * sentences + s)];
        for (int64_t u = 0; u < units; ++u) {
            const size_t g = size_t(u % goldenUnits);
            ap_.push_back(ap[g]);
            p50_.push_back(p50[g]);
            p90_.push_back(p90[g]);
            off_.push_back(off[g]);
        }
        Concept c{"golden", "sense", "ap_golden.safetensors", {}, {}};
        for (int64_t s = 0; s < sentences; ++s) (labels[size_t(s)] ? c.positives : c.negatives).push_back("sentence " + std::to_string(s));
        project_ = tmp_.filePath("golden.esproj");
        auto store = ProjectStore::open(project_.toStdString(), true);
        const int64_t modelId = store->addModel(*model), setId = store->addConceptSet({"golden", "golden", {c}});
        const int64_t run = store->createRun(modelId, setId, RunSettings{});
        std::vector<uint8_t> rowLabels;
        for (int label : {1, 0})  // the stored order: positives, then negatives
            for (int64_t s = 0; s < sentences; ++s)
                if (labels[size_t(s)] == label) rowLabels.push_back(uint8_t(label));
        std::vector<float> ordered;
        for (int label : {1, 0})
            for (int64_t s = 0; s < sentences; ++s)
                if (labels[size_t(s)] == label) ordered.insert(ordered.end(), matrix.begin() + s * units, matrix.begin() + (s + 1) * units);
        const auto e = computeExpertise(ordered.data(), sentences, units, rowLabels, 2);
        store->saveConceptResult(run, store->concepts(setId)[0].id, model->probePoints(), e, 700, 1000, 0.0);
        store->finishRun(run);
    }

    // expertise.csv: every unit's AP, on_p50, on_p90 and off_mean are the golden values (as
    // float32), written so that they read back exactly (9 significant digits).
    void exportedValuesAreTheGoldenOnes() {
        QVERIFY(!cli({"export", "--project", project_, "--out", tmp_.filePath("out")}).isEmpty());
        QFile csv(tmp_.filePath("out/sense/golden/expertise.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const auto lines = csv.readAll().split('\n');
        QCOMPARE(lines.size(), int(ap_.size()) + 2);
        // numpy averages float32 responses in float32 (pairwise) where the engine sums in
        // double: off_mean may differ by float32 rounding of values of magnitude ~1.
        double worstOff = 0;
        for (size_t u = 0; u < ap_.size(); ++u) {
            const auto f = lines[int(u) + 1].split(',');
            QCOMPARE(f.size(), 9);
            const QString where = QString("unit %1").arg(u);
            QVERIFY2(read(f[0]) == stored(ap_[u]), qPrintable(where + ": ap " + f[0] + QString(" vs %1").arg(ap_[u], 0, 'g', 17)));
            QVERIFY2(read(f[2]) == stored(p50_[u]), qPrintable(where + ": on_p50 " + f[2] + QString(" vs %1").arg(p50_[u], 0, 'g', 17)));
            QVERIFY2(read(f[3]) == stored(p90_[u]), qPrintable(where + ": on_p90 " + f[3] + QString(" vs %1").arg(p90_[u], 0, 'g', 17)));
            worstOff = std::max(worstOff, std::fabs(f[1].toDouble() - off_[u]));
            QCOMPARE(f[6].toLongLong(), qint64(u));
        }
        QVERIFY2(worstOff <= 1e-6, qPrintable(QString::number(worstOff)));

        QFile infoFile(tmp_.filePath("out/sense/golden/expertise_info.json"));
        QVERIFY(infoFile.open(QIODevice::ReadOnly));
        const auto info = QJsonDocument::fromJson(infoFile.readAll()).object();
        QCOMPARE(info.value("max_ap").toDouble(), stored(*std::max_element(ap_.begin(), ap_.end())));
        QCOMPARE(info.value("total_neurons").toInt(), int(ap_.size()));
        QCOMPARE(info.value("layer_names").toArray().size(), int(probeNames_.size()));
        const auto counts = info.value("neurons_at_ap").toObject();
        QCOMPARE(counts.size(), 501);
        for (int i = 0; i <= 500; ++i) {
            const double t = i == 500 ? 1.0 : 0.5 + i * (0.5 / 500);
            const auto above = std::count_if(ap_.begin(), ap_.end(), [&](double a) { return stored(a) > t; });
            QCOMPARE(counts.value(QString::asprintf("%.5f", t)).toInt(), int(above));
        }
    }

    // stats: the best AP, experts (AP >= threshold) per probe point, and the same curve.
    void statsAreTheGoldenCounts() {
        const auto doc = QJsonDocument::fromJson(cli({"stats", "--project", project_, "--concept", "golden", "--min-ap", "0.7", "--json"})).object();
        // The stored best AP is the engine's double; it and scikit-learn's differ only by the
        // order of the same additions.
        QVERIFY(std::fabs(doc.value("best_ap").toDouble() - *std::max_element(ap_.begin(), ap_.end())) < 1e-12);
        const auto perProbe = doc.value("per_probe").toArray();
        QCOMPARE(perProbe.size(), int(probeNames_.size()));
        int64_t offset = 0, total = 0;
        for (const auto& p : perProbe) {
            const auto o = p.toObject();
            const int units = o.value("units").toInt();
            const auto expected = std::count_if(ap_.begin() + offset, ap_.begin() + offset + units, [](double a) { return stored(a) >= 0.7; });
            QCOMPARE(o.value("experts").toInt(), int(expected));
            offset += units;
            total += expected;
        }
        QVERIFY(total > 0);
        QCOMPARE(doc.value("experts").toInteger(), total);
        QCOMPARE(doc.value("neurons_at_ap").toObject().value("0.70000").toInt(),
                 int(std::count_if(ap_.begin(), ap_.end(), [](double a) { return stored(a) > 0.7; })));
    }
};

QTEST_GUILESS_MAIN(TestExportGolden)
#include "tst_export_golden.moc"
