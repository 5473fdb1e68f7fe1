"""The processor a build needs (README, "Building"; CMakeLists.txt, SOCIALTWIN_SIMD).

A build for AVX2 refuses to start on a processor without it -- a message saying what to do and
exit code 1, not an illegal instruction in the middle of a run -- and starts on one with it; so
does its Python module when imported. A build without AVX2 runs on a processor without it. The processors are QEMU's user-mode emulation
(Debian package qemu-user, installed by ./install-deps.sh --test) of a Nehalem (2008: SSE4.2, no
AVX) and a Haswell (2013: AVX2).
"""
import os
import platform
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT

BIN = os.environ.get("SOCIALTWIN_BIN", str(ROOT / "build/release/bin/socialtwin"))
BUILT_FOR_AVX2 = os.environ.get("SOCIALTWIN_AVX2", "") == "ON"

pytestmark = pytest.mark.skipif(platform.machine() != "x86_64",
                                reason="AVX2 builds exist only for x86-64 processors")


def on(cpu, *command, env=None):
    """Runs `command` on QEMU's emulation of `cpu`."""
    qemu = shutil.which("qemu-x86_64")
    assert qemu, "qemu-x86_64 not found: ./install-deps.sh --test installs Debian's qemu-user"
    return subprocess.run([qemu, "-cpu", cpu, *command], capture_output=True, text=True,
                          timeout=300, env=env)


def test_a_processor_without_avx2_is_refused_with_a_message_by_an_avx2_build_and_runs_any_other():
    done = on("Nehalem", BIN, "--version")
    if BUILT_FOR_AVX2:
        assert done.returncode == 1, done
        assert done.stdout == ""
        assert "this build uses AVX2 vector instructions, which this processor does not have" \
            in done.stderr
        assert "-DSOCIALTWIN_SIMD=none" in done.stderr
    else:
        assert done.returncode == 0, done
        assert done.stdout.strip() == subprocess.run([BIN, "--version"], capture_output=True,
                                                     text=True).stdout.strip()


def test_the_python_module_refuses_a_processor_without_avx2_as_the_command_does():
    package = Path(BIN).resolve().parent.parent / "python"
    if not (package / "socialtwin").is_dir():
        pytest.skip("the Python package is not built (SOCIALTWIN_BUILD_PYTHON, pybind11-dev)")
    done = on("Nehalem", "/usr/bin/python3", "-c", "import socialtwin; print('imported')",
              env={**os.environ, "PYTHONPATH": str(package)})
    if BUILT_FOR_AVX2:
        assert done.returncode == 1, done
        assert "this build uses AVX2 vector instructions" in done.stderr
        assert "imported" not in done.stdout
    else:
        assert done.returncode == 0, done
        assert done.stdout.strip() == "imported"


def test_a_processor_with_avx2_runs_the_default_scenario(tmp_path):
    out = tmp_path / "baseline.h5"
    done = on("Haswell", BIN, "run", ROOT / "scenarios/baseline.yaml", "--set", "horizon=1",
              "--quiet", "-o", out)
    assert done.returncode == 0, done
    assert out.is_file()
