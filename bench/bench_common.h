#pragma once
// What the benchmarks share: timing, the machine's measured matrix-product rate, the
// concept sentences, collection runs over settings, and a record of the environment.
#include "core/runtime/blas_setup.h"
#include "core/runtime/language_model.h"
#include "core/science/response_collector.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <sys/resource.h>
#include <vector>

namespace expertscope::bench {

using Clock = std::chrono::steady_clock;

inline double seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

// Positives then negatives of an ml-selfcond concept file; empty when unreadable.
inline std::vector<std::string> conceptSentences(const std::string& path) {
    QFile file(QString::fromStdString(path));
    std::vector<std::string> out;
    if (!file.open(QIODevice::ReadOnly)) return out;
    const auto sentences = QJsonDocument::fromJson(file.readAll()).object().value("sentences").toObject();
    for (const char* cls : {"positive", "negative"})
        for (const auto& s : sentences.value(cls).toArray()) out.push_back(s.toString().toStdString());
    return out;
}

inline std::vector<std::vector<int>> tokenizeAll(const LanguageModel& model, const std::vector<std::string>& texts,
                                                 int maxTokens) {
    std::vector<std::vector<int>> out;
    for (const auto& t : texts) {
        auto ids = model.tokenize(t);
        if (static_cast<int>(ids.size()) > maxTokens) ids.resize(static_cast<size_t>(maxTokens));
        out.push_back(std::move(ids));
    }
    return out;
}

struct CollectionSetting {
    int workers;  // 0: one single-threaded worker per core; 1: one pass at a time over all cores
    int tokenBudget;
};

// Best of `repeats` for each setting, as JSON rows; `best` receives the fastest row.
inline QJsonArray collectionRuns(LanguageModel& model, const std::vector<std::vector<int>>& sentences,
                                 const std::vector<CollectionSetting>& settings, int repeats, QJsonObject* best) {
    int64_t tokens = 0;
    for (const auto& s : sentences) tokens += static_cast<int64_t>(s.size());
    QJsonArray runs;
    double bestRate = 0;
    for (const auto& setting : settings) {
        CollectionOptions o;
        o.workers = setting.workers;
        o.tokenBudget = setting.tokenBudget;
        double fastest = 1e18;
        for (int r = 0; r < repeats; ++r) {
            const auto t = Clock::now();
            collectAll(model, sentences, o);
            fastest = std::min(fastest, seconds(t));
        }
        const double rate = static_cast<double>(sentences.size()) / fastest;
        const QJsonObject row{{"workers", setting.workers == 0 ? QJsonValue("per core") : QJsonValue(setting.workers)},
                              {"token_budget", setting.tokenBudget},
                              {"seconds", fastest},
                              {"sentences_per_s", rate},
                              {"tokens_per_s", static_cast<double>(tokens) / fastest}};
        runs.append(row);
        if (rate > bestRate) {
            bestRate = rate;
            *best = row;
        }
    }
    return runs;
}

inline QString env(const char* name) {
    const char* v = std::getenv(name);
    return QString::fromLocal8Bit(v ? v : "");
}

inline QJsonObject environment() {
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    return QJsonObject{{"blas", QString::fromStdString(blasDescription())},
                       {"torch_threads", intraOpThreads()},
                       {"runtime", QString::fromStdString(runtimeDescription())},
                       {"OPENBLAS_CORETYPE", env("OPENBLAS_CORETYPE")},
                       {"OMP_NUM_THREADS", env("OMP_NUM_THREADS")},
                       {"peak_rss_mib", static_cast<double>(ru.ru_maxrss) / 1024.0}};
}

}  // namespace expertscope::bench
