#!/usr/bin/env bash
# Runs the four Den Haag Zuid-West scenarios and writes `socialtwin compare`'s table of their
# differences with the baseline into README.md, between the scenario-table markers. The test
# tests/integration/test_cli.py::test_readme_scenario_table_is_the_tools_output checks that
# README.md holds exactly this output.
# Usage: scenarios/readme_table.sh [path/to/socialtwin]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-build/release/bin/socialtwin}"
mkdir -p out
for s in baseline vergrijzing alleenstaanden verdichting; do
  "$bin" run "scenarios/$s.yaml" -o "out/$s.h5" --quiet
done
table="$("$bin" compare out/baseline.h5 out/vergrijzing.h5 out/alleenstaanden.h5 \
  out/verdichting.h5 --markdown)"
TABLE="$table" /usr/bin/python3 - <<'PY'
import os, re
text = open("README.md").read()
begin, end = "<!-- scenario-table:begin -->", "<!-- scenario-table:end -->"
new = f"{begin}\n{os.environ['TABLE'].strip()}\n{end}"
text, n = re.subn(re.escape(begin) + ".*?" + re.escape(end), lambda _: new, text, flags=re.S)
assert n == 1, "README.md lacks the scenario-table markers"
open("README.md", "w").write(text)
PY
echo "README.md scenario table updated"
