#!/usr/bin/env bash
# Submits an Expertscope analysis to Slurm: a job array with one task per shard of the concept
# set (expertscope-shard.sbatch), then a merge job (expertscope-merge.sbatch) that waits for the
# whole array to succeed (--dependency=afterok). Prints the two job ids as
#   array_job=ID
#   merge_job=ID
# Submitting the same command again resumes: every shard's project keeps its finished concepts,
# and the merge takes the earlier merged.esproj in as well. See README.md.
set -euo pipefail

usage() {
  cat >&2 <<'EOF'
usage: submit.sh --model PATH --concepts DIR --out DIR --shards N [--tokenizer PATH]
                 [--cpus K] [--max-parallel M] [--analyse-opts "OPTIONS"] [--cli PATH]
                 [--local-dir DIR] [-- SBATCH_OPTIONS...]
  --model, --tokenizer  as for expertscope-cli analyse (--model also takes hf:ORG/NAME)
  --concepts            the concept-set folder (concept_list.csv and GROUP/CONCEPT.json)
  --out                 the output folder: shards/ (one project per shard), logs/, merged.esproj
  --shards              N, the number of array tasks; keep it the same when submitting again
  --cpus                CPUs (and analysis threads) per shard task (default 1)
  --max-parallel        run at most M shard tasks at once (--array=1-N%M)
  --analyse-opts        more analyse options for every shard, e.g. "--pooling mean --seq-len 128"
  --cli                 the expertscope-cli the jobs run (default: the one on PATH)
  --local-dir           a folder on each node's own disk where the jobs work (README.md)
  after --              options for both sbatch calls, e.g. -- --partition=cpu --time=2:00:00
EOF
  exit 2
}
die() { echo "submit.sh: $*" >&2; exit 2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
model="" tokenizer="" concepts="" out="" shards="" cpus=1 max_parallel="" analyse_opts="" cli="" local_dir=""
sbatch_opts=()
while [ $# -gt 0 ]; do
  case $1 in
    --model|--tokenizer|--concepts|--out|--shards|--cpus|--max-parallel|--analyse-opts|--cli|--local-dir)
      [ $# -ge 2 ] || die "$1 needs a value"
      case $1 in
        --model) model=$2 ;; --tokenizer) tokenizer=$2 ;; --concepts) concepts=$2 ;; --out) out=$2 ;;
        --shards) shards=$2 ;; --cpus) cpus=$2 ;; --max-parallel) max_parallel=$2 ;;
        --analyse-opts) analyse_opts=$2 ;; --cli) cli=$2 ;; --local-dir) local_dir=$2 ;;
      esac
      shift 2 ;;
    --) shift; sbatch_opts=("$@"); break ;;
    -h|--help) usage ;;
    *) echo "submit.sh: unknown option: $1" >&2; usage ;;
  esac
done
if [ -z "$model" ] || [ -z "$concepts" ] || [ -z "$out" ] || [ -z "$shards" ]; then usage; fi
[[ $shards =~ ^[1-9][0-9]*$ ]] || die "--shards must be a positive number, not '$shards'"
[[ $cpus =~ ^[1-9][0-9]*$ ]] || die "--cpus must be a positive number, not '$cpus'"
[ -z "$max_parallel" ] || [[ $max_parallel =~ ^[1-9][0-9]*$ ]] || die "--max-parallel must be a positive number"
command -v sbatch >/dev/null 2>&1 || die "sbatch not found: run this on a Slurm login node"

# Absolute paths: the jobs may start in another folder, on another node.
case $model in
  hf:*) ;;
  *) [ -e "$model" ] || die "--model: no such file or folder: $model"; model=$(realpath "$model") ;;
esac
if [ -n "$tokenizer" ]; then
  [ -e "$tokenizer" ] || die "--tokenizer: no such file or folder: $tokenizer"
  tokenizer=$(realpath "$tokenizer")
fi
[ -f "$concepts/concept_list.csv" ] || die "--concepts: $concepts has no concept_list.csv"
concepts=$(realpath "$concepts")
if [ -z "$cli" ]; then
  cli=$(command -v expertscope-cli) || die "expertscope-cli is not on PATH; name it with --cli"
fi
[ -x "$cli" ] || die "--cli: not an executable file: $cli"
cli=$(realpath "$cli")
if [ -n "$local_dir" ] && [[ $local_dir != /* ]] && [[ $local_dir != \$* ]]; then
  die "--local-dir must be an absolute path on the nodes (or a variable such as '\$TMPDIR'), not '$local_dir'"
fi
mkdir -p "$out/shards" "$out/logs"
out=$(realpath "$out")

# Two arrays writing the same shard projects would be two writers of one SQLite file, possibly
# from two nodes: refuse while jobs of an earlier submission for this folder are queued or running.
tag="expertscope:$out"
if queued=$(squeue -h -u "$(id -un)" -o '%i %k' 2>/dev/null); then
  busy=$(awk -v tag="$tag" '{ id = $1; sub(/^[^ ]+ /, ""); if ($0 == tag) print id }' <<<"$queued" | paste -sd' ' -)
  [ -z "$busy" ] || die "jobs of an earlier submission for $out are still queued or running ($busy); wait for them or scancel them first"
fi

# Everything the jobs need goes through the environment, named in --export (values may hold
# commas or spaces that way). Optional ones are set empty, so nothing leaks in from the caller.
export EXPERTSCOPE_MODEL=$model EXPERTSCOPE_TOKENIZER=$tokenizer EXPERTSCOPE_CONCEPTS=$concepts \
       EXPERTSCOPE_OUT=$out EXPERTSCOPE_SHARDS=$shards EXPERTSCOPE_ANALYSE_OPTS=$analyse_opts \
       EXPERTSCOPE_CLI=$cli EXPERTSCOPE_LOCAL_DIR=$local_dir
export_list=ALL,EXPERTSCOPE_MODEL,EXPERTSCOPE_TOKENIZER,EXPERTSCOPE_CONCEPTS,EXPERTSCOPE_OUT,EXPERTSCOPE_SHARDS
export_list+=,EXPERTSCOPE_ANALYSE_OPTS,EXPERTSCOPE_CLI,EXPERTSCOPE_LOCAL_DIR

array=1-$shards${max_parallel:+%$max_parallel}
array_job=$(sbatch --parsable --array="$array" --cpus-per-task="$cpus" --export="$export_list" \
  --comment="$tag" --output="$out/logs/shard-%a-of-$shards.%A.out" "${sbatch_opts[@]}" \
  "$here/expertscope-shard.sbatch") || die "sbatch refused the array (see above)"
array_job=${array_job%%;*}  # --parsable prints ID or ID;CLUSTER
merge_job=$(sbatch --parsable --dependency="afterok:$array_job" --kill-on-invalid-dep=yes --cpus-per-task=1 \
  --export="$export_list" --comment="$tag" --output="$out/logs/merge.%j.out" "${sbatch_opts[@]}" \
  "$here/expertscope-merge.sbatch") || {
  echo "submit.sh: sbatch refused the merge job (see above); the array $array_job runs without it:" \
       "submit this command again after it ends, or scancel $array_job" >&2
  exit 1
}
merge_job=${merge_job%%;*}
echo "submit.sh: array job $array_job: shards $array of $shards, $cpus CPU(s) each, projects in $out/shards, logs in $out/logs" >&2
echo "submit.sh: merge job $merge_job: after every shard succeeds, into $out/merged.esproj" >&2
echo "array_job=$array_job"
echo "merge_job=$merge_job"
