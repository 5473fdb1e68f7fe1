#!/usr/bin/env bash
# One command from a fresh clone to a tested build: installs what is missing (Debian
# packages), builds everything and runs every test: C++ unit tests, CLI integration tests and
# the Python (xarray/h5py) output tests, via ctest. With CI set it uses the `ci` preset
# (-Werror) in its own build/ci, so switching between CI=true ./test.sh and ./test.sh
# rebuilds nothing that was built before.
set -euo pipefail
cd "$(dirname "$0")"
./install-deps.sh --test
preset=release
if [[ -n "${CI:-}" ]]; then preset=ci; fi
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset"
