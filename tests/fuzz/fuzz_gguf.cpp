// Feeds: the input as a .gguf file, read by GgufFile (header, every key-value pair, tensor
// infos, alignment, data ranges); then every value read through the typed accessor of its
// type, every tensor the reader supports dequantised, and the file's tokenizer metadata
// (tokenizer.ggml.*) loaded as the application loads a .gguf tokenizer (loadTokenizer:
// sentencepiece, byte-level BPE or WordPiece built from the metadata) and used.
// Failure: anything but expertscope::Error (a crash, a sanitizer report, another exception,
// an allocation sized by a count or length in the file before it is checked).
#include "core/base/gguf.h"
#include "core/tokenizers/tokenizer.h"
#include "fuzz_support.h"

using namespace expertscope;

namespace {

void readValue(const GgufFile& f, const std::string& key) {
    switch (f.type(key)) {
    case GgufType::String: (void)f.string(key); break;
    case GgufType::Bool: (void)f.boolean(key); break;
    case GgufType::F32:
    case GgufType::F64: (void)f.number(key); break;
    case GgufType::Array:
        (void)f.arrayLength(key);
        switch (f.elementType(key)) {
        case GgufType::String: (void)f.strings(key); break;
        case GgufType::F32:
        case GgufType::F64: (void)f.floats(key); break;
        case GgufType::Bool: break;  // no accessor reads these
        default: (void)f.integers(key); break;
        }
        break;
    default:
        (void)f.integer(key);
        (void)f.number(key);
        break;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = fuzz::writeFile("gguf/model.gguf", data, size);
    fuzz::refusalAllowed([&] {
        const GgufFile f(path);
        for (const auto& key : f.keys()) fuzz::refusalAllowed([&] { readValue(f, key); });
        for (const auto& t : f.tensors()) fuzz::refusalAllowed([&] { (void)f.readFloats(t); });
        (void)f.findTensor("token_embd.weight");
    });
    fuzz::refusalAllowed([&] { fuzz::exerciseTokenizer(*loadTokenizer(path)); });
    return 0;
}
