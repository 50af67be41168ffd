#pragma once
// The model runtime as the rest of the application sees it: no LibTorch types here, so
// ui/ and most of core/ compile without its headers.
#include "core/runtime/generation.h"
#include "core/runtime/probe.h"
#include "core/tokenizers/tokenizer.h"

#include <memory>
#include <string>
#include <vector>

namespace expertscope {

// Contexts beyond this are no model's: every loader refuses them before anything is sized by
// them (the rotary tables take positions x head_dim x 4 bytes: 2 GB at head_dim 128).
constexpr int kMaxContextPositions = 1 << 22;

struct ModelInfo {
    std::string family;        // Hugging Face's model_type: "llama", "qwen2", "gemma3_text", "gpt2"
    std::string architecture;  // its class ("Qwen2ForCausalLM"), or "llama2.c"
    std::string format;   // "huggingface" or "llama2.c"
    std::string path;
    std::string tokenizerPath;
    int layers = 0;
    int hidden = 0;
    int intermediate = 0;
    int heads = 0;
    int kvHeads = 0;
    int headDim = 0;
    int vocab = 0;
    int maxPositions = 0;
    float normEps = 1e-5f;
    float ropeTheta = 10000.f;
    bool tiedEmbeddings = true;
    bool prependBos = true;  // Llama sentences start with BOS; GPT-2's do not
    // BERT, RoBERTa: bidirectional, a sentence is [CLS] ... [SEP] (bosId ... eosId), and
    // masked tokens are filled in instead of text being written on.
    bool encoder = false;
    int bosId = -1;
    int eosId = -1;
    int64_t parameters = 0;
    std::string device;   // "cpu" or "cuda"
    // Batches start every sentence at a multiple of this many rows, so a sentence's responses
    // are bit-identical in any batch (core/runtime/row_exact_linear.h); 0 where they are not
    // (devices other than the CPU, EXPERTSCOPE_KERNELS=aten, a BLAS no alignment makes exact).
    int rowAlignment = 0;
};

// Full per-token record of one sequence (for tests and the unit inspector).
struct SequenceTrace {
    int64_t tokens = 0;
    int vocab = 0;
    std::vector<float> logits;                 // [tokens, vocab]; empty for an encoder without its head
    std::vector<std::vector<float>> outputs;   // per probe, [tokens, units]
};

class LanguageModel {
public:
    virtual ~LanguageModel() = default;
    virtual const ModelInfo& info() const = 0;
    virtual const std::vector<ProbePoint>& probePoints() const = 0;
    virtual const Tokenizer& tokenizer() const = 0;
    int64_t unitCount() const;
    // Index of the probe with this canonical or checkpoint name, -1 if none.
    int findProbe(const std::string& name) const;

    // Text to ids as the model expects them: BOS first for families trained that way;
    // encoders' [CLS] text [SEP].
    std::vector<int> tokenize(const std::string& text) const;

    // Pooled responses of every unit for a batch of token sequences (as tokenize() gives them).
    virtual ResponseMatrix collectResponses(const std::vector<std::vector<int>>& batch,
                                            const CaptureOptions& options, const Forcing& forcing = {}) = 0;
    // Logits and every probe's output at every position of one sequence.
    virtual SequenceTrace trace(const std::vector<int>& tokens, const Forcing& forcing = {}) = 0;
    // Generates after `prompt` (ids as tokenize() gives them; empty starts from BOS, which
    // is <|endoftext|> for GPT-2); returns only the new ids.
    virtual std::vector<int> generate(const std::vector<int>& prompt, const GenerationOptions& options,
                                      const Forcing& forcing = {}, const TokenCallback& onToken = {}) = 0;
};

struct ModelSource {
    std::string path;           // Hugging Face directory, llama2.c .bin, or hf:ORG/NAME[@REV] from the cache
    std::string tokenizerPath;  // optional: found beside the model when empty
};

// Detects the format, validates everything and loads. Throws expertscope::Error.
std::unique_ptr<LanguageModel> loadModel(const ModelSource& source);

// Why this version cannot open the model at `path` (a family it does not support, a config
// it refuses, no safetensors weights...), from its files alone without loading the
// weights; empty when it can.
std::string modelProblem(const std::string& path);

// A GPT-2 of the given dimensions with random weights (normal, standard deviation 0.02,
// as GPT-2 was initialised): for benchmarks and tests where only the shapes matter.
struct Gpt2Dimensions {
    int layers = 12, hidden = 768, heads = 12, positions = 1024, vocab = 50257;
    int inner = 0;  // 0: 4 x hidden
};
std::unique_ptr<LanguageModel> randomGpt2(const Gpt2Dimensions& dims, std::unique_ptr<Tokenizer> tokenizer, uint64_t seed);

// The runtime's intra-op thread count (LibTorch's, which is process-wide; on the OpenMP
// backend also this thread's OpenMP setting): collection workers run single-threaded.
int intraOpThreads();
void setIntraOpThreads(int threads);

// "LibTorch 1.13.0 (CPU, 2 threads)": for About boxes and benchmark output.
std::string runtimeDescription();

}  // namespace expertscope
