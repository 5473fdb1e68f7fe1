"""Housing, end to end on the tiny dataset: the stock by type and tenure (dwellings.csv), who
moves into new dwellings, and households by type and age of the head, in both cores."""
from pathlib import Path

import h5py
import numpy as np
import pytest

SCENARIOS = Path(__file__).resolve().parent / "scenarios"


def run(socialtwin, tmp_path, core):
    out = tmp_path / f"build-{core}.h5"
    socialtwin("run", SCENARIOS / "tiny_construction.yaml", "--core", core, "-o", out, "--quiet")
    return h5py.File(out, "r")


@pytest.mark.parametrize("core", ["cohort", "agent"])
def test_new_flats_take_the_tenure_mix_of_the_areas_flats(socialtwin, tmp_path, core):
    # T2: multi-family 10 owner / 60 social rent / 30 private rent; 40 flats built in 2020.
    with run(socialtwin, tmp_path, core) as f:
        stock = f["dwellings_by_type_tenure"]
        assert [d[0].name.lstrip("/") for d in stock.dims] == ["year", "area", "dwelling_type", "tenure"]
        assert stock[0, 1].tolist() == [[0, 0, 0], [10, 60, 30]]
        assert stock[2, 1].tolist() == [[0, 0, 0], [14, 84, 42]]
        assert np.allclose(stock[:].sum(axis=(2, 3)), f["dwellings_stock"][:])
        assert f["meta"].attrs["dwellings_by_type_tenure"] == "dwellings.csv"


@pytest.mark.parametrize("core", ["cohort", "agent"])
def test_the_new_dwellings_residents_by_age_and_household_type(socialtwin, tmp_path, core):
    # No moves inside the municipality in the tiny rates: 40 dwellings x 2 persons, all
    # in-migrants aged 20-29 living alone.
    with run(socialtwin, tmp_path, core) as f:
        residents = f["new_dwelling_residents_by_age_sex"][1, 1]  # 2020, T2: sex x age band
        assert residents.sum() == pytest.approx(80)
        assert residents[:, 4:6].sum() == pytest.approx(80)  # 20-24 and 25-29
        households = f["new_dwelling_households_by_type"]
        assert [d[0].name.lstrip("/") for d in households.dims] == ["year", "area", "household_type"]
        assert households[1, 1].tolist() == pytest.approx([80, 0, 0, 0, 0])
        assert f["migration_in_new_dwellings"][1, 1] == pytest.approx(80)


@pytest.mark.parametrize("core", ["cohort", "agent"])
def test_households_by_head_age_and_dwellings_needed_by_type_add_up(socialtwin, tmp_path, core):
    with run(socialtwin, tmp_path, core) as f:
        by_head = f["households_by_type_head_age"]
        assert [d[0].name.lstrip("/") for d in by_head.dims] == ["year", "area", "household_type",
                                                  "head_age_band"]
        assert np.allclose(by_head[:].sum(axis=(2, 3)), f["households"][:])
        # 2019: T1 100 singles aged 30, T2 100 singles aged 80.
        assert by_head[0, 0, 0].tolist() == [0, 100, 0, 0, 0]
        assert by_head[0, 1, 0].tolist() == [0, 0, 0, 0, 100]
        needed = f["dwellings_needed_by_type"][:]
        assert np.allclose(needed.sum(axis=2), f["dwellings_needed"][:])
        # Fitted at the base year: demand by type in the stock's proportion (40 of 200
        # single-family).
        assert needed[0, :, 0].sum() / needed[0].sum() == pytest.approx(0.2)
        shortage = f["dwelling_shortage_by_type"][:]
        assert np.allclose(shortage, needed - f["dwellings_by_type_tenure"][:].sum(axis=3))
