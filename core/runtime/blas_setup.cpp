#include "core/runtime/blas_setup.h"

#include <ATen/ATen.h>

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>

namespace expertscope {
namespace {

const char* openblasCore() {
    using Fn = char* (*)();
    auto fn = reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
    return fn ? fn() : nullptr;
}

}  // namespace

void selectBlasKernel(char** argv) {
    if (std::getenv("OPENBLAS_CORETYPE") || std::getenv("EXPERTSCOPE_BLAS_CHOSEN")) return;
    const char* core = openblasCore();
    if (!core) return;  // not OpenBLAS
    static const std::set<std::string> preAvx2{"prescott", "core2", "penryn", "dunnington", "nehalem", "atom",
                                               "sandybridge", "unknown"};
    std::string name(core);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!preAvx2.count(name)) return;
    // The kernels OpenBLAS itself picks for CPUs it knows with these features.
    const char* chosen = nullptr;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl"))
        chosen = "SkylakeX";
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        chosen = "Haswell";
    if (!chosen) return;
    setenv("OPENBLAS_CORETYPE", chosen, 1);
    setenv("EXPERTSCOPE_BLAS_CHOSEN", "1", 1);  // never loop
    execv("/proc/self/exe", argv);
    // execv failed: carry on with the slow kernels rather than not at all.
}

std::string blasDescription() {
    using Fn = char* (*)();
    auto config = reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, "openblas_get_config"));
    if (config) return std::string(config()) + ", core " + openblasCore();
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        const auto slash = line.find('/');
        if (slash != std::string::npos && line.find("blas", slash) != std::string::npos) return line.substr(slash);
    }
    return "unknown BLAS";
}

double matrixProductGflops(int n) {
    using Clock = std::chrono::steady_clock;
    const auto a = at::randn({n, n}), b = at::randn({n, n});
    at::mm(a, b);
    double best = 1e9;
    for (int r = 0; r < 3; ++r) {
        const auto t = Clock::now();
        for (int i = 0; i < 10; ++i) at::mm(a, b);
        best = std::min(best, std::chrono::duration<double>(Clock::now() - t).count() / 10);
    }
    return 2.0 * n * n * n / best / 1e9;
}

}  // namespace expertscope
