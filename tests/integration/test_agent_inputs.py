"""The agent core's inputs and the thread count: a start population (`run --core agent
--start-population`) is checked field by field when it is loaded, a dataset without areas is
bad input, and any --threads gives the same result and a clean exit."""
import shutil

import h5py
import numpy as np
import pytest

from conftest import HERE, ROOT

TINY = ROOT / "tests" / "data" / "tiny"
SCENARIOS = HERE / "scenarios"

# Couples with children at home, older couples, single mothers and persons living alone in the
# two areas of the tiny dataset, so that a synthesised start population has every kind of link.
FAMILY_POPULATION = """\
area,sex,age,child_at_home,living_alone,partner_no_children,partner_with_children,single_parent,other_member,institution
T1,male,35,0,0,0,20,0,0,0
T1,female,33,0,0,0,20,0,0,0
T1,male,8,15,0,0,0,0,0,0
T1,female,6,15,0,0,0,0,0,0
T1,male,70,0,0,10,0,0,0,0
T1,female,68,0,0,10,0,0,0,0
T1,female,30,0,10,0,0,0,0,0
T2,female,80,0,50,0,0,0,0,0
T2,female,40,0,0,0,0,10,0,0
T2,male,12,10,0,0,0,0,0,0
"""


def make_dataset(directory, population=FAMILY_POPULATION, areas=True):
    """A copy of the tiny dataset in `directory`, with `population`; without areas if asked."""
    shutil.copytree(TINY / "datasets" / "tiny", directory)
    meta = directory / "dataset.yaml"
    meta.write_text(meta.read_text().replace("rates: ../../rates", f"rates: {TINY / 'rates'}"))
    (directory / "population.csv").write_text(population)
    if not areas:
        for name in ("areas.csv", "dwellings.csv", "facilities.csv"):
            table = directory / name
            table.write_text(table.read_text().splitlines()[0] + "\n")
        (directory / "population.csv").write_text(population.splitlines()[0] + "\n")
    return directory


def make_scenario(path, dataset):
    path.write_text(f"name: family\ndataset: {dataset}\nhorizon: 3\ncore: agent\n")
    return path


@pytest.fixture(scope="module")
def family(socialtwin, tmp_path_factory):
    """A scenario on the family dataset and a start population synthesised for it."""
    root = tmp_path_factory.mktemp("family")
    scenario = make_scenario(root / "family.yaml", make_dataset(root / "dataset"))
    start = root / "start.h5"
    socialtwin("synthesise", scenario, "-o", start)
    with h5py.File(start, "r") as f:
        persons = {name: f["persons"][name][:] for name in f["persons"]}
    assert (persons["partner"] >= 0).any() and (persons["mother"] >= 0).any()
    return scenario, start, persons


def first(condition):
    return int(np.flatnonzero(condition)[0])


def run_from(socialtwin, scenario, start, out):
    return socialtwin("run", scenario, "--start-population", start, "-o", out, "--quiet",
                      check=False)


def test_a_correct_start_population_runs(socialtwin, family, tmp_path):
    scenario, start, _ = family
    result = run_from(socialtwin, scenario, start, tmp_path / "out.h5")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out.h5").exists()


def test_a_couple_of_the_same_sex_is_allowed(socialtwin, family, tmp_path):
    # The models keep and end partner links whatever the partners' sexes; only new couples
    # are formed of a man and a woman. So the check must not refuse such a couple.
    scenario, start, persons = family
    copy = tmp_path / "start.h5"
    shutil.copy(start, copy)
    man = first((persons["partner"] >= 0) & (persons["sex"] == 0))
    with h5py.File(copy, "r+") as f:
        f["persons/sex"][man] = 1
    result = run_from(socialtwin, scenario, copy, tmp_path / "out.h5")
    assert result.returncode == 0, result.stderr


# Each case: the variable it corrupts and how, from the synthesised persons `p` (a dict of
# arrays, changed in place); the test expects exit 2 naming that variable, and no file.
def partner_out_of_range(p):
    p["partner"][first(p["partner"] >= 0)] = len(p["partner"]) + 1000


def partner_not_both_ways(p):
    couples = np.flatnonzero(p["partner"] >= 0)
    a, b = couples[0], next(i for i in couples if i not in (couples[0], p["partner"][couples[0]]))
    p["partner"][a] = b  # a's old partner and b's partner still point elsewhere


def partner_is_self(p):
    single = first(p["partner"] < 0)
    p["partner"][single] = single


def partner_is_dead(p):
    a = first(p["partner"] >= 0)
    p["presence"][p["partner"][a]] = 1


def mother_out_of_range(p):
    p["mother"][first(p["mother"] >= 0)] = len(p["mother"])


def mother_below_none(p):
    p["mother"][first(p["mother"] >= 0)] = -2


def mother_younger_than_child(p):
    child = first(p["mother"] >= 0)
    p["birth_year"][p["mother"][child]] = p["birth_year"][child] + 1


def household_out_of_range(p):
    p["household"][0] = len(p["household"]) + 7


def household_in_another_area(p):
    other = first(p["area"] != p["area"][0])
    p["household"][0] = p["household"][other]


def born_after_the_base_year(p):
    p["birth_year"][0] = 2019  # age -1 on 1 January 2019: the accounts cannot balance


def born_before_anyone_lives(p):
    p["birth_year"][0] = 1800


def sex_unknown(p):
    p["sex"][0] = 2


def position_unknown(p):
    p["position"][0] = 7


def presence_unknown(p):
    p["presence"][0] = 3  # `moved` exists only while a year is projected


def area_out_of_range(p):
    p["area"][0] = 2


CORRUPTIONS = {
    "partner": [partner_out_of_range, partner_not_both_ways, partner_is_self, partner_is_dead],
    "mother": [mother_out_of_range, mother_below_none, mother_younger_than_child],
    "household": [household_out_of_range, household_in_another_area],
    "birth_year": [born_after_the_base_year, born_before_anyone_lives],
    "sex": [sex_unknown],
    "position": [position_unknown],
    "presence": [presence_unknown],
    "area": [area_out_of_range],
}


@pytest.mark.parametrize("variable,corrupt",
                         [(v, c) for v, cases in CORRUPTIONS.items() for c in cases],
                         ids=[c.__name__ for cases in CORRUPTIONS.values() for c in cases])
def test_a_start_population_with_an_impossible_value_is_refused_naming_the_variable(
        socialtwin, family, tmp_path, variable, corrupt):
    scenario, start, persons = family
    changed = {name: values.copy() for name, values in persons.items()}
    corrupt(changed)
    copy = tmp_path / "start.h5"
    shutil.copy(start, copy)
    with h5py.File(copy, "r+") as f:
        for name, values in changed.items():
            f["persons"][name][...] = values
    out = tmp_path / "out.h5"
    result = run_from(socialtwin, scenario, copy, out)
    assert result.returncode == 2, result.stderr
    assert f"{copy}: persons/{variable}: person " in result.stderr, result.stderr
    assert not out.exists() and not any(p.name.startswith(".out.h5") for p in tmp_path.iterdir())


def test_a_problem_shared_by_every_person_is_reported_once_with_a_count(socialtwin, family,
                                                                        tmp_path):
    scenario, start, persons = family
    copy = tmp_path / "start.h5"
    shutil.copy(start, copy)
    with h5py.File(copy, "r+") as f:
        f["persons/area"][...] = 9
    result = run_from(socialtwin, scenario, copy, tmp_path / "out.h5")
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if "persons/area" in line]
    assert len(lines) == 1, result.stderr
    assert f"person 0 lives in area 9" in lines[0]
    assert f"({len(persons['area'])} persons in all)" in lines[0]


def rewrite(file, path, values=None):
    """Replaces (or, without values, deletes) one dataset of `file`."""
    with h5py.File(file, "r+") as f:
        del f[path]
        if values is not None:
            f[path] = values


def set_attribute(file, name, value):
    with h5py.File(file, "r+") as f:
        f.attrs[name] = value


LAYOUT_FAULTS = {
    "persons/birth_year": lambda f, p: rewrite(f, "persons/birth_year",
                                               p["birth_year"].astype("float64") + 0.5),
    "persons/sex": lambda f, p: rewrite(f, "persons/sex", p["sex"][:-1]),
    "persons/position": lambda f, p: rewrite(f, "persons/position",
                                             np.stack([p["position"], p["position"]])),
    "persons/household": lambda f, p: rewrite(f, "persons/household",
                                              p["household"].astype("S8")),
    "persons/mother": lambda f, p: rewrite(f, "persons/mother"),
    "seed": lambda f, p: set_attribute(f, "seed", "twelve"),
    "base_year": lambda f, p: set_attribute(f, "base_year", "2019"),
    "area": lambda f, p: rewrite(f, "area", np.arange(2)),
}


@pytest.mark.parametrize("variable", LAYOUT_FAULTS, ids=[
    "float_birth_years", "a_short_column", "two_dimensions", "text_households",
    "no_mother_column", "a_seed_that_is_no_number", "a_base_year_as_text", "area_codes_as_numbers"])
def test_a_start_population_of_the_wrong_layout_is_refused_naming_the_variable(
        socialtwin, family, tmp_path, variable):
    scenario, start, persons = family
    copy = tmp_path / "start.h5"
    shutil.copy(start, copy)
    LAYOUT_FAULTS[variable](copy, persons)
    result = run_from(socialtwin, scenario, copy, tmp_path / "out.h5")
    assert result.returncode == 2, result.stderr
    assert f"{copy}: {variable}: " in result.stderr, result.stderr
    assert not (tmp_path / "out.h5").exists()


# ---- a dataset with no areas ------------------------------------------------------------------

@pytest.mark.parametrize("command", ["validate", "run"])
def test_a_dataset_with_no_areas_is_bad_input(socialtwin, tmp_path, command):
    scenario = make_scenario(tmp_path / "empty.yaml",
                             make_dataset(tmp_path / "dataset", areas=False))
    out = tmp_path / "out.h5"
    args = [command, scenario] + (["-o", out] if command == "run" else [])
    result = socialtwin(*args, check=False)
    assert result.returncode == 2, result.stderr
    assert "areas.csv:1:1: area: the dataset has no areas" in result.stderr
    assert not out.exists()


# ---- the thread count -------------------------------------------------------------------------

def results(path):
    """Every dataset of a result file, by name, but the run's timings (meta/phase_timings)."""
    found = {}

    def keep(name, obj):
        if isinstance(obj, h5py.Dataset) and not name.startswith("meta/phase_timings"):
            found[name] = obj[()]

    with h5py.File(path, "r") as f:
        f.visititems(keep)
    return found


@pytest.mark.parametrize("core", ["cohort", "agent"])
def test_more_threads_than_the_machine_has_give_the_same_result_and_a_clean_exit(
        socialtwin, tmp_path, core):
    one, many = tmp_path / "one.h5", tmp_path / "many.h5"
    socialtwin("run", SCENARIOS / "tiny.yaml", "--core", core, "--threads", "1", "-o", one,
               "--quiet")
    # 1024 is the most the command line takes (a larger count is a usage error, exit 2); the
    # engine itself clamps any count to the machine's cores (WorkerThreads.* tests 70,000).
    result = socialtwin("run", SCENARIOS / "tiny.yaml", "--core", core, "--threads", "1024",
                        "-o", many, check=False)
    assert result.returncode == 0, (result.returncode, result.stderr)  # no signal at exit
    assert "--threads 1024: this machine runs" in result.stdout + result.stderr
    a, b = results(one), results(many)
    assert a.keys() == b.keys()
    for name in a:
        x, y = np.asarray(a[name]), np.asarray(b[name])
        assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name
