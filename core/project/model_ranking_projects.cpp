#include "core/project/model_ranking_projects.h"

#include "core/base/error.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace expertscope {
namespace {

int64_t unitCount(const ProjectStore& store, int64_t modelId) {
    return expertscope::unitCount(store.probes(modelId));
}

// One concept's AP vector at a time, so memory holds one model's units, not all concepts'.
ModelExperts expertsOf(const ProjectStore& store, const std::vector<ProjectStore::ResultRef>& results, const std::vector<double>& grid,
                       const std::string& name, const std::string& source) {
    ModelExperts m;
    m.name = name;
    m.source = source;
    m.units = unitCount(store, results.front().modelId);
    m.experts.assign(grid.size(), 0);
    for (const auto& ref : results) {
        if (ref.modelId != results.front().modelId) throw Error(source + " holds results of more than one model; name one run");
        const auto ap = store.loadConceptResult(ref.runId, ref.conceptId).ap;
        if (static_cast<int64_t>(ap.size()) != m.units)
            throw Error(source + ": concept '" + ref.concept + "' has " + std::to_string(ap.size()) + " AP values, the model has " +
                        std::to_string(m.units) + " units");
        const auto counts = expertCountsOnGrid(ap, grid);
        for (size_t i = 0; i < counts.size(); ++i) m.experts[i] += counts[i];
        m.concepts.push_back(ref.concept);
    }
    std::sort(m.concepts.begin(), m.concepts.end());
    const auto twice = std::adjacent_find(m.concepts.begin(), m.concepts.end());
    if (twice != m.concepts.end()) throw Error(source + ": concept '" + *twice + "' has two results; rank one concept set");
    return m;
}

std::string trimmed(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\r");
    if (first == std::string::npos) return "";
    return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

std::string lowercase(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// One CSV row as RFC 4180 reads it: a field in double quotes may hold commas, and "" in it
// is one quote; space around a field is dropped.
std::vector<std::string> fields(const std::string& line) {
    std::vector<std::string> out;
    std::string field;
    bool quoted = false, wasQuoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') field += line[++i];
            else if (c == '"') quoted = false;
            else field += c;
        } else if (c == '"' && trimmed(field).empty()) {
            field.clear();
            quoted = wasQuoted = true;
        } else if (c == ',') {
            out.push_back(wasQuoted ? field : trimmed(field));
            field.clear();
            wasQuoted = false;
        } else if (!wasQuoted || c != ' ') {
            field += c;
        }
    }
    if (quoted) throw Error("a quoted field is not closed: " + line);
    out.push_back(wasQuoted ? field : trimmed(field));
    return out;
}

std::string joined(const std::vector<std::string>& names) {
    std::string text;
    for (const auto& n : names) text += (text.empty() ? "" : ", ") + n;
    return text;
}

}  // namespace

ModelExperts readProjectExperts(const std::string& projectPath, const std::vector<double>& grid, const ResultRequest& request) {
    const auto store = ProjectStore::open(projectPath, false);
    const auto results = chooseResults(*store, chooseScope(*store, request));
    if (results.empty()) throw Error("project " + projectPath + " has no finished results; analyse it first");
    std::vector<ProjectStore::ResultRef> refs;
    for (const auto& [conceptId, ref] : results) refs.push_back(ref);
    return expertsOf(*store, refs, grid, std::filesystem::path(projectPath).stem().string(), "project " + projectPath);
}

ModelExperts readRunExperts(const ProjectStore& store, int64_t runId, const std::vector<double>& grid, const std::string& name) {
    const auto refs = store.results(runId);
    const std::string source = "run " + std::to_string(runId) + " of project " + store.path();
    if (refs.empty()) throw Error(source + " has no finished concepts");
    return expertsOf(store, refs, grid, name, source);
}

void checkSameConcepts(const std::vector<ModelExperts>& models) {
    std::map<std::string, const ModelExperts*> byName, holder;
    for (const auto& m : models) {
        if (!byName.emplace(m.name, &m).second)
            throw Error("two models are named '" + m.name + "' (" + byName[m.name]->source + " and " + m.source +
                        "); scores name models by their project file's name, so rename one");
        for (const auto& c : m.concepts) holder.emplace(c, &m);
    }
    for (const auto& m : models)
        for (const auto& [conceptName, other] : holder)
            if (!std::binary_search(m.concepts.begin(), m.concepts.end(), conceptName))
                throw Error("concept '" + conceptName + "' has results for model '" + other->name + "' but not for model '" + m.name +
                            "' (" + m.source + "); every model must have the same concepts");
}

std::vector<ModelExperts> readProjectsExperts(const std::vector<std::string>& projectPaths, const std::vector<double>& grid,
                                              const ResultRequest& request) {
    std::vector<ModelExperts> models;
    for (const auto& path : projectPaths) models.push_back(readProjectExperts(path, grid, request));
    checkSameConcepts(models);
    return models;
}

std::vector<ModelScore> parseScores(const std::string& textIn, const std::string& origin) {
    std::string text = textIn;
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // a spreadsheet's UTF-8 byte order mark
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        throw Error("scores file " + origin + " is empty; expected the header 'model,score' and one row per model");
    std::stringstream lines(text);
    std::string line;
    int lineNumber = 0;
    bool header = false;
    std::vector<ModelScore> scores;
    std::map<std::string, int> seen;
    while (std::getline(lines, line)) {
        ++lineNumber;
        if (trimmed(line).empty()) continue;
        const std::string where = "scores file " + origin + " line " + std::to_string(lineNumber);
        std::vector<std::string> f;
        try {
            f = fields(line);
        } catch (const Error& e) {
            throw Error(where + ": " + e.what());
        }
        if (!header) {
            if (f.size() != 2 || lowercase(f[0]) != "model" || lowercase(f[1]) != "score")
                throw Error(where + ": expected the header 'model,score', got '" + trimmed(line) + "'");
            header = true;
            continue;
        }
        if (f.size() != 2) throw Error(where + ": expected 2 fields (model,score), got " + std::to_string(f.size()));
        if (f[0].empty()) throw Error(where + ": the model's name is empty");
        // from_chars: the C locale's number whatever the process's locale; it refuses a '+'.
        const std::string digits = f[1].rfind('+', 0) == 0 ? f[1].substr(1) : f[1];
        double score = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), score);
        if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || !std::isfinite(score))
            throw Error(where + ": the score of model '" + f[0] + "' is not a number: '" + f[1] + "'");
        if (!seen.emplace(f[0], lineNumber).second)
            throw Error(where + ": model '" + f[0] + "' has a score already (line " + std::to_string(seen[f[0]]) + "); give each model one row");
        scores.push_back({f[0], score, lineNumber});
    }
    if (scores.empty()) throw Error("scores file " + origin + " has no score rows under its header 'model,score'");
    return scores;
}

std::vector<ModelScore> readScoresFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot read scores file " + path);
    std::stringstream text;
    text << in.rdbuf();
    return parseScores(text.str(), path);
}

std::vector<ModelCounts> withScores(const std::vector<ModelExperts>& models, const std::vector<ModelScore>& scores,
                                    const std::string& origin) {
    std::vector<std::string> names;
    for (const auto& m : models) names.push_back(m.name);
    std::map<std::string, const ModelScore*> byModel;
    for (const auto& s : scores) {
        if (std::find(names.begin(), names.end(), s.model) == names.end())
            throw Error("scores file " + origin + " line " + std::to_string(s.line) + ": no project is named '" + s.model +
                        "' (models, by project file name: " + joined(names) + ")");
        byModel[s.model] = &s;
    }
    std::vector<ModelCounts> out;
    for (const auto& m : models) {
        const auto found = byModel.find(m.name);
        if (found == byModel.end()) throw Error("model '" + m.name + "' (" + m.source + ") has no score in " + origin);
        out.push_back({m.name, found->second->score, m.units, m.experts});
    }
    return out;
}

}  // namespace expertscope
