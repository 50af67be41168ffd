// Encoders with BERT's block: BERT (BertForMaskedLM, BertModel) and RoBERTa from Hugging
// Face folders. Post-LayerNorm blocks, learned absolute positions (RoBERTa's counted from
// its padding id + 1), token types, exact GELU, bidirectional attention that never sees a
// row's padding; the masked-LM head when the checkpoint has it.
#include "core/runtime/bert/bert_config.h"
#include "core/runtime/checkpoint.h"
#include "core/runtime/transformer.h"

#include "core/base/error.h"
#include "core/tokenizers/bpe_tokenizer.h"
#include "core/tokenizers/tokenizer.h"
#include "core/tokenizers/wordpiece_tokenizer.h"

#include <QDir>

#include <algorithm>
#include <cmath>
#include <limits>

namespace expertscope {
namespace {

struct BertWeights {
    struct Layer {
        at::Tensor qW, qB, kW, kB, vW, vB, oW, oB, attnNormW, attnNormB, inW, inB, outW, outB, outNormW, outNormB;
    };
    at::Tensor word, position, tokenType, embNormW, embNormB;
    std::vector<Layer> layers;
    // The masked-LM head (absent from a bare BertModel/RobertaModel): dense, GELU, norm,
    // then the word embeddings (tied) and a bias.
    at::Tensor headW, headB, headNormW, headNormB, decoder, decoderBias;

    std::vector<at::Tensor*> all() {
        std::vector<at::Tensor*> t{&word, &position, &tokenType, &embNormW, &embNormB};
        for (auto& L : layers)
            for (auto* p : {&L.qW, &L.qB, &L.kW, &L.kB, &L.vW, &L.vB, &L.oW, &L.oB, &L.attnNormW, &L.attnNormB, &L.inW, &L.inB,
                            &L.outW, &L.outB, &L.outNormW, &L.outNormB})
                t.push_back(p);
        for (auto* p : {&headW, &headB, &headNormW, &headNormB, &decoderBias})
            if (p->defined()) t.push_back(p);
        return t;
    }
};

class BertBackbone final : public Backbone {
public:
    BertBackbone(const ModelInfo& info, BertWeights w, int64_t positionOffset)
        : info_(info), w_(std::move(w)), positionOffset_(positionOffset) {
        if (useCpuKernels(w_.word.device())) {
            const int64_t d = info.hidden, f = info.intermediate;
            rows_ = rowPeriod({{d, d}, {d, f}, {f, d}}, WeightLayout::OutIn, true);
            // Attention spans the batch's padded width (masked keys count as zeros in its
            // sums), so a sentence's values are not promised bit-identical in any batch.
            rows_.exact = false;
        }
    }

    at::Tensor forward(const at::Tensor& tokens, int64_t startPos, KvCache* cache, const ProbeTap& tap) override {
        if (startPos != 0 || cache) throw Error("an encoder reads whole sequences, not one token after another");
        const int64_t B = tokens.size(0), T = tokens.size(1), D = info_.hidden, H = info_.heads, dh = info_.headDim;
        const int64_t table = w_.position.size(0) - positionOffset_;
        int64_t real = T;  // the longest row's real tokens: only padding may lie past the table
        if (!tap.realTokens.empty()) real = *std::max_element(tap.realTokens.begin(), tap.realTokens.end());
        if (real > table)
            throw Error("sequence of " + std::to_string(real) + " tokens exceeds the model's " + std::to_string(table) + " positions");
        // A batch rounded up to its row alignment may pass the table with padding alone: those
        // positions reuse the last one (attention never sees them; they are never pooled).
        at::Tensor positions;
        if (positionOffset_ > 0 && !tap.realTokens.empty()) {
            // RoBERTa numbers real tokens only; its padding takes the padding id's row, as
            // Hugging Face's position ids do.
            std::vector<int64_t> index(static_cast<size_t>(B * T));
            for (int64_t b = 0; b < B; ++b)
                for (int64_t t = 0; t < T; ++t)
                    index[static_cast<size_t>(b * T + t)] = t < tap.realTokens[static_cast<size_t>(b)] ? positionOffset_ + t : positionOffset_ - 1;
            positions = w_.position.index_select(0, at::tensor(index, at::kLong).to(tokens.device())).view({B, T, D});
        } else {
            positions = w_.position.narrow(0, positionOffset_, std::min(T, table));
            if (T > table) positions = at::cat({positions, positions.narrow(0, table - 1, 1).expand({T - table, D})});
        }
        const auto types = tap.tokenTypes.defined() ? tap.tokenTypes : at::zeros({B, T}, tokens.options());
        auto x = w_.word.index_select(0, tokens.reshape({-1})).view({B, T, D}) + positions +
                 w_.tokenType.index_select(0, types.reshape({-1})).view({B, T, D});
        x = at::layer_norm(x, {D}, w_.embNormW, w_.embNormB, info_.normEps);
        // Keys past a row's real tokens are masked as Hugging Face masks them: the dtype's
        // lowest value added to their scores.
        at::Tensor keyMask;
        if (!tap.realTokens.empty()) {
            auto m = at::zeros({B, 1, 1, T}, x.options());
            for (int64_t b = 0; b < B; ++b) {
                const int64_t n = tap.realTokens[static_cast<size_t>(b)];
                if (n < T) m[b].narrow(-1, n, T - n).fill_(std::numeric_limits<float>::lowest());
            }
            keyMask = m;
        }
        const float scale = 1.f / std::sqrt(static_cast<float>(dh));
        int probe = 0;  // per layer: query, key, value, attention.output.dense, intermediate.dense, output.dense
        for (const auto& L : w_.layers) {
            const auto split = [&](const at::Tensor& y) { return y.view({B, T, H, dh}).transpose(1, 2); };
            const auto q = split(linear(x, L.qW, L.qB, probe++, tap));
            const auto k = split(linear(x, L.kW, L.kB, probe++, tap));
            const auto v = split(linear(x, L.vW, L.vB, probe++, tap));
            auto scores = at::matmul(q, k.transpose(-1, -2)) * scale;
            if (keyMask.defined()) scores = scores + keyMask;
            const auto context = at::matmul(at::softmax(scores, -1), v).transpose(1, 2).reshape({B, T, D});
            x = at::layer_norm(linear(context, L.oW, L.oB, probe++, tap) + x, {D}, L.attnNormW, L.attnNormB, info_.normEps);
            const auto inner = linear(x, L.inW, L.inB, probe++, tap);  // before GELU
            x = at::layer_norm(linear(at::gelu(inner), L.outW, L.outB, probe++, tap) + x, {D}, L.outNormW, L.outNormB,
                               info_.normEps);
        }
        return x;
    }

    at::Tensor logits(const at::Tensor& hidden) const override {
        if (!w_.headW.defined())
            throw Error(info_.path + ": no masked-LM head in the checkpoint (a bare encoder): responses only, no predictions");
        auto h = at::gelu(at::addmm(w_.headB, hidden.reshape({-1, info_.hidden}), w_.headW.t()));
        h = at::layer_norm(h, {info_.hidden}, w_.headNormW, w_.headNormB, info_.normEps);
        auto shape = hidden.sizes().vec();
        shape.back() = info_.vocab;
        return at::addmm(w_.decoderBias, h, w_.decoder.t()).view(shape);
    }

    bool hasLogits() const override { return w_.headW.defined(); }
    KvCache newCache(int64_t, int64_t) const override { throw Error("an encoder keeps no cache"); }
    RowPeriod rowAlignment() const override { return rows_; }

private:
    static at::Tensor linear(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b, int probe, const ProbeTap& tap) {
        return probedLinear(x, w, b, WeightLayout::OutIn, probe, tap);
    }

    ModelInfo info_;
    BertWeights w_;
    int64_t positionOffset_;  // RoBERTa: pad id + 1; BERT: 0
    RowPeriod rows_{1, false};
};

// Hugging Face's module names under the checkpoint's prefix ("bert.", "roberta." or none).
std::vector<ProbePoint> bertProbePoints(const ModelInfo& info, const std::string& base, const std::string& filePrefix) {
    const struct {
        const char* name;
        int units;
    } kinds[] = {{"attention.self.query", info.hidden}, {"attention.self.key", info.hidden},
                 {"attention.self.value", info.hidden}, {"attention.output.dense", info.hidden},
                 {"intermediate.dense", info.intermediate}, {"output.dense", info.hidden}};
    std::vector<ProbePoint> probes;
    for (int l = 0; l < info.layers; ++l)
        for (const auto& k : kinds) {
            ProbePoint p;
            const std::string local = "encoder.layer." + std::to_string(l) + "." + k.name;
            p.name = base + local;
            p.kind = k.name;
            p.checkpointTensor = filePrefix + local + ".weight";
            p.layer = l;
            p.units = k.units;
            probes.push_back(p);
        }
    return probes;
}

std::unique_ptr<Tokenizer> encoderTokenizer(const std::string& dirPath, const std::string& tokenizerPath, ModelInfo& info,
                                            bool roberta) {
    const QDir dir(QString::fromStdString(dirPath));
    if (!tokenizerPath.empty()) {
        info.tokenizerPath = tokenizerPath;
        return loadTokenizer(tokenizerPath);
    }
    if (dir.exists("tokenizer.json")) {
        info.tokenizerPath = dir.filePath("tokenizer.json").toStdString();
        return roberta ? loadByteLevelBpe(dirPath) : loadTokenizer(info.tokenizerPath);
    }
    if (!roberta && dir.exists("vocab.txt")) {
        info.tokenizerPath = dir.filePath("vocab.txt").toStdString();
        return loadWordPieceVocab(info.tokenizerPath);
    }
    if (roberta && dir.exists("vocab.json") && dir.exists("merges.txt")) {
        info.tokenizerPath = dirPath;
        return loadByteLevelBpe(dirPath);
    }
    return missingTokenizer(dirPath, info.vocab, info.bosId, info.eosId);
}

}  // namespace

std::unique_ptr<LanguageModel> loadBertHuggingFace(const std::string& dirPath, const std::string& tokenizerPath) {
    const BertConfig config = readBertConfig(dirPath);
    ModelInfo info = config.info;
    const std::string type = info.family;
    const bool roberta = config.roberta;
    const int positionTable = config.positionTable;
    const int64_t positionOffset = config.positionOffset;
    // [CLS] and [SEP] (RoBERTa: <s> and </s>) from the tokenizer when there is one.
    auto tok = encoderTokenizer(dirPath, tokenizerPath, info, roberta);
    info.bosId = tok->bosId() >= 0 ? tok->bosId() : config.configBos;
    info.eosId = tok->eosId() >= 0 ? tok->eosId() : config.configEos;
    if (tok->vocabSize() > info.vocab)
        throw Error(info.tokenizerPath + ": tokenizer has " + std::to_string(tok->vocabSize()) + " tokens but the model only " +
                    std::to_string(info.vocab));

    const CheckpointTensors tensors(dirPath);
    const std::string prefix = tensors.contains(type + ".embeddings.word_embeddings.weight") ? type + "." : "";
    const auto get = [&](const std::string& local, std::vector<int64_t> shape) { return tensors.get(prefix + local, shape); };
    const int64_t D = info.hidden, F = info.intermediate;
    BertWeights w;
    w.word = get("embeddings.word_embeddings.weight", {info.vocab, D});
    w.position = get("embeddings.position_embeddings.weight", {positionTable, D});
    w.tokenType = get("embeddings.token_type_embeddings.weight", {config.tokenTypes, D});
    w.embNormW = get("embeddings.LayerNorm.weight", {D});
    w.embNormB = get("embeddings.LayerNorm.bias", {D});
    for (int l = 0; l < info.layers; ++l) {
        const std::string p = "encoder.layer." + std::to_string(l) + ".";
        BertWeights::Layer L;
        L.qW = get(p + "attention.self.query.weight", {D, D});
        L.qB = get(p + "attention.self.query.bias", {D});
        L.kW = get(p + "attention.self.key.weight", {D, D});
        L.kB = get(p + "attention.self.key.bias", {D});
        L.vW = get(p + "attention.self.value.weight", {D, D});
        L.vB = get(p + "attention.self.value.bias", {D});
        L.oW = get(p + "attention.output.dense.weight", {D, D});
        L.oB = get(p + "attention.output.dense.bias", {D});
        L.attnNormW = get(p + "attention.output.LayerNorm.weight", {D});
        L.attnNormB = get(p + "attention.output.LayerNorm.bias", {D});
        L.inW = get(p + "intermediate.dense.weight", {F, D});
        L.inB = get(p + "intermediate.dense.bias", {F});
        L.outW = get(p + "output.dense.weight", {D, F});
        L.outB = get(p + "output.dense.bias", {D});
        L.outNormW = get(p + "output.LayerNorm.weight", {D});
        L.outNormB = get(p + "output.LayerNorm.bias", {D});
        w.layers.push_back(std::move(L));
    }
    // The head: BERT's cls.predictions.*, RoBERTa's lm_head.*.
    const std::string head = roberta ? "lm_head." : "cls.predictions.";
    const std::string dense = roberta ? "lm_head.dense." : "cls.predictions.transform.dense.";
    const std::string norm = roberta ? "lm_head.layer_norm." : "cls.predictions.transform.LayerNorm.";
    if (tensors.contains(dense + "weight")) {
        w.headW = tensors.get(dense + "weight", {D, D});
        w.headB = tensors.get(dense + "bias", {D});
        w.headNormW = tensors.get(norm + "weight", {D});
        w.headNormB = tensors.get(norm + "bias", {D});
        const std::string decoder = head + "decoder.weight";
        w.decoder = !info.tiedEmbeddings && tensors.contains(decoder) ? tensors.get(decoder, {info.vocab, D}) : w.word;
        w.decoderBias = tensors.contains(head + "bias") ? tensors.get(head + "bias", {info.vocab})
                                                        : tensors.get(head + "decoder.bias", {info.vocab});
        info.architecture = roberta ? "RobertaForMaskedLM" : "BertForMaskedLM";
    } else {
        info.architecture = roberta ? "RobertaModel" : "BertModel";
    }
    int64_t parameters = 0;
    for (auto* t : w.all()) parameters += t->numel();
    if (w.decoder.defined() && !w.decoder.is_same(w.word)) parameters += w.decoder.numel();
    info.parameters = parameters;
    const auto device = preferredDevice();
    info.device = device.is_cuda() ? "cuda" : "cpu";
    if (device.is_cuda()) {
        const bool tied = w.decoder.defined() && w.decoder.is_same(w.word);
        for (auto* t : w.all()) *t = t->to(device);
        if (w.decoder.defined()) w.decoder = tied ? w.word : w.decoder.to(device);
    }
    auto probes = bertProbePoints(info, type + ".", prefix);
    auto backbone = std::make_unique<BertBackbone>(info, std::move(w), positionOffset);
    return std::make_unique<TransformerModel>(std::move(info), std::move(probes), std::move(tok), std::move(backbone),
                                              std::vector<int>{});
}

}  // namespace expertscope
