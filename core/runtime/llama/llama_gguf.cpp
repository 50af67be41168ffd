// Llama and Qwen2 models from GGUF files (llama.cpp's format), so the expert units of a
// quantised model can be set beside the original's: every tensor dequantised to float32 as
// it is loaded, one at a time, under its Hugging Face name; for llama, q and k rows returned
// from llama.cpp's interleaved order to Hugging Face's (its converter permutes them for its
// RoPE; Qwen2's it leaves), so unit i of a probe is unit i of the Hugging Face model.
#include "core/base/error.h"
#include "core/base/gguf.h"
#include "core/runtime/llama/decoder_variant.h"
#include "core/runtime/llama/llama.h"
#include "core/tokenizers/tokenizer.h"

#include <cstring>
#include <map>

namespace expertscope {
namespace {

// Hugging Face's name -> llama.cpp's (per layer: model.layers.N.X -> blk.N.Y).
std::string ggufName(const std::string& hf) {
    static const std::map<std::string, std::string> top = {
        {"model.embed_tokens.weight", "token_embd.weight"}, {"model.norm.weight", "output_norm.weight"}, {"lm_head.weight", "output.weight"}};
    static const std::map<std::string, std::string> layer = {
        {"input_layernorm.weight", "attn_norm.weight"},    {"self_attn.q_proj.weight", "attn_q.weight"},
        {"self_attn.k_proj.weight", "attn_k.weight"},      {"self_attn.v_proj.weight", "attn_v.weight"},
        {"self_attn.o_proj.weight", "attn_output.weight"}, {"post_attention_layernorm.weight", "ffn_norm.weight"},
        {"self_attn.q_proj.bias", "attn_q.bias"},          {"self_attn.k_proj.bias", "attn_k.bias"},
        {"self_attn.v_proj.bias", "attn_v.bias"},
        {"mlp.gate_proj.weight", "ffn_gate.weight"},       {"mlp.up_proj.weight", "ffn_up.weight"},
        {"mlp.down_proj.weight", "ffn_down.weight"}};
    if (const auto t = top.find(hf); t != top.end()) return t->second;
    const std::string prefix = "model.layers.";
    if (hf.rfind(prefix, 0) == 0) {
        const size_t dot = hf.find('.', prefix.size());
        const auto l = layer.find(hf.substr(dot + 1));
        if (dot != std::string::npos && l != layer.end()) return "blk." + hf.substr(prefix.size(), dot - prefix.size()) + "." + l->second;
    }
    return hf;  // not mapped: looked up as it is, and reported missing under that name
}

// llama.cpp's converter reorders each head's q/k rows from Hugging Face's rotate-half
// layout [first halves, second halves] to interleaved pairs; this is its inverse.
at::Tensor fromInterleaved(const at::Tensor& w, int64_t heads) {
    const int64_t rows = w.size(0), cols = w.size(1), half = rows / heads / 2;
    return w.reshape({heads, half, 2, cols}).transpose(1, 2).reshape({rows, cols}).contiguous();
}

int64_t metaInt(const GgufFile& g, const std::string& key, int64_t fallback) { return g.contains(key) ? g.integer(key) : fallback; }

}  // namespace

std::string ggufArchitectureProblem(const GgufFile& g) {
    const std::string arch = g.contains("general.architecture") ? g.string("general.architecture") : std::string();
    return arch == "llama" || arch == "qwen2" ? std::string() : "GGUF architecture '" + arch + "' is not read yet (llama and qwen2 are)";
}

std::unique_ptr<LanguageModel> loadLlamaGguf(const std::string& path, const std::string& tokenizerPath) {
    const GgufFile g(path);
    if (const std::string why = ggufArchitectureProblem(g); !why.empty())
        throw Error(path + ": " + why + "; the Hugging Face folder of the model opens");
    const std::string arch = g.string("general.architecture");
    const bool llama = arch == "llama";
    const std::string a = arch + ".";
    for (const char* key : {"rope.scaling.type", "rope.scaling.factor", "expert_count"})
        if (g.contains(a + key) && !(std::string(key) == "expert_count" && g.integer(a + key) == 0) &&
            !(std::string(key) == "rope.scaling.type" && g.string(a + key) == "none"))
            throw Error(path + ": " + a + key + " is not implemented for GGUF files");
    // Llama 3.1+ GGUFs carry their RoPE scaling as a tensor of frequency factors, not as keys.
    if (g.findTensor("rope_freqs.weight")) throw Error(path + ": rope_freqs.weight (Llama 3.1-style RoPE scaling) is not implemented for GGUF files");
    const GgufTensor* embedding = g.findTensor("token_embd.weight");
    if (!embedding || embedding->dims.size() != 2) throw Error(path + ": no token_embd.weight of two dimensions");

    DecoderVariant v;
    v.modelType = arch;
    v.architecture = llama ? "LlamaForCausalLM" : "Qwen2ForCausalLM";
    v.qkvBias = !llama;  // Qwen2: biases on q, k, v
    ModelInfo& info = v.info;
    info.family = arch;
    info.architecture = v.architecture;
    info.format = "gguf";
    info.path = path;
    info.hidden = static_cast<int>(g.integer(a + "embedding_length"));
    info.intermediate = static_cast<int>(g.integer(a + "feed_forward_length"));
    info.layers = static_cast<int>(g.integer(a + "block_count"));
    info.heads = static_cast<int>(g.integer(a + "attention.head_count"));
    info.kvHeads = static_cast<int>(metaInt(g, a + "attention.head_count_kv", info.heads));
    info.vocab = static_cast<int>(embedding->dims[1]);
    info.maxPositions = static_cast<int>(g.integer(a + "context_length"));
    info.normEps = static_cast<float>(g.number(a + "attention.layer_norm_rms_epsilon"));
    info.ropeTheta = static_cast<float>(g.contains(a + "rope.freq_base") ? g.number(a + "rope.freq_base") : 10000.0);
    info.tiedEmbeddings = g.findTensor("output.weight") == nullptr;
    info.bosId = static_cast<int>(metaInt(g, "tokenizer.ggml.bos_token_id", 1));
    info.eosId = static_cast<int>(metaInt(g, "tokenizer.ggml.eos_token_id", 2));
    // Checked before anything is sized by them: a hostile file gets an error, not an allocation.
    const auto within = [&](const char* what, int64_t v, int64_t most) {
        if (v < 1 || v > most) throw Error(path + ": " + a + what + " is " + std::to_string(v) + ", outside 1.." + std::to_string(most));
    };
    within("block_count", metaInt(g, a + "block_count", 0), 4096);
    within("context_length", metaInt(g, a + "context_length", 0), kMaxContextPositions);
    within("embedding_length", metaInt(g, a + "embedding_length", 0), 1 << 18);
    within("feed_forward_length", metaInt(g, a + "feed_forward_length", 0), 1 << 20);
    within("attention.head_count", metaInt(g, a + "attention.head_count", 0), 4096);
    within("attention.head_count_kv", info.kvHeads, 4096);
    if (info.hidden % info.heads != 0 || info.heads % info.kvHeads != 0)
        throw Error(path + ": embedding length " + std::to_string(info.hidden) + " with " + std::to_string(info.heads) + " heads and " +
                    std::to_string(info.kvHeads) + " key/value heads is not a llama shape");
    info.headDim = info.hidden / info.heads;
    if (metaInt(g, a + "attention.key_length", info.headDim) != info.headDim)
        throw Error(path + ": a head size other than embedding length / heads is not implemented for GGUF files");
    if (metaInt(g, a + "rope.dimension_count", info.headDim) != info.headDim) throw Error(path + ": partial rotary embeddings are not implemented");
    if (info.headDim % 2 != 0) throw Error(path + ": head dimension must be even for RoPE");
    // Every layer's tensors there, and none beyond: a wrong block_count is not a smaller model.
    for (const auto& t : g.tensors())
        if (t.name.rfind("blk.", 0) == 0 && std::stoll("0" + t.name.substr(4, t.name.find('.', 4) - 4)) >= info.layers)
            throw Error(path + ": tensor '" + t.name + "' lies beyond block_count " + std::to_string(info.layers));
    DecoderVariant::Rope rope;
    rope.theta = info.ropeTheta;
    v.ropes = {rope};
    v.layers.assign(static_cast<size_t>(info.layers), {});

    std::unique_ptr<Tokenizer> tok;
    if (!tokenizerPath.empty()) {
        info.tokenizerPath = tokenizerPath;
        tok = loadTokenizer(tokenizerPath);
    } else if (g.contains("tokenizer.ggml.model")) {
        info.tokenizerPath = path;
        tok = loadGgufTokenizer(path);
    } else {
        tok = missingTokenizer(path, info.vocab, info.bosId, info.eosId, "the file's metadata has no tokenizer");
    }

    const int heads = info.heads, kvHeads = info.kvHeads;  // copies: the variant moves below
    DecoderTensors tensors;
    tensors.contains = [&](const std::string& name) { return g.findTensor(ggufName(name)) != nullptr; };
    tensors.get = [&](const std::string& name, const std::vector<int64_t>& shape) {
        const std::string file = ggufName(name);
        const GgufTensor* t = g.findTensor(file);
        if (!t) throw Error(path + ": missing tensor '" + file + "' (" + name + ")");
        // ggml lists dimensions innermost first: [cols, rows] is a [rows, cols] matrix.
        const std::vector<int64_t> dims(t->dims.rbegin(), t->dims.rend());
        if (dims != shape) {
            std::string want, got;
            for (auto d : shape) want += (want.empty() ? "" : ", ") + std::to_string(d);
            for (auto d : dims) got += (got.empty() ? "" : ", ") + std::to_string(d);
            throw Error(path + ": tensor '" + file + "' has shape [" + got + "], the model's shape wants [" + want + "]");
        }
        const std::vector<float> values = g.readFloats(*t);
        auto out = at::empty(shape, at::kFloat);
        std::memcpy(out.data_ptr<float>(), values.data(), values.size() * sizeof(float));
        if (llama && name.find("self_attn.q_proj.weight") != std::string::npos) return fromInterleaved(out, heads);
        if (llama && name.find("self_attn.k_proj.weight") != std::string::npos) return fromInterleaved(out, kvHeads);
        return out;
    };
    return buildDecoderModel(std::move(v), std::move(tok), tensors);
}

}  // namespace expertscope
