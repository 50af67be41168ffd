#pragma once
// Self-conditioning: which value a concept's experts are forced to while the model
// generates. On values (median or p90 on positives) can be scaled by a strength; the
// off value (mean on negatives) and zero suppress the concept. AurA (Suau et al., ICML
// 2024) suppresses it by dampening instead: every unit whose AUROC for the concept is above
// 0.5 is multiplied by alpha = 1 - 2 (AUROC - 0.5) at every forced position; no parameter.
#include "core/runtime/probe.h"
#include "core/science/expertise.h"

#include <string>
#include <vector>

namespace expertscope {

// Aura comes last: the names table (run_names.h) lists the values in this order.
enum class ForceValue { OnP50, OnP90, OffMean, Zero, Aura };

// Appends the experts (global unit indices) to the forcing, each at its own value. With
// Aura, each expert is multiplied by its own AurA factor instead (those with AUROC <= 0.5
// left out: their factor is 1); strength applies to on values only. Throws Error for a
// unit outside the results, and for Aura on results without AUROC.
void forceExperts(Forcing& forcing, const std::vector<ProbePoint>& probes, const std::vector<Expert>& experts,
                  const UnitExpertise& expertise, ForceValue value, double strength = 1.0);

// AurA's factor for a unit of this AUROC: 1 - 2 (AUROC - 0.5) above 0.5, else exactly 1.
double auraAlpha(double auroc);

// AurA over a whole result: every unit with AUROC > 0.5 appended as a scaled unit at its
// factor, in unit order; the others left alone. Throws Error when the results have no AUROC
// (stored before it was computed), naming `what` (the concept).
void forceAura(Forcing& forcing, const std::vector<ProbePoint>& probes, const UnitExpertise& expertise,
               const std::string& what = "the concept");

}  // namespace expertscope
