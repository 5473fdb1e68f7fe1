"""Usage errors, damaged result files and `info` on every kind of file, end to end.

Promises (README): bad input - a command line that does not fit, a file that is not what the
command reads - exits 2 with a message naming what was wrong and what was expected, and writes
nothing; --help and --version exit 0; `info` describes every file socialtwin writes."""
import re

import h5py
import numpy as np
import pytest

from conftest import HERE, ROOT

TINY = HERE / "scenarios" / "tiny.yaml"
HALF = HERE / "scenarios" / "tiny_half_fertility.yaml"
OBSERVATIONS = ROOT / "tests" / "data" / "observations" / "tiny"
COMMANDS = ("run", "aggregate", "compare", "monitor", "export", "synthesise", "validate", "info",
            "schema")


def assert_usage_error(result, *expected, command=None):
    """Exit 2, each expected text in stderr, the command's help named, no CLI11 wording."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    for text in expected:
        assert text in result.stderr, result.stderr
    assert f"see socialtwin{' ' + command if command else ''} --help" in result.stderr
    assert "Run with --help" not in result.stderr  # CLI11's own wording
    assert not re.search(r"\d{30}", result.stderr), "a 300-digit number was printed"


# ---- command-line usage errors ------------------------------------------------------------


@pytest.mark.parametrize("args", [[], ["-q"]])
def test_no_command_exits_2_listing_every_command_with_a_line_each(socialtwin, args):
    result = socialtwin(*args, check=False)
    assert_usage_error(result, "commands:")
    for command in COMMANDS:
        assert re.search(rf"^  {command} +\S", result.stderr, re.M), result.stderr
    if not args:
        assert "no command given" in result.stderr


def test_unknown_command_is_named_with_the_nearest_command_and_the_list(socialtwin):
    result = socialtwin("rnu", TINY, check=False)
    assert_usage_error(result, "unknown command 'rnu'", "did you mean 'run'?", "commands:")
    for command in COMMANDS:
        assert f"  {command} " in result.stderr


@pytest.mark.parametrize("value, shown", [("-1", "got -1"), ("abc", "got 'abc'"),
                                          ("1025", "got 1025"), ("1.5", "got 1.5"),
                                          ("99999999999999999999999", "got 9999")])
def test_threads_out_of_range_or_not_whole_names_the_bounds(socialtwin, tmp_path, value, shown):
    result = socialtwin("run", TINY, "-o", tmp_path / "r.h5", "--threads", value, check=False)
    assert_usage_error(result, "--threads: expected a whole number from 0 (all cores) to 1024, ",
                       shown, command="run")
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("value", ["0", "1001", "two"])
def test_replicates_outside_1_to_1000_is_a_usage_error(socialtwin, tmp_path, value):
    result = socialtwin("run", TINY, "-o", tmp_path / "r.h5", "--replicates", value, check=False)
    assert_usage_error(result, "--replicates: expected a whole number from 1 to 1000, got",
                       command="run")
    assert not any(tmp_path.iterdir())


def test_unknown_core_names_the_choices_and_the_nearest(socialtwin, tmp_path):
    result = socialtwin("run", TINY, "-o", tmp_path / "r.h5", "--core", "agnet", check=False)
    assert_usage_error(result, "--core: expected cohort or agent, got 'agnet'",
                       "did you mean 'agent'?", command="run")


def test_discount_rate_text_names_option_and_expectation(socialtwin, tmp_path):
    tiny = tmp_path / "tiny.h5"
    tiny.write_bytes(b"")  # existence is all the command line checks
    result = socialtwin("compare", tiny, tiny, "--discount-rate", "abc", check=False)
    assert_usage_error(result, "--discount-rate: expected a decimal number, e.g. 0.0225",
                       "got 'abc'", command="compare")


# Every command: a missing required argument, an unknown option, an extra positional and a
# file that does not exist, each exit 2 with the offending word and what was expected.
MISSING = [
    (["run"], "scenario: required, missing", "run"),
    (["validate"], "scenario: required, missing", "validate"),
    (["synthesise"], "scenario: required, missing", "synthesise"),
    (["synthesise", TINY], "--output: required, missing", "synthesise"),
    (["info"], "file: required, missing", "info"),
    (["aggregate"], "result: required, missing", "aggregate"),
    (["compare"], "baseline: required, missing", "compare"),
    (["compare", TINY], "scenario: required, missing", "compare"),
    (["export"], "result: required, missing", "export"),
    (["export", TINY], "--output: required, missing", "export"),
]


@pytest.mark.parametrize("args, expected, command", MISSING)
def test_missing_required_argument_is_named(socialtwin, args, expected, command):
    assert_usage_error(socialtwin(*args, check=False), expected, f"usage: socialtwin {command}",
                       command=command)


UNKNOWN_OPTION = [
    (["run", TINY, "--treads", "2"], "run", "did you mean '--threads'?"),
    (["validate", TINY, "--bogus"], "validate", ""),
    (["synthesise", TINY, "-o", "x.h5", "--bogus"], "synthesise", ""),
    (["info", TINY, "--bogus"], "info", ""),
    (["aggregate", TINY, "--level", "buurt"], "aggregate", "did you mean '--levels'?"),
    (["compare", TINY, TINY, "--markdwon"], "compare", "did you mean '--markdown'?"),
    (["export", TINY, "-o", "x.h5", "--disclosur", "cbs"], "export",
     "did you mean '--disclosure'?"),
    (["schema", "--bogus"], "schema", ""),
]


@pytest.mark.parametrize("args, command, hint", UNKNOWN_OPTION)
def test_unknown_option_is_named_with_the_nearest_option(socialtwin, tmp_path, args, command,
                                                          hint):
    result = socialtwin(*args, check=False)
    option = next(a for a in args if str(a).startswith("--") and str(a) not in (
        "--threads", "--levels", "--disclosure"))
    assert_usage_error(result, f"{option}: unknown option of `socialtwin {command}`", hint,
                       command=command)


EXTRA = [
    (["run", TINY, "second.yaml"], "run", "scenario"),
    (["validate", TINY, "second.yaml"], "validate", "scenario"),
    (["synthesise", TINY, "second.yaml", "-o", "x.h5"], "synthesise", "scenario"),
    (["info", TINY, "second.h5"], "info", "file"),
    (["aggregate", TINY, "second.h5"], "aggregate", "result"),
    (["export", TINY, "second.h5", "-o", "x.h5"], "export", "result"),
    (["schema", "second"], "schema", "no arguments besides its options"),
]


@pytest.mark.parametrize("args, command, takes", EXTRA)
def test_extra_argument_is_named_with_what_the_command_takes(socialtwin, args, command, takes):
    result = socialtwin(*args, check=False)
    assert_usage_error(result, "unexpected argument", f"`socialtwin {command}` takes {takes}",
                       command=command)
    assert "'second" in result.stderr


NO_SUCH_FILE = [
    ["run", "{missing}"],
    ["run", TINY, "--start-population", "{missing}"],
    ["validate", "{missing}"],
    ["synthesise", "{missing}", "-o", "{out}"],
    ["info", "{missing}"],
    ["aggregate", "{missing}", "-o", "{out}"],
    ["compare", "{missing}", TINY, "-o", "{out}"],
    ["export", "{missing}", "-o", "{out}", "--disclosure", "cbs"],
]


@pytest.mark.parametrize("args", NO_SUCH_FILE, ids=lambda a: " ".join(map(str, a[:3])))
def test_file_that_does_not_exist_exits_2_naming_it(socialtwin, tmp_path, args):
    missing, out = tmp_path / "missing.file", tmp_path / "out.h5"
    result = socialtwin(*[str(a).format(missing=missing, out=out) for a in args], check=False)
    assert result.returncode == 2, result.stderr
    assert str(missing) in result.stderr and "no such file" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("command", ["run", "validate", "synthesise"])
def test_data_dir_that_does_not_exist_is_a_usage_error(socialtwin, tmp_path, command):
    args = [command, TINY, "--data-dir", tmp_path / "nowhere"]
    if command != "validate":
        args += ["-o", tmp_path / "out.h5"]
    result = socialtwin(*args, check=False)
    assert_usage_error(result, "--data-dir: expected an existing folder", "no such folder",
                       command=command)
    assert not (tmp_path / "out.h5").exists()


def test_option_without_its_value_is_named(socialtwin, tmp_path):
    result = socialtwin("aggregate", tmp_path / "r.h5", "--levels", check=False)
    assert_usage_error(result, "--levels: expected a value after it", command="aggregate")


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["compare", "--help"],
                                  ["--version"]])
def test_help_and_version_exit_0(socialtwin, args):
    result = socialtwin(*args)
    assert result.returncode == 0 and result.stdout


# ---- damaged or foreign result files given to the readers --------------------------------


@pytest.fixture(scope="module")
def results(socialtwin, tmp_path_factory):
    directory = tmp_path_factory.mktemp("results")
    paths = {"tiny": directory / "tiny.h5", "half": directory / "half.h5"}
    socialtwin("run", TINY, "-o", paths["tiny"], "--quiet")
    socialtwin("run", HALF, "-o", paths["half"], "--quiet")
    return paths


def replace_variable(f, name, data):
    """`name` rewritten with `data`, laid out over the dimensions it had (as an edit with h5py
    that keeps the dimensions would)."""
    scales = [dim[0] for dim in f[name].dims]
    del f[name]
    f[name] = data
    for axis, scale in enumerate(scales):
        f[name].dims[axis].attach_scale(scale)


def damage_empty(path):
    path.write_bytes(b"")


def damage_not_hdf5(path):
    path.write_text("year,area,population\n2019,T1,100\n")


def damage_truncated(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def damage_no_year(path):
    with h5py.File(path, "r+") as f:
        del f["year"]


def damage_no_area(path):
    with h5py.File(path, "r+") as f:
        del f["area"]


def damage_year_as_strings(path):
    with h5py.File(path, "r+") as f:
        years = [str(y).encode() for y in f["year"][:]]
        del f["year"]
        f["year"] = np.array(years)


def damage_indicator_as_strings(path):
    with h5py.File(path, "r+") as f:
        shape = f["population"].shape
        replace_variable(f, "population", np.full(shape, b"many"))


def damage_indicator_wrong_shape(path):
    with h5py.File(path, "r+") as f:
        n_years = f["year"].shape[0]
        replace_variable(f, "population", np.zeros((n_years, 1)))


def damage_no_meta(path):
    with h5py.File(path, "r+") as f:
        del f["meta"]


DAMAGE = {
    # kind of damage: (how, what the message must say)
    "empty": (damage_empty, ["an empty file; expected a"]),
    "not-hdf5": (damage_not_hdf5, ["not an HDF5 file; expected a"]),
    "truncated": (damage_truncated, ["a damaged or truncated HDF5 file"]),
    "no-year": (damage_no_year, ["/year: missing; expected the calendar years"]),
    "no-area": (damage_no_area, ["/area: missing; expected the codes of the result's areas"]),
    "year-strings": (damage_year_as_strings, ["/year: holds strings; expected the calendar "
                                              "years of the result (whole numbers"]),
    "indicator-strings": (damage_indicator_as_strings,
                          ["/population: holds strings; expected numbers"]),
    "indicator-shape": (damage_indicator_wrong_shape,
                        ["/population: has shape (3, 1), which does not fit its dimensions: "
                         "expected (year 3, area 2)"]),
    "no-meta": (damage_no_meta, ["/meta: missing"]),
}

# Every command that reads a result, with the damaged file in each place it can take one.
READERS = {
    "info": lambda bad, good, out: ["info", bad],
    "export": lambda bad, good, out: ["export", bad, "-o", out, "--disclosure", "cbs"],
    "aggregate": lambda bad, good, out: ["aggregate", bad, "-o", out],
    "compare-baseline": lambda bad, good, out: ["compare", bad, good, "-o", out],
    "compare-scenario": lambda bad, good, out: ["compare", good, bad, "-o", out],
    "monitor": lambda bad, good, out: ["monitor", bad, OBSERVATIONS, "-o", out],
}


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_result_is_bad_input_naming_file_and_variable(socialtwin, results, tmp_path,
                                                              damage, reader):
    bad, out = tmp_path / f"{damage}.h5", tmp_path / "out.h5"
    bad.write_bytes(results["tiny"].read_bytes())
    how, expected = DAMAGE[damage]
    how(bad)
    result = socialtwin(*READERS[reader](bad, results["half"], out), check=False)
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert f"{bad}: " in result.stderr, result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr
    assert "HDF5-DIAG" not in result.stderr and "H5" not in result.stderr, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [bad.name], "something was written"


# ---- info: every kind of file socialtwin writes --------------------------------------------


@pytest.fixture(scope="module")
def written(socialtwin, results, tmp_path_factory):
    directory = tmp_path_factory.mktemp("kinds")
    files = {"result": results["tiny"], "difference": directory / "diff.h5",
             "monitoring": directory / "monitor.h5", "start": directory / "start.h5",
             "published": directory / "published.h5"}
    socialtwin("compare", results["tiny"], results["half"], "-o", files["difference"])
    socialtwin("monitor", results["tiny"], OBSERVATIONS, "-o", files["monitoring"])
    socialtwin("synthesise", TINY, "-o", files["start"])
    socialtwin("export", results["tiny"], "-o", files["published"], "--disclosure", "cbs")
    return files


@pytest.fixture(scope="module")
def version(socialtwin):
    return socialtwin("--version").stdout.strip()


def row(text, key):
    """The value of `key` in info's table of the file (the first table, two columns)."""
    found = re.search(rf"^  {re.escape(key)} +(.*)$", text, re.M)
    assert found, f"no row '{key}' in:\n{text}"
    return found.group(1)


def test_info_describes_a_result_with_its_kind_engine_and_inputs(socialtwin, written, version):
    text = socialtwin("info", written["result"]).stdout
    assert text.startswith(f"socialtwin result {written['result']}")
    assert "written by `socialtwin run`" in row(text, "kind")
    assert f"socialtwin {version}" in row(text, "engine")
    assert "tiny.yaml" in row(text, "scenario") and row(text, "dataset") == "tiny"
    assert row(text, "years").startswith("2019-2021")
    assert re.search(r"^  population +\(year, area\) +persons ", text, re.M)


def test_info_describes_a_published_result_with_its_source_and_rule(socialtwin, written,
                                                                     version):
    text = socialtwin("info", written["published"]).stdout
    assert text.startswith(f"socialtwin published result {written['published']}")
    kind = row(text, "kind")
    assert "`socialtwin export`" in kind and str(written["result"]) in kind and "CBS" in kind
    assert f"socialtwin {version}" in row(text, "engine")
    assert re.search(r"^  population +\(year, area\) +persons ", text, re.M)


def test_info_describes_a_comparison(socialtwin, written, version):
    text = socialtwin("info", written["difference"]).stdout
    assert text.startswith(f"socialtwin comparison {written['difference']}")
    assert "scenario minus baseline" in row(text, "kind")
    assert "tiny (" in row(text, "baseline") and str(written["result"]) in row(text, "baseline")
    assert "tiny_half_fertility" in row(text, "scenario")
    assert f"socialtwin {version}" in row(text, "engine")
    assert "year 3" in row(text, "dimensions") and "area 2" in row(text, "dimensions")
    assert "buurt" in row(text, "aggregates")
    assert re.search(r"^  cost_wmo_eur_npv +\(area\) +EUR \(constant prices of 2022\), present "
                     r"value in 2019 ", text, re.M), text
    assert re.search(r"^  births +\(year, area\) +persons per year ", text, re.M)


def test_info_describes_a_monitoring_file(socialtwin, written, version):
    text = socialtwin("info", written["monitoring"]).stdout
    assert text.startswith(f"socialtwin monitoring file {written['monitoring']}")
    assert "against observations" in row(text, "kind")
    assert str(written["result"]) in row(text, "projection")
    assert "tiny-buurt" in row(text, "observation")
    assert f"socialtwin {version}" in row(text, "engine")
    assert "observation 4" in row(text, "dimensions")
    assert re.search(r"^  relative_difference +\(observation\) +1 ", text, re.M), text
    assert re.search(r"^  mape_percent +\(row\) ", text, re.M), text


def test_info_describes_a_start_population(socialtwin, written, version):
    text = socialtwin("info", written["start"]).stdout
    assert text.startswith(f"socialtwin start population {written['start']}")
    assert "`socialtwin synthesise`" in row(text, "kind")
    assert row(text, "dataset") == "tiny" and row(text, "base year") == "2019"
    assert f"socialtwin {version}" in row(text, "engine")
    assert row(text, "dimensions") == "person 200, area 2"
    assert re.search(r"^  persons/birth_year +\(person\) +calendar year ", text, re.M), text


def test_info_on_a_foreign_hdf5_file_says_what_it_looked_for(socialtwin, tmp_path):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["temperature"] = np.arange(3.0)
    result = socialtwin("info", other, check=False)
    assert result.returncode == 2
    assert f"{other}: an HDF5 file, but not a socialtwin file" in result.stderr
    for marker in ("socialtwin_result_version", "socialtwin_monitoring_version",
                   "socialtwin_start_population"):
        assert marker in result.stderr
