// The safetensors reader: values of every float dtype, and a specific error (never a crash)
// for each kind of corruption.
#include "core/base/error.h"
#include "core/base/safetensors.h"

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
    void corruptHeader_data() {
        QTest::addColumn<QString>("header");
        QTest::addColumn<int>("dataBytes");
        QTest::addColumn<qint64>("declaredLength");  // -1: the header's real length
        QTest::addColumn<QString>("message");
        QTest::newRow("header length past end") << "{}" << 0 << qint64(4096) << "runs past the end";
        QTest::newRow("invalid json") << R"({"a": {"dtype": "F32",)" << 0 << qint64(-1) << "not valid JSON";
        QTest::newRow("unknown dtype") << R"({"w": {"dtype": "Q4", "shape": [2], "data_offsets": [0, 2]}})" << 2
                                       << qint64(-1) << "tensor 'w': unknown dtype 'Q4'";
        QTest::newRow("range outside file") << R"({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}})" << 8
                                            << qint64(-1) << "tensor 'w': data range [0, 16) lies outside";
        QTest::newRow("shape mismatch") << R"({"w": {"dtype": "F32", "shape": [3, 2], "data_offsets": [0, 16]}})" << 16
                                        << qint64(-1) << "tensor 'w': shape and dtype need 24 bytes but data_offsets give 16";
        QTest::newRow("negative dimension") << R"({"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}})" << 4
                                            << qint64(-1) << "tensor 'w': shape has a non-integer or negative dimension";
        QTest::newRow("overlap") << R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                       "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})"
                                 << 12 << qint64(-1) << "tensors 'a' and 'b' overlap";
    }
    void corruptHeader() {
        QFETCH(QString, header);
        QFETCH(int, dataBytes);
        QFETCH(qint64, declaredLength);
        QFETCH(QString, message);
        const std::string p = file("corrupt.safetensors");
        writeRaw(p, header.toStdString(), static_cast<size_t>(dataBytes),
                 declaredLength < 0 ? UINT64_MAX : static_cast<uint64_t>(declaredLength));
        expectError(p, message.toStdString().c_str());
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
