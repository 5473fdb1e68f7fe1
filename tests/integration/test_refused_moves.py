"""Moves between gemeenten in the national dataset (docs/model.md, "Refused moves and the
national pool"): every gemeente of the country is in nl-pc4-2021, so a mover who leaves one arrives in
another. Housing-led, a gemeente may refuse it; it is then rehoused in a gemeente with room, and
no one vanishes: the country's moves in equal its moves out and its population changes by births,
deaths, immigration and emigration alone."""
import h5py
import numpy as np
import pytest


def national(path, name):
    with h5py.File(path, "r") as f:
        values = f[name][:]
    return values.reshape(values.shape[0], -1).sum(axis=1)


@pytest.fixture(scope="module")
def housing_led_run(socialtwin, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("refused")
    scenario = tmp / "nl.yaml"
    # housing_led is the default; written out because it is what the test is about.
    scenario.write_text("name: nl\ndataset: nl-pc4-2021\nbase_year: 2021\nhorizon: 3\nseed: 1\n"
                        "housing:\n  migration: housing_led\n")
    out = tmp / "nl.h5"
    socialtwin("run", scenario, "-q", "--no-aggregates", "-o", out)
    return out


def test_gemeenten_refuse_in_migrants_but_the_countrys_moves_in_equal_its_moves_out(housing_led_run):
    unmet = national(housing_led_run, "migration_in_unmet")
    moves_in = national(housing_led_run, "moves_from_other_gemeenten")
    moves_out = national(housing_led_run, "moves_to_other_gemeenten")
    assert (unmet > 0).any()  # the stock did refuse some of those who wanted to come
    for year in range(3):
        assert moves_in[year] == pytest.approx(moves_out[year], rel=1e-3), year


def test_the_countrys_population_changes_by_births_deaths_immigration_and_emigration_alone(
        housing_led_run):
    population = national(housing_led_run, "population")  # 1 January 2021 .. 2024
    change = (national(housing_led_run, "births") - national(housing_led_run, "deaths")
              + national(housing_led_run, "immigration") - national(housing_led_run, "emigration"))
    # Cohort core: expected counts, so the accounts balance to rounding.
    assert np.allclose(population[1:], population[:-1] + change[:-1], rtol=1e-9, atol=1e-6)
