#!/usr/bin/env bash
# One command from a fresh clone to a tested build: installs what is missing (Debian
# packages), builds everything (release preset; -Werror when CI is set) and runs every test:
# C++ unit tests, CLI integration tests and the Python (xarray/h5py) output tests, via ctest.
set -euo pipefail
cd "$(dirname "$0")"
./install-deps.sh --test
werror=OFF
if [[ -n "${CI:-}" ]]; then werror=ON; fi
cmake --preset release -DSOCIALTWIN_WERROR=$werror >/dev/null
cmake --build --preset release
ctest --preset release
