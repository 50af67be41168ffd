// expertscope-cli's commands over a model alone: info and generate.
#include "app/cli_command_list.h"

#include "core/base/error.h"
#include "core/project/concept_forcing.h"
#include "core/project/project_store.h"
#include "core/project/run_names.h"
#include "core/runtime/language_model.h"
#include "core/science/fill_mask.h"
#include "core/tokenizers/bpe_tokenizer.h"

#include "app/cli_options.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <iostream>
#include <ostream>
#include <unistd.h>

namespace expertscope::cli {
namespace {

// generate --concept: the concept's top --experts units, from the project's results, forced to
// the --force value.
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

}  // namespace

int infoCommand(const std::vector<std::string>& args, std::ostream& out) {
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
        {"architecture", QString::fromStdString(i.architecture)},
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
        {"runtime", QString::fromStdString(runtimeDescription())},  // LibTorch, CUDA or CPU, threads
        {"row_alignment", i.rowAlignment},  // 0: responses are not batch-invariant on this device
        {"probe_points", probes},
        {"total_units", static_cast<qint64>(model->unitCount())},
    };
    out << QJsonDocument(doc).toJson(QJsonDocument::Indented).toStdString();
    return 0;
}

// "1,2,3" -> {1, 2, 3}; throws on anything else.
std::vector<int> parseIds(const std::string& text, const std::string& option = "--prompt-ids") {
    std::vector<int> ids;
    for (const auto& part : QString::fromStdString(text).split(',')) {
        bool ok = false;
        const int id = part.trimmed().toInt(&ok);
        if (!ok || id < 0) throw Error(option + " expects token ids separated by commas (1,2,3), got '" + text + "'");
        ids.push_back(id);
    }
    return ids;
}

int tokenizeCommand(const std::vector<std::string>& argsIn, std::ostream& out) {
    std::vector<std::string> args;
    const bool special = flag(argsIn, "--special", &args);
    const Options o(args, {"model", "tokenizer", "text", "decode"});
    if (o.text("model").empty() && o.text("tokenizer").empty()) throw Error("tokenize needs --model or --tokenizer");
    if (o.text("text").empty() == o.text("decode").empty()) throw Error("tokenize needs --text TEXT or --decode 1,2,3");
    std::unique_ptr<LanguageModel> model;
    std::unique_ptr<Tokenizer> own;
    if (!o.text("model").empty()) model = openModel(o);
    else own = loadTokenizer(o.required("tokenizer"));
    const Tokenizer& tok = model ? model->tokenizer() : *own;
    if (!o.text("decode").empty()) {
        out << tok.decode(parseIds(o.text("decode"), "--decode")) << "\n";
        return 0;
    }
    std::vector<int> ids;
    const std::string text = o.text("text");
    if (special) {
        const auto* bpe = dynamic_cast<const ByteLevelBpe*>(&tok);
        if (!bpe) throw Error("--special: this tokenizer reads special tokens as text");
        ids = bpe->encode(text, true);
        if (model && model->info().prependBos && model->info().bosId >= 0) ids.insert(ids.begin(), model->info().bosId);
    } else {
        ids = model ? model->tokenize(text) : tok.encode(text);
    }
    QJsonArray list;
    for (int id : ids) list.append(id);
    out << QJsonDocument(QJsonObject{{"ids", list}, {"bos_added", model != nullptr && model->info().prependBos}})
               .toJson(QJsonDocument::Compact)
               .toStdString()
        << "\n";
    return 0;
}

int generateCommand(const std::vector<std::string>& argsIn, std::ostream& out) {
    std::vector<std::string> args;
    const bool printIds = flag(argsIn, "--ids", &args);
    const Options o(args, withSelection({"model", "tokenizer", "prompt", "prompt-ids", "length", "temperature", "top-k", "top-p",
                                         "seed", "project", "concept", "experts", "force", "scope"}));
    GenerationOptions g;
    g.maxNewTokens = static_cast<int>(o.integer("length", 64, 0));
    g.temperature = static_cast<float>(o.number("temperature", 1.0, 0, 100));
    g.topK = static_cast<int>(o.integer("top-k", 0, 0));
    g.topP = static_cast<float>(o.number("top-p", 1.0, 0, 1));
    g.seed = static_cast<uint64_t>(o.integer("seed", 0, 0, std::numeric_limits<long long>::max()));
    if (g.topP <= 0 || g.topP > 1) throw Error("--top-p must be in (0, 1]");
    const auto model = openModel(o);
    const Forcing forcing = forcingFromProject(o, *model);
    const std::string prompt = o.text("prompt");
    if (!prompt.empty() && !o.text("prompt-ids").empty()) throw Error("give --prompt or --prompt-ids, not both");
    const std::vector<int> ids = !o.text("prompt-ids").empty() ? parseIds(o.text("prompt-ids"))
                                 : prompt.empty()               ? std::vector<int>{}
                                                                : model->tokenize(prompt);
    // Stream tokens as they come; the text is exactly the decoded continuation.
    bool first = true;
    model->generate(ids, g, forcing, [&](int token, const std::string& text) {
        if (printIds) out << (first ? "" : ",") << token;
        else out << text;
        out << std::flush;
        first = false;
        return true;
    });
    if (printIds) out << "\n";
    if (isatty(STDOUT_FILENO) && &out == &std::cout) out << "\n";  // pipes get exactly the text
    return 0;
}

// Encoders: the likeliest tokens where the text says [MASK], without forcing and, with a
// concept, with its experts forced (core/science/fill_mask.h; the Generation tab shows the same).
int fillCommand(const std::vector<std::string>& argsIn, std::ostream& out) {
    std::vector<std::string> args;
    const bool json = flag(argsIn, "--json", &args);
    const Options o(args, withSelection({"model", "tokenizer", "text", "top", "project", "concept", "experts", "force"}));
    const auto model = openModel(o);
    const Forcing forcing = forcingFromProject(o, *model);
    const int top = static_cast<int>(o.integer("top", 10, 1));
    const std::string text = o.required("text");
    const auto plain = fillMasks(*model, text, {}, top);
    if (!json) {
        out << describeFilledMasks(plain);
        if (!forcing.empty()) out << "with " << o.text("concept") << "'s experts forced:\n" << describeFilledMasks(fillMasks(*model, text, forcing, top));
        return 0;
    }
    const auto toJson = [](const std::vector<FilledMask>& masks) {
        QJsonArray a;
        for (const auto& m : masks) {
            QJsonArray guesses;
            for (const auto& g : m.guesses)
                guesses.append(QJsonObject{{"token", g.token}, {"text", QString::fromStdString(g.text)}, {"probability", g.probability}});
            a.append(QJsonObject{{"position", m.position}, {"guesses", guesses}});
        }
        return a;
    };
    QJsonObject result{{"masks", toJson(plain)}};
    if (!forcing.empty()) result["forced"] = toJson(fillMasks(*model, text, forcing, top));
    out << QJsonDocument(result).toJson(QJsonDocument::Indented).toStdString();
    return 0;
}

}  // namespace expertscope::cli
