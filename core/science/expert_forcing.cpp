#include "core/science/expert_forcing.h"

#include "core/base/error.h"

#include <cmath>

namespace expertscope {
namespace {

[[noreturn]] void noAuroc(const std::string& what) {
    throw Error("AurA needs each unit's AUROC, which the results of " + what +
                " do not have (not computed when they were made; analyse again)");
}

void requireAuroc(const UnitExpertise& e, size_t unit, const std::string& what) {
    if (unit >= e.auroc.size() || std::isnan(e.auroc[unit])) noAuroc(what);
}

void appendScaled(Forcing& forcing, const std::vector<ProbePoint>& probes, int64_t unit, double alpha) {
    const size_t probe = probeOfUnit(probes, unit);
    forcing.units.push_back({static_cast<int>(probe), static_cast<int>(unit - probes[probe].offset), static_cast<float>(alpha), true});
}

}  // namespace

double auraAlpha(double auroc) { return auroc > 0.5 ? 1.0 - 2.0 * (auroc - 0.5) : 1.0; }

void forceExperts(Forcing& forcing, const std::vector<ProbePoint>& probes, const std::vector<Expert>& experts,
                  const UnitExpertise& e, ForceValue value, double strength) {
    if (!std::isfinite(strength)) throw Error("forcing: the strength must be a finite number");
    for (const auto& expert : experts) {
        const auto u = static_cast<size_t>(expert.unit);
        if (u >= e.ap.size()) throw Error("forcing: unit " + std::to_string(expert.unit) + " is beyond the results");
        double v = 0;
        switch (value) {
        case ForceValue::OnP50: v = e.onP50[u] * strength; break;
        case ForceValue::OnP90: v = e.onP90[u] * strength; break;
        case ForceValue::OffMean: v = e.offMean[u]; break;
        case ForceValue::Zero: v = 0; break;
        case ForceValue::Aura:
            requireAuroc(e, u, "the concept");
            if (e.auroc[u] > 0.5) appendScaled(forcing, probes, expert.unit, auraAlpha(e.auroc[u]));
            continue;
        }
        const size_t probe = probeOfUnit(probes, expert.unit);
        forcing.units.push_back({static_cast<int>(probe), static_cast<int>(expert.unit - probes[probe].offset), static_cast<float>(v)});
    }
}

void forceAura(Forcing& forcing, const std::vector<ProbePoint>& probes, const UnitExpertise& e, const std::string& what) {
    if (e.auroc.size() != e.ap.size()) noAuroc(what);
    for (size_t u = 0; u < e.auroc.size(); ++u) {
        requireAuroc(e, u, what);
        if (e.auroc[u] > 0.5) appendScaled(forcing, probes, static_cast<int64_t>(u), auraAlpha(e.auroc[u]));
    }
}

}  // namespace expertscope
