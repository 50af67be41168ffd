#pragma once
// Self-conditioning: which value a concept's experts are forced to while the model
// generates. On values (median or p90 on positives) can be scaled by a strength; the
// off value (mean on negatives) and zero suppress the concept.
#include "expertise.h"
#include "probe.h"
#include "project_store.h"

#include <string>
#include <vector>

namespace expertscope {

enum class ForceValue { OnP50, OnP90, OffMean, Zero };

// "on_p50", "on_p90", "off_mean", "zero"; throws otherwise.
ForceValue parseForceValue(const std::string& name);

// Appends the experts (global unit indices) to the forcing, each at its own value.
void forceExperts(Forcing& forcing, const std::vector<ProbePoint>& probes, const std::vector<Expert>& experts,
                  const UnitExpertise& expertise, ForceValue value, double strength = 1.0);

// A concept's top `experts` from its stored results (the run in `ref`), appended at `value`
// (x strength for on values): what the CLI's generate --concept and the generation panel
// force. Throws Error, naming both, when the results are for a model with another number
// of units than `probes` (the model about to generate).
void forceConceptExperts(Forcing& forcing, const ProjectStore& store, const ProjectStore::ResultRef& ref,
                         const std::vector<ProbePoint>& probes, int experts, ForceValue value, double strength = 1.0);

}  // namespace expertscope
