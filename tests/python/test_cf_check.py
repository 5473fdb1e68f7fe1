"""tools/cf_check.py, the project's CF-1.8 checker: a small clean file passes, and breaking it in
each way the checker promises to catch fails with that rule named.

    /usr/bin/python3 -m pytest tests/python/test_cf_check.py
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")

CHECKER = Path(__file__).resolve().parents[2] / "tools" / "cf_check.py"
sys.path.insert(0, str(CHECKER.parent))
import cf_check  # noqa: E402


def write_clean(path):
    """A miniature result: year and area scales, x/y coordinates, a crs, one indicator with NaN."""
    with h5py.File(path, "w") as f:
        f.attrs["Conventions"] = "CF-1.8"
        f.attrs["title"] = "test"
        f.attrs["history"] = "written by test_cf_check.py"
        year = f.create_dataset("year", data=np.array([2024, 2025], dtype="i4"))
        year.make_scale("year")
        year.attrs["long_name"] = "calendar year"
        year.attrs["units"] = "1"
        area = f.create_dataset("area", data=np.array(["A", "B", "C"], dtype=h5py.string_dtype()))
        area.make_scale("area")
        area.attrs["long_name"] = "area code"
        for axis in ("x", "y"):
            coordinate = f.create_dataset(axis, data=np.array([1.0, 2.0, 3.0]))
            coordinate.dims[0].attach_scale(area)
            coordinate.attrs["long_name"] = f"{axis} of the area's position"
            coordinate.attrs["standard_name"] = f"projection_{axis}_coordinate"
            coordinate.attrs["units"] = "m"
        crs = f.create_dataset("crs", data=np.int32(0))
        crs.attrs["grid_mapping_name"] = "oblique_stereographic"
        crs.attrs["long_name"] = "coordinate reference system"
        values = np.array([[1.0, np.nan, 3.0], [4.0, 5.0, 6.0]])
        population = f.create_dataset("population", data=values, chunks=(1, 3))
        population.dims[0].attach_scale(year)
        population.dims[1].attach_scale(area)
        population.attrs["long_name"] = "population"
        population.attrs["units"] = "1"
        population.attrs["coordinates"] = "x y"
        population.attrs["grid_mapping"] = "crs"
        population.attrs["_FillValue"] = np.float64(np.nan)
        quantization = f.create_dataset("quantization_info", data=np.int32(0))
        quantization.attrs["algorithm"] = "bitround"
        quantization.attrs["implementation"] = "socialtwin 0.1.0"
        quantization.attrs["long_name"] = "how values were rounded"
        population.attrs["quantization"] = "quantization_info"
        population.attrs["quantization_nsb"] = np.int32(14)
        group = f.create_group("aggregates/buurt")
        total = group.create_dataset("births", data=np.array([1.0, 2.0]))
        total.dims[0].attach_scale(year)
        total.attrs["long_name"] = "births"
        total.attrs["units"] = "year-1"


def findings(path):
    return cf_check.check_file(str(path), cf_check.Udunits())


def rules(path):
    return {rule for _, rule, _ in findings(path)}


@pytest.fixture
def clean(tmp_path):
    path = tmp_path / "clean.h5"
    write_clean(path)
    return path


def test_a_clean_file_passes_and_the_command_exits_0(clean):
    assert findings(clean) == []
    done = subprocess.run([sys.executable, str(CHECKER), str(clean)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_broken_file_exits_1_naming_file_variable_and_rule(clean):
    with h5py.File(clean, "a") as f:
        del f["population"].attrs["long_name"]
    done = subprocess.run([sys.executable, str(CHECKER), str(clean)], capture_output=True, text=True)
    assert done.returncode == 1
    assert f"{clean}: /population: [long_name]" in done.stdout


@pytest.mark.parametrize("break_it, rule", [
    (lambda f: f.attrs.__delitem__("Conventions"), "conventions"),
    (lambda f: f.attrs.__setitem__("Conventions", "CF-1.6"), "conventions"),
    (lambda f: f.attrs.__delitem__("history"), "title"),
    (lambda f: f.attrs.__delitem__("title"), "title"),
    (lambda f: f["population"].attrs.__delitem__("long_name"), "long_name"),
    (lambda f: f["aggregates/buurt/births"].attrs.__delitem__("long_name"), "long_name"),
    (lambda f: f["population"].attrs.__setitem__("units", "persons"), "units"),
    (lambda f: f["aggregates/buurt/births"].attrs.__setitem__("units", "persons per year"),
     "units"),
    (lambda f: f["year"].attrs.__delitem__("units"), "scale"),
    (lambda f: f["area"].attrs.__delitem__("long_name"), "scale"),
    (lambda f: f["population"].attrs.__setitem__("coordinates", "x lon"), "coordinates"),
    (lambda f: f["x"].attrs.__setitem__("coordinates", "population"), "coordinates"),
    (lambda f: f["population"].attrs.__delitem__("_FillValue"), "fill_value"),
    (lambda f: f["population"].attrs.__setitem__("_FillValue", np.float32(np.nan)), "fill_value"),
    (lambda f: f["population"].attrs.__setitem__("grid_mapping", "rd_new"), "grid_mapping"),
    (lambda f: f["crs"].attrs.__delitem__("grid_mapping_name"), "grid_mapping"),
    (lambda f: f["population"].attrs.__setitem__("quantization", "rounding"), "quantization"),
    (lambda f: f["quantization_info"].attrs.__delitem__("algorithm"), "quantization"),
    (lambda f: f["quantization_info"].attrs.__delitem__("implementation"), "quantization"),
    (lambda f: f["population"].attrs.__delitem__("quantization_nsb"), "quantization"),
    (lambda f: f["quantization_info"].attrs.__setitem__("algorithm", "bitgroom"),
     "quantization"),
])
def test_each_rule_catches_its_break(clean, break_it, rule):
    with h5py.File(clean, "a") as f:
        break_it(f)
    assert rule in rules(clean)


def test_udunits_parses_the_project_units_and_refuses_labels():
    units = cf_check.Udunits()
    for good in ("1", "year-1", "1/year", "h year-1", "km", "m", "s"):
        assert units.parses(good), good
    for bad in ("persons", "persons per year", "EUR per year (constant prices of 2022)",
                "contacts per FTE per year"):
        assert not units.parses(bad), bad
