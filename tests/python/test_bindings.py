"""socialtwin from Python (bindings/, docs/python.md): a run returns the result file's Dataset in memory.

Needs the built package on the path (ctest sets SOCIALTWIN_PYTHON=<build>/python) and the `socialtwin`
command (SOCIALTWIN_BIN) for the file the in-memory Dataset is compared with.
"""
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

xr = pytest.importorskip("xarray")
pytest.importorskip("h5netcdf")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PYTHON_DIR = os.environ.get("SOCIALTWIN_PYTHON")
if not PYTHON_DIR:
    pytest.skip("SOCIALTWIN_PYTHON (the build's python/ folder) not set", allow_module_level=True)
sys.path.insert(0, PYTHON_DIR)
import socialtwin  # noqa: E402

SMALL = os.path.join(ROOT, "tests", "integration", "scenarios")


def default_signals():
    """SIGINT and SIGTERM at their defaults in a child a test interrupts, as at a terminal: a
    test suite started as a background job has SIGINT ignored, which the child would inherit
    and keep (Python then never raises KeyboardInterrupt). As tests/integration/conftest.py."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def scenario(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent(text))
    return path


ZUIDWEST = """\
    name: python-test
    description: Zuid-West from 2021, three years (tests/python/test_bindings.py).
    dataset: denhaag-zuidwest-2021
    base_year: 2021
    horizon: 3
    core: {core}
    replicates: {replicates}
    """


def assert_same_dataset(memory, file):
    """Same variables, dims, coordinates, attributes and values, bit for bit."""
    assert sorted(memory.data_vars) == sorted(file.data_vars)
    for name in file.data_vars:
        a, b = memory[name], file[name]
        assert a.dims == b.dims, name
        for key, value in b.attrs.items():
            assert a.attrs.get(key) == value, (name, key)
        np.testing.assert_array_equal(a.values, b.values, err_msg=name)
    for name in file.coords:
        np.testing.assert_array_equal(memory[name].values, file[name].values, err_msg=name)


@pytest.mark.parametrize("core,replicates,per_area,breakdowns",
                         [("cohort", 1, None, None), ("agent", 3, None, None),
                          ("agent", 3, "all", None), ("agent", 1, None, "none"),
                          ("agent", 3, None, "none")])
def test_a_run_in_memory_is_the_result_file_name_for_name_and_bit_for_bit(tmp_path, core, replicates,
                                                                         per_area, breakdowns):
    path = scenario(tmp_path, ZUIDWEST.format(core=core, replicates=replicates))
    out = tmp_path / "r.h5"
    overrides = {}
    if per_area:
        overrides["output.replicates_per_area"] = per_area
    if breakdowns:
        overrides["output.breakdowns_per_area"] = breakdowns
    memory = socialtwin.run(path, output=out, aggregates=False, set=overrides or None)
    with xr.open_dataset(out, engine="h5netcdf") as file:
        assert_same_dataset(memory, file.load())
    # The breakdowns per area only where the file keeps them (output.breakdowns_per_area).
    assert ("population_by_age_sex" in memory) == (breakdowns != "none")
    if replicates > 1:
        # Every replicate of every area only on request (output.replicates_per_area: all); the
        # percentiles always.
        assert ("population_replicates" in memory) == (per_area == "all")
        assert "population_quantiles" in memory
    assert memory.attrs["meta_core"] == core
    assert memory.attrs["meta_replicates"] == str(replicates)
    assert memory.population.attrs["units"] == "1"  # UDUNITS-2 (docs/output-schema.md)
    assert memory.population.attrs["unit_label"] == "persons"


def test_without_output_no_file_is_written_and_the_values_are_the_same(tmp_path):
    path = scenario(tmp_path, ZUIDWEST.format(core="cohort", replicates=1))
    a = socialtwin.run(path)
    b = socialtwin.run(path, output=tmp_path / "r.h5")
    np.testing.assert_array_equal(a.gp_contacts.values, b.gp_contacts.values)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.h5", "s.yaml"]


def test_core_and_replicates_override_the_scenarios(tmp_path):
    path = scenario(tmp_path, ZUIDWEST.format(core="cohort", replicates=1))
    ds = socialtwin.run(path, core="agent", replicates=2)
    assert ds.sizes["replicate"] == 2
    assert ds.population_quantiles.dims[0] == "quantile"


def test_bad_input_raises_input_error_with_every_problem_as_an_object(tmp_path):
    path = scenario(tmp_path, """\
        name: bad
        dataset: denhaag-zuidwest-2021
        horizon: -3
        replicats: 2
        """)
    with pytest.raises(socialtwin.InputError) as caught:
        socialtwin.run(path)
    keys = {p.key for p in caught.value.problems}
    assert "horizon" in keys and "replicats" in keys
    problem = next(p for p in caught.value.problems if p.key == "horizon")
    assert problem.file == str(path) and problem.line == 3 and problem.column > 0
    assert "expected" in problem.message
    # validate() finds the same problems without running
    assert {p.key for p in socialtwin.validate(path)} == keys
    assert socialtwin.validate(os.path.join(ROOT, "scenarios", "baseline.yaml")) == []


def test_a_run_releases_the_gil(tmp_path):
    """Another Python thread keeps running while the engine works."""
    path = scenario(tmp_path, ZUIDWEST.format(core="agent", replicates=2).replace("horizon: 3", "horizon: 8"))
    ticks = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.005)
    t = threading.Thread(target=count)
    t.start()
    start = time.perf_counter()
    socialtwin.run(path, threads=1)
    elapsed = time.perf_counter() - start
    stop.set()
    t.join()
    during = [x for x in ticks if start <= x <= start + elapsed]
    # a thread blocked on the GIL would tick once or twice; free, about every 5 ms
    assert elapsed < 0.2 or len(during) > elapsed / 0.005 / 4, (elapsed, len(during))


def test_ctrl_c_stops_the_run_between_two_years_and_writes_nothing(tmp_path):
    path = scenario(tmp_path, ZUIDWEST.format(core="agent", replicates=4).replace("horizon: 3", "horizon: 29"))
    out = tmp_path / "r.h5"
    code = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {PYTHON_DIR!r})
        import socialtwin
        print("ready", flush=True)
        try:
            socialtwin.run({str(path)!r}, output={str(out)!r}, threads=1)
            print("finished")
        except KeyboardInterrupt:
            print("interrupted")
        """)
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                         preexec_fn=default_signals)
    assert p.stdout.readline().strip() == "ready"
    time.sleep(1.5)
    p.send_signal(signal.SIGINT)
    stdout, _ = p.communicate(timeout=60)
    assert stdout.strip() == "interrupted"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["s.yaml"]  # no result, no temporary file


def test_set_is_the_command_line_s_set(tmp_path):
    if not os.environ.get("SOCIALTWIN_BIN"):
        pytest.skip("SOCIALTWIN_BIN (the socialtwin command to compare with) not set")
    path = scenario(tmp_path, ZUIDWEST.format(core="cohort", replicates=1))
    memory = socialtwin.run(path, set={"rates.fertility.factor": 0.9, "horizon": 2})
    out = tmp_path / "set.h5"
    subprocess.run([os.environ["SOCIALTWIN_BIN"],
                    "run", str(path), "--set", "rates.fertility.factor=0.9", "--set", "horizon=2",
                    "-o", str(out), "-q", "--no-aggregates"], check=True, capture_output=True)
    with xr.open_dataset(out, engine="h5netcdf") as file:
        np.testing.assert_array_equal(memory.births.values, file.births.values)
    assert memory.attrs["meta_overrides"] == 'rates.fertility.factor=0.9\nhorizon=2\n'
    with xr.open_dataset(out, engine="h5netcdf", group="meta") as meta:
        assert memory.attrs["meta_scenario_hash"] == meta.attrs["scenario_hash"]
    problems = socialtwin.validate(path, set={"horizon": 0, "horizn": 3})
    assert [p.key for p in problems] == ["horizon", "horizn"]
    assert "did you mean 'horizon'" in problems[1].text
    with pytest.raises(socialtwin.InputError):
        socialtwin.run(path, set={"rates.fertility.factor": "abc"})


# ---- sweeps (docs/sweeps.md) ----------------------------------------------------------------

TINY = os.path.join(ROOT, "tests", "data", "tiny", "datasets", "tiny")


def tiny_sweep(folder):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "base.yaml").write_text(f"dataset: {TINY}\nhorizon: 2\n")
    path = folder / "sweep.yaml"
    path.write_text("base: base.yaml\noutput: out\nvary:\n  rates.fertility.factor: [0.8, 1.2]\n"
                    "  name: [a, b]\n")
    return path


def test_a_sweep_driven_from_python_is_the_command_s_sweep(tmp_path):
    sweep = socialtwin.Sweep(tiny_sweep(tmp_path / "python"))
    tasks = sweep.tasks
    assert len(tasks) == 4 and list(tasks.columns[:4]) == ["variant", "replicate",
                                                           "fertility_factor", "name"]
    assert sorted(set(tasks.fertility_factor)) == [0.8, 1.2]  # numbers stay numbers
    assert set(sweep.status().state) == {"missing"}
    with pytest.raises(socialtwin.InputError, match="not done"):
        sweep.merge()

    report = sweep.run(jobs=2)
    assert (report.ran, report.skipped, report.failed) == (4, 0, [])
    assert set(sweep.status().state) == {"done"}
    assert sweep.run().skipped == 4  # done is done: nothing runs twice
    ds = sweep.merge()
    assert ds.births.dims == ("variant", "year", "area")
    assert list(ds.where(ds.fertility_factor > 1, drop=True).variant.values) == \
        list(tasks[tasks.fertility_factor > 1].variant)
    assert list(sweep.summary().index) == list(ds.variant.values)

    # The same sweep by the command gives the same merged values.
    command_file = tiny_sweep(tmp_path / "command")
    for step in ("run", "merge"):
        subprocess.run([os.environ["SOCIALTWIN_BIN"], "sweep", step, str(command_file)], check=True,
                       capture_output=True)
    by_command = xr.open_dataset(tmp_path / "command" / "out" / "merged.h5", engine="h5netcdf")
    for name in ("population", "births", "gp_contacts"):
        assert ds[name].values.tobytes() == by_command[name].values.tobytes()


def test_a_bad_sweep_file_raises_input_error_naming_the_key(tmp_path):
    path = tiny_sweep(tmp_path)
    path.write_text(path.read_text().replace("rates.fertility.factor", "rates.fertility.factr"))
    with pytest.raises(socialtwin.InputError) as error:
        socialtwin.Sweep(path)
    assert any("fertility" in p.text for p in error.value.problems)


def test_ctrl_c_stops_a_sweep_s_tasks_and_keeps_what_finished(tmp_path):
    """KeyboardInterrupt once the running tasks have stopped (none left behind, no temporary, none
    marked failed); the tasks that finished stay done and a second run does the rest."""
    (tmp_path / "base.yaml").write_text(
        f"dataset: {os.path.join(ROOT, 'data', 'datasets', 'denhaag-zuidwest-2019')}\nhorizon: 30\n")
    path = tmp_path / "sweep.yaml"
    path.write_text("base: base.yaml\noutput: out\nvary:\n  rates.fertility.factor: "
                    "{from: 0.5, to: 1.5, step: 0.1}\n")
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {PYTHON_DIR!r})
        import socialtwin
        sweep = socialtwin.Sweep({str(path)!r})
        print("ready", flush=True)
        try:
            sweep.run(jobs=2, threads=1)
            print("finished")
        except KeyboardInterrupt:
            print("interrupted")
        """)
    # Its own process group, as a terminal's Ctrl-C reaches a foreground job: the tasks must not
    # end on the signal themselves but be stopped by the sweep.
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                         start_new_session=True, preexec_fn=default_signals)
    assert p.stdout.readline().strip() == "ready"
    time.sleep(3)
    os.killpg(p.pid, signal.SIGINT)
    stdout, _ = p.communicate(timeout=60)
    assert stdout.strip() == "interrupted"
    tasks = tmp_path / "out" / "tasks"
    time.sleep(0.5)
    leftovers = [x.name for x in tasks.iterdir() if not x.name.endswith(".h5")]
    assert leftovers == [], leftovers  # no temporary, log or failure note
    status = socialtwin.Sweep(path).status()
    assert set(status.state) <= {"done", "missing"} and "missing" in set(status.state)
