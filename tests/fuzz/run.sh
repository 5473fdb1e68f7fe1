#!/usr/bin/env bash
# Builds the libFuzzer targets of the input readers (the `fuzz` preset: clang-14 with
# AddressSanitizer, UndefinedBehaviorSanitizer and leak detection, in build/fuzz) and runs each
# for SECONDS. Exits non-zero when a target crashes, leaks, runs out of memory (2 GB), hangs
# (10 s on one input), or a replayed regression input fails; the input is left in
# build/fuzz/artifacts/TARGET/. CI runs `tests/fuzz/run.sh 30`.
#
#   tests/fuzz/run.sh SECONDS [TARGET...]     TARGET: scenario_loader, csv (default: both)
#
# The corpus each run grows is kept in build/fuzz/corpus/TARGET, so runs build on each other.
set -euo pipefail

if [[ $# -lt 1 || ! $1 =~ ^[0-9]+$ ]]; then
    echo "usage: $0 SECONDS [scenario_loader|csv ...]" >&2
    exit 2
fi
seconds=$1
shift
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(scenario_loader csv)

root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build/fuzz
cd "$root"
./install-deps.sh --fuzz
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# The targets fuzz side by side, one per core (each fuzzer is one process): CI's 2 cores take
# both runs in the time of one.
fuzz_one() {
    local target=$1
    local binary=$build/bin/${target}_fuzz
    local corpus=$build/corpus/$target
    local artifacts=$build/artifacts/$target
    mkdir -p "$corpus" "$artifacts"
    local inputs=("$corpus" "$build/tests/fuzz/seeds/$target")
    local regressions=$root/tests/fuzz/regressions/$target
    [[ -d $regressions ]] && inputs+=("$regressions")
    local dictionary=$build/tests/fuzz/scenario.dict
    [[ $target == csv ]] && dictionary=$root/tests/fuzz/csv.dict
    "$binary" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -detect_leaks=1 \
        -dict="$dictionary" -artifact_prefix="$artifacts/" -print_final_stats=1 "${inputs[@]}"
}

declare -A pids=()
for target in "${targets[@]}"; do
    [[ -x $build/bin/${target}_fuzz ]] || { echo "no fuzz target $target" >&2; exit 2; }
    echo "== $target: ${seconds}s (log: $build/$target.log)"
    fuzz_one "$target" >"$build/$target.log" 2>&1 &
    pids[$target]=$!
done
failed=()
for target in "${targets[@]}"; do
    if ! wait "${pids[$target]}"; then
        tail -n 60 "$build/$target.log" >&2
        echo "== $target FAILED: the input is in $build/artifacts/$target/" >&2
        failed+=("$target")
    else
        grep -E "^(stat::|Done )" "$build/$target.log" || true
    fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzzing found faults in: ${failed[*]}" >&2
    exit 1
fi
echo "fuzzing: no crash, leak, out-of-memory or hang in ${targets[*]} (${seconds}s each)"
