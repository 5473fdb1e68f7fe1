#!/usr/bin/env bash
# End-to-end benchmark of the agent core at national scale: 17.5 million persons in the 4,054
# PC4 areas of the Netherlands (dataset nl-pc4-2021), 30 years, one replicate, all models, on
# all cores. Prints wall time, peak memory and the run log's per-phase timings.
#   bench/national_run.sh [build/release/bin/socialtwin]
# Needs nothing beyond bash and /proc (a fresh Debian has no /usr/bin/time): the wall time comes
# from bash's clock, the peak memory from the kernel's high-water mark (VmHWM) of the run.
# When the run fails it says why: its exit status and the end of its log.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-build/release/bin/socialtwin}
fail() { echo "national_run: $*" >&2; exit 1; }
[[ -x $binary ]] || fail "no socialtwin binary at $binary (build it: cmake --preset release && cmake --build --preset release)"
[[ -d data/datasets/nl-pc4-2021 ]] || fail "no dataset data/datasets/nl-pc4-2021 in $PWD"
[[ -r /proc/self/status ]] || fail "needs /proc to measure peak memory"

scenario=$(mktemp --suffix=.yaml)
out=$(mktemp -d)
trap 'rm -rf "$scenario" "$out"' EXIT
cat >"$scenario" <<YAML
name: national-bench
dataset: nl-pc4-2021
core: agent
horizon: 30
YAML

log=$out/run.log
start=$EPOCHREALTIME
"$binary" run "$scenario" -o "$out/national.h5" --data-dir "$PWD/data" >"$log" 2>&1 &
pid=$!
# VmHWM only grows, so its last reading before the process ends is its peak (within the 0.1 s
# between readings, in which a run of this size does not double its memory).
peak_kb=0
while kill -0 "$pid" 2>/dev/null; do
  if hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) && [[ -n $hwm ]]; then
    peak_kb=$hwm
  fi
  sleep 0.1
done
status=0
wait "$pid" || status=$?
wall=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')

if ((status != 0)); then
  echo "national_run: $binary run exited $status after $wall s; the end of its log:" >&2
  tail -n 20 "$log" >&2
  exit 1
fi
grep -E "phase|person-years|error" "$log" || true
echo "wall $wall s, peak memory $peak_kb KB"
[[ -f $out/national.h5 ]] || fail "the run exited 0 but wrote no $out/national.h5"
echo "result file $(stat -c %s "$out/national.h5") bytes"
