"""The /aggregates groups of a result file as Python users meet them: each level opens with
xarray (h5netcdf engine) and h5py, and its totals are what the areas add up to.

Points at a result file through the environment (skipped when unset):

    SOCIALTWIN_H5=out/baseline.h5 python3 -m pytest tests/python/test_aggregates.py

Layout: engine/output/aggregate.hpp and docs/output-schema.md ("Aggregates"). Counts and amounts are
summed over the areas of each larger area; a measure is averaged weighted by its `weight`
indicator.
"""

import os

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")
xr = pytest.importorskip("xarray")
pytest.importorskip("h5netcdf")

RTOL = 1e-9


@pytest.fixture(scope="module")
def path():
    value = os.environ.get("SOCIALTWIN_H5")
    if not value:
        pytest.skip("SOCIALTWIN_H5 is not set: no result file to check")
    return value


@pytest.fixture(scope="module")
def ds(path):
    with xr.open_dataset(path, engine="h5netcdf") as dataset:
        yield dataset


@pytest.fixture(scope="module")
def levels(path):
    with h5py.File(path, "r") as f:
        if "aggregates" not in f:
            pytest.skip("the file has no /aggregates (run with --no-aggregates?)")
        return list(f["aggregates"])


def indicators(ds):
    """The indicators (year, area, ...) of the file, without the replicate companions."""
    return [name for name, v in ds.data_vars.items()
            if v.dims[:2] == ("year", "area")]


def test_every_level_opens_with_xarray_with_its_own_dimension(path, ds, levels):
    assert levels, "no aggregate level"
    for level in levels:
        with xr.open_dataset(path, engine="h5netcdf", group=f"aggregates/{level}") as g:
            assert level in g.dims and "year" in g.dims
            assert list(g.year.values) == list(ds.year.values)
            assert g[level].size == len(set(ds[level].values))
            assert "n_areas" in g.coords
            assert int(g.n_areas.sum()) == ds.area.size
            for name in indicators(ds):
                assert name in g, f"{level}: {name} missing"
                assert g[name].dims == (ds[name].dims[0], level) + ds[name].dims[2:]
                for attribute in ("units", "kind"):
                    assert g[name].attrs[attribute] == ds[name].attrs[attribute]
                assert g[name].attrs["aggregation"]


def test_counts_and_amounts_add_up_to_the_same_totals_at_every_level(path, ds, levels):
    for level in levels:
        with xr.open_dataset(path, engine="h5netcdf", group=f"aggregates/{level}") as g:
            for name in indicators(ds):
                if ds[name].attrs.get("kind") == "measure":
                    continue
                np.testing.assert_allclose(g[name].sum(level).values,
                                           ds[name].sum("area").values, rtol=RTOL, atol=1e-6,
                                           err_msg=f"{level}: {name}")


def test_each_larger_area_is_the_sum_of_its_areas(path, ds, levels):
    for level in levels:
        with xr.open_dataset(path, engine="h5netcdf", group=f"aggregates/{level}") as g:
            expected = ds.population.groupby(level).sum()
            np.testing.assert_allclose(g.population.sel({level: expected[level].values}).values,
                                       expected.values, rtol=RTOL)


def test_measures_are_weighted_means(path, ds, levels):
    measures = [n for n in indicators(ds) if ds[n].attrs.get("kind") == "measure"]
    if not measures:
        pytest.skip("the file has no measure")
    for level in levels:
        with xr.open_dataset(path, engine="h5netcdf", group=f"aggregates/{level}") as g:
            for name in measures:
                weight = ds[ds[name].attrs["weight"]]
                value = ds[name]
                ok = value.notnull() & weight.notnull()
                weighted = (value * weight).where(ok).groupby(level).sum()
                total = weight.where(ok).groupby(level).sum()
                plain = value.groupby(level).mean()
                expected = xr.where(total > 0, weighted / total, plain)
                np.testing.assert_allclose(
                    g[name].sel({level: expected[level].values}).transpose(*expected.dims).values,
                    expected.values, rtol=1e-9, err_msg=f"{level}: {name}")


def test_name_labels_travel_with_their_level(path, ds, levels):
    if "buurt" not in levels or "buurt_name" not in ds.coords:
        pytest.skip("no buurt level with names")
    with xr.open_dataset(path, engine="h5netcdf", group="aggregates/buurt") as g:
        assert "buurt_name" in g.coords
        names = dict(zip(ds.buurt.values, ds.buurt_name.values))
        for code, name in zip(g.buurt.values, g.buurt_name.values):
            assert names[code] == name


def test_h5py_sees_the_same_groups(path, levels):
    with h5py.File(path, "r") as f:
        for level in levels:
            group = f["aggregates"][level]
            assert group["population"].dims[1][0].name == f"/aggregates/{level}/{level}"
            assert group["population"].shape[0] == f["year"].shape[0]
