"""The rate set's mortality and fertility values beyond the tables (rates.yaml: the newborns' death
probability, the area's mortality factor, the fertility path; mortality.csv: the improvement
columns) are bad input when missing or out of range: exit 2 naming file, line, column and key
(docs/model.md, "Mortality" and "Fertility")."""
import re
import shutil

import pytest

from conftest import ROOT

TINY = ROOT / "tests/data/tiny"
BAD_INPUT = 2


def tiny_with_rates(tmp_path, edit_yaml=None, edit_mortality=None):
    shutil.copytree(TINY / "datasets", tmp_path / "datasets")
    shutil.copytree(TINY / "rates", tmp_path / "rates")  # dataset.yaml says rates: ../../rates
    if edit_yaml:
        path = tmp_path / "rates/rates.yaml"
        path.write_text(edit_yaml(path.read_text()))
    if edit_mortality:
        path = tmp_path / "rates/mortality.csv"
        path.write_text(edit_mortality(path.read_text()))
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"dataset: {tmp_path / 'datasets/tiny'}\nhorizon: 1\n")
    return scenario


def line_of(text, key):
    return next(i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith(key + ":"))


def test_the_tiny_rate_set_is_valid_so_each_case_below_tests_only_its_fault(socialtwin, tmp_path):
    socialtwin("validate", tiny_with_rates(tmp_path))


@pytest.mark.parametrize("value", ["-0.001", "1.5"])
def test_a_newborn_death_probability_outside_0_to_1_is_bad_input_at_its_line_and_key(socialtwin, tmp_path,
                                                                                      value):
    text = (TINY / "rates/rates.yaml").read_text()
    line = line_of(text, "newborn_death_probability_female")
    scenario = tiny_with_rates(tmp_path, lambda t: t.replace("newborn_death_probability_female: 0.005",
                                                             f"newborn_death_probability_female: {value}"))
    result = socialtwin("validate", scenario, check=False)
    assert result.returncode == BAD_INPUT, result.stderr
    assert re.search(rf"rates\.yaml:{line}:\d+: newborn_death_probability_female: {re.escape(value)} is out of "
                     r"range; expected a probability", result.stderr), result.stderr


@pytest.mark.parametrize("key", ["newborn_death_probability_male", "newborn_improvement_female",
                                 "mortality_factor", "fertility_tfr_reference", "fertility_tfr_long_run",
                                 "fertility_years_to_long_run"])
def test_a_missing_mortality_or_fertility_key_is_bad_input_naming_the_key(socialtwin, tmp_path, key):
    scenario = tiny_with_rates(
        tmp_path, lambda t: "\n".join(ln for ln in t.splitlines() if not ln.startswith(key + ":")) + "\n")
    result = socialtwin("run", scenario, "-o", tmp_path / "out.h5", check=False)
    assert result.returncode == BAD_INPUT, result.stderr
    assert re.search(rf"rates\.yaml:1:1: {key}: missing; expected", result.stderr), result.stderr
    assert not (tmp_path / "out.h5").exists()


def test_a_mortality_factor_of_zero_is_bad_input(socialtwin, tmp_path):
    scenario = tiny_with_rates(tmp_path, lambda t: t.replace("mortality_factor: 1", "mortality_factor: 0"))
    result = socialtwin("validate", scenario, check=False)
    assert result.returncode == BAD_INPUT
    assert "mortality_factor: 0 is out of range" in result.stderr, result.stderr


def test_mortality_csv_without_the_improvement_columns_is_bad_input(socialtwin, tmp_path):
    def drop(text):
        return "\n".join(",".join(ln.split(",")[:3]) for ln in text.splitlines()) + "\n"

    result = socialtwin("validate", tiny_with_rates(tmp_path, edit_mortality=drop), check=False)
    assert result.returncode == BAD_INPUT
    assert "mortality.csv" in result.stderr and "improvement_male" in result.stderr, result.stderr


def test_an_improvement_rate_beyond_ten_percent_a_year_is_bad_input_at_its_row(socialtwin, tmp_path):
    def edit(text):
        lines = text.splitlines()
        lines[81] = lines[81].rsplit(",", 2)[0] + ",0.5,0"  # age 80, line 82
        return "\n".join(lines) + "\n"

    result = socialtwin("validate", tiny_with_rates(tmp_path, edit_mortality=edit), check=False)
    assert result.returncode == BAD_INPUT
    assert re.search(r"mortality\.csv:82:\d+: improvement_male", result.stderr), result.stderr
