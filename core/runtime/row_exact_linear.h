#pragma once
// Linear layers over token rows whose every row comes out bit-identical whatever other rows
// share the product: a sentence's responses then do not depend on its batch, its place in
// the batch, the worker or the thread count, so reuse and resume are exact.
//
// Why it needs care: a BLAS product's row result can depend on where the row lies. Measured
// with OpenBLAS 0.3.21 (tests/tst_row_exact_linear.cpp checks it on every machine): the
// Haswell and Zen kernels round a row differently by its position modulo 12 and when it lies
// in the last, partial group of 12 rows; SkylakeX, Cooperlake and Sandybridge did not depend
// on position at all; several threads split the rows at places of their own choosing. So:
//   - every product runs single-threaded on chunks of whole periods (threads take chunks);
//   - a chunk has at least kMinRows rows and a multiple of the period (zero rows pad it);
//   - callers start every sequence at a row that is a multiple of the period.
// The period is measured once per product shape on the machine's own BLAS (rowPeriod).
#include <ATen/ATen.h>

#include <vector>

namespace expertscope {

enum class WeightLayout {
    OutIn,  // [out, in], y = x W^T (Llama's nn.Linear)
    InOut   // [in, out], y = x W + b (GPT-2's Conv1D)
};

// Fewest rows one product is given: tiny products can take other kernels (GEMV for one row).
constexpr int64_t kMinRows = 48;

// The smallest row period (1, 2, 3, 4, 6, 8, 12, 16, 24 or 48) at which products of this
// shape are row-exact here, measured on first use and remembered; 48 with `exact` false when
// none is (a BLAS this has never met), so the caller can say so.
struct RowPeriod {
    int64_t rows = 1;
    bool exact = true;
};
RowPeriod rowPeriod(int64_t in, int64_t out, WeightLayout layout, bool bias);

// The alignment that makes all of a model's products exact: the least common multiple of
// their periods (a divisor of 48), exact when each of them is.
struct ProductShape {
    int64_t in, out;
};
RowPeriod rowPeriod(const std::vector<ProductShape>& shapes, WeightLayout layout, bool bias);

// y = x W^T or x W + b for x [..., in], computed as above. `period` is the caller's row
// alignment (a multiple of rowPeriod for this shape).
at::Tensor rowExactLinear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, WeightLayout layout,
                          int64_t period);

}  // namespace expertscope
