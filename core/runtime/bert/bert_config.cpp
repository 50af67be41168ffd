#include "core/runtime/bert/bert_config.h"

#include "core/base/error.h"
#include "core/base/json_file.h"

#include <QDir>

namespace expertscope {

BertConfig readBertConfig(const std::string& dirPath) {
    const QDir dir(QString::fromStdString(dirPath));
    const JsonFile cfg(dir.filePath("config.json").toStdString());
    const std::string type = cfg.optionalString("model_type", "");
    if (type != "bert" && type != "roberta") throw Error(cfg.path() + ": model_type '" + type + "' is not an encoder Expertscope runs");
    BertConfig c;
    c.roberta = type == "roberta";
    ModelInfo& info = c.info;
    info.family = type;
    info.format = "huggingface";
    info.path = dirPath;
    info.encoder = true;
    info.hidden = cfg.requireInt("hidden_size");
    info.layers = cfg.requireInt("num_hidden_layers");
    info.heads = cfg.requireInt("num_attention_heads");
    info.intermediate = cfg.requireInt("intermediate_size");
    info.vocab = cfg.requireInt("vocab_size");
    info.normEps = static_cast<float>(cfg.optionalNumber("layer_norm_eps", 1e-12));
    info.ropeTheta = 0;
    info.tiedEmbeddings = cfg.optionalBool("tie_word_embeddings", true);
    if (info.hidden % info.heads != 0)
        throw Error(cfg.path() + ": hidden_size " + std::to_string(info.hidden) + " is not divisible by num_attention_heads " +
                    std::to_string(info.heads));
    info.headDim = info.hidden / info.heads;
    info.kvHeads = info.heads;
    const std::string activation = cfg.optionalString("hidden_act", "gelu");
    if (activation != "gelu") throw Error(cfg.path() + ": hidden_act '" + activation + "' is not supported (gelu)");
    const std::string positions = cfg.optionalString("position_embedding_type", "absolute");
    if (positions != "absolute")
        throw Error(cfg.path() + ": position_embedding_type '" + positions + "' is not supported (absolute)");
    c.positionTable = cfg.requireInt("max_position_embeddings");
    const int padId = cfg.optionalInt("pad_token_id", c.roberta ? 1 : 0);
    // RoBERTa numbers the positions of real tokens from its padding id + 1.
    if (c.roberta && (padId < 0 || padId >= c.positionTable - 1))
        throw Error(cfg.path() + ": pad_token_id " + std::to_string(padId) + " leaves no positions of the " +
                    std::to_string(c.positionTable) + " in max_position_embeddings (RoBERTa's start at pad_token_id + 1)");
    c.positionOffset = c.roberta ? padId + 1 : 0;
    info.maxPositions = c.positionTable - static_cast<int>(c.positionOffset);
    info.prependBos = true;
    c.tokenTypes = cfg.optionalInt("type_vocab_size", 2);
    c.configBos = cfg.optionalInt("bos_token_id", c.roberta ? 0 : -1);
    c.configEos = cfg.optionalInt("eos_token_id", c.roberta ? 2 : -1);
    return c;
}

}  // namespace expertscope
