// Broken checkpoints and configurations each give their own clear error, never a crash.
#include "core/base/error.h"
#include "core/base/safetensors.h"
#include "core/runtime/language_model.h"
#include "test_support.h"

#include <QFile>
#include <QTemporaryDir>

#include <fstream>

using namespace expertscope;

class TestLlamaCorrupt : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

    static void expectLoadError(const std::string& path, const std::string& tokenizer, const char* fragment) {
        expertscope::test::expectError([&] { loadModel({path, tokenizer}); }, fragment);
    }

    // A copy of stories260K-hf whose tensors pass through `edit` (which may drop or reshape).
    QString hfVariant(const QString& name, const std::function<void(std::vector<TensorToWrite>&)>& edit,
                      const QByteArray& config = {}) {
        const QString src = expertscope::test::sharedPath("models/stories260K-hf");
        const QString dst = tmp_.filePath(name);
        QDir().mkpath(dst);
        QFile::copy(src + "/tokenizer.model", dst + "/tokenizer.model");
        if (config.isEmpty()) {
            QFile::copy(src + "/config.json", dst + "/config.json");
        } else {
            QFile f(dst + "/config.json");
            f.open(QIODevice::WriteOnly);
            f.write(config);
        }
        expertscope::test::copySafetensors(src + "/model.safetensors", dst + "/model.safetensors", edit);
        return dst;
    }

private slots:
    void initTestCase() { QVERIFY(tmp_.isValid()); }

    void llama2cWrongHeader() {
        REQUIRE_SHARED(tok, "models/stories260K/tok512.model");
        const std::string p = tmp_.filePath("garbage.bin").toStdString();
        std::ofstream(p, std::ios::binary) << std::string(4096, 'x');
        expectLoadError(p, tok.toStdString(), "header field dim");
    }
    void llama2cTruncated() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        REQUIRE_SHARED(tok, "models/stories260K/tok512.model");
        QFile in(bin);
        QVERIFY(in.open(QIODevice::ReadOnly));
        const std::string p = tmp_.filePath("truncated.bin").toStdString();
        std::ofstream(p, std::ios::binary) << in.read(in.size() / 2).toStdString();
        expectLoadError(p, tok.toStdString(), "(truncated?)");
    }
    void llama2cWithoutTokenizer() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        const QString p = tmp_.filePath("alone/model.bin");
        QDir().mkpath(tmp_.filePath("alone"));
        QVERIFY(QFile::copy(bin, p));
        expectLoadError(p.toStdString(), "", "no sentencepiece tokenizer");
    }
    void tokenizerNotSentencePiece() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        const std::string p = tmp_.filePath("fake.model").toStdString();
        std::ofstream(p) << "not a model";
        expectLoadError(bin.toStdString(), p, "not a readable sentencepiece model");
    }
    void missingTensor() {
        REQUIRE_SHARED(src, "models/stories260K-hf/model.safetensors");
        const auto dir = hfVariant("missing", [](auto& t) {
            t.erase(std::remove_if(t.begin(), t.end(), [](auto& x) { return x.name == "model.layers.2.mlp.up_proj.weight"; }),
                    t.end());
        });
        expectLoadError(dir.toStdString(), "", "missing tensor 'model.layers.2.mlp.up_proj.weight'");
    }
    void wrongShape() {
        REQUIRE_SHARED(src, "models/stories260K-hf/model.safetensors");
        const auto dir = hfVariant("shape", [](auto& t) {
            for (auto& x : t)
                if (x.name == "model.layers.1.self_attn.k_proj.weight") x.shape = {64, 32};
        });
        expectLoadError(dir.toStdString(), "", "tensor 'model.layers.1.self_attn.k_proj.weight' has shape [64, 32], expected [32, 64]");
    }
    void invalidConfigJson() {
        REQUIRE_SHARED(src, "models/stories260K-hf/model.safetensors");
        const auto dir = hfVariant("badjson", [](auto&) {}, "{\"model_type\": \"llama\", ");
        expectLoadError(dir.toStdString(), "", "invalid JSON");
    }
    void inconsistentConfig() {
        REQUIRE_SHARED(src, "models/stories260K-hf/model.safetensors");
        QFile f(expertscope::test::sharedPath("models/stories260K-hf/config.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray config = f.readAll().replace("\"num_attention_heads\": 8", "\"num_attention_heads\": 6");
        const auto dir = hfVariant("heads", [](auto&) {}, config);
        expectLoadError(dir.toStdString(), "", "not divisible by 6 attention heads");
        const QByteArray noLayers = QByteArray(config).replace("\"num_hidden_layers\": 5,", "");
        const auto dir2 = hfVariant("nolayers", [](auto&) {}, noLayers);
        expectLoadError(dir2.toStdString(), "", "missing 'num_hidden_layers'");
    }
    void unsupportedModelType() {
        REQUIRE_SHARED(src, "models/stories260K-hf/model.safetensors");
        const auto dir = hfVariant("type", [](auto&) {}, "{\"model_type\": \"t5\"}");
        expectLoadError(dir.toStdString(), "", "model_type 't5' is not supported");
    }
    void notAModel() {
        expectLoadError(tmp_.filePath("nothing-here").toStdString(), "", "no such file or directory");
        QDir().mkpath(tmp_.filePath("empty"));
        expectLoadError(tmp_.filePath("empty").toStdString(), "", "no config.json");
    }
};

QTEST_GUILESS_MAIN(TestLlamaCorrupt)
#include "tst_llama_corrupt.moc"
