#pragma once
// Forcing a concept's experts as a project stores them: what the CLI's generate --concept,
// the demo's measure and the generation panel force.
#include "core/project/project_store.h"
#include "core/science/expert_forcing.h"

#include <string>

namespace expertscope {

// "on_p50", "on_p90", "off_mean", "zero", "aura"; throws otherwise.
ForceValue parseForceValue(const std::string& name);

// A concept's top `experts` from its stored results (the run in `ref`), appended at `value`
// (x strength for on values): what the CLI's generate --concept and the generation panel
// force. Aura ignores `experts` and `strength`: every unit of the results with AUROC > 0.5 is
// dampened by its AurA factor (forceAura), as the paper does. Throws Error, naming both,
// when the results are for a model with another number of units than `probes` (the model
// about to generate), and for Aura on results stored without AUROC.
void forceConceptExperts(Forcing& forcing, const ProjectStore& store, const ProjectStore::ResultRef& ref,
                         const std::vector<ProbePoint>& probes, int experts, ForceValue value, double strength = 1.0);

// What a project suggests forcing first: a concept, how many of its top experts and how,
// measured to steer visibly on its model (the demo's, chosen from steering curves).
// The generation panel starts there. An empty concept: no suggestion.
struct ForcingSuggestion {
    std::string concept;
    int experts = 0;
    ForceValue value = ForceValue::OnP50;
    std::string reason;  // shown as a tooltip: what was measured
};
void suggestForcing(ProjectStore& store, const ForcingSuggestion& suggestion);
// The project's suggestion; empty when it has none or the stored one cannot be read.
ForcingSuggestion forcingSuggestion(const ProjectStore& store);

}  // namespace expertscope
