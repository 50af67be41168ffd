#pragma once
// The tensors of a Hugging Face checkpoint directory: model.safetensors.index.json when
// sharded, else every model*.safetensors; each tensor read once, shape-checked.
#include "core/base/safetensors_checkpoint.h"
#include "core/runtime/transformer.h"

#include <string>
#include <vector>

namespace expertscope {

class CheckpointTensors {
public:
    explicit CheckpointTensors(const std::string& dir) : files_(dir) {}  // throws Error
    bool contains(const std::string& name) const { return files_.contains(name); }
    // float32 copy; throws when missing or of another shape, naming file and tensor.
    at::Tensor get(const std::string& name, const std::vector<int64_t>& shape) const;

private:
    SafetensorsCheckpoint files_;  // which file holds what (LibTorch-free, fuzzed)
};

}  // namespace expertscope
