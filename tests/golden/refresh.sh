#!/usr/bin/env bash
# Stores the results of every shipped scenario (cohort core and one agent replicate) as the
# golden output (tests/golden/expected.json). Only on purpose: after a model change whose new
# results were checked against observed data, with the reason in the commit message.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${SOCIALTWIN_BIN:-build/release/bin/socialtwin}
cmake --build --preset release --target socialtwin >/dev/null
exec /usr/bin/python3 tests/golden/golden.py refresh --bin "$bin" "$@"
