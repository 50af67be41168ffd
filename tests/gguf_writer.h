#pragma once
// Writing GGUF files for tests: metadata, tensor infos and aligned data, as llama.cpp lays
// them out (version 3, little-endian, data aligned to general.alignment or 32), with F32,
// F16 and Q8_0 encoders (Q8_0 as ggml's reference quantiser does it: d = max|x| / 127,
// q = round(x / d)) and raw bytes for any other type.
#include <QByteArray>
#include <QFile>
#include <QString>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace expertscope::test {

class GgufWriter {
public:
    void add(const std::string& key, const std::string& value) {
        pair(key, 8);
        str(meta_, value);
        ++pairs_;
    }
    void add(const std::string& key, uint32_t value) {
        pair(key, 4);
        u32(meta_, value);
        ++pairs_;
    }
    void add(const std::string& key, float value) {
        pair(key, 6);
        uint32_t bits;
        std::memcpy(&bits, &value, 4);
        u32(meta_, bits);
        ++pairs_;
    }
    void add(const std::string& key, bool value) {
        pair(key, 7);
        meta_.append(static_cast<char>(value ? 1 : 0));
        ++pairs_;
    }
    void addStrings(const std::string& key, const std::vector<std::string>& values) {
        pair(key, 9);
        u32(meta_, 8);
        u64(meta_, values.size());
        for (const auto& v : values) str(meta_, v);
        ++pairs_;
    }
    void addFloats(const std::string& key, const std::vector<float>& values) {
        pair(key, 9);
        u32(meta_, 6);
        u64(meta_, values.size());
        for (float v : values) {
            uint32_t bits;
            std::memcpy(&bits, &v, 4);
            u32(meta_, bits);
        }
        ++pairs_;
    }
    void addInts(const std::string& key, const std::vector<int32_t>& values) {
        pair(key, 9);
        u32(meta_, 5);
        u64(meta_, values.size());
        for (int32_t v : values) u32(meta_, static_cast<uint32_t>(v));
        ++pairs_;
    }

    // dims in ggml's order (dims[0] the row length); data already encoded for `type`.
    void tensor(const std::string& name, const std::vector<uint64_t>& dims, uint32_t type, const QByteArray& data) {
        while (data_.size() % 32 != 0) data_.append('\0');
        str(infos_, name);
        u32(infos_, static_cast<uint32_t>(dims.size()));
        for (uint64_t d : dims) u64(infos_, d);
        u32(infos_, type);
        u64(infos_, static_cast<uint64_t>(data_.size()));
        data_ += data;
        ++tensors_;
    }
    void f32(const std::string& name, const std::vector<uint64_t>& dims, const std::vector<float>& v) {
        tensor(name, dims, 0, QByteArray(reinterpret_cast<const char*>(v.data()), static_cast<int>(v.size() * 4)));
    }

    static uint16_t toHalf(float f) {  // round to nearest even; finite normal range is enough here
        uint32_t x;
        std::memcpy(&x, &f, 4);
        const uint32_t sign = (x >> 16) & 0x8000u;
        const int exponent = static_cast<int>((x >> 23) & 0xff) - 127 + 15;
        uint32_t mantissa = x & 0x7fffffu;
        if (exponent <= 0) return static_cast<uint16_t>(sign);  // tiny: zero
        if (exponent >= 31) return static_cast<uint16_t>(sign | 0x7c00u);
        uint32_t h = sign | (static_cast<uint32_t>(exponent) << 10) | (mantissa >> 13);
        const uint32_t rest = mantissa & 0x1fffu;
        if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;
        return static_cast<uint16_t>(h);
    }
    static QByteArray encodeF16(const std::vector<float>& v) {
        QByteArray out;
        for (float x : v) {
            const uint16_t h = toHalf(x);
            out.append(static_cast<char>(h & 0xff)).append(static_cast<char>(h >> 8));
        }
        return out;
    }
    static QByteArray encodeQ8_0(const std::vector<float>& v) {
        QByteArray out;
        for (size_t b = 0; b < v.size(); b += 32) {
            float amax = 0;
            for (size_t i = 0; i < 32; ++i) amax = std::max(amax, std::fabs(v[b + i]));
            const float d = amax / 127.f, id = d ? 1.f / d : 0.f;
            const uint16_t h = toHalf(d);
            out.append(static_cast<char>(h & 0xff)).append(static_cast<char>(h >> 8));
            for (size_t i = 0; i < 32; ++i) out.append(static_cast<char>(static_cast<int8_t>(std::lround(v[b + i] * id))));
        }
        return out;
    }

    bool save(const QString& path) const {
        QByteArray out = "GGUF";
        u32(out, 3);
        u64(out, tensors_);
        u64(out, pairs_);
        out += meta_ + infos_;
        while (out.size() % 32 != 0) out.append('\0');
        out += data_;
        QFile f(path);
        return f.open(QIODevice::WriteOnly) && f.write(out) == out.size();
    }

private:
    static void u32(QByteArray& b, uint32_t v) {
        for (int i = 0; i < 4; ++i) b.append(static_cast<char>((v >> (8 * i)) & 0xff));
    }
    static void u64(QByteArray& b, uint64_t v) {
        for (int i = 0; i < 8; ++i) b.append(static_cast<char>((v >> (8 * i)) & 0xff));
    }
    static void str(QByteArray& b, const std::string& s) {
        u64(b, s.size());
        b.append(s.data(), static_cast<int>(s.size()));
    }
    void pair(const std::string& key, uint32_t type) {
        str(meta_, key);
        u32(meta_, type);
    }
    QByteArray meta_, infos_, data_;
    uint64_t pairs_ = 0, tensors_ = 0;
};

}  // namespace expertscope::test
