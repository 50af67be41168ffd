#pragma once
// The tensors of a Hugging Face checkpoint directory: model.safetensors.index.json when
// sharded, else every model*.safetensors; each tensor read once, shape-checked.
#include "core/runtime/transformer.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace expertscope {

class CheckpointTensors {
public:
    explicit CheckpointTensors(const std::string& dir);  // throws Error
    bool contains(const std::string& name) const { return where_.count(name) != 0; }
    // float32 copy; throws when missing or of another shape, naming file and tensor.
    at::Tensor get(const std::string& name, const std::vector<int64_t>& shape) const;

private:
    std::string dir_;
    std::vector<std::unique_ptr<SafetensorsFile>> files_;
    std::map<std::string, const SafetensorsFile*> where_;
};

}  // namespace expertscope
