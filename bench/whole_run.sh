#!/usr/bin/env bash
# A whole run timed end to end, as issue 13's figures are quoted: CPU seconds (user + system of
# the run, so a busy machine does not inflate them), person-years per CPU-second, wall time, peak
# memory (total and per person of the base population) and the result file's size.
#
#   bench/whole_run.sh [options]
#     --dataset NAME    pc6-density (default): the SYNTHETIC 1 M persons in ~33,700 made-up areas of
#                       ~30 (bench/pc6_density_dataset.py, made once into build/bench-data);
#                       pc6-country: the SYNTHETIC whole country in made-up areas of ~39;
#                       or any dataset of data/datasets (e.g. nl-pc4-2021, denhaag-zuidwest-2019)
#     --area-size N     with pc6-density: the same 1 M persons in made-up areas of ~N (default
#                       30), made once (e.g. 300 and 3,000 tell the per-area cost from the
#                       per-person cost, docs/performance.md)
#     --core agent|cohort   (default agent)     --years N   (default 30)
#     --threads N       (default: all cores)    --bin PATH  (default build/release/bin/socialtwin)
#     --set KEY=VALUE   passed on to the run (repeatable)
#     --instructions    instead of timing: the instructions a projected year costs, counted by
#                       valgrind's callgrind (Debian package valgrind), per area-year and per
#                       person-year -- the same count on a busy machine as on a quiet one, so a
#                       change of a few percent shows where timings here vary by 10%. One
#                       thread; the difference of a 2-year and a 5-year run (setup and the
#                       writing of the file cancel out; the writing of each year does not).
#
# Needs nothing beyond bash and /proc: CPU seconds come from bash's `times` (the finished child's
# user and system time), the peak from the kernel's high-water mark (VmHWM) read while it runs.
set -euo pipefail
cd "$(dirname "$0")/.."
dataset=pc6-density core=agent years=30 threads=0 binary=build/release/bin/socialtwin area_size=
instructions=
declare -a sets=()
while (($#)); do
  case "$1" in
    --dataset) dataset=$2; shift 2 ;;
    --core) core=$2; shift 2 ;;
    --years) years=$2; shift 2 ;;
    --area-size) area_size=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --bin) binary=$2; shift 2 ;;
    --set) sets+=(--set "$2"); shift 2 ;;
    --instructions) instructions=1; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "whole_run: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
fail() { echo "whole_run: $*" >&2; exit 1; }
[[ -x $binary ]] || fail "no socialtwin binary at $binary (cmake --preset release && cmake --build --preset release)"

data_dir=$PWD/data
case $dataset in
  pc6-density | pc6-country)
    data_dir=$PWD/build/bench-data
    name=synthetic-pc6-density-1m
    args=()
    [[ $dataset == pc6-country ]] && { name=synthetic-pc6-country; args=(--persons all --area-size 39); }
    if [[ -n $area_size ]]; then
      [[ $dataset == pc6-density ]] || fail "--area-size goes with --dataset pc6-density"
      [[ $area_size =~ ^[1-9][0-9]*$ ]] || fail "--area-size takes a whole number of persons, not $area_size"
      if ((area_size != 30)); then name=synthetic-pc6-density-1m-areas-of-$area_size; args=(--area-size "$area_size"); fi
    fi
    # Made once; again when it is older than its pc4, buurt and wijk columns (the levels a real
    # PC6 dataset has, which a run aggregates to).
    if ! grep -qs '^levels: \[pc4, buurt, wijk' "$data_dir/datasets/$name/dataset.yaml"; then
      echo "whole_run: making the SYNTHETIC dataset $name (once)"
      bench/pc6_density_dataset.py "$data_dir" "${args[@]}" --name "$name"
    fi
    dataset=$name ;;
esac
[[ -d $data_dir/datasets/$dataset ]] || fail "no dataset $dataset in $data_dir/datasets"
persons=$(awk '/^population_total:/ { print $2 }' "$data_dir/datasets/$dataset/dataset.yaml")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [[ -n $instructions ]]; then
  command -v valgrind >/dev/null || fail "--instructions needs valgrind (apt-get install valgrind)"
  areas=$(awk '/^areas:/ { print $2 }' "$data_dir/datasets/$dataset/dataset.yaml")
  [[ -n $areas ]] || fail "dataset $dataset: no 'areas:' in dataset.yaml"
  declare -A counted person_years_of
  for horizon in 2 5; do
    printf 'name: whole-run-bench\ndataset: %s\ncore: %s\nhorizon: %s\n' "$dataset" "$core" "$horizon" \
      >"$work/scenario-$horizon.yaml"
    valgrind --tool=callgrind --callgrind-out-file="$work/callgrind-$horizon" "$binary" run \
      "$work/scenario-$horizon.yaml" -o "$work/result-$horizon.h5" --data-dir "$data_dir" \
      --threads 1 "${sets[@]}" >"$work/run-$horizon.log" 2>&1 ||
      { tail -n 20 "$work/run-$horizon.log" >&2; fail "the $horizon-year run failed under valgrind"; }
    counted[$horizon]=$(sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$work/run-$horizon.log")
    person_years_of[$horizon]=$(sed -n 's/.* \([0-9][0-9]*\) person-years in .*/\1/p' "$work/run-$horizon.log" | tail -n 1)
  done
  echo "dataset $dataset ($persons persons, $areas areas), $core core, 1 thread, ${sets[*]:-default output}"
  awk -v i2="${counted[2]}" -v i5="${counted[5]}" -v p2="${person_years_of[2]}" -v p5="${person_years_of[5]}" \
    -v areas="$areas" 'BEGIN {
      d = i5 - i2
      printf "instructions a projected year: %.0f M; %.0f an area-year, %.0f a person-year\n",
        d / 3 / 1e6, d / (3 * areas), d / (p5 - p2) }'
  exit 0
fi
cat >"$work/scenario.yaml" <<YAML
name: whole-run-bench
dataset: $dataset
core: $core
horizon: $years
YAML
thread_args=()
((threads > 0)) && thread_args=(--threads "$threads")

log=$work/run.log
start=$EPOCHREALTIME
# The run is the only child of a subshell whose `times` then gives the run's own CPU seconds
# (not the polling below).
(
  "$binary" run "$work/scenario.yaml" -o "$work/result.h5" --data-dir "$data_dir" \
    "${thread_args[@]}" "${sets[@]}" >"$log" 2>&1 &
  echo $! >"$work/pid"
  code=0
  wait $! || code=$?
  times >"$work/times"
  exit $code
) &
runner=$!
until [[ -s $work/pid ]]; do sleep 0.01; done
pid=$(<"$work/pid")
peak_kb=0
while kill -0 "$pid" 2>/dev/null; do
  if hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) && [[ -n $hwm ]]; then
    peak_kb=$hwm
  fi
  sleep 0.1
done
status=0
wait "$runner" || status=$?
wall=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
if ((status != 0)); then
  echo "whole_run: the run exited $status after $wall s; the end of its log:" >&2
  tail -n 20 "$log" >&2
  exit 1
fi
# `times` prints the shell's own times, then its finished children's: "0m1.234s 0m0.567s".
read -r child_user child_sys < <(tail -n 1 "$work/times" | awk '
  function s(t) { split(t, p, "m"); sub("s", "", p[2]); return p[1] * 60 + p[2] }
  { print s($1), s($2) }')
cpu=$(awk -v u="$child_user" -v s="$child_sys" 'BEGIN { printf "%.2f", u + s }')
person_years=$(sed -n 's/.* \([0-9][0-9]*\) person-years in .*/\1/p' "$log" | tail -n 1)
grep -E "phase " "$log" | sed 's/^\[[^]]*\] //' || true
echo "dataset $dataset ($persons persons), $core core, $years years, threads ${threads/#0/all}, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "cpu ${cpu} s (user $child_user, system $child_sys), wall $wall s"
awk -v py="$person_years" -v cpu="$cpu" -v w="$wall" 'BEGIN {
  printf "person-years %d: %.2f M per CPU-second, %.2f M per wall second\n", py, py / cpu / 1e6, py / w / 1e6 }'
awk -v kb="$peak_kb" -v n="$persons" 'BEGIN {
  printf "peak memory %.0f MB, %.0f bytes per person of the base population\n", kb / 1024, kb * 1024 / n }'
echo "result file $(stat -c %s "$work/result.h5") bytes"
