// LibTorch first: its headers use `slots`, which Qt's headers define as a macro.
#include <torch/torch.h>

#include "core/runtime/llama/llama_training.h"
#include "core/base/error.h"
#include "core/base/safetensors.h"
#include "core/runtime/llama/llama.h"
#include "core/runtime/transformer.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <chrono>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <thread>

namespace expertscope {
namespace {

// Parameters under their Hugging Face names, in a fixed order.
struct Weights {
    std::vector<std::pair<std::string, at::Tensor>> named;
    at::Tensor& get(const std::string& name) {
        for (auto& [n, t] : named)
            if (n == name) return t;
        throw Error("training: no parameter " + name);
    }
};

Weights initialWeights(const LlamaShape& s) {
    Weights w;
    const int64_t D = s.hidden, F = s.intermediate, hd = s.hidden / s.heads, KV = s.kvHeads * hd;
    const double std = 0.02, outStd = 0.02 / std::sqrt(2.0 * s.layers);  // residual writers start small
    auto normal = [](std::vector<int64_t> shape, double sd) { return at::randn(shape) * sd; };
    w.named.emplace_back("model.embed_tokens.weight", normal({s.vocab, D}, std));
    for (int l = 0; l < s.layers; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        w.named.emplace_back(p + "input_layernorm.weight", at::ones({D}));
        w.named.emplace_back(p + "self_attn.q_proj.weight", normal({D, D}, std));
        w.named.emplace_back(p + "self_attn.k_proj.weight", normal({KV, D}, std));
        w.named.emplace_back(p + "self_attn.v_proj.weight", normal({KV, D}, std));
        w.named.emplace_back(p + "self_attn.o_proj.weight", normal({D, D}, outStd));
        w.named.emplace_back(p + "post_attention_layernorm.weight", at::ones({D}));
        w.named.emplace_back(p + "mlp.gate_proj.weight", normal({F, D}, std));
        w.named.emplace_back(p + "mlp.up_proj.weight", normal({F, D}, std));
        w.named.emplace_back(p + "mlp.down_proj.weight", normal({D, F}, outStd));
    }
    w.named.emplace_back("model.norm.weight", at::ones({D}));
    return w;
}

at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight, double eps) {
    return x * at::rsqrt(x.pow(2).mean(-1, true) + eps) * weight;
}

// Hugging Face's rotary embedding: halves rotate (q/k rows stored in that order).
at::Tensor rope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
    const int64_t half = x.size(-1) / 2;
    const auto rotated = at::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
    return x * cos + rotated * sin;
}

// Logits [batch, tokens, vocab] for ids [batch, tokens].
at::Tensor forward(Weights& w, const LlamaShape& s, const at::Tensor& ids) {
    const int64_t B = ids.size(0), T = ids.size(1), D = s.hidden, H = s.heads, KVH = s.kvHeads, hd = D / H;
    const auto inv = at::pow(s.ropeTheta, -at::arange(0, hd, 2, at::kDouble) / static_cast<double>(hd)).to(at::kFloat);
    const auto angles = at::outer(at::arange(T, at::kFloat), inv);
    const auto cos = at::cat({angles.cos(), angles.cos()}, -1), sin = at::cat({angles.sin(), angles.sin()}, -1);
    const auto mask = at::full({T, T}, -std::numeric_limits<float>::infinity()).triu(1);
    at::Tensor& embed = w.get("model.embed_tokens.weight");
    auto x = embed.index_select(0, ids.reshape({-1})).view({B, T, D});
    for (int l = 0; l < s.layers; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        const auto h = rmsNorm(x, w.get(p + "input_layernorm.weight"), s.normEps);
        auto q = at::linear(h, w.get(p + "self_attn.q_proj.weight")).view({B, T, H, hd}).transpose(1, 2);
        auto k = at::linear(h, w.get(p + "self_attn.k_proj.weight")).view({B, T, KVH, hd}).transpose(1, 2);
        auto v = at::linear(h, w.get(p + "self_attn.v_proj.weight")).view({B, T, KVH, hd}).transpose(1, 2);
        q = rope(q, cos, sin);
        k = rope(k, cos, sin);
        if (KVH != H) {
            k = k.repeat_interleave(H / KVH, 1);
            v = v.repeat_interleave(H / KVH, 1);
        }
        const auto scores = at::matmul(q, k.transpose(-2, -1)) / std::sqrt(static_cast<double>(hd)) + mask;
        const auto y = at::matmul(at::softmax(scores, -1), v).transpose(1, 2).reshape({B, T, D});
        x = x + at::linear(y, w.get(p + "self_attn.o_proj.weight"));
        const auto h2 = rmsNorm(x, w.get(p + "post_attention_layernorm.weight"), s.normEps);
        const auto inner = at::silu(at::linear(h2, w.get(p + "mlp.gate_proj.weight"))) * at::linear(h2, w.get(p + "mlp.up_proj.weight"));
        x = x + at::linear(inner, w.get(p + "mlp.down_proj.weight"));
    }
    return at::linear(rmsNorm(x, w.get("model.norm.weight"), s.normEps), embed);  // tied output
}

void save(const Weights& w, const LlamaShape& s, const std::string& outDir) {
    QDir().mkpath(QString::fromStdString(outDir));
    std::vector<TensorToWrite> tensors;
    for (const auto& [name, t] : w.named) {
        const auto c = t.detach().contiguous().to(at::kFloat);
        TensorToWrite out{name, DType::F32, c.sizes().vec(), {}};
        out.bytes.resize(static_cast<size_t>(c.numel()) * sizeof(float));
        std::memcpy(out.bytes.data(), c.data_ptr<float>(), out.bytes.size());
        tensors.push_back(std::move(out));
    }
    writeSafetensors(outDir + "/model.safetensors", tensors, {{"format", "pt"}});
    const QJsonObject config{{"architectures", QJsonArray{"LlamaForCausalLM"}},
                             {"model_type", "llama"},
                             {"vocab_size", s.vocab},
                             {"hidden_size", s.hidden},
                             {"intermediate_size", s.intermediate},
                             {"num_hidden_layers", s.layers},
                             {"num_attention_heads", s.heads},
                             {"num_key_value_heads", s.kvHeads},
                             {"max_position_embeddings", s.maxPositions},
                             {"rms_norm_eps", s.normEps},
                             {"rope_theta", s.ropeTheta},
                             {"hidden_act", "silu"},
                             {"tie_word_embeddings", true},
                             {"bos_token_id", s.bosId},
                             {"eos_token_id", s.eosId},
                             {"torch_dtype", "float32"}};
    QFile f(QString::fromStdString(outDir + "/config.json"));
    if (!f.open(QIODevice::WriteOnly) || f.write(QJsonDocument(config).toJson()) < 0)
        throw Error(outDir + "/config.json: cannot write");
}

}  // namespace

TrainingReport trainLlama(const std::vector<std::vector<int>>& documents, const LlamaShape& shape, const TrainingOptions& o,
                          const std::string& outDir, const TrainingCallback& progress) {
    if (shape.hidden % shape.heads != 0 || shape.heads % shape.kvHeads != 0) throw Error("training: heads must divide the width");
    std::vector<int64_t> stream;
    for (const auto& d : documents) {
        stream.push_back(shape.bosId);
        stream.insert(stream.end(), d.begin(), d.end());
        stream.push_back(shape.eosId);
    }
    const int64_t window = o.context + 1;
    if (static_cast<int64_t>(stream.size()) < window + 1) throw Error("training: the corpus is shorter than one window");
    for (int64_t t : stream)
        if (t < 0 || t >= shape.vocab) throw Error("training: token id " + std::to_string(t) + " is outside the vocabulary");

    configureRuntime();
    // Data parallel over single-threaded workers, each with its own copy of the weights:
    // at this size one operator split over cores is slower than one core. Their gradients
    // are summed in worker order, so the result does not depend on timing.
    const int workers = std::max(1, std::min(o.threads, o.batch));
    if (o.batch % workers != 0) throw Error("training: the batch must divide among the workers");
    const int previousThreads = at::get_num_threads();
    at::set_num_threads(1);
    at::manual_seed(o.seed);
    Weights w = initialWeights(shape);
    std::vector<Weights> replicas(static_cast<size_t>(workers), w);
    std::vector<at::Tensor> decay, noDecay;
    TrainingReport report;
    for (auto& [name, t] : w.named) {
        t.set_requires_grad(true);
        (t.dim() >= 2 ? decay : noDecay).push_back(t);
        report.parameters += t.numel();
    }
    for (auto& r : replicas)
        for (auto& [name, t] : r.named) t = t.detach().clone().set_requires_grad(true);
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(
                                   torch::optim::AdamWOptions(o.learningRate).betas({0.9, 0.95}).weight_decay(o.weightDecay)));
    groups.emplace_back(noDecay, std::make_unique<torch::optim::AdamWOptions>(
                                     torch::optim::AdamWOptions(o.learningRate).betas({0.9, 0.95}).weight_decay(0.0)));
    torch::optim::AdamW optimizer(std::move(groups));

    std::mt19937_64 rng(o.seed);
    std::uniform_int_distribution<int64_t> start(0, static_cast<int64_t>(stream.size()) - window);
    const auto started = std::chrono::steady_clock::now();
    double lossSum = 0;
    int lossSteps = 0;
    const int share = o.batch / workers;
    std::vector<int64_t> batch(static_cast<size_t>(o.batch * window));
    std::vector<double> losses(static_cast<size_t>(workers));
    std::vector<std::string> errors(static_cast<size_t>(workers));
    for (int step = 1; step <= o.steps; ++step) {
        const double lr = step <= o.warmupSteps
                              ? o.learningRate * step / std::max(1, o.warmupSteps)
                              : o.finalLearningRate + 0.5 * (o.learningRate - o.finalLearningRate) *
                                                          (1 + std::cos(M_PI * (step - o.warmupSteps) / std::max(1, o.steps - o.warmupSteps)));
        for (auto& g : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
        for (int b = 0; b < o.batch; ++b) {
            const int64_t at = start(rng);
            std::memcpy(batch.data() + static_cast<size_t>(b * window), stream.data() + at, static_cast<size_t>(window) * sizeof(int64_t));
        }
        const auto tokens = at::from_blob(batch.data(), {o.batch, window}, at::kLong).clone();
        auto work = [&](int k) {
            try {
                auto& r = replicas[static_cast<size_t>(k)];
                {
                    at::NoGradGuard noGrad;
                    for (size_t i = 0; i < r.named.size(); ++i) r.named[i].second.copy_(w.named[i].second);
                }
                for (auto& [name, t] : r.named) t.mutable_grad() = at::Tensor();
                const auto part = tokens.narrow(0, k * share, share);
                const auto logits = forward(r, shape, part.narrow(1, 0, o.context));
                const auto loss = at::cross_entropy_loss(logits.reshape({-1, shape.vocab}), part.narrow(1, 1, o.context).reshape({-1}));
                loss.backward();
                losses[static_cast<size_t>(k)] = loss.item<double>();
            } catch (const std::exception& e) {
                errors[static_cast<size_t>(k)] = e.what();
            }
        };
        std::vector<std::thread> pool;
        for (int k = 1; k < workers; ++k) pool.emplace_back(work, k);
        work(0);
        for (auto& t : pool) t.join();
        for (const auto& e : errors)
            if (!e.empty()) throw Error("training: " + e);
        {
            at::NoGradGuard noGrad;
            for (size_t i = 0; i < w.named.size(); ++i) {
                at::Tensor g = replicas[0].named[i].second.grad().clone();
                for (int k = 1; k < workers; ++k) g.add_(replicas[static_cast<size_t>(k)].named[i].second.grad());
                w.named[i].second.mutable_grad() = g.div_(workers);
            }
        }
        torch::nn::utils::clip_grad_norm_(decay, 1.0);
        optimizer.step();
        double loss = 0;
        for (double l : losses) loss += l;
        lossSum += loss / workers;
        ++lossSteps;
        report.tokens += static_cast<int64_t>(o.batch) * o.context;
        if (std::find(o.checkpoints.begin(), o.checkpoints.end(), step) != o.checkpoints.end())
            save(w, shape, outDir + "/step-" + std::to_string(step));
        const bool last = step == o.steps || step == o.stopAfter;
        if (step % o.reportEvery == 0 || last) {
            TrainingPoint p{step, lossSum / lossSteps,
                            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), report.tokens};
            report.curve.push_back(p);
            lossSum = 0;
            lossSteps = 0;
            if (progress && !progress(p)) break;
        }
        if (last) break;
    }
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    save(w, shape, outDir);
    at::set_num_threads(previousThreads);
    return report;
}

double trainedModelLoss(const std::string& dir, const std::vector<int>& tokens) {
    // The config as the runtime's loader reads it, so both forward passes agree on it.
    const ModelInfo info = readLlamaHuggingFaceConfig(dir);
    LlamaShape s;
    s.vocab = info.vocab;
    s.hidden = info.hidden;
    s.intermediate = info.intermediate;
    s.layers = info.layers;
    s.heads = info.heads;
    s.kvHeads = info.kvHeads;
    s.normEps = info.normEps;
    s.ropeTheta = info.ropeTheta;
    const SafetensorsFile file(dir + "/model.safetensors");
    Weights w = initialWeights(s);
    for (auto& [name, t] : w.named) {
        const auto values = file.tensor(name).toFloat32();
        t = at::from_blob(const_cast<float*>(values.data()), t.sizes(), at::kFloat).clone();
    }
    at::NoGradGuard noGrad;
    std::vector<int64_t> ids(tokens.begin(), tokens.end());
    const auto all = at::from_blob(ids.data(), {1, static_cast<int64_t>(ids.size())}, at::kLong).clone();
    const int64_t T = all.size(1) - 1;
    const auto logits = forward(w, s, all.narrow(1, 0, T));
    return at::cross_entropy_loss(logits.reshape({-1, s.vocab}), all.narrow(1, 1, T).reshape({-1})).item<double>();
}

}  // namespace expertscope
