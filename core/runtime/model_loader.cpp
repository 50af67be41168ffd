#include "core/base/error.h"
#include "core/base/file_kind.h"
#include "core/base/gguf.h"
#include "core/base/hf_cache.h"
#include "core/base/json_file.h"
#include "core/runtime/language_model.h"
#include "core/runtime/llama/decoder_variant.h"
#include "core/runtime/llama/llama.h"

#include <QDir>
#include <QFileInfo>

namespace expertscope {

std::unique_ptr<LanguageModel> loadModel(const ModelSource& sourceIn) {
    ModelSource source = sourceIn;
    if (isHfModelSpec(source.path)) source.path = resolveHfModel(source.path);  // the cache only, never the network
    const QFileInfo fi(QString::fromStdString(source.path));
    if (!fi.exists()) throw Error(source.path + ": no such file or directory");
    switch (modelFormat(source.path)) {
    case ModelFormat::HuggingFaceFolder: {
        const QString config = QDir(fi.absoluteFilePath()).filePath("config.json");
        const std::string type = JsonFile(config.toStdString()).optionalString("model_type", "");
        if (type == "gpt2") return loadGpt2HuggingFace(source.path, source.tokenizerPath);
        if (type == "bert" || type == "roberta") return loadBertHuggingFace(source.path, source.tokenizerPath);
        // The Llama-block families, and for anything else the refusal naming what it is.
        return loadLlamaHuggingFace(source.path, source.tokenizerPath);
    }
    case ModelFormat::Llama2c:
        return loadLlama2c(source.path, source.tokenizerPath);
    case ModelFormat::Gguf:
        return loadLlamaGguf(source.path, source.tokenizerPath);
    case ModelFormat::None:
        break;
    }
    if (fi.isDir()) throw Error(source.path + ": not a Hugging Face model directory (no config.json)");
    throw Error(source.path + ": expected a Hugging Face directory, a GGUF file or a llama2.c .bin checkpoint");
}

std::string modelProblem(const std::string& path) {
    try {
        switch (modelFormat(path)) {
        case ModelFormat::Llama2c:
            return {};
        case ModelFormat::Gguf:
            return ggufArchitectureProblem(GgufFile(path));  // the file is read and checked first
        case ModelFormat::None:
            return path + ": not a Hugging Face model folder (no config.json) nor a llama2.c .bin checkpoint";
        case ModelFormat::HuggingFaceFolder:
            break;
        }
        const QDir dir(QString::fromStdString(path));
        const std::string type = JsonFile(dir.filePath("config.json").toStdString()).optionalString("model_type", "");
        if (type != "gpt2" && type != "bert" && type != "roberta") readDecoderVariant(path);  // refuses, naming why, what it cannot run
        if (dir.entryList({"model*.safetensors", "model.safetensors.index.json"}, QDir::Files).isEmpty()) {
            if (!dir.entryList({"pytorch_model*.bin", "*.pt", "*.pth", "*.ckpt"}, QDir::Files).isEmpty())
                return "only pickled PyTorch weights (pytorch_model.bin), which Expertscope does not read (unpickling can "
                       "run code): use the model's safetensors files";
            return "no weights (model.safetensors)";
        }
        return {};
    } catch (const std::exception& e) {
        return e.what();
    }
}

}  // namespace expertscope
