#include "core/science/expert_queries.h"

#include <algorithm>

namespace expertscope {

std::vector<Expert> expertsAbove(const UnitExpertise& e, double threshold) {
    std::vector<Expert> out;
    for (size_t u = 0; u < e.ap.size(); ++u)
        if (e.ap[u] >= threshold) out.push_back({static_cast<int64_t>(u), e.ap[u]});
    std::sort(out.begin(), out.end(), [](const Expert& a, const Expert& b) { return a.ap > b.ap || (a.ap == b.ap && a.unit < b.unit); });
    return out;
}

std::vector<int> expertsPerProbe(const UnitExpertise& e, const std::vector<ProbePoint>& probes, double threshold) {
    std::vector<int> counts;
    for (const auto& p : probes)
        counts.push_back(static_cast<int>(std::count_if(e.ap.begin() + p.offset, e.ap.begin() + p.offset + p.units,
                                                        [&](double ap) { return ap >= threshold; })));
    return counts;
}

std::vector<UnitsAboveAp> expertCountCurve(const UnitExpertise& e) {
    constexpr int kSteps = 501;
    const double start = 0.5, stop = 1.0, step = (stop - start) / (kSteps - 1);
    std::vector<double> sorted = e.ap;
    std::sort(sorted.begin(), sorted.end());
    std::vector<UnitsAboveAp> curve;
    for (int i = 0; i < kSteps; ++i) {
        const double t = i == kSteps - 1 ? stop : start + i * step;  // numpy's values, the endpoint exact
        curve.push_back({t, static_cast<int64_t>(sorted.end() - std::upper_bound(sorted.begin(), sorted.end(), t))});
    }
    return curve;
}

}  // namespace expertscope
