// Feeds: the input as a .safetensors file, opened with SafetensorsFile (header length, JSON
// header, dtypes, shapes, data offsets, overlaps), then every tensor read out as float32 and
// float64 and its pages given back, as the checkpoint loaders do.
// Failure: anything but expertscope::Error: a crash, a sanitizer report, another exception,
// or an allocation past the fuzzer's limit (a header may claim any shape; nothing may be
// allocated for more than the file holds).
#include "core/base/safetensors.h"
#include "fuzz_support.h"

using namespace expertscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = fuzz::writeFile("model.safetensors", data, size);
    fuzz::refusalAllowed([&] {
        const SafetensorsFile file(path);
        for (const auto& name : file.names()) {
            const TensorView& t = file.tensor(name);
            (void)t.toFloat32();
            (void)t.toFloat64();
            file.release(t);
        }
        (void)file.metadata();
        (void)file.contains("missing");
    });
    return 0;
}
