#include "expert_forcing.h"

#include "error.h"
#include "run_names.h"

namespace expertscope {

ForceValue parseForceValue(const std::string& name) {
    const auto& table = forceValueChoices();
    for (const auto& c : table)
        if (name == c.name) return c.value;
    throw Error("the forcing value must be " + choiceList(table) + ", not '" + name + "'");
}

void forceExperts(Forcing& forcing, const std::vector<ProbePoint>& probes, const std::vector<Expert>& experts,
                  const UnitExpertise& e, ForceValue value, double strength) {
    for (const auto& expert : experts) {
        const auto u = static_cast<size_t>(expert.unit);
        if (u >= e.ap.size()) throw Error("forcing: unit " + std::to_string(expert.unit) + " is beyond the results");
        double v = 0;
        switch (value) {
        case ForceValue::OnP50: v = e.onP50[u] * strength; break;
        case ForceValue::OnP90: v = e.onP90[u] * strength; break;
        case ForceValue::OffMean: v = e.offMean[u]; break;
        case ForceValue::Zero: v = 0; break;
        }
        const size_t probe = probeOfUnit(probes, expert.unit);
        forcing.units.push_back({static_cast<int>(probe), static_cast<int>(expert.unit - probes[probe].offset), static_cast<float>(v)});
    }
}

void forceConceptExperts(Forcing& forcing, const ProjectStore& store, const ProjectStore::ResultRef& ref,
                         const std::vector<ProbePoint>& probes, int experts, ForceValue value, double strength) {
    const auto expertise = store.loadConceptResult(ref.runId, ref.conceptId);
    const int64_t units = probes.empty() ? 0 : probes.back().offset + probes.back().units;
    if (static_cast<int64_t>(expertise.ap.size()) != units)
        throw Error("the project's results for '" + ref.concept + "' are for a model with " + std::to_string(expertise.ap.size()) +
                    " units (" + ref.modelPath + "); this one has " + std::to_string(units));
    forceExperts(forcing, probes, store.topExperts(ref.runId, ref.conceptId, experts), expertise, value, strength);
}

}  // namespace expertscope
