// The paper's model ranking (core/science/model_ranking.h): the threshold grid, expert
// counts against a brute-force count, Pearson's r^2 and Spearman's rho on hand-computed
// cases, undefined (never NaN) on constant columns, a reproducible bootstrap; reading
// models from projects analysed with stories260K and their scores from CSV
// (core/project/model_ranking_projects.h); the CLI's rank giving the core's numbers exactly.
#include "core/base/error.h"
#include "core/project/analysis.h"
#include "core/project/model_ranking_projects.h"
#include "core/science/model_ranking.h"
#include "test_cli_and_sql.h"
#include "ranking_fixture.h"
#include "test_support.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <cmath>
#include <random>

using namespace expertscope;
using test::expectError;

namespace {

// The same counts at every threshold of the grid.
ModelCounts flat(const std::string& name, double score, int64_t units, int64_t experts) {
    return {name, score, units, std::vector<int64_t>(selfcondThresholdGrid().size(), experts)};
}

void expectNoNan(const Estimate& e) {
    if (e.value) QVERIFY(std::isfinite(*e.value));
    if (e.interval) QVERIFY(std::isfinite(e.interval->low) && std::isfinite(e.interval->high));
}

void writeText(const QString& path, const QByteArray& text) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(text);
}

}  // namespace

class TestModelRanking : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

    QStringList projects(const QString& bin) { return test::rankingProjects(QDir(tmp_.path()), bin); }

    static std::vector<std::string> paths(const QStringList& list) {
        std::vector<std::string> out;
        for (const auto& p : list) out.push_back(p.toStdString());
        return out;
    }

private slots:
    void gridIsSelfcondsThresholds() {
        const auto grid = selfcondThresholdGrid();
        QCOMPARE(grid.size(), size_t(501));
        QCOMPARE(grid.front(), 0.5);
        QCOMPARE(grid.back(), 1.0);
        QCOMPARE(grid[1], 0.501);
        QCOMPARE(grid[250], 0.75);
        for (size_t i = 1; i < grid.size(); ++i) QVERIFY(grid[i] > grid[i - 1]);
    }

    // Values on grid points (ties with >=), both ends, below the grid and NaN.
    void countsEqualABruteForceCount() {
        const auto grid = selfcondThresholdGrid();
        std::mt19937_64 rng(7);
        std::vector<std::vector<double>> concepts;
        for (int c = 0; c < 3; ++c) {
            std::vector<double> ap;
            for (int u = 0; u < 2000; ++u) {
                const auto r = rng() % 4;
                ap.push_back(r == 0 ? grid[rng() % grid.size()] : static_cast<double>(rng() % 1000001) / 1e6);
            }
            ap.push_back(std::nan(""));
            ap.push_back(1.0);
            ap.push_back(0.5);
            concepts.push_back(ap);
        }
        const auto total = totalExpertCounts(concepts, grid);
        for (size_t i = 0; i < grid.size(); ++i) {
            int64_t brute = 0;
            for (const auto& ap : concepts) {
                int64_t n = 0;
                for (double v : ap) n += v >= grid[i];
                QCOMPARE(expertCountsOnGrid(ap, grid)[i], n);
                brute += n;
            }
            QCOMPARE(total[i], brute);
        }
        expectError([] { expertCountsOnGrid({0.7}, {0.9, 0.5}); }, "ascending");
    }

    // Counts proportional to scores at every threshold: r^2 and rho exactly 1, and the best
    // threshold (all tie) the lowest.
    void linearCountsGiveR2One() {
        const auto r = rankModels({flat("a", 10, 100, 1), flat("b", 20, 100, 2), flat("c", 30, 100, 3), flat("d", 40, 100, 4)}, {});
        QCOMPARE(r.thresholds.size(), size_t(501));
        QCOMPARE(*r.thresholds[0].byExperts.r2.value, 1.0);
        QCOMPARE(*r.thresholds[0].byExperts.rho.value, 1.0);
        QCOMPARE(*r.thresholds[0].byShare.r2.value, 1.0);
        QCOMPARE(*r.thresholds[500].byExperts.r2.value, 1.0);
        QCOMPARE(*r.best, size_t(0));
        QCOMPARE(r.thresholds[0].share, (std::vector<double>{0.01, 0.02, 0.03, 0.04}));
    }

    // scores 1..4 against counts 1,2,2,1: deviations -1.5,-0.5,0.5,1.5 and -0.5,0.5,0.5,-0.5,
    // products 0.75,-0.25,0.25,-0.75, summing to 0.
    void orthogonalGivesZero() {
        QCOMPARE(*pearsonR2({1, 2, 3, 4}, {1, 2, 2, 1}), 0.0);
        QCOMPARE(*spearmanRho({1, 2, 3, 4}, {1, 2, 2, 1}), 0.0);
    }

    // x = 1,2,3,4 (mean 2.5, deviations -1.5,-0.5,0.5,1.5, sxx = 5); y = 1,3,2,10 (mean 4,
    // deviations -3,-1,-2,6, syy = 50); sxy = 4.5 + 0.5 - 1 + 9 = 13; r^2 = 169 / 250 = 0.676.
    // Ranks of y: 1,3,2,4 (deviations -1.5,0.5,-0.5,1.5): sxy = 2.25 - 0.25 - 0.25 + 2.25 = 4,
    // sxx = syy = 5; rho = 0.8.
    void handComputedCase() {
        QCOMPARE(*pearsonR2({1, 2, 3, 4}, {1, 3, 2, 10}), 0.676);
        QCOMPARE(*spearmanRho({1, 2, 3, 4}, {1, 3, 2, 10}), 0.8);
    }

    // Ties share their mean rank: x = 1,2,2,3 ranks 1,2.5,2.5,4; y = 1,2,3,4. Deviations
    // -1.5,0,0,1.5 and -1.5,-0.5,0.5,1.5: sxy = 4.5, sxx = 4.5, syy = 5; rho = 4.5 /
    // sqrt(22.5) = 3 / sqrt(10) (scipy.stats.spearmanr: 0.9486832980505138).
    void spearmanAveragesTies() {
        QCOMPARE(averageRanks({3, 1, 3, 2, 3}), (std::vector<double>{4, 1, 4, 2, 4}));
        QVERIFY(std::fabs(*spearmanRho({1, 2, 2, 3}, {1, 2, 3, 4}) - 0.9486832980505138) < 1e-15);
    }

    // No variation, no correlation: empty, never NaN, whether the scores or the counts are
    // constant, even when a constant's mean rounds off it (three times 0.1).
    void constantColumnsAreUndefined() {
        QVERIFY(!pearsonR2({0.1, 0.1, 0.1}, {1, 2, 3}));
        QVERIFY(!pearsonR2({1, 2, 3}, {0.1, 0.1, 0.1}));
        QVERIFY(!spearmanRho({1, 2, 3}, {5, 5, 5}));
        QVERIFY(!pearsonR2({1}, {2}));
        const auto sameScore = rankModels({flat("a", 1, 10, 1), flat("b", 1, 10, 2), flat("c", 1, 10, 3)}, {});
        QVERIFY(!sameScore.best);
        for (const auto& t : sameScore.thresholds) {
            QVERIFY(!t.byExperts.r2.value && !t.byExperts.rho.value && !t.byShare.r2.value);
            QVERIFY(!t.byExperts.r2.interval);
            QCOMPARE(t.byExperts.r2.resamplesSkipped, 2000);
        }
        const auto sameCount = rankModels({flat("a", 1, 10, 4), flat("b", 2, 10, 4), flat("c", 3, 10, 4)}, {});
        QVERIFY(!sameCount.best);
        QVERIFY(!sameCount.thresholds[0].byExperts.rho.value);
        // Equal counts but different units: the share still varies and is defined.
        const auto shares = rankModels({flat("a", 1, 10, 4), flat("b", 2, 20, 4), flat("c", 3, 40, 4)}, {});
        QVERIFY(shares.thresholds[0].byShare.r2.value);
        expectNoNan(shares.thresholds[0].byShare.r2);
    }

    // The same seed, the same numbers; resamples drawn as mt19937_64() % n; the ranking's
    // intervals are those of bootstrapEstimate on the same columns; undefined resamples
    // (all rows one model, say) skipped and counted.
    void bootstrapIsReproducible() {
        const std::vector<double> scores{1, 2, 3, 4, 5}, counts{2, 1, 4, 3, 7};
        BootstrapOptions o;
        o.seed = 42;
        const auto a = bootstrapEstimate(scores, counts, pearsonR2, o), b = bootstrapEstimate(scores, counts, pearsonR2, o);
        QCOMPARE(a.interval->low, b.interval->low);
        QCOMPARE(a.interval->high, b.interval->high);
        QCOMPARE(a.resamplesUsed + a.resamplesSkipped, 2000);
        QVERIFY(a.resamplesSkipped > 0);
        QVERIFY(a.interval->low <= *a.value && *a.value <= a.interval->high);
        std::mt19937_64 rng(42);
        const auto draws = drawResamples(5, o);
        for (size_t k = 0; k < 3; ++k)
            for (size_t i = 0; i < 5; ++i) QCOMPARE(draws[k][i], static_cast<size_t>(rng() % 5));
        o.seed = 43;
        QVERIFY(drawResamples(5, o) != draws);

        RankingOptions ranking;
        ranking.bootstrap.seed = 42;
        std::vector<ModelCounts> models;
        for (size_t m = 0; m < scores.size(); ++m) models.push_back(flat("m" + std::to_string(m), scores[m], 100, int64_t(counts[m])));
        const auto r = rankModels(models, ranking).thresholds[0].byExperts;
        o.seed = 42;
        const auto rho = bootstrapEstimate(scores, counts, spearmanRho, o);
        QCOMPARE(r.r2.interval->low, a.interval->low);
        QCOMPARE(r.r2.interval->high, a.interval->high);
        QCOMPARE(r.rho.interval->low, rho.interval->low);
        QCOMPARE(r.rho.resamplesSkipped, rho.resamplesSkipped);
    }

    // A loss: the score is negated, so rho changes sign and r^2 does not.
    void lowerIsBetterNegatesTheScore() {
        const std::vector<ModelCounts> models{flat("a", 3.0, 10, 1), flat("b", 2.5, 10, 2), flat("c", 2.0, 10, 4)};
        RankingOptions loss;
        loss.higherIsBetter = false;
        const auto asLoss = rankModels(models, loss), asScore = rankModels(models, {});
        QVERIFY(asLoss.scoreNegated && !asScore.scoreNegated);
        QCOMPARE(*asLoss.thresholds[0].byExperts.rho.value, 1.0);
        QCOMPARE(*asScore.thresholds[0].byExperts.rho.value, -1.0);
        QCOMPARE(*asLoss.thresholds[0].byExperts.r2.value, *asScore.thresholds[0].byExperts.r2.value);
        QCOMPARE(asLoss.scores, (std::vector<double>{3.0, 2.5, 2.0}));  // reported as given
    }

    // Counts 1,3,2,4 (r^2 0.64) below 0.7, 1,2,3,4 (r^2 1) from 0.7, 1,2,3,5 from 0.8.
    void bestThresholdHasTheHighestR2() {
        std::vector<ModelCounts> models;
        const int64_t low[]{1, 3, 2, 4}, mid[]{1, 2, 3, 4}, high[]{1, 2, 3, 5};
        for (int m = 0; m < 4; ++m) {
            ModelCounts c{std::string(1, char('a' + m)), double(m + 1), 50, {}};
            for (size_t i = 0; i < 501; ++i) c.experts.push_back(i < 200 ? low[m] : i < 300 ? mid[m] : high[m]);
            models.push_back(c);
        }
        const auto r = rankModels(models, {});
        QCOMPARE(*r.best, size_t(200));
        QCOMPARE(r.thresholds[*r.best].threshold, 0.7);
        QCOMPARE(*r.thresholds[0].byExperts.r2.value, 0.64);
    }

    void refusesTooFewModelsAndBadCounts() {
        expectError([] { rankModels({flat("a", 1, 10, 1), flat("b", 2, 10, 2)}, {}); }, "at least 3 models");
        expectError([] { rankModels({flat("a", 1, 10, 1), flat("b", 2, 10, 2), {"c", 3, 10, {1, 2}}}, {}); },
                    "model 'c' has expert counts for 2 thresholds, the grid has 501");
        expectError([] { rankModels({flat("a", 1, 10, 1), flat("a", 2, 10, 2), flat("c", 3, 10, 3)}, {}); }, "named twice");
        expectError([] { rankModels({flat("a", 1, 10, 1), flat("b", 2, 0, 2), flat("c", 3, 10, 3)}, {}); }, "model 'b' has no units");
    }

    void scoresFilesAreChecked() {
        const auto s = parseScores("\xEF\xBB\xBFmodel,score\r\n\"a\", 1.5\r\n\nb,-2e-1\r\n", "s.csv");
        QCOMPARE(s.size(), size_t(2));
        QCOMPARE(s[0].model, std::string("a"));
        QCOMPARE(s[0].score, 1.5);
        QCOMPARE(s[1].score, -0.2);
        QCOMPARE(s[1].line, 4);
        // Quoted fields as RFC 4180 writes them: commas and doubled quotes inside.
        const auto q = parseScores("model,score\n\"step,250\",4.5\n\"say \"\"hi\"\"\" , 2\n", "q.csv");
        QCOMPARE(q[0].model, std::string("step,250"));
        QCOMPARE(q[1].model, std::string("say \"hi\""));
        QCOMPARE(q[1].score, 2.0);
        expectError([] { parseScores("model,score\n\"open,1\n", "q.csv"); }, "q.csv line 2: a quoted field is not closed");
        expectError([] { parseScores("", "s.csv"); }, "scores file s.csv is empty");
        expectError([] { parseScores(" \n\n", "s.csv"); }, "is empty");
        expectError([] { parseScores("name,value\na,1\n", "s.csv"); }, "line 1: expected the header 'model,score'");
        expectError([] { parseScores("model,score\n", "s.csv"); }, "has no score rows");
        expectError([] { parseScores("model,score\na,1\nb,high\n", "s.csv"); }, "line 3: the score of model 'b' is not a number: 'high'");
        expectError([] { parseScores("model,score\na,nan\n", "s.csv"); }, "is not a number");
        expectError([] { parseScores("model,score\na,1\nb,2\na,3\n", "s.csv"); }, "line 4: model 'a' has a score already (line 2)");
        expectError([] { parseScores("model,score\na,1,2\n", "s.csv"); }, "expected 2 fields");

        std::vector<ModelExperts> models(3);
        for (int m = 0; m < 3; ++m) models[size_t(m)] = {std::string(1, char('a' + m)), "project " + std::to_string(m), 10, {"x"}, {1}};
        const auto scores = parseScores("model,score\na,1\nb,2\nc,3\n", "s.csv");
        QCOMPARE(withScores(models, scores, "s.csv")[2].score, 3.0);
        expectError([&] { withScores(models, parseScores("model,score\na,1\nb,2\n", "s.csv"), "s.csv"); },
                    "model 'c' (project 2) has no score in s.csv");
        expectError([&] { withScores(models, parseScores("model,score\na,1\nb,2\nc,3\nd,4\n", "s.csv"), "s.csv"); },
                    "s.csv line 5: no project is named 'd' (models, by project file name: a, b, c)");
    }

    // Three real projects: each model's units are its probes' units, its experts the sum over
    // both concepts of its stored APs counted by brute force; a fourth project missing a
    // concept and an empty one are refused, naming what is wrong.
    void readsModelsFromProjects() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        const auto list = projects(bin);
        const auto grid = selfcondThresholdGrid();
        const auto models = readProjectsExperts(paths(list), grid);
        QCOMPARE(models.size(), size_t(3));
        QCOMPARE(models[0].name, std::string("max"));
        QCOMPARE(models[2].name, std::string("selfcond"));
        for (size_t m = 0; m < models.size(); ++m) {
            QCOMPARE(models[m].concepts, (std::vector<std::string>{"ball", "dog"}));
            const auto store = ProjectStore::open(list[int(m)].toStdString(), false);
            const auto probes = store->probes(store->latestModel());
            QCOMPARE(models[m].units, probes.back().offset + probes.back().units);
            std::vector<int64_t> brute(grid.size(), 0);
            for (const auto& ref : store->finishedResults("")) {
                const auto ap = store->loadConceptResult(ref.runId, ref.conceptId).ap;
                QCOMPARE(int64_t(ap.size()), models[m].units);
                for (size_t i = 0; i < grid.size(); ++i)
                    for (double v : ap) brute[i] += v >= grid[i];
            }
            QCOMPARE(models[m].experts, brute);
        }
        QVERIFY(models[0].experts != models[1].experts);  // the poolings differ, so the ranking has something to rank

        const QString partial = tmp_.filePath("partial.esproj");
        {
            auto store = ProjectStore::open(partial.toStdString(), true);
            const auto model = loadModel({bin.toStdString(), ""});
            analyse(*store, *model, store->addModel(*model), store->addConceptSet(ConceptSet{"one", "test-one", {test::rankingConcepts()[0]}}), RunSettings{});
        }
        expectError([&] { readProjectsExperts(paths(QStringList{list[0], list[1], partial}), grid); },
                    "concept 'dog' has results for model 'max' but not for model 'partial'");
        const QString empty = tmp_.filePath("empty.esproj");
        ProjectStore::open(empty.toStdString(), true);
        expectError([&] { readProjectExperts(empty.toStdString(), grid); }, "has no finished results; analyse it first");
        expectError([&] { readProjectsExperts(paths(QStringList{list[0], list[0], list[1]}), grid); }, "two models are named 'max'");
    }

    // rank --json: every number the core computes from the same projects and scores, exactly;
    // the text names the formula and the best threshold; too few projects and a bad scores
    // file fail with the core's messages.
    void cliGivesTheCoresNumbers() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        if (qgetenv("EXPERTSCOPE_CLI").isEmpty()) MISSING_ASSET(QStringLiteral("EXPERTSCOPE_CLI not set (run through ctest)"));
        const auto list = projects(bin);
        const QString scores = tmp_.filePath("scores.csv");
        writeText(scores, "model,score\nselfcond,3.5\nmax,2.25\nmean,1.0\n");
        const auto run = test::cli(QStringList{"rank", "--projects"} + list + QStringList{"--scores", scores, "--lower-is-better", "--json"});
        QVERIFY2(run.code == 0, run.err.constData());
        const auto json = QJsonDocument::fromJson(run.out).object();

        RankingOptions options;
        options.higherIsBetter = false;
        const auto models = readProjectsExperts(paths(list), options.thresholds);
        const auto core = rankModels(withScores(models, readScoresFile(scores.toStdString()), scores.toStdString()), options);
        QCOMPARE(json.value("score_negated").toBool(), true);
        const auto thresholds = json.value("thresholds").toArray();
        QCOMPARE(thresholds.size(), 501);
        // ==, not QCOMPARE's fuzzy comparison: the JSON must round-trip every bit.
        const auto same = [](const QJsonValue& j, const Estimate& e) {
            QCOMPARE(j["value"].isNull(), !e.value);
            if (e.value) QVERIFY(j["value"].toDouble() == *e.value);
            QCOMPARE(j["ci"].isNull(), !e.interval);
            if (e.interval) {
                QVERIFY(j["ci"][0].toDouble() == e.interval->low);
                QVERIFY(j["ci"][1].toDouble() == e.interval->high);
            }
            QCOMPARE(j["resamples_skipped"].toInt(), e.resamplesSkipped);
        };
        int defined = 0;
        for (int i = 0; i < thresholds.size(); ++i) {
            const auto t = thresholds[i].toObject();
            const auto& c = core.thresholds[size_t(i)];
            QVERIFY(t["threshold"].toDouble() == c.threshold);
            for (size_t m = 0; m < c.experts.size(); ++m) {
                QCOMPARE(t["experts"][int(m)].toInteger(), c.experts[m]);
                QVERIFY(t["share"][int(m)].toDouble() == c.share[m]);
            }
            same(t["by_experts"]["r2"], c.byExperts.r2);
            same(t["by_experts"]["rho"], c.byExperts.rho);
            same(t["by_share"]["r2"], c.byShare.r2);
            same(t["by_share"]["rho"], c.byShare.rho);
            defined += c.byExperts.r2.value.has_value();
        }
        QVERIFY(defined > 0);
        QVERIFY(core.best);
        QCOMPARE(json["best"]["index"].toInteger(), qint64(*core.best));

        // A comma-separated list is the same list.
        const auto commas = test::cli({"rank", "--projects", list.join(","), "--scores", scores, "--lower-is-better", "--json"});
        QCOMPARE(commas.out, run.out);
        const auto text = test::cli(QStringList{"rank", "--scores", scores, "--projects"} + list);
        QVERIFY2(text.code == 0, text.err.constData());
        QVERIFY(text.out.startsWith("r^2 = Pearson's r(score, experts)^2"));
        QVERIFY(text.out.contains("best threshold by r^2 of the number of experts: t = "));
        QVERIFY(text.out.contains("\n 0.950  "));

        const auto two = test::cli({"rank", "--projects", list[0], list[1], "--scores", scores});
        QCOMPARE(two.code, 1);
        QVERIFY2(two.err.contains("at least 3 models"), two.err.constData());
        writeText(scores, "model,score\nmax,1\nmean,2\n");
        const auto missing = test::cli(QStringList{"rank", "--projects"} + list + QStringList{"--scores", scores});
        QVERIFY2(missing.err.contains("model 'selfcond'") && missing.err.contains("has no score"), missing.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestModelRanking)
#include "tst_model_ranking.moc"
