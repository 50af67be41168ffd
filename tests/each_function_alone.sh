#!/usr/bin/env bash
# Runs every test function of a Qt Test binary in a process of its own (initTestCase and
# cleanupTestCase around it), so no function passes only because an earlier one left
# something behind. Fails on the first function that fails alone, naming it.
#   tests/each_function_alone.sh BINARY
set -uo pipefail
binary=$1
functions=$("$binary" -functions) || { echo "$binary -functions failed" >&2; exit 1; }
count=0
for f in $functions; do
  name=${f%()}
  case "$name" in initTestCase|cleanupTestCase|init|cleanup) continue ;; esac
  if ! output=$("$binary" "$name" 2>&1); then
    echo "$output"
    echo "FAILED when run alone: $(basename "$binary") $name" >&2
    exit 1
  fi
  count=$((count + 1))
done
echo "$(basename "$binary"): $count functions passed, each run alone"
