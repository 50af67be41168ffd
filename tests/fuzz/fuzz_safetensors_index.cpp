// Feeds: the input as model.safetensors.index.json in a folder that also holds two valid
// shards (model-00001-of-00002.safetensors with tensor "a", model-00002-of-00002.safetensors
// with "b"), opened as a checkpoint (SafetensorsCheckpoint: the weight map, the shards it
// names, tensors in more than one shard); then every tensor it lists is looked up.
// Failure: anything but expertscope::Error (a crash, a sanitizer report, another exception,
// a huge allocation).
#include "core/base/safetensors_checkpoint.h"
#include "fuzz_support.h"

using namespace expertscope;

namespace {

std::string checkpointDir() {
    static const std::string dir = [] {
        const std::string d = fuzz::freshDir("checkpoint");
        const std::vector<unsigned char> four(16, 0);
        writeSafetensors(d + "/model-00001-of-00002.safetensors", {{"a", DType::F32, {2, 2}, four}});
        writeSafetensors(d + "/model-00002-of-00002.safetensors", {{"b", DType::F16, {8}, four}}, {{"format", "pt"}});
        return d;
    }();
    return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string dir = checkpointDir();
    fuzz::writeFile("checkpoint/model.safetensors.index.json", data, size);
    fuzz::refusalAllowed([&] {
        const SafetensorsCheckpoint checkpoint(dir);
        for (const auto& name : checkpoint.names()) (void)checkpoint.fileOf(name).tensor(name).toFloat32();
        (void)checkpoint.fileOf("missing");
    });
    return 0;
}
