"""`socialtwin backtest`: the projection from a dataset's base year against later observations,
next to the naive forecasts; and docs/validation.md, whose tables are the command's output."""
import csv
import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TINY_DATA = ROOT / "tests" / "data" / "tiny"
OBSERVATIONS = ROOT / "tests" / "data" / "observations"
COLUMNS = ["level", "area", "indicator", "sex", "age_band", "year", "base_year", "observed",
           "projected", "no_change", "last_trend", "error_percent", "no_change_error_percent",
           "last_trend_error_percent"]


def binary():
    path = os.environ.get("SOCIALTWIN_BIN", str(ROOT / "build/release/bin/socialtwin"))
    if not Path(path).exists():
        pytest.skip(f"no socialtwin binary at {path}")
    return path


def backtest(*args, tmpdir=None):
    env = dict(os.environ)
    if tmpdir is not None:
        env["TMPDIR"] = str(tmpdir)
    return subprocess.run([binary(), "backtest", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=600)


@pytest.mark.parametrize("core", ["cohort", "agent"])
def test_backtest_writes_one_error_row_per_later_observation_and_leaves_no_file(tmp_path, core):
    """The tiny dataset starts in 2019; its observations (tests/data/observations/tiny) are of 2019
    (history), 2020 and 2021. The projection runs in a temporary folder that is removed after."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    table = tmp_path / "errors.csv"
    result = backtest(OBSERVATIONS / "tiny", "--data-dir", TINY_DATA, "--core", core, "-o", table,
                      tmpdir=scratch)
    assert result.returncode == 0, result.stderr
    assert f"Backtest: dataset 'tiny' ({core} core) from 2019" in result.stdout, result.stdout
    assert list(scratch.iterdir()) == [], "the temporary projection was left behind"
    with open(table, newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == COLUMNS
        rows = list(reader)
    # 2020 population and female 80-84, 2021 households: the 2019 row is history, not compared
    assert sorted((r["indicator"], r["year"]) for r in rows) == [
        ("households", "2021"), ("population", "2020"), ("population_by_age_sex", "2020")]
    population = next(r for r in rows if r["indicator"] == "population")
    assert population["base_year"] == "2019" and population["observed"] == "200"
    projected, observed = float(population["projected"]), 200
    assert float(population["error_percent"]) == pytest.approx((projected - observed) / observed * 100,
                                                               rel=1e-5)
    # one observation (2019) in or before the base year: no last trend
    assert population["last_trend"] == "" and population["last_trend_error_percent"] == ""


def test_backtest_markdown_has_the_summary_columns():
    result = backtest(OBSERVATIONS / "tiny", "--data-dir", TINY_DATA, "--markdown")
    assert result.returncode == 0, result.stderr
    assert ("| indicator | group | year | areas | projection median | projection p90 | "
            "no change median | no change p90 | last trend median | last trend p90 | trend areas | "
            "projection beats no change | beats last trend |") in result.stdout, result.stdout
    assert "| population | total | 2020 | 1 |" in result.stdout


def test_observed_areas_the_projection_lacks_are_reported(tmp_path):
    folder = tmp_path / "obs"
    shutil.copytree(OBSERVATIONS / "tiny", folder)
    with open(folder / "observed.csv", "a") as f:
        f.write("BU7,2020,population,,,50\nBU8,2021,population,,,60\n")
    result = backtest(folder, "--data-dir", TINY_DATA)
    assert result.returncode == 0, result.stderr
    assert "2 observed buurt not in the projection (left out): BU7, BU8" in result.stdout, result.stdout


@pytest.mark.parametrize("rows, expected", [
    ("BU1,2019,population,,,210\n", "no observed year after the dataset's base year 2019"),
    ("BU1,2020,populaton,,,210\n", "observed.csv:2:10: indicator: expected one of"),
    ("BU1,2020,population_by_age_sex,,3-7,9\n", "observed.csv:2:33: age_band: expected one of"),
])
def test_bad_observations_exit_2_with_file_line_and_key(tmp_path, rows, expected):
    folder = tmp_path / "obs"
    shutil.copytree(OBSERVATIONS / "tiny", folder)
    (folder / "observed.csv").write_text("area,year,indicator,sex,age_band,value\n" + rows)
    result = backtest(folder, "--data-dir", TINY_DATA, "-o", tmp_path / "e.csv")
    assert result.returncode == 2, result.stdout + result.stderr
    assert expected in result.stderr, result.stderr
    assert not (tmp_path / "e.csv").exists()


def test_an_unknown_dataset_exits_2(tmp_path):
    result = backtest(OBSERVATIONS / "tiny", "--data-dir", TINY_DATA, "--dataset", "nowhere")
    assert result.returncode == 2, result.stderr
    assert "nowhere" in result.stderr


# The document is the release build's output; under the sanitizers the same backtests would take
# minutes (every gemeente and PC4, and a 30-year national run) and check nothing the backtest
# tests above do not: the asan preset sets SOCIALTWIN_SANITIZER, and CI's release run checks it.
@pytest.mark.skipif(bool(os.environ.get("SOCIALTWIN_SANITIZER")),
                    reason="docs/validation.md is checked by the release build (CI's test.sh)")
def test_validation_doc_tables_are_what_the_backtest_command_produces():
    """docs/validation.md's tables and targets are regenerated by tools/validation.py from
    `socialtwin backtest`; --check fails when the document is stale."""
    binary()
    result = subprocess.run(["/usr/bin/python3", str(ROOT / "tools" / "validation.py"), "--check",
                             "--bin", binary()], capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr
