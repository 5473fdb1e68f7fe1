#!/usr/bin/env bash
# End-to-end benchmark of the agent core at national scale: 17.5 million persons in the 4,054
# PC4 areas of the Netherlands (dataset nl-pc4-2021), 30 years, one replicate, all models, on
# all cores. Prints the phases, CPU and wall time, person-years per CPU-second, peak memory and
# the result's size: bench/whole_run.sh on that dataset (its --help says how each is measured).
#   bench/national_run.sh [build/release/bin/socialtwin]
set -euo pipefail
cd "$(dirname "$0")/.."
exec bench/whole_run.sh --dataset nl-pc4-2021 --bin "${1:-build/release/bin/socialtwin}"
