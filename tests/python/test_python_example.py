"""docs/python.md's session, read from the document and run as a user would paste it.

The examples a planner copies are the ones tested: each ```python block runs in a fresh interpreter
with the built package on the path (SOCIALTWIN_PYTHON) and matplotlib drawing into no window.
"""
import os
import re
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PYTHON_DIR = os.environ.get("SOCIALTWIN_PYTHON")


def test_every_session_in_docs_python_md_runs(tmp_path):
    if not PYTHON_DIR:
        pytest.skip("SOCIALTWIN_PYTHON (the build's python/ folder) not set")
    with open(os.path.join(ROOT, "docs", "python.md"), encoding="utf-8") as f:
        blocks = re.findall(r"```python\n(.*?)```", f.read(), flags=re.S)
    assert len(blocks) == 2, "docs/python.md holds a session and a sweep, each a ```python block"
    env = dict(os.environ, PYTHONPATH=PYTHON_DIR, MPLBACKEND="Agg")
    # Run where a user would, with the repository's scenarios/ and the example sweep at hand (a
    # copy, so that its results land in the test's own out/), writing into a folder of the test's
    # own.
    (tmp_path / "scenarios").symlink_to(os.path.join(ROOT, "scenarios"))
    (tmp_path / "docs" / "examples").mkdir(parents=True)
    shutil.copy(os.path.join(ROOT, "docs", "examples", "fertility-sweep.yaml"),
                tmp_path / "docs" / "examples")
    for block in blocks:
        result = subprocess.run([sys.executable, "-c", block], cwd=tmp_path, env=env, text=True,
                                capture_output=True, timeout=600)
        assert result.returncode == 0, block + "\n" + result.stderr
    assert (tmp_path / "out" / "baseline.h5").is_file()
    assert (tmp_path / "out" / "sweeps" / "fertility" / "merged.h5").is_file()
