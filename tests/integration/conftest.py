import os
import signal
import subprocess
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


@pytest.fixture(scope="session")
def socialtwin():
    """Runs the socialtwin binary (SOCIALTWIN_BIN, else build/release/bin/socialtwin)."""
    binary = os.environ.get("SOCIALTWIN_BIN", str(ROOT / "build/release/bin/socialtwin"))
    if not Path(binary).exists():
        pytest.skip(f"no socialtwin binary at {binary}")

    def run(*args, check=True):
        result = subprocess.run([binary, *map(str, args)], capture_output=True, text=True,
                                timeout=600)
        if check and result.returncode != 0:
            raise AssertionError(f"socialtwin {' '.join(map(str, args))} exited "
                                 f"{result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result

    return run


def short_scenario(directory, name, horizon=5):
    """A shipped scenario with a short horizon, so tests of what reads its results run in
    seconds."""
    path = directory / f"{name}-short.yaml"
    path.write_text(f"extends: {ROOT / 'scenarios' / (name + '.yaml')}\n"
                    f"name: {name}-short\nhorizon: {horizon}\n")
    return path


def assert_same_values(x, y, name):
    """Two arrays read from result files hold the same values, bit for bit (NaN where NaN)."""
    if x.dtype.kind == "f":
        np.testing.assert_array_equal(x, y, name)
    else:
        assert np.array_equal(x, y), name


def default_signals():
    """For subprocess.Popen(preexec_fn=...) of a process a test interrupts: SIGINT and SIGTERM
    at their defaults in the child, as a command typed at a terminal has them. A test suite
    started as a background job (`./test.sh &`, a CI runner without a terminal) has SIGINT
    ignored, its children inherit that, and socialtwin then rightly keeps ignoring it (as
    `nohup` users expect), so a test of what Ctrl-C does would see the command run on. A runner
    may also start the suite with signals blocked, and a child inherits that mask too (the CI
    of 252da54 did): the child starts with none blocked."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
