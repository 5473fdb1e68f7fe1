#!/usr/bin/env bash
# One command from a fresh clone to a projection: installs what is missing (Debian packages),
# builds the release binary and runs the default scenario (Den Haag Zuid-West, 2019-2049)
# on the embedded data. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"
./install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target socialtwin
./build/release/bin/socialtwin run scenarios/baseline.yaml -o out/baseline.h5
