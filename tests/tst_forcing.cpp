// Forcing, pooling and generation on the real stories260K: forced units read back their
// value, pooling reads only a sentence's own tokens (BOS left out unless asked for), to the
// bit on the CPU kernels, and KV-cached generation equals
// recomputing the whole sequence, with and without forcing. On a real analysed concept,
// forceExperts forces exactly the stored top experts, each on its own probe and unit, at
// the value ml-selfcond forces (median or p90 of the positives' responses, mean of the
// negatives', or zero), on values scaled by the strength. AurA: scaled units read back their
// value times their factor, to the bit; factors of 1 leave logits and generation bit-identical;
// alpha is exactly 1 at AUROC <= 0.5; AurA from a project dampens every unit above 0.5,
// whatever K, and changes what the model writes.
#include "core/base/error.h"
#include "core/project/analysis.h"
#include "core/project/concept_forcing.h"
#include "core/project/concepts.h"
#include "core/project/project_store.h"
#include "core/project/result_source.h"
#include "core/runtime/language_model.h"
#include "test_support.h"

#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>

using namespace expertscope;

class TestForcing : public QObject {
    Q_OBJECT
    std::unique_ptr<LanguageModel> model_;
    int gate2_ = -1;  // layer 2 gate_proj

    Forcing strongForcing(ForceScope scope) const {
        Forcing f;
        f.scope = scope;
        for (int u = 0; u < 40; ++u) f.units.push_back({gate2_, u, 4.f});
        return f;
    }
    std::vector<float> column(const SequenceTrace& t, int probe, int unit) const {
        const int units = model_->probePoints()[probe].units;
        std::vector<float> c;
        for (int64_t i = 0; i < t.tokens; ++i) c.push_back(t.outputs[probe][i * units + unit]);
        return c;
    }

    // onesec-small's football concept (13 positives, 18 negatives) analysed by core's
    // analyse() with the default settings into a temporary project, once.
    struct Analysed {
        QTemporaryDir dir;
        std::unique_ptr<ProjectStore> store;
        ProjectStore::ResultRef ref;
        UnitExpertise expertise;  // as stored: float32 values read back as double
        PreparedConcept prepared;  // the sentences as the analysis ran them, positives first
    };
    std::unique_ptr<Analysed> analysed_;
    const Analysed& analysed(const QString& conceptFolder) {
        if (analysed_) return *analysed_;
        auto a = std::make_unique<Analysed>();
        a->store = ProjectStore::open(a->dir.filePath("p.esproj").toStdString(), true);
        const ConceptSet set = importSelfcondFolder(conceptFolder.toStdString());
        const RunSettings settings;
        const auto summary = analyse(*a->store, *model_, a->store->addModel(*model_), a->store->addConceptSet(set), settings);
        if (summary.analysed != 1) throw Error("expected one analysed concept, got " + std::to_string(summary.analysed));
        a->ref = chooseResult(*a->store, "football-1_04_00__", ResultRequest{});
        a->expertise = a->store->loadConceptResult(a->ref.runId, a->ref.conceptId);
        a->prepared = prepareConcept(set.concepts.at(0), *model_, settings);
        analysed_ = std::move(a);
        return *analysed_;
    }
    static constexpr int kExperts = 20;

    // The probe and unit within it of a global unit index, by a plain scan of the model's
    // probe list (not core's probeOfUnit, which is what is under test).
    std::pair<int, int> probeAndUnit(int64_t global) const {
        const auto& probes = model_->probePoints();
        for (size_t p = 0; p < probes.size(); ++p)
            if (global >= probes[p].offset && global < probes[p].offset + probes[p].units)
                return {static_cast<int>(p), static_cast<int>(global - probes[p].offset)};
        return {-1, -1};
    }

    // numpy.percentile(values, q) with its default method ("linear"), as numpy computes it:
    // quantile q / 100, virtual index h = (n - 1) * quantile, between the sorted values
    // a = v[floor h] and b = v[floor h + 1], interpolated by numpy's _lerp (from b when the
    // fraction is >= 0.5).
    static double numpyPercentile(std::vector<double> v, double q) {
        std::sort(v.begin(), v.end());
        const double h = static_cast<double>(v.size() - 1) * (q / 100.0);
        const size_t lo = std::min(static_cast<size_t>(std::floor(h)), v.size() - 1), hi = std::min(lo + 1, v.size() - 1);
        const double t = h - static_cast<double>(lo), a = v[lo], b = v[hi];
        return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
    }

private slots:
    void initTestCase() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        model_ = loadModel({bin.toStdString(), ""});
        gate2_ = model_->findProbe("model.layers.2.mlp.gate_proj");
        QVERIFY(gate2_ >= 0);
    }

    void forcedUnitReadsBackItsValue() {
        const auto ids = model_->tokenize("Lily saw a big red ball in the park.");
        const auto plain = model_->trace(ids);
        Forcing f;
        f.units = {{gate2_, 17, 3.5f}, {0, 5, -2.f}};
        const auto forced = model_->trace(ids, f);
        for (float v : column(forced, gate2_, 17)) QCOMPARE(v, 3.5f);
        for (float v : column(forced, 0, 5)) QCOMPARE(v, -2.f);
        QVERIFY(column(plain, gate2_, 17) != column(forced, gate2_, 17));
        double change = 0;
        for (size_t i = 0; i < plain.logits.size(); ++i) change += std::fabs(plain.logits[i] - forced.logits[i]);
        QVERIFY2(change > 1.0, qPrintable(QString::number(change)));
        // and the pooled response of a forced unit is its value
        const auto pooled = model_->collectResponses({ids}, CaptureOptions{}, f);
        QCOMPARE(pooled.at(0, model_->probePoints()[gate2_].offset + 17), 3.5f);
    }

    void newTokensScopeLeavesThePromptAlone() {
        const auto ids = model_->tokenize("The cat sat on the mat.");
        const auto plain = model_->trace(ids);
        Forcing f;
        f.scope = ForceScope::NewTokens;
        f.units = {{gate2_, 3, 9.f}};
        const auto forced = model_->trace(ids, f);
        const auto before = column(plain, gate2_, 3), after = column(forced, gate2_, 3);
        for (size_t t = 0; t + 1 < ids.size(); ++t) QCOMPARE(after[t], before[t]);
        QCOMPARE(after.back(), 9.f);
    }

    // Row-exact products (the CPU kernels) give the same bits in a batch, alone and in a
    // trace; the operator route (EXPERTSCOPE_KERNELS=aten) rounds a row by its place in the
    // product, a few 1e-6 at these sizes, so it is held to 1e-4.
    bool same(float a, float b) const { return model_->info().rowAlignment > 0 ? a == b : std::fabs(a - b) < 1e-4; }

    // Pooled responses are the trace's per-token values pooled over the sentence's own
    // tokens: never a pad's, and BOS only when asked for.
    void poolingReadsOnlyTheSentencesTokens() {
        const std::vector<std::vector<int>> batch{model_->tokenize("A dog."),
                                                  model_->tokenize("Once upon a time there was a happy little frog."),
                                                  model_->tokenize("Tim ran home.")};
        QCOMPARE(batch[0][0], model_->info().bosId);
        for (Pooling pooling : {Pooling::Max, Pooling::Mean})
            for (bool poolBos : {false, true}) {
                CaptureOptions o;
                o.pooling = pooling;
                o.poolBos = poolBos;
                const auto together = model_->collectResponses(batch, o);
                QCOMPARE(together.cols, model_->unitCount());
                for (size_t r = 0; r < batch.size(); ++r) {
                    const auto alone = model_->collectResponses({batch[r]}, o);
                    const auto trace = model_->trace(batch[r]);
                    const size_t from = poolBos ? 0 : 1;
                    for (size_t p = 0; p < model_->probePoints().size(); ++p) {
                        const auto& probe = model_->probePoints()[p];
                        for (int u = 0; u < probe.units; ++u) {
                            const auto col = column(trace, static_cast<int>(p), u);
                            float expected = col[from];
                            for (size_t t = from + 1; t < col.size(); ++t)
                                expected = pooling == Pooling::Max ? std::max(expected, col[t]) : expected + col[t];
                            if (pooling == Pooling::Mean) expected *= 1.f / static_cast<float>(col.size() - from);
                            const float a = together.at(static_cast<int64_t>(r), probe.offset + u), b = alone.at(0, probe.offset + u);
                            QVERIFY2(same(a, b) && same(a, expected),
                                     qPrintable(QString("%1 unit %2 row %3 bos %4: batched %5, alone %6, trace %7")
                                                    .arg(probe.name.c_str()).arg(u).arg(r).arg(poolBos)
                                                    .arg(a, 0, 'g', 9).arg(b, 0, 'g', 9).arg(expected, 0, 'g', 9)));
                        }
                    }
                }
            }
    }

    // Not vacuous: BOS is the maximum of some units, so leaving it out changes responses.
    void bosIsLeftOutOfMaxPooling() {
        const auto ids = model_->tokenize("Tim ran home.");
        CaptureOptions without, with;
        with.poolBos = true;
        const auto a = model_->collectResponses({ids}, without), b = model_->collectResponses({ids}, with);
        const auto trace = model_->trace(ids);
        int changed = 0;
        for (size_t p = 0; p < model_->probePoints().size(); ++p) {
            const auto& probe = model_->probePoints()[p];
            for (int u = 0; u < probe.units; ++u) {
                const auto col = column(trace, static_cast<int>(p), u);
                const bool bosIsMax = col[0] > *std::max_element(col.begin() + 1, col.end());
                const int64_t g = probe.offset + u;
                QCOMPARE(a.at(0, g) != b.at(0, g), bosIsMax);
                changed += bosIsMax;
            }
        }
        qInfo("units whose maximum is at BOS for this sentence: %d of %lld", changed, static_cast<long long>(model_->unitCount()));
        QVERIFY(changed > 0);
    }

    void selfcondModeIncludesPads() {
        const auto ids = model_->tokenize("Tim ran home.");
        CaptureOptions o;
        o.pooling = Pooling::SelfcondMax;
        o.paddedLength = 16;
        const auto pooled = model_->collectResponses({ids}, o);
        std::vector<int> padded = ids;
        padded.resize(16, model_->info().eosId);  // ml-selfcond pads with EOS
        const auto trace = model_->trace(padded);
        const int down4 = model_->findProbe("model.layers.4.mlp.down_proj");
        const auto& probe = model_->probePoints()[down4];
        bool padsMatter = false;
        for (int u = 0; u < probe.units; ++u) {
            const auto col = column(trace, down4, u);
            const float all = *std::max_element(col.begin(), col.end());
            const float real = *std::max_element(col.begin(), col.begin() + ids.size());
            QVERIFY(same(pooled.at(0, probe.offset + u), all));
            padsMatter = padsMatter || all > real;
        }
        QVERIFY2(padsMatter, "no unit's maximum came from a pad position; the test would not see a leak");
    }

    void cacheAndNoCacheAgree() {
        const auto prompt = model_->tokenize("Once upon a time");
        for (int forcing = 0; forcing < 3; ++forcing) {
            const Forcing f = forcing == 0 ? Forcing{} : strongForcing(forcing == 1 ? ForceScope::AllPositions : ForceScope::NewTokens);
            for (float temperature : {0.f, 0.9f}) {
                GenerationOptions o;
                o.temperature = temperature;
                o.topP = 0.95f;
                o.seed = 42;
                o.maxNewTokens = 40;
                o.stopAtEos = false;
                const auto cached = model_->generate(prompt, o, f);
                o.useKvCache = false;
                const auto recomputed = model_->generate(prompt, o, f);
                QCOMPARE(cached.size(), size_t(40));
                QCOMPARE(cached, recomputed);
            }
        }
    }

    void forcingChangesGeneration() {
        GenerationOptions o;
        o.temperature = 0;
        o.maxNewTokens = 40;
        const auto plain = model_->generate({}, o);
        QVERIFY(model_->generate({}, o, strongForcing(ForceScope::AllPositions)) != plain);
        QVERIFY(model_->generate({}, o, strongForcing(ForceScope::NewTokens)) != plain);
    }

    void seedIsApplied() {
        GenerationOptions o;
        o.temperature = 1.f;
        o.maxNewTokens = 30;
        o.seed = 1;
        const auto a = model_->generate({}, o), b = model_->generate({}, o);
        o.seed = 2;
        const auto c = model_->generate({}, o);
        QCOMPARE(a, b);
        QVERIFY(a != c);
    }

    void streamingCallbackGivesTheText() {
        GenerationOptions o;
        o.temperature = 0;
        o.maxNewTokens = 50;
        std::string streamed;
        int calls = 0;
        const auto ids = model_->generate({}, o, {}, [&](int, const std::string& piece) {
            streamed += piece;
            ++calls;
            return true;
        });
        QCOMPARE(calls, static_cast<int>(ids.size()));
        QCOMPARE(streamed, model_->tokenizer().decode(ids));
        // returning false stops at once
        calls = 0;
        const auto stopped = model_->generate({}, o, {}, [&](int, const std::string&) { return ++calls < 5; });
        QCOMPARE(stopped.size(), size_t(5));
    }

    // The stored statistics are ml-selfcond's (selfcond/expertise.py: on_p50 and on_p90 are
    // np.percentile of the positives' pooled responses, off_mean is np.mean of the
    // negatives'; stored as float32), recomputed here from the model's responses to the
    // concept's sentences, each sentence run alone; and the top experts are the units of
    // highest AP. The mean is summed in double in sentence order (numpy's float32 pairwise
    // sum can differ from it in the last float32 bit; tst_expertise holds that to 1e-6).
    // Exact on the row-exact kernels, where a sentence alone gives the analysis's bits.
    void storedStatisticsAreMlSelfconds() {
        REQUIRE_SHARED(list, "concepts/onesec-small/concept_list.csv");
        const auto& a = analysed(QFileInfo(list).absolutePath());
        const auto& e = a.expertise;
        QCOMPARE(static_cast<int64_t>(e.ap.size()), model_->unitCount());
        QCOMPARE(a.prepared.positives, 13);
        QCOMPARE(a.prepared.negatives, 18);

        const auto experts = a.store->topExperts(a.ref.runId, a.ref.conceptId, kExperts);
        QCOMPARE(static_cast<int>(experts.size()), kExperts);
        std::set<int64_t> chosen;
        for (size_t i = 0; i < experts.size(); ++i) {
            chosen.insert(experts[i].unit);
            QCOMPARE(static_cast<float>(experts[i].ap), static_cast<float>(e.ap[size_t(experts[i].unit)]));
            if (i > 0) QVERIFY(e.ap[size_t(experts[i].unit)] <= e.ap[size_t(experts[i - 1].unit)]);
        }
        QCOMPARE(static_cast<int>(chosen.size()), kExperts);
        double worstChosen = 2, bestOther = -1;
        for (int64_t u = 0; u < static_cast<int64_t>(e.ap.size()); ++u) {
            if (chosen.count(u)) worstChosen = std::min(worstChosen, e.ap[size_t(u)]);
            else bestOther = std::max(bestOther, e.ap[size_t(u)]);
        }
        QVERIFY2(worstChosen >= bestOther, qPrintable(QString("top-%1 AP %2 < %3").arg(kExperts).arg(worstChosen).arg(bestOther)));

        std::vector<ResponseMatrix> rows;
        for (const auto& ids : a.prepared.ids) rows.push_back(model_->collectResponses({ids}, collectionOptions(RunSettings{}).capture));
        int p50DiffersFromP90 = 0, onDiffersFromOff = 0;
        for (const auto& expert : experts) {
            std::vector<double> positives, negatives;
            for (size_t r = 0; r < rows.size(); ++r)
                (a.prepared.labels[r] ? positives : negatives).push_back(static_cast<double>(rows[r].at(0, expert.unit)));
            double sum = 0;
            for (double v : negatives) sum += v;
            const float p50 = static_cast<float>(numpyPercentile(positives, 50)), p90 = static_cast<float>(numpyPercentile(positives, 90)),
                        off = static_cast<float>(sum / static_cast<double>(negatives.size()));
            const size_t u = static_cast<size_t>(expert.unit);
            const auto say = [&](const char* what, double stored, float recomputed) {
                return QString("unit %1 %2: stored %3, recomputed %4").arg(expert.unit).arg(what)
                    .arg(stored, 0, 'g', 9).arg(recomputed, 0, 'g', 9);
            };
            QVERIFY2(same(static_cast<float>(e.onP50[u]), p50), qPrintable(say("on_p50", e.onP50[u], p50)));
            QVERIFY2(same(static_cast<float>(e.onP90[u]), p90), qPrintable(say("on_p90", e.onP90[u], p90)));
            QVERIFY2(same(static_cast<float>(e.offMean[u]), off), qPrintable(say("off_mean", e.offMean[u], off)));
            p50DiffersFromP90 += e.onP50[u] != e.onP90[u];
            onDiffersFromOff += e.onP50[u] != e.offMean[u] && e.offMean[u] != 0;
        }
        // Not vacuous: the four values are told apart on these experts.
        QVERIFY2(p50DiffersFromP90 >= kExperts / 2, qPrintable(QString::number(p50DiffersFromP90)));
        QCOMPARE(onDiffersFromOff, kExperts);
    }

    // forceExperts puts each of the top K experts on its own probe and unit (the global index
    // minus its probe's first unit) at exactly the stored value: on values times the strength,
    // off_mean and zero as they are. The forcing's scope and what it held are kept.
    void forceExpertsUsesTheStoredValues() {
        REQUIRE_SHARED(list, "concepts/onesec-small/concept_list.csv");
        const auto& a = analysed(QFileInfo(list).absolutePath());
        const auto& e = a.expertise;
        const auto experts = a.store->topExperts(a.ref.runId, a.ref.conceptId, kExperts);
        QCOMPARE(static_cast<int>(experts.size()), kExperts);
        std::set<int> probesUsed;
        for (ForceValue mode : {ForceValue::OnP50, ForceValue::OnP90, ForceValue::OffMean, ForceValue::Zero})
            for (double strength : {1.0, 2.5, 0.5}) {
                Forcing f;
                f.scope = ForceScope::NewTokens;
                f.units = {{1, 2, 7.f}};  // forceExperts appends
                forceExperts(f, model_->probePoints(), experts, e, mode, strength);
                QVERIFY(f.scope == ForceScope::NewTokens);
                QCOMPARE(static_cast<int>(f.units.size()), kExperts + 1);
                QCOMPARE(f.units[0].probe, 1);
                QCOMPARE(f.units[0].unit, 2);
                QCOMPARE(f.units[0].value, 7.f);
                for (int i = 0; i < kExperts; ++i) {
                    const auto [probe, unit] = probeAndUnit(experts[size_t(i)].unit);
                    const size_t g = static_cast<size_t>(experts[size_t(i)].unit);
                    const float expected = mode == ForceValue::OnP50   ? static_cast<float>(e.onP50[g] * strength)
                                           : mode == ForceValue::OnP90 ? static_cast<float>(e.onP90[g] * strength)
                                           : mode == ForceValue::OffMean ? static_cast<float>(e.offMean[g])
                                                                         : 0.f;
                    const ForcedUnit& got = f.units[size_t(i) + 1];
                    QVERIFY2(got.probe == probe && got.unit == unit && got.value == expected,
                             qPrintable(QString("expert %1 (unit %2, mode %3, strength %4): forced probe %5 unit %6 at %7, "
                                                "expected probe %8 unit %9 at %10")
                                            .arg(i).arg(g).arg(int(mode)).arg(strength).arg(got.probe).arg(got.unit)
                                            .arg(got.value, 0, 'g', 9).arg(probe).arg(unit).arg(expected, 0, 'g', 9)));
                    if (strength == 1.0 && mode != ForceValue::Zero)  // the stored float32, unchanged
                        QCOMPARE(static_cast<double>(got.value), mode == ForceValue::OnP50 ? e.onP50[g]
                                                                 : mode == ForceValue::OnP90 ? e.onP90[g] : e.offMean[g]);
                    probesUsed.insert(probe);
                }
            }
        // Not vacuous: the experts lie in several probes, so a wrong offset would show.
        QVERIFY2(probesUsed.size() >= 3, qPrintable(QString::number(probesUsed.size())));
        bool offsetMatters = false;
        for (int p : probesUsed) offsetMatters = offsetMatters || model_->probePoints()[size_t(p)].offset > 0;
        QVERIFY(offsetMatters);
    }

    // In the model, each forced expert's global unit reads back its value: the pooled response
    // of that global index, and every position of its probe's output (the prompt's positions
    // left alone under the new-tokens scope, but for the last).
    // A concept's experts from the project: the same forcing as forceExperts on its stored
    // top K; results of another model (another unit count) refused, naming both.
    void conceptExpertsFromTheProject() {
        REQUIRE_SHARED(folder, "concepts/onesec-small");
        const auto& a = analysed(folder);
        for (ForceValue value : {ForceValue::OnP50, ForceValue::OffMean}) {
            Forcing fromProject, direct;
            forceConceptExperts(fromProject, *a.store, a.ref, model_->probePoints(), kExperts, value, 1.5);
            forceExperts(direct, model_->probePoints(), a.store->topExperts(a.ref.runId, a.ref.conceptId, kExperts), a.expertise, value, 1.5);
            QCOMPARE(fromProject.units.size(), size_t(kExperts));
            for (size_t i = 0; i < direct.units.size(); ++i) {
                QCOMPARE(fromProject.units[i].probe, direct.units[i].probe);
                QCOMPARE(fromProject.units[i].unit, direct.units[i].unit);
                QCOMPARE(fromProject.units[i].value, direct.units[i].value);
            }
        }
        auto fewer = model_->probePoints();
        fewer.pop_back();
        Forcing f;
        test::expectError([&] { forceConceptExperts(f, *a.store, a.ref, fewer, kExperts, ForceValue::OnP50); },
                          "are for a model with 3000 units");
    }

    void forcedExpertsReadBackInTheModel() {
        REQUIRE_SHARED(list, "concepts/onesec-small/concept_list.csv");
        const auto& a = analysed(QFileInfo(list).absolutePath());
        const auto experts = a.store->topExperts(a.ref.runId, a.ref.conceptId, kExperts);
        const auto ids = model_->tokenize("Tom kicked the ball to his friend in the park.");
        const auto plain = model_->trace(ids);
        for (ForceValue mode : {ForceValue::OnP50, ForceValue::OnP90, ForceValue::OffMean}) {
            Forcing f;
            forceExperts(f, model_->probePoints(), experts, a.expertise, mode, mode == ForceValue::OnP90 ? 2.0 : 1.0);
            const auto pooled = model_->collectResponses({ids}, CaptureOptions{}, f);
            const auto forced = model_->trace(ids, f);
            f.scope = ForceScope::NewTokens;
            const auto onlyLast = model_->trace(ids, f);
            int changed = 0;
            for (size_t i = 0; i < experts.size(); ++i) {
                const ForcedUnit& fu = f.units[i];
                QCOMPARE(pooled.at(0, experts[i].unit), fu.value);
                const auto all = column(forced, fu.probe, fu.unit), last = column(onlyLast, fu.probe, fu.unit),
                           before = column(plain, fu.probe, fu.unit);
                for (size_t t = 0; t < ids.size(); ++t) {
                    QCOMPARE(all[t], fu.value);
                    QCOMPARE(last[t], t + 1 < ids.size() ? before[t] : fu.value);
                    changed += before[t] != fu.value;
                }
            }
            QVERIFY(changed > 0);  // forcing changed something to read back
        }
    }

    // AurA's factor: 1 - 2 (AUROC - 0.5) above one half, exactly 1 at or below it.
    void auraAlphaIsOneAtOrBelowHalf() {
        for (double auroc : {0.0, 1e-300, 0.1, 0.25, 0.4999999, std::nextafter(0.5, 0.0), 0.5}) QCOMPARE(auraAlpha(auroc), 1.0);
        QCOMPARE(auraAlpha(1.0), 0.0);
        QCOMPARE(auraAlpha(0.75), 0.5);
        QCOMPARE(auraAlpha(0.625), 0.75);
        QVERIFY(auraAlpha(std::nextafter(0.5, 1.0)) < 1.0);
        // forceAura on a hand-made result: only units above one half, each scaled by its factor.
        const auto& probes = model_->probePoints();
        UnitExpertise e;
        e.ap = e.onP50 = e.onP90 = e.offMean = std::vector<double>(static_cast<size_t>(model_->unitCount()), 0.5);
        e.auroc.assign(static_cast<size_t>(model_->unitCount()), 0.5);
        e.auroc[0] = 0.2;  // below: alpha 1, left alone
        e.auroc[5] = 0.75;
        e.auroc[2999] = 1.0;
        const int64_t third = probes[3].offset + 4;
        e.auroc[size_t(third)] = 0.9;
        Forcing f;
        forceAura(f, probes, e);
        QCOMPARE(f.units.size(), size_t(3));
        const auto expectScaled = [&](const ForcedUnit& u, int64_t global, float value) {
            const auto [probe, unit] = probeAndUnit(global);
            QVERIFY(u.scale);
            QCOMPARE(u.probe, probe);
            QCOMPARE(u.unit, unit);
            QCOMPARE(u.value, value);
        };
        expectScaled(f.units[0], 5, 0.5f);
        expectScaled(f.units[1], third, static_cast<float>(1.0 - 2.0 * (0.9 - 0.5)));
        expectScaled(f.units[2], 2999, 0.f);
        e.auroc[7] = std::nan("");
        test::expectError([&] { forceAura(f, probes, e, "'x'"); }, "the results of 'x' do not have");
        e.auroc.clear();
        test::expectError([&] { forceAura(f, probes, e); }, "analyse again");
        test::expectError([&] { forceExperts(f, probes, {{5, 0.9}}, e, ForceValue::Aura); }, "analyse again");
    }

    // Scaled units at factor 1 change nothing: logits, pooled responses and generated tokens
    // are the unforced ones, to the bit. Scaled units read back their unforced value times their
    // factor (one float product) and their neighbours keep theirs, on the first probe (its
    // input is untouched by the forcing); a value set on a scaled unit replaces the product.
    void scaledUnitsMultiplyTheirOutput() {
        const auto ids = model_->tokenize("Lily saw a big red ball in the park.");
        const auto plain = model_->trace(ids);
        Forcing ones;
        for (size_t p = 0; p < model_->probePoints().size(); ++p)
            for (int u = 0; u < model_->probePoints()[p].units; ++u) ones.units.push_back({static_cast<int>(p), u, 1.f, true});
        QCOMPARE(static_cast<int64_t>(ones.units.size()), model_->unitCount());
        const auto same = model_->trace(ids, ones);
        QCOMPARE(same.logits.size(), plain.logits.size());
        QVERIFY(std::memcmp(same.logits.data(), plain.logits.data(), plain.logits.size() * sizeof(float)) == 0);
        const auto pooledPlain = model_->collectResponses({ids}, CaptureOptions{}), pooledOnes = model_->collectResponses({ids}, CaptureOptions{}, ones);
        QVERIFY(std::memcmp(pooledPlain.values.data(), pooledOnes.values.data(), pooledPlain.values.size() * sizeof(float)) == 0);
        GenerationOptions o;
        o.temperature = 0.8f;
        o.seed = 5;
        o.maxNewTokens = 30;
        o.stopAtEos = false;
        QCOMPARE(model_->generate(ids, o, ones), model_->generate(ids, o));

        Forcing f;
        f.units = {{0, 3, 0.5f, true}, {0, 9, 0.3f, true}, {0, 9, 0.5f, true}, {0, 11, 0.25f, true}, {0, 11, 6.f}};
        const auto forced = model_->trace(ids, f);
        const auto before3 = column(plain, 0, 3), after3 = column(forced, 0, 3), before9 = column(plain, 0, 9),
                   after9 = column(forced, 0, 9), after11 = column(forced, 0, 11);
        for (size_t t = 0; t < ids.size(); ++t) {
            QCOMPARE(after3[t], before3[t] * 0.5f);
            QCOMPARE(after9[t], before9[t] * (0.3f * 0.5f));  // two factors on one unit multiply
            QCOMPARE(after11[t], 6.f);                         // a value set wins
        }
        for (int u : {0, 1, 2, 4, 8, 10, 12}) QCOMPARE(column(forced, 0, u), column(plain, 0, u));
        QVERIFY(std::memcmp(forced.logits.data(), plain.logits.data(), plain.logits.size() * sizeof(float)) != 0);
        // The new-tokens scope scales only the last prompt position (and generated ones).
        f.scope = ForceScope::NewTokens;
        const auto onlyLast = column(model_->trace(ids, f), 0, 3);
        for (size_t t = 0; t + 1 < ids.size(); ++t) QCOMPARE(onlyLast[t], before3[t]);
        QCOMPARE(onlyLast.back(), before3.back() * 0.5f);
    }

    // AurA from a project (the CLI's --force aura, the generation panel's AurA row): every
    // unit with stored AUROC > 0.5 at its factor, whatever K; the top experts alone through
    // forceExperts. It changes greedy generation, and the KV cache gives the same tokens.
    void auraFromTheProject() {
        REQUIRE_SHARED(folder, "concepts/onesec-small");
        const auto& a = analysed(folder);
        const auto& e = a.expertise;
        QCOMPARE(e.auroc.size(), e.ap.size());
        Forcing fromProject, withMoreK, direct;
        forceConceptExperts(fromProject, *a.store, a.ref, model_->probePoints(), kExperts, ForceValue::Aura);
        forceConceptExperts(withMoreK, *a.store, a.ref, model_->probePoints(), 0, ForceValue::Aura, 3.0);
        forceAura(direct, model_->probePoints(), e);
        int64_t above = 0;
        for (double v : e.auroc) above += v > 0.5;
        qInfo("AurA on football: %lld of %zu units have AUROC > 0.5", static_cast<long long>(above), e.auroc.size());
        QVERIFY(above > kExperts);
        QCOMPARE(static_cast<int64_t>(fromProject.units.size()), above);
        QCOMPARE(withMoreK.units.size(), fromProject.units.size());
        size_t i = 0;
        for (int64_t g = 0; g < static_cast<int64_t>(e.auroc.size()); ++g) {
            if (!(e.auroc[size_t(g)] > 0.5)) continue;
            const auto [probe, unit] = probeAndUnit(g);
            const ForcedUnit& u = fromProject.units[i];
            QVERIFY(u.scale && u.probe == probe && u.unit == unit);
            QCOMPARE(u.value, static_cast<float>(1.0 - 2.0 * (e.auroc[size_t(g)] - 0.5)));
            QVERIFY(u.value < 1.f || e.auroc[size_t(g)] - 0.5 < 1e-7);
            QCOMPARE(withMoreK.units[i].value, u.value);
            QCOMPARE(direct.units[i].value, u.value);
            ++i;
        }
        // The top experts alone, each at its own factor.
        const auto experts = a.store->topExperts(a.ref.runId, a.ref.conceptId, kExperts);
        Forcing top;
        forceExperts(top, model_->probePoints(), experts, e, ForceValue::Aura);
        QCOMPARE(top.units.size(), experts.size());  // the best experts all have AUROC > 0.5
        for (size_t k = 0; k < experts.size(); ++k) {
            QVERIFY(top.units[k].scale);
            QCOMPARE(top.units[k].value, static_cast<float>(auraAlpha(e.auroc[size_t(experts[k].unit)])));
        }

        GenerationOptions o;
        o.temperature = 0;
        o.maxNewTokens = 40;
        o.stopAtEos = false;
        const auto prompt = model_->tokenize("Once upon a time");
        const auto plain = model_->generate(prompt, o), dampened = model_->generate(prompt, o, fromProject);
        qInfo("unforced: %s", model_->tokenizer().decode(plain).c_str());
        qInfo("AurA:     %s", model_->tokenizer().decode(dampened).c_str());
        QVERIFY(dampened != plain);
        o.useKvCache = false;
        QCOMPARE(model_->generate(prompt, o, fromProject), dampened);
    }

    void forceValueNamesAndErrors() {
        QVERIFY(parseForceValue("on_p50") == ForceValue::OnP50);
        QVERIFY(parseForceValue("on_p90") == ForceValue::OnP90);
        QVERIFY(parseForceValue("off_mean") == ForceValue::OffMean);
        QVERIFY(parseForceValue("zero") == ForceValue::Zero);
        QVERIFY(parseForceValue("aura") == ForceValue::Aura);
        expertscope::test::expectError([] { parseForceValue("on_p95"); },
                                       "the forcing value must be on_p50, on_p90, off_mean, zero or aura, not 'on_p95'");
        UnitExpertise e;
        e.ap = e.onP50 = e.onP90 = e.offMean = std::vector<double>(static_cast<size_t>(model_->unitCount()), 0.5);
        Forcing f;
        expertscope::test::expectError([&] { forceExperts(f, model_->probePoints(), {{model_->unitCount(), 0.9}}, e, ForceValue::OnP50); },
                                       "forcing: unit 3000 is beyond the results");
    }

    void badForcingIsRefused() {
        Forcing f;
        f.units = {{gate2_, 10000, 1.f}};
        expertscope::test::expectError([&] { model_->trace(model_->tokenize("hi"), f); },
                                       "forcing names unit 10000 of model.layers.2.mlp.gate_proj, which has 172");
        f.units = {{999, 0, 1.f}};
        expertscope::test::expectError([&] { model_->generate({}, GenerationOptions{}, f); }, "forcing names probe 999, the model has 35");
        expertscope::test::expectError([&] { model_->trace({}); }, "empty token sequence");
        expertscope::test::expectError([&] { model_->trace({1, 99999}); }, "token id 99999 outside the vocabulary");
    }
};

QTEST_GUILESS_MAIN(TestForcing)
#include "tst_forcing.moc"
