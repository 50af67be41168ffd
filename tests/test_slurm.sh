#!/usr/bin/env bash
# packaging/slurm/ on a real Slurm: a single-node cluster on localhost from Debian's packages
# (munge, slurmctld, slurmd, slurm-client), configured and started here in a temporary folder
# with a private munge socket and ports of its own, so it touches no Slurm or munge the machine
# may run. packaging/slurm/submit.sh runs a small concept set on stories260K as a 3-task array
# and a dependent merge; the merged project must equal a local single-process analysis exactly
# (every stored result, byte for byte). Then the same command is submitted again: every shard
# must report all its concepts as already done, and the merge must be the same again. Last,
# one shard's project and the merged project are removed and the command submitted with
# --local-dir: that shard is analysed afresh on "node-local" disk, copied back, and merged.
#   bash tests/test_slurm.sh EXPERTSCOPE_CLI SHARED_DIR
# Exit 77 (skipped), saying why: Slurm or munge not installed (a failure when
# EXPERTSCOPE_REQUIRE_ASSETS=1, as in CI), shared assets missing (likewise), or the machine
# forbids starting the daemons (also in CI: nothing here can change that). Everything the
# test starts is stopped on exit, and its folder removed (kept with EXPERTSCOPE_SLURM_KEEP=1).
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 EXPERTSCOPE_CLI SHARED_DIR" >&2; exit 2; }
cli=$(realpath "$1") shared=$2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
submit=$root/packaging/slurm/submit.sh
export PATH="$PATH:/usr/sbin:/sbin"  # the daemons live in sbin, often not on a user's PATH
# Run from inside a Slurm job (or with a user's sbatch defaults), the Slurm commands would take
# options from these; the private cluster must not.
while read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(SLURM|SBATCH|SALLOC|SRUN|SQUEUE|SINFO|SCONTROL|SCANCEL)_' || true)
started=$SECONDS

say() { echo "test_slurm: [$((SECONDS - started))s] $*"; }
skip() { echo "SKIP   : test_slurm: $*"; exit 77; }
missing() {
  if [ "${EXPERTSCOPE_REQUIRE_ASSETS:-}" = 1 ]; then
    echo "FAIL   : test_slurm: MISSING: $* (EXPERTSCOPE_REQUIRE_ASSETS=1 requires it; packaging/setup-debian.sh installs the packages)"
    exit 1
  fi
  skip "$*"
}

# --- what the test needs --------------------------------------------------------------------
[ -x "$cli" ] || { echo "FAIL   : test_slurm: not an executable: $cli"; exit 1; }
model=$shared/models/stories260K/stories260K.bin
tokenizer=$shared/models/stories260K/tok512.model
football=$shared/concepts/onesec/sense/football-1_04_00__.json
for f in "$model" "$tokenizer" "$football"; do
  [ -f "$f" ] || missing "shared asset missing: $f"
done
absent=()
for tool in munged munge unmunge slurmctld slurmd slurmstepd sbatch squeue sinfo scontrol scancel; do
  command -v "$tool" >/dev/null 2>&1 || absent+=("$tool")
done
[ ${#absent[@]} -eq 0 ] || missing "not installed: ${absent[*]} (Debian packages munge slurmctld slurmd slurm-client)"
command -v python3 >/dev/null 2>&1 || missing "python3 is not installed"
usage=$("$cli" 2>&1 || true)
if ! grep -q -e '--shard' <<<"$usage" || ! grep -Eq '^ +merge( |$)' <<<"$usage"; then
  echo "FAIL   : test_slurm: $cli has no analyse --shard or no merge command"; exit 1
fi

# --- the temporary folder and the clean-up ----------------------------------------------------
# Short, so that the munge socket's path fits a socket address; 755 because munged requires
# every folder above its socket to be searchable by all (and none writable by others but /tmp).
tmp=$(mktemp -d /tmp/es-slurm.XXXXXX)
chmod 755 "$tmp"
pids=()  # the daemons, in the order they are stopped
user=$(id -un)
# The processes that run from this test's folder, whoever started them (job steps,
# slurmscriptd): only they name it in their command line or environment, or hold a file in it
# open (slurmstepd clears its environment, but writes slurmd's log and the job's output).
# ours [PID...]: leaves out those PIDs and their children.
ours() {
  python3 - "$tmp" $$ "$BASHPID" "$@" <<'EOF'
import os, sys
folder, skip = sys.argv[1], {int(x) for x in sys.argv[2:]} | {os.getpid()}
for pid in filter(str.isdigit, os.listdir("/proc")):
    if int(pid) in skip: continue
    try:
        if int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1]) in skip: continue
        found = any(folder.encode() in open(f"/proc/{pid}/{f}", "rb").read() for f in ("cmdline", "environ"))
        fds = f"/proc/{pid}/fd"
        found = found or any(os.readlink(f"{fds}/{fd}").startswith(folder + "/") for fd in os.listdir(fds))
    except OSError:
        continue  # gone meanwhile, or not ours to read
    if found: print(pid)
EOF
}
cleanup() {
  local rc=$? p i
  set +e
  trap - EXIT INT TERM
  # Jobs first (this cluster's only: SLURM_CONF is the private one), so no job step outlives slurmd.
  if [ -n "${ctld_pid:-}" ] && kill -0 "$ctld_pid" 2>/dev/null && [ -n "$(squeue -h 2>/dev/null)" ]; then
    scancel -u "$user" 2>/dev/null
    for ((i = 0; i < 20; i++)); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.5; done
  fi
  # A finished job's slurmstepd lingers for a moment: let it end by itself.
  for ((i = 0; i < 20; i++)); do [ -z "$(ours "${pids[@]}")" ] && break; sleep 0.25; done
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do
    for ((i = 0; i < 40; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$p" 2>/dev/null
  done
  for ((i = 0; i < 20; i++)); do
    p=$(ours)
    [ -n "$p" ] || break
    # shellcheck disable=SC2086  # a list of process ids
    kill -KILL $p 2>/dev/null
    sleep 0.25
  done
  [ -z "$(ours)" ] || echo "test_slurm: WARNING: processes of this test still run: $(ours)"
  wait 2>/dev/null
  if [ "${EXPERTSCOPE_SLURM_KEEP:-}" = 1 ]; then echo "test_slurm: kept $tmp"; else rm -rf "$tmp"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tail_of() {  # FILE...: the last lines of each file that exists
  local f
  for f in "$@"; do
    [ -s "$f" ] || continue
    echo "----- ${f#"$tmp"/} (last 40 lines)"
    tail -n 40 "$f"
  done
}
logs() {
  tail_of "$tmp/munge/munged.out" "$tmp/munge/munged.log" "$tmp/slurm/slurmctld.log" "$tmp/slurm/slurmctld.out" \
          "$tmp/slurm/slurmd.log" "$tmp/slurm/slurmd.out"
  local f
  for f in "$tmp"/out/logs/*; do tail_of "$f"; done
}
fail() { echo "FAIL   : test_slurm: $*"; logs; exit 1; }
# A daemon that did not come up: a skip when its logs say the machine does not allow it
# (permissions, capabilities, sandbox restrictions), a failure otherwise (a set-up bug here).
not_started() {
  local what=$1; shift
  local text
  text=$(tail_of "$@")
  if grep -Eiq 'permission denied|operation not permitted|not permitted|capabilit|seccomp|read-only file system|function not implemented|address family not supported|cannot assign requested address|setrlimit|prctl|unshare' <<<"$text"; then
    skip "the machine forbids starting Slurm's daemons: $what
$text"
  fi
  fail "$what (the logs below do not say the machine forbids it)"
}

# --- munge on a private socket ----------------------------------------------------------------
mkdir -m 755 "$tmp/munge" "$tmp/slurm"
head -c 1024 /dev/urandom >"$tmp/munge/munge.key"
chmod 600 "$tmp/munge/munge.key"
socket=$tmp/munge/socket
# --force: a throwaway daemon on a private socket; a /tmp with unusual permissions is no reason to stop.
munged -F --force --key-file="$tmp/munge/munge.key" --socket="$socket" --pid-file="$tmp/munge/munged.pid" \
  --log-file="$tmp/munge/munged.log" --seed-file="$tmp/munge/munged.seed" >"$tmp/munge/munged.out" 2>&1 &
munged_pid=$!
munge_ok=""
for ((i = 0; i < 40; i++)); do
  kill -0 "$munged_pid" 2>/dev/null || break
  if [ -S "$socket" ] && munge -n -S "$socket" 2>/dev/null | unmunge -S "$socket" >/dev/null 2>&1; then munge_ok=1; break; fi
  sleep 0.25
done
[ -n "$munge_ok" ] || not_started "munged did not start (or does not answer on $socket)" "$tmp/munge/munged.out" "$tmp/munge/munged.log"
say "munged runs (pid $munged_pid) on $socket"

# --- slurm.conf and the two daemons -----------------------------------------------------------
read -r ctld_port slurmd_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')
cpus=$(nproc)
memory=$(awk '/^MemTotal:/ { m = int($2 / 1024 / 2); print (m > 4000 ? 4000 : m) }' /proc/meminfo)
export SLURM_CONF=$tmp/slurm/slurm.conf
cat >"$SLURM_CONF" <<EOF
# written by tests/test_slurm.sh: a one-node cluster on localhost, nothing outside $tmp
ClusterName=estest
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$tmp/slurm/state
SlurmdSpoolDir=$tmp/slurm/spool
SlurmctldPidFile=$tmp/slurm/slurmctld.pid
SlurmdPidFile=$tmp/slurm/slurmd.pid
SlurmctldLogFile=$tmp/slurm/slurmctld.log
SlurmdLogFile=$tmp/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerParameters=kill_invalid_depend
MinJobAge=3600
MailProg=/bin/true
ReturnToService=2
NodeName=localhost NodeAddr=127.0.0.1 NodeHostname=localhost CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=estest Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
mkdir -p "$tmp/slurm/state" "$tmp/slurm/spool"
slurmctld -D -f "$SLURM_CONF" >"$tmp/slurm/slurmctld.out" 2>&1 &
ctld_pid=$!
slurmd -D -N localhost -f "$SLURM_CONF" >"$tmp/slurm/slurmd.out" 2>&1 &
slurmd_pid=$!
pids=("$slurmd_pid" "$ctld_pid" "$munged_pid")
state=""
for ((i = 0; i < 120; i++)); do  # 30 s
  kill -0 "$ctld_pid" 2>/dev/null || not_started "slurmctld exited at start-up" "$tmp/slurm/slurmctld.out"
  kill -0 "$slurmd_pid" 2>/dev/null || not_started "slurmd exited at start-up" "$tmp/slurm/slurmd.out"
  state=$(sinfo -h -N -n localhost -o %T 2>/dev/null || true)
  [ "$state" != idle ] || break
  sleep 0.25
done
if [ "$state" != idle ]; then
  not_started "the node did not become idle within 30 s (state: ${state:-none}; $(scontrol show node localhost 2>&1 | grep -o 'Reason=.*' || true))" \
    "$tmp/slurm/slurmctld.out" "$tmp/slurm/slurmd.out"
fi
say "slurmctld (port $ctld_port) and slurmd (port $slurmd_port) run; node localhost idle with $cpus CPU(s)"

# --- a small concept set: six slices of OneSec's football, of different sizes -----------------
python3 - "$football" "$tmp/concepts" <<'EOF'
import json, os, sys
source, folder = sys.argv[1], sys.argv[2]
sentences = json.load(open(source, encoding="utf-8"))["sentences"]
pos, neg = sentences["positive"], sentences["negative"]
sizes = [("sense", 34, 30), ("sense", 8, 10), ("sense", 26, 22), ("extra", 14, 30), ("extra", 6, 8), ("extra", 40, 28)]
rows, p0, n0 = ["group,concept"], 0, 0
for k, (group, np_, nn) in enumerate(sizes, 1):
    name = f"football-part{k}"
    os.makedirs(os.path.join(folder, group), exist_ok=True)
    with open(os.path.join(folder, group, name + ".json"), "w", encoding="utf-8") as f:
        json.dump({"concept": name, "group": group, "source": "onesec football, sentences %d-%d / %d-%d" % (p0, p0 + np_, n0, n0 + nn),
                   "sentences": {"positive": pos[p0:p0 + np_], "negative": neg[n0:n0 + nn]}}, f, indent=1)
    rows.append(f"{group},{name}")
    p0 += np_; n0 += nn
open(os.path.join(folder, "concept_list.csv"), "w").write("\n".join(rows) + "\n")
EOF
concept_count=6

# --- helpers: submitting, waiting, checking ----------------------------------------------------
submit_args=(--model "$model" --tokenizer "$tokenizer" --concepts "$tmp/concepts" --out "$tmp/out" --shards 3
             --cpus 1 --cli "$cli")
array_job="" merge_job=""
submit() {  # extra submit.sh options...
  local printed
  printed=$(bash "$submit" "${submit_args[@]}" "$@" 2>"$tmp/submit.err") \
    || fail "submit.sh failed: $(cat "$tmp/submit.err")"
  sed 's/^/  /' "$tmp/submit.err"
  array_job=$(sed -n 's/^array_job=\([0-9][0-9]*\)$/\1/p' <<<"$printed")
  merge_job=$(sed -n 's/^merge_job=\([0-9][0-9]*\)$/\1/p' <<<"$printed")
  if [ -z "$array_job" ] || [ -z "$merge_job" ]; then fail "submit.sh printed no job ids: $printed"; fi
}
# All three submissions' jobs together get 300 s (they take about 30 on two cores);
# EXPERTSCOPE_SLURM_JOB_SECONDS changes that.
job_seconds=${EXPERTSCOPE_SLURM_JOB_SECONDS:-300}
jobs_deadline=""
wait_jobs() {  # until the array and the merge have left the queue
  local queued
  [ -n "$jobs_deadline" ] || jobs_deadline=$((SECONDS + job_seconds))
  while :; do
    queued=$(squeue -h -j "$array_job,$merge_job" -o '%i %T %r' 2>&1) || fail "squeue failed: $queued"
    [ -n "$queued" ] || break
    [ $SECONDS -lt "$jobs_deadline" ] || fail "jobs $array_job (array) and $merge_job (merge) still queued; the jobs' $job_seconds s are over:
$queued"
    if ! kill -0 "$ctld_pid" 2>/dev/null || ! kill -0 "$slurmd_pid" 2>/dev/null; then fail "a Slurm daemon stopped while jobs ran"; fi
    sleep 1
  done
}
check_jobs() {  # every array task and the merge COMPLETED with exit code 0
  local lines bad
  lines=$(scontrol show job -o "$array_job" 2>&1) || fail "scontrol show job $array_job: $lines"
  [ "$(grep -c 'JobState=' <<<"$lines")" -eq 3 ] || fail "the array $array_job does not have 3 tasks: $lines"
  bad=$(grep -v 'JobState=COMPLETED .*ExitCode=0:0' <<<"$lines" || true)
  [ -z "$bad" ] || fail "array tasks that did not succeed: $(sed -E 's/.* ArrayTaskId=([^ ]*) .* JobState=([^ ]*) .* ExitCode=([^ ]*) .*/task \1: \2, exit code \3;/' <<<"$bad" | paste -sd' ' -)"
  lines=$(scontrol show job -o "$merge_job" 2>&1) || fail "scontrol show job $merge_job: $lines"
  grep -q 'JobState=COMPLETED .*ExitCode=0:0' <<<"$lines" \
    || fail "the merge job $merge_job did not succeed: $(grep -o ' JobState=[^ ]*\| Reason=[^ ]*\| ExitCode=[^ ]*' <<<"$lines" | paste -sd' ' -)"
  [ -s "$tmp/out/merged.esproj" ] || fail "no $tmp/out/merged.esproj after the merge job succeeded"
}
# Every shard's summary (OUT/shards/shard-I-of-3.json, also in its job output file): in "first"
# mode every concept analysed once over the shards, none already done; in "again" mode none
# analysed and each shard's own concepts already done (their counts as the first time).
check_summaries() {  # first|again
  local i
  for i in 1 2 3; do
    grep -q '"already_done"' "$tmp/out/logs/shard-$i-of-3.$array_job.out" 2>/dev/null \
      || fail "the job output of shard $i has no analysis summary"
  done
  python3 - "$1" "$tmp/out/shards" "$concept_count" <<'EOF' || fail "the shards' summaries are not as expected (above)"
import json, os, sys
mode, folder, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
counts_file = os.path.join(folder, "..", "first-counts.json")
summaries = [json.load(open(os.path.join(folder, f"shard-{i}-of-3.json"))) for i in (1, 2, 3)]
names = [sorted(c["concept"] for c in s["concepts"]) for s in summaries]
for i, (s, n) in enumerate(zip(summaries, names), 1):
    print(f"  shard {i}: analysed {s['analysed']}, already done {s['already_done']}, sentences run {s['sentences_run']}: {', '.join(n)}")
ok = True
def bad(message):
    global ok
    print("  " + message); ok = False
flat = [c for n in names for c in n]
if len(flat) != total or len(set(flat)) != total:
    bad(f"the shards' concepts are not the {total} concepts, each in one shard: {flat}")
if mode == "first":
    if [s["already_done"] for s in summaries] != [0, 0, 0]: bad("concepts already done in a first run")
    if [s["analysed"] for s in summaries] != [len(n) for n in names]: bad("analysed counts differ from the shards' concepts")
    if any(not n for n in names): bad("a shard with no concept: the set should need all three")
    json.dump([len(n) for n in names], open(counts_file, "w"))
elif mode == "again":
    first = json.load(open(counts_file))
    if [s["analysed"] for s in summaries] != [0, 0, 0]: bad("concepts analysed again on resubmission")
    if [s["already_done"] for s in summaries] != first: bad(f"already done {[s['already_done'] for s in summaries]}, expected {first}")
sys.exit(0 if ok else 1)
EOF
}
# The stored results of two projects, keyed by concept name and probe (not by ids, which
# differ), compared exactly: the BLOBs as hex, the REALs as their exact binary value.
compare() {  # A B
  python3 - "$1" "$2" "$concept_count" <<'EOF'
import sqlite3, sys
a, b, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
columns = {"probe_results": ["name", "probe", "ap", "on_p50", "on_p90", "off_mean", "auroc"],
           "concept_results": ["name", "positives", "negatives", "best_ap", "best_auroc"],
           "top_experts": ["name", "rank", "unit", "ap"]}
queries = {
    "probe_results": """SELECT c.name, p.probe_idx, hex(p.ap), hex(p.on_p50), hex(p.on_p90), hex(p.off_mean), hex(p.auroc)
                        FROM probe_results p JOIN concepts c ON c.id = p.concept_id ORDER BY 1, 2, 3, 4, 5, 6, 7""",
    "concept_results": """SELECT c.name, r.positives, r.negatives, r.best_ap, r.best_auroc
                          FROM concept_results r JOIN concepts c ON c.id = r.concept_id ORDER BY 1, 2, 3, 4, 5""",
    "top_experts": """SELECT c.name, t.rank, t.unit, t.ap
                      FROM top_experts t JOIN concepts c ON c.id = t.concept_id ORDER BY 1, 2, 3, 4""",
}
def exact(row):
    return tuple(v.hex() if isinstance(v, float) else v for v in row)
def dump(path):
    con = sqlite3.connect(path)
    try:
        return {t: [exact(r) for r in con.execute(q)] for t, q in queries.items()}
    finally:
        con.close()
def short(row):
    return "(" + ", ".join(repr(v)[:60] + ("..." if len(repr(v)) > 60 else "") for v in row) + ")"
da, db = dump(a), dump(b)
names = sorted({r[0] for r in da["concept_results"]})
if len(names) != total or len(da["concept_results"]) != total:
    print(f"  {a}: {len(da['concept_results'])} concept results for {names}, expected one for each of {total} concepts")
    sys.exit(1)
for table in queries:
    ra, rb = da[table], db[table]
    if not ra:
        print(f"  {table}: no rows in {a}"); sys.exit(1)
    for k, (x, y) in enumerate(zip(ra, rb)):
        if x != y:
            print(f"  {table}: first difference at row {k}:\n    {a}: {short(x)}\n    {b}: {short(y)}")
            for name, u, v in zip(columns[table], x, y):
                if u != v and isinstance(u, str) and isinstance(v, str) and table == "probe_results" and name != "name":
                    i = next((i for i, (p, q) in enumerate(zip(u, v)) if p != q), min(len(u), len(v))) // 2 * 2
                    print(f"    {name} differs from byte {i // 2} of {len(u) // 2} / {len(v) // 2}: {u[i:i + 16]} vs {v[i:i + 16]}")
                elif u != v:
                    print(f"    {name}: {u!r} vs {v!r}")
            sys.exit(1)
    if len(ra) != len(rb):
        longer = ra if len(ra) > len(rb) else rb
        print(f"  {table}: {len(ra)} rows in {a}, {len(rb)} in {b}; the first extra one: {short(longer[min(len(ra), len(rb))])}")
        sys.exit(1)
print("  equal: " + ", ".join(f"{len(da[t])} {t} rows" for t in queries) + f" over {len(names)} concepts")
EOF
}

# --- 1: the array, the merge, and a local run to compare with ----------------------------------
say "submitting 3 shards and the merge"
submit
# While they are queued, submit.sh refuses a second submission for the same folder.
if bash "$submit" "${submit_args[@]}" >"$tmp/again.out" 2>&1; then
  fail "submit.sh accepted a second submission while jobs $array_job and $merge_job were queued: $(cat "$tmp/again.out")"
fi
grep -q "still queued or running" "$tmp/again.out" || fail "submit.sh failed otherwise than expected: $(cat "$tmp/again.out")"
wait_jobs
check_jobs
say "array $array_job and merge $merge_job completed"
check_summaries first
say "local analysis of the same set, one process"
"$cli" analyse --model "$model" --tokenizer "$tokenizer" --concepts "$tmp/concepts" --project "$tmp/local.esproj" \
  >"$tmp/local.out" 2>&1 || { cat "$tmp/local.out"; fail "the local analysis failed"; }
compare "$tmp/out/merged.esproj" "$tmp/local.esproj" || fail "the merged project differs from the local analysis"

# --- 2: the same command again: nothing left to analyse, the same merge ------------------------
say "submitting the same command again"
submit
wait_jobs
check_jobs
check_summaries again
compare "$tmp/out/merged.esproj" "$tmp/local.esproj" || fail "after resubmission the merged project differs from the local analysis"

# --- 3: a lost shard, worked on node-local disk --------------------------------------------------
say "removing shard 2's project and merged.esproj; submitting with --local-dir"
rm -f "$tmp/out/shards/shard-2-of-3.esproj"* "$tmp/out/merged.esproj"*
submit --local-dir "$tmp/node-local"
wait_jobs
check_jobs
python3 - "$tmp/out/shards/shard-2-of-3.json" "$tmp/out/first-counts.json" <<'EOF' || fail "shard 2 was not analysed afresh"
import json, sys
s, first = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
print(f"  shard 2: analysed {s['analysed']}, already done {s['already_done']}")
sys.exit(0 if s["analysed"] == first[1] and s["already_done"] == 0 else 1)
EOF
leftover=$(find "$tmp/node-local" -mindepth 1 2>/dev/null | head -n 3)
[ -z "$leftover" ] || fail "the jobs left files on the node-local disk: $leftover"
compare "$tmp/out/merged.esproj" "$tmp/local.esproj" || fail "with a shard redone on local disk the merged project differs"

say "ok: a 3-task array and a dependent merge on a real Slurm equal a local run; resubmission resumes"
echo "PASS   : test_slurm ($((SECONDS - started)) s)"
