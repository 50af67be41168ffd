// The options and run selection the expertscope-cli commands share (cli_options.h).
#include "app/cli_options.h"

#include "core/base/error.h"
#include "core/project/result_source.h"
#include "core/project/run_names.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace expertscope::cli {

Options::Options(const std::vector<std::string>& args, const std::set<std::string>& known) {
    for (size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a.rfind("--", 0) != 0) throw Error("unexpected argument '" + a + "'");
        const std::string key = a.substr(2);
        if (!known.count(key)) throw Error("unknown option '" + a + "' for '" + args[0] + "'");
        if (i + 1 >= args.size()) throw Error("option '" + a + "' needs a value");
        values_[key] = args[++i];
    }
}

std::string Options::text(const std::string& key, const std::string& fallback) const {
    auto it = values_.find(key);
    return it == values_.end() ? fallback : it->second;
}

std::string Options::required(const std::string& key) const {
    auto it = values_.find(key);
    if (it == values_.end()) throw Error("missing --" + key);
    return it->second;
}

namespace {

std::string shown(double v) {
    std::ostringstream o;
    o << v;
    return o.str();
}

}  // namespace

double Options::number(const std::string& key, double fallback, double min, double max) const {
    auto it = values_.find(key);
    if (it == values_.end()) return fallback;
    char* end = nullptr;
    const double v = std::strtod(it->second.c_str(), &end);
    if (end == it->second.c_str() || *end != '\0' || !std::isfinite(v) || v < min || v > max)
        throw Error("--" + key + " expects a number from " + shown(min) + " to " + shown(max) + ", got '" + it->second + "'");
    return v;
}

long long Options::integer(const std::string& key, long long fallback, long long min, long long max) const {
    auto it = values_.find(key);
    if (it == values_.end()) return fallback;
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(it->second.c_str(), &end, 10);
    if (end == it->second.c_str() || *end != '\0' || errno == ERANGE || v < min || v > max)
        throw Error("--" + key + " expects an integer from " + std::to_string(min) + " to " + std::to_string(max) + ", got '" +
                    it->second + "'");
    return v;
}

bool flag(const std::vector<std::string>& args, const std::string& name, std::vector<std::string>* rest) {
    bool found = false;
    rest->clear();
    for (const auto& a : args) {
        if (a == name) found = true;
        else rest->push_back(a);
    }
    return found;
}

std::unique_ptr<LanguageModel> openModel(const Options& o) {
    return loadModel({o.required("model"), o.text("tokenizer")});
}

QJsonValue jsonNumber(double v) { return std::isnan(v) ? QJsonValue(QJsonValue::Null) : QJsonValue(v); }

std::string aurocText(double v) {
    if (std::isnan(v)) return "not computed (analyse again)";
    std::ostringstream s;
    s << v;
    return s.str();
}

std::set<std::string> withSelection(std::set<std::string> known) {
    known.insert({"pooling", "seq-len", "long"});
    return known;
}

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

std::vector<ProjectStore::ResultRef> projectResults(const ProjectStore& project, const Options& o) {
    std::vector<ProjectStore::ResultRef> refs;
    if (!o.text("run").empty()) {
        refs = project.results(o.integer("run", 0, 1, std::numeric_limits<long long>::max()));
        if (refs.empty()) throw Error(project.path() + ": run " + o.text("run") + " has no finished concepts");
        return refs;
    }
    ResultRequest request;
    request.settings = selectionSettings(o);
    for (auto& [conceptId, ref] : chooseResults(project, chooseScope(project, request))) refs.push_back(std::move(ref));
    if (refs.empty()) throw Error(project.path() + ": no concept has results yet (run analyse first)");
    return refs;
}

}  // namespace expertscope::cli
