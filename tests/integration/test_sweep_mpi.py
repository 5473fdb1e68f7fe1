"""`mpirun -n N socialtwin sweep run F` (docs/sweeps.md, "MPI"): rank 0 hands out the tasks, every
rank runs them, and the results are those of one process, bit for bit. On the tiny dataset, so
that the whole file takes seconds. ctest registers it (cli_sweep_mpi) only when the MPI driver is
built and mpirun is found."""
import os
import re
import shutil
import subprocess

import h5py
import numpy as np
import pytest

from conftest import ROOT

BIN = os.environ.get("SOCIALTWIN_BIN", str(ROOT / "build/release/bin/socialtwin"))
TINY = ROOT / "tests" / "data" / "tiny" / "datasets" / "tiny"
MPIRUN = shutil.which("mpirun")

pytestmark = pytest.mark.skipif(MPIRUN is None, reason="mpirun not found (openmpi-bin)")

# Open MPI on one machine, robustly: as root (CI and Debian chroots), without ssh (the `isolated`
# launcher starts local processes only), through shared memory without the single-copy
# mechanism (CMA needs ptrace, which containers often forbid) and without probing for UCX or
# InfiniBand, and with more processes than cores.
MPI_ENV = {
    "OMPI_ALLOW_RUN_AS_ROOT": "1",
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    "OMPI_MCA_plm": "isolated",
    "OMPI_MCA_btl": "self,vader",
    "OMPI_MCA_btl_vader_single_copy_mechanism": "none",
    "OMPI_MCA_pml": "ob1",
    "OMPI_MCA_rmaps_base_oversubscribe": "1",
}


def socialtwin(*args, check=True, env=None):
    result = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, timeout=300,
                            env=env)
    if check and result.returncode != 0:
        raise AssertionError(f"socialtwin {' '.join(map(str, args))} exited "
                             f"{result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def mpirun(processes, *args):
    return subprocess.run([MPIRUN, "--oversubscribe", "-n", str(processes), BIN, *map(str, args)],
                          capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, **MPI_ENV))


def sweep(folder, body):
    """A sweep of the tiny dataset's agent core (random numbers keyed by seed and replicate) in
    `folder`, with its own output there."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "base.yaml").write_text(f"dataset: {TINY}\nhorizon: 2\ncore: agent\nseed: 7\n")
    path = folder / "sweep.yaml"
    path.write_text(f"base: base.yaml\noutput: out\n{body}")
    return path


NINE_TASKS = "vary:\n  rates.fertility.factor: [0.8, 1.0, 1.2]\nreplicates: 3\n"


def datasets(path):
    """Every dataset of an HDF5 file but /meta (which holds when and how long it ran): numbers as
    their bytes, text as its values."""
    found = {}
    with h5py.File(path, "r") as f:
        def visit(name, item):
            if isinstance(item, h5py.Dataset) and not name.startswith("meta"):
                values = np.asarray(item[()])
                found[name] = (tuple(values.ravel().tolist()) if values.dtype.kind in "OSU"
                               else values.tobytes())
        f.visititems(visit)
    return found


def test_mpirun_with_3_processes_gives_the_merged_file_of_one_process_and_of_3_array_slots(tmp_path):
    alone, over_mpi, slots = (sweep(tmp_path / name, NINE_TASKS)
                              for name in ("alone", "mpi", "slots"))
    socialtwin("sweep", "run", alone)
    r = mpirun(3, "sweep", "run", over_mpi)
    assert r.returncode == 0, r.stderr
    # Rank 0 alone reports, once, for every rank's tasks.
    assert r.stdout.count("\n") == 1
    assert r.stdout.startswith("sweep 'sweep' over 3 MPI processes: 9 run, 0 done before, 0 failed")
    for slot in range(3):
        socialtwin("sweep", "run", slots, "--task-index", slot, "--task-count", 3)
    merged = []
    for path in (alone, over_mpi, slots):
        socialtwin("sweep", "merge", path)
        merged.append((path.parent / "out" / "merged.h5").read_bytes())
    assert merged[0] == merged[1] == merged[2]
    tasks = sorted(p.name for p in (alone.parent / "out" / "tasks").iterdir())
    assert len(tasks) == 9 and all(name.endswith(".h5") for name in tasks)
    for name in tasks:
        expected = datasets(alone.parent / "out" / "tasks" / name)
        assert datasets(over_mpi.parent / "out" / "tasks" / name) == expected, name
        assert datasets(slots.parent / "out" / "tasks" / name) == expected, name
    # The replicates do differ: the comparison above is not of nine equal files.
    first, second = (datasets(alone.parent / "out" / "tasks" / name) for name in tasks[:2])
    assert first["births"] != second["births"]


def test_a_second_mpirun_skips_every_done_task_and_rewrites_nothing(tmp_path):
    path = sweep(tmp_path, "vary:\n  rates.fertility.factor: [0.8, 1.2]\nreplicates: 3\n")
    assert mpirun(2, "sweep", "run", path).returncode == 0
    tasks = tmp_path / "out" / "tasks"
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in tasks.iterdir()}
    assert len(before) == 6
    r = mpirun(2, "sweep", "run", path)
    assert r.returncode == 0, r.stderr
    assert "over 2 MPI processes: 0 run, 6 done before, 0 failed (of 6 tasks" in r.stdout
    assert {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in tasks.iterdir()} == before


def test_a_task_failing_under_mpirun_is_reported_by_rank_0_and_the_exit_is_that_of_a_local_run(
        tmp_path):
    # Area T9 is not in the dataset: the schema cannot know, the task's run finds out (exit 2).
    path = sweep(tmp_path, "vary:\n  construction:\n"
                 "    - [{name: A, year: 2020, area: T1, dwellings: 5}]\n"
                 "    - [{name: B, year: 2020, area: T9, dwellings: 5}]\n"
                 "    - []\n")
    ids = re.findall(r"^([0-9a-f]{8}-r0) ", socialtwin("sweep", "plan", path).stdout, re.M)
    assert len(ids) == 3
    local = socialtwin("sweep", "run", path, check=False)
    shutil.rmtree(tmp_path / "out")
    r = mpirun(3, "sweep", "run", path)
    assert r.returncode == local.returncode == 1
    assert "over 3 MPI processes: 2 run, 0 done before, 1 failed (of 3 tasks" in r.stdout
    failed = [i for i in ids if f"task {i} failed (exit 2)" in r.stderr]
    assert len(failed) == 1 and "area 'T9' is not in dataset" in r.stderr
    # Once in rank 0's report, whichever rank ran it.
    assert r.stderr.count(f"task {failed[0]} failed") == 1
    assert (tmp_path / "out" / "tasks" / f"{failed[0]}.failed").exists()
    assert "2 done, 0 missing, 0 stale, 1 failed" in socialtwin("sweep", "status", path).stdout


def test_the_example_mpi_slurm_script_runs_the_sweep(tmp_path):
    path = sweep(tmp_path, "vary:\n  rates.fertility.factor: [0.8, 1.0, 1.2]\n")
    script = ROOT / "docs" / "examples" / "sweep-mpi.slurm"
    r = subprocess.run(["bash", script, path], capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, SOCIALTWIN=BIN, **MPI_ENV))
    assert r.returncode == 0, r.stderr
    assert "MPI processes: 3 run, 0 done before, 0 failed (of 3 tasks" in r.stdout
    assert "3 done" in socialtwin("sweep", "status", path).stdout
