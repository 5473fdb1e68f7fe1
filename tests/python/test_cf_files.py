"""Every kind of file socialtwin writes passes the project's CF-1.8 checker (tools/cf_check.py):
a run's result with /aggregates (cohort core; the agent core with replicates), `aggregate`,
`compare`, `monitor`, `export --disclosure cbs`, `sweep merge` and `synthesise`, on Den Haag Zuid-West over two
years. And what CF promises works: units are UDUNITS-2 with the table's label beside them, and
xarray plots a map from the areas' positions.

    SOCIALTWIN_BIN=build/release/bin/socialtwin /usr/bin/python3 -m pytest tests/python/test_cf_files.py
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")
xr = pytest.importorskip("xarray")
pytest.importorskip("h5netcdf")

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("SOCIALTWIN_BIN", str(ROOT / "build/release/bin/socialtwin"))
CHECKER = ROOT / "tools" / "cf_check.py"
OBSERVATION = ROOT / "data" / "observations" / "denhaag-zuidwest-pc4"

SCENARIO = f"""\
name: cf-baseline
description: Den Haag Zuid-West over two years (tests/python/test_cf_files.py).
dataset: {ROOT}/data/datasets/denhaag-zuidwest-2019
base_year: 2019
horizon: 2
"""
VARIANT = f"""\
extends: baseline.yaml
name: cf-variant
rates:
  fertility:
    factor: 0.8
"""


def socialtwin(*args):
    done = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True)
    assert done.returncode == 0, f"socialtwin {' '.join(map(str, args))}:\n{done.stdout}{done.stderr}"
    return done


def cf_check(path):
    return subprocess.run([sys.executable, str(CHECKER), str(path)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Every kind of file, written once for the module."""
    d = tmp_path_factory.mktemp("cf")
    (d / "baseline.yaml").write_text(SCENARIO)
    (d / "variant.yaml").write_text(VARIANT)
    out = {}
    out["result"] = d / "baseline.h5"
    socialtwin("run", d / "baseline.yaml", "-o", out["result"], "--quiet")
    out["variant"] = d / "variant.h5"
    socialtwin("run", d / "variant.yaml", "-o", out["variant"], "--quiet")
    out["agent"] = d / "agent.h5"
    socialtwin("run", d / "baseline.yaml", "--core", "agent", "--replicates", "2", "-o",
               out["agent"], "--quiet")
    out["aggregated"] = d / "aggregated.h5"
    socialtwin("run", d / "baseline.yaml", "--no-aggregates", "-o", d / "bare.h5", "--quiet")
    socialtwin("aggregate", d / "bare.h5", "--levels", "buurt,gemeente", "-o", out["aggregated"])
    out["difference"] = d / "difference.h5"
    socialtwin("compare", out["result"], out["variant"], "-o", out["difference"])
    out["monitoring"] = d / "monitoring.h5"
    socialtwin("monitor", out["result"], OBSERVATION, "-o", out["monitoring"])
    out["published"] = d / "published.h5"
    socialtwin("export", out["agent"], "-o", out["published"], "--disclosure", "cbs")
    (d / "sweep.yaml").write_text(
        "name: cf-sweep\nbase: baseline.yaml\nvary:\n  rates.fertility.factor: [0.9, 1.1]\n"
        "output: sweep\n")
    out["start_population"] = d / "start.h5"
    socialtwin("synthesise", d / "baseline.yaml", "-o", out["start_population"])
    socialtwin("sweep", "run", d / "sweep.yaml")
    out["sweep"] = d / "merged.h5"
    socialtwin("sweep", "merge", d / "sweep.yaml", "-o", out["sweep"])
    return out


@pytest.mark.parametrize("kind", ["result", "agent", "aggregated", "difference", "monitoring",
                                  "published", "sweep", "start_population"])
def test_every_file_the_tool_writes_is_cf_conformant(files, kind):
    done = cf_check(files[kind])
    assert done.returncode == 0, done.stdout + done.stderr


def test_units_are_udunits_and_the_label_tables_print_stays_beside_them(files):
    with h5py.File(files["result"], "r") as f:
        attrs = {name: {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f[name].attrs.items()}
                 for name in ("population", "births", "district_nursing_hours", "cost_wlz_eur",
                              "distance_to_gp_practice_km", "year", "x")}
    assert (attrs["population"]["units"], attrs["population"]["unit_label"]) == ("1", "persons")
    assert (attrs["births"]["units"], attrs["births"]["unit_label"]) == ("year-1", "persons per year")
    assert attrs["district_nursing_hours"]["units"] == "h year-1"
    assert attrs["cost_wlz_eur"]["units"] == "year-1"
    assert attrs["cost_wlz_eur"]["currency"] == "EUR"
    assert attrs["cost_wlz_eur"]["unit_label"].startswith("EUR per year")
    assert attrs["distance_to_gp_practice_km"]["units"] == "km"
    assert attrs["population"]["long_name"] == "population"
    assert attrs["population"]["grid_mapping"] == "crs"
    assert attrs["year"]["long_name"] == "calendar year"
    assert (attrs["x"]["standard_name"], attrs["x"]["units"]) == ("projection_x_coordinate", "m")


def test_info_and_compare_print_the_unit_label(files):
    info = socialtwin("info", files["result"]).stdout
    assert "persons per year" in info
    table = socialtwin("compare", files["result"], files["variant"]).stdout
    assert "year-1" not in table


def test_positions_are_rd_new_metres_of_the_dataset(files):
    import csv
    with open(ROOT / "data/datasets/denhaag-zuidwest-2019/areas.csv") as f:
        first = next(csv.DictReader(f))
    ds = xr.open_dataset(files["result"], engine="h5netcdf")
    assert float(ds.x.sel(area=first["area"])) == round(float(first["x_km"]) * 1000)
    assert float(ds.y.sel(area=first["area"])) == round(float(first["y_km"]) * 1000)
    assert ds.crs.attrs["epsg_code"] == "EPSG:28992"
    assert "x" in ds.population.coords and "y" in ds.population.coords


def test_the_readme_map_line_plots_a_map_from_the_positions(files, tmp_path):
    """README.md, "Reading the output": the map line, run as printed (year 2030 -> the run's last)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    line = next(l for l in (ROOT / "README.md").read_text().splitlines() if "plot.scatter" in l)
    code = line.split("#")[0].strip().replace("year=2030", "year=2021")
    ds = xr.open_dataset(files["result"], engine="h5netcdf")
    eval(code, {"ds": ds})
    plt.savefig(tmp_path / "map.png")
    assert (tmp_path / "map.png").stat().st_size > 0


def test_an_old_file_whose_units_hold_the_label_is_still_read_as_before(files, tmp_path):
    """Files written before CF conformance: `units` was the label, no unit_label, no quantity
    or cost attributes. Flows and costs are still told from the label (result_file.hpp)."""
    old = tmp_path / "old.h5"
    old.write_bytes(files["result"].read_bytes())
    with h5py.File(old, "a") as f:
        def make_old(name, item):
            if isinstance(item, h5py.Dataset) and "unit_label" in item.attrs:
                item.attrs["units"] = item.attrs["unit_label"]
                for key in ("unit_label", "quantity", "cost", "currency", "long_name"):
                    if key in item.attrs:
                        del item.attrs[key]
        f.visititems(make_old)
        del f.attrs["Conventions"]
    info = socialtwin("info", old).stdout
    assert "persons per year" in info
    new_table = socialtwin("compare", files["result"], files["variant"]).stdout
    old_table = socialtwin("compare", old, files["variant"]).stdout
    assert old_table == new_table.replace(str(files["result"]), str(old))


@pytest.mark.parametrize("kind", ["difference", "published", "sweep"])
def test_derived_files_keep_the_positions_for_maps(files, kind):
    with xr.open_dataset(files[kind], engine="h5netcdf") as ds:
        assert "x" in ds.population.coords and "y" in ds.population.coords
        assert ds.population.attrs["grid_mapping"] == "crs"
        assert ds.crs.attrs["grid_mapping_name"] == "oblique_stereographic"
