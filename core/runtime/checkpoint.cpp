#include "core/runtime/checkpoint.h"

#include "core/base/error.h"
#include "core/base/json_file.h"

#include <QDir>
#include <QFileInfo>

#include <set>

namespace expertscope {

CheckpointTensors::CheckpointTensors(const std::string& dirPath) : dir_(dirPath) {
    const QDir dir(QString::fromStdString(dirPath));
    const QString indexPath = dir.filePath("model.safetensors.index.json");
    QStringList shards;
    if (QFileInfo::exists(indexPath)) {
        const JsonFile index(indexPath.toStdString());
        const auto map = index.object().value("weight_map").toObject();
        if (map.isEmpty()) throw Error(index.path() + ": missing or empty 'weight_map'");
        std::set<QString> unique;
        for (auto it = map.begin(); it != map.end(); ++it) unique.insert(it.value().toString());
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

at::Tensor CheckpointTensors::get(const std::string& name, const std::vector<int64_t>& shape) const {
    auto it = where_.find(name);
    if (it == where_.end()) throw Error(dir_ + ": missing tensor '" + name + "'");
    const TensorView& view = it->second->tensor(name);
    expectShape(view.shape, shape, it->second->path() + ": tensor '" + name + "'");
    auto t = toTensor(view);
    it->second->release(view);  // the file's bytes of it are no longer needed
    return t;
}

}  // namespace expertscope
