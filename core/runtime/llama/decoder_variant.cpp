#include "core/runtime/llama/decoder_variant.h"

#include "core/base/error.h"
#include "core/base/json_file.h"

#include <QDir>
#include <QJsonArray>

#include <cmath>
#include <map>
#include <set>

namespace expertscope {
namespace {

// Layers beyond this are no model's (the deepest published have a few hundred).
constexpr int kMaxLayers = 1 << 16;

const char* const kSupported = "llama, mistral, qwen2, qwen3, phi3, gemma, gemma2, gemma3_text (and gpt2)";

// model_types whose feed-forward is a mixture of experts: their "experts" are routed
// sub-networks, not the expert units this program finds, and the runtime has no router.
const std::set<std::string> kMixtureOfExperts = {"mixtral", "qwen2_moe", "qwen3_moe", "deepseek_v2", "deepseek_v3", "dbrx",
                                                 "olmoe", "jamba", "granitemoe", "phimoe", "llama4", "llama4_text", "minimax"};
// Other architectures people try, named with what they are.
const std::map<std::string, std::string> kOthers = {
    {"qwen3_next", "hybrid linear attention"}, {"qwen3_5", "hybrid linear attention"}, {"gemma3", "multimodal (use its text model, gemma3_text)"},
    {"gemma4", "not implemented"}, {"t5", "encoder-decoder"}, {"bart", "encoder-decoder"}, {"mamba", "a state-space model"},
    {"falcon_h1", "hybrid state-space"}, {"recurrent_gemma", "recurrent"}};

int firstId(const JsonFile& cfg, const char* key, int fallback) {
    const auto v = cfg.object().value(QLatin1String(key));
    if (v.isArray() && !v.toArray().isEmpty()) return v.toArray().first().toInt(fallback);  // several EOS ids
    return cfg.optionalInt(key, fallback);
}

[[noreturn]] void refuse(const JsonFile& cfg, const std::string& what) { throw Error(cfg.path() + ": " + what); }

DecoderVariant::Rope readRope(const JsonFile& cfg, const std::string& type, float theta) {
    DecoderVariant::Rope rope;
    rope.theta = theta;
    const auto scaling = cfg.object().value("rope_scaling");
    if (scaling.isNull() || scaling.isUndefined()) return rope;
    if (!scaling.isObject()) refuse(cfg, "'rope_scaling' must be an object or null");
    const auto o = scaling.toObject();
    const std::string kind = (o.contains("rope_type") ? o.value("rope_type") : o.value("type")).toString().toStdString();
    const bool llama3 = kind == "llama3" && type == "llama";
    if (kind == "default" || kind.empty()) return rope;
    if (kind != "linear" && !llama3)
        refuse(cfg, "rope_scaling type '" + kind + "' is not implemented (supported: none, linear, and llama3 for llama)");
    rope.scaling = kind;
    rope.factor = static_cast<float>(o.value("factor").toDouble(0));
    if (!(rope.factor > 0)) refuse(cfg, "rope_scaling needs a positive 'factor'");
    if (llama3) {
        rope.lowFreqFactor = static_cast<float>(o.value("low_freq_factor").toDouble(1));
        rope.highFreqFactor = static_cast<float>(o.value("high_freq_factor").toDouble(4));
        rope.originalPositions = o.value("original_max_position_embeddings").toInt(8192);
        if (!(rope.highFreqFactor > rope.lowFreqFactor)) refuse(cfg, "rope_scaling: high_freq_factor must exceed low_freq_factor");
    }
    return rope;
}

}  // namespace

bool isDecoderVariant(const std::string& t) {
    return t == "llama" || t == "mistral" || t == "qwen2" || t == "qwen3" || t == "phi3" || t == "gemma" || t == "gemma2" ||
           t == "gemma3_text";
}

DecoderVariant readDecoderVariant(const std::string& dirPath) {
    const JsonFile cfg(QDir(QString::fromStdString(dirPath)).filePath("config.json").toStdString());
    DecoderVariant v;
    v.modelType = cfg.optionalString("model_type", "");
    const auto archs = cfg.object().value("architectures").toArray();
    v.architecture = archs.isEmpty() ? v.modelType : archs.first().toString().toStdString();
    const std::string& type = v.modelType;
    if (kMixtureOfExperts.count(type))
        refuse(cfg, v.architecture + " is a mixture-of-experts model: its \"experts\" are routed feed-forward networks, not the "
                                     "expert units Expertscope finds, and it is not supported (supported: " + kSupported + ")");
    if (!isDecoderVariant(type)) {
        const auto other = kOthers.find(type);
        refuse(cfg, "model_type '" + type + "' is not supported" +
                        (other != kOthers.end() ? ": " + v.architecture + " is " + other->second : std::string()) +
                        " (supported: " + kSupported + ")");
    }
    const bool gemma = type == "gemma" || type == "gemma2" || type == "gemma3_text";

    ModelInfo& info = v.info;
    info.family = type;
    info.architecture = v.architecture;
    info.format = "huggingface";
    info.path = dirPath;
    info.hidden = cfg.requireInt("hidden_size");
    info.intermediate = cfg.requireInt("intermediate_size");
    info.layers = cfg.requireInt("num_hidden_layers");
    if (info.layers > kMaxLayers)  // a table per layer is made before any weight is read
        refuse(cfg, "num_hidden_layers " + std::to_string(info.layers) + " is not plausible (at most " + std::to_string(kMaxLayers) + ")");
    info.heads = cfg.requireInt("num_attention_heads");
    info.kvHeads = cfg.has("num_key_value_heads") ? cfg.requireInt("num_key_value_heads") : info.heads;
    info.vocab = cfg.requireInt("vocab_size");
    info.maxPositions = cfg.requireInt("max_position_embeddings");
    if (info.maxPositions < 1 || info.maxPositions > kMaxContextPositions)  // tables of positions x head_dim are made at load
        refuse(cfg, "max_position_embeddings " + std::to_string(info.maxPositions) + " is not plausible (from 1 to " +
                        std::to_string(kMaxContextPositions) + ")");
    info.normEps = static_cast<float>(cfg.optionalNumber("rms_norm_eps", 1e-6));
    info.ropeTheta = static_cast<float>(cfg.optionalNumber("rope_theta", 10000.0));
    // Hugging Face's defaults per config class: Gemma ties unless told otherwise.
    info.tiedEmbeddings = cfg.optionalBool("tie_word_embeddings", gemma);
    info.bosId = firstId(cfg, "bos_token_id", gemma ? 2 : 1);
    info.eosId = firstId(cfg, "eos_token_id", gemma ? 1 : 2);
    if (!cfg.has("head_dim") && info.hidden % info.heads != 0)
        refuse(cfg, "hidden size " + std::to_string(info.hidden) + " is not divisible by " + std::to_string(info.heads) +
                        " attention heads (and no head_dim is given)");
    info.headDim = cfg.has("head_dim") ? cfg.requireInt("head_dim") : info.hidden / info.heads;
    if (info.headDim % 2 != 0) refuse(cfg, "head dimension must be even for RoPE");
    if (info.heads % info.kvHeads != 0)
        refuse(cfg, std::to_string(info.heads) + " attention heads are not a multiple of " + std::to_string(info.kvHeads) +
                        " key/value heads");

    // The activation of the gated MLP.
    const std::string act = cfg.has("hidden_activation") ? cfg.optionalString("hidden_activation", "")
                                                          : cfg.optionalString("hidden_act", "silu");
    if (act == "gelu_pytorch_tanh" || (gemma && (act == "gelu" || act == "gelu_new")))
        v.geluMlp = true;  // Gemma's "gelu" means the tanh form (as Hugging Face runs it)
    else if (act != "silu" && act != "swish")
        refuse(cfg, "activation '" + act + "' is not implemented (supported: silu, gelu_pytorch_tanh)");
    if (cfg.optionalBool("mlp_bias", false)) refuse(cfg, "mlp_bias is not implemented");
    if (cfg.optionalNumber("partial_rotary_factor", 1.0) != 1.0)
        refuse(cfg, "partial_rotary_factor other than 1 is not implemented");
    if ((type == "qwen2" || type == "qwen3") && cfg.optionalBool("use_sliding_window", false))
        refuse(cfg, "use_sliding_window is not implemented for " + type);

    v.qkvBias = type == "qwen2" || cfg.optionalBool("attention_bias", false);
    v.outputBias = type != "qwen2" && cfg.optionalBool("attention_bias", false);
    v.qkNorm = type == "qwen3" || type == "gemma3_text";
    v.fusedProjections = type == "phi3";
    v.gemmaNorms = gemma;
    v.sandwichNorms = type == "gemma2" || type == "gemma3_text";
    if (cfg.has("query_pre_attn_scalar")) v.attentionScale = static_cast<float>(1.0 / std::sqrt(cfg.optionalNumber("query_pre_attn_scalar", 1)));
    if (type == "gemma2") {
        v.attentionSoftcap = static_cast<float>(cfg.optionalNumber("attn_logit_softcapping", 0));
        v.finalSoftcap = static_cast<float>(cfg.optionalNumber("final_logit_softcapping", 0));
    } else if (cfg.has("attn_logit_softcapping") || cfg.has("final_logit_softcapping")) {
        if (type != "gemma3_text") refuse(cfg, "logit soft-capping is implemented for gemma2 only");
        refuse(cfg, "gemma3_text with logit soft-capping is not implemented");
    }

    // RoPE and sliding windows, per layer.
    const int window = cfg.optionalInt("sliding_window", 0);
    v.ropes.push_back(readRope(cfg, type, info.ropeTheta));
    v.layers.assign(static_cast<size_t>(info.layers), {});
    if (type == "mistral" || type == "phi3") {
        for (auto& l : v.layers) l.window = window;
    } else if (type == "gemma2") {
        for (int l = 0; l < info.layers; ++l) v.layers[static_cast<size_t>(l)].window = l % 2 == 0 ? window : 0;
    } else if (type == "gemma3_text") {
        // Every pattern-th layer is global (rope_theta with its scaling); the others are
        // local: sliding window and rope_local_base_freq without scaling.
        const int pattern = cfg.optionalInt("sliding_window_pattern", 6);
        if (pattern < 1) refuse(cfg, "'sliding_window_pattern' must be a positive integer");
        DecoderVariant::Rope local;
        local.theta = static_cast<float>(cfg.optionalNumber("rope_local_base_freq", 10000.0));
        v.ropes.push_back(local);
        for (int l = 0; l < info.layers; ++l)
            if ((l + 1) % pattern != 0) v.layers[static_cast<size_t>(l)] = {1, window};
    }
    return v;
}

}  // namespace expertscope
