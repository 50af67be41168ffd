#pragma once
// ml-selfcond's result layout, written beside its concept importer (concepts.h): per concept,
// <out>/<group>/<concept>/expertise.csv (one row per unit) and expertise_info.json (its
// keys, then where the results come from).
#include "core/project/project_store.h"

#include <QJsonObject>

#include <string>

namespace expertscope {

// ml-selfcond's neurons_at_ap (expert_queries.h's curve), keyed "%.5f" of each threshold.
QJsonObject neuronsAtAp(const UnitExpertise& e);

// Writes one concept's two files, each replaced whole or not at all; returns the folder.
// Throws Error naming the file that could not be written.
std::string exportSelfcondResult(const ProjectStore& store, const ProjectStore::ResultRef& ref, const std::string& outDir);

}  // namespace expertscope
