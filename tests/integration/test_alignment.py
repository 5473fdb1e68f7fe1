"""`align:` fixes the projected population to a table the scenario gives, in both cores, and
reports the adjustment; a bad table stops the run with exit 2, naming file, line and column."""
from pathlib import Path

import h5py
import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SCENARIOS = HERE / "scenarios"
TINY = ROOT / "tests" / "data" / "tiny" / "datasets" / "tiny"


def totals(path, name):
    with h5py.File(path, "r") as f:
        values = f[name][:]
    return values.reshape(values.shape[0], -1).sum(axis=1)


def targets(csv):
    rows = [line.split(",") for line in csv.read_text().splitlines()[1:]]
    return {int(r[1]): float(r[2]) for r in rows}


def test_cohort_core_hits_the_gemeente_total_in_every_aligned_year(socialtwin, tmp_path):
    out = tmp_path / "aligned.h5"
    socialtwin("run", SCENARIOS / "denhaag_aligned.yaml", "-o", out, "--quiet")
    population = totals(out, "population")  # 1 January 2019 .. 2024
    for year, target in targets(SCENARIOS / "denhaag_aligned_total.csv").items():
        assert population[year - 2019] == pytest.approx(target, rel=1e-12)
    # The adjustment is what the model lacked: projected + adjustment = target.
    adjustment, projected = totals(out, "alignment_adjustment"), totals(out, "alignment_projected")
    assert projected[0] + adjustment[0] == pytest.approx(population[1], rel=1e-12)
    assert adjustment[0] != 0
    # Added and removed persons are migration: the accounts still balance in every area.
    with h5py.File(out, "r") as f:
        p = f["population"][:]
        flows = f["births"][:] - f["deaths"][:] + f["migration_in"][:] - f["migration_out"][:]
    assert np.allclose(p[1:], p[:-1] + flows[:-1], rtol=1e-9, atol=1e-9)


def test_an_aligned_scenario_validates(socialtwin):
    assert "valid" in socialtwin("validate", SCENARIOS / "denhaag_aligned.yaml").stdout


def test_agent_core_hits_the_gemeente_total_within_sampling_noise(socialtwin, tmp_path):
    out = tmp_path / "aligned_agent.h5"
    socialtwin("run", SCENARIOS / "denhaag_aligned.yaml", "-o", out, "--quiet", "--core", "agent",
               "--replicates", "1")
    population = totals(out, "population")
    for year, target in targets(SCENARIOS / "denhaag_aligned_total.csv").items():
        # Removals and arrivals are Bernoulli and Poisson-like draws of a few thousand persons
        # a year: a standard deviation below 100 persons; 0.1% of 540,000 is 540.
        assert population[year - 2019] == pytest.approx(target, rel=1e-3)


def test_cohort_core_hits_every_sex_and_age_group_target(socialtwin, tmp_path):
    out = tmp_path / "by_sex_age.h5"
    socialtwin("run", SCENARIOS / "denhaag_aligned_by_sex_age.yaml", "-o", out, "--quiet")
    with h5py.File(out, "r") as f:
        by_band = f["population_by_age_sex"][:].sum(axis=1)  # year x sex x 5-year band
    groups = {"0-14": slice(0, 3), "15-64": slice(3, 13), "65+": slice(13, 20)}
    lines = (SCENARIOS / "denhaag_aligned_by_sex_age.csv").read_text().splitlines()[1:]
    assert len(lines) == 12
    for line in lines:
        _, year, sex, band, population, _ = line.split(",")
        got = by_band[int(year) - 2019, 0 if sex == "male" else 1, groups[band]].sum()
        assert got == pytest.approx(float(population), rel=1e-12)


def write_case(tmp_path, table, level="gemeente", extra=""):
    (tmp_path / "targets.csv").write_text(table)
    scenario = tmp_path / "aligned.yaml"
    scenario.write_text(f"dataset: {TINY}\nhorizon: 2\nalign:\n  - table: targets.csv\n"
                        f"    level: {level}\n{extra}")
    return scenario


BAD_TABLES = {
    "unknown_area": ("gemeente,year,population\nGM2,2020,100\n",
                     ["targets.csv:2:1", "gemeente 'GM2' is not in the dataset",
                      "did you mean 'GM1'"]),
    "negative": ("gemeente,year,population\nGM1,2020,-5\n", ["targets.csv:2:10", "population", "non-negative"]),
    "duplicate": ("gemeente,year,population\nGM1,2020,100\nGM1,2020,110\n",
                  ["targets.csv:3:5", "duplicate row: line 2"]),
    "year_outside": ("gemeente,year,population\nGM1,2019,100\nGM1,2030,100\n",
                     ["targets.csv:2:5", "targets.csv:3:5", "outside the projection"]),
    "bad_band": ("gemeente,year,age_band,population\nGM1,2020,old,100\n",
                 ["targets.csv:2:10", "age_band", "expected an age band"]),
    "overlapping_bands": ("gemeente,year,age_band,population\nGM1,2020,0-64,100\nGM1,2020,60+,50\n",
                          ["targets.csv:3:10", "overlaps band 0-64"]),
    "bad_sex": ("gemeente,year,sex,population\nGM1,2020,men,100\n", ["targets.csv:2:10", "sex"]),
    "missing_column": ("gemeente,year,persons\nGM1,2020,100\n", ["targets.csv", "population"]),
}


@pytest.mark.parametrize("case", sorted(BAD_TABLES))
def test_a_bad_alignment_table_exits_2_naming_file_line_and_column(socialtwin, tmp_path, case):
    table, expected = BAD_TABLES[case]
    result = socialtwin("run", write_case(tmp_path, table), "-o", tmp_path / "never.h5",
                        check=False)
    assert result.returncode == 2, result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr
    assert not (tmp_path / "never.h5").exists()


def test_an_unknown_level_names_the_scenario_line_and_the_nearest_level(socialtwin, tmp_path):
    scenario = write_case(tmp_path, "gemeente,year,population\nGM1,2020,100\n", level="gemente")
    result = socialtwin("run", scenario, "-o", tmp_path / "never.h5", check=False)
    assert result.returncode == 2
    assert "aligned.yaml:4" in result.stderr and "align[0].level" in result.stderr
    assert "did you mean 'gemeente'" in result.stderr


def test_from_and_to_leave_out_the_rows_of_other_years(socialtwin, tmp_path):
    scenario = write_case(tmp_path, "gemeente,year,population\nGM1,2020,150\nGM1,2030,1\n",
                          extra="    to: 2020\n")
    out = tmp_path / "ok.h5"
    socialtwin("run", scenario, "-o", out, "--quiet")
    population = totals(out, "population")
    assert population[1] == pytest.approx(150)
    assert totals(out, "alignment_adjustment")[1] == 0  # 2021 runs free


def test_a_table_of_another_level_aligns_its_regions(socialtwin, tmp_path):
    # The tiny dataset's two areas lie in wijk WK1.
    scenario = write_case(tmp_path, "wijk,year,population\nWK1,2020,250\n", level="wijk")
    out = tmp_path / "wijk.h5"
    socialtwin("run", scenario, "-o", out, "--quiet")
    assert totals(out, "population")[1] == pytest.approx(250)
