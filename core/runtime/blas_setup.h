#pragma once
// OpenBLAS picks its kernels from the CPU model when it is loaded. On processors newer
// than its tables (seen here: a Xeon it takes for a Prescott) it falls back to kernels
// without AVX, which run matrix products 3-5x slower. That choice is made before main(),
// so the only remedy is to start again with OPENBLAS_CORETYPE set.
#include <string>

namespace expertscope {

// Call first in main(). When OPENBLAS_CORETYPE is unset and OpenBLAS chose a pre-AVX2
// core on a CPU with AVX-512 (F, BW, DQ, VL) or AVX2 and FMA, re-executes the program
// once with OPENBLAS_CORETYPE=SkylakeX or Haswell, the kernels OpenBLAS picks itself for
// CPUs it knows with those features (and does not return). A value the user set is
// always kept.
void selectBlasKernel(char** argv);

// "OpenBLAS 0.3.21 ... core Haswell" or the library file behind libblas.so.3.
std::string blasDescription();

// Best-of-3 float32 n x n matrix product rate through LibTorch, in GFLOP/s: the practical
// arithmetic peak the benchmarks relate their times to.
double matrixProductGflops(int n);

}  // namespace expertscope
