// Feeds: BERT's vocab.txt (the bytes before the first NUL) and, when the input has a NUL, a
// tokenizer_config.json beside it (the bytes after), loaded as the application loads a
// vocab.txt (loadTokenizer: WordPiece, cased or not as the config says), then used: texts
// encoded, ids decoded.
// Failure: anything but expertscope::Error (a crash, a sanitizer report, another exception).
#include "core/tokenizers/tokenizer.h"
#include "fuzz_support.h"

using namespace expertscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto files = fuzz::splitAtNul(data, size);
    fuzz::freshDir("wordpiece");
    const std::string path = fuzz::writeFile("wordpiece/vocab.txt", files.first);
    if (files.found) fuzz::writeFile("wordpiece/tokenizer_config.json", files.second);
    fuzz::refusalAllowed([&] { fuzz::exerciseTokenizer(*loadTokenizer(path)); });
    return 0;
}
