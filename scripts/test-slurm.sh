#!/usr/bin/env bash
# Real Slurm test of `bimix slurm`, on a one-node cluster on localhost.
#
# Installs Debian's slurm-wlm and munge when missing, starts munged (if not
# running), slurmctld and slurmd from a generated slurm.conf in a temporary
# folder, then:
#   1. runs `bimix slurm --tasks 4 --wait` over a generated multi-domain corpus and
#      compares the merged report byte for byte with single-process `bimix analyze`;
#   2. runs it again into a fresh partial folder, cancels one array task while it
#      is counting, checks the run fails without that task's manifest, resubmits,
#      and checks the finished tasks were skipped and the report is identical.
# Stops exactly the daemons it started (by pid) and removes the temporary folder.
# Needs root (apt-get, munge key, daemons). Prints "slurm: N passed, M failed".
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NODE=$(command -v node)
MAIN="$ROOT/dist/cli/main.js"
T0=$(date +%s)
PASS=0
FAIL=0
STARTED_PIDS=()
TMP=""

ok() { PASS=$((PASS + 1)); echo "ok   $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }
say() { echo "---- $* ($(($(date +%s) - T0))s)"; }

cleanup() {
  local code=$?
  # Stop only what this script started, newest first, by pid.
  for ((i = ${#STARTED_PIDS[@]} - 1; i >= 0; i--)); do
    local pid=${STARTED_PIDS[$i]}
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  if [ -n "$TMP" ] && [ -d "$TMP" ]; then
    if [ "$FAIL" -gt 0 ] && [ -n "${KEEP_ON_FAILURE:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
  fi
  echo "slurm: $PASS passed, $FAIL failed ($(($(date +%s) - T0))s)"
  if [ "$FAIL" -gt 0 ] || [ "$code" -ne 0 ]; then exit 1; fi
  exit 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { bad "$*"; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
  echo "test-slurm: needs root (apt-get, munge key, slurm daemons); skipped"
  exit 0
fi

# ---- packages -----------------------------------------------------------------
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  say "installing slurm-wlm and munge"
  export DEBIAN_FRONTEND=noninteractive
  ti=$(date +%s)
  if ! apt-get install -y -q --no-install-recommends slurm-wlm munge >/dev/null 2>&1; then
    apt-get update -q >/dev/null 2>&1 || true
    apt-get install -y -q --no-install-recommends slurm-wlm munge >/dev/null || die "apt-get install slurm-wlm munge"
  fi
  ok "installed slurm-wlm and munge in $(($(date +%s) - ti))s"
fi
echo "slurm-wlm $(dpkg-query -W -f '${Version}' slurm-wlm 2>/dev/null || echo '?'), munge $(dpkg-query -W -f '${Version}' munge 2>/dev/null || echo '?')"

# ---- build --------------------------------------------------------------------
if [ ! -f "$MAIN" ]; then
  say "building dist/"
  (cd "$ROOT" && npx tsc -p tsconfig.json) || true
  [ -f "$MAIN" ] || die "dist/cli/main.js is missing: run npm run build"
fi

# ---- munge --------------------------------------------------------------------
KEY=/etc/munge/munge.key
if [ ! -s "$KEY" ]; then
  mkdir -p /etc/munge
  if command -v mungekey >/dev/null; then mungekey --create --keyfile="$KEY" --force >/dev/null
  else dd if=/dev/urandom of="$KEY" bs=1 count=1024 2>/dev/null; fi
fi
chown munge:munge "$KEY" && chmod 400 "$KEY"
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge
  chmod 755 /run/munge
  rm -f /run/munge/munged.pid
  runuser -u munge -- munged || die "munged did not start"
  for _ in $(seq 50); do [ -s /run/munge/munged.pid ] && munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n | unmunge >/dev/null 2>&1 || die "munged did not start"
  STARTED_PIDS+=($(cat /run/munge/munged.pid))
  ok "started munged (pid ${STARTED_PIDS[-1]})"
else
  ok "munged already running"
fi

# ---- one-node cluster ---------------------------------------------------------
TMP=$(mktemp -d /tmp/bimix-slurm-test.XXXXXX)
chmod 755 "$TMP"
HOST=$(hostname -s)
CPUS=$(nproc)
PORT=$((20000 + RANDOM % 20000))
CONF="$TMP/slurm.conf"
mkdir -p "$TMP/state" "$TMP/spool"
cat >"$CONF" <<EOF
ClusterName=bimixtest
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
AuthType=auth/munge
StateSaveLocation=$TMP/state
SlurmdSpoolDir=$TMP/spool
SlurmctldPidFile=$TMP/slurmctld.pid
SlurmdPidFile=$TMP/slurmd.pid
SlurmctldLogFile=$TMP/slurmctld.log
SlurmdLogFile=$TMP/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
MinJobAge=3600
NodeName=$HOST CPUs=$CPUS RealMemory=2048 State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$CONF"
say "starting slurmctld and slurmd ($CONF, ports $PORT-$((PORT + 1)))"
slurmctld -D -f "$CONF" >>"$TMP/slurmctld.out" 2>&1 &
STARTED_PIDS+=($!)
slurmd -D -f "$CONF" >>"$TMP/slurmd.out" 2>&1 &
STARTED_PIDS+=($!)
idle=""
for _ in $(seq 120); do
  state=$(sinfo -h -N -n "$HOST" -o %t 2>/dev/null | head -1)
  if [ "$state" = "idle" ]; then idle=1; break; fi
  sleep 0.5
done
if [ -z "$idle" ]; then
  tail -20 "$TMP/slurmctld.log" "$TMP/slurmd.log" 2>/dev/null
  die "node $HOST did not become idle (state: ${state:-none})"
fi
ok "one-node cluster up: node $HOST idle, $CPUS CPUs, MaxArraySize $(scontrol show config | awk '/^MaxArraySize/ {print $3}')"

# ---- corpus -------------------------------------------------------------------
# The demo's five domains in five formats, plus a bulk domain large enough that a
# count task takes seconds (so one can be killed while it is counting).
say "generating the corpus"
"$NODE" "$MAIN" demo --dir "$TMP/corpus" --json >/dev/null 2>"$TMP/demo.err" || die "bimix demo: $(cat "$TMP/demo.err")"
"$NODE" --input-type=module - "$ROOT" "$TMP/corpus" <<'EOF' || die "corpus generation"
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
const [root, dir] = process.argv.slice(2);
const { generateMarkovDocs } = await import(path.join(root, 'dist/corpus/markov.js'));
const { writeRaw } = await import(path.join(root, 'dist/corpus/writers.js'));
mkdirSync(path.join(dir, 'bulk'), { recursive: true });
const docs = generateMarkovDocs({ vocab: 20000, firstId: 1, successors: 500, seed: 99, meanDocLength: 400 }, 12_000_000);
writeRaw(path.join(dir, 'bulk', 'bulk-0.bin'), docs, { eos: 0 });
// Copies are fine: the test is about exact merging, not about varied data.
for (let i = 1; i < 8; i++) copyFileSync(path.join(dir, 'bulk', 'bulk-0.bin'), path.join(dir, 'bulk', `bulk-${i}.bin`));
const cfg = JSON.parse(readFileSync(path.join(dir, 'bimix.json'), 'utf8'));
cfg.domains.bulk = { globs: ['bulk/*.bin'], format: 'raw', eos: 0 };
writeFileSync(path.join(dir, 'test.json'), JSON.stringify(cfg, null, 2));
EOF
CFG="$TMP/corpus/test.json"
OPTS=(--config "$CFG" --chunk-size 4MB)
ok "corpus: $(du -sh "$TMP/corpus" | cut -f1) in 6 domains ($(ls "$TMP/corpus"/*/ | grep -c .) files)"

say "single-process analyze"
"$NODE" "$MAIN" analyze "${OPTS[@]}" --out "$TMP/analyze.json" --quiet >/dev/null 2>"$TMP/analyze.err" || die "bimix analyze: $(cat "$TMP/analyze.err")"
ok "analyze wrote $TMP/analyze.json"

# ---- 1. a full run ------------------------------------------------------------
say "bimix slurm --tasks 4 --wait"
(cd / && "$NODE" "$MAIN" slurm "${OPTS[@]}" --tasks 4 --partial-dir "$TMP/run1" --cpus-per-task 1 --time 00:20:00 --wait) >"$TMP/run1.out" 2>&1
code=$?
cat "$TMP/run1.out"
if [ "$code" -eq 0 ]; then ok "bimix slurm --wait exited 0"; else bad "bimix slurm --wait exited $code"; fi
if cmp -s "$TMP/analyze.json" "$TMP/run1/report.json"; then ok "merged report is byte-identical to analyze"; else bad "merged report differs from analyze"; fi
n=$(ls "$TMP/run1"/task-*.manifest.json 2>/dev/null | wc -l)
[ "$n" -eq 4 ] && ok "4 task manifests" || bad "$n task manifests, expected 4"

# ---- 2. kill one task mid-run, resubmit ----------------------------------------
say "bimix slurm --tasks 4 --wait, cancelling one task while it counts"
(cd / && "$NODE" "$MAIN" slurm "${OPTS[@]}" --tasks 4 --partial-dir "$TMP/run2" --cpus-per-task 1 --wait) >"$TMP/run2a.out" 2>&1 &
WAITER=$!
victim=""
array=""
for _ in $(seq 1200); do
  [ -z "$array" ] && array=$(sed -n 's/^count array job \([0-9]*\) .*/\1/p' "$TMP/run2a.out" | head -1)
  # A task is counting exactly while its temporary folder exists (the manifest comes last).
  tmpdir=$(ls -d "$TMP/run2"/.tmp-task-*.manifest.json-* 2>/dev/null | head -1)
  if [ -n "$array" ] && [ -n "$tmpdir" ]; then
    victim=$(basename "$tmpdir" | sed 's/^\.tmp-task-0*\([0-9][0-9]*\)\.manifest\.json-.*/\1/')
    break
  fi
  sleep 0.05
done
if [ -n "$victim" ]; then
  scancel "${array}_${victim}"
  echo "cancelled array task ${array}_${victim} while it was counting ($tmpdir)"
fi
wait "$WAITER"
code=$?
cat "$TMP/run2a.out"
if [ -z "$victim" ]; then
  bad "never saw a task counting to cancel"
else
  if [ "$code" -ne 0 ]; then ok "run with a cancelled task failed (exit $code)"; else bad "run with a cancelled task exited 0"; fi
  vm="$TMP/run2/task-$(printf %05d "$victim").manifest.json"
  if [ ! -e "$vm" ]; then ok "cancelled task $victim left no manifest"; else bad "task $victim finished before it was cancelled (make the corpus bigger)"; fi
  if [ ! -e "$TMP/run2/report.json" ]; then ok "no report after the failed run"; else bad "a report exists after the failed run"; fi
  done_before=$(ls "$TMP/run2"/task-*.manifest.json 2>/dev/null | wc -l)
  say "resubmitting"
  (cd / && "$NODE" "$MAIN" slurm "${OPTS[@]}" --tasks 4 --partial-dir "$TMP/run2" --cpus-per-task 1 --wait) >"$TMP/run2b.out" 2>&1
  code=$?
  cat "$TMP/run2b.out"
  if [ "$code" -eq 0 ]; then ok "resubmitted run exited 0"; else bad "resubmitted run exited $code"; fi
  array2=$(sed -n 's/^count array job \([0-9]*\) .*/\1/p' "$TMP/run2b.out" | head -1)
  skipped=$(cat "$TMP/run2/slurm/logs/count-${array2}"_*.out 2>/dev/null | grep -c 'already finished')
  if [ "$skipped" -eq "$done_before" ]; then ok "resubmission skipped the $skipped finished tasks and recounted the rest"; else bad "resubmission skipped $skipped tasks, expected $done_before"; fi
  if cmp -s "$TMP/analyze.json" "$TMP/run2/report.json"; then ok "report after resubmission is byte-identical to analyze"; else bad "report after resubmission differs from analyze"; fi
fi

# ---- 3. hostile names ----------------------------------------------------------
# A partial folder with spaces, quotes, $(), backticks, # and %: the scripts must pass it
# through bash and sbatch unchanged (logs land in it, nothing runs), and a newline in a
# name must be refused before anything is submitted.
say "bimix slurm with a hostile --partial-dir"
SMALL=(--config "$TMP/corpus/bimix.json" --chunk-size 1MB)
"$NODE" "$MAIN" analyze "${SMALL[@]}" --out "$TMP/analyze-small.json" --quiet >/dev/null 2>"$TMP/analyze-small.err" || die "bimix analyze (small): $(cat "$TMP/analyze-small.err")"
HOSTILE="$TMP/run 3 it's \"q\" \$(touch PWNED) \`touch PWNED\` #x 100%"
(cd "$TMP" && "$NODE" "$MAIN" slurm "${SMALL[@]}" --tasks 2 --partial-dir "$HOSTILE" --cpus-per-task 1 --wait) >"$TMP/run3.out" 2>&1
code=$?
cat "$TMP/run3.out"
if [ "$code" -eq 0 ]; then ok "hostile --partial-dir: bimix slurm --wait exited 0"; else bad "hostile --partial-dir: exited $code"; fi
if cmp -s "$TMP/analyze-small.json" "$HOSTILE/report.json"; then ok "hostile --partial-dir: report byte-identical to analyze"; else bad "hostile --partial-dir: report missing or different"; fi
array3=$(sed -n 's/^count array job \([0-9]*\) .*/\1/p' "$TMP/run3.out" | head -1)
if [ -n "$array3" ] && [ -s "$HOSTILE/slurm/logs/count-${array3}_0.out" ] && ls "$HOSTILE"/slurm/logs/merge-*.out >/dev/null 2>&1; then
  ok "hostile --partial-dir: sbatch wrote the logs into the folder (% kept literally)"
else
  bad "hostile --partial-dir: logs not in $HOSTILE/slurm/logs"; ls -la "$HOSTILE/slurm/logs" 2>&1 | head
fi
if ls "$TMP"/PWNED* /PWNED* "$HOME"/PWNED* >/dev/null 2>&1; then bad "an injected command ran: $(ls "$TMP"/PWNED* /PWNED* "$HOME"/PWNED* 2>/dev/null)"; else ok "hostile --partial-dir: no injected command ran"; fi
NL="$TMP/run 4
touch PWNED4"
(cd "$TMP" && "$NODE" "$MAIN" slurm "${SMALL[@]}" --tasks 2 --partial-dir "$NL") >"$TMP/run4.out" 2>&1
code=$?
if [ "$code" -eq 2 ] && grep -q 'bimix: error E_USAGE: --partial-dir: .*control character U+000A' "$TMP/run4.out" && [ ! -e "$NL" ]; then
  ok "a newline in --partial-dir is refused (exit 2, E_USAGE), nothing submitted"
else
  bad "a newline in --partial-dir: exit $code: $(cat "$TMP/run4.out")"
fi
