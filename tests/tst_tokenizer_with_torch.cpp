// sentencepiece and LibTorch in one process. Debian's shared sentencepiece brings a
// second protobuf that crashes LibTorch before main(); this binary links the project's
// static build, tokenizes with the real Llama 2 model and runs a LibTorch forward pass.
#include "core/runtime/language_model.h"
#include "core/tokenizers/tokenizer.h"
#include "test_support.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace expertscope;

class TestTokenizerWithTorch : public QObject {
    Q_OBJECT
private slots:
    void llama2GoldenIds() {
        REQUIRE_SHARED(model, "tokenizers/llama2/tokenizer.model");
        REQUIRE_SHARED(golden, "tokenizers/llama2/golden.json");
        const auto tok = loadSentencePieceTokenizer(model.toStdString());
        QCOMPARE(tok->vocabSize(), 32000);
        QCOMPARE(tok->bosId(), 1);
        QFile f(golden);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto cases = QJsonDocument::fromJson(f.readAll()).object().value("cases").toArray();
        QVERIFY(cases.size() >= 4);
        for (const auto& c : cases) {
            const std::string text = c.toObject().value("text").toString().toStdString();
            std::vector<int> expected;
            for (const auto& id : c.toObject().value("ids_with_bos").toArray()) expected.push_back(id.toInt());
            std::vector<int> got{tok->bosId()};
            const auto body = tok->encode(text);
            got.insert(got.end(), body.begin(), body.end());
            QCOMPARE(got, expected);
        }
    }

    void torchRunsBesideSentencePiece() {
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        const auto model = loadModel({bin.toStdString(), ""});
        const auto ids = model->tokenize("Once upon a time");
        QCOMPARE(ids.front(), 1);
        const auto trace = model->trace(ids);
        QCOMPARE(trace.logits.size(), ids.size() * 512);
        QVERIFY(std::isfinite(trace.logits.back()));
    }
};

QTEST_GUILESS_MAIN(TestTokenizerWithTorch)
#include "tst_tokenizer_with_torch.moc"
