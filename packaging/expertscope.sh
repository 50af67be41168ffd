#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: installs what is missing, builds, then
#   run    launches the application (extra arguments go to it)
#   test   runs the whole test suite (this is what CI runs)
#   bench  runs the benchmarks, printing JSON
#   build  only builds
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
what=${1:-run}
[ $# -gt 0 ] && shift

bash "$here/packaging/setup-debian.sh"
cmake -S "$here" -B "$here/build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$here/build" -j2

case "$what" in
  run)   exec "$here/build/app/expertscope" "$@" ;;
  test)  cd "$here/build" && exec ctest --output-on-failure -j2 "$@" ;;
  bench) exec "$here/build/bench/bench_runtime" "$@" ;;
  build) ;;
  *) echo "usage: $0 run|test|bench|build" >&2; exit 2 ;;
esac
