#include "app/cli_commands.h"

#include "core/base/error.h"
#include "core/project/analysis.h"
#include "core/project/concept_forcing.h"
#include "core/project/result_source.h"
#include "core/project/run_names.h"
#include "core/project/selfcond_export.h"
#include "core/project/unit_report.h"
#include "core/runtime/language_model.h"
#include "core/science/colearning.h"
#include "core/science/expert_queries.h"
#include "core/science/response_collector.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <unistd.h>
#include <functional>
#include <map>
#include <ostream>
#include <set>

namespace expertscope::cli {
namespace {

const char* kUsage =
    "usage: expertscope-cli <command> [options]\n"
    "\n"
    "commands:\n"
    "  info      --model PATH [--tokenizer PATH]\n"
    "            family, dimensions and every probe point, as JSON\n"
    "  generate  --model PATH [--tokenizer PATH] [--prompt TEXT] [--length N] [--temperature T]\n"
    "            [--top-k K] [--top-p P] [--seed S]\n"
    "            [--project FILE --concept NAME --experts K [--force on_p50|on_p90|off_mean|zero]\n"
    "             [--scope all|new] [SELECTION]]\n"
    "            prints the generated text (temperature 0 is greedy; no prompt starts from BOS);\n"
    "            with --concept, the concept's top K experts (default 50) are forced to their value\n"
    "  analyse   --model PATH [--tokenizer PATH] --concepts PATH --project FILE\n"
    "            [--pooling max|mean|selfcond] [--seq-len N] [--batch-tokens N] [--threads N]\n"
    "            [--long drop|truncate] [--keep-responses K] [--reuse-mb MB] [--json]\n"
    "            expertise of every unit for every concept, stored in the project (resumes);\n"
    "            --keep-responses stores the per-sentence responses of each concept's top K\n"
    "            experts; sentences shared by concepts run once, their responses kept in up to\n"
    "            --reuse-mb MB of memory (default 1024)\n"
    "  experts   --project FILE --concept NAME [--top K] [--min-ap T] [SELECTION] [--json]\n"
    "  stats     --project FILE --concept NAME [--min-ap T] [SELECTION] [--json]\n"
    "            best AP, experts per probe point, and ml-selfcond's neurons_at_ap (units with AP\n"
    "            strictly above each of 0.500, 0.501, ..., 1.000)\n"
    "  export    --project FILE --out DIR [--run N] [SELECTION]\n"
    "            ml-selfcond's expertise.csv and expertise_info.json per concept\n"
    "  unit      --project FILE --concept NAME --unit U [--model PATH [--tokenizer PATH]]\n"
    "            [--sentences N] [SELECTION] [--json]\n"
    "            a unit's statistics and the N sentences (default 5) that excite it most and least,\n"
    "            with its value at each token, as the application's inspector shows them; U is the\n"
    "            global unit index (experts lists it); the model the results came from by default\n"
    "  colearning --project FILE [--k K] [--out FILE.csv] [--concept NAME] [--run N] [SELECTION]\n"
    "            [--json]\n"
    "            overlap of the concepts' top-k experts, in clustering order; with --concept,\n"
    "            the other concepts ranked by their overlap with it\n"
    "\n"
    "SELECTION is [--pooling max|mean|selfcond] [--seq-len N] [--long drop|truncate], as for\n"
    "analyse (default: max pooling, the model's length, drop). A concept's results come from\n"
    "the newest run that finished it with these settings, else from the newest run that\n"
    "finished it (the application chooses the same way, with its preferences). export and\n"
    "colearning take the model and concept set of the newest run with these settings (else of\n"
    "the newest run), or exactly the run --run names.\n"
    "\n"
    "--model takes a Hugging Face directory (Llama or GPT-2) or a llama2.c .bin. The tokenizer\n"
    "defaults to what lies beside the model: tokenizer.model or tok*.model (sentencepiece),\n"
    "vocab.json + merges.txt or tokenizer.json (GPT-2). --tokenizer names another: a\n"
    "sentencepiece .model, a GPT-2 directory, tokenizer.json, or vocab/encoder .json with\n"
    "merges.txt or vocab.bpe beside it.\n";

// --key value options, checked against what the command accepts.
class Options {
public:
    Options(const std::vector<std::string>& args, const std::set<std::string>& known) {
        for (size_t i = 1; i < args.size(); ++i) {
            const std::string& a = args[i];
            if (a.rfind("--", 0) != 0) throw Error("unexpected argument '" + a + "'");
            const std::string key = a.substr(2);
            if (!known.count(key)) throw Error("unknown option '" + a + "' for '" + args[0] + "'");
            if (i + 1 >= args.size()) throw Error("option '" + a + "' needs a value");
            values_[key] = args[++i];
        }
    }
    std::string text(const std::string& key, const std::string& fallback = "") const {
        auto it = values_.find(key);
        return it == values_.end() ? fallback : it->second;
    }
    std::string required(const std::string& key) const {
        auto it = values_.find(key);
        if (it == values_.end()) throw Error("missing --" + key);
        return it->second;
    }
    double number(const std::string& key, double fallback) const {
        auto it = values_.find(key);
        if (it == values_.end()) return fallback;
        char* end = nullptr;
        const double v = std::strtod(it->second.c_str(), &end);
        if (end == it->second.c_str() || *end != '\0') throw Error("--" + key + " expects a number, got '" + it->second + "'");
        return v;
    }
    long long integer(const std::string& key, long long fallback, long long min) const {
        auto it = values_.find(key);
        if (it == values_.end()) return fallback;
        char* end = nullptr;
        const long long v = std::strtoll(it->second.c_str(), &end, 10);
        if (end == it->second.c_str() || *end != '\0' || v < min)
            throw Error("--" + key + " expects an integer >= " + std::to_string(min) + ", got '" + it->second + "'");
        return v;
    }

private:
    std::map<std::string, std::string> values_;
};

bool flag(const std::vector<std::string>& args, const std::string& name, std::vector<std::string>* rest) {
    bool found = false;
    rest->clear();
    for (const auto& a : args) {
        if (a == name) found = true;
        else rest->push_back(a);
    }
    return found;
}

std::atomic<bool> interrupted{false};
void onInterrupt(int) { interrupted = true; }

std::unique_ptr<LanguageModel> openModel(const Options& o) {
    return loadModel({o.required("model"), o.text("tokenizer")});
}

int info(const std::vector<std::string>& args, std::ostream& out) {
    const Options o(args, {"model", "tokenizer"});
    const auto model = openModel(o);
    const ModelInfo& i = model->info();
    QJsonArray probes;
    for (const auto& p : model->probePoints()) {
        probes.append(QJsonObject{{"name", QString::fromStdString(p.name)},
                                  {"kind", QString::fromStdString(p.kind)},
                                  {"layer", p.layer},
                                  {"units", p.units},
                                  {"first_unit", static_cast<qint64>(p.offset)},
                                  {"checkpoint_tensor", QString::fromStdString(p.checkpointTensor)}});
    }
    const QJsonObject doc{
        {"family", QString::fromStdString(i.family)},
        {"format", QString::fromStdString(i.format)},
        {"path", QString::fromStdString(i.path)},
        {"tokenizer", QString::fromStdString(i.tokenizerPath)},
        {"dimensions", QJsonObject{{"layers", i.layers}, {"hidden", i.hidden}, {"intermediate", i.intermediate},
                                   {"heads", i.heads}, {"kv_heads", i.kvHeads}, {"head_dim", i.headDim},
                                   {"vocab", i.vocab}, {"max_positions", i.maxPositions}}},
        {"tied_embeddings", i.tiedEmbeddings},
        {"bos_id", i.bosId},
        {"eos_id", i.eosId},
        {"parameters", static_cast<qint64>(i.parameters)},
        {"device", QString::fromStdString(i.device)},
        {"row_alignment", i.rowAlignment},  // 0: responses are not batch-invariant on this device
        {"probe_points", probes},
        {"total_units", static_cast<qint64>(model->unitCount())},
    };
    out << QJsonDocument(doc).toJson(QJsonDocument::Indented).toStdString();
    return 0;
}

// The options that select what a run computes; commands accept them with their own.
std::set<std::string> withSelection(std::set<std::string> known) {
    known.insert({"pooling", "seq-len", "long"});
    return known;
}

// What --pooling, --seq-len and --long name: the settings analyse runs with, and the ones
// the reading commands prefer among a concept's runs (result_source.h).
RunSettings selectionSettings(const Options& o) {
    RunSettings s;
    s.pooling = parseChoice(poolingChoices(), o.text("pooling", "max"), "--pooling");
    s.sequenceLength = static_cast<int>(o.integer("seq-len", s.pooling == Pooling::SelfcondMax ? kSelfcondSequenceLength : 0, 0));
    s.longSentences = parseChoice(longSentenceChoices(), o.text("long", "drop"), "--long");
    return s;
}

ProjectStore::ResultRef conceptResult(const ProjectStore& project, const Options& o, const std::string& conceptName) {
    ResultRequest request;
    request.settings = selectionSettings(o);
    return chooseResult(project, conceptName, request);
}

// The finished concepts a whole-project command works on: those of --run, else each
// concept's chosen result within the chosen model and concept set.
std::vector<ProjectStore::ResultRef> projectResults(const ProjectStore& project, const Options& o) {
    std::vector<ProjectStore::ResultRef> refs;
    if (!o.text("run").empty()) {
        refs = project.results(o.integer("run", 0, 1));
        if (refs.empty()) throw Error(project.path() + ": run " + o.text("run") + " has no finished concepts");
        return refs;
    }
    ResultRequest request;
    request.settings = selectionSettings(o);
    for (auto& [conceptId, ref] : chooseResults(project, chooseScope(project, request))) refs.push_back(std::move(ref));
    if (refs.empty()) throw Error(project.path() + ": no concept has results yet (run analyse first)");
    return refs;
}

Forcing forcingFromProject(const Options& o, const LanguageModel& model) {
    Forcing f;
    if (o.text("concept").empty()) return f;
    const auto project = ProjectStore::open(o.required("project"), false);
    const auto ref = conceptResult(*project, o, o.text("concept"));
    const ForceValue value = parseForceValue(o.text("force", "on_p50"));
    f.scope = parseChoice(forceScopeChoices(), o.text("scope", "all"), "--scope");
    forceConceptExperts(f, *project, ref, model.probePoints(), static_cast<int>(o.integer("experts", kDefaultForcedExperts, 0)), value);
    return f;
}

int generate(const std::vector<std::string>& args, std::ostream& out) {
    const Options o(args, withSelection({"model", "tokenizer", "prompt", "length", "temperature", "top-k", "top-p", "seed",
                                         "project", "concept", "experts", "force", "scope"}));
    GenerationOptions g;
    g.maxNewTokens = static_cast<int>(o.integer("length", 64, 0));
    g.temperature = static_cast<float>(o.number("temperature", 1.0));
    g.topK = static_cast<int>(o.integer("top-k", 0, 0));
    g.topP = static_cast<float>(o.number("top-p", 1.0));
    g.seed = static_cast<uint64_t>(o.integer("seed", 0, 0));
    if (g.topP <= 0 || g.topP > 1) throw Error("--top-p must be in (0, 1]");
    const auto model = openModel(o);
    const Forcing forcing = forcingFromProject(o, *model);
    const std::string prompt = o.text("prompt");
    const std::vector<int> ids = prompt.empty() ? std::vector<int>{} : model->tokenize(prompt);
    // Stream tokens as they come; the text is exactly the decoded continuation.
    model->generate(ids, g, forcing, [&](int, const std::string& text) {
        out << text << std::flush;
        return true;
    });
    if (isatty(STDOUT_FILENO) && &out == &std::cout) out << "\n";  // pipes get exactly the text
    return 0;
}

int analyseCommand(const std::vector<std::string>& argsIn, std::ostream& out) {
    std::vector<std::string> args;
    const bool json = flag(argsIn, "--json", &args);
    const Options o(args, withSelection({"model", "tokenizer", "concepts", "project", "batch-tokens", "threads",
                                         "keep-responses", "reuse-mb"}));
    RunSettings settings = selectionSettings(o);
    settings.tokenBudget = static_cast<int>(o.integer("batch-tokens", 1024, 1));
    settings.workers = static_cast<int>(o.integer("threads", 0, 0));
    settings.keepResponses = static_cast<int>(o.integer("keep-responses", 0, 0));
    settings.reuseBytes = o.integer("reuse-mb", 1024, 0) << 20;
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
                                    {"best_ap", top.empty() ? 0.0 : top[0].ap}});
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
                                         {"concepts", concepts},
                                         {"messages", messages}})
                   .toJson(QJsonDocument::Indented)
                   .toStdString();
    } else {
        for (const auto& m : summary.messages)
            out << (m.fatal ? "refused " : "note ") << m.concept << ": " << m.message << "\n";
        for (const auto& c : concepts)
            out << c.toObject().value("concept").toString().toStdString() << ": best AP "
                << c.toObject().value("best_ap").toDouble() << "\n";
        out << "run " << summary.runId << ": " << summary.analysed << " analysed, " << summary.alreadyDone
            << " already done, " << summary.refused << " refused; " << summary.sentencesRun << " sentences run, "
            << summary.sentencesReused << " reused\n";
    }
    return summary.refused > 0 ? 1 : 0;
}

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
    std::vector<Expert> chosen = threshold ? expertsAbove(e, o.number("min-ap", 0.0))
                                           : project->topExperts(ref.runId, ref.conceptId, static_cast<int>(o.integer("top", 20, 1)));
    if (threshold && !o.text("top").empty()) chosen.resize(std::min<size_t>(chosen.size(), static_cast<size_t>(o.integer("top", 20, 1))));
    QJsonArray rows;
    for (const auto& x : chosen) {
        const auto probe = probes.begin() + static_cast<long>(probeOfUnit(probes, x.unit));
        const size_t u = static_cast<size_t>(x.unit);
        rows.append(QJsonObject{{"probe", QString::fromStdString(probe->name)}, {"unit", static_cast<qint64>(x.unit - probe->offset)},
                                {"global_unit", static_cast<qint64>(x.unit)}, {"ap", x.ap}, {"on_p50", e.onP50[u]},
                                {"on_p90", e.onP90[u]}, {"off_mean", e.offMean[u]}});
    }
    if (json) {
        out << QJsonDocument(rows).toJson(QJsonDocument::Indented).toStdString();
        return 0;
    }
    out << "probe\tunit\tap\ton_p50\ton_p90\toff_mean\n";
    for (const auto& r : rows) {
        const auto x = r.toObject();
        out << x.value("probe").toString().toStdString() << "\t" << x.value("unit").toInteger() << "\t"
            << x.value("ap").toDouble() << "\t" << x.value("on_p50").toDouble() << "\t" << x.value("on_p90").toDouble()
            << "\t" << x.value("off_mean").toDouble() << "\n";
    }
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
    const double t = o.number("min-ap", kDefaultExpertThreshold);
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
                                         {"run", static_cast<qint64>(ref.runId)},
                                         {"settings", QString::fromStdString(describeRun(ref))},
                                         {"bos_pooled", ref.bosPooled},
                                         {"threshold", t}, {"experts", static_cast<qint64>(experts)},
                                         {"per_probe", probesJson}, {"neurons_at_ap", neuronsAtAp(e)}})
                   .toJson(QJsonDocument::Indented)
                   .toStdString();
        return 0;
    }
    out << ref.concept << ": best AP " << best << ", " << experts << " experts with AP >= " << t << "; " << describeRun(ref) << "\n";
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
    UnitReport r = storedUnitReport(*project, ref, o.integer("unit", 0, 0));
    // The model the results came from, unless another copy is named.
    const auto stored = project->modelSource(ref.modelId);
    const auto model = loadModel({o.text("model", stored.path), o.text("tokenizer", o.text("model").empty() ? stored.tokenizerPath : "")});
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
                                         {"ap", r.ap}, {"on_p50", r.onP50}, {"on_p90", r.onP90}, {"off_mean", r.offMean},
                                         {"run", static_cast<qint64>(ref.runId)},
                                         {"from_kept_responses", r.fromKeptResponses},
                                         {"strongest", sentences(r.strongest)},
                                         {"weakest", sentences(r.weakest)}})
                   .toJson(QJsonDocument::Indented)
                   .toStdString();
        return 0;
    }
    out << r.concept << ": " << r.probe << " unit " << r.unitInProbe << " (global " << r.unit << "), AP " << r.ap
        << ", on_p50 " << r.onP50 << ", on_p90 " << r.onP90 << ", off_mean " << r.offMean << "\n";
    for (const auto* list : {&r.strongest, &r.weakest}) {
        out << (list == &r.strongest ? "most exciting:\n" : "least exciting:\n");
        for (const auto& s : *list) out << "  " << s.response << (s.positive ? " + " : " - ") << s.sentence << "\n";
    }
    return 0;
}

int coLearningCommand(const std::vector<std::string>& argsIn, std::ostream& out) {
    std::vector<std::string> args;
    const bool json = flag(argsIn, "--json", &args);
    const Options o(args, withSelection({"project", "k", "out", "run", "concept"}));
    const auto project = ProjectStore::open(o.required("project"), false);
    const int k = static_cast<int>(o.integer("k", kDefaultCoLearningK, 1));
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

}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        (args.empty() ? err : out) << kUsage;
        return args.empty() ? 2 : 0;
    }
    const std::map<std::string, std::function<int(const std::vector<std::string>&, std::ostream&)>> commands{
        {"info", info},
        {"generate", generate},
        {"analyse", analyseCommand},
        {"analyze", analyseCommand},
        {"experts", expertsCommand},
        {"stats", statsCommand},
        {"export", exportCommand},
        {"colearning", coLearningCommand},
        {"unit", unitCommand}};
    auto it = commands.find(args[0]);
    if (it == commands.end()) {
        err << "expertscope-cli: unknown command '" << args[0] << "'\n" << kUsage;
        return 2;
    }
    try {
        return it->second(args, out);
    } catch (const Error& e) {
        err << "expertscope-cli " << args[0] << ": " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        err << "expertscope-cli " << args[0] << ": internal error: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace expertscope::cli
