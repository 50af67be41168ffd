// Encoders against Hugging Face's own modeling code (../shared/models/bert-tiny-random,
// FAMILIES.md): a padded batch of two sequences with token types, logits and every probe
// point's output within 1e-4 at every position (padding included); pooling that skips
// [CLS], [SEP] and the padding; RoBERTa's numbering of positions; the refusal to generate.
#include "core/base/error.h"
#include "core/base/safetensors.h"
#include "core/runtime/encoder.h"
#include "core/runtime/language_model.h"
#include "bert_fixture.h"
#include "core/science/fill_mask.h"
#include "test_cli_and_sql.h"
#include "test_support.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <algorithm>
#include <cstring>

using namespace expertscope;

namespace {

struct Golden {
    std::vector<std::vector<int>> ids, types;
    std::vector<int> lengths;
};

Golden readGolden(const SafetensorsFile& g) {
    const auto ids = g.tensor("input_ids").toFloat32();
    const auto mask = g.tensor("attention_mask").toFloat32();
    const auto types = g.tensor("token_type_ids").toFloat32();
    Golden out;
    for (size_t s = 0; s < 2; ++s) {
        out.ids.emplace_back(ids.begin() + static_cast<long>(16 * s), ids.begin() + static_cast<long>(16 * (s + 1)));
        out.types.emplace_back(types.begin() + static_cast<long>(16 * s), types.begin() + static_cast<long>(16 * (s + 1)));
        out.lengths.push_back(static_cast<int>(std::count(mask.begin() + static_cast<long>(16 * s), mask.begin() + static_cast<long>(16 * (s + 1)), 1.f)));
    }
    return out;
}

// One probe's golden output of sequence s, positions [from, to), as [positions, units].
std::vector<float> goldenRows(const SafetensorsFile& g, const std::string& name, size_t s, size_t from, size_t to) {
    const auto all = g.tensor(name).toFloat32();
    const size_t width = static_cast<size_t>(g.tensor(name).shape.back());
    return {all.begin() + static_cast<long>((16 * s + from) * width), all.begin() + static_cast<long>((16 * s + to) * width)};
}

}  // namespace

class TestBert : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

private slots:
    void matchesHuggingFace() {
        REQUIRE_SHARED(dir, "models/bert-tiny-random/config.json");
        REQUIRE_SHARED(acts, "models/bert-tiny-random/golden/activations.safetensors");
        const auto model = loadModel({QFileInfo(dir).absolutePath().toStdString(), ""});
        const auto& info = model->info();
        QCOMPARE(info.family, std::string("bert"));
        QCOMPARE(info.architecture, std::string("BertForMaskedLM"));
        QVERIFY(info.encoder);
        const SafetensorsFile golden(acts.toStdString());
        // Every linear module of the encoder is a probe, under its Hugging Face name (the
        // masked-LM head's transform is not: it is not part of the encoder).
        std::vector<std::string> linear;
        for (const auto& name : golden.names())
            if (name.rfind("bert.encoder.", 0) == 0) linear.push_back(name);
        QCOMPARE(model->probePoints().size(), linear.size());
        for (const auto& name : linear) {
            const int p = model->findProbe(name);
            QVERIFY2(p >= 0, name.c_str());
            QCOMPARE(int64_t(model->probePoints()[static_cast<size_t>(p)].units), golden.tensor(name).shape.back());
        }
        QCOMPARE(model->unitCount(), int64_t(2 * (4 * 64 + 112 + 64)));
        const auto g = readGolden(golden);
        QCOMPARE(g.lengths, (std::vector<int>{16, 11}));
        const auto traces = traceEncoderBatch(*model, g.ids, g.types, g.lengths);
        const auto logits = golden.tensor("logits").toFloat32();
        const size_t V = static_cast<size_t>(info.vocab);
        for (size_t s = 0; s < 2; ++s) {
            test::expectClose(traces[s].logits.data(), {logits.begin() + static_cast<long>(s * 16 * V), logits.begin() + static_cast<long>((s + 1) * 16 * V)},
                              QString("logits of sequence %1").arg(s));
            for (const auto& name : linear)
                test::expectClose(traces[s].outputs[static_cast<size_t>(model->findProbe(name))].data(), goldenRows(golden, name, s, 0, 16),
                                  QString("%1 of sequence %2").arg(QString::fromStdString(name)).arg(s));
        }
        // Without the mask the padded sequence's real tokens move: the mask is what matched.
        const auto unmasked = traceEncoderBatch(*model, {g.ids[1]}, {g.types[1]}, {16});
        double moved = 0;
        for (size_t i = 0; i < 11 * V; ++i) moved = std::max(moved, std::abs(double(unmasked[0].logits[i]) - logits[16 * V + i]));
        QVERIFY2(moved > 0.1, qPrintable(QString::number(moved)));
    }

    // collectResponses pads a batch and masks the padding from attention, and pooling skips
    // the padding: the shorter sentence's pooled responses beside a longer one are those of
    // its own trace (the fixture has no tokenizer, so no [CLS]/[SEP] is known and every
    // real token is pooled).
    void poolsTheRealTokens() {
        REQUIRE_SHARED(dir, "models/bert-tiny-random/config.json");
        REQUIRE_SHARED(acts, "models/bert-tiny-random/golden/activations.safetensors");
        const auto model = loadModel({QFileInfo(dir).absolutePath().toStdString(), ""});
        const auto g = readGolden(SafetensorsFile(acts.toStdString()));
        const std::vector<int> second(g.ids[1].begin(), g.ids[1].begin() + 11), first(g.ids[0].begin(), g.ids[0].begin() + 16);
        const auto alone = model->trace(second);
        CaptureOptions o;
        for (Pooling pooling : {Pooling::Max, Pooling::Mean}) {
            o.pooling = pooling;
            const auto r = model->collectResponses({first, second}, o);
            for (size_t p = 0; p < model->probePoints().size(); ++p) {
                const auto& probe = model->probePoints()[p];
                std::vector<float> want(static_cast<size_t>(probe.units));
                for (int u = 0; u < probe.units; ++u) {
                    double acc = pooling == Pooling::Max ? -1e300 : 0;
                    for (size_t t = 0; t < 11; ++t) {
                        const double v = alone.outputs[p][t * static_cast<size_t>(probe.units) + static_cast<size_t>(u)];
                        acc = pooling == Pooling::Max ? std::max(acc, v) : acc + v;
                    }
                    want[static_cast<size_t>(u)] = static_cast<float>(pooling == Pooling::Max ? acc : acc / 11);
                }
                test::expectClose(&r.values[static_cast<size_t>(r.cols + probe.offset)], want,
                                  QString("%1 pooled (%2)").arg(QString::fromStdString(probe.name)).arg(pooling == Pooling::Max ? "max" : "mean"));
            }
        }
    }

    // With BERT's tokenizer beside it, a sentence is [CLS] ... [SEP] and neither is pooled:
    // a sentence's pooled response is the maximum over its word pieces of its trace.
    void wrapsAndSkipsTheMarkers() {
        REQUIRE_SHARED(vocab, "tokenizers/bert-base-uncased/vocab.txt");
        const QString wide = test::bertWithVocabulary(tmp_.filePath("bert-wide"));
        QVERIFY(!wide.isEmpty());
        const auto model = loadModel({wide.toStdString(), ""});
        const auto ids = model->tokenize("The striker scored a goal.");
        QCOMPARE(ids.front(), 101);
        QCOMPARE(ids.back(), 102);
        QCOMPARE(model->tokenizer().decode({ids.begin() + 1, ids.end() - 1}), std::string("the striker scored a goal ."));
        const auto trace = model->trace(ids);
        const auto pooled = model->collectResponses({ids}, CaptureOptions{});
        // Within 1e-4, not to the bit: a batch pads the row to the kernels' alignment and an
        // encoder's attention spans that width. Where a marker's response is the highest, it
        // would show: those units prove the markers are left out.
        const int64_t T = trace.tokens;
        int markerWouldWin = 0;
        for (size_t p = 0; p < model->probePoints().size(); ++p) {
            const auto& probe = model->probePoints()[p];
            std::vector<float> want(static_cast<size_t>(probe.units));
            for (int u = 0; u < probe.units; ++u) {
                float inner = -std::numeric_limits<float>::infinity(), all = inner;
                for (int64_t t = 0; t < T; ++t) {
                    const float v = trace.outputs[p][static_cast<size_t>(t * probe.units + u)];
                    all = std::max(all, v);
                    if (t > 0 && t < T - 1) inner = std::max(inner, v);
                }
                want[static_cast<size_t>(u)] = inner;
                markerWouldWin += all > inner + 1e-3f ? 1 : 0;
            }
            test::expectClose(&pooled.values[static_cast<size_t>(probe.offset)], want, QString::fromStdString(probe.name));
        }
        QVERIFY2(markerWouldWin > 10, qPrintable(QString::number(markerWouldWin)));
        // Encoders fill in; they do not write on.
        test::expectError([&] { model->generate(ids, GenerationOptions{}); }, "is an encoder");
    }

    // RoBERTa is BERT's block with positions numbered from its padding id + 1: the fixture's
    // weights under RoBERTa's names, the position table shifted by two rows, give BERT's
    // golden outputs.
    void robertaNumbersPositionsAfterItsPadding() {
        REQUIRE_SHARED(dir, "models/bert-tiny-random/config.json");
        REQUIRE_SHARED(acts, "models/bert-tiny-random/golden/activations.safetensors");
        const QString roberta = tmp_.filePath("roberta");
        QDir().mkpath(roberta);
        QFile in(dir);
        QVERIFY(in.open(QIODevice::ReadOnly));
        QJsonObject config = QJsonDocument::fromJson(in.readAll()).object();
        config["model_type"] = "roberta";
        config["architectures"] = QJsonArray{"RobertaForMaskedLM"};
        config["pad_token_id"] = 1;
        config["max_position_embeddings"] = 66;
        QFile out(roberta + "/config.json");
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(QJsonDocument(config).toJson());
        out.close();
        const SafetensorsFile source((QFileInfo(dir).absolutePath() + "/model.safetensors").toStdString());
        std::vector<TensorToWrite> tensors;
        for (std::string t : source.names()) {
            const auto& view = source.tensor(t);
            TensorToWrite w{t, view.dtype, view.shape, std::vector<unsigned char>(view.data, view.data + view.bytes)};
            if (t.rfind("bert.", 0) == 0) w.name = "roberta." + t.substr(5);
            if (t == "bert.embeddings.position_embeddings.weight") {  // two rows for the positions before the first
                w.shape[0] += 2;
                w.bytes.insert(w.bytes.begin(), static_cast<size_t>(2 * view.shape[1]) * 4, 0);
            }
            const std::string head = "cls.predictions.";
            if (t == head + "bias") w.name = "lm_head.bias";
            if (t.rfind(head + "transform.dense.", 0) == 0) w.name = "lm_head.dense." + t.substr(head.size() + 16);
            if (t.rfind(head + "transform.LayerNorm.", 0) == 0) w.name = "lm_head.layer_norm." + t.substr(head.size() + 20);
            tensors.push_back(std::move(w));
        }
        writeSafetensors((roberta + "/model.safetensors").toStdString(), tensors);
        const auto model = loadModel({roberta.toStdString(), ""});
        QCOMPARE(model->info().architecture, std::string("RobertaForMaskedLM"));
        QCOMPARE(model->info().maxPositions, 64);
        QCOMPARE(model->probePoints()[0].name, std::string("roberta.encoder.layer.0.attention.self.query"));
        const SafetensorsFile golden(acts.toStdString());
        const auto g = readGolden(golden);
        // The second sequence's real tokens: the golden's rows 0..10 (its padding never
        // reached them), with the golden's token types (this RoBERTa keeps BERT's two).
        const std::vector<int> ids(g.ids[1].begin(), g.ids[1].begin() + 11), types(g.types[1].begin(), g.types[1].begin() + 11);
        const auto trace = traceEncoderBatch(*model, {ids}, {types}, {11})[0];
        for (const auto& p : model->probePoints()) {
            const std::string bertName = "bert." + p.name.substr(8);
            test::expectClose(trace.outputs[static_cast<size_t>(model->findProbe(p.name))].data(), goldenRows(golden, bertName, 1, 0, 11),
                              QString::fromStdString(p.name));
        }
        const auto logits = golden.tensor("logits").toFloat32();
        const size_t V = 320;
        test::expectClose(trace.logits.data(), {logits.begin() + static_cast<long>(16 * V), logits.begin() + static_cast<long>(27 * V)},
                          "RoBERTa logits");
        // In the golden's padded batch the real tokens are the same (the padding takes the
        // padding id's position, which attention never sees).
        const auto batch = traceEncoderBatch(*model, g.ids, g.types, g.lengths);
        test::expectClose(batch[1].logits.data(), {logits.begin() + static_cast<long>(16 * V), logits.begin() + static_cast<long>(27 * V)},
                          "RoBERTa logits in the padded batch");
    }

    // Where the text says [MASK], the likeliest tokens: the softmax of the masked-LM logits
    // at that position, likeliest first; a forced unit changes them; the CLI prints the same.
    void fillsInMasks() {
        REQUIRE_SHARED(vocab, "tokenizers/bert-base-uncased/vocab.txt");
        const QString wide = test::bertWithVocabulary(tmp_.filePath("bert-fill"));
        QVERIFY(!wide.isEmpty());
        const auto model = loadModel({wide.toStdString(), ""});
        const std::string text = "The [MASK] kicked the ball into the [MASK].";
        const auto masks = fillMasks(*model, text, {}, 10);
        QCOMPARE(masks.size(), size_t(2));
        auto ids = model->tokenize("The x kicked the ball into the x.");
        QCOMPARE(ids[2], 1060);  // "x"
        ids[2] = ids[8] = 103;   // [MASK]
        QCOMPARE(masks[0].position, 2);
        QCOMPARE(masks[1].position, 8);
        const auto trace = model->trace(ids);
        const size_t V = 30522;
        for (const auto& m : masks) {
            const float* logits = trace.logits.data() + static_cast<size_t>(m.position) * V;
            const double top = *std::max_element(logits, logits + V);
            double sum = 0;
            for (size_t v = 0; v < V; ++v) sum += std::exp(logits[v] - top);
            QCOMPARE(m.guesses.size(), size_t(10));
            for (size_t g = 0; g < m.guesses.size(); ++g) {
                QCOMPARE(m.guesses[g].probability, std::exp(logits[m.guesses[g].token] - top) / sum);
                if (g) QVERIFY(m.guesses[g].probability <= m.guesses[g - 1].probability);
                QCOMPARE(m.guesses[g].text, model->tokenizer().decode({m.guesses[g].token}));
            }
            // Nothing outside the list is likelier than its last entry.
            for (size_t v = 0; v < V; ++v) QVERIFY(logits[v] <= logits[m.guesses.back().token] || std::any_of(m.guesses.begin(), m.guesses.end(), [&](const MaskGuess& g) { return g.token == int(v); }));
        }
        Forcing f;
        f.units.push_back({4, 7, 40.f});  // layer 0's intermediate.dense, unit 7
        const auto forced = fillMasks(*model, text, f, 10);
        QVERIFY(forced[0].guesses[0].probability != masks[0].guesses[0].probability);
        test::expectError([&] { fillMasks(*model, "no mask here", {}, 10); }, "write [MASK] where the model should fill in a word");
        REQUIRE_SHARED(decoder, "models/stories260K/stories260K.bin");
        const auto llama = loadModel({decoder.toStdString(), ""});
        test::expectError([&] { fillMasks(*llama, text, {}, 10); }, "filling in [MASK] is for encoders");
        if (qgetenv("EXPERTSCOPE_CLI").isEmpty()) MISSING_ASSET(QStringLiteral("EXPERTSCOPE_CLI not set (run through ctest)"));
        const auto r = test::cli({"fill", "--model", wide, "--text", QString::fromStdString(text), "--top", "10"});
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(r.out.toStdString(), describeFilledMasks(masks));
    }

    void refusals() {
        REQUIRE_SHARED(dir, "models/bert-tiny-random/config.json");
        const QString folder = QFileInfo(dir).absolutePath();
        const auto model = loadModel({folder.toStdString(), ""});
        test::expectError([&] { traceEncoderBatch(*model, {{1, 2, 3}}, {{0, 0}}, {3}); }, "same number of tokens");
        test::expectError([&] { traceEncoderBatch(*model, {{1, 2, 3}}, {{0, 0, 0}}, {4}); }, "length");
        QCOMPARE(modelProblem(folder.toStdString()), std::string());
        // Without its masked-LM head (a bare BertModel): responses, no predictions.
        const QString bare = tmp_.filePath("bert-bare");
        QDir().mkpath(bare);
        QVERIFY(QFile::copy(dir, bare + "/config.json"));
        const SafetensorsFile source((folder + "/model.safetensors").toStdString());
        std::vector<TensorToWrite> tensors;
        for (const auto& t : source.names()) {
            if (t.rfind("cls.", 0) == 0) continue;
            const auto& view = source.tensor(t);
            tensors.push_back({t, view.dtype, view.shape, std::vector<unsigned char>(view.data, view.data + view.bytes)});
        }
        writeSafetensors((bare + "/model.safetensors").toStdString(), tensors);
        const auto encoder = loadModel({bare.toStdString(), ""});
        QCOMPARE(encoder->info().architecture, std::string("BertModel"));
        const auto trace = encoder->trace({5, 17, 42, 99});
        QVERIFY(trace.logits.empty());
        QCOMPARE(trace.outputs.size(), encoder->probePoints().size());
        QCOMPARE(trace.outputs[0], model->trace({5, 17, 42, 99}).outputs[0]);  // the same encoder
    }
};

QTEST_GUILESS_MAIN(TestBert)
#include "tst_bert.moc"
