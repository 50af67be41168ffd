// Feeds: the input as a sentencepiece tokenizer.model. This project does not parse the
// protobuf itself: it hands the bytes to the sentencepiece library (loadSentencePieceTokenizer,
// as the Llama loaders do) and uses what comes back: texts encoded, ids (valid or not)
// decoded, the special ids read. So this target checks that whatever the library accepts
// can be used without harm, and that its refusals arrive as expertscope::Error.
// Failure: anything but expertscope::Error (a crash, in this project or in the library,
// a sanitizer report, another exception).
#include "core/tokenizers/tokenizer.h"
#include "fuzz_support.h"

using namespace expertscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = fuzz::writeFile("spm/tokenizer.model", data, size);
    fuzz::refusalAllowed([&] { fuzz::exerciseTokenizer(*loadSentencePieceTokenizer(path)); });
    return 0;
}
