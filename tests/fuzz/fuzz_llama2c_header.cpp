// Feeds: the input as a llama2.c .bin checkpoint, read by readLlama2cHeader (the 7 int32
// fields, their plausibility, how they fit together, the file size they imply), the check
// loadLlama2c makes before it allocates any weight.
// Failure: anything but expertscope::Error (a crash, an integer overflow or other undefined
// behaviour, another exception).
#include "core/runtime/llama/llama2c_header.h"
#include "fuzz_support.h"

using namespace expertscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = fuzz::writeFile("llama2c/model.bin", data, size);
    fuzz::refusalAllowed([&] { (void)readLlama2cHeader(path); });
    return 0;
}
