"""Overrides and sweeps (docs/sweeps.md): `run --set`, and `socialtwin sweep plan|run|status|merge`
on the tiny dataset (two areas, two years), so that every sweep here takes seconds."""
import os
import pty
import re
import shutil
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest
import xarray as xr

from conftest import ROOT, default_signals

BIN = os.environ.get("SOCIALTWIN_BIN", str(ROOT / "build/release/bin/socialtwin"))
TINY = ROOT / "tests" / "data" / "tiny" / "datasets" / "tiny"


def socialtwin(*args, check=True, cwd=None, env=None):
    result = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, timeout=600,
                            cwd=cwd, env=env)
    if check and result.returncode != 0:
        raise AssertionError(f"socialtwin {' '.join(map(str, args))} exited "
                             f"{result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def base_scenario(folder, text=""):
    scenario = folder / "base.yaml"
    scenario.write_text(f"dataset: {TINY}\nhorizon: 2\n{text}")
    return scenario


def sweep_file(folder, body, name="sweep.yaml", base="base.yaml", output="out"):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"base: {base}\noutput: {output}\n{body}")
    return path


def task_ids(plan_output):
    """The task ids of `sweep plan`'s table, in its order."""
    lines = plan_output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("task "))
    return [line.split()[0] for line in lines[start + 1:] if line.strip()]


def meta(path):
    with h5py.File(path, "r") as f:
        m = f["meta"]
        return {k: (v.decode() if isinstance(v, bytes) else v) for k, v in m.attrs.items()}, \
            m["scenario_yaml"][()].decode()


# ---- run --set --------------------------------------------------------------------------------

def test_set_gives_the_result_of_the_same_values_written_in_the_file(tmp_path):
    base = base_scenario(tmp_path)
    socialtwin("run", base, "--set", "rates.fertility.factor=0.5", "--set", "horizon=1",
               "-o", tmp_path / "set.h5", "-q")
    written = tmp_path / "written.yaml"
    written.write_text(f"dataset: {TINY}\nhorizon: 1\nrates:\n  fertility:\n    factor: 0.5\n")
    socialtwin("run", written, "-o", tmp_path / "written.h5", "-q")
    with h5py.File(tmp_path / "set.h5") as a, h5py.File(tmp_path / "written.h5") as b:
        assert list(a["year"][:]) == [2019, 2020]
        for name in ("population", "births", "gp_fte_needed"):
            assert a[name][:].tobytes() == b[name][:].tobytes()
    attrs, yaml = meta(tmp_path / "set.h5")
    assert attrs["overrides"] == "rates.fertility.factor=0.5\nhorizon=1\n"
    assert "#   with --set rates.fertility.factor=0.5" in yaml
    assert "horizon: 1" in yaml and "factor: 0.5" in yaml
    # The stored hash is that of the resolved scenario: the same as the file's with those values.
    assert attrs["scenario_hash"] == meta(tmp_path / "written.h5")[0]["scenario_hash"]


def test_a_wrong_set_value_is_reported_at_the_argument_and_nothing_is_written(tmp_path):
    base = base_scenario(tmp_path)
    out = tmp_path / "x.h5"
    r = socialtwin("run", base, "--set", "rates.fertility.factor=abc", "--set", "horizn=3",
                   "-o", out, check=False)
    assert r.returncode == 2
    assert ("--set rates.fertility.factor=abc: rates.fertility.factor: expected a multiplier"
            in r.stderr)
    assert "--set horizn=3: horizn: unknown key (did you mean 'horizon'?)" in r.stderr
    assert not out.exists()
    r = socialtwin("run", base, "--set", "horizon", "-o", out, check=False)
    assert r.returncode == 2 and "--set horizon: expected KEY=VALUE" in r.stderr


def test_set_takes_yaml_lists_and_mappings_in_flow_style(tmp_path):
    base = base_scenario(tmp_path)
    socialtwin("run", base, "--set",
               "construction=[{name: A, year: 2020, area: T1, dwellings: 40}]",
               "-o", tmp_path / "built.h5", "-q")
    socialtwin("run", base, "-o", tmp_path / "plain.h5", "-q")
    with h5py.File(tmp_path / "built.h5") as a, h5py.File(tmp_path / "plain.h5") as b:
        assert a["dwellings_stock"][-1].sum() == pytest.approx(b["dwellings_stock"][-1].sum() + 40)
    r = socialtwin("run", base, "--set", "construction=[{name: A, year: 2020}]", "-o",
                   tmp_path / "x.h5", check=False)
    assert r.returncode == 2
    assert "construction[0].area: required key is missing" in r.stderr


def test_set_reaches_list_items_by_index_and_appends_at_the_end(tmp_path):
    base = base_scenario(tmp_path)
    project = "{name: A, year: 2020, area: T1, dwellings: 40}"
    socialtwin("run", base, "--set", f"construction[0]={project}", "--set",
               "construction[0].dwellings=10", "--set", f"construction[1]={project}",
               "-o", tmp_path / "built.h5", "-q")
    socialtwin("run", base, "-o", tmp_path / "plain.h5", "-q")
    with h5py.File(tmp_path / "built.h5") as a, h5py.File(tmp_path / "plain.h5") as b:
        assert a["dwellings_stock"][-1].sum() == pytest.approx(b["dwellings_stock"][-1].sum() + 50)
    r = socialtwin("run", base, "--set", f"construction[3]={project}", "-o", tmp_path / "x.h5",
                   check=False)
    assert r.returncode == 2 and "has 0 items: index 3 is neither" in r.stderr
    r = socialtwin("run", base, "--set", "extends=base.yaml", "-o", tmp_path / "x.h5", check=False)
    assert r.returncode == 2 and "`extends` cannot be set" in r.stderr


def test_a_relative_dataset_path_given_with_set_is_relative_to_the_current_folder(tmp_path):
    elsewhere = tmp_path / "scenarios"
    elsewhere.mkdir()
    base = base_scenario(elsewhere)
    relative = os.path.relpath(TINY, tmp_path)
    socialtwin("run", base, "--set", f"dataset={relative}", "-o", tmp_path / "r.h5", "-q",
               cwd=tmp_path)
    assert (tmp_path / "r.h5").exists()


def test_validate_synthesise_and_backtest_take_set_too(tmp_path):
    base = base_scenario(tmp_path)
    r = socialtwin("synthesise", base, "--set", "seed=x", "-o", tmp_path / "p.h5", check=False)
    assert r.returncode == 2 and "--set seed=x: seed: expected" in r.stderr
    socialtwin("synthesise", base, "--set", "seed=7", "-o", tmp_path / "p.h5")
    assert (tmp_path / "p.h5").exists()
    assert socialtwin("validate", base, "--set", "horizon=3").returncode == 0
    r = socialtwin("validate", base, "--set", "horizon=0", check=False)
    assert r.returncode == 2 and "--set horizon=0: horizon: expected" in r.stderr
    r = socialtwin("backtest", tmp_path / "none", "--scenario", base, "--set", "seed=x",
                   check=False)
    assert r.returncode == 2


# ---- sweep plan --------------------------------------------------------------------------------

def test_the_plan_is_a_grid_with_ids_that_do_not_depend_on_the_order_of_the_keys(tmp_path):
    base_scenario(tmp_path)
    one = sweep_file(tmp_path, "vary:\n  rates.fertility.factor: [0.8, 1.2]\n"
                     "  horizon: {from: 1, to: 2, step: 1}\nreplicates: 2\n", name="one.yaml")
    other = sweep_file(tmp_path, "replicates: 2\nvary:\n  horizon: {from: 1, to: 2, step: 1}\n"
                       "  rates.fertility.factor: [0.8, 1.2]\n", name="other.yaml")
    plan = socialtwin("sweep", "plan", one).stdout
    assert "4 variants x 2 replicates = 8 tasks" in plan
    ids = task_ids(plan)
    assert len(ids) == 8 == len(set(ids))
    assert task_ids(socialtwin("sweep", "plan", one).stdout) == ids  # the same file, the same plan
    assert sorted(task_ids(socialtwin("sweep", "plan", other).stdout)) == sorted(ids)
    more = sweep_file(tmp_path, "vary:\n  rates.fertility.factor: [0.8, 1.0, 1.2]\n"
                      "  horizon: {from: 1, to: 2, step: 1}\nreplicates: 2\n", name="more.yaml")
    assert set(ids) < set(task_ids(socialtwin("sweep", "plan", more).stdout))


def test_samples_are_drawn_from_the_seed(tmp_path):
    base_scenario(tmp_path)
    body = ("vary:\n  rates.fertility.factor: {from: 0.8, to: 1.2}\n"
            "  rates.mortality.factor: {from: 0.9, to: 1.1}\n"
            "sample: {method: latin_hypercube, n: 5, seed: 7}\n")
    first = socialtwin("sweep", "plan", sweep_file(tmp_path, body)).stdout
    assert first == socialtwin("sweep", "plan", sweep_file(tmp_path, body)).stdout
    rows = [line.split() for line in first.splitlines()[first.splitlines().index(
        next(l for l in first.splitlines() if l.startswith("task "))) + 1:]]
    fertility = sorted(float(r[3]) for r in rows)
    # A Latin hypercube: one value in each fifth of the range.
    assert [int((f - 0.8) / 0.4 * 5) for f in fertility] == [0, 1, 2, 3, 4]
    other = socialtwin("sweep", "plan", sweep_file(tmp_path, body.replace("seed: 7", "seed: 8")))
    assert task_ids(other.stdout) != task_ids(first)
    uniform = socialtwin("sweep", "plan", sweep_file(tmp_path, body.replace("latin_hypercube",
                                                                            "random"))).stdout
    rows = uniform.splitlines()[-5:]
    assert all(0.8 <= float(r.split()[3]) <= 1.2 and 0.9 <= float(r.split()[4]) <= 1.1
               for r in rows)
    assert uniform == socialtwin("sweep", "plan", sweep_file(tmp_path, body.replace(
        "latin_hypercube", "random"))).stdout


def test_a_wrong_sweep_file_is_reported_with_file_line_column_and_key(tmp_path):
    base_scenario(tmp_path)
    # The values are checked by the scenario schema, at the place in the sweep file that set them.
    path = sweep_file(tmp_path, "vary:\n  rates.fertility.factor: [0.8, abc]\n  horizn: [2]\n")
    r = socialtwin("sweep", "plan", path, check=False)
    assert r.returncode == 2
    assert f"{path}:4:33: vary.rates.fertility.factor: rates.fertility.factor = abc: expected" \
        in r.stderr
    assert f"{path}:5:12: vary.horizn: horizn = 2: unknown key (did you mean 'horizon'?)" in r.stderr
    path = sweep_file(tmp_path, "vary:\n  horizon: [1]\n", base="nothere.yaml")
    r = socialtwin("sweep", "plan", path, check=False)
    assert r.returncode == 2 and f"{path}:1:7: base: no scenario file {tmp_path / 'nothere.yaml'}" \
        in r.stderr
    # The sweep file's own keys first.
    path = sweep_file(tmp_path, "vary:\n  rates.fertility.factor: [0.8]\nreplicate: 2\n")
    r = socialtwin("sweep", "plan", path, check=False)
    assert r.returncode == 2
    assert f"{path}:5:1: replicate: unknown key" in r.stderr and "did you mean 'replicates'" in r.stderr
    path = sweep_file(tmp_path, "vary:\n  horizon: {from: 3, to: 1, step: 0}\n"
                      "sample: {method: latin}\n")
    r = socialtwin("sweep", "plan", path, check=False)
    assert r.returncode == 2
    assert f"{path}:5:18: sample.method: expected random or latin_hypercube, got latin" in r.stderr
    assert "sample.n: missing" in r.stderr
    assert f"{path}:4:26: vary.horizon.to: expected a number not below from (3), got 1" in r.stderr


# ---- sweep run, status, merge --------------------------------------------------------------------

def test_run_status_and_merge_give_one_dataset_with_a_variant_dimension(tmp_path):
    base_scenario(tmp_path)
    path = sweep_file(tmp_path, "vary:\n  rates.fertility.factor: [0.8, 1.0, 1.2]\n")
    assert "3 tasks: 0 done, 3 missing" in socialtwin("sweep", "status", path).stdout
    r = socialtwin("sweep", "run", path, "--jobs", "2")
    assert "3 run, 0 done before, 0 failed (of 3 tasks" in r.stdout
    assert "3 tasks: 3 done, 0 missing, 0 stale, 0 failed" in socialtwin("sweep", "status",
                                                                          path).stdout
    ids = task_ids(socialtwin("sweep", "plan", path).stdout)
    merged = socialtwin("sweep", "merge", path)
    assert "fertility_factor" in merged.stdout and "population" in merged.stdout

    ds = xr.open_dataset(tmp_path / "out" / "merged.h5", engine="h5netcdf")
    assert ds.gp_fte_needed.dims == ("variant", "year", "area")
    assert list(ds.fertility_factor.values) == [0.8, 1.0, 1.2]
    assert "fertility_factor" in ds.coords
    variant = ids[1].split("-r")[0]
    with h5py.File(tmp_path / "out" / "tasks" / f"{ids[1]}.h5") as task:
        assert ds.gp_fte_needed.sel(variant=variant).values.tobytes() == \
            task["gp_fte_needed"][:].tobytes()
        assert ds.gp_fte_needed.attrs["units"] == task["gp_fte_needed"].attrs["units"]
    more = ds.where(ds.fertility_factor > 1, drop=True)
    assert list(more.variant.values) == [ids[2].split("-r")[0]]
    births = ds.births.sum(["year", "area"]).values
    assert births[0] < births[1] < births[2]

    summary = (tmp_path / "out" / "merged_summary.csv").read_text().splitlines()
    assert summary[0].startswith("variant,fertility_factor,year,population,")
    assert len(summary) == 4

    # Each variant's aggregates too, with the same coordinates: a wijk's figures per variant.
    wijk = xr.open_dataset(tmp_path / "out" / "merged.h5", engine="h5netcdf",
                           group="aggregates/wijk")
    assert wijk.births.dims == ("variant", "year", "wijk")
    assert list(wijk.fertility_factor.values) == [0.8, 1.0, 1.2]
    assert np.allclose(wijk.births.sum("wijk"), ds.births.sum("area"))
    assert list(wijk.where(wijk.fertility_factor > 1, drop=True).variant.values) == \
        list(more.variant.values)
    with h5py.File(tmp_path / "out" / "tasks" / f"{ids[1]}.h5") as task:
        assert wijk.births.sel(variant=variant).values.tobytes() == \
            task["aggregates/wijk/births"][:].tobytes()
        assert wijk.births.attrs["aggregation"] == \
            task["aggregates/wijk/births"].attrs["aggregation"]

    # `info` says what the file is and how it was made.
    info = socialtwin("info", tmp_path / "out" / "merged.h5").stdout
    assert "socialtwin merged sweep" in info
    assert "3 x 1 replicate(s)" in info
    assert "rates.fertility.factor -> fertility_factor" in info
    assert "/aggregates/: buurt, wijk, gemeente" in info


def rechunk(path, name, chunks):
    """Writes `name` of a result again with other chunks, keeping its values, attributes and
    dimensions: a task whose layout the merge cannot copy chunk by chunk."""
    with h5py.File(path, "r+") as f:
        old = f[name]
        values, attrs = old[()], dict(old.attrs)
        scales = [old.dims[i][0].name for i in range(old.ndim)]
        for i, scale in enumerate(scales):
            old.dims[i].detach_scale(f[scale])
        del f[name]
        # The filters socialtwin writes (result_layout::deflate_level), so only the chunks differ.
        new = f.create_dataset(name, data=values, chunks=chunks, compression="gzip",
                               compression_opts=1, shuffle=True, fillvalue=np.nan)
        for i, scale in enumerate(scales):
            new.dims[i].attach_scale(f[scale])
        for key, value in attrs.items():
            if key not in ("DIMENSION_LIST", "REFERENCE_LIST"):
                new.attrs[key] = value


def test_the_merge_copies_chunks_as_stored_and_values_where_a_task_is_chunked_otherwise(tmp_path):
    # The merged variables take the first task's chunks, variant in front, and its stored bytes;
    # a task chunked otherwise (here the second, an area per chunk) is copied value by value. The
    # merged values are each task's either way.
    base_scenario(tmp_path)
    path = sweep_file(tmp_path, "vary:\n  rates.fertility.factor: [0.8, 1.2]\n")
    socialtwin("sweep", "run", path)
    ids = task_ids(socialtwin("sweep", "plan", path).stdout)
    tasks = [tmp_path / "out" / "tasks" / f"{i}.h5" for i in ids]
    rechunk(tasks[1], "population", (1, 1))
    rechunk(tasks[1], "aggregates/wijk/births", (1, 1))
    socialtwin("sweep", "merge", path)
    with h5py.File(tmp_path / "out" / "merged.h5") as merged:
        for name in ("population", "births", "aggregates/wijk/births"):
            with h5py.File(tasks[0]) as first:
                assert merged[name].chunks == (1,) + first[name].chunks
            for v, task in enumerate(tasks):
                with h5py.File(task) as t:
                    assert merged[name][v].tobytes() == t[name][()].tobytes(), (name, v)
        # The first task's chunks are its stored bytes, not compressed again.
        with h5py.File(tasks[0]) as first:
            assert merged["population"].id.read_direct_chunk((0, 1, 0)) == \
                first["population"].id.read_direct_chunk((1, 0))
    # All tasks chunked an area per chunk: several stored chunks a year, each in its place.
    for task in tasks:
        rechunk(task, "births", (1, 1))
    socialtwin("sweep", "merge", path)
    with h5py.File(tmp_path / "out" / "merged.h5") as merged:
        assert merged["births"].chunks == (1, 1, 1)
        for v, task in enumerate(tasks):
            with h5py.File(task) as t:
                assert merged["births"][v].tobytes() == t["births"][()].tobytes()
                assert merged["births"].id.read_direct_chunk((v, 1, 1)) == \
                    t["births"].id.read_direct_chunk((1, 1))


def test_a_varied_horizon_leaves_nan_and_text_values_are_text_coordinates(tmp_path):
    base_scenario(tmp_path)
    path = sweep_file(tmp_path, "vary:\n  horizon: [1, 2]\n  name: [a, b]\n")
    socialtwin("sweep", "run", path)
    socialtwin("sweep", "merge", path, "-o", tmp_path / "elsewhere.h5")
    assert (tmp_path / "elsewhere_summary.csv").exists()
    ds = xr.open_dataset(tmp_path / "elsewhere.h5", engine="h5netcdf")
    assert list(ds.year.values) == [2019, 2020, 2021]
    short = ds.population.where(ds.horizon == 1, drop=True)
    assert np.isnan(short.sel(year=2021)).all() and not np.isnan(short.sel(year=2020)).any()
    assert sorted(ds.name.values) == ["a", "a", "b", "b"]


def test_replicates_are_a_dimension_and_run_with_the_seed_plus_the_replicate(tmp_path):
    base_scenario(tmp_path, "core: agent\nseed: 5\n")
    path = sweep_file(tmp_path, "vary:\n  rates.fertility.factor: [0.8, 1.2]\nreplicates: 2\n")
    socialtwin("sweep", "run", path)
    socialtwin("sweep", "merge", path)
    ds = xr.open_dataset(tmp_path / "out" / "merged.h5", engine="h5netcdf")
    assert ds.population.dims == ("variant", "replicate", "year", "area")
    ids = task_ids(socialtwin("sweep", "plan", path).stdout)
    assert meta(tmp_path / "out" / "tasks" / f"{ids[0]}.h5")[0]["seed"] == "5"
    assert meta(tmp_path / "out" / "tasks" / f"{ids[1]}.h5")[0]["seed"] == "6"
    assert meta(tmp_path / "out" / "tasks" / f"{ids[1]}.h5")[0]["overrides"].endswith("seed=6\n")


def test_a_changed_base_makes_results_stale_and_they_run_again(tmp_path):
    base = base_scenario(tmp_path)
    path = sweep_file(tmp_path, "vary:\n  rates.fertility.factor: [0.8, 1.2]\n")
    r = socialtwin("sweep", "run", path, "--jobs", "64", "--threads", "64")
    assert "2 run, 0 done before" in r.stdout
    # Tasks at once x threads each never above the cores.
    jobs, threads = (int(x) for x in re.search(r"; (\d+) at once, (\d+) threads?", r.stdout).groups())
    assert jobs * threads <= len(os.sched_getaffinity(0))
    assert "0 run, 2 done before" in socialtwin("sweep", "run", path).stdout
    base.write_text(base.read_text().replace("horizon: 2", "horizon: 1"))
    status = socialtwin("sweep", "status", path).stdout
    assert "0 done, 0 missing, 2 stale" in status and "the base or vary: changed" in status
    r = socialtwin("sweep", "merge", path, check=False)
    assert r.returncode == 2 and "2 of 2 tasks are not done" in r.stderr
    assert "2 run, 0 done before" in socialtwin("sweep", "run", path).stdout
    with h5py.File(next((tmp_path / "out" / "tasks").glob("*.h5"))) as f:
        assert list(f["year"][:]) == [2019, 2020]


def test_a_failed_task_is_reported_and_the_others_still_run(tmp_path):
    base_scenario(tmp_path)
    # Area T9 is not in the dataset: the schema cannot know, the run finds out.
    path = sweep_file(tmp_path, "vary:\n  construction:\n"
                      "    - [{name: A, year: 2020, area: T1, dwellings: 5}]\n"
                      "    - [{name: B, year: 2020, area: T9, dwellings: 5}]\n")
    r = socialtwin("sweep", "run", path, check=False)
    assert r.returncode == 1
    assert "1 run, 0 done before, 1 failed" in r.stdout
    assert "failed (exit 2)" in r.stderr and "T9" in r.stderr
    assert "1 done, 0 missing, 0 stale, 1 failed" in socialtwin("sweep", "status", path).stdout


def test_sweep_run_killed_with_sigkill_loses_and_redoes_nothing(tmp_path):
    base_scenario(tmp_path)
    path = sweep_file(tmp_path, "vary:\n  rates.fertility.factor: {from: 0.5, to: 1.5, step: 0.1}\n")
    tasks = tmp_path / "out" / "tasks"
    sweep = subprocess.Popen([BIN, "sweep", "run", path, "--jobs", "2"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while len(list(tasks.glob("*.h5"))) < 3 and time.time() < deadline:
        time.sleep(0.05)
    sweep.send_signal(signal.SIGKILL)
    sweep.wait()
    time.sleep(0.5)  # its tasks are stopped with it (PR_SET_PDEATHSIG), a moment later
    finished = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in tasks.glob("*.h5")}
    assert 3 <= len(finished) < 11, "the kill should come in the middle of the sweep"
    for result in finished:  # every file under a result's name is complete
        with h5py.File(tasks / result) as f:
            assert "scenario_hash" in f["meta"].attrs

    r = socialtwin("sweep", "run", path)
    assert f"{11 - len(finished)} run, {len(finished)} done before, 0 failed" in r.stdout
    for name, identity in finished.items():  # not redone: the very same files
        assert ((tasks / name).stat().st_ino, (tasks / name).stat().st_mtime_ns) == identity
    assert "11 done" in socialtwin("sweep", "status", path).stdout
    assert sorted(p.name for p in tasks.iterdir()) == sorted(p.name for p in tasks.glob("*.h5"))


def test_ctrl_c_stops_sweep_run_and_its_tasks_and_leaves_no_temporary(tmp_path):
    base_scenario(tmp_path)
    path = sweep_file(tmp_path, "vary:\n  rates.fertility.factor: {from: 0.5, to: 1.5, step: 0.1}\n")
    tasks = tmp_path / "out" / "tasks"
    sweep = subprocess.Popen([BIN, "sweep", "run", path, "--jobs", "2"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True, preexec_fn=default_signals)
    deadline = time.time() + 120
    while len(list(tasks.glob("*.h5"))) < 2 and time.time() < deadline:
        time.sleep(0.05)
    sweep.send_signal(signal.SIGINT)
    _, err = sweep.communicate(timeout=30)
    assert sweep.returncode == 130, err
    time.sleep(1)
    assert not list(tasks.glob("*.tmp")) and not list(tasks.glob(".socialtwin-*"))
    assert "0 failed" in socialtwin("sweep", "run", path).stdout


def test_job_array_slots_give_the_same_merged_file_bit_for_bit(tmp_path):
    base = base_scenario(tmp_path, "core: agent\n")
    body = "vary:\n  rates.fertility.factor: [0.8, 1.2]\nreplicates: 2\n"
    whole = sweep_file(tmp_path / "whole", body, base=base)
    slots = sweep_file(tmp_path / "slots", body, base=base)
    slurm = sweep_file(tmp_path / "slurm", body, base=base)
    socialtwin("sweep", "run", whole, "--jobs", "2")
    ran = []
    for slot in range(3):
        r = socialtwin("sweep", "run", slots, "--task-index", slot, "--task-count", "3")
        assert f"slot {slot} of 3" in r.stdout
        ran.append(int(r.stdout.split(": ")[1].split(" run")[0]))
    assert sorted(ran) == [1, 1, 2]
    # Slurm's --array=1-3: ids 1..3 from SLURM_ARRAY_TASK_MIN 1.
    for task_id in (1, 2, 3):
        env = dict(os.environ, SLURM_ARRAY_TASK_ID=str(task_id), SLURM_ARRAY_TASK_MIN="1",
                   SLURM_ARRAY_TASK_COUNT="3")
        assert f"slot {task_id - 1} of 3" in socialtwin("sweep", "run", slurm, env=env).stdout
    merged = []
    for path in (whole, slots, slurm):
        socialtwin("sweep", "merge", path)
        merged.append((path.parent / "out" / "merged.h5").read_bytes())
    assert merged[0] == merged[1] == merged[2]
    r = socialtwin("sweep", "run", slots, "--task-index", "3", "--task-count", "3", check=False)
    assert r.returncode == 2 and "--task-index: expected a slot from 0 to 2" in r.stderr
    # An array with a step (--array=0-4:2 gives ids 0, 2, 4 and a count of 3) is refused.
    env = dict(os.environ, SLURM_ARRAY_TASK_ID="4", SLURM_ARRAY_TASK_MIN="0",
               SLURM_ARRAY_TASK_COUNT="3")
    r = socialtwin("sweep", "run", slots, env=env, check=False)
    assert r.returncode == 2 and "expected a slot from 0 to 2 (--task-count 3), got 4" in r.stderr


# ---- progress ---------------------------------------------------------------------------------

def run_on_a_terminal(*args):
    """stderr of socialtwin with stderr on a pseudo-terminal (stdout on a pipe)."""
    main, secondary = pty.openpty()
    process = subprocess.Popen([BIN, *map(str, args)], stdout=subprocess.PIPE, stderr=secondary)
    os.close(secondary)
    captured = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        captured += chunk
    process.wait()
    os.close(main)
    return process.returncode, captured.decode(errors="replace")


def test_progress_shows_on_a_terminal_only(tmp_path):
    base = base_scenario(tmp_path)
    code, err = run_on_a_terminal("run", base, "-o", tmp_path / "t.h5", "-q")
    assert code == 0 and "year 2021 done: 3/3" in err and "s left" in err
    piped = socialtwin("run", base, "-o", tmp_path / "p.h5", "-q")
    assert piped.stderr == "" and piped.stdout == f"Result written to {tmp_path / 'p.h5'}\n"

    path = sweep_file(tmp_path, "vary:\n  rates.fertility.factor: [0.8, 1.2]\n")
    code, err = run_on_a_terminal("sweep", "run", path)
    assert code == 0 and "2/2 done, 0 running, 0 failed" in err
    shutil.rmtree(tmp_path / "out")
    piped = socialtwin("sweep", "run", path)
    assert piped.stderr == ""
    assert piped.stdout.startswith("sweep 'sweep': 2 run, 0 done before, 0 failed (of 2 tasks")
    assert piped.stdout.count("\n") == 1 and "\r" not in piped.stdout


# ---- the examples of docs/ ----------------------------------------------------------------------

def test_the_example_sweep_file_plans_five_variants():
    plan = socialtwin("sweep", "plan", ROOT / "docs" / "examples" / "fertility-sweep.yaml").stdout
    assert "sweep 'fertility': 5 variants x 1 replicate = 5 tasks" in plan
    assert [row.split()[3] for row in plan.splitlines()[-5:]] == ["0.8", "0.9", "1", "1.1", "1.2"]


def test_the_example_slurm_script_runs_each_array_task_s_share(tmp_path):
    base_scenario(tmp_path)
    path = sweep_file(tmp_path, "vary:\n  rates.fertility.factor: [0.8, 1.0, 1.2]\n")
    script = ROOT / "docs" / "examples" / "sweep.slurm"
    for task_id in (1, 2):  # --array=1-2
        env = dict(os.environ, SOCIALTWIN=BIN, SLURM_ARRAY_TASK_ID=str(task_id),
                   SLURM_ARRAY_TASK_MIN="1", SLURM_ARRAY_TASK_COUNT="2", SLURM_CPUS_PER_TASK="1")
        r = subprocess.run(["bash", script, path], capture_output=True, text=True, env=env,
                           timeout=600)
        assert r.returncode == 0, r.stderr
        assert f"slot {task_id - 1} of 2" in r.stdout
    assert "3 done" in socialtwin("sweep", "status", path).stdout
