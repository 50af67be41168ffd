#pragma once
// Probe points, pooled responses and forcing: the vocabulary of the paper, free of LibTorch.
//
// A probe point is one linear module of one layer; a unit is one of its output channels.
// Units are numbered globally in probe order: probe p's unit u is unit `offset(p) + u`.
#include <cstdint>
#include <string>
#include <vector>

namespace expertscope {

struct ProbePoint {
    std::string name;              // canonical, Hugging Face style: "model.layers.3.mlp.gate_proj"
    std::string kind;              // short kind within the layer: "q_proj", "gate_proj", "c_fc", ...
    std::string checkpointTensor;  // weight tensor in the file loaded: "layers.3.feed_forward.w1.weight"
    int layer = 0;
    int units = 0;
    int64_t offset = 0;            // global index of unit 0
};

// The probe holding a global unit index (probes in order, as a model lists them).
inline size_t probeOfUnit(const std::vector<ProbePoint>& probes, int64_t unit) {
    size_t lo = 0, hi = probes.size();
    while (hi - lo > 1) {
        const size_t mid = (lo + hi) / 2;
        (probes[mid].offset <= unit ? lo : hi) = mid;
    }
    return lo;
}

// How many units the probes hold (they are numbered 0 .. this - 1).
inline int64_t unitCount(const std::vector<ProbePoint>& probes) {
    return probes.empty() ? 0 : probes.back().offset + probes.back().units;
}

enum class Pooling {
    Max,        // max over the sentence's real tokens (default)
    Mean,       // mean over the sentence's real tokens
    SelfcondMax // ml-selfcond compatibility: right-padded to a fixed length, max over all positions
};

struct CaptureOptions {
    Pooling pooling = Pooling::Max;
    int paddedLength = 0;  // SelfcondMax only: sequences are padded (or cut) to this many tokens
    int padToken = -1;     // SelfcondMax only: -1 uses the model's pad id, else EOS
    // Max and Mean only: whether a leading BOS position is pooled. It is the same vector for
    // every sentence under causal attention, so pooling it only adds ties and a bias that
    // depends on length; runs made before this option existed pooled it.
    bool poolBos = false;
};

// Pooled responses of a batch: row-major [sentences, total units].
struct ResponseMatrix {
    int64_t rows = 0;
    int64_t cols = 0;
    std::vector<float> values;
    float at(int64_t row, int64_t unit) const { return values[static_cast<size_t>(row * cols + unit)]; }
};

// A unit set to a value at every forced position, or, with `scale`, multiplied by it
// (AurA's dampening). On one position a unit's factors apply first (several multiply),
// then a value set replaces the result. A factor of 1 leaves the unit's bits as they are.
struct ForcedUnit {
    int probe = 0;
    int unit = 0;
    float value = 0.f;
    bool scale = false;
};

enum class ForceScope {
    AllPositions,  // every position, prompt included
    NewTokens      // positions that predict a new token: the last prompt position and all generated ones
};

struct Forcing {
    std::vector<ForcedUnit> units;
    ForceScope scope = ForceScope::AllPositions;
    bool empty() const { return units.empty(); }
};

}  // namespace expertscope
