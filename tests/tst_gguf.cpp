// The GGUF metadata reader: exact facts of llama.cpp's vocabulary files in ../shared, every
// value type through a hand-written file, and a specific error (never a crash, a bad_alloc
// or a hang) for each kind of corruption, in hand-written files and in cut or altered copies
// of a real one.
#include "core/base/error.h"
#include "core/base/gguf.h"
#include "gguf_writer.h"
#include "test_support.h"

#include <QByteArray>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace expertscope;

namespace {

QByteArray le(uint64_t v, int bytes) {
    QByteArray out;
    for (int i = 0; i < bytes; ++i) out.append(static_cast<char>((v >> (8 * i)) & 0xff));
    return out;
}
QByteArray u8(uint64_t v) { return le(v, 1); }
QByteArray u32(uint64_t v) { return le(v, 4); }
QByteArray u64(uint64_t v) { return le(v, 8); }
// A GGUF string: uint64 length, then the bytes.
QByteArray str(const QByteArray& s) { return u64(static_cast<uint64_t>(s.size())) + s; }
QByteArray header(uint64_t pairs, uint32_t version = 3, uint64_t tensors = 0) {
    return QByteArray("GGUF") + u32(version) + u64(tensors) + u64(pairs);
}
// A key and its value type; the value follows.
QByteArray key(const QByteArray& name, GgufType type) { return str(name) + u32(static_cast<uint32_t>(type)); }
QByteArray arrayOf(GgufType element, uint64_t count) { return u32(static_cast<uint32_t>(element)) + u64(count); }
QByteArray f32(float f) {
    uint32_t b;
    std::memcpy(&b, &f, 4);
    return u32(b);
}
QByteArray f64(double d) {
    uint64_t b;
    std::memcpy(&b, &d, 8);
    return u64(b);
}

void writeBytes(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(f.write(bytes), bytes.size());
}

QByteArray readBytes(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return f.readAll();
}

// Where `name` starts as a key in `bytes` (its length field is the 8 bytes before).
qsizetype keyAt(const QByteArray& bytes, const char* name) {
    const QByteArray k = str(name);
    const qsizetype at = bytes.indexOf(k);
    return at < 0 ? -1 : at + 8;
}

constexpr uint64_t kHuge = 1ull << 60;

}  // namespace

class TestGguf : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString file(const char* name) const { return dir_.filePath(QString::fromLatin1(name)); }

    // Opening `path` fails with "<path>: <message>...": the message names the file and says
    // what is wrong.
    static void expectOpenError(const QString& path, const QString& message) {
        const std::string p = path.toStdString();
        test::expectError([&] { GgufFile f(p); }, (p + ": " + message.toStdString()).c_str());
    }

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void readsGpt2Vocabulary() {
        REQUIRE_SHARED(path, "tokenizers/gguf-vocab/ggml-vocab-gpt-2.gguf");
        const GgufFile f(path.toStdString());
        QCOMPARE(f.path(), path.toStdString());
        QCOMPARE(f.version(), 3u);
        QCOMPARE(f.tensorCount(), uint64_t(0));
        const auto keys = f.keys();
        QCOMPARE(keys.size(), size_t(16));
        QCOMPARE(keys.front(), std::string("general.architecture"));
        QCOMPARE(keys[11], std::string("tokenizer.ggml.tokens"));
        QCOMPARE(keys.back(), std::string("tokenizer.ggml.eos_token_id"));
        QCOMPARE(f.string("general.architecture"), std::string("gpt2"));
        QCOMPARE(f.string("tokenizer.ggml.model"), std::string("gpt2"));
        QCOMPARE(f.string("tokenizer.ggml.pre"), std::string("gpt-2"));

        QCOMPARE(f.type("tokenizer.ggml.tokens"), GgufType::Array);
        QCOMPARE(f.elementType("tokenizer.ggml.tokens"), GgufType::String);
        QCOMPARE(f.arrayLength("tokenizer.ggml.tokens"), uint64_t(50257));
        const auto tokens = f.strings("tokenizer.ggml.tokens");
        QCOMPARE(tokens.size(), size_t(50257));
        QCOMPARE(tokens[0], std::string("!"));
        QCOMPARE(tokens[1], std::string("\""));
        QCOMPARE(tokens[50256], std::string("<|endoftext|>"));

        const auto merges = f.strings("tokenizer.ggml.merges");
        QCOMPARE(merges.size(), size_t(50000));
        QCOMPARE(merges[0], std::string("\xc4\xa0 t"));  // "Ġ t"
        QCOMPARE(merges[2], std::string("h e"));
        QCOMPARE(merges.back(), std::string("\xc4\xa0g azed"));

        QCOMPARE(f.type("tokenizer.ggml.bos_token_id"), GgufType::U32);
        QCOMPARE(f.integer("tokenizer.ggml.bos_token_id"), int64_t(50256));
        QCOMPARE(f.integer("tokenizer.ggml.eos_token_id"), int64_t(50256));
        QVERIFY(!f.contains("tokenizer.ggml.add_bos_token"));
        QVERIFY(!f.contains("tokenizer.ggml.scores"));

        const auto types = f.integers("tokenizer.ggml.token_type");
        QCOMPARE(f.elementType("tokenizer.ggml.token_type"), GgufType::I32);
        QCOMPARE(types.size(), size_t(50257));
        QCOMPARE(types[0], int64_t(1));
        QCOMPARE(types[50256], int64_t(3));  // <|endoftext|> is a control token

        QCOMPARE(f.integer("gpt2.context_length"), int64_t(1024));
        QCOMPARE(f.number("gpt2.embedding_length"), 768.0);
        QCOMPARE(f.type("gpt2.attention.layer_norm_epsilon"), GgufType::F32);
        QCOMPARE(f.number("gpt2.attention.layer_norm_epsilon"), double(1e-5f));
    }

    void readsLlamaSentencepieceVocabulary() {
        REQUIRE_SHARED(path, "tokenizers/gguf-vocab/ggml-vocab-llama-spm.gguf");
        const GgufFile f(path.toStdString());
        QCOMPARE(f.version(), 3u);
        QCOMPARE(f.tensorCount(), uint64_t(0));
        QCOMPARE(f.keys().size(), size_t(22));
        QCOMPARE(f.string("tokenizer.ggml.model"), std::string("llama"));
        QCOMPARE(f.string("tokenizer.ggml.pre"), std::string("default"));
        QCOMPARE(f.string("general.name"), std::string("llama-spm"));

        const auto tokens = f.strings("tokenizer.ggml.tokens");
        QCOMPARE(tokens.size(), size_t(32000));
        QCOMPARE(tokens[0], std::string("<unk>"));
        QCOMPARE(tokens[1], std::string("<s>"));
        QCOMPARE(tokens[2], std::string("</s>"));
        QCOMPARE(tokens[3], std::string("<0x00>"));
        QCOMPARE(tokens[258], std::string("<0xFF>"));
        QCOMPARE(tokens[31999], std::string("\xe7\xbb\x99"));  // 给

        QCOMPARE(f.elementType("tokenizer.ggml.scores"), GgufType::F32);
        const auto scores = f.floats("tokenizer.ggml.scores");
        QCOMPARE(scores.size(), size_t(32000));
        QCOMPARE(scores[0], 0.f);
        QCOMPARE(scores[31999], -31740.f);

        const auto types = f.integers("tokenizer.ggml.token_type");
        QCOMPARE(types.size(), size_t(32000));
        QCOMPARE(types[0], int64_t(2));  // unknown
        QCOMPARE(types[1], int64_t(3));  // control
        QCOMPARE(types[3], int64_t(6));  // byte
        QCOMPARE(types[31999], int64_t(1));

        QCOMPARE(f.integer("tokenizer.ggml.bos_token_id"), int64_t(1));
        QCOMPARE(f.integer("tokenizer.ggml.eos_token_id"), int64_t(2));
        QCOMPARE(f.integer("tokenizer.ggml.unknown_token_id"), int64_t(0));
        QCOMPARE(f.type("tokenizer.ggml.add_bos_token"), GgufType::Bool);
        QCOMPARE(f.boolean("tokenizer.ggml.add_bos_token"), true);
        QCOMPARE(f.boolean("tokenizer.ggml.add_eos_token"), false);
        QCOMPARE(f.integer("llama.vocab_size"), int64_t(32000));
        QCOMPARE(f.number("llama.attention.layer_norm_rms_epsilon"), double(1e-5f));
    }

    // The facts in the folder's README, for every vocabulary file in it.
    void readsEveryVocabularyFile_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("pairs");
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("pre");
        QTest::addColumn<int>("vocab");
        QTest::addColumn<int>("merges");  // -1: no merges key
        QTest::addColumn<int>("bos");     // -1: no bos/eos keys
        QTest::addColumn<int>("eos");
        QTest::addColumn<int>("addBos");  // -1: no add_bos_token key
        QTest::newRow("bert-bge") << "bert-bge" << 20 << "bert" << "bert-bge" << 30522 << -1 << -1 << -1 << -1;
        QTest::newRow("deepseek-llm") << "deepseek-llm" << 23 << "gpt2" << "deepseek-llm" << 102400 << 99757 << 100000
                                      << 100001 << 1;
        QTest::newRow("gpt-2") << "gpt-2" << 16 << "gpt2" << "gpt-2" << 50257 << 50000 << 50256 << 50256 << -1;
        QTest::newRow("llama-spm") << "llama-spm" << 22 << "llama" << "default" << 32000 << -1 << 1 << 2 << 1;
        QTest::newRow("phi-3") << "phi-3" << 26 << "llama" << "default" << 32064 << -1 << 1 << 32000 << 1;
        QTest::newRow("refact") << "refact" << 18 << "gpt2" << "refact" << 49216 << 48891 << 0 << 0 << -1;
        QTest::newRow("starcoder") << "starcoder" << 19 << "gpt2" << "starcoder" << 49152 << 48872 << 0 << 0 << -1;
    }
    void readsEveryVocabularyFile() {
        QFETCH(QString, name);
        QFETCH(int, pairs);
        QFETCH(QString, model);
        QFETCH(QString, pre);
        QFETCH(int, vocab);
        QFETCH(int, merges);
        QFETCH(int, bos);
        QFETCH(int, eos);
        QFETCH(int, addBos);
        REQUIRE_SHARED(path, "tokenizers/gguf-vocab/ggml-vocab-" + name + ".gguf");
        const GgufFile f(path.toStdString());
        QCOMPARE(f.version(), 3u);
        QCOMPARE(f.tensorCount(), uint64_t(0));
        QCOMPARE(f.keys().size(), size_t(pairs));
        QCOMPARE(f.string("tokenizer.ggml.model"), model.toStdString());
        QCOMPARE(f.string("tokenizer.ggml.pre"), pre.toStdString());
        QCOMPARE(f.strings("tokenizer.ggml.tokens").size(), size_t(vocab));
        QCOMPARE(f.integers("tokenizer.ggml.token_type").size(), size_t(vocab));
        QCOMPARE(f.contains("tokenizer.ggml.merges"), merges >= 0);
        if (merges >= 0) QCOMPARE(f.strings("tokenizer.ggml.merges").size(), size_t(merges));
        QCOMPARE(f.contains("tokenizer.ggml.bos_token_id"), bos >= 0);
        QCOMPARE(f.contains("tokenizer.ggml.eos_token_id"), eos >= 0);
        if (bos >= 0) QCOMPARE(f.integer("tokenizer.ggml.bos_token_id"), int64_t(bos));
        if (eos >= 0) QCOMPARE(f.integer("tokenizer.ggml.eos_token_id"), int64_t(eos));
        QCOMPARE(f.contains("tokenizer.ggml.add_bos_token"), addBos >= 0);
        if (addBos >= 0) QCOMPARE(f.boolean("tokenizer.ggml.add_bos_token"), addBos == 1);
        // Every key is one of keys(), and every key of keys() is there.
        for (const auto& k : f.keys()) QVERIFY(f.contains(k));
    }

    void readsEveryValueType() {
        const QByteArray bytes =
            header(22, 2) + key("u8", GgufType::U8) + u8(200) + key("i8", GgufType::I8) + u8(0x80) +
            key("u16", GgufType::U16) + le(65535, 2) + key("i16", GgufType::I16) + le(0xfffe, 2) +
            key("u32", GgufType::U32) + u32(4000000000u) + key("i32", GgufType::I32) + u32(0x80000000u) +
            key("f32", GgufType::F32) + f32(-1.5f) + key("t", GgufType::Bool) + u8(1) +
            key("f", GgufType::Bool) + u8(0) + key("s", GgufType::String) + str("h\xc3\xa9llo") +
            key("empty", GgufType::String) + str("") + key("u64", GgufType::U64) + u64(UINT64_MAX) +
            key("i64", GgufType::I64) + u64(uint64_t(1) << 63) + key("f64", GgufType::F64) + f64(0.1) +
            key("strs", GgufType::Array) + arrayOf(GgufType::String, 3) + str("a") + str("") + str("\xff") +
            key("u8s", GgufType::Array) + arrayOf(GgufType::U8, 2) + u8(0) + u8(255) +
            key("i16s", GgufType::Array) + arrayOf(GgufType::I16, 2) + le(0x8000, 2) + le(7, 2) +
            key("u64s", GgufType::Array) + arrayOf(GgufType::U64, 1) + u64(uint64_t(INT64_MAX)) +
            key("f64s", GgufType::Array) + arrayOf(GgufType::F64, 2) + f64(0.25) + f64(-2) +
            key("bools", GgufType::Array) + arrayOf(GgufType::Bool, 3) + u8(1) + u8(0) + u8(1) +
            key("none", GgufType::Array) + arrayOf(GgufType::F32, 0) +
            key("dotted.k\xc3\xa9y", GgufType::I8) + u8(5);
        const QString path = file("types.gguf");
        writeBytes(path, bytes);
        const GgufFile f(path.toStdString());
        QCOMPARE(f.version(), 2u);
        QCOMPARE(f.keys(), (std::vector<std::string>{"u8", "i8", "u16", "i16", "u32", "i32", "f32", "t", "f", "s",
                                                      "empty", "u64", "i64", "f64", "strs", "u8s", "i16s", "u64s",
                                                      "f64s", "bools", "none", "dotted.k\xc3\xa9y"}));
        QCOMPARE(f.type("u8"), GgufType::U8);
        QCOMPARE(f.integer("u8"), int64_t(200));
        QCOMPARE(f.integer("i8"), int64_t(-128));
        QCOMPARE(f.integer("u16"), int64_t(65535));
        QCOMPARE(f.integer("i16"), int64_t(-2));
        QCOMPARE(f.integer("u32"), int64_t(4000000000));
        QCOMPARE(f.integer("i32"), int64_t(INT32_MIN));
        QCOMPARE(f.number("f32"), -1.5);
        QCOMPARE(f.boolean("t"), true);
        QCOMPARE(f.boolean("f"), false);
        QCOMPARE(f.string("s"), std::string("h\xc3\xa9llo"));
        QCOMPARE(f.string("empty"), std::string());
        QCOMPARE(f.number("u64"), 18446744073709551615.0);
        QCOMPARE(f.integer("i64"), INT64_MIN);
        QCOMPARE(f.number("i64"), -9223372036854775808.0);
        QCOMPARE(f.number("f64"), 0.1);
        QCOMPARE(f.number("i16"), -2.0);
        QCOMPARE(f.strings("strs"), (std::vector<std::string>{"a", "", "\xff"}));  // values are not UTF-8-checked
        QCOMPARE(f.integers("u8s"), (std::vector<int64_t>{0, 255}));
        QCOMPARE(f.integers("i16s"), (std::vector<int64_t>{-32768, 7}));
        QCOMPARE(f.integers("u64s"), (std::vector<int64_t>{INT64_MAX}));
        QCOMPARE(f.floats("f64s"), (std::vector<float>{0.25f, -2.f}));
        QCOMPARE(f.elementType("bools"), GgufType::Bool);
        QCOMPARE(f.arrayLength("bools"), uint64_t(3));
        QCOMPARE(f.arrayLength("none"), uint64_t(0));
        QCOMPARE(f.floats("none"), std::vector<float>{});
        QCOMPARE(f.integer("dotted.k\xc3\xa9y"), int64_t(5));
        QCOMPARE(std::string(ggufTypeName(GgufType::F64)), std::string("FLOAT64"));
        QCOMPARE(std::string(ggufTypeName(GgufType::Bool)), std::string("BOOL"));
    }

    void wrongTypeOrMissingKey() {
        const QByteArray bytes = header(6) + key("n", GgufType::U32) + u32(7) + key("s", GgufType::String) + str("x") +
                                 key("ints", GgufType::Array) + arrayOf(GgufType::I32, 1) + u32(1) +
                                 key("big", GgufType::U64) + u64(uint64_t(INT64_MAX) + 1) +
                                 key("bigs", GgufType::Array) + arrayOf(GgufType::U64, 2) + u64(1) + u64(UINT64_MAX) +
                                 key("b", GgufType::Bool) + u8(1);
        const QString path = file("types.gguf");
        writeBytes(path, bytes);
        const std::string p = path.toStdString();
        const GgufFile f(p);
        auto named = [&](const char* what) { return p + ": " + what; };
        test::expectError([&] { f.string("n"); }, named("key 'n' is UINT32, wanted STRING").c_str());
        test::expectError([&] { f.integer("s"); }, named("key 's' is STRING, wanted an integer").c_str());
        test::expectError([&] { f.integer("b"); }, named("key 'b' is BOOL, wanted an integer").c_str());
        test::expectError([&] { f.number("s"); }, named("key 's' is STRING, wanted a number").c_str());
        test::expectError([&] { f.boolean("n"); }, named("key 'n' is UINT32, wanted BOOL").c_str());
        test::expectError([&] { f.integer("ints"); }, named("key 'ints' is ARRAY of INT32, wanted an integer").c_str());
        test::expectError([&] { f.strings("ints"); }, named("key 'ints' is ARRAY of INT32, wanted ARRAY of STRING").c_str());
        test::expectError([&] { f.floats("ints"); }, named("key 'ints' is ARRAY of INT32, wanted ARRAY of FLOAT32").c_str());
        test::expectError([&] { f.strings("s"); }, named("key 's' is STRING, wanted ARRAY of STRING").c_str());
        test::expectError([&] { f.integers("n"); }, named("key 'n' is UINT32, wanted ARRAY of an integer type").c_str());
        test::expectError([&] { f.elementType("n"); }, named("key 'n' is UINT32, wanted ARRAY").c_str());
        test::expectError([&] { f.arrayLength("s"); }, named("key 's' is STRING, wanted ARRAY").c_str());
        test::expectError([&] { f.integer("big"); },
                          named("key 'big': UINT64 value 9223372036854775808 is above INT64_MAX").c_str());
        QCOMPARE(f.number("big"), 9223372036854775808.0);
        test::expectError([&] { f.integers("bigs"); },
                          named("key 'bigs': element 1: UINT64 value 18446744073709551615 is above INT64_MAX").c_str());
        test::expectError([&] { f.string("nope"); }, named("missing key 'nope'").c_str());
        test::expectError([&] { f.type("nope"); }, named("missing key 'nope'").c_str());
        QVERIFY(!f.contains("nope"));
    }

    void malformedFile_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("message");
        const QByteArray one = header(1);
        // Header.
        QTest::newRow("empty file") << QByteArray() << "truncated header: the magic needs 4 bytes at offset 0, 0 remain";
        QTest::newRow("bad magic") << QByteArray("GGML") + u32(3) + u64(0) + u64(0)
                                   << "not a GGUF file: it starts with 'GGML', not 'GGUF'";
        QTest::newRow("binary magic") << QByteArray("\x89PNG", 4) + u64(0) << "not a GGUF file: it starts with '\\x89PNG'";
        QTest::newRow("magic only") << QByteArray("GGUF") << "truncated header: the version needs 4 bytes at offset 4, 0 remain";
        QTest::newRow("truncated counts") << QByteArray("GGUF") + u32(3) + u64(0) + QByteArray(3, '\0')
                                          << "truncated header: the metadata count needs 8 bytes at offset 16, 3 remain";
        QTest::newRow("version 1") << header(0, 1) << "unsupported GGUF version 1 (versions 2 and 3 are read)";
        QTest::newRow("version 4") << header(0, 4) << "unsupported GGUF version 4 (versions 2 and 3 are read)";
        QTest::newRow("big-endian") << QByteArray("GGUF") + QByteArray("\0\0\0\3", 4) + u64(0) + u64(0)
                                    << "unsupported GGUF version 50331648 (versions 2 and 3 are read; this looks like a big-endian file";
        QTest::newRow("absurd metadata count") << header(kHuge) + QByteArray(100, 'x')
                                               << "metadata count 1152921504606846976 cannot fit in the 100 bytes after the header";
        QTest::newRow("metadata count past end") << header(2) + key("a", GgufType::U8) + u8(1)
                                                 << "metadata count 2 cannot fit in the 14 bytes after the header";
        QTest::newRow("absurd tensor count") << header(1, 3, kHuge) + key("a", GgufType::U8) + u8(1)
                                             << "tensor count 1152921504606846976 cannot fit in the 0 bytes after the metadata";
        QTest::newRow("tensor infos missing") << header(0, 3, 2) << "tensor count 2 cannot fit in the 0 bytes after the metadata";
        // Keys.
        QTest::newRow("truncated in a key's length")
            << header(2) + key("a", GgufType::String) + str(QByteArray(20, 's')) + QByteArray(5, '\0')
            << "key #1: truncated: the key length needs 8 bytes at offset 65, 5 remain";
        QTest::newRow("key past end") << one + u64(100) + QByteArray("abcdefgh") + QByteArray(6, 'x')
                                      << "key #0: length 100 runs past the end of the file (14 bytes remain at offset 32)";
        QTest::newRow("empty key") << one + str("") + u32(0) + u8(1) + u8(0) << "key #0 is empty";
        QTest::newRow("key too long") << one + str(QByteArray(70000, 'k')) + u32(0) + u8(1)
                                      << "key #0: length 70000 is over the 65535 bytes a key may have";
        QTest::newRow("key not UTF-8") << one + key("a\xff", GgufType::U8) + u8(1) + u8(0)
                                       << "key #0 is not valid UTF-8: 'a\\xff'";
        QTest::newRow("overlong UTF-8 key") << one + key("\xc0\xaf", GgufType::U8) + u8(1) + u8(0)
                                            << "key #0 is not valid UTF-8: '\\xc0\\xaf'";
        QTest::newRow("surrogate in key") << one + key("\xed\xa0\x80", GgufType::U8) + u8(1)
                                          << "key #0 is not valid UTF-8: '\\xed\\xa0\\x80'";
        QTest::newRow("cut UTF-8 in key") << one + key("ab\xe2\x82", GgufType::U8) + u8(1)
                                          << "key #0 is not valid UTF-8: 'ab\\xe2\\x82'";
        QTest::newRow("duplicate key") << header(2) + key("a.b", GgufType::U8) + u8(1) + key("a.b", GgufType::String) + str("x")
                                       << "duplicate key 'a.b' (pairs #0 and #1)";
        // Values.
        QTest::newRow("truncated in the value type") << one + str("abcdefgh") + QByteArray(2, '\0')
                                                     << "key 'abcdefgh': truncated: the value type needs 4 bytes at offset 40, 2 remain";
        QTest::newRow("truncated in a value") << one + key("abc", GgufType::U32) + QByteArray(2, '\1')
                                              << "key 'abc': truncated: the UINT32 value needs 4 bytes at offset 39, 2 remain";
        QTest::newRow("unknown type 13") << one + str("a") + u32(13) + u8(0)
                                         << "key 'a': unknown value type 13";
        QTest::newRow("control bytes escaped") << one + str("a\nb") + u32(13) + u8(0)
                                               << "key 'a\\x0ab': unknown value type 13";
        QTest::newRow("bool 2") << one + key("a", GgufType::Bool) + u8(2) << "key 'a': BOOL value is 2, must be 0 or 1";
        QTest::newRow("truncated string length") << one + key("a", GgufType::String) + QByteArray(2, '\1')
                                                 << "key 'a': truncated: the string length needs 8 bytes at offset 37, 2 remain";
        QTest::newRow("string past end") << one + key("a", GgufType::String) + u64(100) + "abc"
                                         << "key 'a': string length 100 runs past the end of the file (3 bytes remain at offset 45)";
        QTest::newRow("absurd string length") << one + key("a", GgufType::String) + u64(UINT64_MAX) + "abc"
                                              << "key 'a': string length 18446744073709551615 runs past the end";
        // Arrays.
        QTest::newRow("truncated array header") << one + key("a", GgufType::Array) + u32(5) + QByteArray(2, '\0')
                                                << "key 'a': truncated: the array header (element type, count) needs 12 bytes";
        QTest::newRow("unknown element type") << one + key("a", GgufType::Array) + arrayOf(GgufType(13), 0)
                                              << "key 'a': unknown array element type 13";
        QTest::newRow("nested array") << one + key("a", GgufType::Array) + arrayOf(GgufType::Array, 1) + arrayOf(GgufType::U8, 0)
                                      << "key 'a': nested arrays (arrays of arrays) are not supported";
        QTest::newRow("array count past end") << one + key("a", GgufType::Array) + arrayOf(GgufType::I32, 1000) + QByteArray(16, '\0')
                                              << "key 'a': array of 1000 INT32 elements (4 bytes each) runs past the end of the file (16 bytes remain at offset 49)";
        QTest::newRow("absurd UINT64 array count") << one + key("a", GgufType::Array) + arrayOf(GgufType::U64, kHuge) + u64(1)
                                                   << "key 'a': array of 1152921504606846976 UINT64 elements (8 bytes each) runs past the end";
        QTest::newRow("largest UINT8 array count") << one + key("a", GgufType::Array) + arrayOf(GgufType::U8, UINT64_MAX) + u64(1)
                                                   << "key 'a': array of 18446744073709551615 UINT8 elements (1 byte each) runs past the end";
        QTest::newRow("absurd string array count") << one + key("a", GgufType::Array) + arrayOf(GgufType::String, kHuge) + str("x")
                                                   << "key 'a': array of 1152921504606846976 strings runs past the end of the file (each takes at least 8 bytes, 9 bytes remain";
        QTest::newRow("string element past end") << one + key("a", GgufType::Array) + arrayOf(GgufType::String, 2) + str("x") + u64(50) + "ab"
                                                 << "key 'a': element 1: string length 50 runs past the end of the file (2 bytes remain";
        QTest::newRow("truncated string element") << one + key("a", GgufType::Array) + arrayOf(GgufType::String, 3) + str("x") + str("y") + u64(1).left(7)
                                                  << "key 'a': element 2: truncated: the string length needs 8 bytes";
        QTest::newRow("bool element 2") << one + key("a", GgufType::Array) + arrayOf(GgufType::Bool, 3) + u8(1) + u8(2) + u8(0)
                                        << "key 'a': element 1: BOOL value is 2, must be 0 or 1";
    }
    void malformedFile() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, message);
        const QString path = file("malformed.gguf");
        writeBytes(path, bytes);
        expectOpenError(path, message);
    }

    // Copies of a real file cut short at places that fall in a key, in an array of strings, in
    // an array of floats and in the last value.
    void cutRealFile_data() {
        QTest::addColumn<int>("keep");  // bytes kept; negative: that many bytes cut off the end
        QTest::addColumn<QString>("after");  // keep counts from where this key starts ("" = the file's start)
        QTest::addColumn<QString>("message");
        QTest::newRow("in the header") << 20 << "" << "truncated header: the metadata count needs 8 bytes at offset 16, 4 remain";
        QTest::newRow("so early the pairs cannot fit") << 100 << "" << "metadata count 22 cannot fit in the 76 bytes after the header";
        QTest::newRow("in a key") << 5 << "tokenizer.ggml.scores"
                                  << "key #15: length 21 runs past the end of the file (5 bytes remain";
        QTest::newRow("in the last token") << -9 << "tokenizer.ggml.scores"
                                           << "key 'tokenizer.ggml.tokens': element 31999: string length 3 runs past the end of the file (2 bytes remain";
        QTest::newRow("in the scores") << 21 + 4 + 12 + 400 << "tokenizer.ggml.scores"
                                       << "key 'tokenizer.ggml.scores': array of 32000 FLOAT32 elements (4 bytes each) runs past the end of the file (400 bytes remain";
        QTest::newRow("in the last value type") << -3 << "" << "key 'tokenizer.ggml.add_eos_token': truncated: the value type needs 4 bytes";
        QTest::newRow("in the last value") << -1 << "" << "key 'tokenizer.ggml.add_eos_token': truncated: the BOOL value needs 1 byte";
    }
    void cutRealFile() {
        QFETCH(int, keep);
        QFETCH(QString, after);
        QFETCH(QString, message);
        REQUIRE_SHARED(real, "tokenizers/gguf-vocab/ggml-vocab-llama-spm.gguf");
        const QByteArray bytes = readBytes(real);
        QCOMPARE(bytes.size(), qsizetype(723869));
        qsizetype size;
        if (after.isEmpty()) {
            size = keep >= 0 ? keep : bytes.size() + keep;
        } else {
            const qsizetype at = keyAt(bytes, after.toUtf8().constData());
            QVERIFY(at > 0);
            size = at + keep;
        }
        const QString path = file("cut.gguf");
        writeBytes(path, bytes.left(size));
        expectOpenError(path, message);
    }

    // Copies of a real file with one field altered.
    void alteredRealFile_data() {
        QTest::addColumn<QString>("at");  // the key whose start the offset counts from ("" = the file's start)
        QTest::addColumn<int>("offset");
        QTest::addColumn<QByteArray>("replacement");  // overwrites bytes there
        QTest::addColumn<QString>("message");
        QTest::newRow("magic") << "" << 0 << QByteArray("GGUG") << "not a GGUF file: it starts with 'GGUG', not 'GGUF'";
        QTest::newRow("version") << "" << 4 << u32(1) << "unsupported GGUF version 1";
        QTest::newRow("tensor count") << "" << 8 << u64(1) << "tensor count 1 cannot fit in the 0 bytes after the metadata";
        QTest::newRow("metadata count") << "" << 16 << u64(23) << "key #22: truncated: the key length needs 8 bytes at offset 723869, 0 remain";
        QTest::newRow("key byte") << "general.name" << 11 << QByteArray("\xff") << "key #1 is not valid UTF-8: 'general.nam\\xff'";
        QTest::newRow("key length 0") << "general.name" << -8 << u64(0) << "key #1 is empty";
        QTest::newRow("value type 13") << "general.name" << 12 << u32(13) << "key 'general.name': unknown value type 13";
        QTest::newRow("bos renamed to eos") << "tokenizer.ggml.bos_token_id" << 15 << QByteArray("eos")
                                            << "duplicate key 'tokenizer.ggml.eos_token_id' (pairs #17 and #18)";
        QTest::newRow("bool 2") << "tokenizer.ggml.add_bos_token" << 28 + 4 << u8(2)
                                << "key 'tokenizer.ggml.add_bos_token': BOOL value is 2, must be 0 or 1";
        QTest::newRow("absurd token count") << "tokenizer.ggml.tokens" << 21 + 4 + 4 << u64(kHuge)
                                            << "key 'tokenizer.ggml.tokens': array of 1152921504606846976 strings runs past the end";
        QTest::newRow("token length past end") << "tokenizer.ggml.tokens" << 21 + 4 + 12 << u64(1000000)
                                               << "key 'tokenizer.ggml.tokens': element 0: string length 1000000 runs past the end";
        QTest::newRow("scores of arrays") << "tokenizer.ggml.scores" << 21 + 4 << u32(9)
                                          << "key 'tokenizer.ggml.scores': nested arrays (arrays of arrays) are not supported";
        QTest::newRow("scores of unknown type") << "tokenizer.ggml.scores" << 21 + 4 << u32(100)
                                                << "key 'tokenizer.ggml.scores': unknown array element type 100";
    }
    void alteredRealFile() {
        QFETCH(QString, at);
        QFETCH(int, offset);
        QFETCH(QByteArray, replacement);
        QFETCH(QString, message);
        REQUIRE_SHARED(real, "tokenizers/gguf-vocab/ggml-vocab-llama-spm.gguf");
        QByteArray bytes = readBytes(real);
        qsizetype pos = offset;
        if (!at.isEmpty()) {
            const qsizetype k = keyAt(bytes, at.toUtf8().constData());
            QVERIFY(k > 0);
            pos += k;
        }
        bytes.replace(pos, replacement.size(), replacement);
        const QString path = file("altered.gguf");
        writeBytes(path, bytes);
        expectOpenError(path, message);
    }

    // Bytes after the metadata are tensor infos and data, which are not read: a real file with
    // bytes appended still reads (its tensor count is 0, so they are padding).
    void bytesAfterTheMetadataAreNotRead() {
        REQUIRE_SHARED(real, "tokenizers/gguf-vocab/ggml-vocab-gpt-2.gguf");
        const QString path = file("padded.gguf");
        writeBytes(path, readBytes(real) + QByteArray(64, '\0'));
        const GgufFile f(path.toStdString());
        QCOMPARE(f.strings("tokenizer.ggml.tokens").size(), size_t(50257));
    }

    // A count that fits in a large file but would copy hundreds of MB as "metadata" (a corrupt
    // count in a many-GB model) is refused before anything is read or allocated. The file is
    // sparse: it takes no disk space.
    void implausiblyLargeMetadata() {
        const QString path = file("sparse.gguf");
        const QByteArray start = header(1) + key("a", GgufType::Array) + arrayOf(GgufType::U8, 300ull << 20);
        writeBytes(path, start);
        QFile f(path);
        QVERIFY(f.resize(400ll << 20));
        expectOpenError(path, "key 'a': the metadata would take more than 256 MiB; refused as implausible");

        writeBytes(path, header(1) + key("s", GgufType::String) + u64(300ull << 20));
        QVERIFY(f.resize(400ll << 20));
        expectOpenError(path, "key 's': the metadata would take more than 256 MiB; refused as implausible");
    }

    void notAGgufFile() {
        expectOpenError(file("does-not-exist.gguf"), "cannot open");
        expectOpenError(dir_.path(), "not a regular file");
    }

    // Tensor infos and data: each tensor where its info says, aligned, read back as floats.
    void tensorsAreReadAndDequantised() {
        std::mt19937 rng(7);
        std::normal_distribution<float> normal(0.f, 0.3f);
        std::vector<float> v(64 * 3);
        for (auto& x : v) x = normal(rng);
        test::GgufWriter w;
        w.add("general.architecture", std::string("llama"));
        w.f32("a", {64, 3}, v);
        w.tensor("h", {64, 3}, 1, test::GgufWriter::encodeF16(v));
        QByteArray bf16;
        std::vector<float> truncated;
        for (float x : v) {
            uint32_t bits;
            std::memcpy(&bits, &x, 4);
            bf16.append(static_cast<char>((bits >> 16) & 0xff)).append(static_cast<char>(bits >> 24));
            bits &= 0xffff0000u;
            float t;
            std::memcpy(&t, &bits, 4);
            truncated.push_back(t);
        }
        w.tensor("b", {64, 3}, 30, bf16);
        w.tensor("q", {64, 3}, 8, test::GgufWriter::encodeQ8_0(v));
        // F16 values whose floats are known exactly: 1, -2, 0.5, the largest, the smallest subnormal.
        const QByteArray specials("\x00\x3c\x00\xc0\x00\x38\xff\x7b\x01\x00\x00\x00\x00\x80\x00\x7c"
                                  "\xff\x03\x01\x80\x00\x7e\x00\x00", 24);
        w.tensor("special", {12}, 1, specials);
        const QString path = file("tensors.gguf");
        QVERIFY(w.save(path));
        const GgufFile f(path.toStdString());
        QCOMPARE(f.tensors().size(), size_t(5));
        const auto sp = f.readFloats(*f.findTensor("special"));
        QVERIFY(!std::signbit(sp[5]) && std::signbit(sp[6]));                   // +0, -0
        QCOMPARE(sp[8], 1023 * std::ldexp(1.f, -24));                           // the largest subnormal
        QCOMPARE(sp[9], -std::ldexp(1.f, -24));
        QVERIFY(std::isnan(sp[10]));
        const GgufTensor* a = f.findTensor("a");
        QVERIFY(a && !f.findTensor("missing"));
        QCOMPARE(a->dims, (std::vector<uint64_t>{64, 3}));
        QCOMPARE(a->offset % 32, uint64_t(0));
        QCOMPARE(f.readFloats(*a), v);
        QCOMPARE(f.readFloats(*f.findTensor("b")), truncated);
        const auto h = f.readFloats(*f.findTensor("h"));
        for (size_t i = 0; i < v.size(); ++i) QVERIFY2(std::fabs(h[i] - v[i]) <= std::ldexp(std::fabs(v[i]), -11), qPrintable(QString::number(i)));
        QCOMPARE(std::vector<float>(sp.begin(), sp.begin() + 8),
                 (std::vector<float>{1.f, -2.f, 0.5f, 65504.f, std::ldexp(1.f, -24), 0.f, -0.f, std::numeric_limits<float>::infinity()}));
        // Q8_0: within half a step of each block's scale (the step's half-precision rounding aside).
        const auto q = f.readFloats(*f.findTensor("q"));
        for (size_t b = 0; b < v.size(); b += 32) {
            float amax = 0;
            for (size_t i = 0; i < 32; ++i) amax = std::max(amax, std::fabs(v[b + i]));
            for (size_t i = 0; i < 32; ++i) QVERIFY(std::fabs(q[b + i] - v[b + i]) <= 0.5f * amax / 127.f * 1.01f + amax * 1e-3f);
        }
    }

    // Q4_K and Q6_K super-blocks of chosen bytes against the values ggml's block layout gives
    // them, computed here element by element (where each value's bits and scale lie) rather
    // than block by block as the reader does.
    void kQuantsFollowGgmlsBlockLayout() {
        std::mt19937 rng(3);
        auto bytes = [&](int n) {
            QByteArray b;
            for (int i = 0; i < n; ++i) b.append(static_cast<char>(rng() & 0xff));
            return b;
        };
        const float d = 0.25f, dmin = 0.125f;  // exact in half precision: 0x3400, 0x3000
        // Two super-blocks each, the second from the stride after the first.
        QByteArray q4 = QByteArray("\x00\x34\x00\x30", 4) + bytes(12) + bytes(128);
        q4 += QByteArray("\x00\x34\x00\x30", 4) + bytes(12) + bytes(128);
        QByteArray q6 = bytes(128) + bytes(64) + bytes(16) + QByteArray("\x00\x34", 2);
        q6 += bytes(128) + bytes(64) + bytes(16) + QByteArray("\x00\x34", 2);
        test::GgufWriter w;
        w.tensor("q4", {512}, 12, q4);
        w.tensor("q6", {512}, 14, q6);
        const QString path = file("kquants.gguf");
        QVERIFY(w.save(path));
        const GgufFile f(path.toStdString());
        const auto got4 = f.readFloats(*f.findTensor("q4"));
        const auto got6 = f.readFloats(*f.findTensor("q6"));
        for (int e = 0; e < 512; ++e) {
            const auto* s = reinterpret_cast<const unsigned char*>(q4.constData()) + 144 * (e / 256) + 4;
            const auto* qs = s + 12;
            const int sub = (e % 256) / 32;  // eight sub-blocks of 32, each with a 6-bit scale and min
            const int scale = sub < 4 ? s[sub] & 63 : (s[sub + 4] & 15) | ((s[sub - 4] >> 6) << 4);
            const int min = sub < 4 ? s[sub + 4] & 63 : (s[sub + 4] >> 4) | ((s[sub] >> 6) << 4);
            const unsigned char byte = qs[32 * ((e % 256) / 64) + e % 32];  // pairs of sub-blocks share 32 bytes
            const int nibble = sub % 2 == 0 ? byte & 15 : byte >> 4;
            QCOMPARE(got4[static_cast<size_t>(e)], d * scale * nibble - dmin * min);
        }
        for (int e = 0; e < 512; ++e) {
            const auto* ql = reinterpret_cast<const unsigned char*>(q6.constData()) + 210 * (e / 256);
            const auto* qh = ql + 128;
            const auto* sc = reinterpret_cast<const int8_t*>(ql + 192);
            const int half = (e % 256) / 128, r = e % 128, group = r / 32, l = r % 32;  // four groups of 32 per half
            const int low = (ql[64 * half + l + 32 * (group % 2)] >> (group >= 2 ? 4 : 0)) & 15;
            const int high = (qh[32 * half + l] >> (2 * group)) & 3;
            const int scale = sc[8 * half + l / 16 + 2 * group];
            QCOMPARE(got6[static_cast<size_t>(e)], d * scale * ((low | (high << 4)) - 32));
        }
    }

    void badTensorInfosAreRefused() {
        const QString path = file("bad-tensors.gguf");
        {
            test::GgufWriter w;
            w.tensor("future", {256}, 99, QByteArray(66, '\0'));
            QVERIFY(w.save(path));
            expectOpenError(path, "tensor 'future' has ggml type 99, whose layout this version does not know");
        }
        {  // known by size: the file opens (its tokenizer, say, is usable); the tensor is refused by name
            test::GgufWriter w;
            w.tensor("iq", {256}, 23, QByteArray(136, '\0'));
            QVERIFY(w.save(path));
            const GgufFile f(path.toStdString());
            test::expectError([&] { f.readFloats(f.tensors()[0]); }, "tensor 'iq' is IQ4_XS, which this version does not read");
        }
        {  // two infos on the same bytes: the second's offset patched to the first's
            test::GgufWriter twin;
            twin.f32("one", {8}, std::vector<float>(8, 1.f));
            twin.f32("two", {8}, std::vector<float>(8, 2.f));
            QVERIFY(twin.save(path));
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadWrite));
            QByteArray bytes = f.readAll();
            const int at = bytes.indexOf(QByteArray("two")) + 3 + 4 + 8 + 4;  // name, n_dims, dim, type: then the offset
            for (int i = 0; i < 8; ++i) bytes[at + i] = 0;
            f.seek(0);
            f.write(bytes);
            f.close();
            expectOpenError(path, "tensors 'one' and 'two' overlap in the file");
        }
        {
            test::GgufWriter w;
            w.tensor("q5", {256}, 13, QByteArray(176, '\0'));
            QVERIFY(w.save(path));
            const GgufFile f(path.toStdString());
            test::expectError([&] { f.readFloats(f.tensors()[0]); }, "tensor 'q5' is Q5_K, which this version does not read");
        }
        {
            test::GgufWriter w;
            w.tensor("odd", {33}, 8, QByteArray(34, '\0'));
            QVERIFY(w.save(path));
            expectOpenError(path, "tensor 'odd': rows of 33 values do not divide into Q8_0 blocks of 32");
        }
        {
            test::GgufWriter w;
            w.f32("same", {4}, {1, 2, 3, 4});
            w.f32("same", {4}, {1, 2, 3, 4});
            QVERIFY(w.save(path));
            expectOpenError(path, "tensor 'same' appears twice");
        }
        {
            test::GgufWriter w;
            w.f32("cut", {64}, std::vector<float>(64, 1.f));
            QVERIFY(w.save(path));
            QFile f(path);
            QVERIFY(f.resize(f.size() - 4));
            expectOpenError(path, "tensor 'cut' (256 bytes at data offset 0) runs past the end of the file");
        }
    }
};

QTEST_GUILESS_MAIN(TestGguf)
#include "tst_gguf.moc"
