// Expertise benchmark: the AP stage alone (with the forcing values) for 82,944 units x
// 1,700 sentences of synthetic responses, 700 of them positive: GPT-2 small's unit count
// on the OneSec football concept's size. Prints one JSON object.
// Usage: bench_expertise [--repeats N]
#include "core/science/expertise.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <random>
#include <sys/resource.h>
#include <thread>

using namespace expertscope;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
    int repeats = 3;
    for (int i = 1; i + 1 < argc; i += 2)
        if (std::string(argv[i]) == "--repeats") repeats = std::max(1, std::atoi(argv[i + 1]));
    constexpr int64_t kUnits = 82944, kSentences = 1700, kPositives = 700;
    // Responses as collectAll returns them, [sentences, units]; positives raised by a
    // unit-dependent amount so APs spread from chance to near 1. Float32 with some ties.
    std::vector<float> responses(static_cast<size_t>(kUnits * kSentences));
    std::vector<uint8_t> labels(kSentences, 0);
    std::fill(labels.begin(), labels.begin() + kPositives, 1);
    std::mt19937 rng(7);
    std::normal_distribution<float> normal;
    for (int64_t s = 0; s < kSentences; ++s)
        for (int64_t u = 0; u < kUnits; ++u) {
            const float shift = labels[s] ? static_cast<float>(u % 97) / 40.f : 0.f;
            responses[s * kUnits + u] = std::round((normal(rng) + shift) * 256.f) / 256.f;
        }
    QJsonArray runs;
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    double best = 0;
    for (int threads : {1, cores}) {
        double fastest = 1e9;
        for (int r = 0; r < repeats; ++r) {
            const auto t = Clock::now();
            const auto e = computeExpertise(responses.data(), kSentences, kUnits, labels, threads);
            fastest = std::min(fastest, std::chrono::duration<double>(Clock::now() - t).count());
            if (e.ap.size() != static_cast<size_t>(kUnits)) return 1;
        }
        runs.append(QJsonObject{{"threads", threads}, {"seconds", fastest}});
        best = fastest;
    }
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    const QJsonObject out{{"benchmark", "expertise"},
                          {"units", static_cast<qint64>(kUnits)},
                          {"sentences", static_cast<qint64>(kSentences)},
                          {"positives", static_cast<qint64>(kPositives)},
                          {"runs", runs},
                          {"seconds_all_cores", best},
                          {"ml_selfcond_seconds_reference", 10.2},
                          {"peak_rss_mib", static_cast<double>(ru.ru_maxrss) / 1024.0}};
    std::cout << QJsonDocument(out).toJson(QJsonDocument::Indented).toStdString();
    return 0;
}
