#pragma once
// What the expertscope-cli commands share: their --key value options, the run selection they
// read (SELECTION in the usage) and the model and results those options name.
#include "core/project/project_store.h"
#include "core/runtime/language_model.h"

#include <QJsonValue>

#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace expertscope::cli {

// --key value options, checked against what the command accepts.
class Options {
public:
    Options(const std::vector<std::string>& args, const std::set<std::string>& known);
    std::string text(const std::string& key, const std::string& fallback = "") const;
    std::string required(const std::string& key) const;
    // A finite number in [min, max]: NaN, infinities and values out of range are refused.
    double number(const std::string& key, double fallback, double min, double max) const;
    // An integer in [min, max] (most go into an int: max defaults to INT_MAX).
    long long integer(const std::string& key, long long fallback, long long min, long long max = std::numeric_limits<int>::max()) const;

private:
    std::map<std::string, std::string> values_;
};

// Whether args hold the switch `name` (it takes no value, so Options would refuse it);
// rest gets the other arguments.
bool flag(const std::vector<std::string>& args, const std::string& name, std::vector<std::string>* rest);

std::unique_ptr<LanguageModel> openModel(const Options& o);

// A value that may be missing (NaN: an AUROC stored before it was computed) as JSON: null then.
QJsonValue jsonNumber(double v);
// The same for text output: the number, or what to do about it.
std::string aurocText(double v);

// The options that select what a run computes; commands accept them with their own.
std::set<std::string> withSelection(std::set<std::string> known);

// What --pooling, --seq-len and --long name: the settings analyse runs with, and the ones
// the reading commands prefer among a concept's runs (result_source.h).
RunSettings selectionSettings(const Options& o);

ProjectStore::ResultRef conceptResult(const ProjectStore& project, const Options& o, const std::string& conceptName);

// The finished concepts a whole-project command works on: those of --run, else each
// concept's chosen result within the chosen model and concept set.
std::vector<ProjectStore::ResultRef> projectResults(const ProjectStore& project, const Options& o);

}  // namespace expertscope::cli
