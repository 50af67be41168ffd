#pragma once
// One concept's responses in a temporary file instead of memory, for models whose
// sentences x units do not fit: written row by row as the collection produces them, laid
// out probe by probe (each probe's block is [sentences, its units]), so that expertise is
// computed one probe at a time. A unit's expertise depends only on its own column, so the
// results equal computeExpertise over the whole matrix, bit for bit.
// The file is unlinked from the start: nothing is left behind by a crash or a kill.
#include "core/runtime/probe.h"
#include "core/science/expertise.h"

#include <cstdint>
#include <string>
#include <vector>

namespace expertscope {

class ResponseSpool {
public:
    // Throws Error, before writing anything, when `folder` lacks the room for the file.
    ResponseSpool(const std::string& folder, int64_t rows, const std::vector<ProbePoint>& probes);
    ~ResponseSpool();
    ResponseSpool(const ResponseSpool&) = delete;
    ResponseSpool& operator=(const ResponseSpool&) = delete;

    // One sentence's responses (every unit, in global order). Safe from several threads
    // at once for different rows.
    void writeRow(int64_t row, const float* values);
    // Probe p's responses, [rows, probes[p].units].
    std::vector<float> readProbe(size_t p) const;

    int64_t rows() const { return rows_; }
    int64_t bytes() const { return bytes_; }
    const std::vector<ProbePoint>& probes() const { return probes_; }

private:
    int fd_ = -1;
    int64_t rows_ = 0, bytes_ = 0;
    std::vector<ProbePoint> probes_;
    std::string folder_;
};

// Bytes free for an unprivileged writer in `folder` (-1 when it cannot be asked).
int64_t freeBytes(const std::string& folder);
// Whether `folder` is a tmpfs: files there are memory (a cluster node's TMPDIR often is).
bool inMemoryFilesystem(const std::string& folder);

// computeExpertise probe by probe over the spooled responses: at most one probe's block
// in memory at a time.
UnitExpertise computeExpertise(const ResponseSpool& spool, const std::vector<uint8_t>& labels, int threads = 0);

}  // namespace expertscope
