#pragma once
// Where a project's model lies now. A project stores each model's absolute path and its
// path relative to the project's folder; when neither leads to it any more (the model or
// the project moved apart), front ends ask the user to locate it (relocateModel stores
// the answer once it is checked to be the same weights).
#include "core/runtime/language_model.h"

#include <cstdint>
#include <string>

namespace expertscope {

class ProjectStore;

struct ModelWhereabouts {
    ModelSource source;      // what to load: the stored path, or the one found beside the project
    std::string storedPath;  // as the project stores it
    bool found = false;      // false: neither place holds it
};

ModelWhereabouts findStoredModel(const ProjectStore& store, int64_t modelId);
// The source to load; throws Error saying where it was looked for when it is not there.
ModelSource storedModelSource(const ProjectStore& store, int64_t modelId);

}  // namespace expertscope
