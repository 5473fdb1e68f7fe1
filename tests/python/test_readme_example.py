"""The README's "Reading the output" example runs, as printed, on the default scenario's result.

The block is read from README.md (readme_example.py), run in a directory where out/baseline.h5 is
the result file ctest wrote (SOCIALTWIN_H5), and every expression it shows must give a non-empty
value without NaN or infinity.
"""

import ast
import importlib
import os
import subprocess
from pathlib import Path

import pytest

from readme_example import reading_the_output_block, run_example

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def user_directory(tmp_path, monkeypatch):
    """A directory laid out as after quickstart.sh: out/baseline.h5 is the default scenario's result."""
    result = os.environ.get("SOCIALTWIN_H5")
    if not result:
        pytest.fail("SOCIALTWIN_H5 must name the default scenario's result file (ctest sets it)")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "baseline.h5").symlink_to(Path(result).resolve())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_readme_reading_the_output_example_runs_on_the_default_result(user_directory):
    shown = run_example(reading_the_output_block())
    assert shown, "the README's example shows no expression"


def test_readme_example_is_found_under_its_heading(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# x\n\n```python\nwrong = 1\n```\n\n## Reading the output\n\ntext\n\n"
                      "```python\nright = 2\n```\n\n## Layout\n\n```python\nlater = 3\n```\n")
    assert reading_the_output_block(readme) == "right = 2\n"


def test_readme_example_missing_is_an_error(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# x\n\n## Reading the output\n\nno code\n\n## Layout\n\n```python\nx = 1\n```\n")
    with pytest.raises(LookupError):
        reading_the_output_block(readme)


def modules_the_example_needs(source):
    """Top-level modules the example imports, and the xarray engines it names (a module each)."""
    needed = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            needed.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            needed.add(node.module.split(".")[0])
        elif isinstance(node, ast.keyword) and node.arg == "engine":
            needed.add(ast.literal_eval(node.value))
    return needed


def debian_package_of(module):
    path = importlib.import_module(module).__file__
    owner = subprocess.run(["dpkg-query", "-S", path], capture_output=True, text=True)
    assert owner.returncode == 0, f"{module} ({path}) is not from a Debian package"
    return owner.stdout.split(":")[0]


def test_quickstart_installs_every_package_the_readme_example_imports():
    # quickstart.sh runs ./install-deps.sh without --test: its list must hold them.
    base = subprocess.run([str(ROOT / "install-deps.sh"), "--list"], capture_output=True,
                          text=True, check=True).stdout.split()
    needed = modules_the_example_needs(reading_the_output_block())
    assert {"xarray", "h5netcdf"} <= needed, needed
    missing = {m: debian_package_of(m) for m in needed if debian_package_of(m) not in base}
    assert not missing, f"the README example needs {missing}, which quickstart.sh does not install"
