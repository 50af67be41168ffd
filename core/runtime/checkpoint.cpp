#include "core/runtime/checkpoint.h"

namespace expertscope {

at::Tensor CheckpointTensors::get(const std::string& name, const std::vector<int64_t>& shape) const {
    const SafetensorsFile& file = files_.fileOf(name);
    const TensorView& view = file.tensor(name);
    expectShape(view.shape, shape, file.path() + ": tensor '" + name + "'");
    auto t = toTensor(view);
    file.release(view);  // the file's bytes of it are no longer needed
    return t;
}

}  // namespace expertscope
