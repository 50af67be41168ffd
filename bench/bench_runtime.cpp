// Runtime benchmark: response-collection and generation throughput of stories260K on the
// 1,700 OneSec football sentences, against the arithmetic bound (2 x parameters FLOPs per
// token at the matrix-product rate measured in the same run).
// Prints one JSON object. Usage: bench_runtime [--shared DIR] [--repeats N] [--budget TOKENS]
#include "core/blas_setup.h"
#include "core/language_model.h"
#include "core/response_collector.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <sys/resource.h>

using namespace expertscope;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::time_point a) { return std::chrono::duration<double>(Clock::now() - a).count(); }

// Best-of-3 float32 matrix product rate through LibTorch: the practical arithmetic peak.
double gemmGflops(int n) {
    const auto a = at::randn({n, n}), b = at::randn({n, n});
    at::mm(a, b);
    double best = 1e9;
    for (int r = 0; r < 3; ++r) {
        const auto t = Clock::now();
        for (int i = 0; i < 10; ++i) at::mm(a, b);
        best = std::min(best, seconds(t) / 10);
    }
    return 2.0 * n * n * n / best / 1e9;
}

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

}  // namespace

int main(int argc, char** argv) {
    selectBlasKernel(argv);
    std::string shared = EXPERTSCOPE_SHARED_DEFAULT;
    int repeats = 3;
    std::vector<int> budgets{512, 1024, 4096};
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--shared") shared = argv[i + 1];
        else if (a == "--repeats") repeats = std::max(1, std::atoi(argv[i + 1]));
        else if (a == "--budget") budgets = {std::max(1, std::atoi(argv[i + 1]))};
    }
    const std::string modelPath = shared + "/models/stories260K/stories260K.bin";
    const std::string conceptPath = shared + "/concepts/onesec/sense/football-1_04_00__.json";
    QFile conceptFile(QString::fromStdString(conceptPath));
    if (!QFile::exists(QString::fromStdString(modelPath)) || !conceptFile.open(QIODevice::ReadOnly)) {
        std::cerr << "bench_runtime: needs " << modelPath << " and " << conceptPath << "\n";
        return 1;
    }
    const auto model = loadModel({modelPath, ""});
    const auto sentencesJson = QJsonDocument::fromJson(conceptFile.readAll()).object().value("sentences").toObject();
    std::vector<std::vector<int>> sentences;
    for (const char* cls : {"positive", "negative"})
        for (const auto& s : sentencesJson.value(cls).toArray()) {
            auto ids = model->tokenize(s.toString().toStdString());
            if (static_cast<int>(ids.size()) > model->info().maxPositions) ids.resize(model->info().maxPositions);
            sentences.push_back(std::move(ids));
        }
    int64_t realTokens = 0;
    for (const auto& s : sentences) realTokens += static_cast<int64_t>(s.size());
    const double peak = gemmGflops(512);
    const double flopsPerToken = 2.0 * static_cast<double>(model->info().parameters);
    const double boundTokens = peak * 1e9 / flopsPerToken;
    const double meanTokens = static_cast<double>(realTokens) / static_cast<double>(sentences.size());

    // workers 1: one forward pass at a time, its operators split over the cores;
    // workers 0: one single-threaded worker per core (the default).
    QJsonArray runs;
    double bestRate = 0;
    QJsonObject bestRun;
    for (int workers : {1, 0}) {
        for (int budget : budgets) {
            CollectionOptions o;
            o.tokenBudget = budget;
            o.workers = workers;
            double best = 1e9;
            for (int r = 0; r < repeats; ++r) {
                const auto t = Clock::now();
                collectAll(*model, sentences, o);
                best = std::min(best, seconds(t));
            }
            const double rate = static_cast<double>(sentences.size()) / best;
            const QJsonObject run{{"workers", workers == 0 ? QJsonValue("per core") : QJsonValue(workers)},
                                  {"token_budget", budget},
                                  {"seconds", best},
                                  {"sentences_per_s", rate},
                                  {"tokens_per_s", static_cast<double>(realTokens) / best}};
            runs.append(run);
            if (rate > bestRate) {
                bestRate = rate;
                bestRun = run;
            }
        }
    }

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

    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    const double bestTokens = bestRate * meanTokens;
    const QJsonObject out{
        {"benchmark", "runtime"},
        {"model", "stories260K"},
        {"parameters", static_cast<qint64>(model->info().parameters)},
        {"units", static_cast<qint64>(model->unitCount())},
        {"sentences", static_cast<int>(sentences.size())},
        {"real_tokens", static_cast<qint64>(realTokens)},
        {"pooling", "max"},
        {"collection", runs},
        {"collection_best", bestRun},
        {"collection_best_sentences_per_s", bestRate},
        {"forward_tokens_per_s", bestTokens},
        {"generation_tokens_per_s", 200.0 / genBest},
        {"gemm512_gflops", peak},
        {"bound_tokens_per_s", boundTokens},
        {"bound_sentences_per_s", boundTokens / meanTokens},
        {"ratio_to_bound", bestTokens / boundTokens},
        {"blas", QString::fromStdString(blasDescription())},
        {"torch_threads", at::get_num_threads()},
        {"runtime", QString::fromStdString(runtimeDescription())},
        {"OPENBLAS_CORETYPE", QString::fromStdString(env("OPENBLAS_CORETYPE"))},
        {"OMP_NUM_THREADS", QString::fromStdString(env("OMP_NUM_THREADS"))},
        {"peak_rss_mib", static_cast<double>(ru.ru_maxrss) / 1024.0},
    };
    std::cout << QJsonDocument(out).toJson(QJsonDocument::Indented).toStdString();
    return 0;
}
