#pragma once
// Validated reader for a GGUF file (llama.cpp's format, versions 2 and 3): "GGUF", uint32
// version, uint64 tensor count, uint64 key-value count, the key-value pairs, the tensor infos
// (name, dimensions, ggml type, offset), then the tensor data from the next multiple of
// general.alignment (32 unless given), all little-endian. The metadata and tensor infos are
// read through bounded reads, never the whole file (a model can be many GB): every length
// and count is checked against the bytes left in the file before anything is allocated, and
// every tensor's data must lie inside the file. All of it is read and checked when the file
// is opened; any violation throws expertscope::Error naming the file and, when known, the
// key or tensor. The file is closed again before the constructor returns; a tensor's data is
// read when asked for (readFloats).
//
// Values are kept compactly: the bytes of every string back to back, array elements as the
// file stores them. Keys must be non-empty valid UTF-8 of at most 65535 bytes; string values
// are returned as stored (not checked for UTF-8: a vocabulary may hold byte pieces).
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace expertscope {

// The value types, numbered as in the file.
enum class GgufType { U8 = 0, I8, U16, I16, U32, I32, F32, Bool, String, Array, U64, I64, F64 };

// "UINT8", "INT8", ... "FLOAT64", as the format calls them.
const char* ggufTypeName(GgufType type);

// One tensor: its info, and where its data lies.
struct GgufTensor {
    std::string name;
    std::vector<uint64_t> dims;  // ggml's order: dims[0] is the length of a row (the innermost)
    uint32_t type = 0;           // ggml's type number: 0 F32, 1 F16, 8 Q8_0, 12 Q4_K, 14 Q6_K, 30 BF16, ...
    uint64_t offset = 0;         // of its first byte, from the start of the file
    uint64_t bytes = 0;
    uint64_t elements() const;
};
// ggml's name of a tensor type ("Q4_K"), or "type N" for one this version does not know.
std::string ggmlTypeName(uint32_t type);

class GgufFile {
public:
    // Reads and validates all metadata; throws expertscope::Error.
    explicit GgufFile(const std::string& path);

    const std::string& path() const { return path_; }
    uint32_t version() const { return version_; }
    uint64_t tensorCount() const { return tensorCount_; }

    std::vector<std::string> keys() const;  // in file order
    bool contains(const std::string& key) const { return index_.count(key) != 0; }
    // Each of these throws when the key is missing.
    GgufType type(const std::string& key) const;
    GgufType elementType(const std::string& key) const;  // arrays only
    uint64_t arrayLength(const std::string& key) const;  // arrays only

    // Typed access; each throws Error naming the file, the key, the type found and the type
    // wanted.
    std::string string(const std::string& key) const;
    int64_t integer(const std::string& key) const;  // any integer type (UINT64 above INT64_MAX refused)
    double number(const std::string& key) const;    // FLOAT32, FLOAT64 or any integer type
    bool boolean(const std::string& key) const;
    std::vector<std::string> strings(const std::string& key) const;  // array of STRING
    std::vector<float> floats(const std::string& key) const;         // array of FLOAT32 (FLOAT64 converted)
    std::vector<int64_t> integers(const std::string& key) const;     // array of any integer type

    const std::vector<GgufTensor>& tensors() const { return tensors_; }  // in file order
    const GgufTensor* findTensor(const std::string& name) const;          // null when absent
    // A tensor's values as float32, dequantised (F32, F16, BF16, Q8_0, Q4_K, Q6_K), in ggml's
    // order: rows of dims[0]. Other types are refused by name. Throws Error.
    std::vector<float> readFloats(const GgufTensor& tensor) const;

private:
    struct Entry {
        std::string key;
        GgufType type = GgufType::U8;
        GgufType elementType = GgufType::U8;  // arrays only
        uint64_t count = 0;   // strings: bytes; arrays: elements
        uint64_t bits = 0;    // numbers and booleans: the value's bits, zero-extended
        // strings: into text_; other arrays: into raw_; string arrays: into ends_, where
        // element i runs from text_[ends_[offset + i]] to text_[ends_[offset + i + 1]]
        uint64_t offset = 0;
    };
    const Entry& entry(const std::string& key) const;
    const Entry& array(const std::string& key) const;
    [[noreturn]] void wrongType(const Entry& e, const std::string& wanted) const;

    std::string path_;
    uint32_t version_ = 0;
    uint64_t tensorCount_ = 0;
    std::vector<Entry> entries_;                   // in file order
    std::unordered_map<std::string, size_t> index_;  // key -> entries_ index
    std::string text_;                             // every string value's bytes, back to back
    std::vector<uint64_t> ends_;                   // string arrays: their elements' bounds in text_
    std::vector<unsigned char> raw_;               // other arrays: the elements' bytes as stored
    std::vector<GgufTensor> tensors_;
    std::unordered_map<std::string, size_t> tensorIndex_;
};

}  // namespace expertscope
