// The safetensors reader: values of every float dtype, and a specific error (never a crash)
// for each kind of corruption.
#include "core/error.h"
#include "core/safetensors.h"

#include <QTemporaryDir>
#include <QTest>

#include <cstring>
#include <fstream>

using namespace expertscope;

namespace {

std::vector<unsigned char> bytesOf(const void* p, size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    return {b, b + n};
}

// A file with exactly this header text and data section.
void writeRaw(const std::string& path, const std::string& header, size_t dataBytes, uint64_t declaredLength = UINT64_MAX) {
    std::ofstream out(path, std::ios::binary);
    const uint64_t len = declaredLength == UINT64_MAX ? header.size() : declaredLength;
    for (int i = 0; i < 8; ++i) out.put(static_cast<char>(len >> (8 * i)));
    out << header;
    out << std::string(dataBytes, '\0');
}

}  // namespace

class TestSafetensors : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string file(const char* name) { return dir_.filePath(name).toStdString(); }

    void expectError(const std::string& path, const char* fragment) {
        try {
            SafetensorsFile f(path);
            QFAIL(qPrintable(QString("no error for %1, expected '%2'").arg(QString::fromStdString(path), fragment)));
        } catch (const Error& e) {
            const std::string msg = e.what();
            QVERIFY2(msg.find(fragment) != std::string::npos, msg.c_str());
            QVERIFY2(msg.find(path) != std::string::npos, ("error does not name the file: " + msg).c_str());
        }
    }

private slots:
    void roundTripsEveryFloatType() {
        const float f32[3] = {1.5f, -2.25f, 3e-3f};
        const uint16_t f16[4] = {0x3c00, 0xc000, 0x0001, 0x7bff};  // 1, -2, smallest subnormal, 65504
        const uint16_t bf16[2] = {0x3f80, 0xc0a0};                 // 1, -5
        const double f64[1] = {0.125};
        const std::string path = file("ok.safetensors");
        writeSafetensors(path,
                         {{"a", DType::F32, {3}, bytesOf(f32, sizeof f32)},
                          {"h", DType::F16, {2, 2}, bytesOf(f16, sizeof f16)},
                          {"b", DType::BF16, {2}, bytesOf(bf16, sizeof bf16)},
                          {"d", DType::F64, {1}, bytesOf(f64, sizeof f64)}},
                         {{"note", "hello"}});
        SafetensorsFile f(path);
        QCOMPARE(f.names().size(), size_t(4));
        QCOMPARE(f.metadata().at("note"), std::string("hello"));
        QCOMPARE(f.tensor("a").toFloat32(), std::vector<float>(f32, f32 + 3));
        QCOMPARE(f.tensor("h").shape, (std::vector<int64_t>{2, 2}));
        QCOMPARE(f.tensor("h").toFloat32(), (std::vector<float>{1.f, -2.f, 5.960464477539063e-08f, 65504.f}));
        QCOMPARE(f.tensor("b").toFloat32(), (std::vector<float>{1.f, -5.f}));
        QCOMPARE(f.tensor("d").toFloat32(), (std::vector<float>{0.125f}));
    }

    void truncatedFile() {
        const std::string p = file("short.safetensors");
        std::ofstream(p, std::ios::binary) << "abc";
        expectError(p, "too short");
    }
    void headerLengthPastEnd() {
        const std::string p = file("len.safetensors");
        writeRaw(p, "{}", 0, 4096);
        expectError(p, "runs past the end");
    }
    void invalidJson() {
        const std::string p = file("json.safetensors");
        writeRaw(p, "{\"a\": {\"dtype\": \"F32\",", 0);
        expectError(p, "not valid JSON");
    }
    void unknownDtype() {
        const std::string p = file("dtype.safetensors");
        writeRaw(p, R"({"w": {"dtype": "Q4", "shape": [2], "data_offsets": [0, 2]}})", 2);
        expectError(p, "tensor 'w': unknown dtype 'Q4'");
    }
    void rangeOutsideFile() {
        const std::string p = file("range.safetensors");
        writeRaw(p, R"({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}})", 8);
        expectError(p, "tensor 'w': data range [0, 16) lies outside");
    }
    void shapeMismatch() {
        const std::string p = file("shape.safetensors");
        writeRaw(p, R"({"w": {"dtype": "F32", "shape": [3, 2], "data_offsets": [0, 16]}})", 16);
        expectError(p, "tensor 'w': shape and dtype need 24 bytes but data_offsets give 16");
    }
    void negativeDimension() {
        const std::string p = file("neg.safetensors");
        writeRaw(p, R"({"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}})", 4);
        expectError(p, "tensor 'w': shape has a non-integer or negative dimension");
    }
    void overlappingTensors() {
        const std::string p = file("overlap.safetensors");
        writeRaw(p, R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                        "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})", 12);
        expectError(p, "tensors 'a' and 'b' overlap");
    }
    void missingTensor() {
        const float v = 1.f;
        const std::string p = file("one.safetensors");
        writeSafetensors(p, {{"a", DType::F32, {1}, bytesOf(&v, 4)}});
        SafetensorsFile f(p);
        try {
            f.tensor("nope");
            QFAIL("missing tensor not reported");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).find("missing tensor 'nope'") != std::string::npos);
        }
    }
    void notAFile() { expectError(file("does-not-exist.safetensors"), "cannot open"); }
};

QTEST_GUILESS_MAIN(TestSafetensors)
#include "tst_safetensors.moc"
