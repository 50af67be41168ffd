// AUROC beside AP (core/science/expertise.h): exact, that is equal to the count over
// positive-negative pairs with ties half, on hand-made and random cases (ties, all-equal
// responses, float and double, several threads), and to scikit-learn's roc_auc_score on the
// AP golden file's cases up to scikit-learn's own rounding (tests/golden/auroc_golden.json,
// made by tests/golden/make_auroc.py). In projects: the analysis stores it, the command
// line, the session, the concept table and the inspector show it; a project made before it
// existed (schema 3) opens, says "not computed; analyse again" everywhere it would show, and
// analysing again computes it without changing any AP.
#include "core/base/error.h"
#include "core/base/safetensors.h"
#include "core/project/analysis.h"
#include "core/project/concept_forcing.h"
#include "core/project/result_source.h"
#include "core/science/expertise.h"
#include "test_support.h"
#include "test_cli_and_sql.h"
#include "ui/concept_table_model.h"
#include "ui/project_session.h"
#include "ui/unit_inspector.h"

#include <QApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

using namespace expertscope;
using test::cli;
using test::execSql;

namespace {

// AUROC by its definition: over every positive-negative pair, 1 when the positive responds
// more, 1/2 on a tie. The count (doubled, an integer) and positives x negatives are exact,
// so one division gives the exact fraction rounded once: what the engine must return, to
// the bit.
template <typename T>
double pairCountAuroc(const std::vector<T>& r, const std::vector<uint8_t>& labels) {
    int64_t twice = 0, positives = 0, negatives = 0;
    for (size_t i = 0; i < r.size(); ++i) {
        (labels[i] ? positives : negatives) += 1;
        if (!labels[i]) continue;
        for (size_t j = 0; j < r.size(); ++j)
            if (!labels[j]) twice += r[i] > r[j] ? 2 : r[i] == r[j] ? 1 : 0;
    }
    return static_cast<double>(twice) / (2.0 * static_cast<double>(positives) * static_cast<double>(negatives));
}

// One unit's expertise from its responses (one column).
template <typename T>
UnitExpertise ofOne(const std::vector<T>& r, const std::vector<uint8_t>& labels) {
    return computeExpertise(r.data(), static_cast<int64_t>(r.size()), 1, labels, 1);
}

QString schemaVersion(const QString& path) {
    sqlite3* db = nullptr;
    sqlite3_open(path.toUtf8().constData(), &db);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st, nullptr);
    QString v = sqlite3_step(st) == SQLITE_ROW ? QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) : QString();
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

const char* kConcept = "football-1_04_00__";

}  // namespace

class TestAuroc : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

    // onesec-small's football concept (13 positives, 18 negatives) analysed with stories260K
    // and the default settings, the top 3 experts' responses kept.
    bool analyseInto(const QString& path) {
        const QString bin = test::sharedPath("models/stories260K/stories260K.bin");
        const QString list = test::sharedPath("concepts/onesec-small/concept_list.csv");
        const auto model = loadModel({bin.toStdString(), ""});
        auto store = ProjectStore::open(path.toStdString(), true);
        RunSettings settings;
        settings.keepResponses = 3;
        return analyse(*store, *model, store->addModel(*model),
                       store->addConceptSet(importSelfcondFolder(QFileInfo(list).absolutePath().toStdString())), settings)
                   .analysed == 1;
    }

private slots:
    // scikit-learn's roc_auc_score on every unit of the golden cases, and the exact fraction
    // computed independently (Python's Fraction): the engine returns the exact value to the
    // bit. scikit-learn integrates its ROC curve by the trapezoid rule in floating point, which
    // rounds: 140 of the 412 units differ from the exact value, by at most 2.2e-16; held to
    // 1e-15 here.
    void aurocGoldenCases() {
        REQUIRE_SHARED(path, "golden/expertise/ap_golden.safetensors");
        QFile file(QStringLiteral(EXPERTSCOPE_TEST_GOLDEN "/auroc_golden.json"));
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
        const auto golden = QJsonDocument::fromJson(file.readAll()).object().value("cases").toObject();
        const SafetensorsFile tensors(path.toStdString());
        const auto cases = QJsonDocument::fromJson(QByteArray::fromStdString(tensors.metadata().at("cases"))).object();
        QCOMPARE(golden.size(), cases.size());
        int units = 0, differFromSklearn = 0;
        double worst = 0;
        for (auto it = cases.begin(); it != cases.end(); ++it) {
            const std::string name = it.key().toStdString();
            const auto& view = tensors.tensor(name + ".responses");
            const int64_t count = view.shape[0], sentences = view.shape[1];
            std::vector<uint8_t> labels;
            for (double l : tensors.tensor(name + ".labels").toFloat64()) labels.push_back(l != 0);
            const auto r = view.toFloat64();  // [units, sentences]; float32 cases widen exactly
            std::vector<double> rows(r.size());
            for (int64_t u = 0; u < count; ++u)
                for (int64_t s = 0; s < sentences; ++s) rows[size_t(s * count + u)] = r[size_t(u * sentences + s)];
            const auto got = view.dtype == DType::F64 ? computeExpertise(rows.data(), sentences, count, labels, 2)
                                                      : computeExpertise(std::vector<float>(rows.begin(), rows.end()).data(),
                                                                         sentences, count, labels, 2);
            const auto sklearn = golden.value(it.key()).toObject().value("sklearn").toArray();
            const auto exact = golden.value(it.key()).toObject().value("exact").toArray();
            QCOMPARE(sklearn.size(), int(count));
            for (int64_t u = 0; u < count; ++u, ++units) {
                const QString where = QString("%1 unit %2").arg(it.key()).arg(u);
                const double e = exact[int(u)].toDouble(), k = sklearn[int(u)].toDouble();
                QVERIFY2(got.auroc[size_t(u)] == e, qPrintable(where + QString(": AUROC %1, exact %2").arg(got.auroc[size_t(u)], 0, 'g', 17).arg(e, 0, 'g', 17)));
                QVERIFY2(std::fabs(got.auroc[size_t(u)] - k) <= 1e-15, qPrintable(where + QString(": scikit-learn %1").arg(k, 0, 'g', 17)));
                differFromSklearn += got.auroc[size_t(u)] != k;
                worst = std::max(worst, std::fabs(got.auroc[size_t(u)] - k));
            }
        }
        qInfo("AUROC of %d golden units: exact everywhere; scikit-learn's trapezoid differs in %d, by at most %.3g", units,
              differFromSklearn, worst);
        QCOMPARE(units, 412);
    }

    // Small cases by hand: the definition's count, and the values one can check on paper.
    void aurocCountsPairsTiesHalf() {
        struct Case {
            const char* name;
            std::vector<double> r;
            std::vector<uint8_t> labels;
            double expected;  // by hand
        };
        const std::vector<Case> cases{
            {"scikit-learn's example", {0.1, 0.4, 0.35, 0.8}, {0, 0, 1, 1}, 0.75},
            {"perfect", {5, 4, 3, 2, 1, 0}, {1, 1, 1, 0, 0, 0}, 1.0},
            {"inverted", {5, 4, 3, 2, 1, 0}, {0, 0, 0, 1, 1, 1}, 0.0},
            {"all equal", {0.25, 0.25, 0.25, 0.25, 0.25}, {1, 0, 0, 1, 0}, 0.5},
            {"one tie", {1, 1}, {1, 0}, 0.5},
            {"-0 ties +0", {-0.0, 0.0, 1.0}, {1, 0, 1}, 0.75},  // pairs: tie 1/2, win 1 over 2
            // positives 3, 2, 2; negatives 2, 1, 1: 3 wins 3, each 2 wins 2 and ties 1 -> (3 + 2.5 + 2.5) / 9
            {"ties across classes", {3, 2, 2, 2, 1, 1}, {1, 1, 1, 0, 0, 0}, 8.0 / 9.0},
            // positive 2 ties both negatives, positive 1 loses to both -> 1 / 4
            {"ties and losses", {2, 2, 2, 1}, {0, 1, 0, 1}, 0.25},
            {"one positive", {0.5, 0.1, 0.9, 0.3}, {1, 0, 0, 0}, 2.0 / 3.0},
            {"infinities", {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(), 0}, {1, 0, 0}, 1.0},
        };
        for (const auto& c : cases) {
            const auto d = ofOne(c.r, c.labels);
            const auto f = ofOne(std::vector<float>(c.r.begin(), c.r.end()), c.labels);
            QVERIFY2(d.auroc[0] == c.expected, qPrintable(QString("%1: %2, expected %3").arg(c.name).arg(d.auroc[0], 0, 'g', 17).arg(c.expected, 0, 'g', 17)));
            QCOMPARE(d.auroc[0], pairCountAuroc(c.r, c.labels));
            QCOMPARE(f.auroc[0], d.auroc[0]);  // these values are floats too
        }
        // A perfect separator has AUROC 1 and AP 1; with the labels flipped, AUROC 0 and
        // the lowest AP its positives can have at the bottom. AP and AUROC order units alike here.
        const auto perfect = ofOne(cases[1].r, cases[1].labels), inverted = ofOne(cases[2].r, cases[2].labels);
        QCOMPARE(perfect.ap[0], 1.0);
        QCOMPARE(perfect.auroc[0], 1.0);
        QCOMPARE(inverted.auroc[0], 0.0);
        QVERIFY(inverted.ap[0] < perfect.ap[0]);
        // Every response equal: one threshold, AUROC exactly one half, AP the positives' share.
        const auto constant = ofOne(cases[3].r, cases[3].labels);
        QCOMPARE(constant.auroc[0], 0.5);
        QCOMPARE(constant.ap[0], 2.0 / 5.0);
    }

    // Random cases, float and double, with many ties (responses on a coarse grid), several
    // units per call and several threads: every unit equals the pair count, exactly (==). The
    // doubled count is an integer below 2^53 and positives x negatives too, so both sides are
    // one IEEE division of the same two exact numbers.
    void aurocEqualsThePairCountOnRandomCases() {
        std::mt19937 rng(2024);
        int compared = 0, tied = 0;
        for (int trial = 0; trial < 40; ++trial) {
            const int n = 2 + static_cast<int>(rng() % 300), units = 1 + static_cast<int>(rng() % 12);
            const int grid = trial % 3 == 0 ? 3 : trial % 3 == 1 ? 40 : 1 << 20;  // few values: ties everywhere
            std::vector<uint8_t> labels(static_cast<size_t>(n));
            for (auto& l : labels) l = rng() % 3 == 0;
            labels[0] = 1;
            labels[1] = 0;
            std::vector<double> rows(static_cast<size_t>(n * units));
            std::normal_distribution<double> normal;
            for (int s = 0; s < n; ++s)
                for (int u = 0; u < units; ++u) {
                    const double shift = labels[size_t(s)] ? 0.3 * u : 0.0;
                    rows[size_t(s * units + u)] = std::round((normal(rng) + shift) * grid / 4.0) / grid;
                }
            const std::vector<float> floats(rows.begin(), rows.end());
            const auto d = computeExpertise(rows.data(), n, units, labels, 1 + trial % 3);
            const auto f = computeExpertise(floats.data(), n, units, labels, 2);
            for (int u = 0; u < units; ++u) {
                std::vector<double> column;
                std::vector<float> floatColumn;
                for (int s = 0; s < n; ++s) {
                    column.push_back(rows[size_t(s * units + u)]);
                    floatColumn.push_back(floats[size_t(s * units + u)]);
                }
                const double expected = pairCountAuroc(column, labels), expectedFloat = pairCountAuroc(floatColumn, labels);
                QVERIFY2(d.auroc[size_t(u)] == expected,
                         qPrintable(QString("trial %1 unit %2: %3, pairs %4").arg(trial).arg(u).arg(d.auroc[size_t(u)], 0, 'g', 17).arg(expected, 0, 'g', 17)));
                QVERIFY2(f.auroc[size_t(u)] == expectedFloat, qPrintable(QString("trial %1 unit %2 (float)").arg(trial).arg(u)));
                ++compared;
                std::vector<double> sorted = column;
                std::sort(sorted.begin(), sorted.end());
                tied += std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end();
            }
        }
        qInfo("%d random units compared, %d with ties", compared, tied);
        QVERIFY(tied > compared / 2);  // not vacuous: ties were exercised
    }

    void aurocDoesNotDependOnThreads() {
        std::vector<float> r(500 * 70);
        for (size_t i = 0; i < r.size(); ++i) r[i] = std::round(std::sin(i * 0.37f) * 8.f) / 8.f;  // many ties
        std::vector<uint8_t> labels(500);
        for (size_t i = 0; i < labels.size(); ++i) labels[i] = (i * 7) % 3 == 0;
        QCOMPARE(computeExpertise(r.data(), 500, 70, labels, 1).auroc, computeExpertise(r.data(), 500, 70, labels, 3).auroc);
    }

    // The analysis stores every unit's AUROC (float32, as AP) and the concept's best (the
    // highest, in double); what the kept responses give again is what was stored; the command
    // line, the session, the concept table and the inspector show those numbers.
    void analysisStoresAndFrontEndsShowIt() {
        if (qgetenv("EXPERTSCOPE_CLI").isEmpty()) MISSING_ASSET(QStringLiteral("EXPERTSCOPE_CLI not set (run through ctest)"));
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        REQUIRE_SHARED(list, "concepts/onesec-small/concept_list.csv");
        const QString path = tmp_.filePath("stored.esproj");
        QVERIFY(analyseInto(path));
        QCOMPARE(schemaVersion(path), QString::number(ProjectStore::kSchemaVersion));
        const auto store = ProjectStore::open(path.toStdString(), false);
        const auto ref = chooseResult(*store, kConcept, ResultRequest{});
        const auto e = store->loadConceptResult(ref.runId, ref.conceptId);
        QCOMPARE(e.auroc.size(), e.ap.size());
        float best = -1;
        int above = 0;
        for (double v : e.auroc) {
            QVERIFY(v >= 0 && v <= 1);
            best = std::max(best, float(v));
            above += v > 0.5;
        }
        QCOMPARE(float(ref.bestAuroc), best);
        QVERIFY2(above > 100 && above < int(e.auroc.size()), qPrintable(QString::number(above)));
        const auto top = store->topExperts(ref.runId, ref.conceptId, 3);
        for (const auto& x : top) {
            const auto kept = store->keptResponses(ref.runId, ref.conceptId, x.unit);
            QCOMPARE(kept.sentences.size(), size_t(31));
            const double again = pairCountAuroc(kept.values, kept.labels);
            QCOMPARE(float(again), float(e.auroc[size_t(x.unit)]));
        }

        // The command line: experts and unit beside AP, stats the best; new keys, old ones kept.
        const QString unit = QString::number(top[0].unit);
        const auto experts = cli({"experts", "--project", path, "--concept", kConcept, "--top", "3", "--json"});
        QVERIFY2(experts.code == 0, experts.err.constData());
        const auto rows = QJsonDocument::fromJson(experts.out).array();
        QCOMPARE(rows.size(), 3);
        for (int i = 0; i < 3; ++i) {
            const auto row = rows[i].toObject();
            QCOMPARE(row.value("global_unit").toInteger(), top[size_t(i)].unit);
            QCOMPARE(row.value("ap").toDouble(), top[size_t(i)].ap);
            QCOMPARE(row.value("auroc").toDouble(), e.auroc[size_t(top[size_t(i)].unit)]);
            QVERIFY(row.contains("on_p50") && row.contains("off_mean"));
        }
        const auto text = cli({"experts", "--project", path, "--concept", kConcept, "--top", "1"});
        QVERIFY2(text.out.startsWith("probe\tunit\tap\tauroc\ton_p50"), text.out.constData());
        QVERIFY2(!text.out.contains("not computed"), text.out.constData());
        const auto stats = QJsonDocument::fromJson(cli({"stats", "--project", path, "--concept", kConcept, "--json"}).out).object();
        QCOMPARE(stats.value("best_ap").toDouble(), ref.bestAp);
        QCOMPARE(stats.value("best_auroc").toDouble(), ref.bestAuroc);
        const auto statsText = cli({"stats", "--project", path, "--concept", kConcept}).out;
        QVERIFY2(statsText.contains(", best AUROC ") && !statsText.contains("not computed"), statsText.constData());
        const auto report = QJsonDocument::fromJson(cli({"unit", "--project", path, "--concept", kConcept, "--unit", unit, "--json"}).out).object();
        QCOMPARE(report.value("ap").toDouble(), e.ap[size_t(top[0].unit)]);
        QCOMPARE(report.value("auroc").toDouble(), e.auroc[size_t(top[0].unit)]);

        // The session, the concept table (Best AUROC after Best AP) and the inspector.
        ProjectSession session;
        QVERIFY(session.openProject(path, false));
        QCOMPARE(session.concepts().size(), 1);
        QCOMPARE(session.concepts()[0].bestAuroc, ref.bestAuroc);
        ConceptTableModel table;
        table.setConcepts(session.concepts());
        QCOMPARE(table.headerData(ConceptTableModel::BestAp + 1, Qt::Horizontal, Qt::DisplayRole).toString(), QString("Best AUROC"));
        QCOMPARE(table.index(0, ConceptTableModel::BestAuroc).data().toString(), QString::number(ref.bestAuroc, 'f', 3));
        QCOMPARE(table.index(0, ConceptTableModel::BestAuroc).data(Qt::EditRole).toDouble(), ref.bestAuroc);
        QSignalSpy ready(&session, &ProjectSession::unitDetailsReady);
        session.requestUnitDetails(session.concepts()[0].id, top[0].unit);
        QVERIFY(ready.count() >= 1);  // the stored values come at once
        const auto d = qvariant_cast<UnitDetails>(ready.first().at(0));
        QCOMPARE(d.auroc, e.auroc[size_t(top[0].unit)]);
        UnitInspector inspector;
        inspector.setDetails(d);
        QCOMPARE(inspector.valueText("auroc"), QString::number(d.auroc, 'f', 4));
        QCOMPARE(test::child<QLabel>(&inspector, "aurocValue")->text(), inspector.valueText("auroc"));
        QCOMPARE(inspector.valueText("ap"), QString::number(d.ap, 'f', 4));
        session.waitForIdle();
    }

    // A project as schema 3 left it (no AUROC anywhere) opens; every front end says AUROC
    // was not computed rather than showing a number or failing; AurA says why it cannot run;
    // analysing again with the same settings computes AUROC for that concept, in place, and
    // every AP stays what it was to the bit.
    void schema3ProjectsOpenAndAnalysingAgainComputesIt() {
        if (qgetenv("EXPERTSCOPE_CLI").isEmpty()) MISSING_ASSET(QStringLiteral("EXPERTSCOPE_CLI not set (run through ctest)"));
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        REQUIRE_SHARED(list, "concepts/onesec-small/concept_list.csv");
        const QString path = tmp_.filePath("v3.esproj");
        QVERIFY(analyseInto(path));
        UnitExpertise before;
        int64_t runId = 0;
        {
            const auto store = ProjectStore::open(path.toStdString(), false);
            const auto ref = chooseResult(*store, kConcept, ResultRequest{});
            runId = ref.runId;
            before = store->loadConceptResult(ref.runId, ref.conceptId);
        }
        // Back to schema 3: the tables as they were before AUROC.
        execSql(path, "ALTER TABLE probe_results DROP COLUMN auroc; ALTER TABLE concept_results DROP COLUMN best_auroc; "
                      "ALTER TABLE concepts DROP COLUMN words; ALTER TABLE models DROP COLUMN relative_path; "
                      "UPDATE meta SET value = '3' WHERE key = 'schema_version';");
        QCOMPARE(schemaVersion(path), QString("3"));
        {
            const auto store = ProjectStore::open(path.toStdString(), false);
            QCOMPARE(schemaVersion(path), QString::number(ProjectStore::kSchemaVersion));
            const auto ref = chooseResult(*store, kConcept, ResultRequest{});
            QVERIFY(store->conceptWords(ref.conceptId).empty());  // schema 5's column, empty for older concepts
            QCOMPARE(ref.runId, runId);
            QVERIFY(std::isnan(ref.bestAuroc));
            const auto e = store->loadConceptResult(ref.runId, ref.conceptId);
            QCOMPARE(e.ap, before.ap);
            QCOMPARE(e.onP50, before.onP50);
            QCOMPARE(e.auroc.size(), e.ap.size());
            QVERIFY(std::all_of(e.auroc.begin(), e.auroc.end(), [](double v) { return std::isnan(v); }));
            QVERIFY(store->finishedConcepts(ref.runId).empty());  // to be computed again
            QCOMPARE(store->finishedResults(kConcept).size(), size_t(1));  // and shown meanwhile
            const auto model = loadModel({bin.toStdString(), ""});
            Forcing f;
            test::expectError([&] { forceConceptExperts(f, *store, ref, model->probePoints(), 10, ForceValue::Aura); },
                              "do not have (not computed when they were made; analyse again)");
            forceConceptExperts(f, *store, ref, model->probePoints(), 10, ForceValue::OnP50);  // the other modes still work
            QCOMPARE(f.units.size(), size_t(10));
        }
        const QString best = QString::number(std::max_element(before.ap.begin(), before.ap.end()) - before.ap.begin());
        // The command line: null in JSON, words in text, exit code 0; AurA refused with the reason.
        const auto stats = cli({"stats", "--project", path, "--concept", kConcept, "--json"});
        QVERIFY2(stats.code == 0, stats.err.constData());
        QVERIFY(QJsonDocument::fromJson(stats.out).object().value("best_auroc").isNull());
        QVERIFY(QJsonDocument::fromJson(stats.out).object().value("best_ap").toDouble() > 0.5);
        const auto statsText = cli({"stats", "--project", path, "--concept", kConcept});
        QVERIFY2(statsText.out.contains("best AUROC not computed (analyse again)"), statsText.out.constData());
        const auto experts = cli({"experts", "--project", path, "--concept", kConcept, "--top", "2", "--json"});
        QVERIFY2(experts.code == 0, experts.err.constData());
        for (const auto& row : QJsonDocument::fromJson(experts.out).array()) QVERIFY(row.toObject().value("auroc").isNull());
        const auto expertsText = cli({"experts", "--project", path, "--concept", kConcept, "--top", "2"});
        QVERIFY2(expertsText.out.contains("auroc: not computed for these results (analyse again)"), expertsText.out.constData());
        const auto unit = cli({"unit", "--project", path, "--concept", kConcept, "--unit", best, "--json", "--sentences", "1"});
        QVERIFY2(unit.code == 0, unit.err.constData());
        QVERIFY(QJsonDocument::fromJson(unit.out).object().value("auroc").isNull());
        const auto unitText = cli({"unit", "--project", path, "--concept", kConcept, "--unit", best, "--sentences", "1"});
        QVERIFY2(unitText.out.contains("AUROC not computed (analyse again)"), unitText.out.constData());
        const auto aura = cli({"generate", "--model", bin, "--project", path, "--concept", kConcept, "--force", "aura", "--length", "5"});
        QCOMPARE(aura.code, 1);
        QVERIFY2(aura.err.contains("analyse again"), aura.err.constData());

        // The session, the table and the inspector say so too.
        {
            ProjectSession session;
            QVERIFY(session.openProject(path, false));
            QCOMPARE(session.concepts().size(), 1);
            QVERIFY(session.concepts()[0].analysed);
            QVERIFY(std::isnan(session.concepts()[0].bestAuroc));
            ConceptTableModel table;
            table.setConcepts(session.concepts());
            QCOMPARE(table.index(0, ConceptTableModel::BestAuroc).data().toString(), QString("not computed"));
            QVERIFY(table.index(0, ConceptTableModel::BestAuroc).data(Qt::ToolTipRole).toString().contains("analyse again"));
            QVERIFY(!table.index(0, ConceptTableModel::BestAuroc).data(Qt::EditRole).isValid());  // no value to export
            QSignalSpy ready(&session, &ProjectSession::unitDetailsReady);
            session.requestUnitDetails(session.concepts()[0].id, best.toLongLong());
            QVERIFY(ready.count() >= 1);
            UnitInspector inspector;
            inspector.setDetails(qvariant_cast<UnitDetails>(ready.first().at(0)));
            QCOMPARE(inspector.valueText("auroc"), QString("not computed; analyse again"));
            QCOMPARE(inspector.valueText("ap"), QString::number(before.ap[best.toULongLong()], 'f', 4));
            session.waitForIdle();
        }

        // Analysing again with the same settings recomputes that concept in the same run.
        const auto again = cli({"analyse", "--model", bin, "--concepts", QFileInfo(list).absolutePath(), "--project", path, "--json"});
        QVERIFY2(again.code == 0, again.err.constData());
        const auto summary = QJsonDocument::fromJson(again.out).object();
        QCOMPARE(summary.value("run").toInteger(), runId);
        QCOMPARE(summary.value("analysed").toInt(), 1);
        QCOMPARE(summary.value("already_done").toInt(), 0);
        QVERIFY(summary.value("concepts").toArray()[0].toObject().value("best_auroc").toDouble() > 0.5);
        const auto store = ProjectStore::open(path.toStdString(), false);
        const auto ref = chooseResult(*store, kConcept, ResultRequest{});
        const auto e = store->loadConceptResult(ref.runId, ref.conceptId);
        QCOMPARE(e.ap, before.ap);  // the same responses, so the same APs to the bit
        QCOMPARE(e.auroc, before.auroc);
        QCOMPARE(store->finishedConcepts(ref.runId).size(), size_t(1));
        QVERIFY(!std::isnan(ref.bestAuroc));
    }

    // The inspector and the table on their own: a value, and the words for none.
    void widgetsShowAValueOrSayWhyNot() {
        UnitDetails d;
        d.conceptId = 1;
        d.unit = 7;
        d.concept = "c";
        d.probe = "model.layers.0.self_attn.q_proj";
        d.ap = 0.75;
        d.auroc = 0.8125;
        UnitInspector inspector;
        QCOMPARE(inspector.valueText("auroc"), QStringLiteral("–"));
        inspector.setDetails(d);
        QCOMPARE(inspector.valueText("auroc"), QString("0.8125"));
        d.unit = 8;
        d.auroc = std::numeric_limits<double>::quiet_NaN();
        inspector.setDetails(d);
        QCOMPARE(inspector.valueText("auroc"), QString("not computed; analyse again"));
        inspector.clear();
        QCOMPARE(inspector.valueText("auroc"), QStringLiteral("–"));

        ConceptSummary known{1, "a", "g", 3, 4, true, 0.9, 0.97};
        ConceptSummary old{2, "b", "g", 3, 4, true, 0.8};  // bestAuroc: NaN
        ConceptSummary none{3, "c", "g", 3, 4};
        ConceptTableModel table;
        table.setConcepts({known, old, none});
        QCOMPARE(table.columnCount(), int(ConceptTableModel::Columns));
        QCOMPARE(table.index(0, ConceptTableModel::BestAuroc).data().toString(), QString("0.970"));
        QCOMPARE(table.index(1, ConceptTableModel::BestAuroc).data().toString(), QString("not computed"));
        QCOMPARE(table.index(2, ConceptTableModel::BestAuroc).data().toString(), QString("not analysed"));
        // Sorting: values first, then results without AUROC, then concepts not analysed.
        QCOMPARE(table.index(0, ConceptTableModel::BestAuroc).data(ConceptTableModel::kSortRole).toDouble(), 0.97);
        QCOMPARE(table.index(1, ConceptTableModel::BestAuroc).data(ConceptTableModel::kSortRole).toDouble(), -1.0);
        QCOMPARE(table.index(2, ConceptTableModel::BestAuroc).data(ConceptTableModel::kSortRole).toDouble(), -1.0);
    }
};

QTEST_MAIN(TestAuroc)
#include "tst_auroc.moc"
