// The Llama-block families against Hugging Face's own modeling code (../shared/models/
// FAMILIES.md): for Llama 3, Qwen2, Qwen3, Mistral, Phi-3 and Gemma 1/2/3, logits and every
// linear module's output within 1e-4, greedy continuations with and without the KV cache,
// probe points as Hugging Face names them, forcing; and the refusals of what is not
// implemented.
#include "core/base/error.h"
#include "core/base/safetensors.h"
#include "core/runtime/language_model.h"
#include "test_support.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <algorithm>
#include <tuple>
#include <cstring>

using namespace expertscope;

namespace {

std::vector<int> intsOf(const QJsonArray& a) {
    std::vector<int> out;
    for (const auto& v : a) out.push_back(v.toInt());
    return out;
}

}  // namespace

class TestModelFamilies : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

    static QString fixture(const QString& family) { return test::sharedPath("models/" + family + "-tiny-random"); }

    // A copy of a fixture's folder with config.json edited by `edit`.
    QString editedCopy(const QString& family, const QString& name, const std::function<void(QJsonObject&)>& edit) {
        const QString dir = tmp_.filePath(name);
        QDir().mkpath(dir);
        QFile::link(fixture(family) + "/model.safetensors", dir + "/model.safetensors");
        QFile in(fixture(family) + "/config.json");
        if (!in.open(QIODevice::ReadOnly)) return {};
        QJsonObject config = QJsonDocument::fromJson(in.readAll()).object();
        edit(config);
        QFile out(dir + "/config.json");
        if (!out.open(QIODevice::WriteOnly)) return {};
        out.write(QJsonDocument(config).toJson());
        return dir;
    }

private slots:
    void initTestCase() { QVERIFY(tmp_.isValid()); }

    void matchesHuggingFace_data() {
        QTest::addColumn<QString>("family");
        QTest::addColumn<QString>("modelType");
        for (const char* f : {"llama3", "qwen2", "qwen3", "mistral", "phi3", "gemma", "gemma2", "gemma3"})
            QTest::newRow(f) << QString(f) << (QString(f) == "llama3" ? "llama" : QString(f) == "gemma3" ? "gemma3_text" : QString(f));
    }

    // Logits and every probe's output for both golden sequences; the probe points are the
    // fixture's linear modules, with their widths.
    void matchesHuggingFace() {
        QFETCH(QString, family);
        QFETCH(QString, modelType);
        const QString dir = fixture(family);
        REQUIRE_SHARED(acts, "models/" + family + "-tiny-random/golden/activations.safetensors");
        const auto model = loadModel({dir.toStdString(), ""});
        QCOMPARE(model->info().family, modelType.toStdString());
        const SafetensorsFile golden(acts.toStdString());
        std::vector<std::string> linear;
        for (const auto& name : golden.names())
            if (name != "input_ids" && name != "logits") linear.push_back(name);
        QCOMPARE(model->probePoints().size(), linear.size());
        for (const auto& name : linear) {
            const int p = model->findProbe(name);
            QVERIFY2(p >= 0, name.c_str());
            QCOMPARE(int64_t(model->probePoints()[static_cast<size_t>(p)].units), golden.tensor(name).shape.back());
        }
        const auto ids = golden.tensor("input_ids").toFloat32();
        const auto logits = golden.tensor("logits").toFloat32();
        const int64_t T = 16, V = model->info().vocab;
        for (int64_t seq = 0; seq < 2; ++seq) {
            const std::vector<int> tokens(ids.begin() + seq * T, ids.begin() + (seq + 1) * T);
            const auto trace = model->trace(tokens);
            QCOMPARE(trace.tokens, T);
            test::expectClose(trace.logits.data(), {logits.begin() + seq * T * V, logits.begin() + (seq + 1) * T * V},
                              family + " logits of sequence " + QString::number(seq));
            for (const auto& name : linear) {
                const auto want = golden.tensor(name).toFloat32();
                const size_t width = static_cast<size_t>(golden.tensor(name).shape.back()), n = static_cast<size_t>(T) * width;
                const int p = model->findProbe(name);
                test::expectClose(trace.outputs[static_cast<size_t>(p)].data(),
                                  {want.begin() + static_cast<long>(seq * n), want.begin() + static_cast<long>((seq + 1) * n)},
                                  family + " " + QString::fromStdString(name));
            }
        }
    }

    void greedyWithAndWithoutCache_data() { matchesHuggingFace_data(); }

    // Hugging Face's greedy continuation, computed with the cache and by recomputing the
    // whole sequence each step (for gemma2/3 the no-cache run is the reference: FAMILIES.md).
    void greedyWithAndWithoutCache() {
        QFETCH(QString, family);
        REQUIRE_SHARED(path, "models/" + family + "-tiny-random/golden/greedy.json");
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto g = QJsonDocument::fromJson(f.readAll()).object();
        const auto want = intsOf(g.value(g.value("reference").toString("generated_use_cache_true")).toArray());
        QCOMPARE(want.size(), size_t(12));
        const auto model = loadModel({fixture(family).toStdString(), ""});
        for (bool cache : {true, false}) {
            GenerationOptions o;
            o.maxNewTokens = 12;
            o.temperature = 0;
            o.stopAtEos = false;
            o.useKvCache = cache;
            const auto got = model->generate(intsOf(g.value("prompt_ids").toArray()), o);
            QVERIFY2(got == want, qPrintable(family + (cache ? " with" : " without") + " the cache"));
        }
    }

    void forcingAUnitChangesTheLogits_data() { matchesHuggingFace_data(); }

    void forcingAUnitChangesTheLogits() {
        QFETCH(QString, family);
        REQUIRE_SHARED(config, "models/" + family + "-tiny-random/config.json");
        const auto model = loadModel({fixture(family).toStdString(), ""});
        const std::vector<int> tokens{5, 17, 42, 99, 3};
        const auto plain = model->trace(tokens);
        Forcing f;
        f.units.push_back({0, 3, 25.f});  // layer 0's first probe (q_proj or qkv_proj)
        const auto forced = model->trace(tokens, f);
        QCOMPARE(forced.outputs[0][3], 25.f);
        double moved = 0;
        for (size_t i = 0; i < plain.logits.size(); ++i) moved = std::max(moved, double(std::fabs(plain.logits[i] - forced.logits[i])));
        QVERIFY2(moved > 1e-3, qPrintable(family + ": forcing moved the logits by " + QString::number(moved)));
    }

    // bf16 and f16 checkpoints load to float32 exactly: the same logits, bit for bit, as a
    // float32 checkpoint holding the same rounded values.
    void loadsHalfPrecisionWeights() {
        REQUIRE_SHARED(weights, "models/qwen3-tiny-random/model.safetensors");
        const SafetensorsFile source(weights.toStdString());
        for (const DType dtype : {DType::BF16, DType::F16}) {
            std::vector<TensorToWrite> half, rounded;
            for (const auto& name : source.names()) {
                const auto& view = source.tensor(name);
                const auto values = view.toFloat32();
                TensorToWrite h{name, dtype, view.shape, std::vector<unsigned char>(values.size() * 2)};
                TensorToWrite f{name, DType::F32, view.shape, std::vector<unsigned char>(values.size() * 4)};
                for (size_t i = 0; i < values.size(); ++i) {
                    float back = 0;
                    if (dtype == DType::F16) {
                        const _Float16 x = static_cast<_Float16>(values[i]);
                        std::memcpy(&h.bytes[2 * i], &x, 2);
                        back = static_cast<float>(x);
                    } else {
                        uint32_t bits;
                        std::memcpy(&bits, &values[i], 4);
                        const auto top = static_cast<uint16_t>((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
                        std::memcpy(&h.bytes[2 * i], &top, 2);
                        const uint32_t widened = static_cast<uint32_t>(top) << 16;
                        std::memcpy(&back, &widened, 4);
                    }
                    std::memcpy(&f.bytes[4 * i], &back, 4);
                }
                half.push_back(std::move(h));
                rounded.push_back(std::move(f));
            }
            const QString tag = dtype == DType::F16 ? "f16" : "bf16";
            for (const auto& [name, tensors] : {std::pair{tag, &half}, std::pair{tag + "-as-f32", &rounded}}) {
                const QString dir = tmp_.filePath(name);
                QDir().mkpath(dir);
                QVERIFY(QFile::copy(fixture("qwen3") + "/config.json", dir + "/config.json"));
                writeSafetensors((dir + "/model.safetensors").toStdString(), *tensors);
            }
            const std::vector<int> tokens{227, 75, 145, 284, 9, 300};
            const auto a = loadModel({tmp_.filePath(tag).toStdString(), ""})->trace(tokens);
            const auto b = loadModel({tmp_.filePath(tag + "-as-f32").toStdString(), ""})->trace(tokens);
            QCOMPARE(a.logits.size(), b.logits.size());
            QVERIFY2(std::memcmp(a.logits.data(), b.logits.data(), a.logits.size() * sizeof(float)) == 0, qPrintable(tag));
        }
    }

    // A folder with a tokenizer.json wraps sentences as its tokenizer does: Llama 3's puts
    // <|begin_of_text|> first, Qwen2's adds nothing. (The tiny model with its embedding
    // widened to each tokenizer's vocabulary.)
    void wrapsSentencesAsTheTokenizerDoes() {
        REQUIRE_SHARED(weights, "models/qwen2-tiny-random/model.safetensors");
        REQUIRE_SHARED(llama3, "tokenizers/llama3/tokenizer.json");
        REQUIRE_SHARED(qwen2, "tokenizers/qwen2/tokenizer.json");
        const SafetensorsFile source(weights.toStdString());
        for (const auto& [name, tokenizer, vocab, bos] : {std::tuple{QString("with-llama3"), llama3, 128256, 128000},
                                                          std::tuple{QString("with-qwen2"), qwen2, 151936, -1}}) {
            const QString dir = editedCopy("qwen2", name, [vocab = vocab](QJsonObject& c) { c["vocab_size"] = vocab; });
            QFile::remove(dir + "/model.safetensors");
            std::vector<TensorToWrite> tensors;
            for (const auto& t : source.names()) {
                const auto& view = source.tensor(t);
                TensorToWrite w{t, view.dtype, view.shape, std::vector<unsigned char>(view.data, view.data + view.bytes)};
                if (t == "model.embed_tokens.weight") {
                    w.shape[0] = vocab;
                    w.bytes.assign(static_cast<size_t>(vocab * view.shape[1]) * 4, 0);
                }
                tensors.push_back(std::move(w));
            }
            writeSafetensors((dir + "/model.safetensors").toStdString(), tensors);
            QVERIFY(QFile::copy(tokenizer, dir + "/tokenizer.json"));
            const auto model = loadModel({dir.toStdString(), ""});
            const auto body = model->tokenizer().encode("Hello world");
            const auto ids = model->tokenize("Hello world");
            QCOMPARE(model->info().prependBos, bos >= 0);
            if (bos >= 0) {
                QCOMPARE(ids.front(), bos);
                QCOMPARE(std::vector<int>(ids.begin() + 1, ids.end()), body);
            } else {
                QCOMPARE(ids, body);
            }
        }
    }

    // Without a tokenizer the model runs on ids; text asks for one.
    void withoutATokenizerTextIsRefused() {
        REQUIRE_SHARED(config, "models/qwen2-tiny-random/config.json");
        const auto model = loadModel({fixture("qwen2").toStdString(), ""});
        QVERIFY(model->info().tokenizerPath.empty());
        test::expectError([&] { model->tokenize("hello"); }, "has no tokenizer");
        QCOMPARE(model->tokenizer().decode({7, 8}), std::string("<7><8>"));
    }

    void refusesWhatIsNotImplemented_data() {
        QTest::addColumn<QString>("family");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("message");
        QTest::newRow("mixture of experts") << "qwen2" << "model_type" << R"("qwen2_moe")" << "mixture-of-experts";
        QTest::newRow("hybrid linear attention") << "qwen3" << "model_type" << R"("qwen3_next")" << "hybrid linear attention";
        QTest::newRow("encoder-decoder") << "llama3" << "model_type" << R"("t5")" << "encoder-decoder";
        QTest::newRow("gemma 4") << "gemma" << "model_type" << R"("gemma4")" << "model_type 'gemma4' is not supported";
        QTest::newRow("yarn rope") << "qwen2" << "rope_scaling" << R"({"rope_type": "yarn", "factor": 4.0})"
                                   << "rope_scaling type 'yarn' is not implemented";
        QTest::newRow("llama3 rope elsewhere") << "mistral" << "rope_scaling" << R"({"rope_type": "llama3", "factor": 8.0})"
                                               << "rope_scaling type 'llama3' is not implemented";
        QTest::newRow("activation") << "llama3" << "hidden_act" << R"("relu")" << "activation 'relu' is not implemented";
        QTest::newRow("partial rotary") << "phi3" << "partial_rotary_factor" << "0.5" << "partial_rotary_factor";
        QTest::newRow("qwen2 sliding window") << "qwen2" << "use_sliding_window" << "true" << "use_sliding_window";
        QTest::newRow("mlp bias") << "llama3" << "mlp_bias" << "true" << "mlp_bias";
    }

    void refusesWhatIsNotImplemented() {
        QFETCH(QString, family);
        QFETCH(QString, field);
        QFETCH(QString, json);
        QFETCH(QString, message);
        REQUIRE_SHARED(config, "models/" + family + "-tiny-random/config.json");
        const QString dir = editedCopy(family, QString(QTest::currentDataTag()).replace(' ', '-'), [&](QJsonObject& c) {
            c.insert(field, QJsonDocument::fromJson(("[" + json + "]").toUtf8()).array().first());
        });
        QVERIFY(!dir.isEmpty());
        test::expectError([&] { loadModel({dir.toStdString(), ""}); }, message.toStdString().c_str());
    }
};

QTEST_MAIN(TestModelFamilies)
#include "tst_model_families.moc"
