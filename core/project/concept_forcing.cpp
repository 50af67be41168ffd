#include "core/project/concept_forcing.h"

#include "core/base/error.h"
#include "core/project/run_names.h"

namespace expertscope {

ForceValue parseForceValue(const std::string& name) {
    const auto& table = forceValueChoices();
    for (const auto& c : table)
        if (name == c.name) return c.value;
    throw Error("the forcing value must be " + choiceList(table) + ", not '" + name + "'");
}

void forceConceptExperts(Forcing& forcing, const ProjectStore& store, const ProjectStore::ResultRef& ref,
                         const std::vector<ProbePoint>& probes, int experts, ForceValue value, double strength) {
    const auto expertise = store.loadConceptResult(ref.runId, ref.conceptId);
    const int64_t units = probes.empty() ? 0 : probes.back().offset + probes.back().units;
    if (static_cast<int64_t>(expertise.ap.size()) != units)
        throw Error("the project's results for '" + ref.concept + "' are for a model with " + std::to_string(expertise.ap.size()) +
                    " units (" + ref.modelPath + "); this one has " + std::to_string(units));
    // AurA dampens every unit of the concept with AUROC above 0.5, however many experts were asked for.
    if (value == ForceValue::Aura) forceAura(forcing, probes, expertise, "'" + ref.concept + "'");
    else forceExperts(forcing, probes, store.topExperts(ref.runId, ref.conceptId, experts), expertise, value, strength);
}

}  // namespace expertscope
