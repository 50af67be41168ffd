// A tokenizer named by path, by what the file is.
#include "core/base/error.h"
#include "core/base/json_file.h"
#include "core/tokenizers/bpe_files.h"
#include "core/tokenizers/bpe_tokenizer.h"
#include "core/tokenizers/tokenizer.h"
#include "core/tokenizers/wordpiece_tokenizer.h"

#include <QDir>
#include <QFileInfo>

namespace expertscope {

std::unique_ptr<Tokenizer> loadTokenizer(const std::string& path) {
    const QFileInfo fi(QString::fromStdString(path));
    if (!fi.exists()) throw Error(path + ": no such file or directory");
    if (fi.suffix() == "json" && fi.fileName() != "vocab.json" && fi.fileName() != "encoder.json") {
        const JsonFile file(path);  // read once, whichever reader takes it
        if (tokenizerModelType(file.object().value("model").toObject()) == QLatin1String("WordPiece")) return loadWordPieceJson(file);  // BERT
        if (fi.fileName() == "tokenizer.json") return loadTokenizerJson(file);
    }
    if (fi.fileName() == "vocab.txt") return loadWordPieceVocab(path);  // BERT
    if (fi.isDir() || fi.suffix() == "json") return loadByteLevelBpe(path);  // a folder, vocab.json + merges
    if (fi.suffix() == "gguf") return loadGgufTokenizer(path);
    return loadSentencePieceTokenizer(path);
}

bool folderHasTokenizer(const std::string& dir) {
    const QDir d(QString::fromStdString(dir));
    return d.exists("tokenizer.model") || !d.entryList({"tok*.model"}, QDir::Files).isEmpty() ||
           (d.exists("vocab.json") && d.exists("merges.txt")) || d.exists("tokenizer.json");
}

}  // namespace expertscope
