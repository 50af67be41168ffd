#include "core/project/text_probe.h"

#include "core/base/error.h"

#include <algorithm>

namespace expertscope {

TextProbe probeText(LanguageModel& model, const ProjectStore& store, const std::map<int64_t, ProjectStore::ResultRef>& results,
                    const std::string& text, const TextProbeOptions& o) {
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) throw Error("no text to probe");
    TextProbe p;
    p.ids = model.tokenize(text);
    const int context = model.info().maxPositions;
    if (context > 0 && static_cast<int>(p.ids.size()) > context) {
        p.ids.resize(static_cast<size_t>(context));
        p.cut = true;
    }
    p.firstScored = model.info().prependBos && !p.ids.empty() && p.ids.front() == model.info().bosId ? 1 : 0;
    for (int id : p.ids) p.tokens.push_back(model.tokenizer().decode({id}));
    const auto trace = model.trace(p.ids);
    const auto& probes = model.probePoints();
    const int64_t units = probes.empty() ? 0 : probes.back().offset + probes.back().units;
    const int64_t T = trace.tokens;
    for (const auto& [conceptId, ref] : results) {
        const auto e = store.loadConceptResult(ref.runId, ref.conceptId);
        if (static_cast<int64_t>(e.ap.size()) != units)
            throw Error("the project's results for '" + ref.concept + "' are for a model with " + std::to_string(e.ap.size()) +
                        " units; this one has " + std::to_string(units));
        ProbedConcept c;
        c.conceptId = conceptId;
        c.name = ref.concept;
        for (const auto& x : store.topExperts(ref.runId, ref.conceptId, o.topK))
            if (x.ap >= o.threshold && e.onP50[static_cast<size_t>(x.unit)] > e.offMean[static_cast<size_t>(x.unit)])
                c.units.push_back(x.unit);
        if (c.units.empty()) {
            p.withoutExperts.push_back(ref.concept);
            continue;
        }
        c.tokenScores.assign(static_cast<size_t>(T), 0.0);
        double pooledSum = 0;
        for (int64_t u : c.units) {
            const size_t probe = probeOfUnit(probes, u);
            const int64_t within = u - probes[probe].offset, width = probes[probe].units;
            const double off = e.offMean[static_cast<size_t>(u)], on = e.onP50[static_cast<size_t>(u)];
            std::vector<float> r(static_cast<size_t>(T));
            double pooled = -1e300;
            for (int64_t t = 0; t < T; ++t) {
                r[static_cast<size_t>(t)] = trace.outputs[probe][static_cast<size_t>(t * width + within)];
                if (t < p.firstScored) continue;
                c.tokenScores[static_cast<size_t>(t)] += (r[static_cast<size_t>(t)] - off) / (on - off);
                pooled = std::max(pooled, static_cast<double>(r[static_cast<size_t>(t)]));
            }
            if (T > p.firstScored) pooledSum += (pooled - off) / (on - off);
            c.responses.push_back(std::move(r));
        }
        double best = -1e300;
        for (int64_t t = p.firstScored; t < T; ++t) {
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

}  // namespace expertscope
