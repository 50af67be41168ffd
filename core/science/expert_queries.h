#pragma once
// Queries over one concept's expertise: experts above an AP threshold, how many there
// are per probe point, and ml-selfcond's curve of expert counts over thresholds.
#include "core/runtime/probe.h"
#include "core/science/expertise.h"

#include <vector>

namespace expertscope {

// Units with AP >= threshold, best first (ties by unit index).
std::vector<Expert> expertsAbove(const UnitExpertise& e, double threshold);
// Per probe point, the number of units with AP >= threshold.
std::vector<int> expertsPerProbe(const UnitExpertise& e, const std::vector<ProbePoint>& probes, double threshold);
// ml-selfcond's neurons_at_ap: for each t of numpy's linspace(0.5, 1.0, 501), the number of
// units with AP strictly above t (an expert at threshold t has AP >= t; ml-selfcond's curve
// counts those above it).
struct UnitsAboveAp {
    double threshold;
    int64_t units;
};
std::vector<UnitsAboveAp> expertCountCurve(const UnitExpertise& e);

}  // namespace expertscope
