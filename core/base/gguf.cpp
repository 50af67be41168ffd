#include "core/base/gguf.h"

#include "core/base/error.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <sys/stat.h>
#include <unistd.h>

namespace expertscope {
namespace {

constexpr uint32_t kLastType = static_cast<uint32_t>(GgufType::F64);
constexpr uint64_t kMaxKeyBytes = 65535;  // the format's limit
// Stored metadata above this is not plausible: a 256k-token vocabulary with its merges is
// tens of MB. Refusing more keeps a corrupt count in a many-GB model file from making us copy
// gigabytes of tensor data as "metadata".
constexpr uint64_t kMaxMetadataBytes = 256ull << 20;
// The least a key-value pair can take: key length, a 1-byte key, value type, a 1-byte value.
constexpr uint64_t kMinPairBytes = 8 + 1 + 4 + 1;
// The least a tensor info can take: name length, dimension count, type, offset.
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 4 + 8;
constexpr size_t kBufferBytes = 1 << 20;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    throw Error(path + ": " + what);
}

std::string num(uint64_t v) { return std::to_string(v); }

// Bytes of the fixed-size types; 0 for STRING and ARRAY.
size_t scalarSize(GgufType t) {
    switch (t) {
    case GgufType::U8: case GgufType::I8: case GgufType::Bool: return 1;
    case GgufType::U16: case GgufType::I16: return 2;
    case GgufType::U32: case GgufType::I32: case GgufType::F32: return 4;
    case GgufType::U64: case GgufType::I64: case GgufType::F64: return 8;
    case GgufType::String: case GgufType::Array: return 0;
    }
    return 0;
}

bool isInteger(GgufType t) {
    switch (t) {
    case GgufType::U8: case GgufType::I8: case GgufType::U16: case GgufType::I16:
    case GgufType::U32: case GgufType::I32: case GgufType::U64: case GgufType::I64: return true;
    default: return false;
    }
}

uint64_t loadLE(const unsigned char* p, size_t n) {
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;) v = (v << 8) | p[i];
    return v;
}

// The value of an integer type's zero-extended bits, sign-extended where the type is signed.
int64_t signedValue(uint64_t bits, GgufType t) {
    switch (t) {
    case GgufType::I8: return static_cast<int8_t>(static_cast<uint8_t>(bits));
    case GgufType::I16: return static_cast<int16_t>(static_cast<uint16_t>(bits));
    case GgufType::I32: return static_cast<int32_t>(static_cast<uint32_t>(bits));
    case GgufType::I64: return static_cast<int64_t>(bits);
    default: return static_cast<int64_t>(bits);  // unsigned, range checked by the caller
    }
}

float floatOf(uint64_t bits) {
    const auto b = static_cast<uint32_t>(bits);
    float f;
    std::memcpy(&f, &b, 4);
    return f;
}

double doubleOf(uint64_t bits) {
    double d;
    std::memcpy(&d, &bits, 8);
    return d;
}

bool validUtf8(const std::string& s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const size_t n = s.size();
    for (size_t i = 0; i < n;) {
        const unsigned char c = p[i];
        size_t len;
        uint32_t cp;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            len = 2;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (n - i < len) return false;
        for (size_t k = 1; k < len; ++k) {
            if ((p[i + k] & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < kMinForLength[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += len;
    }
    return true;
}

// For messages: control bytes (and, with `high`, every byte above 0x7f) as \xNN.
std::string escaped(const std::string& s, bool high) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
        if (c < 0x20 || c == 0x7f || (high && c >= 0x80)) {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

std::string quotedKey(const std::string& key) { return "key '" + escaped(key, false) + "'"; }

// Sequential, buffered reads of a file whose size is known up front, so each length read
// from it can be checked against what remains before anything is allocated or read.
class Reader {
public:
    explicit Reader(const std::string& path) : path_(path) {
        fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0) fail(path, std::string("cannot open: ") + std::strerror(errno));
        struct stat st {};
        if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
            ::close(fd_);
            fail(path, "not a regular file");
        }
        size_ = static_cast<uint64_t>(st.st_size);
    }
    ~Reader() { ::close(fd_); }
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;

    uint64_t size() const { return size_; }
    uint64_t offset() const { return pos_; }
    uint64_t remaining() const { return size_ - pos_; }

    // Fails with "<what> needs N bytes at offset O, R remain" unless n bytes remain.
    void need(uint64_t n, const std::string& what) const {
        if (n > remaining())
            fail(path_, what + " needs " + num(n) + (n == 1 ? " byte" : " bytes") + " at offset " + num(pos_) + ", " +
                            num(remaining()) + (remaining() == 1 ? " remains" : " remain"));
    }

    // Reads n bytes, which the caller has checked remain.
    void read(void* dst, size_t n) {
        auto* out = static_cast<unsigned char*>(dst);
        while (n > 0) {
            if (head_ == tail_) {
                if (n >= kBufferBytes) {  // large: straight into the destination
                    const size_t got = readSome(out, n);
                    out += got;
                    n -= got;
                    pos_ += got;
                    continue;
                }
                if (buffer_.empty()) buffer_.resize(kBufferBytes);
                tail_ = readSome(buffer_.data(), buffer_.size());
                head_ = 0;
            }
            const size_t take = std::min(n, tail_ - head_);
            std::memcpy(out, buffer_.data() + head_, take);
            head_ += take;
            out += take;
            n -= take;
            pos_ += take;
        }
    }

    uint64_t uint(size_t bytes) {
        unsigned char b[8];
        read(b, bytes);
        return loadLE(b, bytes);
    }

private:
    size_t readSome(unsigned char* dst, size_t n) {
        for (;;) {
            const ssize_t got = ::read(fd_, dst, n);
            if (got > 0) return static_cast<size_t>(got);
            if (got == 0)
                fail(path_, "unexpected end of file after offset " + num(pos_) + " (the file shrank while it was read)");
            if (errno != EINTR) fail(path_, "read error after offset " + num(pos_) + ": " + std::strerror(errno));
        }
    }

    std::string path_;
    int fd_ = -1;
    uint64_t size_ = 0;
    uint64_t pos_ = 0;  // of the next byte handed out
    std::vector<unsigned char> buffer_;
    size_t head_ = 0, tail_ = 0;
};

}  // namespace

namespace {

// ggml's tensor types: values per block, bytes per block, and how to read them as floats
// (the block formats of llama.cpp's ggml-common.h: scales in IEEE half precision).
float halfToFloat(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu, bits;
    if (exponent == 0x1f) {
        bits = sign | 0x7f800000u | (mantissa << 13);  // inf, NaN
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        bits = sign;
    } else {  // subnormal: normalise
        exponent = 113;
        while ((mantissa & 0x400u) == 0) {
            mantissa <<= 1;
            --exponent;
        }
        bits = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

float halfAt(const unsigned char* p) { return halfToFloat(static_cast<uint16_t>(p[0] | (p[1] << 8))); }

void readF32(const unsigned char* in, float* out, int64_t n) { std::memcpy(out, in, static_cast<size_t>(n) * 4); }
void readF16(const unsigned char* in, float* out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) out[i] = halfAt(in + 2 * i);
}
void readBF16(const unsigned char* in, float* out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
        const uint32_t bits = static_cast<uint32_t>(in[2 * i] | (in[2 * i + 1] << 8)) << 16;
        std::memcpy(out + i, &bits, 4);
    }
}
// Q8_0: blocks of 32 values: a half scale d, then 32 int8 q; value = d * q.
void readQ8_0(const unsigned char* in, float* out, int64_t n) {
    for (int64_t b = 0; b < n / 32; ++b, in += 34) {
        const float d = halfAt(in);
        for (int i = 0; i < 32; ++i) *out++ = d * static_cast<float>(static_cast<int8_t>(in[2 + i]));
    }
}
// Q4_K: super-blocks of 256 values: half d and dmin, 12 bytes of eight 6-bit (scale, min)
// pairs, 128 bytes of 4-bit q; sub-block j of 32: value = d * scale_j * q - dmin * min_j.
void readQ4_K(const unsigned char* in, float* out, int64_t n) {
    for (int64_t b = 0; b < n / 256; ++b, in += 144) {
        const float d = halfAt(in), dmin = halfAt(in + 2);
        const unsigned char* scales = in + 4;
        const unsigned char* q = in + 16;
        auto scaleMin = [&](int j, int& sc, int& m) {
            if (j < 4) {
                sc = scales[j] & 63;
                m = scales[j + 4] & 63;
            } else {
                sc = (scales[j + 4] & 0xf) | ((scales[j - 4] >> 6) << 4);
                m = (scales[j + 4] >> 4) | ((scales[j] >> 6) << 4);
            }
        };
        for (int j = 0; j < 8; j += 2, q += 32) {  // 64 values: low nibbles, then high
            int sc0, m0, sc1, m1;
            scaleMin(j, sc0, m0);
            scaleMin(j + 1, sc1, m1);
            for (int l = 0; l < 32; ++l) *out++ = d * sc0 * (q[l] & 0xf) - dmin * m0;
            for (int l = 0; l < 32; ++l) *out++ = d * sc1 * (q[l] >> 4) - dmin * m1;
        }
    }
}
// Q6_K: super-blocks of 256 values: 128 bytes of low 4 bits, 64 of high 2 bits, 16 int8
// scales, a half d; value = d * scale * (q - 32).
void readQ6_K(const unsigned char* in, float* out, int64_t n) {
    for (int64_t b = 0; b < n / 256; ++b, in += 210) {
        const unsigned char* ql = in;
        const unsigned char* qh = in + 128;
        const auto* sc = reinterpret_cast<const int8_t*>(in + 192);
        const float d = halfAt(in + 208);
        for (int half = 0; half < 2; ++half, ql += 64, qh += 32, sc += 8, out += 128)
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                const int q1 = ((ql[l] & 0xf) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = ((ql[l + 32] & 0xf) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                out[l] = d * sc[is] * q1;
                out[l + 32] = d * sc[is + 2] * q2;
                out[l + 64] = d * sc[is + 4] * q3;
                out[l + 96] = d * sc[is + 6] * q4;
            }
    }
}

struct GgmlLayout {
    const char* name = nullptr;
    uint64_t blockElements = 0, blockBytes = 0;
    void (*dequantise)(const unsigned char*, float*, int64_t) = nullptr;
};

GgmlLayout ggmlLayout(uint32_t type) {
    switch (type) {
    case 0: return {"F32", 1, 4, readF32};
    case 1: return {"F16", 1, 2, readF16};
    case 2: return {"Q4_0", 32, 18, nullptr};
    case 3: return {"Q4_1", 32, 20, nullptr};
    case 6: return {"Q5_0", 32, 22, nullptr};
    case 7: return {"Q5_1", 32, 24, nullptr};
    case 8: return {"Q8_0", 32, 34, readQ8_0};
    case 9: return {"Q8_1", 32, 36, nullptr};
    case 10: return {"Q2_K", 256, 84, nullptr};
    case 11: return {"Q3_K", 256, 110, nullptr};
    case 12: return {"Q4_K", 256, 144, readQ4_K};
    case 13: return {"Q5_K", 256, 176, nullptr};
    case 14: return {"Q6_K", 256, 210, readQ6_K};
    case 15: return {"Q8_K", 256, 292, nullptr};
    // Known by size only (opened, named, not read): the IQ, TQ and MXFP4 families.
    case 16: return {"IQ2_XXS", 256, 66, nullptr};
    case 17: return {"IQ2_XS", 256, 74, nullptr};
    case 18: return {"IQ3_XXS", 256, 98, nullptr};
    case 19: return {"IQ1_S", 256, 50, nullptr};
    case 20: return {"IQ4_NL", 32, 18, nullptr};
    case 21: return {"IQ3_S", 256, 110, nullptr};
    case 22: return {"IQ2_S", 256, 82, nullptr};
    case 23: return {"IQ4_XS", 256, 136, nullptr};
    case 29: return {"IQ1_M", 256, 56, nullptr};
    case 34: return {"TQ1_0", 256, 54, nullptr};
    case 35: return {"TQ2_0", 256, 66, nullptr};
    case 39: return {"MXFP4", 32, 17, nullptr};
    case 24: return {"I8", 1, 1, nullptr};
    case 25: return {"I16", 1, 2, nullptr};
    case 26: return {"I32", 1, 4, nullptr};
    case 27: return {"I64", 1, 8, nullptr};
    case 28: return {"F64", 1, 8, nullptr};
    case 30: return {"BF16", 1, 2, readBF16};
    default: return {};
    }
}

}  // namespace

std::string ggmlTypeName(uint32_t type) {
    const auto l = ggmlLayout(type);
    return l.name ? l.name : "type " + std::to_string(type);
}

const char* ggufTypeName(GgufType type) {
    static const char* const kNames[] = {"UINT8", "INT8",  "UINT16", "INT16",  "UINT32", "INT32",  "FLOAT32",
                                         "BOOL",  "STRING", "ARRAY", "UINT64", "INT64", "FLOAT64"};
    const auto i = static_cast<uint32_t>(type);
    return i <= kLastType ? kNames[i] : "?";
}

GgufFile::GgufFile(const std::string& path) : path_(path) {
    Reader in(path);

    // Header.
    in.need(4, "truncated header: the magic");
    unsigned char magic[4];
    in.read(magic, 4);
    if (std::memcmp(magic, "GGUF", 4) != 0)
        fail(path, "not a GGUF file: it starts with '" +
                       escaped(std::string(reinterpret_cast<const char*>(magic), 4), true) + "', not 'GGUF'");
    in.need(4, "truncated header: the version");
    version_ = static_cast<uint32_t>(in.uint(4));
    if (version_ != 2 && version_ != 3) {
        const uint32_t swapped = ((version_ & 0xffu) << 24) | ((version_ & 0xff00u) << 8) |
                                 ((version_ >> 8) & 0xff00u) | (version_ >> 24);
        fail(path, "unsupported GGUF version " + num(version_) + " (versions 2 and 3 are read" +
                       (swapped == 2 || swapped == 3 ? "; this looks like a big-endian file, which is not)" : ")"));
    }
    in.need(8, "truncated header: the tensor count");
    tensorCount_ = in.uint(8);
    in.need(8, "truncated header: the metadata count");
    const uint64_t pairCount = in.uint(8);
    if (pairCount > in.remaining() / kMinPairBytes)
        fail(path, "metadata count " + num(pairCount) + " cannot fit in the " + num(in.remaining()) +
                       " bytes after the header (a key-value pair takes at least " + num(kMinPairBytes) + ")");

    uint64_t stored = 0;  // bytes kept so far, against kMaxMetadataBytes
    auto keep = [&](uint64_t bytes, const std::string& at) {
        if (bytes > kMaxMetadataBytes - stored)
            fail(path, at + ": the metadata would take more than " + num(kMaxMetadataBytes >> 20) +
                           " MiB; refused as implausible");
        stored += bytes;
    };
    // A string value into text_ (its length checked against the file first).
    auto readString = [&](const std::string& at) {
        in.need(8, at + ": truncated: the string length");
        const uint64_t len = in.uint(8);
        if (len > in.remaining())
            fail(path, at + ": string length " + num(len) + " runs past the end of the file (" +
                           num(in.remaining()) + " bytes remain at offset " + num(in.offset()) + ")");
        keep(len, at);
        const size_t start = text_.size();
        text_.resize(start + static_cast<size_t>(len));
        in.read(&text_[start], static_cast<size_t>(len));
    };

    entries_.reserve(static_cast<size_t>(std::min<uint64_t>(pairCount, 4096)));
    for (uint64_t i = 0; i < pairCount; ++i) {
        const std::string pair = "key #" + num(i);
        in.need(8, pair + ": truncated: the key length");
        const uint64_t keyLen = in.uint(8);
        if (keyLen == 0) fail(path, pair + " is empty");
        if (keyLen > kMaxKeyBytes)
            fail(path, pair + ": length " + num(keyLen) + " is over the " + num(kMaxKeyBytes) + " bytes a key may have");
        if (keyLen > in.remaining())
            fail(path, pair + ": length " + num(keyLen) + " runs past the end of the file (" + num(in.remaining()) +
                           " bytes remain at offset " + num(in.offset()) + ")");
        Entry e;
        e.key.resize(static_cast<size_t>(keyLen));
        in.read(&e.key[0], e.key.size());
        if (!validUtf8(e.key)) fail(path, pair + " is not valid UTF-8: '" + escaped(e.key, true) + "'");
        const auto seen = index_.find(e.key);
        if (seen != index_.end())
            fail(path, "duplicate " + quotedKey(e.key) + " (pairs #" + num(seen->second) + " and #" + num(i) + ")");
        const std::string at = quotedKey(e.key);

        in.need(4, at + ": truncated: the value type");
        const auto type = static_cast<uint32_t>(in.uint(4));
        if (type > kLastType) fail(path, at + ": unknown value type " + num(type));
        e.type = static_cast<GgufType>(type);

        if (e.type == GgufType::String) {
            e.offset = text_.size();
            readString(at);
            e.count = text_.size() - e.offset;
        } else if (e.type != GgufType::Array) {
            const size_t size = scalarSize(e.type);
            in.need(size, at + ": truncated: the " + ggufTypeName(e.type) + " value");
            e.bits = in.uint(size);
            if (e.type == GgufType::Bool && e.bits > 1)
                fail(path, at + ": BOOL value is " + num(e.bits) + ", must be 0 or 1");
        } else {
            in.need(12, at + ": truncated: the array header (element type, count)");
            const auto elementType = static_cast<uint32_t>(in.uint(4));
            const uint64_t count = in.uint(8);
            if (elementType > kLastType) fail(path, at + ": unknown array element type " + num(elementType));
            e.elementType = static_cast<GgufType>(elementType);
            if (e.elementType == GgufType::Array) fail(path, at + ": nested arrays (arrays of arrays) are not supported");
            e.count = count;
            if (e.elementType == GgufType::String) {
                if (count > in.remaining() / 8)
                    fail(path, at + ": array of " + num(count) + " strings runs past the end of the file (each takes at least 8 bytes, " +
                                   num(in.remaining()) + " bytes remain at offset " + num(in.offset()) + ")");
                keep((count + 1) * 8, at);  // the bounds in ends_
                e.offset = ends_.size();
                ends_.reserve(ends_.size() + static_cast<size_t>(count) + 1);
                ends_.push_back(text_.size());
                for (uint64_t j = 0; j < count; ++j) {
                    readString(at + ": element " + num(j));
                    ends_.push_back(text_.size());
                }
            } else {
                const size_t size = scalarSize(e.elementType);
                if (count > in.remaining() / size)
                    fail(path, at + ": array of " + num(count) + " " + ggufTypeName(e.elementType) + " elements (" +
                                   num(size) + (size == 1 ? " byte" : " bytes") + " each) runs past the end of the file (" +
                                   num(in.remaining()) + " bytes remain at offset " + num(in.offset()) + ")");
                const uint64_t bytes = count * size;
                keep(bytes, at);
                e.offset = raw_.size();
                raw_.resize(raw_.size() + static_cast<size_t>(bytes));
                in.read(raw_.data() + e.offset, static_cast<size_t>(bytes));
                if (e.elementType == GgufType::Bool)
                    for (uint64_t j = 0; j < count; ++j)
                        if (raw_[e.offset + j] > 1)
                            fail(path, at + ": element " + num(j) + ": BOOL value is " + num(raw_[e.offset + j]) +
                                           ", must be 0 or 1");
            }
        }
        index_.emplace(e.key, entries_.size());
        entries_.push_back(std::move(e));
    }

    text_.shrink_to_fit();  // grown by doubling while read
    raw_.shrink_to_fit();

    if (tensorCount_ > in.remaining() / kMinTensorInfoBytes)
        fail(path, "tensor count " + num(tensorCount_) + " cannot fit in the " + num(in.remaining()) +
                       " bytes after the metadata (a tensor info takes at least " + num(kMinTensorInfoBytes) + ")");

    // Tensor infos; their data starts at the next multiple of the alignment.
    uint64_t alignment = 32;
    if (contains("general.alignment")) {
        const int64_t a = integer("general.alignment");
        if (a < 1 || a > (1 << 20) || (a & (a - 1)) != 0)
            fail(path, "general.alignment is " + std::to_string(a) + ", not a power of two up to 1 MiB");
        alignment = static_cast<uint64_t>(a);
    }
    tensors_.reserve(static_cast<size_t>(std::min<uint64_t>(tensorCount_, 4096)));
    for (uint64_t t = 0; t < tensorCount_; ++t) {
        const std::string at = "tensor info " + num(t);
        GgufTensor x;
        in.need(8, at + ": truncated: the name length");
        const uint64_t len = in.uint(8);
        if (len == 0 || len > 65535) fail(path, at + ": name length " + num(len) + " (1 to 65535 bytes are read)");
        in.need(len, at + ": truncated: the name");
        x.name.resize(static_cast<size_t>(len));
        in.read(x.name.data(), static_cast<size_t>(len));
        const std::string named = "tensor '" + escaped(x.name, true) + "'";
        in.need(4, named + ": truncated: the dimension count");
        const uint64_t n = in.uint(4);
        if (n < 1 || n > 4) fail(path, named + " has " + num(n) + " dimensions (1 to 4 are read)");
        in.need(8 * n + 4 + 8, named + ": truncated: its dimensions, type and offset");
        uint64_t elements = 1;
        for (uint64_t d = 0; d < n; ++d) {
            const uint64_t v = in.uint(8);
            if (v == 0 || v > (uint64_t{1} << 40) || elements > (uint64_t{1} << 48) / v)
                fail(path, named + ": dimension " + num(d) + " is " + num(v) + "; refused as implausible");
            x.dims.push_back(v);
            elements *= v;
        }
        x.type = static_cast<uint32_t>(in.uint(4));
        const uint64_t relative = in.uint(8);
        const auto layout = ggmlLayout(x.type);
        if (layout.blockElements == 0)
            fail(path, named + " has ggml type " + num(x.type) + ", whose layout this version does not know");
        if (x.dims[0] % layout.blockElements != 0)
            fail(path, named + ": rows of " + num(x.dims[0]) + " values do not divide into " + ggmlTypeName(x.type) + " blocks of " +
                           num(layout.blockElements));
        x.bytes = elements / layout.blockElements * layout.blockBytes;
        if (relative % alignment != 0) fail(path, named + ": data offset " + num(relative) + " is not a multiple of " + num(alignment));
        x.offset = relative;
        if (!tensorIndex_.emplace(x.name, tensors_.size()).second) fail(path, named + " appears twice");
        tensors_.push_back(std::move(x));
    }
    const uint64_t dataStart = (in.offset() + alignment - 1) / alignment * alignment;
    for (auto& x : tensors_) {
        if (x.offset > in.size() || dataStart > in.size() - x.offset || x.bytes > in.size() - dataStart - x.offset)
            fail(path, "tensor '" + escaped(x.name, true) + "' (" + num(x.bytes) + " bytes at data offset " + num(x.offset) +
                           ") runs past the end of the file (" + num(in.size()) + " bytes; truncated?)");
        x.offset += dataStart;
    }
    // No two tensors share bytes: a small file cannot stand for many times its size of weights.
    std::vector<const GgufTensor*> byOffset;
    for (const auto& x : tensors_) byOffset.push_back(&x);
    std::sort(byOffset.begin(), byOffset.end(), [](const GgufTensor* a, const GgufTensor* b) { return a->offset < b->offset; });
    for (size_t i = 1; i < byOffset.size(); ++i)
        if (byOffset[i]->offset < byOffset[i - 1]->offset + byOffset[i - 1]->bytes)
            fail(path, "tensors '" + escaped(byOffset[i - 1]->name, true) + "' and '" + escaped(byOffset[i]->name, true) +
                           "' overlap in the file");
}

uint64_t GgufTensor::elements() const {
    uint64_t n = 1;
    for (uint64_t d : dims) n *= d;
    return n;
}

const GgufTensor* GgufFile::findTensor(const std::string& name) const {
    const auto it = tensorIndex_.find(name);
    return it == tensorIndex_.end() ? nullptr : &tensors_[it->second];
}

std::vector<float> GgufFile::readFloats(const GgufTensor& t) const {
    const auto layout = ggmlLayout(t.type);
    if (!layout.dequantise)
        fail(path_, "tensor '" + escaped(t.name, true) + "' is " + ggmlTypeName(t.type) +
                        ", which this version does not read (F32, F16, BF16, Q8_0, Q4_K and Q6_K are read)");
    std::vector<unsigned char> bytes(static_cast<size_t>(t.bytes));
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(path_, std::string("cannot open: ") + std::strerror(errno));
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t got = ::pread(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(t.offset + done));
        if (got > 0) {
            done += static_cast<size_t>(got);
            continue;
        }
        if (got < 0 && errno == EINTR) continue;
        ::close(fd);
        fail(path_, "tensor '" + escaped(t.name, true) + "': " + (got == 0 ? std::string("the file ends early (it shrank?)") : std::strerror(errno)));
    }
    ::close(fd);
    std::vector<float> out(static_cast<size_t>(t.elements()));
    layout.dequantise(bytes.data(), out.data(), static_cast<int64_t>(out.size()));
    return out;
}

std::vector<std::string> GgufFile::keys() const {
    std::vector<std::string> out;
    out.reserve(entries_.size());
    for (const auto& e : entries_) out.push_back(e.key);
    return out;
}

const GgufFile::Entry& GgufFile::entry(const std::string& key) const {
    const auto it = index_.find(key);
    if (it == index_.end()) fail(path_, "missing " + quotedKey(key));
    return entries_[it->second];
}

void GgufFile::wrongType(const Entry& e, const std::string& wanted) const {
    std::string found = ggufTypeName(e.type);
    if (e.type == GgufType::Array) found += std::string(" of ") + ggufTypeName(e.elementType);
    fail(path_, quotedKey(e.key) + " is " + found + ", wanted " + wanted);
}

const GgufFile::Entry& GgufFile::array(const std::string& key) const {
    const Entry& e = entry(key);
    if (e.type != GgufType::Array) wrongType(e, "ARRAY");
    return e;
}

GgufType GgufFile::type(const std::string& key) const { return entry(key).type; }

GgufType GgufFile::elementType(const std::string& key) const { return array(key).elementType; }

uint64_t GgufFile::arrayLength(const std::string& key) const { return array(key).count; }

std::string GgufFile::string(const std::string& key) const {
    const Entry& e = entry(key);
    if (e.type != GgufType::String) wrongType(e, "STRING");
    return text_.substr(static_cast<size_t>(e.offset), static_cast<size_t>(e.count));
}

int64_t GgufFile::integer(const std::string& key) const {
    const Entry& e = entry(key);
    if (!isInteger(e.type)) wrongType(e, "an integer");
    if (e.type == GgufType::U64 && e.bits > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        fail(path_, quotedKey(key) + ": UINT64 value " + num(e.bits) + " is above INT64_MAX");
    return signedValue(e.bits, e.type);
}

double GgufFile::number(const std::string& key) const {
    const Entry& e = entry(key);
    if (e.type == GgufType::F32) return floatOf(e.bits);
    if (e.type == GgufType::F64) return doubleOf(e.bits);
    if (e.type == GgufType::U64) return static_cast<double>(e.bits);
    if (!isInteger(e.type)) wrongType(e, "a number");
    return static_cast<double>(signedValue(e.bits, e.type));
}

bool GgufFile::boolean(const std::string& key) const {
    const Entry& e = entry(key);
    if (e.type != GgufType::Bool) wrongType(e, "BOOL");
    return e.bits != 0;
}

std::vector<std::string> GgufFile::strings(const std::string& key) const {
    const Entry& e = entry(key);
    if (e.type != GgufType::Array || e.elementType != GgufType::String) wrongType(e, "ARRAY of STRING");
    std::vector<std::string> out;
    out.reserve(static_cast<size_t>(e.count));
    const uint64_t* bounds = ends_.data() + e.offset;
    for (uint64_t i = 0; i < e.count; ++i)
        out.emplace_back(text_, static_cast<size_t>(bounds[i]), static_cast<size_t>(bounds[i + 1] - bounds[i]));
    return out;
}

std::vector<float> GgufFile::floats(const std::string& key) const {
    const Entry& e = entry(key);
    if (e.type != GgufType::Array || (e.elementType != GgufType::F32 && e.elementType != GgufType::F64))
        wrongType(e, "ARRAY of FLOAT32");
    const size_t size = scalarSize(e.elementType);
    std::vector<float> out(static_cast<size_t>(e.count));
    const unsigned char* p = raw_.data() + e.offset;
    for (size_t i = 0; i < out.size(); ++i) {
        const uint64_t bits = loadLE(p + i * size, size);
        out[i] = e.elementType == GgufType::F32 ? floatOf(bits) : static_cast<float>(doubleOf(bits));
    }
    return out;
}

std::vector<int64_t> GgufFile::integers(const std::string& key) const {
    const Entry& e = entry(key);
    if (e.type != GgufType::Array || !isInteger(e.elementType)) wrongType(e, "ARRAY of an integer type");
    const size_t size = scalarSize(e.elementType);
    std::vector<int64_t> out(static_cast<size_t>(e.count));
    const unsigned char* p = raw_.data() + e.offset;
    for (size_t i = 0; i < out.size(); ++i) {
        const uint64_t bits = loadLE(p + i * size, size);
        if (e.elementType == GgufType::U64 && bits > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            fail(path_, quotedKey(key) + ": element " + num(i) + ": UINT64 value " + num(bits) + " is above INT64_MAX");
        out[i] = signedValue(bits, e.elementType);
    }
    return out;
}

}  // namespace expertscope
