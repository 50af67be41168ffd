// Loading a Llama-3.2-1B-shaped checkpoint stored in bf16 (random weights: speed and
// memory do not depend on them), then collecting responses on OneSec football sentences.
// Reports the load time, the peak memory the load added over the float32 model's size (the
// target is at most 1.3x: the file's bytes are given back tensor by tensor), and sentences/s
// with the ratio to the arithmetic bound (2 x non-embedding parameters FLOPs per token at
// the matrix-product rate measured in the same run).
// The checkpoint (2.5 GB) is written once by a child process, so its buffers do not count
// in this process's peak. Sentences are tokenized with GPT-2's byte-level BPE (the shared
// Llama 3 tokenizer is a tokenizer.json, not read yet): similar token counts.
// Prints one JSON object. Usage: bench_load [--dir DIR] [--shared DIR] [--sentences N] [--layers N]
#include "bench_common.h"

#include "core/base/safetensors.h"
#include "core/tokenizers/bpe_tokenizer.h"

#include <QDir>

#include <fstream>
#include <iostream>
#include <sys/wait.h>
#include <unistd.h>

using namespace expertscope;
using namespace expertscope::bench;

namespace {

struct Shape {
    int hidden = 2048, intermediate = 8192, layers = 16, heads = 32, kvHeads = 8, headDim = 64, vocab = 128256;
};

// bf16 bytes of n values, uniform with standard deviation 0.02 (a splitmix stream per tensor).
std::vector<unsigned char> randomBf16(int64_t n, uint64_t seed, float constant = 0) {
    std::vector<unsigned char> out(static_cast<size_t>(n) * 2);
    uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
    for (int64_t i = 0; i < n; ++i) {
        float v = constant;
        if (constant == 0) {
            uint64_t z = (state += 0x9E3779B97F4A7C15ull);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            z ^= z >> 31;
            v = (static_cast<float>(z >> 40) / 16777216.f * 2.f - 1.f) * 0.0346f;  // 0.02 * sqrt(3)
        }
        uint32_t bits;
        std::memcpy(&bits, &v, 4);
        const uint16_t h = static_cast<uint16_t>((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);  // round to nearest even
        std::memcpy(out.data() + 2 * i, &h, 2);
    }
    return out;
}

void writeCheckpoint(const std::string& dir, const Shape& s) {
    QDir().mkpath(QString::fromStdString(dir));
    std::ofstream(dir + "/config.json") << QJsonDocument(QJsonObject{
        {"architectures", QJsonArray{"LlamaForCausalLM"}}, {"model_type", "llama"}, {"hidden_size", s.hidden},
        {"intermediate_size", s.intermediate}, {"num_hidden_layers", s.layers}, {"num_attention_heads", s.heads},
        {"num_key_value_heads", s.kvHeads}, {"head_dim", s.headDim}, {"vocab_size", s.vocab},
        {"max_position_embeddings", 131072}, {"rms_norm_eps", 1e-5}, {"rope_theta", 500000.0},
        {"rope_scaling", QJsonObject{{"rope_type", "llama3"}, {"factor", 32.0}, {"low_freq_factor", 1.0},
                                     {"high_freq_factor", 4.0}, {"original_max_position_embeddings", 8192}}},
        {"tie_word_embeddings", true}, {"bos_token_id", 128000}, {"eos_token_id", 128001}, {"hidden_act", "silu"},
        {"torch_dtype", "bfloat16"}}).toJson().toStdString();
    std::vector<TensorToWrite> t;
    uint64_t seed = 1;
    const auto add = [&](const std::string& name, std::vector<int64_t> shape, float constant = 0) {
        int64_t n = 1;
        for (auto d : shape) n *= d;
        t.push_back({name, DType::BF16, shape, randomBf16(n, seed++, constant)});
    };
    const int64_t D = s.hidden, F = s.intermediate, Q = s.heads * s.headDim, KV = s.kvHeads * s.headDim;
    add("model.embed_tokens.weight", {s.vocab, D});
    add("model.norm.weight", {D}, 1.f);
    for (int l = 0; l < s.layers; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        add(p + "input_layernorm.weight", {D}, 1.f);
        add(p + "post_attention_layernorm.weight", {D}, 1.f);
        add(p + "self_attn.q_proj.weight", {Q, D});
        add(p + "self_attn.k_proj.weight", {KV, D});
        add(p + "self_attn.v_proj.weight", {KV, D});
        add(p + "self_attn.o_proj.weight", {D, Q});
        add(p + "mlp.gate_proj.weight", {F, D});
        add(p + "mlp.up_proj.weight", {F, D});
        add(p + "mlp.down_proj.weight", {D, F});
    }
    writeSafetensors(dir + "/model.safetensors", t, {{"format", "pt"}});
}

double residentMib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    return 0;
}

double peakMib() {
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

}  // namespace

int main(int argc, char** argv) {
    selectBlasKernel(argv);
    std::string shared = EXPERTSCOPE_SHARED_DEFAULT, dir = QDir::temp().filePath("expertscope-bench-llama32-1b-bf16").toStdString();
    int count = 32;
    Shape shape;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--shared") shared = argv[i + 1];
        else if (a == "--dir") dir = argv[i + 1];
        else if (a == "--sentences") count = std::max(1, std::atoi(argv[i + 1]));
        else if (a == "--layers") shape.layers = std::max(1, std::atoi(argv[i + 1]));
    }
    const std::string encoder = shared + "/tokenizers/gpt2/encoder.json";
    const auto texts = conceptSentences(shared + "/concepts/onesec/sense/football-1_04_00__.json");
    if (!QFile::exists(QString::fromStdString(encoder)) || texts.empty()) {
        std::cerr << "bench_load: needs " << encoder << " and the OneSec football concept in " << shared << "\n";
        return 1;
    }
    const auto writeStart = Clock::now();
    double writeSeconds = 0;
    if (!QFile::exists(QString::fromStdString(dir + "/model.safetensors"))) {
        const pid_t child = fork();
        if (child == 0) {
            try {
                writeCheckpoint(dir, shape);
            } catch (const std::exception& e) {
                std::cerr << e.what() << "\n";
                _exit(1);
            }
            _exit(0);
        }
        int status = 0;
        waitpid(child, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
        writeSeconds = seconds(writeStart);
    }

    const double before = residentMib();
    const auto loadStart = Clock::now();
    const auto model = loadModel({dir, ""});
    const double loadSeconds = seconds(loadStart);
    const double peak = peakMib();
    const ModelInfo& info = model->info();
    const double float32Mib = static_cast<double>(info.parameters) * 4 / (1024.0 * 1024.0);

    // BOS, then the sentence's ids, cut at 128 tokens.
    constexpr int kSequenceLength = 128;
    const auto bpe = loadByteLevelBpe(encoder);
    std::vector<std::vector<int>> sentences;
    for (size_t i = 0; i < texts.size() && static_cast<int>(sentences.size()) < count; ++i) {
        auto ids = bpe->encode(texts[i]);
        ids.insert(ids.begin(), info.bosId);
        if (static_cast<int>(ids.size()) > kSequenceLength) ids.resize(kSequenceLength);
        sentences.push_back(std::move(ids));
    }
    int64_t realTokens = 0;
    for (const auto& s : sentences) realTokens += static_cast<int64_t>(s.size());
    const double meanTokens = static_cast<double>(realTokens) / static_cast<double>(sentences.size());
    const int64_t embeddings = static_cast<int64_t>(info.vocab) * info.hidden;
    const double gemm = matrixProductGflops(512);
    const double boundTokens = gemm * 1e9 / (2.0 * static_cast<double>(info.parameters - embeddings));
    QJsonObject best;
    const auto runs = collectionRuns(*model, sentences, {{0, 1024}, {1, 1024}}, 1, &best);

    const QJsonObject out{
        {"benchmark", "load_bf16"},
        {"model", QString("Llama-3.2-1B shape, %1 layers, random bf16 weights").arg(info.layers)},
        {"parameters", static_cast<qint64>(info.parameters)},
        {"checkpoint_write_seconds", writeSeconds},
        {"load_seconds", loadSeconds},
        {"rss_before_load_mib", before},
        {"peak_rss_mib", peak},
        {"float32_model_mib", float32Mib},
        {"load_peak_over_float32", (peak - before) / float32Mib},
        {"units", static_cast<qint64>(model->unitCount())},
        {"sentences", static_cast<int>(sentences.size())},
        {"sequence_length", kSequenceLength},
        {"real_tokens", static_cast<qint64>(realTokens)},
        {"collection", runs},
        {"collection_best_sentences_per_s", best.value("sentences_per_s")},
        {"gemm512_gflops", gemm},
        {"bound_sentences_per_s", boundTokens / meanTokens},
        {"ratio_to_bound", best.value("tokens_per_s").toDouble() / boundTokens},
        {"environment", environment()},
    };
    std::cout << QJsonDocument(out).toJson(QJsonDocument::Indented).toStdString();
    return 0;
}
