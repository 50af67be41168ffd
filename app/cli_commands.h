#pragma once
// expertscope-cli: subcommands over core/. Returns the process exit code; errors go to err.
#include <iosfwd>
#include <string>
#include <vector>

namespace expertscope::cli {

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace expertscope::cli
