#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: installs what is missing, builds, then
#   run    launches the application (extra arguments go to it)
#   test   runs the whole test suite (this is what CI runs)
#   sanitize  builds with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/) and
#          runs the suite there (CI runs it after `test`)
#   package  builds the .deb (build/expertscope_VERSION_amd64.deb) and checks it as a user's
#          machine meets it: validators, the installed CLI and GUI (packaging/check-package.sh)
#   bench  runs the benchmarks, printing JSON
#   demo   builds the demo project if it is missing
#   build  only builds
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
what=${1:-run}
[ $# -gt 0 ] && shift

bash "$here/packaging/setup-debian.sh"
cmake -S "$here" -B "$here/build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$here/build" -j2

# The demo project: WordNet concepts analysed with the committed demo model (under a
# minute); rebuilt when missing or older than the model. `expertscope-demo model`
# retrains the model itself (about 37 minutes; see README "The demo").
demo() {
  local project="$here/build/demo/demo.esproj" model="$here/resources/demo/model/model.safetensors"
  if [ ! -f "$project" ] || [ "$model" -nt "$project" ]; then
    echo "Building the demo project (WordNet concepts x the demo model)..." >&2
    (cd "$here" && build/app/expertscope-demo project --out "$project" >/dev/null)
  fi
}

case "$what" in
  run)   demo; exec "$here/build/app/expertscope" "$@" ;;
  test)  cd "$here/build"
         status=0
         ctest --output-on-failure -j2 "$@" || status=$?
         # A Qt Test binary whose functions skip still passes: say what was skipped and why
         # (CI sets EXPERTSCOPE_REQUIRE_ASSETS=1, which turns missing assets into failures).
         skips=$(grep -h '^SKIP   :' Testing/Temporary/LastTest*.log 2>/dev/null | sed 's/^SKIP   : //' | sort -u || true)
         [ -z "$skips" ] || printf '%s test functions were skipped:\n%s\n' "$(wc -l <<<"$skips")" "$skips" >&2
         exit $status ;;
  sanitize)
         # Every test binary once (the per-function and BLAS-kernel reruns repeat the same code);
         # any report aborts its test. LibTorch, Qt and OpenBLAS are not instrumented.
         cmake -S "$here" -B "$here/build-asan" -G Ninja -DCMAKE_BUILD_TYPE=Release -DEXPERTSCOPE_SANITIZE=ON >/dev/null
         cmake --build "$here/build-asan" -j2
         cd "$here/build-asan"
         export ASAN_OPTIONS=detect_leaks=1:check_initialization_order=1:strict_init_order=1 UBSAN_OPTIONS=print_stacktrace=1
         ctest --output-on-failure -j2 -E '_each_function_alone$|_haswell_kernels$|_skylakex_kernels$' "$@" ;;
  package)
         (cd "$here/build" && cpack -G DEB >/dev/null)
         deb="$here/build/expertscope_$(sed -n 's/^project(Expertscope VERSION \([0-9.]*\).*/\1/p' "$here/CMakeLists.txt")_$(dpkg --print-architecture).deb"
         echo "package: $deb" >&2
         bash "$here/packaging/check-package.sh" "$deb" "$here/build/package-check" ;;
  bench) cmake --build "$here/build" --target bench ;;
  demo)  demo ;;
  build) ;;
  *) echo "usage: $0 run|test|sanitize|package|bench|demo|build" >&2; exit 2 ;;
esac
