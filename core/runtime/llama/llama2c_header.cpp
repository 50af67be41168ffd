#include "core/runtime/llama/llama2c_header.h"

#include "core/base/error.h"

#include <cstdlib>
#include <fstream>
#include <initializer_list>

namespace expertscope {
namespace {

// a*b + ... without wrapping: every field may be up to 2^24, so a hostile header's products
// pass 2^63; false when they do.
bool mulAdd(int64_t& total, std::initializer_list<int64_t> factors) {
    int64_t product = 1;
    for (int64_t f : factors)
        if (__builtin_mul_overflow(product, f, &product)) return false;
    return !__builtin_add_overflow(total, product, &total);
}

}  // namespace

Llama2cHeader readLlama2cHeader(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw Error(path + ": cannot open");
    const int64_t fileBytes = static_cast<int64_t>(in.tellg());
    in.seekg(0);
    int32_t header[7] = {};
    if (fileBytes < Llama2cHeader::kBytes || !in.read(reinterpret_cast<char*>(header), sizeof header))
        throw Error(path + ": too short for a llama2.c header (7 int32)");
    const char* names[7] = {"dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len"};
    for (int i = 0; i < 7; ++i) {
        const int64_t v = i == 5 ? std::abs(static_cast<int64_t>(header[i])) : header[i];
        if (v <= 0 || v > (1 << 24))
            throw Error(path + ": llama2.c header field " + names[i] + " = " + std::to_string(header[i]) +
                        " is not plausible; not a llama2.c checkpoint?");
    }
    Llama2cHeader h;
    ModelInfo& info = h.info;
    info.family = "llama";
    info.format = "llama2.c";
    info.architecture = "llama2.c";
    info.path = path;
    info.hidden = header[0];
    info.intermediate = header[1];
    info.layers = header[2];
    info.heads = header[3];
    info.kvHeads = header[4];
    info.tiedEmbeddings = header[5] > 0;  // llama2.c marks an untied classifier with a negative vocab size
    info.vocab = std::abs(header[5]);
    info.maxPositions = header[6];
    if (info.maxPositions > kMaxContextPositions)
        throw Error(path + ": llama2.c header field seq_len = " + std::to_string(header[6]) + " is not plausible (at most " +
                    std::to_string(kMaxContextPositions) + ")");
    info.normEps = 1e-5f;
    info.ropeTheta = 10000.f;
    if (info.hidden % info.heads != 0)
        throw Error(path + ": hidden size " + std::to_string(info.hidden) + " is not divisible by " + std::to_string(info.heads) +
                    " attention heads");
    if (info.heads % info.kvHeads != 0)
        throw Error(path + ": " + std::to_string(info.heads) + " attention heads are not a multiple of " +
                    std::to_string(info.kvHeads) + " key/value heads");
    info.headDim = info.hidden / info.heads;
    if (info.headDim % 2 != 0) throw Error(path + ": head dimension must be even for RoPE");

    // Token embedding, per layer (stacked) the norms and projections, the final norm, the
    // legacy RoPE tables, and the classifier when untied: all float32.
    const int64_t D = info.hidden, F = info.intermediate, V = info.vocab, L = info.layers;
    const int64_t Q = info.heads * info.headDim, KVD = info.kvHeads * info.headDim;
    h.ropeFloats = int64_t{info.maxPositions} * (info.headDim / 2) * 2;
    int64_t floats = 0;
    const bool fits = mulAdd(floats, {V, D}) && mulAdd(floats, {L, D}) && mulAdd(floats, {L, D, Q}) &&
                      mulAdd(floats, {L, 2, D, KVD}) && mulAdd(floats, {L, Q, D}) && mulAdd(floats, {L, D}) &&
                      mulAdd(floats, {L, 3, D, F}) && mulAdd(floats, {D}) && mulAdd(floats, {h.ropeFloats}) &&
                      mulAdd(floats, {info.tiedEmbeddings ? 0 : V, D});
    int64_t expected = Llama2cHeader::kBytes;
    if (!fits || !mulAdd(expected, {floats, 4}))
        throw Error(path + ": llama2.c header describes a checkpoint of more than 2^63 bytes; not a llama2.c checkpoint?");
    if (fileBytes != expected)
        throw Error(path + ": llama2.c header describes " + std::to_string(expected) + " bytes of checkpoint but the file has " +
                    std::to_string(fileBytes) + (fileBytes < expected ? " (truncated?)" : ""));
    return h;
}

}  // namespace expertscope
