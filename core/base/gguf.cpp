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
