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


# ---- construction[].for: who new dwellings are for (docs/model.md, "Allocation of new
# construction"). 800 flats x 1.4 persons in Moerwijk-Oost (2531NA) in 2020, Den Haag Zuid-West.
SENIOR_FLATS = SCENARIOS / "denhaag_senior_flats.yaml"
AGE_BAND_MIDDLE = np.arange(20) * 5 + 2.5  # [years] of the 5-year age bands (95+ as 97.5)


def run_flats(socialtwin, tmp_path, core, group, scenario=SENIOR_FLATS):
    out = tmp_path / f"flats-{core}-{group}.h5"
    args = ["run", scenario, "--core", core, "-o", out, "--quiet"]
    if group is not None:
        args += ["--set", f"construction[0].for={group}"]
    socialtwin(*args)
    return h5py.File(out, "r")


@pytest.fixture(scope="module")
def flats(socialtwin, tmp_path_factory):
    """The senior flats scenario with construction[0].for set to a group, on a core; each run
    once for the tests of this module."""
    directory = tmp_path_factory.mktemp("flats")
    done = set()

    def result(core, group):
        if (core, group) not in done:
            run_flats(socialtwin, directory, core, group).close()
            done.add((core, group))
        return h5py.File(directory / f"flats-{core}-{group}.h5", "r")

    return result


def arrivals_by_age_band(f):
    """Persons who moved into the new flats in 2020, by 5-year age band (both sexes)."""
    areas = [a.decode() if isinstance(a, bytes) else a for a in f["area"][:]]
    year = list(f["year"][:]).index(2020)
    return f["new_dwelling_residents_by_age_sex"][year, areas.index("2531NA")].sum(axis=0)


def share_65_plus(by_band):
    return by_band[13:].sum() / by_band.sum()


def mean_age(by_band):
    return (by_band * AGE_BAND_MIDDLE).sum() / by_band.sum()


@pytest.mark.parametrize("core", ["cohort", "agent"])
def test_800_senior_flats_house_mostly_people_over_65(flats, core):
    with flats(core, "any") as f:
        anyone = arrivals_by_age_band(f)
    with flats(core, "seniors") as f:
        seniors = arrivals_by_age_band(f)
    # Filled all the same (whole families in the agent core: within 5%).
    assert seniors.sum() == pytest.approx(800 * 1.4, rel=0.05)
    assert share_65_plus(seniors) > 0.8
    # For anyone they take the movers' and in-migrants' mix, mostly young.
    assert share_65_plus(anyone) < 0.2


@pytest.mark.parametrize("core", ["cohort", "agent"])
def test_for_any_is_the_same_run_as_no_for(socialtwin, tmp_path, core):
    without = tmp_path / "without_for.yaml"
    text = SENIOR_FLATS.read_text()
    without.write_text(text.replace("    for: seniors\n", ""))
    assert without.read_text() != text
    with run_flats(socialtwin, tmp_path, core, None, without) as a, \
            run_flats(socialtwin, tmp_path, core, "any") as b:
        compared = 0
        for name, data in a.items():
            if isinstance(data, h5py.Dataset) and data.dtype.kind == "f" and name in b:
                assert np.array_equal(data[()], b[name][()], equal_nan=True), name
                compared += 1
        assert compared > 50


@pytest.mark.parametrize("core", ["cohort", "agent"])
def test_each_group_shifts_the_arrivals_ages_its_way(flats, core):
    arrivals = {}
    households = {}
    for group in ["any", "students", "starters", "families"]:
        with flats(core, group) as f:
            arrivals[group] = arrivals_by_age_band(f)
            households[group] = f["new_dwelling_households_by_type"][1].sum(axis=0)
    anyone = arrivals["any"]
    # Students: 18-24 (bands 15-19 and 20-24), younger than anyone's mix.
    assert arrivals["students"][3:5].sum() / arrivals["students"].sum() > 0.95
    assert mean_age(arrivals["students"]) < mean_age(anyone) - 5
    # Starters: 18-34.
    assert arrivals["starters"][3:7].sum() / arrivals["starters"].sum() > 0.9
    assert arrivals["starters"][3:7].sum() / arrivals["starters"].sum() > \
        anyone[3:7].sum() / anyone.sum() + 0.3
    # Families: households with children (couples and single parents with children; types 2, 3)
    # and more children than anyone's mix.
    families = households["families"]
    assert families[2:4].sum() / families.sum() > 0.9
    assert arrivals["families"][:3].sum() / arrivals["families"].sum() > \
        anyone[:3].sum() / anyone.sum()


def test_the_cores_agree_on_who_moves_into_senior_flats(flats):
    # One replicate of the agent core against the expected values of the cohort core: ~1,100
    # persons, so a share differs by chance by about 1 percentage point (standard error), and
    # the agent core's couples move together (a partner under 65 comes along).
    with flats("cohort", "seniors") as f:
        cohort = arrivals_by_age_band(f)
        cohort_in = f["migration_in_new_dwellings"][1].sum()
    with flats("agent", "seniors") as f:
        agent = arrivals_by_age_band(f)
        agent_in = f["migration_in_new_dwellings"][1].sum()
    assert agent.sum() == pytest.approx(cohort.sum(), rel=0.05)
    assert share_65_plus(agent) == pytest.approx(share_65_plus(cohort), abs=0.06)
    assert mean_age(agent) == pytest.approx(mean_age(cohort), abs=2)
    assert agent_in == pytest.approx(cohort_in, rel=0.15)


def test_an_unknown_group_exits_2_with_place_and_suggestion(socialtwin, tmp_path):
    # Written here, not kept among tests/integration/scenarios: those must all be valid.
    bad = tmp_path / "bad_dwellings_for.yaml"
    bad.write_text(f"extends: {SENIOR_FLATS}\n"
                   "construction:\n"
                   "  - year: 2020\n"
                   "    area: 2531NA\n"
                   "    dwellings: 800\n"
                   "    for: senoirs\n")
    result = socialtwin("run", bad, "--core", "cohort", "-o", tmp_path / "never.h5",
                        check=False)
    assert result.returncode == 2
    assert not (tmp_path / "never.h5").exists()
    message = result.stdout + result.stderr
    assert "bad_dwellings_for.yaml:6:10" in message
    assert "construction[0].for" in message
    assert "seniors" in message  # did you mean


def test_a_group_on_a_demolition_exits_2(socialtwin, tmp_path):
    result = socialtwin("run", SENIOR_FLATS, "--core", "cohort", "-o", tmp_path / "never.h5",
                        "--set", "construction[0].dwellings=-100", check=False)
    assert result.returncode == 2
    message = result.stdout + result.stderr
    assert "construction[0].for" in message and "demolishes 100 dwellings" in message
    assert not (tmp_path / "never.h5").exists()
