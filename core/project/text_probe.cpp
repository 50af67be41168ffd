#include "core/project/text_probe.h"

#include "core/base/error.h"
#include "core/project/analysis.h"
#include "core/project/long_text.h"
#include "core/science/response_collector.h"

#include <algorithm>

namespace expertscope {

ProbeExperts probeExperts(const ProjectStore& store, const std::map<int64_t, ProjectStore::ResultRef>& results,
                          const TextProbeOptions& o) {
    ProbeExperts out;
    int64_t modelId = 0;
    for (const auto& [conceptId, ref] : results) {
        if (modelId && ref.modelId != modelId) throw Error("the concepts to probe were analysed with different models");
        modelId = ref.modelId;
        ProbeExperts::Concept c;
        c.conceptId = conceptId;
        c.name = ref.concept;
        c.settings = ref.settings;
        std::vector<int64_t> best;
        for (const auto& x : store.topExperts(ref.runId, ref.conceptId, o.topK))
            if (x.ap >= o.threshold) best.push_back(x.unit);
        const auto values = store.unitResults(ref.runId, ref.conceptId, ref.modelId, best);
        // A unit whose median on positives is not above its mean on negatives has no
        // direction to place a response along.
        for (size_t i = 0; i < best.size(); ++i)
            if (values.onP50[i] > values.offMean[i]) {
                c.units.push_back(best[i]);
                c.onP50.push_back(values.onP50[i]);
                c.offMean.push_back(values.offMean[i]);
            }
        if (c.units.empty()) out.withoutExperts.push_back(ref.concept);
        else out.concepts.push_back(std::move(c));
    }
    if (modelId) {
        out.modelUnits = unitCount(store.probes(modelId));
    }
    return out;
}

TextProbe probeText(LanguageModel& model, const ProbeExperts& experts, const std::string& text, const std::function<bool()>& cancelled) {
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) throw Error("no text to probe");
    const auto check = [&] {
        if (cancelled && cancelled()) throw Cancelled();
    };
    const auto& probes = model.probePoints();
    const int64_t units = model.unitCount();
    if (!experts.concepts.empty() && experts.modelUnits != units)
        throw Error("the project's results are for a model with " + std::to_string(experts.modelUnits) + " units; this one has " +
                    std::to_string(units));
    TextProbe p;
    p.withoutExperts = experts.withoutExperts;
    const int context = model.info().maxPositions;
    int64_t bound = -1;  // a text far past the context: only its first part is read
    const std::string first = firstPartBeyond(text, context, model.tokenizer(), bound);
    p.ids = model.tokenize(first);
    if (first.size() < text.size() && static_cast<int>(p.ids.size()) <= context) p.ids = model.tokenize(text);  // folded: it may fit
    const auto& info = model.info();
    if (context > 0 && static_cast<int>(p.ids.size()) > context) {
        p.ids.resize(static_cast<size_t>(context));
        if (info.encoder && info.eosId >= 0) p.ids.back() = info.eosId;  // an encoder's sentence still ends with [SEP]
        p.cut = true;
    }
    p.firstScored = info.prependBos && !p.ids.empty() && p.ids.front() == info.bosId ? 1 : 0;
    p.endScored = static_cast<int>(p.ids.size());
    if (info.encoder && p.endScored > p.firstScored + 1 && p.ids.back() == info.eosId) --p.endScored;
    for (int id : p.ids) p.tokens.push_back(model.tokenizer().decode({id}));
    check();
    const auto trace = model.trace(p.ids);
    const int64_t T = trace.tokens;
    // Each run's pooling of the whole text, by the same code that pooled the analysed
    // sentences (runs of one project mostly share their settings: one pass each).
    std::map<std::string, ResponseMatrix> pooledBy;
    for (const auto& e : experts.concepts) {
        const std::string key = settingsText(e.settings);
        if (pooledBy.count(key)) continue;
        check();
        pooledBy.emplace(key, model.collectResponses({p.ids}, collectionOptions(e.settings).capture));
    }
    for (const auto& e : experts.concepts) {
        const auto& pooledRow = pooledBy.at(settingsText(e.settings));
        ProbedConcept c;
        c.conceptId = e.conceptId;
        c.name = e.name;
        c.units = e.units;
        c.tokenScores.assign(static_cast<size_t>(T), 0.0);
        double pooledSum = 0;
        for (size_t i = 0; i < e.units.size(); ++i) {
            const int64_t u = e.units[i];
            const size_t probe = probeOfUnit(probes, u);
            const int64_t within = u - probes[probe].offset, width = probes[probe].units;
            const double off = e.offMean[i], on = e.onP50[i];
            std::vector<float> r(static_cast<size_t>(T));
            for (int64_t t = 0; t < T; ++t) {
                r[static_cast<size_t>(t)] = trace.outputs[probe][static_cast<size_t>(t * width + within)];
                if (t >= p.firstScored && t < p.endScored) c.tokenScores[static_cast<size_t>(t)] += (r[static_cast<size_t>(t)] - off) / (on - off);
            }
            const float pooled = pooledRow.at(0, u);
            c.pooled.push_back(pooled);
            pooledSum += (pooled - off) / (on - off);
            c.responses.push_back(std::move(r));
        }
        double best = -1e300;
        for (int64_t t = p.firstScored; t < p.endScored; ++t) {
            c.tokenScores[static_cast<size_t>(t)] /= static_cast<double>(c.units.size());
            if (c.tokenScores[static_cast<size_t>(t)] > best) {
                best = c.tokenScores[static_cast<size_t>(t)];
                c.peakToken = static_cast<int>(t);
            }
        }
        c.score = pooledSum / static_cast<double>(c.units.size());
        p.concepts.push_back(std::move(c));
    }
    std::stable_sort(p.concepts.begin(), p.concepts.end(), [](const ProbedConcept& a, const ProbedConcept& b) { return a.score > b.score; });
    return p;
}

TextProbe probeText(LanguageModel& model, const ProjectStore& store, const std::map<int64_t, ProjectStore::ResultRef>& results,
                    const std::string& text, const TextProbeOptions& options) {
    return probeText(model, probeExperts(store, results, options), text);
}

}  // namespace expertscope
