// A tokenizer named by path, by what the file is.
#include "core/base/error.h"
#include "core/tokenizers/bpe_tokenizer.h"
#include "core/tokenizers/bpe_files.h"
#include "core/tokenizers/tokenizer.h"
#include "core/tokenizers/wordpiece_tokenizer.h"
#include "core/base/json_file.h"

#include <QFileInfo>

namespace expertscope {

std::unique_ptr<Tokenizer> loadTokenizer(const std::string& path) {
    const QFileInfo fi(QString::fromStdString(path));
    if (!fi.exists()) throw Error(path + ": no such file or directory");
    if (fi.suffix() == "json" && fi.fileName() != "vocab.json" && fi.fileName() != "encoder.json" &&
        tokenizerModelType(JsonFile(path).object().value("model").toObject()) == QLatin1String("WordPiece"))
        return loadWordPieceJson(path);  // BERT
    if (fi.isDir() || fi.suffix() == "json") return loadByteLevelBpe(path);  // tokenizer.json, vocab.json + merges
    if (fi.suffix() == "gguf") return loadGgufTokenizer(path);
    return loadSentencePieceTokenizer(path);
}

}  // namespace expertscope
