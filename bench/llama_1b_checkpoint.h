#pragma once
// A Llama-3.2-1B-shaped checkpoint in bf16 with random weights (speed and memory do not
// depend on them): 1.24B parameters, 16 layers, 376,832 units, a 2.47 GB file. Written by
// the benchmarks that need a model of that size (bench_load, bench_analysis_memory).
#include "core/base/safetensors.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace expertscope::bench {

struct Shape {
    int hidden = 2048, intermediate = 8192, layers = 16, heads = 32, kvHeads = 8, headDim = 64, vocab = 128256;
};

// bf16 bytes of n values, uniform with standard deviation 0.02 (a splitmix stream per tensor).
inline std::vector<unsigned char> randomBf16(int64_t n, uint64_t seed, float constant = 0) {
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

inline void writeCheckpoint(const std::string& dir, const Shape& s) {
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

// Writes the checkpoint into `dir` unless it is there (name the folder after the shape), in a child process so that its
// buffers do not count in the caller's peak memory. Seconds spent writing; -1 on failure.
// Written into DIR.partial and renamed, so a killed write is never taken for a checkpoint.
inline double ensureCheckpoint(const std::string& dir, const Shape& shape) {
    if (QFile::exists(QString::fromStdString(dir + "/model.safetensors"))) return 0;
    const auto start = std::chrono::steady_clock::now();
    const pid_t child = fork();
    if (child == 0) {
        try {
            QDir(QString::fromStdString(dir + ".partial")).removeRecursively();
            writeCheckpoint(dir + ".partial", shape);
            if (std::rename((dir + ".partial").c_str(), dir.c_str()) != 0) throw std::runtime_error("cannot rename " + dir + ".partial");
        } catch (const std::exception& e) {
            std::fprintf(stderr, "%s\n", e.what());
            _exit(1);
        }
        _exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace expertscope::bench
