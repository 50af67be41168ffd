// The analysis end to end on stories260K and the OneSec football concept: every unit gets
// an AP, real experts appear, an interrupted run resumes to exactly the uninterrupted
// result, refused concepts say why, and a file that is not a project is left untouched.
#include "core/analysis.h"
#include "core/error.h"
#include "core/response_collector.h"
#include "test_support.h"

#include <QFile>
#include <QTemporaryDir>

#include <cmath>

using namespace expertscope;

class TestAnalysis : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    std::unique_ptr<LanguageModel> model_;
    ConceptSet set_;

private slots:
    void initTestCase() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        REQUIRE_SHARED(full, "concepts/onesec/concept_list.csv");
        REQUIRE_SHARED(small, "concepts/onesec-small/concept_list.csv");
        model_ = loadModel({bin.toStdString(), ""});
        // Two concepts: the small football set first (fast), then the full one.
        set_ = importSelfcondFolder(QFileInfo(small).absolutePath().toStdString());
        set_.concepts[0].name = "football-small";
        set_.concepts.push_back(importSelfcondFolder(QFileInfo(full).absolutePath().toStdString()).concepts[0]);
        set_.name = "football";
    }

    void analysesResumesAndStores() {
        RunSettings settings;
        // Uninterrupted, in one project.
        auto a = ProjectStore::open(tmp_.filePath("a.esproj").toStdString(), true);
        const int64_t modelA = a->addModel(*model_), setA = a->addConceptSet(set_);
        const auto whole = analyse(*a, *model_, modelA, setA, settings);
        QCOMPARE(whole.analysed, 2);
        const auto concepts = a->concepts(setA);
        QCOMPARE(concepts[1].positives, 700);
        QCOMPARE(concepts[1].negatives, 1000);
        const auto football = a->loadConceptResult(whole.runId, concepts[1].id);
        QCOMPARE(int64_t(football.ap.size()), model_->unitCount());
        for (double ap : football.ap) QVERIFY(std::isfinite(ap) && ap > 0 && ap <= 1);
        const auto top = a->topExperts(whole.runId, concepts[1].id, 50);
        QCOMPARE(top.size(), size_t(50));
        qInfo("best football AP with stories260K: %.4f (unit %lld)", top[0].ap, static_cast<long long>(top[0].unit));
        QVERIFY2(top[0].ap > 0.8, qPrintable(QString::number(top[0].ap)));
        QCOMPARE(float(top[0].ap), float(*std::max_element(football.ap.begin(), football.ap.end())));

        // Interrupted in the middle of the second concept, then resumed: the first is kept,
        // the second redone, and everything equals the uninterrupted run.
        const QString bPath = tmp_.filePath("b.esproj");
        {
            auto b = ProjectStore::open(bPath.toStdString(), true);
            const int64_t modelB = b->addModel(*model_), setB = b->addConceptSet(set_);
            QVERIFY_THROWS_EXCEPTION(Cancelled, analyse(*b, *model_, modelB, setB, settings, [](const AnalysisProgress& p) {
                return !(p.conceptsDone == 1 && p.sentencesDone > 0);
            }));
        }
        auto b = ProjectStore::open(bPath.toStdString(), false);
        const auto resumed = analyse(*b, *model_, 1, 1, settings);
        QCOMPARE(resumed.alreadyDone, 1);
        QCOMPARE(resumed.analysed, 1);
        for (int i = 0; i < 2; ++i) {
            const auto x = a->loadConceptResult(whole.runId, concepts[i].id);
            const auto y = b->loadConceptResult(resumed.runId, b->concepts(1)[i].id);
            QCOMPARE(x.ap, y.ap);
            QCOMPARE(x.onP50, y.onP50);
            QCOMPARE(x.offMean, y.offMean);
        }
        // Finished concepts are never recomputed.
        const auto again = analyse(*b, *model_, 1, 1, settings);
        QCOMPARE(again.runId, resumed.runId);
        QCOMPARE(again.analysed, 0);
        QCOMPARE(again.alreadyDone, 2);
    }

    void refusedConceptsSayWhy() {
        auto p = ProjectStore::open(tmp_.filePath("c.esproj").toStdString(), true);
        ConceptSet set{"bad", "test", {Concept{"no-negatives", "g", "s", {"A ball.", "A goal."}, {}}}};
        const auto summary = analyse(*p, *model_, p->addModel(*model_), p->addConceptSet(set), RunSettings{});
        QCOMPARE(summary.refused, 1);
        QVERIFY(!summary.messages.empty());
        QVERIFY(summary.messages.back().fatal);
        QCOMPARE(summary.messages.back().message, std::string("no negative sentences: the concept cannot be analysed"));
    }

    void foreignFilesAreRefusedUntouched() {
        const QString garbage = tmp_.filePath("garbage.esproj");
        QFile f(garbage);
        QVERIFY(f.open(QIODevice::WriteOnly));
        const QByteArray content = QByteArray("this is not a database at all ").repeated(200);
        f.write(content);
        f.close();
        try {
            ProjectStore::open(garbage.toStdString(), false);
            QFAIL("opened garbage");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("not an Expertscope project") != std::string::npos, e.what());
            QVERIFY2(std::string(e.what()).find("left unchanged") != std::string::npos, e.what());
        }
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), content);
        QVERIFY(!QFile::exists(garbage + "-wal"));
        QVERIFY_THROWS_EXCEPTION(Error, ProjectStore::open(tmp_.filePath("missing.esproj").toStdString(), false));
    }
};

QTEST_GUILESS_MAIN(TestAnalysis)
#include "tst_analysis.moc"
