#pragma once
// What a figure's manifest records about where its numbers come from: the model (path and
// SHA-256 of its weight files), the concept and its set, the run's settings.
#include <QJsonObject>

#include <cstdint>

namespace expertscope {

class ProjectSession;

// For the concept shown (0: none). Hashes the weights on first use (then remembered by
// path, size and modification time).
QJsonObject figureContextOf(const ProjectSession& session, int64_t conceptId);

}  // namespace expertscope
