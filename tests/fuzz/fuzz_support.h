#pragma once
// What the fuzz targets share. The parsers take paths, so each input is written to a file in
// a folder of this process's own; each target then calls the project's real parsing
// functions on it. The rule on outcomes is the same everywhere: bad input may only be
// refused with expertscope::Error (caught here); a crash, a sanitizer report, any other
// exception or an allocation past the fuzzer's limit is a bug.
#include "core/base/error.h"
#include "core/tokenizers/bpe_tokenizer.h"
#include "core/tokenizers/tokenizer.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtGlobal>

#include <cstddef>
#include <cstdio>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace expertscope::fuzz {

// This process's folder (under TMPDIR), removed at exit. Qt's warnings are silenced with it:
// millions of inputs would otherwise print millions of lines.
inline const QString& workDir() {
    static const QTemporaryDir dir = [] {
        qInstallMessageHandler([](QtMsgType, const QMessageLogContext&, const QString&) {});
        return QTemporaryDir(QDir::tempPath() + "/expertscope-fuzz-XXXXXX");
    }();
    if (!dir.isValid()) qFatal("cannot make a temporary folder");
    static const QString path = dir.path();
    return path;
}

// Writes the bytes to `name` under workDir() (folders made as needed), replacing what was
// there; returns the file's path.
inline std::string writeFile(const QString& name, const char* data, size_t size) {
    const QString path = workDir() + "/" + name;
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(data, static_cast<qint64>(size)) != static_cast<qint64>(size))
        qFatal("cannot write %s", qPrintable(path));
    return path.toStdString();
}
inline std::string writeFile(const QString& name, const std::string& bytes) { return writeFile(name, bytes.data(), bytes.size()); }
inline std::string writeFile(const QString& name, const uint8_t* data, size_t size) {
    return writeFile(name, reinterpret_cast<const char*>(data), size);
}

// An empty folder `name` under workDir() (what an earlier input left there removed).
inline std::string freshDir(const QString& name) {
    QDir dir(workDir() + "/" + name);
    dir.removeRecursively();
    QDir().mkpath(dir.path());
    return dir.path().toStdString();
}

// Inputs that stand for two files: the bytes before the first NUL and those after it (empty,
// and `found` false, without one).
struct TwoFiles {
    std::string first, second;
    bool found = false;
};
inline TwoFiles splitAtNul(const uint8_t* data, size_t size) {
    const std::string all(reinterpret_cast<const char*>(data), size);
    const size_t cut = all.find('\0');
    if (cut == std::string::npos) return {all, {}, false};
    return {all.substr(0, cut), all.substr(cut + 1), true};
}

// Runs f, taking a refusal (Error) as the expected outcome for bad input. With
// EXPERTSCOPE_FUZZ_VERBOSE=1 each refusal is printed (to see what a seed or a kept crash
// input now gets).
template <typename F>
void refusalAllowed(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        static const bool verbose = qEnvironmentVariable("EXPERTSCOPE_FUZZ_VERBOSE") == QLatin1String("1");
        if (verbose) std::fprintf(stderr, "refused: %s\n", e.what());
    }
}

// Uses a tokenizer as the application does: texts of every kind encoded, ids (its own and
// any others) decoded, special pieces looked up.
inline void exerciseTokenizer(const Tokenizer& tok) {
    static const std::vector<std::string> texts = {
        "", "Hello world", " The cat sat on the mat.\n\nNew line\tand tab  ", "naïve café 東京 🙂 Ελληνικά",
        "1234567 3.14 don't we'll", "<|endoftext|><s></s>[CLS] x [SEP][MASK]<unk>", std::string("\xef\xbf\xbd\x7f", 4)};
    for (const auto& text : texts) {
        refusalAllowed([&] {
            const std::vector<int> ids = tok.encode(text);
            (void)tok.decode(ids);
        });
    }
    if (const auto* bpe = dynamic_cast<const ByteLevelBpe*>(&tok))  // special tokens written in the text, too
        for (const auto& text : texts) refusalAllowed([&] { (void)bpe->encode(text, true); });
    std::vector<int> ids = {-1, tok.bosId(), tok.eosId(), tok.padId(), tok.vocabSize(), tok.vocabSize() - 1};
    for (int id = 0; id < 300; ++id) ids.push_back(id);
    refusalAllowed([&] { (void)tok.decode(ids); });
    (void)tok.pieceId("[MASK]");
    (void)tok.pieceId("<mask>");
    (void)tok.addsBos();
}

}  // namespace expertscope::fuzz
