// expertscope-cli's commands that read a project's results: experts, stats, export, unit
// and colearning.
#include "app/cli_command_list.h"

#include "core/base/error.h"
#include "core/project/model_location.h"
#include "core/project/project_store.h"
#include "core/project/result_source.h"
#include "core/project/run_names.h"
#include "core/project/selfcond_export.h"
#include "core/project/unit_report.h"
#include "core/runtime/language_model.h"
#include "core/runtime/probe.h"
#include "core/science/colearning.h"
#include "core/science/expert_queries.h"

#include "app/cli_options.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <algorithm>
#include <cmath>
#include <ostream>

namespace expertscope::cli {

int expertsCommand(const std::vector<std::string>& argsIn, std::ostream& out) {
    std::vector<std::string> args;
    const bool json = flag(argsIn, "--json", &args);
    const Options o(args, withSelection({"project", "concept", "top", "min-ap"}));
    const auto project = ProjectStore::open(o.required("project"), false);
    const auto ref = conceptResult(*project, o, o.required("concept"));
    const auto e = project->loadConceptResult(ref.runId, ref.conceptId);
    const auto probes = project->probes(ref.modelId);
    // --min-ap reads every unit's AP; otherwise the stored top list is enough.
    const bool threshold = !o.text("min-ap").empty();
    std::vector<Expert> chosen = threshold ? expertsAbove(e, o.number("min-ap", 0.0, 0, 1))
                                           : project->topExperts(ref.runId, ref.conceptId, static_cast<int>(o.integer("top", 20, 1)));
    if (threshold && !o.text("top").empty()) chosen.resize(std::min<size_t>(chosen.size(), static_cast<size_t>(o.integer("top", 20, 1))));
    QJsonArray rows;
    for (const auto& x : chosen) {
        const auto probe = probes.begin() + static_cast<long>(probeOfUnit(probes, x.unit));
        const size_t u = static_cast<size_t>(x.unit);
        rows.append(QJsonObject{{"probe", QString::fromStdString(probe->name)}, {"unit", static_cast<qint64>(x.unit - probe->offset)},
                                {"global_unit", static_cast<qint64>(x.unit)}, {"ap", x.ap}, {"auroc", jsonNumber(e.auroc[u])},
                                {"on_p50", e.onP50[u]}, {"on_p90", e.onP90[u]}, {"off_mean", e.offMean[u]}});
    }
    if (json) {
        out << QJsonDocument(rows).toJson(QJsonDocument::Indented).toStdString();
        return 0;
    }
    out << "probe\tunit\tap\tauroc\ton_p50\ton_p90\toff_mean\n";
    for (const auto& r : rows) {
        const auto x = r.toObject();
        const auto auroc = x.value("auroc");
        out << x.value("probe").toString().toStdString() << "\t" << x.value("unit").toInteger() << "\t"
            << x.value("ap").toDouble() << "\t";
        if (auroc.isNull()) out << "-";  // not computed: the footnote says so
        else out << auroc.toDouble();
        out << "\t" << x.value("on_p50").toDouble() << "\t" << x.value("on_p90").toDouble() << "\t" << x.value("off_mean").toDouble() << "\n";
    }
    if (std::isnan(ref.bestAuroc)) out << "auroc: not computed for these results (analyse again)\n";
    return 0;
}

int statsCommand(const std::vector<std::string>& argsIn, std::ostream& out) {
    std::vector<std::string> args;
    const bool json = flag(argsIn, "--json", &args);
    const Options o(args, withSelection({"project", "concept", "min-ap"}));
    const auto project = ProjectStore::open(o.required("project"), false);
    const auto ref = conceptResult(*project, o, o.required("concept"));
    const auto e = project->loadConceptResult(ref.runId, ref.conceptId);
    const auto probes = project->probes(ref.modelId);
    const double t = o.number("min-ap", kDefaultExpertThreshold, 0, 1);
    const auto perProbe = expertsPerProbe(e, probes, t);
    const double best = ref.bestAp;  // as stored: the value the application lists
    int64_t experts = 0;
    for (int c : perProbe) experts += c;
    if (json) {
        QJsonArray probesJson;
        for (size_t p = 0; p < probes.size(); ++p)
            probesJson.append(QJsonObject{{"probe", QString::fromStdString(probes[p].name)}, {"units", probes[p].units},
                                          {"experts", perProbe[p]}});
        out << QJsonDocument(QJsonObject{{"concept", QString::fromStdString(ref.concept)}, {"best_ap", best},
                                         {"best_auroc", jsonNumber(ref.bestAuroc)},
                                         {"run", static_cast<qint64>(ref.runId)},
                                         {"settings", QString::fromStdString(describeRun(ref))},
                                         {"bos_pooled", ref.bosPooled},
                                         {"threshold", t}, {"experts", static_cast<qint64>(experts)},
                                         {"per_probe", probesJson}, {"neurons_at_ap", neuronsAtAp(e)}})
                   .toJson(QJsonDocument::Indented)
                   .toStdString();
        return 0;
    }
    out << ref.concept << ": best AP " << best << ", best AUROC " << aurocText(ref.bestAuroc) << ", " << experts
        << " experts with AP >= " << t << "; " << describeRun(ref) << "\n";
    for (size_t p = 0; p < probes.size(); ++p)
        if (perProbe[p] > 0) out << "  " << probes[p].name << ": " << perProbe[p] << " of " << probes[p].units << "\n";
    return 0;
}

int exportCommand(const std::vector<std::string>& args, std::ostream& out) {
    const Options o(args, withSelection({"project", "out", "run"}));
    const auto project = ProjectStore::open(o.required("project"), false);
    const auto refs = projectResults(*project, o);
    for (const auto& ref : refs) out << exportSelfcondResult(*project, ref, o.required("out")) << "\n";
    return 0;
}

// A unit's report, as the application's inspector shows it (core/project/unit_report.h).
int unitCommand(const std::vector<std::string>& argsIn, std::ostream& out) {
    std::vector<std::string> args;
    const bool json = flag(argsIn, "--json", &args);
    const Options o(args, withSelection({"project", "concept", "unit", "model", "tokenizer", "sentences"}));
    const auto project = ProjectStore::open(o.required("project"), false);
    const auto ref = conceptResult(*project, o, o.required("concept"));
    o.required("unit");  // missing: says so, rather than taking unit 0
    UnitReport r = storedUnitReport(*project, ref, o.integer("unit", 0, 0, std::numeric_limits<long long>::max()));
    // The model the results came from, unless another copy is named.
    ModelSource source{o.text("model"), o.text("tokenizer")};
    if (source.path.empty()) {
        source = storedModelSource(*project, ref.modelId);
        if (!o.text("tokenizer").empty()) source.tokenizerPath = o.text("tokenizer");
    }
    const auto model = loadModel(source);
    explainUnit(r, project->loadConcept(ref.conceptId), ref.settings, *model, static_cast<int>(o.integer("sentences", kSentencesShown, 0)));
    const auto sentences = [](const std::vector<SentenceReport>& list) {
        QJsonArray rows;
        for (const auto& s : list) {
            QJsonArray tokens;
            for (const auto& t : s.tokens) tokens.append(QJsonObject{{"text", QString::fromStdString(t.text)}, {"value", t.value}});
            rows.append(QJsonObject{{"sentence", QString::fromStdString(s.sentence)}, {"positive", s.positive},
                                    {"response", s.response}, {"tokens", tokens}});
        }
        return rows;
    };
    if (json) {
        out << QJsonDocument(QJsonObject{{"concept", QString::fromStdString(r.concept)},
                                         {"probe", QString::fromStdString(r.probe)},
                                         {"unit", r.unitInProbe},
                                         {"global_unit", static_cast<qint64>(r.unit)},
                                         {"ap", r.ap}, {"auroc", jsonNumber(r.auroc)},
                                         {"on_p50", r.onP50}, {"on_p90", r.onP90}, {"off_mean", r.offMean},
                                         {"run", static_cast<qint64>(ref.runId)},
                                         {"from_kept_responses", r.fromKeptResponses},
                                         {"strongest", sentences(r.strongest)},
                                         {"weakest", sentences(r.weakest)}})
                   .toJson(QJsonDocument::Indented)
                   .toStdString();
        return 0;
    }
    out << r.concept << ": " << r.probe << " unit " << r.unitInProbe << " (global " << r.unit << "), AP " << r.ap
        << ", AUROC " << aurocText(r.auroc) << ", on_p50 " << r.onP50 << ", on_p90 " << r.onP90 << ", off_mean " << r.offMean << "\n";
    for (const auto* list : {&r.strongest, &r.weakest}) {
        out << (list == &r.strongest ? "most exciting:\n" : "least exciting:\n");
        for (const auto& s : *list) out << "  " << s.response << (s.positive ? " + " : " - ") << s.sentence << "\n";
    }
    return 0;
}

int coLearningCommand(const std::vector<std::string>& argsIn, std::ostream& out) {
    std::vector<std::string> withoutJson, args;
    const bool json = flag(argsIn, "--json", &withoutJson);
    const bool across = flag(withoutJson, "--across", &args);
    const Options o(args, withSelection({"project", "k", "out", "run", "concept"}));
    const auto project = ProjectStore::open(o.required("project"), false);
    const int k = static_cast<int>(o.integer("k", kDefaultCoLearningK, 1));
    if (across) {
        // Against every concept set of the project: what this (new) concept is like.
        if (o.text("concept").empty()) throw Error("--across needs --concept NAME");
        const auto ref = conceptResult(*project, o, o.text("concept"));
        QJsonArray rows;
        for (const auto& n : closestInProject(*project, ref, k)) {
            rows.append(QJsonObject{{"concept", QString::fromStdString(n.ref.concept)}, {"concept_set", static_cast<qint64>(n.ref.setId)},
                                    {"overlap", n.overlap}});
            if (!json) out << n.ref.concept << "\t" << n.overlap << "\t(set " << n.ref.setId << ")\n";
        }
        if (json) out << QJsonDocument(rows).toJson(QJsonDocument::Indented).toStdString();
        return 0;
    }
    const auto refs = projectResults(*project, o);
    std::vector<std::string> names;
    std::vector<std::vector<int64_t>> tops;
    for (const auto& ref : refs) {
        names.push_back(ref.concept);
        std::vector<int64_t> units;
        for (const auto& e : project->topExperts(ref.runId, ref.conceptId, k)) units.push_back(e.unit);
        tops.push_back(std::move(units));
    }
    const auto m = coLearning(names, tops, k);
    if (!o.text("concept").empty()) {
        // The concepts whose experts overlap most with this one: what it is learnt with.
        const auto it = std::find(names.begin(), names.end(), o.text("concept"));
        if (it == names.end())
            throw Error("no finished concept named '" + o.text("concept") + "' among the " + std::to_string(names.size()) +
                        " of " + (o.text("run").empty() ? "the chosen model and concept set" : "run " + o.text("run")));
        const size_t i = static_cast<size_t>(it - names.begin());
        const auto others = closestConcepts(m, i);
        QJsonArray rows;
        for (size_t j : others)
            rows.append(QJsonObject{{"concept", QString::fromStdString(names[j])}, {"overlap", m.at(i, j)}});
        if (json) {
            out << QJsonDocument(rows).toJson(QJsonDocument::Indented).toStdString();
        } else {
            for (size_t j : others) out << names[j] << "\t" << m.at(i, j) << "\n";
        }
        return 0;
    }
    QString csv = "concept";
    for (int j : m.order) csv += "," + QString::fromStdString(m.concepts[static_cast<size_t>(j)]);
    csv += "\n";
    for (int i : m.order) {
        csv += QString::fromStdString(m.concepts[static_cast<size_t>(i)]);
        for (int j : m.order) csv += "," + QString::number(m.at(static_cast<size_t>(i), static_cast<size_t>(j)));
        csv += "\n";
    }
    if (!o.text("out").empty()) {
        QFile f(QString::fromStdString(o.text("out")));
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) throw Error(o.text("out") + ": cannot write");
        f.write(csv.toUtf8());
    }
    if (json) {
        QJsonArray order, rows;
        for (int i : m.order) {
            order.append(QString::fromStdString(m.concepts[static_cast<size_t>(i)]));
            QJsonArray row;
            for (int j : m.order) row.append(m.at(static_cast<size_t>(i), static_cast<size_t>(j)));
            rows.append(row);
        }
        out << QJsonDocument(QJsonObject{{"k", k}, {"concepts", order}, {"overlap", rows}}).toJson(QJsonDocument::Indented).toStdString();
    } else if (o.text("out").empty()) {
        out << csv.toStdString();
    }
    return 0;
}

}  // namespace expertscope::cli
