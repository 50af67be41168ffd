#pragma once
// The safetensors files of a Hugging Face checkpoint folder, without LibTorch: the shards
// model.safetensors.index.json names when there is one (each a file of the folder itself,
// never a path out of it), else every model*.safetensors; each opened and validated
// (safetensors.h), and every tensor found in exactly one of them.
#include "core/base/safetensors.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace expertscope {

class SafetensorsCheckpoint {
public:
    explicit SafetensorsCheckpoint(const std::string& dir);  // throws Error naming the file at fault

    const std::string& dir() const { return dir_; }
    bool contains(const std::string& name) const { return where_.count(name) != 0; }
    // The file holding the tensor; throws Error naming the folder when none does.
    const SafetensorsFile& fileOf(const std::string& name) const;
    std::vector<std::string> names() const;  // sorted

private:
    std::string dir_;
    std::vector<std::unique_ptr<SafetensorsFile>> files_;
    std::map<std::string, const SafetensorsFile*> where_;
};

}  // namespace expertscope
