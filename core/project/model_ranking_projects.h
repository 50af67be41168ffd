#pragma once
// What the model ranking (core/science/model_ranking.h) reads: one model's experts from a
// project or a run, the same concept set checked across models by concept name, and the
// models' scores from a CSV file.
//
// A model is named by its project file's name without the last extension ("a/gpt2.esproj"
// is "gpt2"): the name a scores file gives it. The stored model path is not used, so two
// projects of one model file analysed differently rank as two models.
#include "core/project/result_source.h"
#include "core/science/model_ranking.h"

#include <string>
#include <vector>

namespace expertscope {

// One model's experts over a concept set, summed over its concepts per threshold.
struct ModelExperts {
    std::string name;
    std::string source;  // the project file (and run), for messages
    int64_t units = 0;   // the model's probed units: the last probe's offset + its units
    std::vector<std::string> concepts;  // by name, sorted
    std::vector<int64_t> experts;       // per threshold of the grid read with
};

// The project's model and concept set as every front end chooses them (chooseScope, then
// each concept's chosen result under request.settings); every concept's full AP vector.
// Throws when the project has no finished results.
ModelExperts readProjectExperts(const std::string& projectPath, const std::vector<double>& grid, const ResultRequest& request = {});
// Every finished concept of one run of a project (several runs of one project: several models).
ModelExperts readRunExperts(const ProjectStore& store, int64_t runId, const std::vector<double>& grid, const std::string& name);
// Throws, naming the concept and the models, unless every model has the same concept names;
// and when two models share a name.
void checkSameConcepts(const std::vector<ModelExperts>& models);
// readProjectExperts on each path, then checkSameConcepts.
std::vector<ModelExperts> readProjectsExperts(const std::vector<std::string>& projectPaths, const std::vector<double>& grid,
                                              const ResultRequest& request = {});

struct ModelScore {
    std::string model;
    double score = 0;
    int line = 0;  // 1-based, in the file
};
// A scores table: the header "model,score", then one "NAME,NUMBER" row per model (blank
// lines skipped, spaces around fields and one pair of double quotes around a field ignored).
// `origin` names the file in messages. Throws for an empty text, another header, a row
// without two fields, a score that is not a finite number, and a model given twice.
std::vector<ModelScore> parseScores(const std::string& text, const std::string& origin);
std::vector<ModelScore> readScoresFile(const std::string& path);

// The ranking's input: each model with its score. Throws for a model without a score and
// for a score naming no model (listing the models' names).
std::vector<ModelCounts> withScores(const std::vector<ModelExperts>& models, const std::vector<ModelScore>& scores,
                                    const std::string& origin);

}  // namespace expertscope
