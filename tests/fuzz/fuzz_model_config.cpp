// Feeds: the input as a Hugging Face config.json, read by every config reader the model
// loaders use: the Llama-block families (readDecoderVariant: llama, mistral, qwen2/3, phi3,
// gemma 1-3, refusing others by name), GPT-2 (readGpt2Config) and BERT/RoBERTa
// (readBertConfig), each on its own.
// Failure: anything but expertscope::Error (a crash, a division by zero or other undefined
// behaviour, another exception, an allocation sized by a field before it is checked).
#include "core/runtime/bert/bert_config.h"
#include "core/runtime/gpt2/gpt2_config.h"
#include "core/runtime/llama/decoder_variant.h"
#include "fuzz_support.h"

using namespace expertscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::writeFile("model/config.json", data, size);
    const std::string dir = (fuzz::workDir() + "/model").toStdString();
    fuzz::refusalAllowed([&] { (void)readDecoderVariant(dir); });
    fuzz::refusalAllowed([&] { (void)readGpt2Config(dir); });
    fuzz::refusalAllowed([&] { (void)readBertConfig(dir); });
    return 0;
}
