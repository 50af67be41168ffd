// expertscope-cli fetch: a model from the Hugging Face Hub into the standard cache
// (core/base/hub_download.h), with progress, speed and time left on stderr.
#include "app/cli_command_list.h"
#include "app/cli_options.h"

#include "core/base/error.h"
#include "core/base/hub_download.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>
#include <ostream>
#include <unistd.h>

namespace expertscope::cli {

int fetchCommand(const std::vector<std::string>& argsIn, std::ostream& out) {
    std::vector<std::string> args;
    const bool json = flag(argsIn, "--json", &args);
    if (args.size() < 2 || args[1].rfind("--", 0) == 0) throw Error("fetch needs a model name: fetch ORG/NAME [--revision R]");
    const std::string repo = args[1];
    args.erase(args.begin() + 1);
    const Options o(args, {"revision"});
    const HubOptions hub = hubOptionsFromEnvironment();
    const bool terminal = isatty(STDERR_FILENO);
    double shownAt = -1;
    const auto result = fetchModel(repo, o.text("revision", "main"), hub, [&](const DownloadProgress& p) {
        const double share = p.total > 0 ? 100.0 * static_cast<double>(p.done) / static_cast<double>(p.total) : 100.0;
        if (!terminal && share - shownAt < 10 && p.done != p.total) return true;  // a log: every 10%
        shownAt = share;
        std::fprintf(stderr, "%s%5.1f%%  %.1f of %.1f MiB  %.2f MiB/s  %s  %s%s", terminal ? "\r\033[K" : "", share,
                     static_cast<double>(p.done) / 1048576.0, static_cast<double>(p.total) / 1048576.0, p.bytesPerSecond / 1048576.0,
                     p.secondsLeft < 0 ? "" : (std::to_string(static_cast<long long>(p.secondsLeft + 0.5)) + " s left").c_str(),
                     p.file.c_str(), terminal ? "" : "\n");
        return true;
    });
    if (terminal) std::fprintf(stderr, "\n");
    if (json) {
        QJsonArray files;
        for (const auto& f : result.files) files.append(QString::fromStdString(f));
        out << QJsonDocument(QJsonObject{{"snapshot", QString::fromStdString(result.snapshot)},
                                         {"commit", QString::fromStdString(result.commit)},
                                         {"files", files},
                                         {"downloaded_bytes", static_cast<qint64>(result.downloadedBytes)},
                                         {"reused_bytes", static_cast<qint64>(result.reusedBytes)}})
                   .toJson()
                   .toStdString();
    } else {
        out << result.snapshot << "\n";
    }
    return 0;
}

}  // namespace expertscope::cli
