#include "core/project/run_names.h"

#include "core/base/error.h"

namespace expertscope {

const std::vector<Choice<Pooling>>& poolingChoices() {
    static const std::vector<Choice<Pooling>> table{
        {Pooling::Max, "max"}, {Pooling::Mean, "mean"}, {Pooling::SelfcondMax, "selfcond"}};
    return table;
}

const std::vector<Choice<LongSentencePolicy>>& longSentenceChoices() {
    static const std::vector<Choice<LongSentencePolicy>> table{
        {LongSentencePolicy::Drop, "drop"}, {LongSentencePolicy::Truncate, "truncate"}};
    return table;
}

const std::vector<Choice<ForceValue>>& forceValueChoices() {
    static const std::vector<Choice<ForceValue>> table{
        {ForceValue::OnP50, "on_p50"}, {ForceValue::OnP90, "on_p90"}, {ForceValue::OffMean, "off_mean"}, {ForceValue::Zero, "zero"},
        {ForceValue::Aura, "aura"}};  // new names go last: the generation panel labels them in this order
    return table;
}

const std::vector<Choice<ForceScope>>& forceScopeChoices() {
    static const std::vector<Choice<ForceScope>> table{{ForceScope::AllPositions, "all"}, {ForceScope::NewTokens, "new"}};
    return table;
}

void throwUnknownChoice(const std::string& what, const std::string& names, const std::string& got) {
    throw Error(what + " expects " + names + ", got '" + got + "'");
}

}  // namespace expertscope
