#pragma once
// Memory-mapped, fully validated reader for the safetensors format: 8-byte little-endian
// header length, a JSON header, then raw little-endian tensor data. Everything is checked
// when the file is opened, so later access never reads outside the mapping.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace expertscope {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool };

const char* dtypeName(DType dtype);
size_t dtypeSize(DType dtype);

struct TensorView {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    const unsigned char* data = nullptr;  // inside the mapping; not necessarily aligned
    size_t bytes = 0;

    int64_t elementCount() const;
    // Copies the data out as float32 (F64/F32/F16/BF16 and integer dtypes).
    std::vector<float> toFloat32() const;
    void toFloat32(float* out) const;  // into elementCount() floats
    // The same as float64, exact for F64 (and every other dtype).
    std::vector<double> toFloat64() const;
};

class SafetensorsFile {
public:
    // Throws expertscope::Error naming the file (and tensor) on any violation.
    explicit SafetensorsFile(const std::string& path);
    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    const std::string& path() const { return path_; }
    bool contains(const std::string& name) const { return tensors_.count(name) != 0; }
    // Throws when the tensor is missing.
    const TensorView& tensor(const std::string& name) const;
    std::vector<std::string> names() const;
    // Gives the pages under this tensor's data back to the system once it has been copied
    // out (they are read again from the file if touched): loading a checkpoint then never
    // holds the file's bytes and the converted weights together.
    void release(const TensorView& view) const;
    const std::map<std::string, std::string>& metadata() const { return metadata_; }

private:
    std::string path_;
    void* map_ = nullptr;
    size_t size_ = 0;
    std::map<std::string, TensorView> tensors_;
    std::map<std::string, std::string> metadata_;
};

// Writes tensors in the same format (used by tests and, later, by the demo builder).
struct TensorToWrite {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    std::vector<unsigned char> bytes;
};
void writeSafetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace expertscope
