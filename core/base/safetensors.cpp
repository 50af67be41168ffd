#include "core/base/safetensors.h"

#include "core/base/error.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <limits>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace expertscope {
namespace {

struct DTypeInfo {
    const char* name;
    DType dtype;
    size_t size;
};
constexpr DTypeInfo kDTypes[] = {
    {"F64", DType::F64, 8}, {"F32", DType::F32, 4}, {"F16", DType::F16, 2},
    {"BF16", DType::BF16, 2}, {"I64", DType::I64, 8}, {"I32", DType::I32, 4},
    {"I16", DType::I16, 2}, {"I8", DType::I8, 1}, {"U8", DType::U8, 1},
    {"BOOL", DType::Bool, 1},
};

// Header sizes above this are not plausible for any real checkpoint; refusing them keeps a
// corrupt length from making us parse gigabytes.
constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    throw Error(path + ": " + what);
}

float halfToFloat(uint16_t h) {
    const uint32_t sign = (h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t mant = h & 0x3ffu;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else {  // subnormal: renormalise
            exp = 127 - 15 + 1;
            while ((mant & 0x400u) == 0) {
                mant <<= 1;
                --exp;
            }
            bits = sign | (exp << 23) | ((mant & 0x3ffu) << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (mant << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

template <typename T>
void convert(const unsigned char* src, int64_t n, float* dst) {
    for (int64_t i = 0; i < n; ++i) {
        T v;
        std::memcpy(&v, src + i * sizeof(T), sizeof(T));
        dst[i] = static_cast<float>(v);
    }
}

bool checkedMul(uint64_t a, uint64_t b, uint64_t* out) {
    if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a) return false;
    *out = a * b;
    return true;
}

bool readNonNegativeInt(const QJsonValue& v, uint64_t* out) {
    if (!v.isDouble()) return false;
    const double d = v.toDouble();
    if (d < 0 || d != std::floor(d) || d > 9007199254740992.0) return false;
    *out = static_cast<uint64_t>(d);
    return true;
}

}  // namespace

const char* dtypeName(DType dtype) {
    for (const auto& info : kDTypes)
        if (info.dtype == dtype) return info.name;
    return "?";
}

size_t dtypeSize(DType dtype) {
    for (const auto& info : kDTypes)
        if (info.dtype == dtype) return info.size;
    return 0;
}

int64_t TensorView::elementCount() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

std::vector<float> TensorView::toFloat32() const {
    std::vector<float> out(static_cast<size_t>(elementCount()));
    toFloat32(out.data());
    return out;
}

void TensorView::toFloat32(float* out) const {
    const int64_t n = elementCount();
    switch (dtype) {
    case DType::F32: std::memcpy(out, data, bytes); break;
    case DType::F64: convert<double>(data, n, out); break;
    case DType::F16:
        for (int64_t i = 0; i < n; ++i) {
            uint16_t h;
            std::memcpy(&h, data + 2 * i, 2);
            out[i] = halfToFloat(h);
        }
        break;
    case DType::BF16:
        for (int64_t i = 0; i < n; ++i) {
            uint16_t h;
            std::memcpy(&h, data + 2 * i, 2);
            const uint32_t bits = static_cast<uint32_t>(h) << 16;
            std::memcpy(&out[i], &bits, 4);
        }
        break;
    case DType::I64: convert<int64_t>(data, n, out); break;
    case DType::I32: convert<int32_t>(data, n, out); break;
    case DType::I16: convert<int16_t>(data, n, out); break;
    case DType::I8: convert<int8_t>(data, n, out); break;
    case DType::U8:
    case DType::Bool: convert<uint8_t>(data, n, out); break;
    }
}

std::vector<double> TensorView::toFloat64() const {
    if (dtype == DType::F64) {
        std::vector<double> out(static_cast<size_t>(elementCount()));
        std::memcpy(out.data(), data, bytes);
        return out;
    }
    if (dtype == DType::I64) {  // exact beyond float32's 24 bits
        std::vector<double> out(static_cast<size_t>(elementCount()));
        for (size_t i = 0; i < out.size(); ++i) {
            int64_t v;
            std::memcpy(&v, data + 8 * i, 8);
            out[i] = static_cast<double>(v);
        }
        return out;
    }
    const auto f = toFloat32();
    return {f.begin(), f.end()};
}

SafetensorsFile::SafetensorsFile(const std::string& path) : path_(path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(path, std::string("cannot open: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        fail(path, "not a regular file");
    }
    size_ = static_cast<size_t>(st.st_size);
    if (size_ < 8) {
        ::close(fd);
        fail(path, "file is " + std::to_string(size_) + " bytes, too short for a safetensors header");
    }
    map_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (map_ == MAP_FAILED) {
        map_ = nullptr;
        fail(path, std::string("cannot map: ") + std::strerror(errno));
    }
    try {
        const auto* bytes = static_cast<const unsigned char*>(map_);
        uint64_t headerLen = 0;
        for (int i = 7; i >= 0; --i) headerLen = (headerLen << 8) | bytes[i];
        if (headerLen > size_ - 8)
            fail(path, "header length " + std::to_string(headerLen) + " runs past the end of the file (" +
                           std::to_string(size_) + " bytes)");
        if (headerLen > kMaxHeaderBytes)
            fail(path, "header length " + std::to_string(headerLen) + " is implausibly large");

        QJsonParseError err{};
        const QJsonDocument doc = QJsonDocument::fromJson(
            QByteArray::fromRawData(reinterpret_cast<const char*>(bytes + 8), static_cast<qsizetype>(headerLen)),
            &err);
        if (err.error != QJsonParseError::NoError)
            fail(path, "header is not valid JSON (" + err.errorString().toStdString() + " at offset " +
                           std::to_string(err.offset) + ")");
        if (!doc.isObject()) fail(path, "header is not a JSON object");

        const unsigned char* dataStart = bytes + 8 + headerLen;
        const uint64_t dataSize = size_ - 8 - headerLen;
        const QJsonObject root = doc.object();
        struct Range {
            uint64_t begin, end;
            std::string name;
        };
        std::vector<Range> ranges;
        for (auto it = root.begin(); it != root.end(); ++it) {
            const std::string name = it.key().toStdString();
            if (name == "__metadata__") {
                if (!it.value().isObject()) fail(path, "__metadata__ is not an object");
                const QJsonObject meta = it.value().toObject();
                for (auto m = meta.begin(); m != meta.end(); ++m) {
                    if (!m.value().isString()) fail(path, "__metadata__ value '" + m.key().toStdString() + "' is not a string");
                    metadata_[m.key().toStdString()] = m.value().toString().toStdString();
                }
                continue;
            }
            const std::string where = "tensor '" + name + "': ";
            if (!it.value().isObject()) fail(path, where + "entry is not an object");
            const QJsonObject entry = it.value().toObject();

            TensorView view;
            view.name = name;
            const QString dtype = entry.value("dtype").toString();
            bool known = false;
            for (const auto& info : kDTypes) {
                if (dtype == QLatin1String(info.name)) {
                    view.dtype = info.dtype;
                    known = true;
                }
            }
            if (!known) fail(path, where + "unknown dtype '" + dtype.toStdString() + "'");

            if (!entry.value("shape").isArray()) fail(path, where + "missing or invalid 'shape'");
            uint64_t elements = 1;
            for (const QJsonValue& d : entry.value("shape").toArray()) {
                uint64_t dim = 0;
                if (!readNonNegativeInt(d, &dim)) fail(path, where + "shape has a non-integer or negative dimension");
                if (!checkedMul(elements, dim, &elements)) fail(path, where + "shape overflows");
                view.shape.push_back(static_cast<int64_t>(dim));
            }

            const QJsonArray offsets = entry.value("data_offsets").toArray();
            uint64_t begin = 0, end = 0;
            if (offsets.size() != 2 || !readNonNegativeInt(offsets[0], &begin) || !readNonNegativeInt(offsets[1], &end))
                fail(path, where + "'data_offsets' must be two non-negative integers");
            if (end < begin) fail(path, where + "data_offsets end before they begin");
            if (end > dataSize)
                fail(path, where + "data range [" + std::to_string(begin) + ", " + std::to_string(end) +
                               ") lies outside the file's data section (" + std::to_string(dataSize) + " bytes)");
            uint64_t expected = 0;
            if (!checkedMul(elements, dtypeSize(view.dtype), &expected) || expected != end - begin)
                fail(path, where + "shape and dtype need " + std::to_string(expected) + " bytes but data_offsets give " +
                               std::to_string(end - begin));
            view.data = dataStart + begin;
            view.bytes = static_cast<size_t>(end - begin);
            ranges.push_back({begin, end, name});
            tensors_.emplace(name, std::move(view));
        }
        std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) { return a.begin < b.begin; });
        for (size_t i = 1; i < ranges.size(); ++i)
            if (ranges[i].begin < ranges[i - 1].end)
                fail(path, "tensors '" + ranges[i - 1].name + "' and '" + ranges[i].name + "' overlap");
    } catch (...) {
        ::munmap(map_, size_);
        map_ = nullptr;
        throw;
    }
}

SafetensorsFile::~SafetensorsFile() {
    if (map_) ::munmap(map_, size_);
}

const TensorView& SafetensorsFile::tensor(const std::string& name) const {
    auto it = tensors_.find(name);
    if (it == tensors_.end()) fail(path_, "missing tensor '" + name + "'");
    return it->second;
}

std::vector<std::string> SafetensorsFile::names() const {
    std::vector<std::string> out;
    for (const auto& kv : tensors_) out.push_back(kv.first);
    return out;
}

void writeSafetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                      const std::map<std::string, std::string>& metadata) {
    QJsonObject root;
    uint64_t offset = 0;
    for (const auto& t : tensors) {
        uint64_t elements = 1;
        QJsonArray shape;
        for (int64_t d : t.shape) {
            elements *= static_cast<uint64_t>(d);
            shape.append(static_cast<qint64>(d));
        }
        if (elements * dtypeSize(t.dtype) != t.bytes.size())
            throw Error(path + ": tensor '" + t.name + "': byte count does not match its shape");
        QJsonObject entry;
        entry["dtype"] = QString::fromLatin1(dtypeName(t.dtype));
        entry["shape"] = shape;
        entry["data_offsets"] = QJsonArray{static_cast<qint64>(offset), static_cast<qint64>(offset + t.bytes.size())};
        root[QString::fromStdString(t.name)] = entry;
        offset += t.bytes.size();
    }
    if (!metadata.empty()) {
        QJsonObject meta;
        for (const auto& kv : metadata) meta[QString::fromStdString(kv.first)] = QString::fromStdString(kv.second);
        root["__metadata__"] = meta;
    }
    QByteArray header = QJsonDocument(root).toJson(QJsonDocument::Compact);
    while (header.size() % 8) header.append(' ');  // keeps the data 8-byte aligned
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(path + ": cannot write");
    const uint64_t len = static_cast<uint64_t>(header.size());
    unsigned char lenBytes[8];
    for (int i = 0; i < 8; ++i) lenBytes[i] = static_cast<unsigned char>(len >> (8 * i));
    out.write(reinterpret_cast<const char*>(lenBytes), 8);
    out.write(header.constData(), header.size());
    for (const auto& t : tensors) out.write(reinterpret_cast<const char*>(t.bytes.data()), static_cast<std::streamsize>(t.bytes.size()));
    if (!out) throw Error(path + ": write failed");
}

void SafetensorsFile::release(const TensorView& view) const {
    // Whole pages inside the tensor's bytes only: a page shared with a neighbour stays.
    const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto begin = (reinterpret_cast<uintptr_t>(view.data) + page - 1) / page * page;
    const auto end = (reinterpret_cast<uintptr_t>(view.data) + view.bytes) / page * page;
    if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

}  // namespace expertscope
