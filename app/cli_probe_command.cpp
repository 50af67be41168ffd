// expertscope-cli probe: which analysed concepts' experts a text lights up
// (core/project/text_probe.h; the application's text probe shows the same numbers).
#include "app/cli_command_list.h"
#include "app/cli_options.h"

#include "core/base/error.h"
#include "core/project/model_location.h"
#include "core/project/text_probe.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>
#include <iomanip>
#include <ostream>

namespace expertscope::cli {

int probeCommand(const std::vector<std::string>& argsIn, std::ostream& out) {
    std::vector<std::string> args;
    const bool json = flag(argsIn, "--json", &args);
    const Options o(args, withSelection({"project", "text", "top", "threshold", "experts", "run", "model", "tokenizer"}));
    const auto project = ProjectStore::open(o.required("project"), false);
    std::map<int64_t, ProjectStore::ResultRef> results;
    for (auto& ref : projectResults(*project, o)) results.emplace(ref.conceptId, ref);
    const auto& any = results.begin()->second;
    // The model the results were made with, unless another file of it is named.
    const auto model = o.text("model").empty() ? loadModel(storedModelSource(*project, any.modelId)) : openModel(o);
    TextProbeOptions options;
    options.threshold = o.number("threshold", options.threshold, 0, 1);
    options.topK = static_cast<int>(o.integer("experts", options.topK, 1));
    const auto p = probeText(*model, *project, results, o.required("text"), options);
    const size_t top = static_cast<size_t>(o.integer("top", 10, 1));
    if (p.cut) std::fprintf(stderr, "the text was cut at the model's context of %d tokens\n", model->info().maxPositions);
    if (json) {
        QJsonArray tokens, concepts;
        for (const auto& t : p.tokens) tokens.append(QString::fromStdString(t));
        for (size_t i = 0; i < p.concepts.size() && i < top; ++i) {
            const auto& c = p.concepts[i];
            QJsonArray scores, units;
            for (double s : c.tokenScores) scores.append(s);
            for (int64_t u : c.units) units.append(static_cast<qint64>(u));
            concepts.append(QJsonObject{{"concept", QString::fromStdString(c.name)}, {"score", c.score}, {"peak_token", c.peakToken},
                                        {"experts", units}, {"token_scores", scores}});
        }
        QJsonArray none;
        for (const auto& n : p.withoutExperts) none.append(QString::fromStdString(n));
        out << QJsonDocument(QJsonObject{{"tokens", tokens}, {"cut", p.cut}, {"threshold", options.threshold},
                                         {"experts_per_concept", options.topK}, {"concepts", concepts}, {"without_experts", none}})
                   .toJson(QJsonDocument::Indented)
                   .toStdString();
        return 0;
    }
    out << "score = mean over a concept's experts of (its response pooled as the run pooled - off_mean) / (on_p50 - off_mean)\n";
    for (size_t i = 0; i < p.concepts.size() && i < top; ++i) {
        const auto& c = p.concepts[i];
        out << std::setw(3) << i + 1 << "  " << std::fixed << std::setprecision(3) << std::setw(7) << c.score << "  " << c.name << "  ("
            << c.units.size() << " experts; peak at '" << (c.peakToken >= 0 ? p.tokens[static_cast<size_t>(c.peakToken)] : "") << "')\n";
    }
    if (!p.withoutExperts.empty()) out << p.withoutExperts.size() << " analysed concept(s) have no expert at AP >= " << options.threshold << "\n";
    return 0;
}

}  // namespace expertscope::cli
