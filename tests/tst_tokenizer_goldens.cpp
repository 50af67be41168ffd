// Tokenizers against the ids Hugging Face's tokenizers give (llama.cpp's test set in
// ../shared/tokenizers/gguf-vocab: 46 texts with emoji, CJK, Khmer, combining marks, runs
// of spaces and newlines): Llama 3's and Qwen2's tokenizer.json and GPT-2's files, every
// text exact, and decoding gives each text back; Qwen2's NFC normalisation; malformed
// tokenizer.json files refused by field.
#include "core/base/error.h"
#include "core/tokenizers/bpe_tokenizer.h"
#include "test_support.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using namespace expertscope;

namespace {

struct Golden {
    std::vector<std::string> texts;
    std::vector<std::vector<int>> ids;
};

// .inp: texts each followed by "\n__ggml_vocab_test__\n"; .out: a line of " id id" per text.
Golden readGolden(const QString& stem) {
    Golden g;
    QFile inp(stem + ".inp"), out(stem + ".out");
    if (!inp.open(QIODevice::ReadOnly) || !out.open(QIODevice::ReadOnly)) return g;
    const QByteArray all = inp.readAll();
    const QByteArray separator = "\n__ggml_vocab_test__\n";
    qsizetype at = 0;
    for (qsizetype next; (next = all.indexOf(separator, at)) >= 0; at = next + separator.size())
        g.texts.push_back(all.mid(at, next - at).toStdString());
    for (const QByteArray& line : out.readAll().split('\n')) {
        if (g.ids.size() == g.texts.size()) break;
        std::vector<int> ids;
        for (const QByteArray& id : line.trimmed().split(' '))
            if (!id.isEmpty()) ids.push_back(id.toInt());
        g.ids.push_back(ids);
    }
    return g;
}

}  // namespace

class TestTokenizerGoldens : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

    // Decoding gives the text back, except for uncased WordPiece (it lower-cases and drops
    // accents and spacing by design).
    static void checkAll(const Tokenizer& tok, const Golden& g, const QString& what, bool lossless = true) {
        QCOMPARE(g.texts.size(), size_t(46));
        QCOMPARE(g.ids.size(), g.texts.size());
        int exact = 0;
        for (size_t i = 0; i < g.texts.size(); ++i) {
            const auto got = tok.encode(g.texts[i]);
            if (got == g.ids[i]) ++exact;
            else qWarning("%s text %zu: ids differ", qPrintable(what), i);
            if (lossless) QCOMPARE(tok.decode(got), g.texts[i]);
        }
        QCOMPARE(exact, 46);
    }

    QString writeJson(const QString& name, const QJsonObject& o) {
        const QString path = tmp_.filePath(name);
        QFile f(path);
        if (f.open(QIODevice::WriteOnly)) f.write(QJsonDocument(o).toJson(QJsonDocument::Compact));
        return path;
    }

private slots:
    void initTestCase() { QVERIFY(tmp_.isValid()); }

    void byteLevelBpe_data() {
        QTest::addColumn<QString>("tokenizer");
        QTest::addColumn<QString>("golden");
        QTest::newRow("llama3 tokenizer.json") << "tokenizers/llama3/tokenizer.json" << "ggml-vocab-llama-bpe.gguf";
        QTest::newRow("qwen2 tokenizer.json") << "tokenizers/qwen2/tokenizer.json" << "ggml-vocab-qwen2.gguf";
        QTest::newRow("gpt2 encoder.json") << "tokenizers/gpt2/encoder.json" << "ggml-vocab-gpt-2.gguf";
    }

    void byteLevelBpe() {
        QFETCH(QString, tokenizer);
        QFETCH(QString, golden);
        REQUIRE_SHARED(path, tokenizer);
        REQUIRE_SHARED(out, "tokenizers/gguf-vocab/" + golden + ".out");
        const auto tok = loadByteLevelBpe(path.toStdString());
        checkAll(*tok, readGolden(out.chopped(4)), tokenizer);
    }

    // The tokenizer-only GGUF files: "llama" vocabularies through sentencepiece, "gpt2"
    // ones as byte-level BPE with tokenizer.ggml.pre's patterns.
    void ggufVocabularies_data() {
        QTest::addColumn<QString>("name");
        for (const char* n : {"gpt-2", "llama-spm", "phi-3", "deepseek-llm", "starcoder", "refact", "bert-bge"})
            QTest::newRow(n) << QString(n);
    }

    void ggufVocabularies() {
        QFETCH(QString, name);
        REQUIRE_SHARED(gguf, "tokenizers/gguf-vocab/ggml-vocab-" + name + ".gguf");
        const auto tok = loadGgufTokenizer(gguf.toStdString());
        checkAll(*tok, readGolden(gguf), name, name != "bert-bge");
    }

    void ggufRefusals() {
        REQUIRE_SHARED(safetensors, "models/qwen2-tiny-random/model.safetensors");
        test::expectError([&] { loadGgufTokenizer(safetensors.toStdString()); }, "GGUF");
    }

    // BERT's tokenizer.json (bert-base-uncased has bge-small's vocabulary and lower-casing).
    void wordPieceTokenizerJson() {
        REQUIRE_SHARED(json, "tokenizers/bert-base-uncased/tokenizer.json");
        REQUIRE_SHARED(out, "tokenizers/gguf-vocab/ggml-vocab-bert-bge.gguf.out");
        const auto tok = loadTokenizer(json.toStdString());
        checkAll(*tok, readGolden(out.chopped(4)), "bert-base-uncased", false);
        QCOMPARE(tok->decode(tok->encode("Héllo, WORLD!")), std::string("hello , world !"));
    }

    // The same vocabulary from vocab.txt (+ tokenizer_config.json), as BERT folders carry it.
    void wordPieceVocabTxt() {
        REQUIRE_SHARED(vocab, "tokenizers/bert-base-uncased/vocab.txt");
        REQUIRE_SHARED(out, "tokenizers/gguf-vocab/ggml-vocab-bert-bge.gguf.out");
        const auto tok = loadTokenizer(vocab.toStdString());
        checkAll(*tok, readGolden(out.chopped(4)), "bert-base-uncased vocab.txt", false);
        QCOMPARE(tok->vocabSize(), 30522);
        QCOMPARE(tok->bosId(), 101);  // [CLS]
        QCOMPARE(tok->eosId(), 102);  // [SEP]
        QCOMPARE(tok->padId(), 0);
        QCOMPARE(tok->decode(tok->encode("Héllo, WORLD!")), std::string("hello , world !"));
    }

    void postProcessorsBos() {
        REQUIRE_SHARED(llama3, "tokenizers/llama3/tokenizer.json");
        REQUIRE_SHARED(qwen2, "tokenizers/qwen2/tokenizer.json");
        const auto l = loadByteLevelBpe(llama3.toStdString()), q = loadByteLevelBpe(qwen2.toStdString());
        QVERIFY(l->addsBos());
        QCOMPARE(l->bosId(), 128000);
        QCOMPARE(l->eosId(), 128001);
        QVERIFY(!q->addsBos());
        QCOMPARE(q->eosId(), 151643);
        // Special tokens are text unless asked for; decoding writes them out.
        QCOMPARE(l->encode("<|begin_of_text|>hi", true).front(), 128000);
        QVERIFY(l->encode("<|begin_of_text|>hi").front() != 128000);
        QCOMPARE(l->decode({128000}), std::string("<|begin_of_text|>"));
    }

    // Qwen2 normalises to NFC (the 46 texts do not exercise it): a decomposed é and Å
    // (U+212B, the Angstrom sign) give the ids of their composed forms; Llama 3, which does
    // not normalise, gives other ids for them, so the check can tell.
    void qwen2NormalisesToNfc() {
        REQUIRE_SHARED(llama3, "tokenizers/llama3/tokenizer.json");
        REQUIRE_SHARED(qwen2, "tokenizers/qwen2/tokenizer.json");
        const auto l = loadByteLevelBpe(llama3.toStdString()), q = loadByteLevelBpe(qwen2.toStdString());
        const std::pair<std::string, std::string> cases[] = {
            {"caf\x65\xCC\x81 au lait", "caf\xC3\xA9 au lait"},  // e + combining acute -> é
            {"\xE2\x84\xAB ngstr\xC3\xB6m", "\xC3\x85 ngstr\xC3\xB6m"},  // Angstrom sign -> Å
        };
        for (const auto& [decomposed, composed] : cases) {
            QCOMPARE(q->encode(decomposed), q->encode(composed));
            QVERIFY(l->encode(decomposed) != l->encode(composed));
        }
    }

    void malformedTokenizerJson() {
        REQUIRE_SHARED(qwen2, "tokenizers/qwen2/tokenizer.json");
        QFile f(qwen2);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject base = QJsonDocument::fromJson(f.readAll()).object();
        const auto edited = [&](const QString& name, const std::function<void(QJsonObject&)>& edit) {
            QJsonObject o = base;
            edit(o);
            return writeJson(name + ".json", o).toStdString();
        };
        const auto refused = [&](const QString& name, const std::function<void(QJsonObject&)>& edit, const char* fragment) {
            test::expectError([&] { loadTokenizerJson(edited(name, edit)); }, fragment);
        };
        refused("wordpiece", [](QJsonObject& o) { o["model"] = QJsonObject{{"type", "WordPiece"}}; }, "model.type: 'WordPiece' is not implemented");
        refused("nfkc", [](QJsonObject& o) { o["normalizer"] = QJsonObject{{"type", "NFKC"}}; }, "normalizer.type: 'NFKC' is not implemented");
        refused("merged", [](QJsonObject& o) {
            auto p = o["pre_tokenizer"].toObject();
            auto list = p["pretokenizers"].toArray();
            auto split = list[0].toObject();
            split["behavior"] = "MergedWithPrevious";
            list[0] = split;
            p["pretokenizers"] = list;
            o["pre_tokenizer"] = p;
        }, "pre_tokenizer.pretokenizers[0].behavior: 'MergedWithPrevious' is not implemented");
        refused("metaspace", [](QJsonObject& o) { o["pre_tokenizer"] = QJsonObject{{"type", "Metaspace"}}; },
                "pre_tokenizer.type: 'Metaspace' is not implemented");
        refused("no-byte-level", [](QJsonObject& o) { o["pre_tokenizer"] = QJsonValue(); }, "not a byte-level BPE");
        refused("lstrip", [](QJsonObject& o) {
            auto list = o["added_tokens"].toArray();
            auto first = list[0].toObject();
            first["lstrip"] = true;
            list[0] = first;
            o["added_tokens"] = list;
        }, "added_tokens[0].lstrip: is not implemented");
        refused("roberta", [](QJsonObject& o) { o["post_processor"] = QJsonObject{{"type", "RobertaProcessing"}}; },
                "post_processor.type: 'RobertaProcessing' is not implemented");
        refused("truncation", [](QJsonObject& o) { o["truncation"] = QJsonObject{{"max_length", 8}}; }, "truncation: is not implemented");
        refused("bad-merge", [](QJsonObject& o) {
            auto m = o["model"].toObject();
            auto merges = m["merges"].toArray();
            merges[0] = 7;
            m["merges"] = merges;
            o["model"] = m;
        }, "model.merges[0]: expected");
        refused("bad-regex", [](QJsonObject& o) {
            o["pre_tokenizer"] = QJsonObject{{"type", "Sequence"}, {"pretokenizers", QJsonArray{
                QJsonObject{{"type", "Split"}, {"pattern", QJsonObject{{"Regex", "(unclosed"}}}, {"behavior", "Isolated"}, {"invert", false}},
                QJsonObject{{"type", "ByteLevel"}, {"use_regex", false}}}}};
        }, "is not a valid regular expression");
        const std::string truncated = tmp_.filePath("truncated.json").toStdString();
        QFile::copy(qwen2, QString::fromStdString(truncated));
        QFile t(QString::fromStdString(truncated));
        QVERIFY(t.open(QIODevice::ReadWrite));
        t.resize(t.size() / 2);
        t.close();
        test::expectError([&] { loadTokenizerJson(truncated); }, "invalid JSON");
    }
};

QTEST_MAIN(TestTokenizerGoldens)
#include "tst_tokenizer_goldens.moc"
