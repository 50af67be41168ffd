// Llama models from GGUF files: a GGUF written here from stories260K's Hugging Face weights
// as llama.cpp's converter lays it out (its names, ggml's dimension order, q and k rows
// permuted to interleaved pairs) gives exactly the safetensors model's logits when stored
// as F32, and logits within the quantisation error as Q8_0 (rows that do not divide into
// blocks kept F32, as llama.cpp keeps them); the probe points and units are the Hugging Face
// model's; other architectures, missing tensors and wrong shapes are refused by name.
#include "core/base/error.h"
#include "core/base/gguf.h"
#include "core/base/safetensors.h"
#include "core/tokenizers/tokenizer.h"
#include "core/runtime/language_model.h"
#include "gguf_writer.h"
#include "test_support.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <cmath>
#include <functional>
#include <random>

using namespace expertscope;

namespace {

// The shape a fixture's config.json gives.
struct Fixture {
    int hidden = 0, intermediate = 0, layers = 0, heads = 0, kvHeads = 0, context = 0;
    float eps = 1e-5f, theta = 10000.f;
    explicit Fixture(const QString& dir) {
        QFile f(dir + "/config.json");
        f.open(QIODevice::ReadOnly);
        const QJsonObject c = QJsonDocument::fromJson(f.readAll()).object();
        hidden = c.value("hidden_size").toInt();
        intermediate = c.value("intermediate_size").toInt();
        layers = c.value("num_hidden_layers").toInt();
        heads = c.value("num_attention_heads").toInt();
        kvHeads = c.value("num_key_value_heads").toInt(heads);
        context = c.value("max_position_embeddings").toInt();
        eps = static_cast<float>(c.value("rms_norm_eps").toDouble(1e-5));
        theta = static_cast<float>(c.value("rope_theta").toDouble(10000));
    }
};

// llama.cpp's convert_hf_to_gguf permutation of q/k rows: within each head, Hugging Face's
// [first halves | second halves] become interleaved pairs (GGUF row h,i,j = HF row h,j,i).
std::vector<float> toInterleaved(const std::vector<float>& w, int heads, int64_t cols) {
    const int64_t rows = static_cast<int64_t>(w.size()) / cols, headDim = rows / heads, half = headDim / 2;
    std::vector<float> out(w.size());
    for (int64_t h = 0; h < heads; ++h)
        for (int64_t i = 0; i < half; ++i)
            for (int64_t j = 0; j < 2; ++j)
                std::copy_n(w.begin() + (h * headDim + j * half + i) * cols, cols, out.begin() + (h * headDim + 2 * i + j) * cols);
    return out;
}

// The GGUF of the fixture's weights as llama.cpp's converter writes it (q/k permuted for
// llama only); `quantise`: Q8_0 for every matrix whose rows divide into blocks.
bool writeGguf(const QString& hfDir, const QString& out, bool quantise, const std::string& arch = "llama",
               const std::string& drop = {}, const std::function<void(test::GgufWriter&)>& extra = {}) {
    const Fixture f(hfDir);
    const SafetensorsFile st((hfDir + "/model.safetensors").toStdString());
    const bool permute = arch == "llama";
    test::GgufWriter w;
    w.add("general.architecture", arch);
    w.add(arch + ".context_length", uint32_t(f.context));
    w.add(arch + ".embedding_length", uint32_t(f.hidden));
    w.add(arch + ".feed_forward_length", uint32_t(f.intermediate));
    w.add(arch + ".block_count", uint32_t(f.layers));
    w.add(arch + ".attention.head_count", uint32_t(f.heads));
    w.add(arch + ".attention.head_count_kv", uint32_t(f.kvHeads));
    w.add(arch + ".attention.layer_norm_rms_epsilon", f.eps);
    w.add(arch + ".rope.freq_base", f.theta);
    auto put = [&](const std::string& hf, const std::string& gguf, int permuteHeads) {
        if (gguf == drop || !st.contains(hf)) return;
        if (!permute) permuteHeads = 0;
        const TensorView& t = st.tensor(hf);
        std::vector<float> v = t.toFloat32();
        const int64_t cols = t.shape.back();
        if (permuteHeads) v = toInterleaved(v, permuteHeads, cols);
        std::vector<uint64_t> dims;
        for (auto it = t.shape.rbegin(); it != t.shape.rend(); ++it) dims.push_back(static_cast<uint64_t>(*it));
        if (quantise && t.shape.size() == 2 && cols % 32 == 0) w.tensor(gguf, dims, 8, test::GgufWriter::encodeQ8_0(v));
        else w.f32(gguf, dims, v);
    };
    put("model.embed_tokens.weight", "token_embd.weight", 0);
    if (extra) extra(w);
    put("model.norm.weight", "output_norm.weight", 0);
    for (int l = 0; l < f.layers; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".", b = "blk." + std::to_string(l) + ".";
        put(p + "input_layernorm.weight", b + "attn_norm.weight", 0);
        put(p + "self_attn.q_proj.weight", b + "attn_q.weight", f.heads);
        put(p + "self_attn.k_proj.weight", b + "attn_k.weight", f.kvHeads);
        put(p + "self_attn.v_proj.weight", b + "attn_v.weight", 0);
        for (const char* m : {"q", "k", "v"}) put(p + "self_attn." + m + "_proj.bias", b + "attn_" + m + ".bias", 0);
        put(p + "self_attn.o_proj.weight", b + "attn_output.weight", 0);
        put(p + "post_attention_layernorm.weight", b + "ffn_norm.weight", 0);
        put(p + "mlp.gate_proj.weight", b + "ffn_gate.weight", 0);
        put(p + "mlp.up_proj.weight", b + "ffn_up.weight", 0);
        put(p + "mlp.down_proj.weight", b + "ffn_down.weight", 0);
    }
    return w.save(out);
}

}  // namespace

class TestGgufModel : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    QString hf_;
    std::vector<int> ids_;

private slots:
    void initTestCase() {
        REQUIRE_SHARED(config, "models/stories260K-hf/config.json");
        hf_ = QFileInfo(config).absolutePath();
        ids_ = loadModel({hf_.toStdString(), ""})->tokenize("Once upon a time, there was a little girl named Lily. She liked the park.");
    }

    void f32GivesTheSafetensorsModelExactly() {
        const QString path = tmp_.filePath("stories-f32.gguf");
        QVERIFY(writeGguf(hf_, path, false));
        const auto gguf = loadModel({path.toStdString(), ""});
        const auto hf = loadModel({hf_.toStdString(), ""});
        QCOMPARE(gguf->info().format, std::string("gguf"));
        QCOMPARE(gguf->info().parameters, hf->info().parameters);
        const auto a = gguf->probePoints(), b = hf->probePoints();
        QCOMPARE(a.size(), b.size());
        for (size_t i = 0; i < a.size(); ++i) {
            QCOMPARE(a[i].name, b[i].name);
            QCOMPARE(a[i].units, b[i].units);
        }
        // Exact: the same floats, q and k rows back in Hugging Face's order.
        QCOMPARE(gguf->trace(ids_).logits, hf->trace(ids_).logits);
        QVERIFY(gguf->info().tokenizerPath.empty());  // no tokenizer in this file's metadata: token ids only
    }

    // Q8_0 within its quantisation error: every logit close, the same next token nearly everywhere.
    void q8_0IsWithinTheQuantisationError() {
        const QString path = tmp_.filePath("stories-q8_0.gguf");
        QVERIFY(writeGguf(hf_, path, true));
        QVERIFY(QFileInfo(path).size() < QFileInfo(hf_ + "/model.safetensors").size() / 2);
        const auto q = loadModel({path.toStdString(), ""})->trace(ids_);
        const auto f = loadModel({hf_.toStdString(), ""})->trace(ids_);
        double worst = 0, scale = 0;
        int sameTop = 0;
        for (int64_t t = 0; t < f.tokens; ++t) {
            const float* a = q.logits.data() + t * f.vocab;
            const float* b = f.logits.data() + t * f.vocab;
            for (int v = 0; v < f.vocab; ++v) {
                worst = std::max(worst, static_cast<double>(std::fabs(a[v] - b[v])));
                scale = std::max(scale, static_cast<double>(std::fabs(b[v])));
            }
            sameTop += std::max_element(a, a + f.vocab) - a == std::max_element(b, b + f.vocab) - b ? 1 : 0;
        }
        qInfo("Q8_0: largest logit difference %.4f (logits up to %.2f); same top token at %d of %lld positions", worst, scale, sameTop,
              static_cast<long long>(f.tokens));
        QVERIFY(worst > 0);             // it was quantised
        QVERIFY(worst < 0.05 * scale);  // and stays close
        QVERIFY(sameTop >= f.tokens * 9 / 10);
    }

    // The tokenizer in the file's metadata is the model's: llama.cpp's Llama 2 vocabulary
    // (32,000 pieces) copied into a small random llama, which then reads text as it does.
    void theTokenizerComesFromTheMetadata() {
        REQUIRE_SHARED(vocabPath, "tokenizers/gguf-vocab/ggml-vocab-llama-spm.gguf");
        const GgufFile vocab(vocabPath.toStdString());
        const int n = static_cast<int>(vocab.arrayLength("tokenizer.ggml.tokens")), d = 32;
        test::GgufWriter w;
        w.add("general.architecture", std::string("llama"));
        w.add("llama.context_length", uint32_t(64));
        w.add("llama.embedding_length", uint32_t(d));
        w.add("llama.feed_forward_length", uint32_t(64));
        w.add("llama.block_count", uint32_t(1));
        w.add("llama.attention.head_count", uint32_t(4));
        w.add("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        w.add("tokenizer.ggml.model", vocab.string("tokenizer.ggml.model"));
        w.addStrings("tokenizer.ggml.tokens", vocab.strings("tokenizer.ggml.tokens"));
        w.addFloats("tokenizer.ggml.scores", vocab.floats("tokenizer.ggml.scores"));
        std::vector<int32_t> types;
        for (auto t : vocab.integers("tokenizer.ggml.token_type")) types.push_back(static_cast<int32_t>(t));
        w.addInts("tokenizer.ggml.token_type", types);
        w.add("tokenizer.ggml.bos_token_id", uint32_t(vocab.integer("tokenizer.ggml.bos_token_id")));
        w.add("tokenizer.ggml.eos_token_id", uint32_t(vocab.integer("tokenizer.ggml.eos_token_id")));
        w.add("tokenizer.ggml.add_bos_token", true);
        std::mt19937 rng(5);
        std::normal_distribution<float> normal(0.f, 0.02f);
        auto random = [&](size_t count) {
            std::vector<float> v(count);
            for (auto& x : v) x = normal(rng);
            return v;
        };
        w.f32("token_embd.weight", {uint64_t(d), uint64_t(n)}, random(size_t(n) * d));
        w.f32("output_norm.weight", {uint64_t(d)}, std::vector<float>(d, 1.f));
        w.f32("blk.0.attn_norm.weight", {uint64_t(d)}, std::vector<float>(d, 1.f));
        w.f32("blk.0.ffn_norm.weight", {uint64_t(d)}, std::vector<float>(d, 1.f));
        for (const char* m : {"attn_q", "attn_k", "attn_v", "attn_output"}) w.f32(std::string("blk.0.") + m + ".weight", {32, 32}, random(32 * 32));
        w.f32("blk.0.ffn_gate.weight", {32, 64}, random(64 * 32));
        w.f32("blk.0.ffn_up.weight", {32, 64}, random(64 * 32));
        w.f32("blk.0.ffn_down.weight", {64, 32}, random(64 * 32));
        const QString path = tmp_.filePath("with-vocab.gguf");
        QVERIFY(w.save(path));
        const auto model = loadModel({path.toStdString(), ""});
        QCOMPARE(model->info().tokenizerPath, path.toStdString());
        const auto reference = loadGgufTokenizer(vocabPath.toStdString());
        for (const char* text : {"Hello world", " Once upon a time, 3 little pigs.", "naïve café 東京"}) {
            std::vector<int> want{1};
            const auto body = reference->encode(text);
            want.insert(want.end(), body.begin(), body.end());
            QCOMPARE(model->tokenize(text), want);
        }
        QCOMPARE(model->tokenizer().decode(model->tokenize("Hello world")), std::string("Hello world"));
    }

    // Qwen2 (q, k, v biases; rotate-half RoPE, so nothing permuted): exact as F32.
    void qwen2GivesItsSafetensorsModelExactly() {
        REQUIRE_SHARED(config, "models/qwen2-tiny-random/config.json");
        const QString dir = QFileInfo(config).absolutePath(), path = tmp_.filePath("qwen2.gguf");
        QVERIFY(writeGguf(dir, path, false, "qwen2"));
        const auto gguf = loadModel({path.toStdString(), ""});
        const auto hf = loadModel({dir.toStdString(), ""});
        QCOMPARE(gguf->info().family, std::string("qwen2"));
        const std::vector<int> ids{1, 17, 42, 99, 5, 250, 7};
        QCOMPARE(gguf->trace(ids).logits, hf->trace(ids).logits);
    }

    // An untied head (output.weight) is the one used: here the embedding's copy, so the
    // logits stay the same; changed, they change.
    void anOutputTensorIsTheHead() {
        const SafetensorsFile st((hf_ + "/model.safetensors").toStdString());
        const auto embedding = st.tensor("model.embed_tokens.weight").toFloat32();
        const QString same = tmp_.filePath("untied.gguf"), scaled = tmp_.filePath("untied-scaled.gguf");
        QVERIFY(writeGguf(hf_, same, false, "llama", {}, [&](test::GgufWriter& w) { w.f32("output.weight", {64, 512}, embedding); }));
        auto doubled = embedding;
        for (auto& x : doubled) x *= 2;
        QVERIFY(writeGguf(hf_, scaled, false, "llama", {}, [&](test::GgufWriter& w) { w.f32("output.weight", {64, 512}, doubled); }));
        const auto a = loadModel({same.toStdString(), ""});
        QVERIFY(!a->info().tiedEmbeddings);
        QCOMPARE(a->trace(ids_).logits, loadModel({hf_.toStdString(), ""})->trace(ids_).logits);
        QVERIFY(loadModel({scaled.toStdString(), ""})->trace(ids_).logits != a->trace(ids_).logits);
    }

    void refusalsNameWhatIsWrong() {
        const QString other = tmp_.filePath("gemma.gguf"), missing = tmp_.filePath("missing.gguf");
        QVERIFY(writeGguf(hf_, other, false, "gemma"));
        test::expectError([&] { loadModel({other.toStdString(), ""}); }, "GGUF architecture 'gemma' is not read yet (llama and qwen2 are");
        QVERIFY(writeGguf(hf_, missing, false, "llama", "blk.3.ffn_up.weight"));
        test::expectError([&] { loadModel({missing.toStdString(), ""}); }, "missing tensor 'blk.3.ffn_up.weight' (model.layers.3.mlp.up_proj.weight)");
        QCOMPARE(modelProblem(other.toStdString()), std::string("GGUF architecture 'gemma' is not read yet (llama and qwen2 are)"));
        QCOMPARE(modelProblem(missing.toStdString()), std::string());
        // Llama 3.1-style RoPE scaling as a tensor, and layers beyond block_count: refused, not ignored.
        const QString freqs = tmp_.filePath("freqs.gguf"), extra = tmp_.filePath("extra.gguf");
        QVERIFY(writeGguf(hf_, freqs, false, "llama", {}, [](test::GgufWriter& w) { w.f32("rope_freqs.weight", {4}, {1, 1, 1, 1}); }));
        test::expectError([&] { loadModel({freqs.toStdString(), ""}); }, "rope_freqs.weight (Llama 3.1-style RoPE scaling) is not implemented");
        QVERIFY(writeGguf(hf_, extra, false, "llama", {}, [](test::GgufWriter& w) { w.f32("blk.5.attn_norm.weight", {64}, std::vector<float>(64, 1)); }));
        test::expectError([&] { loadModel({extra.toStdString(), ""}); }, "tensor 'blk.5.attn_norm.weight' lies beyond block_count 5");
    }
};

QTEST_GUILESS_MAIN(TestGgufModel)
#include "tst_gguf_model.moc"
