#!/usr/bin/python3
"""What the sweep machinery costs (issue 11; figures in docs/performance.md, "Sweeps").

    bench/sweep_bench.py [--bin build/release/bin/socialtwin] [--parts throughput,overhead,split,merge]
                         [--work DIR]

throughput  20 variants of the default scenario (scenarios/baseline.yaml, rates.fertility.factor
            0.81..1.19) with `sweep run` on every core, against the best possible: the sum of the
            same 20 runs' CPU times, each run alone with one thread, divided by the cores.
overhead    what a task costs beyond its run: 40 tasks of the tiny test dataset (a run of a few
            milliseconds) by `sweep run --jobs 1` against the same 40 `socialtwin run` commands.
split       the 20 variants of `throughput` as 2 job-array slots side by side, and through
            `mpirun -n 2` where the build has the MPI driver: the same merged bytes, and the time.
merge       `sweep merge` of 100 results (the default scenario, 30 years) and opening the merged
            file lazily in xarray, then one selection.

CPU times are the children's user + system seconds (os.wait4), so they hold on a busy machine;
wall times do not: the load average is printed beside each.
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "data" / "tiny" / "datasets" / "tiny"


def load():
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def timed(args, env=None):
    """Runs `args`; returns (wall seconds, CPU seconds of it and its children)."""
    start = time.perf_counter()
    process = subprocess.Popen([str(a) for a in args], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    stderr = process.stderr.read().decode()
    process.stderr.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"sweep_bench: {' '.join(map(str, args))} exited {process.returncode}:\n{stderr}")
    return wall, usage.ru_utime + usage.ru_stime


def write_sweep(folder, base_text, vary, name="sweep.yaml"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "base.yaml").write_text(base_text)
    path = folder / name
    path.write_text(f"base: base.yaml\noutput: out\nvary:\n{vary}")
    return path


def factors(n):
    """n fertility factors from 0.81 up in steps of 0.02 (n=20: 0.81..1.19)."""
    return "[" + ", ".join(f"{0.81 + 0.02 * i:.2f}" for i in range(n)) + "]"


def baseline_text(horizon=None):
    text = f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}\n"
    return text + (f"horizon: {horizon}\n" if horizon else "")


def merged_digest(path):
    """The merged file's bytes: the same tasks must give the same file however they were run."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def throughput(binary, work, cores):
    folder = work / "throughput"
    sweep = write_sweep(folder, baseline_text(), f"  rates.fertility.factor: {factors(20)}\n")
    single_cpu = 0.0
    single_wall = 0.0
    for i in range(20):
        factor = f"{0.81 + 0.02 * i:.2f}"
        wall, cpu = timed([binary, "run", folder / "base.yaml", "--set",
                           f"rates.fertility.factor={factor}", "--threads", "1", "-q",
                           "-o", folder / "single.h5", "--data-dir", ROOT / "data"])
        single_cpu += cpu
        single_wall += wall
    best = single_cpu / cores
    print(f"throughput: 20 single runs, one thread each, one after another: CPU {single_cpu:.1f} s, "
          f"wall {single_wall:.1f} s ({load()})")
    wall, cpu = timed([binary, "sweep", "run", sweep, "--data-dir", ROOT / "data"])
    print(f"throughput: `sweep run` of the same 20 on {cores} cores: wall {wall:.1f} s, CPU {cpu:.1f} s "
          f"({load()})")
    print(f"throughput: best possible (single-run CPU / cores) {best:.1f} s; sweep wall / best "
          f"= {wall / best:.3f}; sweep CPU / single-run CPU = {cpu / single_cpu:.3f}")
    return sweep


def overhead(binary, work):
    folder = work / "overhead"
    sweep = write_sweep(folder, f"dataset: {TINY}\nhorizon: 1\n",
                        "  rates.fertility.factor: [" +
                        ", ".join(f"{0.6 + 0.02 * i:.2f}" for i in range(40)) + "]\n")
    direct_wall = direct_cpu = 0.0
    for i in range(40):
        wall, cpu = timed([binary, "run", folder / "base.yaml", "--set",
                           f"rates.fertility.factor={0.6 + 0.02 * i:.2f}", "--threads", "1", "-q",
                           "-o", folder / "direct.h5"])
        direct_wall += wall
        direct_cpu += cpu
    wall, cpu = timed([binary, "sweep", "run", sweep, "--jobs", "1", "--threads", "1"])
    print(f"overhead: 40 tiny runs one after another: wall {direct_wall:.2f} s, CPU {direct_cpu:.2f} s; "
          f"as `sweep run --jobs 1`: wall {wall:.2f} s, CPU {cpu:.2f} s ({load()})")
    print(f"overhead: per task {1000 * (wall - direct_wall) / 40:.1f} ms wall, "
          f"{1000 * (cpu - direct_cpu) / 40:.1f} ms CPU beyond its run")
    wall, cpu = timed([binary, "sweep", "run", sweep])
    print(f"overhead: the same sweep again, every task done (40 results checked): wall {wall:.2f} s, "
          f"CPU {cpu:.2f} s")


def split(binary, work, throughput_sweep):
    reference = None
    if throughput_sweep is not None:
        wall, _ = timed([binary, "sweep", "merge", throughput_sweep])
        reference = merged_digest(throughput_sweep.parent / "out" / "merged.h5")
    folder = work / "split-array"
    sweep = write_sweep(folder, baseline_text(), f"  rates.fertility.factor: {factors(20)}\n")
    start = time.perf_counter()
    slots = [subprocess.Popen([str(binary), "sweep", "run", str(sweep), "--task-index", str(i),
                               "--task-count", "2", "--jobs", "1", "--threads", "1",
                               "--data-dir", str(ROOT / "data")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for i in range(2)]
    cpu = 0.0
    for slot in slots:
        _, status, usage = os.wait4(slot.pid, 0)
        slot.returncode = os.waitstatus_to_exitcode(status)
        if slot.returncode != 0:
            sys.exit("sweep_bench: an array slot failed")
        cpu += usage.ru_utime + usage.ru_stime
    wall = time.perf_counter() - start
    timed([binary, "sweep", "merge", sweep])
    digest = merged_digest(folder / "out" / "merged.h5")
    print(f"split: 2 array slots side by side: wall {wall:.1f} s, CPU {cpu:.1f} s "
          f"({load()}); merged file {digest}" +
          ("" if reference is None else f" ({'same as' if digest == reference else 'DIFFERS FROM'} "
                                         f"one process's {reference})"))
    mpirun = shutil.which("mpirun")
    if not mpirun:
        print("split: mpirun -n 2 not measured: no mpirun")
        return
    folder = work / "split-mpi"
    sweep = write_sweep(folder, baseline_text(), f"  rates.fertility.factor: {factors(20)}\n")
    # As tests/integration/test_sweep_mpi.py launches on one machine (docs/sweeps.md, "MPI").
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_plm="isolated", OMPI_MCA_btl="self,vader",
               OMPI_MCA_btl_vader_single_copy_mechanism="none", OMPI_MCA_pml="ob1")
    start = time.perf_counter()
    process = subprocess.Popen([mpirun, "--oversubscribe", "-n", "2", str(binary), "sweep", "run",
                                str(sweep), "--data-dir", str(ROOT / "data")], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0 or "MPI processes" not in output:
        print("split: mpirun -n 2 not measured: " + output.strip()[-300:])
        return
    cpu = usage.ru_utime + usage.ru_stime
    timed([binary, "sweep", "merge", sweep])
    digest = merged_digest(folder / "out" / "merged.h5")
    print(f"split: mpirun -n 2: wall {wall:.1f} s, CPU {cpu:.1f} s ({load()}); merged file {digest}"
          + ("" if reference is None else f" ({'same as' if digest == reference else 'DIFFERS FROM'} "
                                           f"one process's {reference})"))


def merge(binary, work):
    folder = work / "merge"
    sweep = write_sweep(folder, baseline_text(), "  rates.fertility.factor: [" +
                        ", ".join(f"{0.5 + 0.01 * i:.2f}" for i in range(100)) + "]\n")
    wall, cpu = timed([binary, "sweep", "run", sweep, "--data-dir", ROOT / "data"])
    tasks = sum(f.stat().st_size for f in (folder / "out" / "tasks").glob("*.h5"))
    print(f"merge: 100 tasks run (or found done) in {wall:.0f} s wall, {cpu:.0f} s CPU; their "
          f"results {tasks / 1e6:.0f} MB")
    wall, cpu = timed([binary, "sweep", "merge", sweep])
    size = (folder / "out" / "merged.h5").stat().st_size
    print(f"merge: `sweep merge` of 100 results: wall {wall:.2f} s, CPU {cpu:.2f} s ({load()}); "
          f"merged file {size / 1e6:.0f} MB")
    code = ("import time, xarray as xr\n"
            "t = time.perf_counter()\n"
            f"ds = xr.open_dataset({str(folder / 'out' / 'merged.h5')!r}, engine='h5netcdf')\n"
            "opened = time.perf_counter() - t\n"
            "t = time.perf_counter()\n"
            "v = ds.population.sel(year=2049).where(ds.fertility_factor > 1, drop=True)"
            ".sum('area').values\n"
            "print(f'{opened:.2f} {time.perf_counter() - t:.2f} {len(ds.data_vars)} {v.size}')\n")
    out = subprocess.run(["/usr/bin/python3", "-c", code], capture_output=True, text=True, check=True)
    opened, selected, variables, values = out.stdout.split()
    print(f"merge: xarray opens it lazily in {opened} s ({variables} variables); the population "
          f"of 2049 of the {values} variants with fertility_factor > 1, summed over areas, in "
          f"{selected} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=str(ROOT / "build" / "release" / "bin" / "socialtwin"))
    parser.add_argument("--parts", default="throughput,overhead,split,merge")
    parser.add_argument("--work", help="keep the sweeps in this folder (default: a temporary "
                        "one): a second run finds merge's 100 results done and times the merge "
                        "alone")
    args = parser.parse_args()
    binary = Path(args.bin).resolve()
    if not binary.is_file():
        sys.exit(f"sweep_bench: no socialtwin at {binary} (cmake --build --preset release)")
    parts = args.parts.split(",")
    cores = os.cpu_count()
    print(f"sweep_bench: {binary}, {cores} cores, {load()}")
    with tempfile.TemporaryDirectory(prefix="sweep_bench.") as temporary:
        work = Path(args.work).resolve() if args.work else Path(temporary)
        sweep = throughput(binary, work, cores) if "throughput" in parts else None
        if "overhead" in parts:
            overhead(binary, work)
        if "split" in parts:
            split(binary, work, sweep)
        if "merge" in parts:
            merge(binary, work)


if __name__ == "__main__":
    main()
