#pragma once
// The one exception type core/ throws: its message is meant for the user, so it names the
// file, tensor or field at fault and says what was expected.
#include <stdexcept>
#include <string>

namespace expertscope {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace expertscope
