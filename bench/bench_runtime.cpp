// Runtime benchmark: response-collection and generation throughput of stories260K on the
// 1,700 OneSec football sentences, against the arithmetic bound (2 x parameters FLOPs per
// token at the matrix-product rate measured in the same run), and the whole analysis of
// that concept into a project file.
// Prints one JSON object. Usage: bench_runtime [--shared DIR] [--repeats N]
#include "bench_common.h"

#include "core/project/analysis.h"

#include <QTemporaryDir>

#include <iostream>

using namespace expertscope;
using namespace expertscope::bench;

int main(int argc, char** argv) {
    selectBlasKernel(argv);
    std::string shared = EXPERTSCOPE_SHARED_DEFAULT;
    int repeats = 3;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--shared") shared = argv[i + 1];
        else if (a == "--repeats") repeats = std::max(1, std::atoi(argv[i + 1]));
    }
    const std::string modelPath = shared + "/models/stories260K/stories260K.bin";
    const auto texts = conceptSentences(shared + "/concepts/onesec/sense/football-1_04_00__.json");
    if (!QFile::exists(QString::fromStdString(modelPath)) || texts.empty()) {
        std::cerr << "bench_runtime: needs " << modelPath << " and the OneSec football concept in " << shared << "\n";
        return 1;
    }
    const auto model = loadModel({modelPath, ""});
    const auto sentences = tokenizeAll(*model, texts, model->info().maxPositions);
    int64_t realTokens = 0;
    for (const auto& s : sentences) realTokens += static_cast<int64_t>(s.size());
    const double meanTokens = static_cast<double>(realTokens) / static_cast<double>(sentences.size());
    const double peak = matrixProductGflops(512);
    const double boundTokens = peak * 1e9 / (2.0 * static_cast<double>(model->info().parameters));

    QJsonObject best;
    const auto runs = collectionRuns(*model, sentences, {{1, 512}, {1, 1024}, {1, 4096}, {0, 512}, {0, 1024}, {0, 4096}},
                                     repeats, &best);
    const double bestTokens = best.value("tokens_per_s").toDouble();

    // Generation: one stream, KV cache, greedy, 200 tokens.
    GenerationOptions g;
    g.temperature = 0;
    g.maxNewTokens = 200;
    g.stopAtEos = false;
    double genBest = 1e9;
    for (int r = 0; r < repeats; ++r) {
        const auto t = Clock::now();
        model->generate({}, g);
        genBest = std::min(genBest, seconds(t));
    }

    // The whole analysis of the concept: validation, collection, expertise, storage.
    double analysisSeconds = 0;
    {
        QTemporaryDir tmp;
        auto store = ProjectStore::open(tmp.filePath("bench.esproj").toStdString(), true);
        const auto t = Clock::now();
        const int64_t modelId = store->addModel(*model);
        const int64_t setId = store->addConceptSet(importSelfcondFolder(shared + "/concepts/onesec"));
        analyse(*store, *model, modelId, setId, RunSettings{});
        analysisSeconds = seconds(t);
    }

    const QJsonObject out{
        {"benchmark", "runtime"},
        {"whole_analysis_seconds", analysisSeconds},
        {"model", "stories260K"},
        {"parameters", static_cast<qint64>(model->info().parameters)},
        {"units", static_cast<qint64>(model->unitCount())},
        {"sentences", static_cast<int>(sentences.size())},
        {"real_tokens", static_cast<qint64>(realTokens)},
        {"pooling", "max"},
        {"collection", runs},
        {"collection_best", best},
        {"collection_best_sentences_per_s", best.value("sentences_per_s")},
        {"forward_tokens_per_s", bestTokens},
        {"generation_tokens_per_s", 200.0 / genBest},
        {"gemm512_gflops", peak},
        {"bound_tokens_per_s", boundTokens},
        {"bound_sentences_per_s", boundTokens / meanTokens},
        {"ratio_to_bound", bestTokens / boundTokens},
        {"environment", environment()},
    };
    std::cout << QJsonDocument(out).toJson(QJsonDocument::Indented).toStdString();
    return 0;
}
