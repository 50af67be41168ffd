#!/usr/bin/env bash
# Before/after in one run: the same benchmark from two build folders, alternated (A B A B ...)
# so both see the same machine state, then one JSON object with each build's runs and the
# ratio of their best collection rates.
#   bench/compare.sh BEFORE_BUILD AFTER_BUILD [rounds] [benchmarks...]
# e.g. bench/compare.sh /tmp/baseline/build build 2 bench_runtime bench_gpt2
set -euo pipefail
before=$1 after=$2 rounds=${3:-2}
shift $(( $# < 3 ? $# : 3 ))
benches=(bench_runtime bench_gpt2)
[ $# -eq 0 ] || benches=("$@")
out=$(mktemp -d)
for b in "${benches[@]}"; do
  for r in $(seq 1 "$rounds"); do
    for side in before after; do
      dir=$before; [ "$side" = after ] && dir=$after
      "$dir/bench/$b" > "$out/$b.$side.$r.json"
    done
  done
done
python3 - "$out" "$rounds" "${benches[@]}" <<'PY'
import json, sys, pathlib
out, rounds, benches = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
result = {}
for b in benches:
    sides = {s: [json.loads((out / f"{b}.{s}.{r}.json").read_text()) for r in range(1, rounds + 1)]
             for s in ("before", "after")}
    best = {s: max(run["collection_best"]["sentences_per_s"] for run in runs) for s, runs in sides.items()}
    result[b] = {
        "rounds": rounds,
        "before_sentences_per_s": [run["collection_best"]["sentences_per_s"] for run in sides["before"]],
        "after_sentences_per_s": [run["collection_best"]["sentences_per_s"] for run in sides["after"]],
        "after_over_before_best": best["after"] / best["before"],
        "after_runs": [run["collection"] for run in sides["after"]],
        "before_runs": [run["collection"] for run in sides["before"]],
        "environment": sides["after"][0]["environment"],
    }
print(json.dumps(result, indent=2))
PY
