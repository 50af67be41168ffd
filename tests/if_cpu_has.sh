#!/usr/bin/env bash
# Runs a test only where the CPU has the named instruction-set flags (as /proc/cpuinfo
# spells them); elsewhere exits 77, which CTest reports as skipped, saying why.
#   tests/if_cpu_has.sh "avx512f avx512bw" COMMAND...
set -euo pipefail
for flag in $1; do
  if ! grep -qw "$flag" /proc/cpuinfo; then
    echo "SKIPPED: this CPU has no $flag"
    exit 77
  fi
done
shift
exec "$@"
