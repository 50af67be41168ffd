// A tokenizer named by path, by what the file is.
#include "core/base/error.h"
#include "core/tokenizers/bpe_tokenizer.h"
#include "core/tokenizers/tokenizer.h"

#include <QFileInfo>

namespace expertscope {

std::unique_ptr<Tokenizer> loadTokenizer(const std::string& path) {
    const QFileInfo fi(QString::fromStdString(path));
    if (!fi.exists()) throw Error(path + ": no such file or directory");
    if (fi.isDir() || fi.suffix() == "json") return loadByteLevelBpe(path);  // tokenizer.json, vocab.json + merges
    if (fi.suffix() == "gguf") return loadGgufTokenizer(path);
    return loadSentencePieceTokenizer(path);
}

}  // namespace expertscope
