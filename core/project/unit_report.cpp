#include "core/project/unit_report.h"

#include "core/base/error.h"
#include "core/project/analysis.h"
#include "core/science/response_collector.h"

#include <algorithm>
#include <map>
#include <numeric>

namespace expertscope {

UnitReport storedUnitReport(const ProjectStore& store, const ProjectStore::ResultRef& ref, int64_t unit) {
    const auto e = store.loadConceptResult(ref.runId, ref.conceptId);
    if (unit < 0 || static_cast<size_t>(unit) >= e.ap.size())
        throw Error("unit " + std::to_string(unit) + " is outside the results of '" + ref.concept + "' (" +
                    std::to_string(e.ap.size()) + " units)");
    const auto probes = store.probes(ref.modelId);
    UnitReport r;
    r.unit = unit;
    r.concept = ref.concept;
    const auto& probe = probes[probeOfUnit(probes, unit)];
    r.probe = probe.name;
    r.unitInProbe = static_cast<int>(unit - probe.offset);
    const auto u = static_cast<size_t>(unit);
    r.ap = e.ap[u];
    r.onP50 = e.onP50[u];
    r.onP90 = e.onP90[u];
    r.offMean = e.offMean[u];
    r.auroc = e.auroc[u];
    const auto kept = store.keptResponses(ref.runId, ref.conceptId, unit);
    if (!kept.units.empty()) {
        r.responses = kept.values;
        r.labels = kept.labels;
        r.sentences = kept.sentences;
        r.fromKeptResponses = true;
    }
    return r;
}

void explainUnit(UnitReport& r, const Concept& concept, const RunSettings& settings, LanguageModel& model, int shown) {
    const int probe = model.findProbe(r.probe);
    if (probe < 0) throw Error("the model has no probe point " + r.probe);
    // The concept as the analysis saw it; responses computed when none were kept.
    const auto prepared = prepareConcept(concept, model, settings);
    if (prepared.fatal) throw Error("the concept '" + concept.name + "' cannot be analysed with these settings");
    if (r.responses.empty()) {
        CollectionOptions o = collectionOptions(settings);
        o.workers = 1;
        const auto all = collectAll(model, prepared.ids, o);
        const int64_t column = model.probePoints()[static_cast<size_t>(probe)].offset + r.unitInProbe;
        for (int64_t row = 0; row < all.rows; ++row) r.responses.push_back(all.at(row, column));
        r.labels = prepared.labels;
        r.sentences = prepared.texts;
    }
    std::vector<size_t> order(r.responses.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return r.responses[a] > r.responses[b]; });
    std::map<std::string, size_t> row;
    for (size_t i = 0; i < prepared.texts.size(); ++i) row[prepared.texts[i]] = i;
    const bool bos = model.info().prependBos && model.info().bosId >= 0;
    const auto explain = [&](size_t i) {
        SentenceReport s;
        s.sentence = r.sentences[i];
        s.positive = r.labels[i] != 0;
        s.response = r.responses[i];
        const auto found = row.find(r.sentences[i]);
        if (found == row.end()) return s;
        const auto& ids = prepared.ids[found->second];
        const auto trace = model.trace(ids);
        const auto& out = trace.outputs[static_cast<size_t>(probe)];
        const auto units = static_cast<int64_t>(out.size()) / trace.tokens;
        const auto pieces = tokenTexts(model.tokenizer(), ids, bos);
        for (int64_t t = 0; t < trace.tokens; ++t)
            if (!pieces[static_cast<size_t>(t)].empty())
                s.tokens.push_back({pieces[static_cast<size_t>(t)], out[static_cast<size_t>(t * units + r.unitInProbe)]});
        return s;
    };
    r.strongest.clear();
    r.weakest.clear();
    const size_t count = std::min<size_t>(static_cast<size_t>(std::max(shown, 0)), order.size());
    for (size_t i = 0; i < count; ++i) r.strongest.push_back(explain(order[i]));
    for (size_t i = 0; i < count; ++i) r.weakest.push_back(explain(order[order.size() - 1 - i]));
}

std::vector<std::string> tokenTexts(const Tokenizer& tok, const std::vector<int>& ids, bool skipFirst) {
    std::vector<std::string> out;
    std::vector<int> prefix;
    std::string before;
    for (size_t t = 0; t < ids.size(); ++t) {
        if (t == 0 && skipFirst) {
            out.emplace_back();
            continue;
        }
        prefix.push_back(ids[t]);
        const std::string now = tok.decode(prefix);
        out.push_back(now.rfind(before, 0) == 0 ? now.substr(before.size()) : tok.decode({ids[t]}));
        before = now;
    }
    return out;
}

}  // namespace expertscope
