"""Plausible values in, finite results out: every number of a scenario has bounds a planner can
read (with its unit), a run whose numbers still leave the finite fails and writes nothing, and a
dataset cannot label its areas with a name the result file uses for a variable."""
import re
import shutil

import pytest

from conftest import ROOT

TINY = ROOT / "tests/data/tiny/datasets/tiny"


def scenario(tmp_path, body, horizon=2):
    path = tmp_path / "s.yaml"
    path.write_text(f"dataset: {TINY}\nhorizon: {horizon}\n{body}\n")
    return path


def files_in(folder):
    """Everything in `folder` but the inputs the test wrote (temporaries included)."""
    return sorted(p.name for p in folder.iterdir() if p.suffix != ".yaml" and p.is_file())


# The inputs: each was accepted and gave inf or NaN with exit 0.
@pytest.mark.parametrize("body, where, expected", [
    ("rates: {fertility: {trend: 1e308}}", "rates.fertility.trend",
     "expected a yearly change from -0.2 to 0.2 (a fraction a year: 0.02 = 2% a year), got 1e308"),
    ("rates: {gp_contacts: {factor: 1e308}}", "rates.gp_contacts.factor",
     "expected a multiplier of the baseline rate in 0..10"),
    ("construction: [{year: 2020, area: T1, dwellings: 1e308}]", "construction[0].dwellings",
     "expected a non-zero number of dwellings in -50000..50000 (negative: demolished), got 1e308"),
])
def test_values_that_overflowed_are_bad_input_and_nothing_is_written(socialtwin, tmp_path, body,
                                                                       where, expected):
    out = tmp_path / "out.h5"
    result = socialtwin("run", scenario(tmp_path, body), "-o", out, "--quiet", check=False)
    assert result.returncode == 2, result.stderr
    assert re.search(rf"s\.yaml:3:\d+: {re.escape(where)}: {re.escape(expected)}", result.stderr)
    assert files_in(tmp_path) == []


def test_a_percentage_written_where_a_fraction_is_meant_gets_a_hint(socialtwin, tmp_path):
    # `trend: 2` meant 2% a year; it gave 8.3e17 home-help clients.
    result = socialtwin("validate", scenario(tmp_path, "rates: {wmo_home_help: {trend: 2}}"),
                        check=False)
    assert result.returncode == 2
    assert "rates.wmo_home_help.trend: expected a yearly change from -0.2 to 0.2" in result.stderr
    assert "got 2 (2 looks like a percentage: write 0.02 for 2%)" in result.stderr


def test_replicates_beyond_the_bound_are_refused_before_anything_is_allocated(socialtwin,
                                                                             tmp_path):
    out = tmp_path / "out.h5"
    path = scenario(tmp_path, "core: agent\nreplicates: 2147483647")
    result = socialtwin("run", path, "-o", out, "--quiet", check=False)
    assert result.returncode == 2, result.stderr
    assert "replicates: expected a whole number of runs in 1..1000, got 2147483647" in result.stderr
    assert files_in(tmp_path) == []


def test_replicates_on_the_command_line_keep_to_the_same_bound(socialtwin, tmp_path):
    out = tmp_path / "out.h5"
    path = scenario(tmp_path, "core: agent")
    result = socialtwin("run", path, "-o", out, "--replicates", "5000", "--quiet", check=False)
    assert result.returncode == 2, result.stderr
    # The command line checks it first (engine/cli), with the schema's bound.
    assert "--replicates: expected a whole number from 1 to 1000, got 5000" in result.stderr
    assert files_in(tmp_path) == []


def test_a_run_that_overflows_within_the_bounds_fails_and_writes_nothing(socialtwin, tmp_path):
    # Each change is within bounds, but overlapping changes multiply: (10 x 1.2^y)^16 times the
    # births overflow the expected numbers of the cohort core within the century.
    changes = "\n".join("    - {factor: 10, trend: 0.2}" for _ in range(16))
    path = scenario(tmp_path, f"rates:\n  fertility:\n{changes}", horizon=100)
    out = tmp_path / "out.h5"
    result = socialtwin("run", path, "-o", out, "--quiet", check=False)
    assert result.returncode == 1, result.stderr
    assert re.search(r"the run failed in \d{4}: (indicator '\w+' is (-?inf|NaN) in area T[12]"
                     r"|the population at the end of the year is (-?inf|NaN) in area T[12])",
                     result.stderr), result.stderr
    assert "this is a bug or an implausible scenario" in result.stderr
    assert files_in(tmp_path) == []


def dataset_with_area_column(tmp_path, column):
    """A copy of the tiny dataset whose areas.csv has one more column, `column`."""
    data = tmp_path / "tiny"
    shutil.copytree(TINY, data)
    meta = data / "dataset.yaml"
    meta.write_text(meta.read_text().replace("rates: ../../rates",
                                             f"rates: {TINY.parent.parent / 'rates'}"))
    areas = data / "areas.csv"
    lines = areas.read_text().splitlines()
    lines[0] += f",{column}"
    lines[1:] = [line + ",x" for line in lines[1:]]
    areas.write_text("\n".join(lines) + "\n")
    return data


@pytest.mark.parametrize("column, what", [
    ("population", "an indicator"),
    ("meta", "the group of metadata"),
    ("year", "a dimension"),
    ("sex", "a dimension"),
    ("aggregates", "the group of aggregates"),
    ("births_replicates", "the replicates of indicator 'births'"),
])
def test_an_area_column_named_like_a_result_variable_is_bad_input(socialtwin, tmp_path, column,
                                                                    what):
    data = dataset_with_area_column(tmp_path, column)
    path = tmp_path / "s.yaml"
    path.write_text(f"dataset: {data}\nhorizon: 1\n")
    out = tmp_path / "out.h5"
    header = (data / "areas.csv").read_text().splitlines()[0]
    column_number = len(header) - len(column) + 1  # the last column
    at = f"{data / 'areas.csv'}:1:{column_number}: {column}: "
    for command in (["validate", path], ["run", path, "-o", out, "--quiet"]):
        result = socialtwin(*command, check=False)
        assert result.returncode == 2, result.stderr
        assert at in result.stderr, result.stderr
        assert f"the result file already uses for {what}" in result.stderr
        assert "rename the column" in result.stderr
    assert files_in(tmp_path) == []


def test_an_area_column_with_a_name_no_result_can_hold_is_bad_input(socialtwin, tmp_path):
    data = dataset_with_area_column(tmp_path, "wijk.naam")
    path = tmp_path / "s.yaml"
    path.write_text(f"dataset: {data}\nhorizon: 1\n")
    result = socialtwin("validate", path, check=False)
    assert result.returncode == 2, result.stderr
    assert "areas.csv:1:" in result.stderr and ": wijk.naam: " in result.stderr
    assert "must not be empty or hold spaces, '/' or '.'" in result.stderr
