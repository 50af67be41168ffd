// expertscope-cli curve: the steering curve of a concept (core/project/steering_curve.h).
#include "app/cli_command_list.h"
#include "app/cli_options.h"

#include "core/base/error.h"
#include "core/project/concept_forcing.h"
#include "core/project/run_names.h"
#include "core/project/steering_curve.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <cstdio>
#include <iomanip>
#include <ostream>

namespace expertscope::cli {
namespace {

std::vector<std::string> listOf(const std::string& text) {
    std::vector<std::string> out;
    for (const auto& part : QString::fromStdString(text).split(',', Qt::SkipEmptyParts)) out.push_back(part.trimmed().toStdString());
    return out;
}

std::vector<int> integersOf(const std::string& text, const char* option) {
    std::vector<int> out;
    for (const auto& part : listOf(text)) {
        bool ok = false;
        const int v = QString::fromStdString(part).toInt(&ok);
        if (!ok || v < 0) throw Error(std::string(option) + " expects numbers of 0 or more separated by commas, got '" + text + "'");
        out.push_back(v);
    }
    return out;
}

}  // namespace

int curveCommand(const std::vector<std::string>& argsIn, std::ostream& out) {
    std::vector<std::string> withoutJson, args;
    const bool json = flag(argsIn, "--json", &withoutJson);
    const bool aura = flag(withoutJson, "--aura", &args);
    const Options o(args, withSelection({"model", "tokenizer", "project", "concept", "targets", "k", "seeds", "prompt", "length",
                                         "temperature", "top-p", "force", "strength", "scope"}));
    SteeringOptions s;
    const std::string concept = o.required("concept");
    if (!o.text("k").empty()) s.ks = integersOf(o.text("k"), "--k");
    s.seeds = static_cast<int>(o.integer("seeds", 20, 1));
    s.prompt = o.text("prompt");
    s.generation.maxNewTokens = static_cast<int>(o.integer("length", 60, 1));
    s.generation.temperature = static_cast<float>(o.number("temperature", 0.8, 0, 100));
    s.generation.topP = static_cast<float>(o.number("top-p", 0.95, 0, 1));
    s.generation.stopAtEos = false;  // every generation as long as the others
    if (!(s.generation.topP > 0 && s.generation.topP <= 1)) throw Error("--top-p must be in (0, 1]");
    s.value = parseForceValue(o.text("force", "on_p50"));
    s.strength = o.number("strength", 1.0, 0, 1000);
    if (!(s.strength >= 0 && s.strength <= 100)) throw Error("--strength must be in [0, 100]");
    s.scope = parseChoice(forceScopeChoices(), o.text("scope", "all"), "--scope");
    s.auraPoint = aura;
    const auto model = openModel(o);
    const auto project = ProjectStore::open(o.required("project"), false);
    const auto ref = conceptResult(*project, o, concept);
    // Default: the concept's own words as its set gave them, else its name.
    s.targets = o.text("targets").empty() ? defaultTargets(*project, ref.conceptId, ref.concept) : listOf(o.text("targets"));
    const auto curve = steeringCurve(*model, *project, ref, s, [&](int done, int total) {
        if (!json) std::fprintf(stderr, "\r%d/%d generations", done, total);
        return true;
    });
    if (!json) std::fprintf(stderr, "\n");
    if (!curve.auraMissing.empty()) std::fprintf(stderr, "no AurA point: %s\n", curve.auraMissing.c_str());
    if (json) {
        QJsonArray points;
        for (const auto& p : curve.points) {
            QJsonArray texts;
            for (const auto& t : p.texts) texts.append(QString::fromStdString(t));
            QJsonObject point{{"k", p.k}, {"rate", p.rate}, {"rate_sd", p.rateSd}, {"share", p.share},
                              {"perplexity", p.perplexity}, {"perplexity_sd", p.perplexitySd}, {"texts", texts}};
            if (p.firstTokenProbability >= 0) point["first_token_probability"] = p.firstTokenProbability;
            points.append(point);
        }
        QJsonArray targets;
        for (const auto& t : curve.options.targets) targets.append(QString::fromStdString(t));
        out << QJsonDocument(QJsonObject{{"concept", QString::fromStdString(curve.concept)},
                                         {"run", static_cast<qint64>(ref.runId)},
                                         {"targets", targets},
                                         {"seeds", s.seeds},
                                         {"length", s.generation.maxNewTokens},
                                         {"temperature", s.generation.temperature},
                                         {"top_p", s.generation.topP},
                                         {"prompt", QString::fromStdString(s.prompt)},
                                         {"force", choiceName(forceValueChoices(), s.value)},
                                         {"aura_missing", QString::fromStdString(curve.auraMissing)},
                                         {"points", points}})
                   .toJson(QJsonDocument::Indented)
                   .toStdString();
        return 0;
    }
    out << "k\trate\trate_sd\tshare\tperplexity\tperplexity_sd" << (s.prompt.empty() ? "" : "\tfirst_token_p") << "\n";
    out << std::setprecision(6);
    for (const auto& p : curve.points) {
        out << p.k << '\t' << p.rate << '\t' << p.rateSd << '\t' << p.share << '\t' << p.perplexity << '\t' << p.perplexitySd;
        if (!s.prompt.empty()) out << '\t' << p.firstTokenProbability;
        out << "\n";
    }
    return 0;
}

}  // namespace expertscope::cli
