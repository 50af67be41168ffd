// expertscope-cli rank: the paper's model ranking, how well the models' numbers of experts
// predict their scores (core/science/model_ranking.h, core/project/model_ranking_projects.h).
#include "app/cli_command_list.h"
#include "app/cli_options.h"

#include "core/base/error.h"
#include "core/project/model_ranking_projects.h"
#include "core/science/model_ranking.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <iomanip>
#include <ostream>
#include <sstream>

namespace expertscope::cli {
namespace {

// --projects takes several values (Options keeps one per key): every argument after it up
// to the next option, each also split at commas. The other arguments go to `rest`.
std::vector<std::string> takeProjects(const std::vector<std::string>& args, std::vector<std::string>* rest) {
    std::vector<std::string> projects;
    rest->clear();
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] != "--projects") {
            rest->push_back(args[i]);
            continue;
        }
        const size_t before = projects.size();
        for (; i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0; ++i) {
            std::stringstream list(args[i + 1]);
            for (std::string path; std::getline(list, path, ',');)
                if (!path.empty()) projects.push_back(path);
        }
        if (projects.size() == before) throw Error("option '--projects' needs one or more project files");
    }
    if (projects.empty()) throw Error("missing --projects");
    // Before reading anything: a scores file naming the missing models would hide this.
    if (projects.size() < 3)
        throw Error("ranking needs at least 3 models (one project each), got " + std::to_string(projects.size()));
    return projects;
}

QJsonValue jsonEstimate(const Estimate& e) {
    QJsonValue ci(QJsonValue::Null);
    if (e.interval) ci = QJsonArray{e.interval->low, e.interval->high};
    return QJsonObject{{"value", e.value ? QJsonValue(*e.value) : QJsonValue(QJsonValue::Null)},
                       {"ci", ci},
                       {"resamples_used", e.resamplesUsed},
                       {"resamples_skipped", e.resamplesSkipped}};
}

QJsonObject jsonAssociation(const Association& a) { return {{"r2", jsonEstimate(a.r2)}, {"rho", jsonEstimate(a.rho)}}; }

std::string number(const std::optional<double>& v) {
    if (!v) return "undefined";
    std::ostringstream s;
    s << std::fixed << std::setprecision(3) << *v;
    return s.str();
}

std::string interval(const std::optional<Interval>& i) {
    if (!i) return "[no defined resample]";
    return "[" + number(i->low) + ", " + number(i->high) + "]";
}

std::string withInterval(const Estimate& e) { return number(e.value) + " " + interval(e.interval); }

void writeText(const ModelRanking& r, const std::vector<ModelExperts>& models, std::ostream& out) {
    const auto& b = r.bootstrap;
    out << "r^2 = Pearson's r(score, experts)^2, rho = Spearman's rank correlation (average ranks), where experts(t) = units with AP >= t "
        << "summed over the " << models.front().concepts.size() << " concepts; " << b.level * 100 << "% CI: percentile bootstrap over "
        << b.resamples << " resamples of the " << r.models.size() << " models (seed " << b.seed << ")\n";
    out << (r.scoreNegated ? "score: lower is better (-score correlated)\n" : "score: higher is better\n");
    for (size_t m = 0; m < r.models.size(); ++m)
        out << "  " << r.models[m] << ": score " << r.scores[m] << ", " << r.units[m] << " units  (" << models[m].source << ")\n";
    if (r.best) {
        const auto& t = r.thresholds[*r.best];
        out << "best threshold by r^2 of the number of experts: t = " << std::fixed << std::setprecision(3) << t.threshold
            << "  r^2 = " << withInterval(t.byExperts.r2) << "  rho = " << withInterval(t.byExperts.rho) << "\n"
            << "  the same on experts per unit: r^2 = " << withInterval(t.byShare.r2) << "  rho = " << withInterval(t.byShare.rho) << "\n";
    } else {
        out << "r^2 is undefined at every threshold: the scores, or every threshold's expert counts, are all equal\n";
    }
    out << "\n    t   r^2 [CI]                  rho [CI]                  r^2/unit   rho/unit   experts per model\n";
    for (size_t i = 0; i < r.thresholds.size(); i += 50) {  // every 0.05 on the 0.001 grid
        const auto& t = r.thresholds[i];
        out << std::fixed << std::setprecision(3) << std::setw(6) << t.threshold << "  " << std::left << std::setw(26)
            << withInterval(t.byExperts.r2) << std::setw(26) << withInterval(t.byExperts.rho) << std::setw(11) << number(t.byShare.r2.value)
            << std::setw(11) << number(t.byShare.rho.value) << std::right;
        for (size_t m = 0; m < t.experts.size(); ++m) out << (m ? " " : "") << t.experts[m];
        out << "\n";
    }
}

void writeJson(const ModelRanking& r, const std::vector<ModelExperts>& models, std::ostream& out) {
    QJsonArray modelsJson, concepts, thresholds;
    for (size_t m = 0; m < r.models.size(); ++m)
        modelsJson.append(QJsonObject{{"name", QString::fromStdString(r.models[m])}, {"source", QString::fromStdString(models[m].source)},
                                      {"score", r.scores[m]}, {"units", static_cast<qint64>(r.units[m])}});
    for (const auto& c : models.front().concepts) concepts.append(QString::fromStdString(c));
    for (const auto& t : r.thresholds) {
        QJsonArray experts, share;
        for (auto e : t.experts) experts.append(static_cast<qint64>(e));
        for (double s : t.share) share.append(s);
        thresholds.append(QJsonObject{{"threshold", t.threshold}, {"experts", experts}, {"share", share},
                                      {"by_experts", jsonAssociation(t.byExperts)}, {"by_share", jsonAssociation(t.byShare)}});
    }
    QJsonValue best(QJsonValue::Null);
    if (r.best) best = QJsonObject{{"index", static_cast<qint64>(*r.best)}, {"threshold", r.thresholds[*r.best].threshold}};
    const QJsonObject bootstrap{{"resamples", r.bootstrap.resamples}, {"level", r.bootstrap.level},
                                {"seed", static_cast<qint64>(r.bootstrap.seed)}};
    out << QJsonDocument(QJsonObject{{"formula", "experts(t) = units with AP >= t summed over concepts; r2 = Pearson r(score, experts)^2; "
                                                 "rho = Spearman (average ranks); share = experts / units"},
                                     {"primary", "by_experts"},
                                     {"score_negated", r.scoreNegated},
                                     {"bootstrap", bootstrap},
                                     {"models", modelsJson},
                                     {"concepts", concepts},
                                     {"best", best},
                                     {"thresholds", thresholds}})
               .toJson(QJsonDocument::Indented)
               .toStdString();
}

}  // namespace

int rankCommand(const std::vector<std::string>& argsIn, std::ostream& out) {
    std::vector<std::string> flagless, args;
    const bool json = flag(argsIn, "--json", &flagless);
    std::vector<std::string> withoutLower;
    const bool lowerIsBetter = flag(flagless, "--lower-is-better", &withoutLower);
    const auto projects = takeProjects(withoutLower, &args);
    const Options o(args, withSelection({"scores", "resamples", "seed"}));
    RankingOptions options;
    options.higherIsBetter = !lowerIsBetter;
    options.bootstrap.resamples = static_cast<int>(o.integer("resamples", options.bootstrap.resamples, 1));
    options.bootstrap.seed = static_cast<uint64_t>(o.integer("seed", static_cast<long long>(options.bootstrap.seed), 0, std::numeric_limits<long long>::max()));
    ResultRequest request;
    request.settings = selectionSettings(o);
    const auto models = readProjectsExperts(projects, options.thresholds, request);
    const std::string scoresPath = o.required("scores");
    const auto ranking = rankModels(withScores(models, readScoresFile(scoresPath), scoresPath), options);
    if (json) writeJson(ranking, models, out);
    else writeText(ranking, models, out);
    return 0;
}

}  // namespace expertscope::cli
