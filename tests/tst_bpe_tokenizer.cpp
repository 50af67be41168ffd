// GPT-2 byte-level BPE against the reference encoder's ids, exact byte round trips, the
// <|endoftext|> rule, the tokenizer.json route, and clear errors for malformed files.
#include "core/base/error.h"
#include "core/tokenizers/bpe_tokenizer.h"
#include "test_support.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using namespace expertscope;

class TestBpeTokenizer : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

    QString write(const QString& name, const QByteArray& content) {
        QFile f(tmp_.filePath(name));
        f.open(QIODevice::WriteOnly);
        f.write(content);
        return f.fileName();
    }

private slots:
    void goldenIdsAndRoundTrip() {
        REQUIRE_SHARED(encoder, "tokenizers/gpt2/encoder.json");
        REQUIRE_SHARED(golden, "tokenizers/gpt2/golden.json");
        const auto tok = loadByteLevelBpe(encoder.toStdString());
        QCOMPARE(tok->vocabSize(), 50257);
        QCOMPARE(tok->eosId(), 50256);
        QFile f(golden);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto cases = QJsonDocument::fromJson(f.readAll()).object().value("cases").toArray();
        QVERIFY(cases.size() >= 10);
        for (const auto& c : cases) {
            const std::string text = c.toObject().value("text").toString().toStdString();
            std::vector<int> expected;
            for (const auto& id : c.toObject().value("ids").toArray()) expected.push_back(id.toInt());
            QCOMPARE(tok->encode(text), expected);
            QCOMPARE(tok->decode(expected), text);
        }
    }

    void endOfTextIsTextUnlessAsked() {
        REQUIRE_SHARED(encoder, "tokenizers/gpt2/encoder.json");
        const auto tok = loadByteLevelBpe(encoder.toStdString());
        const std::string text = "one<|endoftext|>two";
        const auto plain = tok->encode(text);
        QVERIFY(std::find(plain.begin(), plain.end(), 50256) == plain.end());
        const auto special = tok->encode(text, true);
        QCOMPARE(special, (std::vector<int>{505, 50256, 11545}));
        QCOMPARE(tok->decode(special), text);
        QCOMPARE(tok->decode(plain), text);
    }

    void bytesThatAreNotCharactersRoundTrip() {
        REQUIRE_SHARED(encoder, "tokenizers/gpt2/encoder.json");
        const auto tok = loadByteLevelBpe(encoder.toStdString());
        // Generated ids may split a character; decoding must still give the exact bytes.
        const std::string emoji = "\xF0\x9F\x98\x80";  // one character, several tokens
        const auto ids = tok->encode(emoji);
        QVERIFY(ids.size() > 1);
        std::string joined;
        for (int id : ids) joined += tok->decode({id});
        QCOMPARE(joined, emoji);
        expertscope::test::expectError([&] { tok->encode("bad \xFF byte"); }, "not valid UTF-8");
    }

    void tokenizerJsonGivesTheSameIds() {
        REQUIRE_SHARED(encoder, "tokenizers/gpt2/encoder.json");
        REQUIRE_SHARED(merges, "tokenizers/gpt2/vocab.bpe");
        QFile e(encoder), m(merges);
        QVERIFY(e.open(QIODevice::ReadOnly) && m.open(QIODevice::ReadOnly));
        QJsonObject vocab = QJsonDocument::fromJson(e.readAll()).object();
        vocab.remove("<|endoftext|>");
        QJsonArray mergeList;
        for (const auto& line : QString::fromUtf8(m.readAll()).split('\n', Qt::SkipEmptyParts))
            if (!line.startsWith("#version")) mergeList.append(line);
        const QJsonObject json{{"model", QJsonObject{{"type", "BPE"}, {"vocab", vocab}, {"merges", mergeList}}},
                               {"pre_tokenizer", QJsonObject{{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}},
                               {"decoder", QJsonObject{{"type", "ByteLevel"}}},
                               {"added_tokens", QJsonArray{QJsonObject{{"id", 50256}, {"content", "<|endoftext|>"}, {"special", true}}}}};
        QDir().mkpath(tmp_.filePath("hf"));
        write("hf/tokenizer.json", QJsonDocument(json).toJson(QJsonDocument::Compact));
        const auto fromJson = loadByteLevelBpe(tmp_.filePath("hf").toStdString());
        const auto fromFiles = loadByteLevelBpe(encoder.toStdString());
        const std::string text = "I'm sure they'll say it's fine, isn't it? We've 123 apples!";
        QCOMPARE(fromJson->encode(text), fromFiles->encode(text));
        QCOMPARE(fromJson->eosId(), 50256);
    }

    void malformedFiles() {
        REQUIRE_SHARED(encoder, "tokenizers/gpt2/encoder.json");
        QDir().mkpath(tmp_.filePath("bad"));
        write("bad/vocab.json", "{\"a\": 1, ");
        write("bad/merges.txt", "#version: 0.2\nĠ t\n");
        expertscope::test::expectError([&] { loadByteLevelBpe(tmp_.filePath("bad").toStdString()); }, "invalid JSON");

        QFile e(encoder);
        QVERIFY(e.open(QIODevice::ReadOnly));
        const QByteArray realVocab = e.readAll();
        write("bad/vocab.json", realVocab);
        write("bad/merges.txt", "#version: 0.2\nĠ t\nthree parts here\n");
        expertscope::test::expectError([&] { loadByteLevelBpe(tmp_.filePath("bad").toStdString()); }, "merges.txt line 3: expected two symbols");
        write("bad/merges.txt", "#version: 0.2\nĠ zzzzq\n");
        expertscope::test::expectError([&] { loadByteLevelBpe(tmp_.filePath("bad").toStdString()); }, "which is not in the vocabulary");

        write("bad/vocab.json", "{\"a\": -3}");
        expertscope::test::expectError([&] { loadByteLevelBpe(tmp_.filePath("bad").toStdString()); }, "not a non-negative integer");
        write("bad/vocab.json", "{\"a\": 0, \"b\": 1}");
        write("bad/merges.txt", "");
        expertscope::test::expectError([&] { loadByteLevelBpe(tmp_.filePath("bad").toStdString()); }, "lacks the token for byte");

        QDir().mkpath(tmp_.filePath("badjson"));
        write("badjson/tokenizer.json", "{\"model\": {\"type\": \"WordPiece\"}}");
        expertscope::test::expectError([&] { loadByteLevelBpe(tmp_.filePath("badjson").toStdString()); }, "model.type: 'WordPiece' is not implemented");
        expertscope::test::expectError([&] { loadByteLevelBpe(tmp_.filePath("nowhere").toStdString()); }, "no such file");
    }
};

QTEST_GUILESS_MAIN(TestBpeTokenizer)
#include "tst_bpe_tokenizer.moc"
