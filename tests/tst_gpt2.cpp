// GPT-2 against nanoGPT's outputs for the random-weight model in ../shared: every Conv1D
// output, logits and a greedy continuation; both checkpoint layouts; GPT-2 small's unit
// count; forcing and the KV cache; broken configurations.
#include "core/base/error.h"
#include "core/base/safetensors.h"
#include "core/runtime/language_model.h"
#include "core/tokenizers/bpe_tokenizer.h"
#include "test_support.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <cmath>
#include <numeric>

using namespace expertscope;

namespace {

std::vector<int> ids(const TensorView& v) {
    const auto f = v.toFloat32();
    return {f.begin(), f.end()};
}

// The 256 byte tokens and <|endoftext|>: a real byte-level BPE without merges.
std::unique_ptr<Tokenizer> byteTokenizer() {
    std::unordered_map<std::string, int> vocab;
    for (int b = 0, next = 0; b < 256; ++b) {
        const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
        const char32_t code = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + next++);
        vocab[QString::fromUcs4(&code, 1).toStdString()] = b;
    }
    return std::make_unique<ByteLevelBpe>(vocab, std::vector<std::pair<std::string, std::string>>{},
                                          std::map<std::string, int>{{"<|endoftext|>", 256}}, "bytes");
}

}  // namespace

class TestGpt2 : public QObject {
    Q_OBJECT
    QString dir_, tokenizer_;
    std::unique_ptr<LanguageModel> model_;
    QTemporaryDir tmp_;

    QString variant(const QString& name, const QByteArray& config, const std::function<void(std::vector<TensorToWrite>&)>& edit) {
        const QString dst = tmp_.filePath(name);
        QDir().mkpath(dst);
        QFile c(dst + "/config.json");
        c.open(QIODevice::WriteOnly);
        c.write(config);
        c.close();
        expertscope::test::copySafetensors(dir_ + "/model.safetensors", dst + "/model.safetensors", edit);
        return dst;
    }
    QByteArray config() const {
        QFile f(dir_ + "/config.json");
        f.open(QIODevice::ReadOnly);
        return f.readAll();
    }
    void expectLoadError(const QString& dir, const char* fragment) {
        expertscope::test::expectError([&] { loadModel({dir.toStdString(), tokenizer_.toStdString()}); }, fragment);
    }

private slots:
    void initTestCase() {
        REQUIRE_SHARED(cfg, "models/gpt2-tiny-random/config.json");
        REQUIRE_SHARED(tok, "tokenizers/gpt2/encoder.json");
        dir_ = QFileInfo(cfg).absolutePath();
        tokenizer_ = tok;
        model_ = loadModel({dir_.toStdString(), tokenizer_.toStdString()});
    }

    void probePointsAreMlSelfcond() {
        const auto& probes = model_->probePoints();
        QCOMPARE(probes.size(), size_t(12));
        QCOMPARE(probes[0].name, std::string("transformer.h.0.attn.c_attn"));
        QCOMPARE(probes[0].units, 144);
        QCOMPARE(probes[2].name, std::string("transformer.h.0.mlp.c_fc"));
        QCOMPARE(probes[2].units, 192);
        QCOMPARE(probes[3].name, std::string("transformer.h.0.mlp.c_proj"));
        QCOMPARE(probes[3].checkpointTensor, std::string("transformer.h.0.mlp.c_proj.weight"));
        QCOMPARE(model_->unitCount(), int64_t(3 * (144 + 48 + 192 + 48)));
        QCOMPARE(model_->info().family, std::string("gpt2"));
    }

    void goldenActivations() {
        REQUIRE_SHARED(acts, "models/gpt2-tiny-random/golden_activations.safetensors");
        const SafetensorsFile golden(acts.toStdString());
        const auto texts = QJsonDocument::fromJson(QByteArray::fromStdString(golden.metadata().at("texts"))).array();
        int compared = 0;
        double worstLogitError = 0;
        for (int s = 0; s < texts.size(); ++s) {
            const std::string prefix = "s" + std::to_string(s) + ".";
            const auto tokens = ids(golden.tensor(prefix + "tokens"));
            QCOMPARE(model_->tokenize(texts[s].toString().toStdString()), tokens);  // GPT-2: no BOS
            const auto trace = model_->trace(tokens);
            const int V = trace.vocab;
            expertscope::test::expectClose(trace.logits.data() + (trace.tokens - 1) * V, golden.tensor(prefix + "logits_last").toFloat32(),
                        "logits_last");
            if (golden.contains(prefix + "logits")) expertscope::test::expectClose(trace.logits.data(), golden.tensor(prefix + "logits").toFloat32(), "logits");
            // The golden top-5 ids, in order, where a rank may hold another id only when the two
            // are tied within kTieTolerance in the golden logits. Both implementations compute
            // each logit in float32: a 48-wide dot product of the final hidden state with the
            // token's embedding, after three layers whose sums run in another order in nanoGPT
            // (PyTorch's kernels) than here, so each logit carries rounding error of a few float32
            // steps (values ~0.5, spacing 6e-8 there): measured at most 2.1e-7 from every stored
            // golden logit, on this machine's OpenBLAS kernels, Haswell's, SkylakeX's and the
            // operator route alike. Two ids can swap only when their golden gap is under the sum of
            // their errors; 1e-5 allows errors up to 5e-6 each (checked below: the premise of the
            // tolerance, 24 times what is measured), and stays 44 times below every real gap in
            // the file (the smallest between distinct ranks of the top 6 is 4.4e-4, s0 position
            // 1). The one near tie is s2's last position, ranks 5 and 6 (ids 12178, 45169) 2.3e-6
            // apart. Golden logits are stored for every position of s0 and the last of the
            // others; elsewhere nothing can justify a swap, so the order must be exact there (and
            // can be: the smallest gap within the top 6 there is 7.2e-5, s2 position 20, 340 times
            // the measured error).
            constexpr double kTieTolerance = 1e-5;
            const auto top5 = ids(golden.tensor(prefix + "logits_top5"));
            const std::vector<float> goldenLast = golden.tensor(prefix + "logits_last").toFloat32();
            const std::vector<float> goldenAll = golden.contains(prefix + "logits") ? golden.tensor(prefix + "logits").toFloat32() : std::vector<float>{};
            for (int64_t t = 0; t < trace.tokens; ++t) {
                std::vector<int> order(V);
                std::iota(order.begin(), order.end(), 0);
                const float* row = trace.logits.data() + t * V;
                std::partial_sort(order.begin(), order.begin() + 5, order.end(), [&](int a, int b) { return row[a] > row[b]; });
                const float* goldenRow = !goldenAll.empty() ? goldenAll.data() + t * V : t == trace.tokens - 1 ? goldenLast.data() : nullptr;
                if (goldenRow)
                    for (int v = 0; v < V; ++v) worstLogitError = std::max(worstLogitError, std::fabs(double(row[v]) - goldenRow[v]));
                for (int k = 0; k < 5; ++k) {
                    const int ours = order[size_t(k)], theirs = top5[size_t(t * 5 + k)];
                    if (ours == theirs) continue;
                    const double gap = goldenRow ? std::fabs(double(goldenRow[ours]) - goldenRow[theirs]) : -1;
                    QVERIFY2(goldenRow && gap <= kTieTolerance,
                             qPrintable(QString("s%1 position %2 rank %3: id %4, golden %5 (golden logit gap %6)")
                                            .arg(s).arg(t).arg(k + 1).arg(ours).arg(theirs)
                                            .arg(goldenRow ? QString::number(gap, 'g', 3) : QString("not stored"))));
                    qInfo("s%d position %lld rank %d: id %d for %d, tied within %.3g in the golden logits", s,
                          static_cast<long long>(t), k + 1, ours, theirs, gap);
                }
            }
            for (const auto& name : golden.names()) {
                if (name.rfind(prefix + "transformer.", 0) != 0) continue;
                const int probe = model_->findProbe(name.substr(prefix.size()));
                QVERIFY2(probe >= 0, name.c_str());
                expertscope::test::expectClose(trace.outputs[probe].data(), golden.tensor(name).toFloat32(), QString::fromStdString(name));
                ++compared;
            }
        }
        QCOMPARE(compared, 3 * 12);
        // The rounding the tie tolerance above rests on (see there): at most half of it.
        qInfo("largest difference from the stored golden logits: %.3g", worstLogitError);
        QVERIFY2(worstLogitError <= 5e-6, qPrintable(QString::number(worstLogitError)));
    }

    void greedyContinuation() {
        REQUIRE_SHARED(acts, "models/gpt2-tiny-random/golden_activations.safetensors");
        const SafetensorsFile golden(acts.toStdString());
        const auto prompt = ids(golden.tensor("s0.tokens"));
        const auto expected = ids(golden.tensor("greedy12.tokens"));
        GenerationOptions o;
        o.temperature = 0;
        o.maxNewTokens = 12;
        o.stopAtEos = false;
        for (bool cache : {true, false}) {
            o.useKvCache = cache;
            auto all = prompt;
            const auto generated = model_->generate(prompt, o);
            all.insert(all.end(), generated.begin(), generated.end());
            QCOMPARE(all, expected);
        }
    }

    void layoutWithoutPrefixIsIdentical() {
        REQUIRE_SHARED(cfg, "models/gpt2-tiny-random/variant-no-prefix/config.json");
        const auto other = loadModel({QFileInfo(cfg).absolutePath().toStdString(), tokenizer_.toStdString()});
        QCOMPARE(other->probePoints()[1].checkpointTensor, std::string("h.0.attn.c_proj.weight"));
        QCOMPARE(other->probePoints()[1].name, model_->probePoints()[1].name);
        const auto tokens = model_->tokenize(" Football is a family of team sports.");
        const auto a = model_->trace(tokens), b = other->trace(tokens);
        QCOMPARE(a.logits, b.logits);
        QCOMPARE(a.outputs, b.outputs);
    }

    void gpt2SmallHas82944Units() {
        const auto small = randomGpt2(Gpt2Dimensions{}, byteTokenizer(), 1);
        QCOMPARE(small->probePoints().size(), size_t(48));
        QCOMPARE(small->unitCount(), int64_t(82944));
        QCOMPARE(small->probePoints()[47].name, std::string("transformer.h.11.mlp.c_proj"));
        QCOMPARE(small->info().parameters, int64_t(124439808));  // GPT-2 small, tied head
        const auto r = small->collectResponses({small->tokenize("hello"), small->tokenize("a longer sentence")}, {});
        QCOMPARE(r.cols, int64_t(82944));
    }

    void forcingCacheAndPadding() {
        const int fc1 = model_->findProbe("transformer.h.1.mlp.c_fc");
        Forcing f;
        for (int u = 0; u < 30; ++u) f.units.push_back({fc1, u, 3.f});
        const auto tokens = model_->tokenize("Football is a family of team sports");
        const auto forced = model_->trace(tokens, f);
        for (int64_t t = 0; t < forced.tokens; ++t) QCOMPARE(forced.outputs[fc1][t * 192 + 7], 3.f);
        GenerationOptions o;
        o.temperature = 0.8f;
        o.seed = 3;
        o.maxNewTokens = 20;
        o.stopAtEos = false;
        for (ForceScope scope : {ForceScope::AllPositions, ForceScope::NewTokens}) {
            f.scope = scope;
            const auto cached = model_->generate(tokens, o, f);
            o.useKvCache = false;
            QCOMPARE(model_->generate(tokens, o, f), cached);
            o.useKvCache = true;
            QVERIFY(model_->generate(tokens, o) != cached);
        }
        // In a batch or alone: the same bits on the CPU kernels (row-exact products); the
        // operator route (EXPERTSCOPE_KERNELS=aten) rounds rows by their place, within 1e-4.
        const std::vector<std::vector<int>> batch{model_->tokenize("A goal."), tokens, model_->tokenize("A long pass, then a goal!")};
        const auto together = model_->collectResponses(batch, {});
        const bool exact = model_->info().rowAlignment > 0;
        QVERIFY(exact || qgetenv("EXPERTSCOPE_KERNELS") == "aten");
        for (int64_t r = 0; r < 3; ++r) {
            const auto alone = model_->collectResponses({batch[size_t(r)]}, {});
            for (int64_t u = 0; u < together.cols; ++u) {
                const float a = together.at(r, u), b = alone.at(0, u);
                QVERIFY2(exact ? a == b : std::fabs(a - b) < 1e-4, qPrintable(QString("row %1 unit %2: %3 vs %4").arg(r).arg(u).arg(a).arg(b)));
            }
        }
    }

    void brokenConfigurations() {
        QByteArray c = config();
        expectLoadError(variant("heads", QByteArray(c).replace("\"n_head\": 4", "\"n_head\": 5"), [](auto&) {}),
                        "n_embd 48 is not divisible by n_head 5");
        expectLoadError(variant("act", QByteArray(c).replace("gelu_new", "relu"), [](auto&) {}),
                        "activation_function 'relu' is not supported");
        expectLoadError(variant("missing", c, [](auto& t) {
                            t.erase(std::remove_if(t.begin(), t.end(), [](auto& x) { return x.name == "transformer.h.1.mlp.c_fc.bias"; }), t.end());
                        }),
                        "missing tensor 'transformer.h.1.mlp.c_fc.bias'");
        expectLoadError(variant("shape", c, [](auto& t) {
                            for (auto& x : t)
                                if (x.name == "transformer.h.2.attn.c_attn.weight") x.shape = {144, 48};
                        }),
                        "tensor 'transformer.h.2.attn.c_attn.weight' has shape [144, 48], expected [48, 144]");
        expectLoadError(variant("vocab", QByteArray(c).replace("\"vocab_size\": 50257", "\"vocab_size\": 50000"), [](auto&) {}),
                        "has shape [50257, 48], expected [50000, 48]");
    }
};

QTEST_GUILESS_MAIN(TestGpt2)
#include "tst_gpt2.moc"
