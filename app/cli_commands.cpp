#include "cli_commands.h"

#include "core/error.h"
#include "core/language_model.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

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
    "            prints the generated text (temperature 0 is greedy; no prompt starts from BOS)\n"
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
        {"probe_points", probes},
        {"total_units", static_cast<qint64>(model->unitCount())},
    };
    out << QJsonDocument(doc).toJson(QJsonDocument::Indented).toStdString();
    return 0;
}

int generate(const std::vector<std::string>& args, std::ostream& out) {
    const Options o(args, {"model", "tokenizer", "prompt", "length", "temperature", "top-k", "top-p", "seed"});
    GenerationOptions g;
    g.maxNewTokens = static_cast<int>(o.integer("length", 64, 0));
    g.temperature = static_cast<float>(o.number("temperature", 1.0));
    g.topK = static_cast<int>(o.integer("top-k", 0, 0));
    g.topP = static_cast<float>(o.number("top-p", 1.0));
    g.seed = static_cast<uint64_t>(o.integer("seed", 0, 0));
    if (g.topP <= 0 || g.topP > 1) throw Error("--top-p must be in (0, 1]");
    const auto model = openModel(o);
    const std::string prompt = o.text("prompt");
    const std::vector<int> ids = prompt.empty() ? std::vector<int>{} : model->tokenize(prompt);
    // Stream tokens as they come; the text is exactly the decoded continuation.
    model->generate(ids, g, {}, [&](int, const std::string& text) {
        out << text << std::flush;
        return true;
    });
    if (isatty(STDOUT_FILENO) && &out == &std::cout) out << "\n";  // pipes get exactly the text
    return 0;
}

}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        (args.empty() ? err : out) << kUsage;
        return args.empty() ? 2 : 0;
    }
    const std::map<std::string, std::function<int(const std::vector<std::string>&, std::ostream&)>> commands{
        {"info", info}, {"generate", generate}};
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
