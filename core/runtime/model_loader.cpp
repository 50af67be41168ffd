#include "core/base/error.h"
#include "core/base/file_kind.h"
#include "core/base/json_file.h"
#include "core/runtime/language_model.h"
#include "core/runtime/llama/llama.h"

#include <QDir>
#include <QFileInfo>

namespace expertscope {

std::unique_ptr<LanguageModel> loadModel(const ModelSource& source) {
    const QFileInfo fi(QString::fromStdString(source.path));
    if (!fi.exists()) throw Error(source.path + ": no such file or directory");
    switch (modelFormat(source.path)) {
    case ModelFormat::HuggingFaceFolder: {
        const QString config = QDir(fi.absoluteFilePath()).filePath("config.json");
        const std::string type = JsonFile(config.toStdString()).optionalString("model_type", "");
        if (type == "gpt2") return loadGpt2HuggingFace(source.path, source.tokenizerPath);
        // The Llama-block families, and for anything else the refusal naming what it is.
        return loadLlamaHuggingFace(source.path, source.tokenizerPath);
    }
    case ModelFormat::Llama2c:
        return loadLlama2c(source.path, source.tokenizerPath);
    case ModelFormat::None:
        break;
    }
    if (fi.isDir()) throw Error(source.path + ": not a Hugging Face model directory (no config.json)");
    throw Error(source.path + ": expected a Hugging Face directory or a llama2.c .bin checkpoint");
}

}  // namespace expertscope
