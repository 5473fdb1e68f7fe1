"""Where institution residents live, end to end: entrants into an institution move to an area
with a nursing home (the dataset's nursing_homes.csv or one a scenario opens); bad nursing-home
data stops the run with file, line and column."""
import shutil

import h5py
import pytest

from conftest import ROOT

TINY = ROOT / "tests" / "data" / "tiny"


def tiny_copy(tmp_path, nursing_homes=None):
    """The tiny dataset with its rates, where women aged 80-82 living alone enter an
    institution with probability 0.5 a year; optionally with a nursing_homes.csv."""
    shutil.copytree(TINY / "datasets" / "tiny", tmp_path / "tiny")
    shutil.copytree(TINY / "rates", tmp_path / "rates")
    yaml = (tmp_path / "tiny" / "dataset.yaml").read_text().replace("../../rates", "../rates")
    (tmp_path / "tiny" / "dataset.yaml").write_text(yaml)
    with open(tmp_path / "rates" / "household_transitions.csv", "a") as f:
        for age in (80, 81, 82):
            f.write(f"female,{age},institution,living_alone,institution,0.5\n")
    if nursing_homes is not None:
        (tmp_path / "tiny" / "nursing_homes.csv").write_text(
            "facility,type,area,capacity,capacity_units,status,name\n" + nursing_homes)
    return tmp_path / "tiny"


def scenario(tmp_path, text="institutions:\n  located: true\n"):
    """Locating is off by default (the shipped homes are organisation seats); these tests turn it on."""
    path = tmp_path / "scenario.yaml"
    path.write_text(f"dataset: {tmp_path / 'tiny'}\nhorizon: 2\n{text}")
    return path


def values(out, name):
    with h5py.File(out, "r") as f:
        return f[name][:]


@pytest.mark.parametrize("core", ["cohort", "agent"])
def test_entrants_move_to_the_area_with_the_nursing_home(socialtwin, tmp_path, core):
    tiny_copy(tmp_path, "nh-1,nursing_home,T1,80,clients,observed,Home T1\n")
    out = tmp_path / "out.h5"
    socialtwin("run", scenario(tmp_path), "-o", out, "--quiet", "--core", core)
    moved_out, moved_in = values(out, "institution_moves_out"), values(out, "institution_moves_in")
    # T2's 100 women aged 80 enter at 0.5 a year; all go to T1, whose home is the gemeente's.
    assert moved_out[0][1] == pytest.approx(49.5, abs=15)
    assert moved_in[0][0] == moved_out[0][1]
    assert moved_out[:, 0].tolist() == [0, 0, 0]
    assert values(out, "population")[1][0] > 100


@pytest.mark.parametrize("setting", ["institutions:\n  located: false\n", ""])
def test_none_move_when_the_switch_is_off_which_is_the_default(socialtwin, tmp_path, setting):
    tiny_copy(tmp_path, "nh-1,nursing_home,T1,80,clients,observed,Home T1\n")
    out = tmp_path / "out.h5"
    socialtwin("run", scenario(tmp_path, setting), "-o", out, "--quiet")
    assert values(out, "institution_moves_out").sum() == 0
    assert values(out, "institution_moves_in").sum() == 0


def test_a_nursing_home_a_scenario_opens_attracts_entrants_from_its_year(socialtwin, tmp_path):
    tiny_copy(tmp_path)
    out = tmp_path / "out.h5"
    socialtwin("run", scenario(tmp_path, (
        "institutions:\n  located: true\n"
        "facilities:\n  open:\n    - {name: Home T1, id: nh-T1, type: nursing_home, area: T1, "
        "year: 2020, capacity: 60}\n")), "-o", out, "--quiet")
    moved_in = values(out, "institution_moves_in")
    assert moved_in[0].tolist() == [0, 0]  # 2019: no home anywhere, entrants stay
    assert moved_in[1][0] > 0              # 2020: T2's entrants go to the new home in T1
    assert moved_in[1][0] == pytest.approx(values(out, "institution_moves_out")[1][1])


def test_bad_nursing_home_data_names_file_line_and_column(socialtwin, tmp_path):
    tiny_copy(tmp_path, "nh-1,nursing_home,T1,80,clients,observed,Home T1\n"
                        "nh-2,gp_practice,T2,lots,clients,observed,Home T2\n")
    out = tmp_path / "out.h5"
    result = socialtwin("run", scenario(tmp_path), "-o", out, check=False)
    assert result.returncode == 2, result.stderr
    assert "nursing_homes.csv:3:" in result.stderr
    assert "expected nursing_home" in result.stderr
    assert "capacity" in result.stderr and "lots" in result.stderr
    assert not out.exists()
