"""The result file as Python users meet it: labelled arrays in xarray and h5py, and totals that add up.

Points at a result file through the environment (skipped when unset):

    SOCIALTWIN_H5=out/baseline.h5 python3 -m pytest tests/python/test_hdf5_layout.py

Layout: engine/io/hdf5_writer.hpp. Balance convention, as the engine reports: population is the
stock on 1 January of the year and the flows (births, deaths, migration_in, migration_out) are
those during the year, so the flows of year t take the population of t to that of t+1; the last
year's flows have no next stock to check against.
"""

import os

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")
xr = pytest.importorskip("xarray")
pytest.importorskip("h5netcdf")

# Stocks and flows are doubles (fractional in the cohort core): they balance to rounding.
RTOL = 1e-9
ATOL_PERSONS = 1e-6

INDICATOR_DIMS = {
    "population": ("year", "area"),
    "population_by_age_sex": ("year", "area", "sex", "age_band"),
    "births": ("year", "area"),
    "deaths": ("year", "area"),
    "migration_in": ("year", "area"),
    "migration_out": ("year", "area"),
}
META_KEYS = [
    "scenario_name", "scenario_path", "dataset", "seed", "core", "base_year", "horizon",
    "engine_version", "git_commit", "created_utc",
]


@pytest.fixture(scope="module")
def path():
    value = os.environ.get("SOCIALTWIN_H5")
    if not value:
        pytest.skip("SOCIALTWIN_H5 is not set: no result file to check")
    assert os.path.isfile(value), f"SOCIALTWIN_H5={value} is not a file"
    return value


@pytest.fixture(scope="module")
def ds(path):
    with xr.open_dataset(path, engine="h5netcdf") as dataset:
        yield dataset.load()


@pytest.fixture(scope="module")
def h5(path):
    with h5py.File(path, "r") as f:
        yield f


def leading(dims):
    # A replicate dimension may lead the others (ensemble runs); the checks hold per replicate.
    return ("replicate",) if dims and dims[0] == "replicate" else ()


def test_indicators_have_the_documented_dimensions(ds):
    for name, dims in INDICATOR_DIMS.items():
        assert name in ds.data_vars, f"indicator {name!r} missing; have {sorted(ds.data_vars)}"
        actual = ds[name].dims
        assert actual == leading(actual) + dims, f"{name}: dims {actual}"
        assert ds[name].dtype == np.float64
    assert not [d for d in ds.dims if str(d).startswith("phony_dim")], ds.dims


def test_dimensions_are_labelled(ds, h5):
    assert ds["year"].dtype.kind == "i"
    assert np.all(np.diff(ds["year"].values) > 0)
    assert list(ds["sex"].values) == ["male", "female"]
    bands = list(ds["age_band"].values)
    assert len(bands) == 20 and bands[0] == "0-4" and bands[1] == "5-9" and bands[-1] == "95+"
    areas = list(ds["area"].values)
    assert areas and all(isinstance(a, str) and a for a in areas)
    assert len(set(areas)) == len(areas), "area codes must be unique"
    # h5py sees the same labels through the dimension scales.
    population = h5["population"]
    rank = population.ndim  # h5py's dims take no negative index
    assert population.dims[rank - 1][0].name == "/area"
    assert population.dims[rank - 2][0].name == "/year"
    assert [a.decode() if isinstance(a, bytes) else a for a in h5["area"][:]] == areas


def test_area_attributes_are_coordinates(ds, h5):
    for name in INDICATOR_DIMS:
        listed = h5[name].attrs.get("coordinates", "")
        listed = listed.decode() if isinstance(listed, bytes) else listed
        for coordinate in listed.split():
            assert coordinate in ds.coords, f"{coordinate!r} of {name} is not a coordinate"
            assert coordinate not in ds.data_vars
            assert ds[coordinate].dims == ("area",)
            assert ds[coordinate].dtype == object
            assert name in ds and coordinate in ds[name].coords


def test_indicators_carry_units_and_description(ds, h5):
    for name, var in ds.data_vars.items():
        if "year" not in var.dims:
            continue
        assert var.attrs.get("units"), f"{name} has no units"
        assert var.attrs.get("description"), f"{name} has no description"
        assert h5[name].attrs["units"] == var.attrs["units"]


def test_meta_records_the_run(path, h5):
    with xr.open_dataset(path, engine="h5netcdf", group="meta") as meta:
        for key in META_KEYS:
            assert key in meta.attrs, f"/meta lacks {key!r}"
        assert int(meta.attrs["base_year"]) == int(h5["year"][0])
        assert isinstance(meta["scenario_yaml"].values.item(), str)
    with xr.open_dataset(path, engine="h5netcdf", group="meta/phase_timings") as timings:
        assert timings["seconds"].dims == ("phase",)
        assert timings["seconds"].attrs["units"] == "s"
        assert (timings["seconds"].values >= 0).all()


def test_population_by_age_sex_adds_up_to_population(ds):
    total = ds["population"].sum("area")
    by_age_sex = ds["population_by_age_sex"].sum(["area", "sex", "age_band"])
    np.testing.assert_allclose(by_age_sex.values, total.values, rtol=RTOL, atol=ATOL_PERSONS)
    # And per area, which the total alone would not catch.
    np.testing.assert_allclose(
        ds["population_by_age_sex"].sum(["sex", "age_band"]).values,
        ds["population"].values, rtol=RTOL, atol=ATOL_PERSONS)


def test_flows_explain_each_change_in_population(ds):
    if ds.sizes["year"] < 2:
        pytest.skip("a single year has no change to explain")
    change = ds["population"].diff("year", label="lower")  # population(t+1) - population(t), at t
    flows = (ds["births"] - ds["deaths"] + ds["migration_in"] - ds["migration_out"]).sel(
        year=change["year"])
    np.testing.assert_allclose(flows.transpose(*change.dims).values, change.values,
                               rtol=RTOL, atol=ATOL_PERSONS)
