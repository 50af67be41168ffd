// GPT-2 benchmark: response collection for a randomly initialised GPT-2 small (124M
// parameters; speed does not depend on the weights) on the 1,700 OneSec football
// sentences, all 82,944 units, max pooling, sequences cut at 128 tokens. The arithmetic
// bound counts 2 x non-embedding parameters FLOPs per real token (no LM head) at the
// matrix-product rate measured in the same run.
// Prints one JSON object. Usage: bench_gpt2 [--shared DIR] [--repeats N]
#include "bench_common.h"

#include "core/tokenizers/bpe_tokenizer.h"

#include <iostream>

using namespace expertscope;
using namespace expertscope::bench;

int main(int argc, char** argv) {
    selectBlasKernel(argv);
    std::string shared = EXPERTSCOPE_SHARED_DEFAULT;
    int repeats = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--shared") shared = argv[i + 1];
        else if (a == "--repeats") repeats = std::max(1, std::atoi(argv[i + 1]));
    }
    const std::string encoder = shared + "/tokenizers/gpt2/encoder.json";
    const auto texts = conceptSentences(shared + "/concepts/onesec/sense/football-1_04_00__.json");
    if (!QFile::exists(QString::fromStdString(encoder)) || texts.empty()) {
        std::cerr << "bench_gpt2: needs " << encoder << " and the OneSec football concept in " << shared << "\n";
        return 1;
    }
    const auto model = randomGpt2(Gpt2Dimensions{}, loadByteLevelBpe(encoder), 0);
    constexpr int kSequenceLength = 128;
    const auto sentences = tokenizeAll(*model, texts, kSequenceLength);
    int64_t realTokens = 0;
    for (const auto& s : sentences) realTokens += static_cast<int64_t>(s.size());
    const double meanTokens = static_cast<double>(realTokens) / static_cast<double>(sentences.size());
    const ModelInfo& info = model->info();
    const int64_t embeddings = static_cast<int64_t>(info.vocab + info.maxPositions) * info.hidden;
    const double peak = matrixProductGflops(512);
    const double boundTokens = peak * 1e9 / (2.0 * static_cast<double>(info.parameters - embeddings));

    QJsonObject best;
    const auto runs = collectionRuns(*model, sentences, {{0, 1024}, {1, 1024}}, repeats, &best);
    const double bestTokens = best.value("tokens_per_s").toDouble();
    const QJsonObject out{
        {"benchmark", "gpt2"},
        {"model", "GPT-2 small, random weights"},
        {"parameters", static_cast<qint64>(info.parameters)},
        {"non_embedding_parameters", static_cast<qint64>(info.parameters - embeddings)},
        {"units", static_cast<qint64>(model->unitCount())},
        {"sentences", static_cast<int>(sentences.size())},
        {"sequence_length", kSequenceLength},
        {"real_tokens", static_cast<qint64>(realTokens)},
        {"pooling", "max"},
        {"collection", runs},
        {"collection_best", best},
        {"collection_best_sentences_per_s", best.value("sentences_per_s")},
        {"gemm512_gflops", peak},
        {"bound_sentences_per_s", boundTokens / meanTokens},
        {"ratio_to_bound", bestTokens / boundTokens},
        {"environment", environment()},
    };
    std::cout << QJsonDocument(out).toJson(QJsonDocument::Indented).toStdString();
    return 0;
}
