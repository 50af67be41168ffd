#include "core/science/expertise.h"

#include "core/base/error.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>
#include <type_traits>

namespace expertscope {
namespace {

// Order-preserving unsigned keys, so that an integer sort is a sort by value. -0 becomes
// +0 first: scikit-learn treats them as one threshold.
inline uint32_t sortableKey(float v) {
    v += 0.f;
    uint32_t u;
    std::memcpy(&u, &v, 4);
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}
inline uint64_t sortableKey(double v) {
    v += 0.0;
    uint64_t u;
    std::memcpy(&u, &v, 8);
    return (u & 0x8000000000000000ull) ? ~u : (u | 0x8000000000000000ull);
}
template <typename T, typename K>
inline T valueOf(K key) {
    const K top = K(1) << (sizeof(K) * 8 - 1);
    const K u = (key & top) ? (key & ~top) : ~key;
    T v;
    std::memcpy(&v, &u, sizeof v);
    return v;
}

// Per-thread buffers, sized once: nothing is allocated per unit.
template <typename T>
struct Scratch {
    using Key = std::conditional_t<std::is_same_v<T, float>, uint32_t, uint64_t>;
    std::vector<Key> keys, keysTmp;
    std::vector<uint8_t> labels, labelsTmp;
    std::vector<T> block;  // a block of units, transposed to [unit, sentence]
    std::vector<uint32_t> counts;
    explicit Scratch(size_t n, size_t blockUnits)
        : keys(n), keysTmp(n), labels(n), labelsTmp(n), block(n * blockUnits) {}
};

// Ascending LSD radix sort of keys (labels carried along), a byte a pass: wider digits
// save a pass but cost more in clearing and summing their counts than they save at a
// concept's size. Passes whose digit is the same for every key are skipped.
constexpr int kDigitBits = 8;
constexpr uint32_t kDigits = 1u << kDigitBits;

template <typename K>
constexpr int passesFor() {
    return (sizeof(K) * 8 + kDigitBits - 1) / kDigitBits;
}

template <typename K>
void radixSort(std::vector<K>& keys, std::vector<uint8_t>& labels, std::vector<K>& keysTmp, std::vector<uint8_t>& labelsTmp,
               std::vector<uint32_t>& counts, size_t n) {
    constexpr int passes = passesFor<K>();
    counts.assign(static_cast<size_t>(passes) * kDigits, 0);
    for (size_t i = 0; i < n; ++i)
        for (int p = 0; p < passes; ++p) ++counts[p * kDigits + ((keys[i] >> (kDigitBits * p)) & (kDigits - 1))];
    K* src = keys.data();
    K* dst = keysTmp.data();
    uint8_t* lsrc = labels.data();
    uint8_t* ldst = labelsTmp.data();
    for (int p = 0; p < passes; ++p) {
        uint32_t* c = counts.data() + p * kDigits;
        if (c[(src[0] >> (kDigitBits * p)) & (kDigits - 1)] == n) continue;  // one digit everywhere
        uint32_t sum = 0;
        for (uint32_t d = 0; d < kDigits; ++d) {  // counts become start offsets
            const uint32_t count = c[d];
            c[d] = sum;
            sum += count;
        }
        for (size_t i = 0; i < n; ++i) {
            const uint32_t at = c[(src[i] >> (kDigitBits * p)) & (kDigits - 1)]++;
            dst[at] = src[i];
            ldst[at] = lsrc[i];
        }
        std::swap(src, dst);
        std::swap(lsrc, ldst);
    }
    if (src != keys.data()) {
        std::memcpy(keys.data(), src, n * sizeof(K));
        std::memcpy(labels.data(), lsrc, n);
    }
}

// numpy.percentile(..., method="linear") of values sorted ascending, with numpy's own
// arithmetic (1.24): the quantile p / 100, its index (n - 1) q, and the lerp from the nearer
// end; so the result is numpy's to the bit.
double percentile(const double* sorted, int64_t n, double p) {
    const double index = static_cast<double>(n - 1) * (p / 100.0);
    if (index >= static_cast<double>(n - 1)) return sorted[n - 1];
    if (index < 0) return sorted[0];
    const double below = std::floor(index), t = index - below;
    const double a = sorted[static_cast<int64_t>(below)], b = sorted[static_cast<int64_t>(below) + 1];
    return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

template <typename T>
UnitExpertise compute(const T* responses, int64_t sentences, int64_t units, const std::vector<uint8_t>& labels,
                      int threads, int64_t firstUnit) {
    if (static_cast<int64_t>(labels.size()) != sentences)
        throw Error("expertise: " + std::to_string(labels.size()) + " labels for " + std::to_string(sentences) + " sentences");
    int64_t positives = 0;
    for (uint8_t l : labels) positives += l ? 1 : 0;
    const int64_t negatives = sentences - positives;
    if (positives == 0 || negatives == 0)
        throw Error(std::string("expertise: the concept has no ") + (positives == 0 ? "positive" : "negative") + " sentences");

    UnitExpertise out;
    out.ap.resize(static_cast<size_t>(units));
    out.onP50.resize(static_cast<size_t>(units));
    out.onP90.resize(static_cast<size_t>(units));
    out.offMean.resize(static_cast<size_t>(units));
    out.auroc.resize(static_cast<size_t>(units));
    constexpr int64_t kBlock = 32;
    const int64_t blocks = (units + kBlock - 1) / kBlock;
    std::atomic<int64_t> next{0};
    std::atomic<int64_t> nanUnit{-1};
    const size_t n = static_cast<size_t>(sentences);

    auto work = [&] {
        Scratch<T> s(n, kBlock);
        std::vector<double> positiveValues(static_cast<size_t>(positives) + 1);
        for (int64_t b; (b = next++) < blocks;) {
            const int64_t u0 = b * kBlock, count = std::min(kBlock, units - u0);
            // Gather the block's columns: each row contributes `count` contiguous values.
            for (size_t i = 0; i < n; ++i) {
                const T* row = responses + static_cast<int64_t>(i) * units + u0;
                for (int64_t j = 0; j < count; ++j) s.block[static_cast<size_t>(j) * n + i] = row[j];
            }
            for (int64_t j = 0; j < count; ++j) {
                const T* v = s.block.data() + static_cast<size_t>(j) * n;
                double offSum = 0;
                bool nan = false;
                for (size_t i = 0; i < n; ++i) {
                    nan = nan || std::isnan(v[i]);
                    s.keys[i] = ~sortableKey(v[i]);  // ascending keys = descending values
                    s.labels[i] = labels[i] ? 1 : 0;
                    if (!labels[i]) offSum += static_cast<double>(v[i]);
                }
                const int64_t unit = u0 + j;
                if (nan) {
                    nanUnit = unit;
                    continue;
                }
                radixSort(s.keys, s.labels, s.keysTmp, s.labelsTmp, s.counts, n);
                // Walk thresholds from the highest; a tie group counts as one threshold.
                // Branch-free in the labels, which are as unpredictable as the data.
                // AUROC in the same pass: each positive of a group wins against the negatives
                // below the group and ties with the group's own, so twice the Mann-Whitney U
                // is the sum of groupTp x (2 x negatives below + negatives in the group), an
                // integer (exact in int64 and, below 2^53, in double).
                double ap = 0;
                int64_t tp = 0, seen = 0, twiceU = 0;
                size_t pv = static_cast<size_t>(positives);  // positiveValues is 1-based: slot 0 takes the spills
                for (size_t i = 0; i < n;) {
                    size_t end = i;
                    int64_t groupTp = 0;
                    do {
                        const int label = s.labels[end];
                        positiveValues[pv] = static_cast<double>(valueOf<T>(~s.keys[end]));
                        pv -= static_cast<size_t>(label);
                        groupTp += label;
                        ++end;
                    } while (end < n && s.keys[end] == s.keys[i]);
                    tp += groupTp;
                    seen += static_cast<int64_t>(end - i);
                    const int64_t fpSoFar = seen - tp, groupFp = static_cast<int64_t>(end - i) - groupTp;
                    twiceU += groupTp * (2 * (negatives - fpSoFar) + groupFp);
                    ap += static_cast<double>(groupTp) * (static_cast<double>(tp) / static_cast<double>(seen));
                    i = end;
                }
                ap /= static_cast<double>(positives);
                out.ap[unit] = ap;
                out.auroc[unit] = static_cast<double>(twiceU) / (2.0 * static_cast<double>(positives) * static_cast<double>(negatives));
                out.onP50[unit] = percentile(positiveValues.data() + 1, positives, 50);
                out.onP90[unit] = percentile(positiveValues.data() + 1, positives, 90);
                out.offMean[unit] = offSum / static_cast<double>(negatives);
            }
        }
    };
    int count = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    count = static_cast<int>(std::min<int64_t>(count, blocks));
    std::vector<std::thread> pool;
    for (int t = 1; t < count; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    if (nanUnit >= 0) throw Error("expertise: unit " + std::to_string(firstUnit + nanUnit.load()) + " has a response that is not a number");
    return out;
}

}  // namespace

UnitExpertise computeExpertise(const float* responses, int64_t sentences, int64_t units, const std::vector<uint8_t>& labels,
                               int threads, int64_t firstUnit) {
    return compute(responses, sentences, units, labels, threads, firstUnit);
}

UnitExpertise computeExpertise(const double* responses, int64_t sentences, int64_t units, const std::vector<uint8_t>& labels,
                               int threads) {
    return compute(responses, sentences, units, labels, threads, 0);
}

}  // namespace expertscope
