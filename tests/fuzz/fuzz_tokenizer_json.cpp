// Feeds: the input as a Hugging Face tokenizer.json, loaded as the application loads a
// tokenizer file (loadTokenizer: WordPiece for BERT, byte-level BPE otherwise, with the
// file's own pre-tokenizer patterns), then used: texts encoded (special tokens as text and
// as tokens), ids decoded.
// Failure: anything but expertscope::Error (a crash, a sanitizer report, another exception,
// an allocation sized by an id or count in the file).
#include "core/tokenizers/tokenizer.h"
#include "fuzz_support.h"

using namespace expertscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = fuzz::writeFile("json/tokenizer.json", data, size);
    fuzz::refusalAllowed([&] { fuzz::exerciseTokenizer(*loadTokenizer(path)); });
    return 0;
}
