#include "core/runtime/row_exact_linear.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <omp.h>

#include <algorithm>
#include <exception>
#include <map>
#include <mutex>
#include <numeric>
#include <tuple>

namespace expertscope {
namespace {

int64_t roundUp(int64_t n, int64_t multiple) { return (n + multiple - 1) / multiple * multiple; }

constexpr int64_t kChunkWork = int64_t{1} << 21;  // multiply-adds a chunk needs at least

// Runs `work` where an OpenMP-built BLAS (what set-up installs) keeps a product on the
// calling thread: OpenBLAS sizes its team from this thread's OpenMP setting, and never splits
// a product inside an active parallel region. (Running the product in a parallel region of
// two with one idle thread also works, but the idle thread spins: measured 1.7x slower when
// two test processes share the two cores.)
template <typename Work>
void onOneBlasThread(const Work& work) {
    if (omp_in_parallel() || omp_get_max_threads() == 1) {
        work();
        return;
    }
    const int previous = omp_get_max_threads();
    omp_set_num_threads(1);
    try {
        work();
    } catch (...) {
        omp_set_num_threads(previous);
        throw;
    }
    omp_set_num_threads(previous);
}

void product(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, WeightLayout layout, at::Tensor& y) {
    const auto w = layout == WeightLayout::OutIn ? weight.t() : weight;
    if (bias.defined()) at::addmm_out(y, bias, x, w);
    else at::mm_out(y, x, w);
}

// The product over rows padded to a multiple of `period` (and at least kMinRows), in at most
// `maxChunks` single-threaded chunks of whole periods, each at least kMinRows long.
at::Tensor chunkedLinear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, WeightLayout layout,
                         int64_t period, int64_t maxChunks) {
    const int64_t in = x.size(-1), out = layout == WeightLayout::OutIn ? weight.size(0) : weight.size(1);
    const int64_t rows = x.numel() / in;
    const int64_t padded = std::max(roundUp(kMinRows, period), roundUp(rows, period));
    at::Tensor input = x.reshape({rows, in});
    if (padded != rows || !input.is_contiguous()) {
        auto full = at::zeros({padded, in}, x.options());
        full.narrow(0, 0, rows).copy_(input);
        input = full;
    }
    auto y = at::empty({padded, out}, x.options());
    const int64_t groups = padded / period;
    // A chunk also has enough work to pay for a parallel region (~2M multiply-adds, 20 us).
    const int64_t byWork = padded * in * out / kChunkWork;
    const int64_t chunks = std::max<int64_t>(1, std::min({maxChunks, padded / roundUp(kMinRows, period), byWork}));
    const auto run = [&](int64_t c) {
        const int64_t r0 = groups * c / chunks * period, r1 = groups * (c + 1) / chunks * period;
        auto part = y.narrow(0, r0, r1 - r0);
        product(input.narrow(0, r0, r1 - r0), weight, bias, layout, part);
    };
    if (chunks == 1) {
        onOneBlasThread([&] { run(0); });
    } else {  // one chunk per thread of a parallel region
        at::parallel_for(0, chunks, 1, [&](int64_t begin, int64_t end) {
            const c10::InferenceMode inference;  // thread-local: the pool's threads do not inherit it
            for (int64_t c = begin; c < end; ++c) run(c);
        });
    }
    auto shape = x.sizes().vec();
    shape.back() = out;
    return y.narrow(0, 0, rows).view(shape);
}

// Whether a block of rows comes out with the same bits at several offsets (multiples of
// `period`), in products of several lengths and chunk counts.
bool exactAt(int64_t period, const at::Tensor& weight, const at::Tensor& bias, WeightLayout layout, at::Generator& gen) {
    const int64_t in = layout == WeightLayout::OutIn ? weight.size(1) : weight.size(0);
    const int64_t block = roundUp(40, period);
    const auto rows = at::randn({block, in}, gen);
    const auto reference = chunkedLinear(rows, weight, bias, layout, period, 1);
    struct Placement {
        int64_t before, after, chunks;
    };
    // The last placement is long enough that chunkedLinear's work bound lets it split in 3.
    const int64_t out = layout == WeightLayout::OutIn ? weight.size(0) : weight.size(1);
    const int64_t splitRows = roundUp(std::max<int64_t>(90, 3 * kChunkWork / (in * out)), period);
    const Placement placements[] = {{period, 0, 1}, {3 * period, period, 1}, {roundUp(100, period), roundUp(37, period), 1},
                                    {roundUp(60, period), splitRows, 3}};
    for (const auto& p : placements) {
        auto x = at::randn({p.before + block + p.after, in}, gen);
        x.narrow(0, p.before, block).copy_(rows);
        if (!at::equal(chunkedLinear(x, weight, bias, layout, period, p.chunks).narrow(0, p.before, block), reference))
            return false;
    }
    return true;
}

RowPeriod measure(int64_t in, int64_t out, WeightLayout layout, bool withBias) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(20201215);
    const auto weight = layout == WeightLayout::OutIn ? at::randn({out, in}, gen) : at::randn({in, out}, gen);
    const auto bias = withBias ? at::randn({out}, gen) : at::Tensor();
    for (int64_t period : {1, 2, 3, 4, 6, 8, 12, 16, 24, 48})
        if (exactAt(period, weight, bias, layout, gen)) return {period, true};
    return {48, false};
}

}  // namespace

RowPeriod rowPeriod(int64_t in, int64_t out, WeightLayout layout, bool bias) {
    static std::mutex mutex;
    static std::map<std::tuple<int64_t, int64_t, int, bool>, RowPeriod> known;
    const std::lock_guard<std::mutex> lock(mutex);
    const auto key = std::make_tuple(in, out, static_cast<int>(layout), bias);
    auto it = known.find(key);
    if (it == known.end()) {
        c10::InferenceMode guard;
        it = known.emplace(key, measure(in, out, layout, bias)).first;
    }
    return it->second;
}

RowPeriod rowPeriod(const std::vector<ProductShape>& shapes, WeightLayout layout, bool bias) {
    RowPeriod all;
    for (const auto& s : shapes) {
        const auto p = rowPeriod(s.in, s.out, layout, bias);
        all.rows = std::lcm(all.rows, p.rows);
        all.exact = all.exact && p.exact;
    }
    return all;
}

at::Tensor rowExactLinear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, WeightLayout layout,
                          int64_t period) {
    const int64_t threads = at::in_parallel_region() ? 1 : at::get_num_threads();
    return chunkedLinear(x, weight, bias, layout, std::max<int64_t>(1, period), threads);
}

}  // namespace expertscope
