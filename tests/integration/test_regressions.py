"""Every regression scenario of tests/integration/regressions/ reproduces its defect's input and
must now give what its header expects (see that folder's README for the header's keys)."""
import shlex
from pathlib import Path

import h5py
import numpy as np
import pytest

FOLDER = Path(__file__).resolve().parent / "regressions"
KEYS = ("regression", "args", "exit", "stderr", "expect")


def header(path):
    """The `# key: value` lines at the top of a regression scenario, as {key: [values]}."""
    found = {}
    for line in path.read_text().splitlines():
        if not line.startswith("#"):
            break
        key, sep, value = line[1:].strip().partition(":")
        if sep and key.strip() in KEYS:
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def scenarios():
    return sorted(FOLDER.glob("*.yaml"))


def test_the_folder_holds_regressions():
    assert scenarios(), f"no regression scenarios in {FOLDER}"


@pytest.mark.parametrize("scenario", scenarios(), ids=lambda p: p.stem)
def test_regression_scenario(socialtwin, scenario, tmp_path):
    h = header(scenario)
    assert h.get("regression"), f"{scenario.name}: no '# regression:' line saying what broke"
    out = tmp_path / "result.h5"
    args = shlex.split(" ".join(h.get("args", [])))
    done = socialtwin("run", scenario, "-o", out, "--quiet", *args, check=False)
    expected_exit = int(h.get("exit", ["0"])[0])
    assert done.returncode == expected_exit, (
        f"{scenario.name} ({h['regression'][0]}): exit {done.returncode}, expected {expected_exit}\n"
        f"{done.stderr}")
    for text in h.get("stderr", []):
        assert text in done.stderr, f"{scenario.name}: error output lacks {text!r}:\n{done.stderr}"
    if expected_exit != 0:
        assert not out.exists(), f"{scenario.name}: a failed run left {out}"
        return
    with h5py.File(out, "r") as f:
        years = [int(y) for y in f["year"][()]]

        def values(name):
            return f[name][()]

        def total(name, year):
            return float(np.sum(f[name][years.index(year)]))

        def attr(name, key):
            value = f[name].attrs[key]
            return value.decode() if isinstance(value, bytes) else value

        for expression in h.get("expect", []):
            env = {"np": np, "values": values, "total": total, "attr": attr, "years": years}
            assert eval(expression, env), f"{scenario.name}: does not hold: {expression}"
