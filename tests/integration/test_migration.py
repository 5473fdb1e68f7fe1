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
    # Students arrive at 17-21 and graduates leave at 23-28 (CBS 71450ned): the moves-in
    # profile is younger than the moves out of Den Haag's own population.
    m = migration_csv("denhaag-2019").set_index(["sex", "age"])
    pop = base_population("denhaag-2019").reindex(m.index, fill_value=0)
    ages = m.index.get_level_values("age").to_numpy()
    arrivals = mean_age(m.moves_in_share.to_numpy(), ages)
    departures = mean_age((m.moves_out_probability * pop).to_numpy(), ages)
    assert arrivals < departures - 0.5, (arrivals, departures)


def test_a_student_stock_that_rises_then_falls_gives_younger_arrivals_than_departures():
    # A made-up university city: no moves but the students'; 1,000 students at 19-22, none at
    # 17 or 25, on a flat population: arrivals at 18 and 19, departures at 23 and 25.
    import migration
    from common import N_AGES
    pop = np.full((2, N_AGES), 1000.0)
    students = np.zeros((2, N_AGES))
    students[:, 18] = 500  # a rise of 500 at 18 and at 19; a fall of 500 at 23 and at 25
    students[:, 19:23] = 1000
    students[:, 23:25] = 500
    change = np.diff(students, axis=1)
    arrivals = np.zeros_like(pop)
    departures = np.zeros_like(pop)
    arrivals[:, 1:] = np.maximum(change, 0)
    departures[:, 1:] = np.maximum(-change, 0)
    rate = arrivals.sum() / pop.sum()
    out_p, in_share, _ = migration.moves_profiles(pop, rate, rate, (arrivals, departures))
    ages = np.arange(N_AGES)[None, :].repeat(2, 0)
    assert mean_age(in_share, ages) == pytest.approx(18.5)
    assert mean_age(out_p * pop, ages) == pytest.approx(24.0)


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
