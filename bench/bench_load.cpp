// Loading a Llama-3.2-1B-shaped checkpoint stored in bf16 (random weights: speed and
// memory do not depend on them), then collecting responses on OneSec football sentences.
// Reports the load time, the peak memory the load added over the float32 model's size (the
// target is at most 1.3x: the file's bytes are given back tensor by tensor), and sentences/s
// with the ratio to the arithmetic bound (2 x non-embedding parameters FLOPs per token at
// the matrix-product rate measured in the same run).
// The checkpoint (2.5 GB) is written once by a child process, so its buffers do not count
// in this process's peak. Sentences are tokenized with GPT-2's byte-level BPE (the shared
// Llama 3 tokenizer is a tokenizer.json, not read yet): similar token counts.
// Prints one JSON object. Usage: bench_load [--dir DIR] [--shared DIR] [--sentences N] [--layers N]
#include "bench_common.h"
#include "llama_1b_checkpoint.h"

#include "core/base/safetensors.h"
#include "core/tokenizers/bpe_tokenizer.h"

#include <QDir>

#include <fstream>
#include <iostream>
#include <sys/wait.h>
#include <unistd.h>

using namespace expertscope;
using namespace expertscope::bench;

namespace {

double residentMib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    return 0;
}

double peakMib() {
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

}  // namespace

int main(int argc, char** argv) {
    selectBlasKernel(argv);
    std::string shared = EXPERTSCOPE_SHARED_DEFAULT, dir;
    int count = 32;
    Shape shape;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--shared") shared = argv[i + 1];
        else if (a == "--dir") dir = argv[i + 1];
        else if (a == "--sentences") count = std::max(1, std::atoi(argv[i + 1]));
        else if (a == "--layers") shape.layers = std::max(1, std::atoi(argv[i + 1]));
    }
    if (dir.empty()) {  // one folder per shape: a checkpoint of other layers is not reused
        dir = QDir::temp().filePath("expertscope-bench-llama32-1b-bf16").toStdString();
        if (shape.layers != Shape{}.layers) dir += "-" + std::to_string(shape.layers) + "-layers";
    }
    const std::string encoder = shared + "/tokenizers/gpt2/encoder.json";
    const auto texts = conceptSentences(shared + "/concepts/onesec/sense/football-1_04_00__.json");
    if (!QFile::exists(QString::fromStdString(encoder)) || texts.empty()) {
        std::cerr << "bench_load: needs " << encoder << " and the OneSec football concept in " << shared << "\n";
        return 1;
    }
    const double writeSeconds = ensureCheckpoint(dir, shape);
    if (writeSeconds < 0) return 1;

    const double before = residentMib();
    const auto loadStart = Clock::now();
    const auto model = loadModel({dir, ""});
    const double loadSeconds = seconds(loadStart);
    const double peak = peakMib();
    const ModelInfo& info = model->info();
    const double float32Mib = static_cast<double>(info.parameters) * 4 / (1024.0 * 1024.0);

    // BOS, then the sentence's ids, cut at 128 tokens.
    constexpr int kSequenceLength = 128;
    const auto bpe = loadByteLevelBpe(encoder);
    std::vector<std::vector<int>> sentences;
    for (size_t i = 0; i < texts.size() && static_cast<int>(sentences.size()) < count; ++i) {
        auto ids = bpe->encode(texts[i]);
        ids.insert(ids.begin(), info.bosId);
        if (static_cast<int>(ids.size()) > kSequenceLength) ids.resize(kSequenceLength);
        sentences.push_back(std::move(ids));
    }
    int64_t realTokens = 0;
    for (const auto& s : sentences) realTokens += static_cast<int64_t>(s.size());
    const double meanTokens = static_cast<double>(realTokens) / static_cast<double>(sentences.size());
    const int64_t embeddings = static_cast<int64_t>(info.vocab) * info.hidden;
    const double gemm = matrixProductGflops(512);
    const double boundTokens = gemm * 1e9 / (2.0 * static_cast<double>(info.parameters - embeddings));
    QJsonObject best;
    const auto runs = collectionRuns(*model, sentences, {{0, 1024}, {1, 1024}}, 1, &best);

    const QJsonObject out{
        {"benchmark", "load_bf16"},
        {"model", QString("Llama-3.2-1B shape, %1 layers, random bf16 weights").arg(info.layers)},
        {"parameters", static_cast<qint64>(info.parameters)},
        {"checkpoint_write_seconds", writeSeconds},
        {"load_seconds", loadSeconds},
        {"rss_before_load_mib", before},
        {"peak_rss_mib", peak},
        {"float32_model_mib", float32Mib},
        {"load_peak_over_float32", (peak - before) / float32Mib},
        {"units", static_cast<qint64>(model->unitCount())},
        {"sentences", static_cast<int>(sentences.size())},
        {"sequence_length", kSequenceLength},
        {"real_tokens", static_cast<qint64>(realTokens)},
        {"collection", runs},
        {"collection_best_sentences_per_s", best.value("sentences_per_s")},
        {"gemm512_gflops", gemm},
        {"bound_sentences_per_s", boundTokens / meanTokens},
        {"ratio_to_bound", best.value("tokens_per_s").toDouble() / boundTokens},
        {"environment", environment()},
    };
    std::cout << QJsonDocument(out).toJson(QJsonDocument::Indented).toStdString();
    return 0;
}
