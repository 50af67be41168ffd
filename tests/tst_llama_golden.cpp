// stories260K against llama2.c's own outputs: 200 greedy tokens from both checkpoint
// layouts, and the logits and every linear module's output for two sentences.
#include "core/base/safetensors.h"
#include "core/runtime/language_model.h"
#include "test_support.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <cmath>

using namespace expertscope;

namespace {

std::vector<int> goldenIds(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    std::vector<int> ids;
    for (const auto& t : QString::fromUtf8(f.readAll()).split(QRegularExpression("\\s+"), Qt::SkipEmptyParts))
        ids.push_back(t.toInt());
    return ids;
}

}  // namespace

class TestLlamaGolden : public QObject {
    Q_OBJECT

    void greedy200(const QString& modelPath) {
        REQUIRE_SHARED(ids, "models/stories260K/golden/greedy_ids_t0_n200.txt");
        REQUIRE_SHARED(text, "models/stories260K/golden/greedy_text_t0_n200.txt");
        const auto model = loadModel({modelPath.toStdString(), ""});
        GenerationOptions o;
        o.temperature = 0;
        o.maxNewTokens = 200;
        const auto got = model->generate({}, o);
        QCOMPARE(got, goldenIds(ids));
        QFile f(text);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(model->tokenizer().decode(got), f.readAll().toStdString());
    }

private slots:
    void greedyFromLlama2cCheckpoint() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        greedy200(bin);
    }
    void greedyFromHuggingFaceDirectory() {
        REQUIRE_SHARED(dir, "models/stories260K-hf/config.json");
        greedy200(QFileInfo(dir).absolutePath());
    }

    void everyLinearOutputAndLogits() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        REQUIRE_SHARED(acts, "models/stories260K/golden/activations.safetensors");
        const auto model = loadModel({bin.toStdString(), ""});
        const SafetensorsFile golden(acts.toStdString());
        const auto sentences = QJsonDocument::fromJson(QByteArray::fromStdString(golden.metadata().at("sentences"))).array();
        QCOMPARE(sentences.size(), 2);
        int compared = 0;
        for (int s = 0; s < 2; ++s) {
            const std::string prefix = "s" + std::to_string(s) + ".";
            const auto tokF = golden.tensor(prefix + "tokens").toFloat32();
            const std::vector<int> tokens(tokF.begin(), tokF.end());
            QCOMPARE(model->tokenize(sentences[s].toString().toStdString()), tokens);
            const auto trace = model->trace(tokens);
            expertscope::test::expectClose(trace.logits.data(), golden.tensor(prefix + "logits").toFloat32(), "logits");
            for (const auto& name : golden.names()) {
                if (name.rfind(prefix + "layers.", 0) != 0) continue;
                const int probe = model->findProbe(name.substr(prefix.size()));
                QVERIFY2(probe >= 0, name.c_str());
                const auto want = golden.tensor(name).toFloat32();
                QCOMPARE(trace.outputs[probe].size(), want.size());
                expertscope::test::expectClose(trace.outputs[probe].data(), want, QString::fromStdString(name));
                ++compared;
            }
        }
        QCOMPARE(compared, 2 * 5 * 7);  // every linear module of every layer
    }

    // The two layouts store q/k rows in different orders; each runs in its own RoPE
    // convention, so outputs agree once the Hugging Face permutation is undone.
    void bothLayoutsAgree() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        REQUIRE_SHARED(hfConfig, "models/stories260K-hf/config.json");
        const auto a = loadModel({bin.toStdString(), ""});
        const auto b = loadModel({QFileInfo(hfConfig).absolutePath().toStdString(), ""});
        QCOMPARE(a->unitCount(), b->unitCount());
        const auto ids = a->tokenize("The dog ran to the park and played with a red ball.");
        const auto ta = a->trace(ids), tb = b->trace(ids);
        expertscope::test::expectClose(tb.logits.data(), ta.logits, "logits");
        const int hd = a->info().headDim, half = hd / 2;
        for (size_t p = 0; p < ta.outputs.size(); ++p) {
            const auto& probe = a->probePoints()[p];
            const bool permuted = probe.kind == "q_proj" || probe.kind == "k_proj";
            std::vector<float> want = ta.outputs[p];
            if (permuted) {  // Hugging Face unit (head, j * half + i) is llama2.c unit (head, 2i + j)
                for (size_t t = 0; t < ids.size(); ++t)
                    for (int u = 0; u < probe.units; ++u) {
                        const int head = u / hd, r = u % hd, j = r / half, i = r % half;
                        want[t * probe.units + u] = ta.outputs[p][t * probe.units + head * hd + 2 * i + j];
                    }
            }
            expertscope::test::expectClose(tb.outputs[p].data(), want, QString::fromStdString(probe.name));
        }
    }

    void probePointsAndUnitCount() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        const auto model = loadModel({bin.toStdString(), ""});
        const auto& probes = model->probePoints();
        QCOMPARE(probes.size(), size_t(35));
        QCOMPARE(probes[0].name, std::string("model.layers.0.self_attn.q_proj"));
        QCOMPARE(probes[0].checkpointTensor, std::string("layers.0.attention.wq.weight"));
        QCOMPARE(probes[4].checkpointTensor, std::string("layers.0.feed_forward.w1.weight"));
        QCOMPARE(probes[4].kind, std::string("gate_proj"));
        // per layer: q 64 + k 32 + v 32 + o 64 + gate 172 + up 172 + down 64 = 600
        QCOMPARE(model->unitCount(), int64_t(3000));
        QCOMPARE(probes[34].offset, int64_t(3000 - 64));
    }
};

QTEST_GUILESS_MAIN(TestLlamaGolden)
#include "tst_llama_golden.moc"
