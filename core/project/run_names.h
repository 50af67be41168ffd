#pragma once
// The words for the choices of an analysis and of forcing, and the defaults every front end
// shares: one table per enum, in the order front ends list them, used to parse command-line
// options and to write and read project files, so no front end spells a name itself.
#include "core/project/concepts.h"
#include "core/runtime/probe.h"
#include "core/science/expert_forcing.h"

#include <string>
#include <vector>

namespace expertscope {

template <typename E>
struct Choice {
    E value;
    const char* name;  // as typed on the command line and stored in project files
};

const std::vector<Choice<Pooling>>& poolingChoices();                // max, mean, selfcond
const std::vector<Choice<LongSentencePolicy>>& longSentenceChoices();  // drop, truncate
const std::vector<Choice<ForceValue>>& forceValueChoices();          // on_p50, on_p90, off_mean, zero, aura
const std::vector<Choice<ForceScope>>& forceScopeChoices();          // all, new

// Throws Error("<what> expects <names>, got '<got>'").
[[noreturn]] void throwUnknownChoice(const std::string& what, const std::string& names, const std::string& got);

// "a, b or c": the names of a table, for messages.
template <typename E>
std::string choiceList(const std::vector<Choice<E>>& table) {
    std::string out;
    for (size_t i = 0; i < table.size(); ++i) out += (i == 0 ? "" : i + 1 == table.size() ? " or " : ", ") + std::string(table[i].name);
    return out;
}

// The value named `name`; throws Error("<what> expects a, b or c, got 'x'") otherwise.
template <typename E>
E parseChoice(const std::vector<Choice<E>>& table, const std::string& name, const std::string& what) {
    for (const auto& c : table)
        if (name == c.name) return c.value;
    throwUnknownChoice(what, choiceList(table), name);
}

template <typename E>
const char* choiceName(const std::vector<Choice<E>>& table, E value) {
    for (const auto& c : table)
        if (c.value == value) return c.name;
    return "?";
}

// Defaults the front ends share.
constexpr double kDefaultExpertThreshold = 0.9;   // AP at which a unit counts as an expert
constexpr int kDefaultCoLearningK = 100;          // top experts compared between concepts
constexpr int kSelfcondSequenceLength = 128;      // ml-selfcond's padded length
constexpr int kDefaultForcedExperts = 50;         // experts forced by `generate --concept`

}  // namespace expertscope
