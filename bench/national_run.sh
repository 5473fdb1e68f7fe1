#!/usr/bin/env bash
# End-to-end benchmark of the agent core at national scale: 17.5 million persons in the 4,054
# PC4 areas of the Netherlands (dataset nl-pc4-2021), 30 years, one replicate, all models, on
# all cores. Prints wall time, peak memory and the run log's per-phase timings.
#   bench/national_run.sh [build/release/bin/socialtwin]
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-build/release/bin/socialtwin}
scenario=$(mktemp --suffix=.yaml)
out=$(mktemp -d)
trap 'rm -rf "$scenario" "$out"' EXIT
cat > "$scenario" <<YAML
name: national-bench
dataset: nl-pc4-2021
core: agent
horizon: 30
YAML
/usr/bin/time -f "wall %e s, peak memory %M KB" "$binary" run "$scenario" -o "$out/national.h5" \
  --data-dir "$PWD/data" 2>&1 | grep -E "phase|person-years|wall|error"
ls -la "$out/national.h5" | awk '{print "result file", $5, "bytes"}'
