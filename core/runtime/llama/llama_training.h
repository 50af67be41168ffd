#pragma once
// Training a small Llama-architecture model from scratch on the CPU (the demo model), with
// LibTorch's autograd, and saving it in the Hugging Face layout the loader reads
// (config.json, model.safetensors). Deterministic: the same tokens, shape, options and
// thread count give the same file on the same machine.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace expertscope {

struct LlamaShape {
    int vocab = 2048, hidden = 128, intermediate = 352, layers = 4, heads = 4, kvHeads = 4, maxPositions = 128;
    double normEps = 1e-5, ropeTheta = 10000;
    int bosId = 1, eosId = 2;
};

struct TrainingOptions {
    int context = 64;        // tokens a window
    int batch = 32;          // windows a step
    int steps = 1000;
    double learningRate = 3e-3, finalLearningRate = 3e-4;  // cosine decay after warm-up
    int warmupSteps = 50;
    double weightDecay = 0.1;
    uint64_t seed = 1;
    int threads = 2;         // fixed, for reproducible sums
    int reportEvery = 25;    // steps between loss reports
    // Steps after which the model so far is also saved, into outDir/step-N (the model
    // ranking's checkpoints); stopAfter > 0 ends the run there, the learning-rate schedule
    // still spanning `steps`, so a checkpoint is the same model a full run passes through.
    std::vector<int> checkpoints;
    int stopAfter = 0;
};

struct TrainingPoint {
    int step = 0;
    double loss = 0;         // mean over the steps since the last report
    double seconds = 0;
    int64_t tokens = 0;
};
// Return false to stop early (the model so far is still saved).
using TrainingCallback = std::function<bool(const TrainingPoint&)>;

struct TrainingReport {
    std::vector<TrainingPoint> curve;
    double seconds = 0;
    int64_t tokens = 0, parameters = 0;
};

// `documents`: token ids, each a sentence without BOS/EOS; they are joined with BOS ... EOS
// into one stream and windows are drawn from it at seeded random places.
TrainingReport trainLlama(const std::vector<std::vector<int>>& documents, const LlamaShape& shape, const TrainingOptions& options,
                          const std::string& outDir, const TrainingCallback& progress = {});

// The training code's own forward pass over a saved model: the mean next-token loss on
// `tokens`. Tests compare it with the runtime's, to show both read the weights alike.
double trainedModelLoss(const std::string& dir, const std::vector<int>& tokens);

}  // namespace expertscope
