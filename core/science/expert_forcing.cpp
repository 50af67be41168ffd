#include "core/science/expert_forcing.h"

#include "core/base/error.h"

namespace expertscope {

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

}  // namespace expertscope
