#include "core/project/concept_forcing.h"

#include "core/base/error.h"
#include "core/project/run_names.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

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
    const int64_t units = unitCount(probes);
    if (static_cast<int64_t>(expertise.ap.size()) != units)
        throw Error("the project's results for '" + ref.concept + "' are for a model with " + std::to_string(expertise.ap.size()) +
                    " units (" + ref.modelPath + "); this one has " + std::to_string(units));
    // AurA dampens every unit of the concept with AUROC above 0.5, however many experts were asked for.
    if (value == ForceValue::Aura) forceAura(forcing, probes, expertise, "'" + ref.concept + "'");
    else forceExperts(forcing, probes, store.topExperts(ref.runId, ref.conceptId, experts), expertise, value, strength);
}

namespace {
const char* kSuggestionKey = "forcing_suggestion";
}

void suggestForcing(ProjectStore& store, const ForcingSuggestion& s) {
    if (s.concept.empty() || !store.hasConcept(s.concept)) throw Error("no concept '" + s.concept + "' to suggest forcing");
    if (s.experts < 0) throw Error("a forcing suggestion needs 0 or more experts");
    const QJsonObject o{{"concept", QString::fromStdString(s.concept)},
                        {"experts", s.experts},
                        {"mode", QString::fromStdString(choiceName(forceValueChoices(), s.value))},
                        {"reason", QString::fromStdString(s.reason)}};
    store.setMeta(kSuggestionKey, QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString());
}

ForcingSuggestion forcingSuggestion(const ProjectStore& store) {
    const QJsonObject o = QJsonDocument::fromJson(QByteArray::fromStdString(store.meta(kSuggestionKey))).object();
    ForcingSuggestion s;
    try {
        s.value = parseForceValue(o.value("mode").toString().toStdString());
    } catch (const Error&) {
        return {};  // none, or written by a version with other modes: no suggestion rather than a wrong one
    }
    s.concept = o.value("concept").toString().toStdString();
    s.experts = std::max(0, o.value("experts").toInt());
    s.reason = o.value("reason").toString().toStdString();
    return s;
}

}  // namespace expertscope
