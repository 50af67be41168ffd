#!/usr/bin/env bash
# Bounded fuzzing of every parser that reads user files (tests/fuzz/). Usage:
#   packaging/fuzz.sh [seconds-per-target [target...]]   (default: 60 s, every target)
# Builds the libFuzzer targets with clang into build-fuzz/, gives each a corpus of its kept
# inputs (tests/fuzz/inputs/<target>/) and seeds derived from ../shared (EXPERTSCOPE_SHARED),
# runs each for the given time, and prints one JSON line per target:
#   {"target", "seconds", "executions", "execs_per_second", "corpus_files", "crashes"}
# Exits non-zero when a target crashed; the input that did it is kept in build-fuzz/crashes/
# (its path and the report are printed). Fix the parser, then keep the input in
# tests/fuzz/inputs/<target>/ under a name saying what it is: the ordinary build replays it.
# Without ../shared the kept inputs alone are the corpora, unless EXPERTSCOPE_REQUIRE_ASSETS=1
# (CI), where that is an error. EXPERTSCOPE_FUZZ_CXX names the compiler (clang++-14).
set -euo pipefail
seconds=${1:-60}
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [seconds-per-target [target...]]" >&2; exit 2; }
shift || true
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${EXPERTSCOPE_SHARED:-$root/../shared}
build=$root/build-fuzz

if [ ! -d "$shared/models" ]; then
  if [ "${EXPERTSCOPE_REQUIRE_ASSETS:-}" = 1 ]; then
    echo "fuzz.sh: MISSING: shared assets at $shared (set EXPERTSCOPE_SHARED); EXPERTSCOPE_REQUIRE_ASSETS=1 requires them" >&2
    exit 1
  fi
  echo "fuzz.sh: no shared assets at $shared: the corpora are the kept inputs alone" >&2
  shared=
fi

bash "$root/packaging/setup-debian.sh" >&2  # clang-14, its fuzzer runtime, the static sentencepiece
cmake -S "$root/tests/fuzz" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="${EXPERTSCOPE_FUZZ_CXX:-clang++-14}" >/dev/null
cmake --build "$build" -j"${EXPERTSCOPE_BUILD_JOBS:-$(nproc)}" >/dev/null

work=$(mktemp -d)
# The files each input is written to go to memory where there is a tmpfs: on a disk every
# input's write costs more than its parse (20-25x fewer executions measured here).
scratch=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
trap 'rm -rf "$work" "$scratch"' EXIT
[ -z "$shared" ] || python3 "$root/tests/fuzz/seeds.py" shared "$shared" "$work/seeds"

targets=(fuzz_safetensors fuzz_safetensors_index fuzz_model_config fuzz_tokenizer_json fuzz_bpe_files
         fuzz_vocab_txt fuzz_sentencepiece fuzz_gguf fuzz_llama2c_header fuzz_concepts fuzz_project)
[ $# -eq 0 ] || targets=("$@")
# Reports with the stack of an undefined-behaviour finding too, symbolised where possible.
export UBSAN_OPTIONS=print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}
symbolizer=$(command -v llvm-symbolizer || command -v llvm-symbolizer-14 || true)
[ -z "$symbolizer" ] || export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$symbolizer}
final_stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -1; }
failed=0
for target in "${targets[@]}"; do
  corpus=$work/corpus/$target
  crashes=$build/crashes/$target
  mkdir -p "$corpus" "$crashes" "$scratch/$target"
  cp "$root/tests/fuzz/inputs/$target/"* "$corpus/"
  [ ! -d "$work/seeds/$target" ] || cp "$work/seeds/$target/"* "$corpus/"
  dict=()
  case $target in
    fuzz_gguf) dict=(-dict="$root/tests/fuzz/gguf.dict") ;;
    fuzz_safetensors | fuzz_safetensors_index | fuzz_model_config | fuzz_tokenizer_json | fuzz_bpe_files | fuzz_concepts)
      dict=(-dict="$root/tests/fuzz/json.dict") ;;
  esac
  find "$crashes" -type f | sort >"$work/before"
  start=$(date +%s)
  status=0
  # The parsers' files go under $scratch (removed at exit, even after a crash).
  TMPDIR=$scratch/$target "$build/$target" "$corpus" "${dict[@]}" -max_total_time="$seconds" -rss_limit_mb=2048 \
    -timeout=10 -max_len=1048576 -print_final_stats=1 -artifact_prefix="$crashes/" >"$work/$target.log" 2>&1 || status=$?
  elapsed=$(($(date +%s) - start))
  executions=$(final_stat number_of_executed_units "$work/$target.log")
  rate=$(final_stat average_exec_per_sec "$work/$target.log")
  new=$(find "$crashes" -type f | sort | comm -13 "$work/before" -)
  found=$(printf '%s' "$new" | grep -c . || true)
  if [ "$status" -ne 0 ] && [ "$found" -eq 0 ]; then found=1; fi  # died without leaving an input
  printf '{"target": "%s", "seconds": %d, "executions": %s, "execs_per_second": %s, "corpus_files": %d, "crashes": %d}\n' \
    "$target" "$elapsed" "${executions:-0}" "${rate:-0}" "$(find "$corpus" -type f | wc -l)" "$found"
  if [ "$found" -ne 0 ]; then
    failed=1
    echo "fuzz.sh: $target crashed (exit $status); its report:" >&2
    # From the finding's first line: the sanitizer's or libFuzzer's report and its stacks.
    # (|| true: under pipefail a report without those words, or head closing the pipe, would
    # end the script here, before the input's path and the other targets.)
    first=$({ grep -nE '==[0-9]+== ?ERROR|runtime error|terminate called|deadly signal' "$work/$target.log" || true; } | head -1 | cut -d: -f1)
    { tail -n +"${first:-1}" "$work/$target.log" | grep -vE '^(#[0-9]|  0x[0-9a-f]+: | {2}[A-Z][a-z ]+:)' | head -80 >&2; } || true
    [ -z "$new" ] || printf 'fuzz.sh: crash input: %s\n' $new >&2
  fi
done
exit $failed
