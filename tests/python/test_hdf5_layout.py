"""The result file as Python users meet it: labelled arrays in xarray and h5py, and totals that add up.

Points at a result file through the environment (skipped when unset):

    SOCIALTWIN_H5=out/baseline.h5 python3 -m pytest tests/python/test_hdf5_layout.py

Layout: engine/output/hdf5_writer.hpp. Balance convention, as the engine reports: population is the
stock on 1 January of the year and the flows (births, deaths, migration_in, migration_out) are
those during the year, so the flows of year t take the population of t to that of t+1; the last
year's flows have no next stock to check against.

Replicates: every indicator X is the mean over replicates. With more than one (the agent core,
`replicates: N > 1`) the file also holds X_replicates (each replicate) and X_quantiles (their
5th, 50th and 95th percentile) over the dimensions replicate and quantile; a one-replicate run
(the cohort core) has only X. CI checks a cohort run; the checks of the companions run when the
file has them, e.g. on an agent run or the three-replicate sample written by
    socialtwin run scenarios/baseline.yaml --core agent --replicates 3 -o /tmp/a3.h5
    SOCIALTWIN_SAMPLE_H5=/tmp/sample.h5 socialtwin_unit_tests --gtest_filter='*Sample*'
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
    "scenario_name", "scenario_path", "dataset", "seed", "core", "replicates", "base_year",
    "horizon", "engine_version", "git_commit", "created_utc",
]
QUANTILES = [0.05, 0.5, 0.95]
COMPANIONS = (("_replicates", "replicate"), ("_quantiles", "quantile"))


@pytest.fixture(scope="module")
def path():
    value = os.environ.get("SOCIALTWIN_H5")
    if not value:
        pytest.skip("SOCIALTWIN_H5 is not set: no result file to check")
    assert os.path.isfile(value), f"SOCIALTWIN_H5={value} is not a file"
    return value


@pytest.fixture(scope="module")
def ds(path):
    # Lazy: values are read when a test uses them (with replicates the file holds every indicator
    # N + 4 times).
    with xr.open_dataset(path, engine="h5netcdf") as dataset:
        yield dataset


@pytest.fixture(scope="module")
def h5(path):
    with h5py.File(path, "r") as f:
        yield f


@pytest.fixture(scope="module")
def n_replicates(path):
    with xr.open_dataset(path, engine="h5netcdf", group="meta") as meta:
        return int(meta.attrs["replicates"])


@pytest.fixture(scope="module")
def with_replicates(n_replicates):
    """Skips a check of X_replicates and X_quantiles on a one-replicate file, which has none."""
    if n_replicates == 1:
        pytest.skip("one replicate: the file has no X_replicates or X_quantiles")
    return n_replicates


def indicators(ds):
    """Every indicator X of the file: the data variables over (year, ...)."""
    return [name for name, var in ds.data_vars.items() if var.dims[:1] == ("year",)]


def text(value):
    return value.decode() if isinstance(value, bytes) else value


def test_indicators_have_the_documented_dimensions(ds):
    for name, dims in INDICATOR_DIMS.items():
        assert name in ds.data_vars, f"indicator {name!r} missing; have {sorted(ds.data_vars)}"
        assert ds[name].dims == dims, f"{name}: dims {ds[name].dims}"
        assert ds[name].dtype == np.float64
        for suffix, leading in COMPANIONS:
            if name + suffix not in ds:
                continue
            var = ds[name + suffix]
            assert var.dims == (leading,) + dims, f"{name}{suffix}: dims {var.dims}"
            assert var.dtype == np.float64
    assert not [d for d in ds.dims if str(d).startswith("phony_dim")], ds.dims


def test_companions_exist_exactly_with_replicates(ds, h5, n_replicates):
    # N > 1: every indicator X has X_replicates and X_quantiles. N = 1: none has, and neither
    # dimension exists; X holds the run's values.
    names = indicators(ds)
    assert set(INDICATOR_DIMS) <= set(names)
    for name in names:
        for suffix, _ in COMPANIONS:
            assert (name + suffix in h5) == (n_replicates > 1), \
                f"{name}{suffix} with {n_replicates} replicate(s)"
    for dim in ("replicate", "quantile"):
        assert (dim in h5) == (n_replicates > 1), f"/{dim} with {n_replicates} replicate(s)"
        assert (dim in ds.dims) == (n_replicates > 1), ds.dims
    # Nothing else has a leading replicate or quantile dimension.
    companions = {name + suffix for name in names for suffix, _ in COMPANIONS}
    for name, var in ds.data_vars.items():
        if var.dims[:1] in (("replicate",), ("quantile",)):
            assert name in companions, f"{name} is not the companion of an indicator"


def test_indicators_are_written_everywhere(h5, ds):
    # NaN marks values never written (the datasets' fill value).
    for name in indicators(ds):
        assert not np.isnan(h5[name][:]).any(), f"{name} has values never written"


def test_replicate_and_quantile_are_labelled_dimensions(ds, h5, with_replicates):
    n = ds.sizes["replicate"]
    assert n == with_replicates
    assert ds["replicate"].dtype.kind == "i"
    assert ds["replicate"].values.tolist() == list(range(n))
    assert ds["quantile"].dtype == np.float64
    assert ds["quantile"].values.tolist() == QUANTILES
    assert "linear" in text(h5["quantile"].attrs["quantile_method"])
    # h5py sees them through the dimension scales too.
    assert h5["population_replicates"].dims[0][0].name == "/replicate"
    assert h5["population_quantiles"].dims[0][0].name == "/quantile"


def test_indicator_is_the_mean_over_replicates(h5, ds, with_replicates):
    for name in indicators(ds):
        replicates = h5[f"{name}_replicates"][:]
        assert replicates.shape[0] == with_replicates, name
        assert not np.isnan(replicates).any(), f"{name}_replicates has values never written"
        np.testing.assert_allclose(h5[name][:], replicates.mean(axis=0), rtol=1e-12, atol=0,
                                   err_msg=name)


def test_quantiles_are_numpys_linear_quantiles_over_replicates(h5, ds, with_replicates):
    levels = h5["quantile"][:]
    for name in indicators(ds):
        expected = np.quantile(h5[f"{name}_replicates"][:], levels, axis=0)  # method="linear"
        np.testing.assert_array_equal(h5[f"{name}_quantiles"][:], expected, err_msg=name)
        assert "linear" in text(h5[f"{name}_quantiles"].attrs["quantile_method"])


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
    names = [f"{name}{suffix}" for name in INDICATOR_DIMS
             for suffix in ("", "_replicates", "_quantiles") if f"{name}{suffix}" in h5]
    for name in names:
        listed = text(h5[name].attrs.get("coordinates", ""))
        assert listed == text(h5["population"].attrs.get("coordinates", "")), name
        for coordinate in listed.split():
            assert coordinate in ds.coords, f"{coordinate!r} of {name} is not a coordinate"
            assert coordinate not in ds.data_vars
            assert ds[coordinate].dims == ("area",)
            # Area attributes are labels; x and y the areas' positions in metres (CF, RD New).
            assert ds[coordinate].dtype == (np.float64 if coordinate in ("x", "y") else object)
            assert name in ds and coordinate in ds[name].coords


def test_indicators_carry_units_and_description(ds, h5):
    for name, var in ds.data_vars.items():
        if "year" not in var.dims:
            continue
        assert var.attrs.get("units"), f"{name} has no units"
        assert var.attrs.get("description"), f"{name} has no description"
        assert h5[name].attrs["units"] == var.attrs["units"]
    for name in indicators(ds):
        # The same with one replicate or several: readers of X need not know which.
        description = ds[name].attrs["description"]
        assert description.rstrip(".").endswith("(mean over replicates)"), description
        if f"{name}_quantiles" not in ds:
            continue
        description = ds[f"{name}_replicates"].attrs["description"]
        assert description.rstrip(".").endswith("(each replicate)"), description
        description = ds[f"{name}_quantiles"].attrs["description"]
        assert description.rstrip(".").endswith(
            "(5th, 50th, 95th percentile over replicates)"), description
        for companion, _ in COMPANIONS:
            assert ds[name + companion].attrs["units"] == ds[name].attrs["units"]
            assert ds[name + companion].attrs.get("source") == ds[name].attrs.get("source")


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


@pytest.mark.parametrize("suffix", ["", "_replicates"])
def test_flows_explain_each_change_in_population(ds, suffix):
    # The means balance as each replicate does.
    if ds.sizes["year"] < 2:
        pytest.skip("a single year has no change to explain")
    if "population" + suffix not in ds:
        pytest.skip("one replicate: the file has no X_replicates")
    population = ds["population" + suffix]
    change = population.diff("year", label="lower")  # population(t+1) - population(t), at t
    flows = (ds["births" + suffix] - ds["deaths" + suffix] + ds["migration_in" + suffix]
             - ds["migration_out" + suffix]).sel(year=change["year"])
    np.testing.assert_allclose(flows.transpose(*change.dims).values, change.values,
                               rtol=RTOL, atol=ATOL_PERSONS)
