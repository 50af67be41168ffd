#pragma once
// Generation settings and the sampler that turns logits into the next token. The sampler
// uses its own random stream so a seed gives the same text on every machine.
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace expertscope {

struct GenerationOptions {
    int maxNewTokens = 64;
    float temperature = 1.f;  // <= 0: greedy
    int topK = 0;             // 0: off
    float topP = 1.f;         // >= 1: off
    uint64_t seed = 0;
    bool stopAtEos = true;
    bool useKvCache = true;   // off recomputes the whole sequence each step (slow; for checking)
};

// Called after each new token with the text it added. Return false to stop early.
using TokenCallback = std::function<bool(int token, const std::string& newText)>;

// log-softmax of a logits row at `token`, in double (a perplexity's, a held-out loss's term).
double logProbability(const float* logits, int vocab, int token);

class Sampler {
public:
    explicit Sampler(const GenerationOptions& options);
    int next(const float* logits, int vocab);

private:
    GenerationOptions options_;
    std::mt19937_64 rng_;
    std::vector<std::pair<float, int>> scratch_;
    double uniform();
};

}  // namespace expertscope
