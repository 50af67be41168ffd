#pragma once
// Self-conditioning: which value a concept's experts are forced to while the model
// generates. On values (median or p90 on positives) can be scaled by a strength; the
// off value (mean on negatives) and zero suppress the concept.
#include "core/runtime/probe.h"
#include "core/science/expertise.h"

#include <string>
#include <vector>

namespace expertscope {

enum class ForceValue { OnP50, OnP90, OffMean, Zero };

// Appends the experts (global unit indices) to the forcing, each at its own value.
void forceExperts(Forcing& forcing, const std::vector<ProbePoint>& probes, const std::vector<Expert>& experts,
                  const UnitExpertise& expertise, ForceValue value, double strength = 1.0);

}  // namespace expertscope
