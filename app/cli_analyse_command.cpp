// expertscope-cli analyse: the one command that writes a project, with its progress bar and
// Ctrl-C handling.
#include "app/cli_command_list.h"

#include "core/base/error.h"
#include "core/project/analysis.h"
#include "core/project/project_store.h"
#include "core/project/shards.h"
#include "core/science/response_collector.h"

#include "app/cli_options.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <ostream>
#include <unistd.h>

namespace expertscope::cli {
namespace {

// Ctrl-C cancels the analysis through its progress callback; finished concepts stay saved.
std::atomic<bool> interrupted{false};
void onInterrupt(int) { interrupted = true; }

}  // namespace

int analyseCommand(const std::vector<std::string>& argsIn, std::ostream& out) {
    std::vector<std::string> args;
    std::vector<std::string> rest;
    const bool json = flag(argsIn, "--json", &rest);
    const bool onDisk = flag(rest, "--responses-on-disk", &args);
    const Options o(args, withSelection({"model", "tokenizer", "concepts", "project", "batch-tokens", "threads",
                                         "keep-responses", "reuse-mb", "max-memory-mb", "scratch", "shard"}));
    RunSettings settings = selectionSettings(o);
    settings.tokenBudget = static_cast<int>(o.integer("batch-tokens", 1024, 1));
    settings.workers = static_cast<int>(o.integer("threads", 0, 0));
    settings.keepResponses = static_cast<int>(o.integer("keep-responses", 0, 0));
    settings.reuseBytes = o.integer("reuse-mb", 1024, 0, int64_t{1} << 30) << 20;
    settings.maxResponseBytes = o.integer("max-memory-mb", 0, 0, int64_t{1} << 30) << 20;
    settings.responsesOnDisk = onDisk;
    settings.scratchFolder = o.text("scratch", "");
    if (!settings.scratchFolder.empty() && !QFileInfo(QString::fromStdString(settings.scratchFolder)).isDir())
        throw Error("--scratch " + settings.scratchFolder + ": no such folder");
    const Shard shard = parseShard(o.text("shard", "1/1"));
    settings.shardIndex = shard.index;
    settings.shardCount = shard.count;
    const auto model = openModel(o);
    auto project = ProjectStore::open(o.required("project"), true);
    const int64_t modelId = project->addModel(*model);
    const int64_t setId = importOrReuseConceptSet(*project, o.required("concepts"));
    const bool bar = isatty(STDERR_FILENO);
    std::signal(SIGINT, onInterrupt);
    AnalysisSummary summary;
    try {
        summary = analyse(*project, *model, modelId, setId, settings, [&](const AnalysisProgress& p) {
            if (bar) {
                const double rate = p.seconds > 0 ? p.sentencesDone / p.seconds : 0;
                std::fprintf(stderr, "\r\033[K[%d/%d] %s: %lld/%lld sentences", p.conceptsDone + 1, p.conceptsTotal,
                             p.concept.c_str(), static_cast<long long>(p.sentencesDone), static_cast<long long>(p.sentencesTotal));
                if (rate > 0)
                    std::fprintf(stderr, ", %.0f/s, ETA %.0f s", rate,
                                 static_cast<double>(p.sentencesTotal - p.sentencesDone) / rate);
                std::fflush(stderr);
            }
            return !interrupted.load();
        });
    } catch (const Cancelled&) {
        if (bar) std::fprintf(stderr, "\n");
        throw Error("interrupted; finished concepts are saved in " + project->path() + " and the run resumes when started again");
    }
    if (bar) std::fprintf(stderr, "\r\033[K");
    QJsonArray concepts;
    for (const auto& r : project->results(summary.runId)) {
        const auto top = project->topExperts(r.runId, r.conceptId, 1);
        concepts.append(QJsonObject{{"concept", QString::fromStdString(r.concept)},
                                    {"positives", r.positives},
                                    {"negatives", r.negatives},
                                    {"best_ap", top.empty() ? 0.0 : top[0].ap},
                                    {"best_auroc", jsonNumber(r.bestAuroc)}});
    }
    QJsonArray messages;
    for (const auto& m : summary.messages)
        messages.append(QJsonObject{{"concept", QString::fromStdString(m.concept)}, {"fatal", m.fatal},
                                    {"message", QString::fromStdString(m.message)}});
    if (json) {
        out << QJsonDocument(QJsonObject{{"run", static_cast<qint64>(summary.runId)},
                                         {"analysed", summary.analysed},
                                         {"already_done", summary.alreadyDone},
                                         {"refused", summary.refused},
                                         {"sentences_run", static_cast<qint64>(summary.sentencesRun)},
                                         {"sentences_reused", static_cast<qint64>(summary.sentencesReused)},
                                         {"shard", QString("%1/%2").arg(shard.index).arg(shard.count)},
                                         {"concepts", concepts},
                                         {"messages", messages}})
                   .toJson(QJsonDocument::Indented)
                   .toStdString();
    } else {
        for (const auto& m : summary.messages)
            out << (m.fatal ? "refused" : "note") << (m.concept.empty() ? "" : " " + m.concept) << ": " << m.message << "\n";
        for (const auto& c : concepts)
            out << c.toObject().value("concept").toString().toStdString() << ": best AP "
                << c.toObject().value("best_ap").toDouble() << ", best AUROC "
                << aurocText(c.toObject().value("best_auroc").toDouble(std::nan(""))) << "\n";
        out << "run " << summary.runId;
        if (!shard.whole()) out << " (shard " << shard.index << "/" << shard.count << ")";
        out << ": " << summary.analysed << " analysed, " << summary.alreadyDone
            << " already done, " << summary.refused << " refused; " << summary.sentencesRun << " sentences run, "
            << summary.sentencesReused << " reused\n";
    }
    return summary.refused > 0 ? 1 : 0;
}

}  // namespace expertscope::cli
