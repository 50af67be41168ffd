#include "core/science/response_spool.h"

#include "core/base/byte_size.h"
#include "core/base/error.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace expertscope {
namespace {


// An anonymous file in `folder`: O_TMPFILE where the filesystem has it, else a named
// one removed at once.
int anonymousFile(const std::string& folder) {
#ifdef O_TMPFILE
    const int fd = ::open(folder.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
#endif
    std::string name = folder + "/expertscope-responses-XXXXXX";
    const int named = mkostemp(name.data(), O_CLOEXEC);
    if (named >= 0) ::unlink(name.c_str());
    return named;
}

}  // namespace

int64_t freeBytes(const std::string& folder) {
    struct statvfs s {};
    if (statvfs(folder.c_str(), &s) != 0) return -1;
    return static_cast<int64_t>(s.f_bavail) * static_cast<int64_t>(s.f_frsize);
}

bool inMemoryFilesystem(const std::string& folder) {
    struct statfs s {};
    return statfs(folder.c_str(), &s) == 0 && s.f_type == TMPFS_MAGIC;
}

ResponseSpool::ResponseSpool(const std::string& folder, int64_t rows, const std::vector<ProbePoint>& probes)
    : rows_(rows), probes_(probes), folder_(folder) {
    int64_t units = 0;
    for (const auto& p : probes_) {
        if (p.offset != units) throw Error("response spool: the probes do not cover the units in order");
        units += p.units;
    }
    bytes_ = rows_ * units * static_cast<int64_t>(sizeof(float));
    const int64_t free = freeBytes(folder_);
    if (free >= 0 && free < bytes_)
        throw Error("the responses (" + std::to_string(rows_) + " sentences x " + std::to_string(units) + " units, " +
                    byteSize(static_cast<double>(bytes_)) + ") need a temporary file in " + folder_ + ", which has " +
                    byteSize(static_cast<double>(free)) + " free; name a folder with more room (--scratch, or TMPDIR)");
    fd_ = anonymousFile(folder_);
    if (fd_ < 0) throw Error("cannot create a temporary file for the responses in " + folder_ + ": " + std::strerror(errno));
    // Reserve the blocks now: a disk that fills up fails here, not halfway through (a
    // filesystem that cannot reserve gets a sparse file, and a full disk fails a write).
    int rc = bytes_ > 0 ? posix_fallocate(fd_, 0, bytes_) : 0;
    if (rc == EOPNOTSUPP || rc == EINVAL) rc = ftruncate(fd_, bytes_) == 0 ? 0 : errno;
    if (rc != 0) {
        ::close(fd_);
        throw Error("cannot reserve " + byteSize(static_cast<double>(bytes_)) + " for the responses in " + folder_ + ": " +
                    std::strerror(rc));
    }
}

ResponseSpool::~ResponseSpool() {
    if (fd_ >= 0) ::close(fd_);
}

namespace {

// pwrite or pread until all `size` bytes at `at` are moved (a signal's EINTR retried).
// Called for every row and probe: the message is only built on failure.
template <typename Io>
void moveAll(Io io, size_t size, int64_t at, const char* verb, const std::string& folder) {
    for (int64_t done = 0; size > 0;) {
        const ssize_t n = io(done, size, at + done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            throw Error(std::string("cannot ") + verb + " the responses' temporary file in " + folder + ": " +
                        (n < 0 ? std::strerror(errno) : "the file ended early"));
        done += n;
        size -= static_cast<size_t>(n);
    }
}

}  // namespace

void ResponseSpool::writeRow(int64_t row, const float* values) {
    for (const auto& p : probes_) {
        // Probe p's block starts after the blocks of the probes before it (rows x their units).
        const char* data = reinterpret_cast<const char*>(values + p.offset);
        moveAll([&](int64_t done, size_t left, int64_t at) { return ::pwrite(fd_, data + done, left, at); },
                static_cast<size_t>(p.units) * sizeof(float), (rows_ * p.offset + row * p.units) * static_cast<int64_t>(sizeof(float)),
                "write", folder_);
    }
}

std::vector<float> ResponseSpool::readProbe(size_t p) const {
    const auto& probe = probes_.at(p);
    std::vector<float> out(static_cast<size_t>(rows_ * probe.units));
    char* data = reinterpret_cast<char*>(out.data());
    moveAll([&](int64_t done, size_t left, int64_t at) { return ::pread(fd_, data + done, left, at); }, out.size() * sizeof(float),
            rows_ * probe.offset * static_cast<int64_t>(sizeof(float)), "read", folder_);
    return out;
}

UnitExpertise computeExpertise(const ResponseSpool& spool, const std::vector<uint8_t>& labels, int threads) {
    UnitExpertise out;
    for (size_t p = 0; p < spool.probes().size(); ++p) {
        const auto& probe = spool.probes()[p];
        const auto block = spool.readProbe(p);
        auto part = computeExpertise(block.data(), spool.rows(), probe.units, labels, threads, probe.offset);
        for (auto [all, some] : {std::pair{&out.ap, &part.ap}, {&out.onP50, &part.onP50}, {&out.onP90, &part.onP90},
                                 {&out.offMean, &part.offMean}, {&out.auroc, &part.auroc}})
            all->insert(all->end(), some->begin(), some->end());
    }
    return out;
}

}  // namespace expertscope
