#include "core/base/safetensors_checkpoint.h"

#include "core/base/error.h"
#include "core/base/json_file.h"

#include <QDir>
#include <QFileInfo>

#include <set>

namespace expertscope {

SafetensorsCheckpoint::SafetensorsCheckpoint(const std::string& dirPath) : dir_(dirPath) {
    const QDir dir(QString::fromStdString(dirPath));
    const QString indexPath = dir.filePath("model.safetensors.index.json");
    QStringList shards;
    if (QFileInfo::exists(indexPath)) {
        const JsonFile index(indexPath.toStdString());
        const auto map = index.object().value("weight_map").toObject();
        if (map.isEmpty()) throw Error(index.path() + ": missing or empty 'weight_map'");
        std::set<QString> unique;
        for (auto it = map.begin(); it != map.end(); ++it) {
            // A shard is a file beside the index: a name that climbs out of the folder (or
            // is no name) would open whatever file it points at as weights.
            const QString name = it.value().toString();
            if (!it.value().isString() || name.isEmpty() || name == "." || name == ".." || name.contains('/') || name.contains('\\'))
                throw Error(index.path() + ": weight_map gives tensor '" + it.key().toStdString() +
                            "' a shard that is not a file name in the folder: " +
                            (it.value().isString() ? "'" + name.toStdString() + "'" : std::string("not a string")));
            unique.insert(name);
        }
        shards = QStringList(unique.begin(), unique.end());
    } else {
        shards = dir.entryList({"model*.safetensors"}, QDir::Files, QDir::Name);
    }
    if (shards.isEmpty()) throw Error(dirPath + ": no model*.safetensors file");
    for (const auto& name : shards) {
        files_.push_back(std::make_unique<SafetensorsFile>(dir.filePath(name).toStdString()));
        for (const auto& t : files_.back()->names()) {
            if (where_.count(t)) throw Error(dirPath + ": tensor '" + t + "' appears in more than one shard");
            where_[t] = files_.back().get();
        }
    }
}

const SafetensorsFile& SafetensorsCheckpoint::fileOf(const std::string& name) const {
    const auto it = where_.find(name);
    if (it == where_.end()) throw Error(dir_ + ": missing tensor '" + name + "'");
    return *it->second;
}

std::vector<std::string> SafetensorsCheckpoint::names() const {
    std::vector<std::string> out;
    out.reserve(where_.size());
    for (const auto& kv : where_) out.push_back(kv.first);
    return out;
}

}  // namespace expertscope
