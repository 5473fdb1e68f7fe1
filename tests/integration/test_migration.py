"""Migration by direction and age (docs/model.md, "Migration"): four flows with their own age
profiles, calibrated per gemeente to CBS 37259eng, on the shipped rate sets and datasets."""
import shutil
import sys

import h5py
import numpy as np
import pandas as pd
import pytest

from conftest import ROOT

RATES = ROOT / "data" / "rates"
DATASETS = ROOT / "data" / "datasets"
FLOWS = {"immigration": "immigration", "emigration": "emigration",
         "moves_in": "moves_from_other_gemeenten", "moves_out": "moves_to_other_gemeenten"}
sys.path.insert(0, str(ROOT / "data" / "prepare"))


def migration_csv(rate_set):
    return pd.read_csv(RATES / rate_set / "migration.csv")


def base_population(dataset):
    """Persons by sex and age (rows: male ages 0..105, then female) of a dataset's population.csv."""
    p = pd.read_csv(DATASETS / dataset / "population.csv", dtype={"area": str})
    persons = p.drop(columns=["area", "sex", "age"]).sum(axis=1)
    return persons.groupby([p.sex, p.age]).sum()


def mean_age(weights, ages):
    return float((weights * ages).sum() / weights.sum())


def run_first_year(socialtwin, tmp_path, dataset, base_year):
    scenario = tmp_path / "first-year.yaml"
    scenario.write_text(f"name: first-year\ndataset: {dataset}\nbase_year: {base_year}\nhorizon: 1\n"
                        "seed: 1\nhousing:\n  migration: demand_led\n")
    out = tmp_path / "first-year.h5"
    socialtwin("run", scenario, "-q", "--no-aggregates", "-o", out)
    with h5py.File(out, "r") as f:
        return {flow: float(f[name][0].sum()) for flow, name in FLOWS.items()}


@pytest.mark.parametrize("rate_set", ["denhaag-2019", "nl-2019"])
def test_inflow_profiles_sum_to_one_and_outflows_are_probabilities(rate_set):
    m = migration_csv(rate_set)
    assert m.immigration_share.sum() == pytest.approx(1, abs=1e-6)
    assert m.moves_in_share.sum() == pytest.approx(1, abs=1e-6)
    both = m.emigration_probability + m.moves_out_probability
    assert ((m.emigration_probability >= 0) & (m.moves_out_probability >= 0) & (both <= 1)).all()


def test_den_haag_arrivals_from_other_gemeenten_are_younger_than_departures():
    # Its age structure holds students arriving and graduates and families leaving
    # (migration_age_by_gemeente.csv): with its age factors the moves-in profile is younger than
    # the moves out of Den Haag's own population.
    m = migration_csv("denhaag-2019").set_index(["sex", "age"])
    factors = pd.read_csv(RATES / "denhaag-2019" / "migration_age_by_gemeente.csv")
    f_in = pd.Series(1.0, index=m.index)
    f_out = pd.Series(1.0, index=m.index)
    for r in factors.itertuples():
        for a in range(r.age_from, r.age_to + 1):
            f_in[(r.sex, a)] = r.moves_in_factor
            f_out[(r.sex, a)] = r.moves_out_factor
    pop = base_population("denhaag-2019").reindex(m.index, fill_value=0)
    ages = m.index.get_level_values("age").to_numpy()
    arrivals = mean_age((m.moves_in_share * f_in).to_numpy(), ages)
    departures = mean_age((m.moves_out_probability * f_out * pop).to_numpy(), ages)
    assert arrivals < departures - 0.5, (arrivals, departures)


def synthetic_gemeente(young_adults):
    """A flat population of 1,000 per sex and age (the nation) and a gemeente like it but with
    `young_adults` times as many at 20-24; the rate set's profiles made flat too."""
    import migration
    from common import N_AGES
    nation = np.full((2, N_AGES), 1000.0)
    gemeente = nation.copy()
    gemeente[:, 20:25] *= young_adults
    flat = np.full((2, N_AGES), 1.0 / (2 * N_AGES))
    rates = {"immigration": 0.0, "emigration": 0.0, "moves_in": 0.05, "moves_out": 0.05}
    excess = migration.excess_from_bands(migration.age5_bands(gemeente), migration.age5_bands(nation))
    f = migration.age_factors(gemeente, excess, np.zeros((2, N_AGES)), rates, flat, np.full((2, N_AGES), 0.01),
                              flat, np.full((2, N_AGES), 0.05))
    ages = slice(18, 23)
    return f["moves_in"][:, ages].sum(), f["moves_out"][:, ages].sum(), f


def test_a_gemeente_with_a_student_bump_gets_more_arrivals_than_departures_at_18_to_22():
    arrivals, departures, f = synthetic_gemeente(young_adults=1.5)
    assert arrivals > 1.2 * departures
    # the gross totals stay the recorded ones
    assert f["moves_in"].sum() == pytest.approx(f["base_in"].sum())
    assert f["moves_out"].sum() == pytest.approx(f["base_out"].sum())


def test_a_gemeente_without_a_student_bump_gets_more_departures_than_arrivals_at_18_to_22():
    arrivals, departures, _ = synthetic_gemeente(young_adults=0.7)
    assert departures > 1.2 * arrivals


def test_a_gemeente_shaped_like_the_nation_keeps_the_base_profiles():
    _, _, f = synthetic_gemeente(young_adults=1.0)
    assert np.allclose(f["in"], 1) and np.allclose(f["out"], 1)


def test_first_year_flows_reproduce_den_haags_recorded_rates(socialtwin, tmp_path):
    # Cohort core, demand-led (every would-be in-migrant comes): each flow of the first year is
    # GM0518's recorded rate x its base population, the outflows by the calibration.
    recorded = pd.read_csv(RATES / "denhaag-2019" / "migration_by_gemeente.csv").set_index("gemeente")
    inhabitants = base_population("denhaag-2019").sum()
    flows = run_first_year(socialtwin, tmp_path, "denhaag-2019", 2019)
    for flow in FLOWS:
        expected = recorded.loc["GM0518", flow] * inhabitants
        assert flows[flow] == pytest.approx(expected, rel=0.005), flow


def test_national_moves_between_gemeenten_net_to_zero(socialtwin, tmp_path):
    # For the country moves between gemeenten are internal: its moves in equal its moves out.
    flows = run_first_year(socialtwin, tmp_path, "nl-pc4-2021", 2021)
    assert flows["moves_in"] == pytest.approx(flows["moves_out"], rel=0.001)
    # ... while the country still gains by immigration (CBS 2019: 269,064 in, 161,029 out).
    assert flows["immigration"] > 1.4 * flows["emigration"]


def copy_tiny(tmp_path):
    """The tiny dataset and its rate set, side by side as the dataset refers to them."""
    tiny = ROOT / "tests" / "data" / "tiny"
    shutil.copytree(tiny / "datasets", tmp_path / "tiny" / "datasets")
    shutil.copytree(tiny / "rates", tmp_path / "tiny" / "rates")
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text("name: tiny\ndataset: tiny\nbase_year: 2019\nhorizon: 1\nseed: 1\n")
    return tmp_path / "tiny", scenario


def test_a_migration_table_without_a_column_exits_2_naming_file_and_column(socialtwin, tmp_path):
    data, scenario = copy_tiny(tmp_path)
    table = data / "rates" / "migration.csv"
    pd.read_csv(table).drop(columns=["moves_in_share"]).to_csv(table, index=False)
    done = socialtwin("run", scenario, "--data-dir", data, "-o", tmp_path / "x.h5", check=False)
    assert done.returncode == 2
    assert "migration.csv" in done.stderr and "moves_in_share" in done.stderr


def test_a_gemeente_table_without_a_flow_exits_2_naming_file_and_column(socialtwin, tmp_path):
    data, scenario = copy_tiny(tmp_path)
    (data / "rates" / "migration_by_gemeente.csv").write_text(
        "gemeente,immigration,emigration,moves_in\nG1,0.01,0.01,0.02\n")
    done = socialtwin("run", scenario, "--data-dir", data, "-o", tmp_path / "x.h5", check=False)
    assert done.returncode == 2
    assert "migration_by_gemeente.csv" in done.stderr and "moves_out" in done.stderr


def write_age_table(data, text):
    (data / "rates" / "migration_by_gemeente.csv").write_text(
        "gemeente,immigration,emigration,moves_in,moves_out\nG1,0.01,0.01,0.02,0.02\n")
    (data / "rates" / "migration_age_by_gemeente.csv").write_text(text)


def test_an_age_factor_table_without_a_column_exits_2_naming_file_and_column(socialtwin, tmp_path):
    data, scenario = copy_tiny(tmp_path)
    write_age_table(data, "gemeente,sex,age_from,age_to,moves_in_factor\nG1,male,18,24,2\n")
    done = socialtwin("run", scenario, "--data-dir", data, "-o", tmp_path / "x.h5", check=False)
    assert done.returncode == 2
    assert "migration_age_by_gemeente.csv" in done.stderr and "moves_out_factor" in done.stderr


@pytest.mark.parametrize("row, column", [
    ("G1,male,18,24,-1,1", "moves_in_factor"),       # a negative factor
    ("G1,male,18,24,1,x", "moves_out_factor"),       # not a number
    ("G1,male,24,18,1,1", "age_to"),                 # a band running backwards
    ("G9,male,18,24,1,1", "gemeente"),               # a gemeente without recorded rates
    ("G1,male,18,24,1,1\nG1,male,20,30,1,1", "age_from"),  # overlapping bands
])
def test_a_bad_age_factor_exits_2_naming_file_line_and_column(socialtwin, tmp_path, row, column):
    data, scenario = copy_tiny(tmp_path)
    write_age_table(data, "gemeente,sex,age_from,age_to,moves_in_factor,moves_out_factor\n" + row + "\n")
    done = socialtwin("run", scenario, "--data-dir", data, "-o", tmp_path / "x.h5", check=False)
    assert done.returncode == 2
    assert "migration_age_by_gemeente.csv" in done.stderr and column in done.stderr
    assert ":2" in done.stderr or ":3" in done.stderr  # the line of the bad row


def test_a_university_town_gains_students_and_a_city_loses_families_in_the_national_rate_set():
    """The age factors come from each gemeente's own age structure (docs/model.md, Migration):
    Wageningen's arrivals at 18-22 are above the national shape and its departures below it;
    Amsterdam's families with young children leave (departures at 0-7 above the shape)."""
    f = pd.read_csv(RATES / "nl-2019" / "migration_age_by_gemeente.csv")
    w = f[(f.gemeente == "Wageningen") & (f.age_from == 18)]
    assert (w.moves_in_factor > 2).all() and (w.moves_out_factor < 1).all()
    a = f[(f.gemeente == "Amsterdam") & (f.age_from == 0)]
    assert (a.moves_out_factor > 1.2).all() and (a.moves_in_factor < 1).all()
