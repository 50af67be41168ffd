// Feeds: GPT-2's two tokenizer files from one input: vocab.json (the bytes before the first
// NUL) and merges.txt (after it), in a folder loaded as a byte-level BPE (loadByteLevelBpe),
// then used: texts encoded, ids decoded.
// Failure: anything but expertscope::Error (a crash, a sanitizer report, another exception,
// an allocation sized by an id in the vocabulary).
#include "core/tokenizers/bpe_tokenizer.h"
#include "fuzz_support.h"

using namespace expertscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto files = fuzz::splitAtNul(data, size);
    const std::string dir = fuzz::freshDir("bpe");
    fuzz::writeFile("bpe/vocab.json", files.first);
    fuzz::writeFile("bpe/merges.txt", files.second);
    fuzz::refusalAllowed([&] { fuzz::exerciseTokenizer(*loadByteLevelBpe(dir)); });
    return 0;
}
