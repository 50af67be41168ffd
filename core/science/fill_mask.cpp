#include "core/science/fill_mask.h"

#include "core/base/error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace expertscope {

std::vector<FilledMask> fillMasks(LanguageModel& model, const std::string& text, const Forcing& forcingIn, int k) {
    const auto& info = model.info();
    if (!info.encoder) throw Error(info.architecture + " writes on after a prompt; filling in [MASK] is for encoders (BERT, RoBERTa)");
    const auto& tok = model.tokenizer();
    std::string marker = "[MASK]";
    int mask = tok.pieceId(marker);
    if (mask < 0) mask = tok.pieceId(marker = "<mask>");
    if (mask < 0) throw Error("the model's tokenizer has no mask piece ([MASK] or <mask>)");
    if (text.find(marker) == std::string::npos) throw Error("write " + marker + " where the model should fill in a word");
    // The marker is a piece of its own, never split as text (as Hugging Face's added tokens).
    std::vector<int> ids;
    if (info.prependBos && info.bosId >= 0) ids.push_back(info.bosId);
    size_t from = 0;
    for (;;) {
        const size_t at = text.find(marker, from);
        std::string piece = text.substr(from, at == std::string::npos ? std::string::npos : at - from);
        // The mask takes the white space before it (Hugging Face's <mask> is lstrip): "The
        // <mask>" is "The" then the mask, not "The", a space piece, then the mask.
        if (at != std::string::npos) piece.erase(piece.find_last_not_of(" \t\n") + 1);
        const auto part = tok.encode(piece);
        ids.insert(ids.end(), part.begin(), part.end());
        if (at == std::string::npos) break;
        ids.push_back(mask);
        from = at + marker.size();
    }
    if (info.eosId >= 0) ids.push_back(info.eosId);
    Forcing forcing = forcingIn;
    forcing.scope = ForceScope::AllPositions;  // an encoder reads every position at once
    const auto trace = model.trace(ids, forcing);
    if (trace.logits.empty()) throw Error(info.path + ": no masked-LM head in the checkpoint, so no predictions to fill in with");
    std::vector<FilledMask> out;
    const size_t V = static_cast<size_t>(trace.vocab);
    for (size_t t = 0; t < ids.size(); ++t) {
        if (ids[t] != mask) continue;
        const float* logits = trace.logits.data() + t * V;
        const double top = *std::max_element(logits, logits + V);
        double sum = 0;
        for (size_t v = 0; v < V; ++v) sum += std::exp(logits[v] - top);
        std::vector<int> order(V);
        std::iota(order.begin(), order.end(), 0);
        const size_t n = std::min<size_t>(static_cast<size_t>(std::max(1, k)), V);
        // Ties by id, so the list is the same on every machine.
        std::partial_sort(order.begin(), order.begin() + static_cast<long>(n), order.end(),
                          [&](int a, int b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); });
        FilledMask m;
        m.position = static_cast<int>(t);
        for (size_t i = 0; i < n; ++i)
            m.guesses.push_back({order[i], tok.decode({order[i]}), std::exp(logits[order[i]] - top) / sum});
        out.push_back(std::move(m));
    }
    return out;
}

std::string describeFilledMasks(const std::vector<FilledMask>& masks) {
    std::string out;
    for (size_t i = 0; i < masks.size(); ++i) {
        out += "[MASK] " + std::to_string(i + 1) + ":";
        for (size_t g = 0; g < masks[i].guesses.size(); ++g) {
            char pct[32];
            std::snprintf(pct, sizeof pct, " %.1f%%", 100 * masks[i].guesses[g].probability);
            out += (g ? " ·" : "") + std::string(" ") + masks[i].guesses[g].text + pct;
        }
        out += "\n";
    }
    return out;
}

}  // namespace expertscope
