#pragma once
// Queries over one concept's expertise: experts above an AP threshold, how many there
// are per probe point, and ml-selfcond's curve of expert counts over thresholds.
#include "expertise.h"
#include "probe.h"
#include "project_store.h"

#include <vector>

namespace expertscope {

// Units with AP >= threshold, best first (ties by unit index).
std::vector<Expert> expertsAbove(const UnitExpertise& e, double threshold);
// Per probe point, the number of units with AP >= threshold.
std::vector<int> expertsPerProbe(const UnitExpertise& e, const std::vector<ProbePoint>& probes, double threshold);
// Counts of units with AP >= t for t = 0.5, 0.501, ..., 1.0 (501 thresholds, as
// ml-selfcond's neurons_at_ap).
std::vector<int64_t> expertCountCurve(const UnitExpertise& e);

}  // namespace expertscope
