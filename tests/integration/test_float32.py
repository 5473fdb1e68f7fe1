"""Results stored as float32 (scenario key `output.precision: float32`, docs/output-schema.md):
the file says so, holds every value within float32 precision of the float64 run, and every
reader family -- info, aggregate, compare, monitor, export (publication copy and CSV), report,
tools/cf_check.py, xarray -- reads it and gives the float64 file's answers within that precision.

float32 rounds each value to a relative error of at most 2^-24 (~6e-8); readers add in double,
so a sum of n such values is off by at most ~6e-8 of the sum of their magnitudes. The tests allow
1e-6 of the largest magnitude involved: far above that, far below any meaningful difference.
"""
import csv
import subprocess
import sys

import h5py
import numpy as np
import pytest

from conftest import HERE, ROOT, short_scenario

SCENARIOS = HERE / "scenarios"
OBSERVATIONS = ROOT / "tests" / "data" / "observations"
PRECISIONS = ("float64", "float32")
ROUNDING = 2.0 ** -24  # float32's unit roundoff: the largest relative error of one value
TOLERANCE = 1e-6  # of the largest magnitude in a dataset, for anything summed or differenced
# Each replicate of every area in the file too, so that every stored value is checked.
EVERY_REPLICATE = ("--set", "output.replicates_per_area=all")


@pytest.fixture(scope="module")
def results(socialtwin, tmp_path_factory):
    """Den Haag Zuid-West baseline and vergrijzing 2019-2021 (cohort core), the baseline also
    as 3 agent replicates (each kept per area), and the tiny scenario: each in both
    precisions."""
    directory = tmp_path_factory.mktemp("float32")
    runs = {}
    for precision in PRECISIONS:
        for name in ("baseline", "vergrijzing"):
            runs[name, precision] = directory / f"{name}-{precision}.h5"
            socialtwin("run", short_scenario(directory, name, horizon=2), "-o",
                       runs[name, precision], "--quiet", "--set", f"output.precision={precision}")
        runs["agent", precision] = directory / f"agent-{precision}.h5"
        socialtwin("run", short_scenario(directory, "baseline", horizon=2), "-o",
                   runs["agent", precision], "--quiet", "--core", "agent", "--replicates", "3", "--set",
                   f"output.precision={precision}", *EVERY_REPLICATE)
        runs["tiny", precision] = directory / f"tiny-{precision}.h5"
        socialtwin("run", SCENARIOS / "tiny.yaml", "-o", runs["tiny", precision], "--quiet",
                   "--set", f"output.precision={precision}")
    return runs


def float_datasets(path, skip=("meta",)):
    """Every float dataset of a file outside /meta, by path, as float64."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if (isinstance(obj, h5py.Dataset) and obj.dtype.kind == "f"
                    and name.split("/")[0] not in skip):
                out[name] = obj[()].astype(np.float64)
        f.visititems(visit)
    return out


def assert_close(got, expected, what, scale=None):
    assert got.keys() == expected.keys(), what
    for name, values in expected.items():
        largest = scale if scale is not None else np.nanmax(np.abs(values), initial=0.0)
        np.testing.assert_allclose(got[name], values, rtol=0, atol=TOLERANCE * max(largest, 1.0),
                                   err_msg=f"{what}: {name}")


@pytest.mark.parametrize("core, stored", [("agent", "float32"), ("cohort", "float64")])
def test_without_output_precision_an_agent_run_stores_float32_and_a_cohort_run_float64(
        socialtwin, results, tmp_path, core, stored):
    # The scenario reference's default: an agent run's values are draws (their spread between
    # replicates dwarfs float32's rounding), the cohort core's are expected values. The
    # default agent file holds what --set output.precision=float32 holds, value for value.
    out = tmp_path / f"{core}.h5"
    socialtwin("run", short_scenario(tmp_path, "baseline", horizon=2), "-o", out, "--quiet",
               "--core", core, *(["--replicates", "3", *EVERY_REPLICATE] if core == "agent" else []))
    with h5py.File(out, "r") as f:
        assert f.attrs["value_precision"] == stored
        assert f["population"].dtype == np.dtype(stored)
        assert f["gp_contacts"].dtype == np.dtype(stored)
        assert f["aggregates/buurt/population"].dtype == np.float64
    got = float_datasets(out)
    expected = float_datasets(results["agent" if core == "agent" else "baseline", stored])
    assert got.keys() == expected.keys()
    for name, values in expected.items():
        np.testing.assert_array_equal(got[name], values, name)


@pytest.mark.parametrize("run", ["baseline", "agent"])
def test_a_float32_result_says_so_and_holds_each_value_rounded_once(results, run):
    exact, rounded = results[run, "float64"], results[run, "float32"]
    with h5py.File(exact, "r") as f64, h5py.File(rounded, "r") as f32:
        assert f64.attrs["value_precision"] == "float64"
        assert f32.attrs["value_precision"] == "float32"
        # The indicators and their companions: what carries a `kind`.
        names = [n for n in f64 if isinstance(f64[n], h5py.Dataset) and "kind" in f64[n].attrs]
        assert "population" in names
        if run == "agent":
            assert "population_replicates" in names and "population_quantiles" in names
        for name in names:
            assert f64[name].dtype == np.float64, name
            assert f32[name].dtype == np.float32, name
            a, b = f64[name][()], f32[name][()].astype(np.float64)
            if not name.endswith(("_quantiles",)) and run == "baseline":
                # One rounding of the float64 value, nothing more.
                np.testing.assert_array_equal(b, a.astype(np.float32).astype(np.float64), name)
            finite = np.isfinite(a)
            assert np.array_equal(finite, np.isfinite(b)), name
            if run == "agent" and not name.endswith("_replicates"):
                # Mean and quantiles of the rounded replicates: off by up to the rounding of
                # the replicates' magnitudes (a mean of values of both signs can be near 0).
                largest = np.nanmax(np.abs(f64[name.removesuffix("_quantiles")
                                               + "_replicates"][()]), initial=0.0)
                assert np.all(np.abs(b[finite] - a[finite]) <= 4 * ROUNDING * largest), name
                continue
            assert np.all(np.abs(b[finite] - a[finite]) <= ROUNDING * np.abs(a[finite])), name
        # The aggregates are computed from the values before rounding and stay float64.
        assert f32["aggregates/buurt/population"].dtype == np.float64
    if run == "baseline":
        exact_aggregates = float_datasets(exact, skip=("meta",))
        rounded_aggregates = float_datasets(rounded, skip=("meta",))
        for name, values in exact_aggregates.items():
            if name.startswith("aggregates/"):
                np.testing.assert_array_equal(rounded_aggregates[name], values, name)


def test_info_reads_a_float32_result_and_says_so(socialtwin, results):
    lines = {p: socialtwin("info", results["baseline", p]).stdout.splitlines()
             for p in PRECISIONS}
    values = [line.split() for line in lines["float32"] if line.split()[:1] == ["values"]]
    assert values and values[0][1] == "float32", lines["float32"]
    assert not any(line.split()[:1] == ["values"] for line in lines["float64"])
    # The same indicators, dimensions and units (the rest differs in times and overrides).
    def indicators(text):
        start = next(i for i, line in enumerate(text) if line.startswith("indicators ("))
        end = text.index("", start) if "" in text[start:] else len(text)
        return text[start:end]
    assert len(indicators(lines["float64"])) > 10
    assert indicators(lines["float32"]) == indicators(lines["float64"])


@pytest.mark.parametrize("run", ["baseline", "agent"])
def test_aggregate_reads_a_float32_result(socialtwin, results, tmp_path, run):
    out = {}
    for precision in PRECISIONS:
        out[precision] = tmp_path / f"aggregated-{precision}.h5"
        socialtwin("aggregate", results[run, precision], "--levels", "buurt,wijk", "-o",
                   out[precision])
    assert_close({k: v for k, v in float_datasets(out["float32"]).items()
                  if k.startswith("aggregates/")},
                 {k: v for k, v in float_datasets(out["float64"]).items()
                  if k.startswith("aggregates/")}, "aggregate")


def test_compare_reads_float32_results(socialtwin, results, tmp_path):
    diff = {}
    for precision in PRECISIONS:
        diff[precision] = tmp_path / f"diff-{precision}.h5"
        socialtwin("compare", results["baseline", precision], results["vergrijzing", precision],
                   "-o", diff[precision])
    exact = float_datasets(diff["float64"])
    got = float_datasets(diff["float32"])
    scenario = float_datasets(results["vergrijzing", "float64"])
    assert got.keys() == exact.keys()
    for name, values in exact.items():
        # A difference of two rounded values is off by up to the rounding of each: scale by the
        # values compared (their cumulative sums over the 3 years at most), not the difference.
        base = name.split("/")[-1].removesuffix("_cumulative").removesuffix("_npv")
        magnitudes = [np.nanmax(np.abs(v), initial=0.0) for k, v in scenario.items()
                      if k.split("/")[-1] == base]
        largest = 3 * max(magnitudes + [np.nanmax(np.abs(values), initial=0.0)])
        np.testing.assert_allclose(got[name], values, rtol=0,
                                   atol=TOLERANCE * max(largest, 1.0), err_msg=name)


def test_monitor_reads_a_float32_result(socialtwin, results, tmp_path):
    out = {}
    for precision in PRECISIONS:
        out[precision] = tmp_path / f"monitor-{precision}.h5"
        socialtwin("monitor", results["tiny", precision], OBSERVATIONS / "tiny", "-o",
                   out[precision])
    assert_close(float_datasets(out["float32"]), float_datasets(out["float64"]), "monitor")


def test_export_publishes_a_float32_result(socialtwin, results, tmp_path):
    out = {}
    for precision in PRECISIONS:
        out[precision] = tmp_path / f"published-{precision}.h5"
        socialtwin("export", results["baseline", precision], "--disclosure", "cbs", "-o",
                   out[precision])
    exact, got = float_datasets(out["float64"]), float_datasets(out["float32"])
    assert got.keys() == exact.keys() and exact
    for name, values in exact.items():
        a, b = values.ravel(), got[name].ravel()
        assert np.array_equal(np.isnan(a), np.isnan(b)), name
        # Counts are rounded to multiples of 5: a value within float32's rounding of a
        # rounding boundary may go the other way (one step of 5), and only such a value.
        largest = np.nanmax(np.abs(a), initial=0.0)
        off = np.abs(a - b) > TOLERANCE * max(largest, 1.0)
        assert off.sum() <= max(1, 1e-4 * a.size), name
        assert np.all(np.abs(a - b)[off] <= 5 + TOLERANCE * max(largest, 1.0)), name


def test_export_writes_the_same_csv_tables_from_a_float32_result(socialtwin, results, tmp_path):
    tables = {}
    for precision in PRECISIONS:
        directory = tmp_path / precision
        directory.mkdir()
        socialtwin("export", results["baseline", precision], "-o", directory / "baseline.csv")
        tables[precision] = {p.name: list(csv.reader(p.open())) for p in directory.glob("*.csv")}
    assert tables["float32"].keys() == tables["float64"].keys() and tables["float64"]
    for name, rows in tables["float64"].items():
        other = tables["float32"][name]
        assert len(other) == len(rows), name
        numbers = []
        for row, row32 in zip(rows, other):
            assert len(row) == len(row32), name
            for a, b in zip(row, row32):
                try:
                    numbers.append((float(a), float(b)))
                except ValueError:
                    assert a == b, name
        a, b = np.array(numbers).T
        largest = np.nanmax(np.abs(a), initial=0.0)
        # Printed values: rounded to their printed digits on top of float32's rounding.
        assert np.all(np.abs(a - b) <= 1e-4 * np.maximum(np.abs(a), 1.0) + TOLERANCE * largest
                      ), name


def test_report_reads_float32_results(socialtwin, results, tmp_path):
    for precision in PRECISIONS:
        html = tmp_path / f"report-{precision}.html"
        socialtwin("report", results["baseline", precision], results["vergrijzing", precision],
                   "-o", html)
        assert html.stat().st_size > 0


def test_cf_check_accepts_a_float32_result(results):
    done = subprocess.run([sys.executable, ROOT / "tools" / "cf_check.py",
                           results["baseline", "float32"], results["agent", "float32"]],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_xarray_totals_of_a_float32_result_agree_in_double(results):
    xr = pytest.importorskip("xarray")
    totals = {}
    for precision in PRECISIONS:
        with xr.open_dataset(results["baseline", precision], engine="h5netcdf") as ds:
            assert ds.population.dtype == np.dtype(precision)
            totals[precision] = ds.population.astype("float64").sum("area").values
    np.testing.assert_allclose(totals["float32"], totals["float64"], rtol=TOLERANCE)


def test_sweep_merge_reads_float32_tasks(socialtwin, tmp_path):
    """A sweep whose variants differ only in precision: the merge converts the float32 task value
    by value (never copies its stored chunks into a float64 variable) and the two variants agree
    within float32 precision."""
    tiny = ROOT / "tests" / "data" / "tiny" / "datasets" / "tiny"
    (tmp_path / "base.yaml").write_text(f"dataset: {tiny}\nhorizon: 2\n")
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text("base: base.yaml\noutput: out\nvary:\n  output.precision: [float64, float32]\n")
    socialtwin("sweep", "run", sweep)
    socialtwin("sweep", "merge", sweep)
    precisions = set()
    for task in (tmp_path / "out" / "tasks").glob("*.h5"):
        with h5py.File(task, "r") as f:
            precisions.add((f.attrs["value_precision"], f["population"].dtype.name))
    assert precisions == {("float64", "float64"), ("float32", "float32")}
    with h5py.File(tmp_path / "out" / "merged.h5", "r") as merged:
        for name in ("population", "population_by_age_sex", "aggregates/wijk/population"):
            values = merged[name][()]
            assert values.dtype == np.float64 and values.shape[0] == 2, name
            exact, rounded = values[0], values[1]
            np.testing.assert_array_equal(rounded.astype(np.float32), exact.astype(np.float32),
                                          err_msg=name)
            assert not np.array_equal(np.isnan(exact), np.ones_like(exact, dtype=bool)), name
