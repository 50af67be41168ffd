#include "core/runtime/gpt2/gpt2_config.h"

#include "core/base/error.h"
#include "core/base/json_file.h"

#include <QDir>

#include <climits>

namespace expertscope {

void checkGpt2Dimensions(ModelInfo& info) {
    if (info.hidden % info.heads != 0)
        throw Error(info.path + ": n_embd " + std::to_string(info.hidden) + " is not divisible by n_head " +
                    std::to_string(info.heads));
    info.headDim = info.hidden / info.heads;
    info.kvHeads = info.heads;
}

Gpt2Config readGpt2Config(const std::string& dirPath) {
    const QDir dir(QString::fromStdString(dirPath));
    const JsonFile cfg(dir.filePath("config.json").toStdString());
    Gpt2Config c;
    ModelInfo& info = c.info;
    info.family = "gpt2";
    info.architecture = "GPT2LMHeadModel";
    info.format = "huggingface";
    info.path = dirPath;
    info.hidden = cfg.requireInt("n_embd");
    info.layers = cfg.requireInt("n_layer");
    info.heads = cfg.requireInt("n_head");
    info.maxPositions = cfg.has("n_positions") ? cfg.requireInt("n_positions") : cfg.requireInt("n_ctx");
    info.vocab = cfg.requireInt("vocab_size");
    if (!cfg.has("n_inner") && info.hidden > INT_MAX / 4)  // the default n_inner, 4 x n_embd, must be an int too
        throw Error(cfg.path() + ": 'n_embd' " + std::to_string(info.hidden) + " is too large");
    info.intermediate = cfg.has("n_inner") ? cfg.requireInt("n_inner") : 4 * info.hidden;
    info.normEps = static_cast<float>(cfg.optionalNumber("layer_norm_epsilon", 1e-5));
    info.tiedEmbeddings = cfg.optionalBool("tie_word_embeddings", true);
    info.prependBos = false;
    info.bosId = cfg.optionalInt("bos_token_id", 50256);
    info.eosId = cfg.optionalInt("eos_token_id", 50256);
    info.ropeTheta = 0;
    const std::string activation = cfg.optionalString("activation_function", "gelu_new");
    if (activation != "gelu_new" && activation != "gelu_pytorch_tanh" && activation != "gelu")
        throw Error(cfg.path() + ": activation_function '" + activation + "' is not supported (gelu_new, gelu)");
    c.exactGelu = activation == "gelu";
    checkGpt2Dimensions(info);
    return c;
}

}  // namespace expertscope
