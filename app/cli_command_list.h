#pragma once
// The expertscope-cli commands that run() dispatches to. Each takes the command line from
// the command's name on, writes its result to out and returns the exit code; it throws Error
// for run() to report.
#include <iosfwd>
#include <string>
#include <vector>

namespace expertscope::cli {

// Commands over a model alone (cli_model_commands.cpp).
int infoCommand(const std::vector<std::string>& args, std::ostream& out);
int generateCommand(const std::vector<std::string>& args, std::ostream& out);
int tokenizeCommand(const std::vector<std::string>& args, std::ostream& out);
int fillCommand(const std::vector<std::string>& args, std::ostream& out);  // encoders: [MASK]

// The one command that writes a project (cli_analyse_command.cpp).
int analyseCommand(const std::vector<std::string>& args, std::ostream& out);
// Shard projects into one (cli_merge_command.cpp).
int mergeCommand(const std::vector<std::string>& args, std::ostream& out);

// Commands that read a project's results (cli_project_commands.cpp).
int expertsCommand(const std::vector<std::string>& args, std::ostream& out);
int statsCommand(const std::vector<std::string>& args, std::ostream& out);
int exportCommand(const std::vector<std::string>& args, std::ostream& out);
int unitCommand(const std::vector<std::string>& args, std::ostream& out);
int coLearningCommand(const std::vector<std::string>& args, std::ostream& out);

// The steering curve (cli_curve_command.cpp).
int curveCommand(const std::vector<std::string>& args, std::ostream& out);

// Which analysed concepts a text lights up (cli_probe_command.cpp).
int probeCommand(const std::vector<std::string>& args, std::ostream& out);

// The paper's model ranking: experts against the models' scores (cli_rank_command.cpp).
int rankCommand(const std::vector<std::string>& args, std::ostream& out);

// A model from the Hugging Face Hub into the cache (cli_fetch_command.cpp).
int fetchCommand(const std::vector<std::string>& args, std::ostream& out);

}  // namespace expertscope::cli
