#include "core/runtime/generation.h"

#include "core/base/error.h"

#include <algorithm>
#include <cmath>

namespace expertscope {

Sampler::Sampler(const GenerationOptions& options) : options_(options), rng_(options.seed) {
    // Whatever front end filled them in: a NaN temperature samples garbage bytes.
    if (!std::isfinite(options.temperature) || options.temperature < 0)
        throw Error("the temperature must be a finite number >= 0 (0: greedy), not " + std::to_string(options.temperature));
    if (!std::isfinite(options.topP) || options.topP <= 0)
        throw Error("top-p must be a finite number above 0 (1 or more: off), not " + std::to_string(options.topP));
    if (options.topK < 0) throw Error("top-k must be 0 (off) or more, not " + std::to_string(options.topK));
    if (options.maxNewTokens < 0) throw Error("the number of new tokens must be 0 or more");
}

double Sampler::uniform() {
    // 53 random bits -> [0, 1); defined by us, unlike std::uniform_real_distribution.
    return static_cast<double>(rng_() >> 11) * (1.0 / 9007199254740992.0);
}

int Sampler::next(const float* logits, int vocab) {
    // A NaN would break the orderings below (and mean the forward pass went wrong anyway).
    for (int i = 0; i < vocab; ++i)
        if (std::isnan(logits[i])) throw Error("the model's next-token logits hold NaN (at token " + std::to_string(i) + ")");
    if (options_.temperature <= 0.f) {
        int best = 0;
        for (int i = 1; i < vocab; ++i)
            if (logits[i] > logits[best]) best = i;
        return best;
    }
    scratch_.resize(static_cast<size_t>(vocab));
    for (int i = 0; i < vocab; ++i) scratch_[i] = {logits[i], i};
    const auto byLogit = [](const std::pair<float, int>& a, const std::pair<float, int>& b) {
        return a.first > b.first || (a.first == b.first && a.second < b.second);
    };
    size_t n = scratch_.size();
    if (options_.topK > 0 && static_cast<size_t>(options_.topK) < n) {
        std::partial_sort(scratch_.begin(), scratch_.begin() + options_.topK, scratch_.end(), byLogit);
        n = static_cast<size_t>(options_.topK);
    } else {
        std::sort(scratch_.begin(), scratch_.end(), byLogit);
    }
    // Probabilities in double, relative to the best logit for stability.
    const double top = scratch_[0].first;
    std::vector<double> probs(n);
    double total = 0;
    for (size_t i = 0; i < n; ++i) {
        probs[i] = std::exp((scratch_[i].first - top) / options_.temperature);
        total += probs[i];
    }
    if (options_.topP < 1.f) {
        double cumulative = 0;
        size_t keep = 0;
        while (keep < n) {
            cumulative += probs[keep] / total;
            ++keep;
            if (cumulative >= options_.topP) break;
        }
        n = keep;
        total = 0;
        for (size_t i = 0; i < n; ++i) total += probs[i];
    }
    const double r = uniform() * total;
    double acc = 0;
    for (size_t i = 0; i < n; ++i) {
        acc += probs[i];
        if (r < acc) return scratch_[i].second;
    }
    return scratch_[n - 1].second;
}

double logProbability(const float* logits, int vocab, int token) {
    double top = logits[0];
    for (int i = 1; i < vocab; ++i) top = std::max(top, static_cast<double>(logits[i]));
    double sum = 0;
    for (int i = 0; i < vocab; ++i) sum += std::exp(static_cast<double>(logits[i]) - top);
    return static_cast<double>(logits[token]) - top - std::log(sum);
}

}  // namespace expertscope
