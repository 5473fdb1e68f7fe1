"""Input that once crashed, hung or ate memory is bad input: exit 2, file:line:column, nothing
written (issue 8, section 2). Each run is bounded in time and memory, so a regression fails the
test instead of hanging it or the machine."""
import os
import re
import resource
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TINY_DATASET = ROOT / "tests/data/tiny/datasets/tiny"
TINY_RATES = ROOT / "tests/data/tiny/rates"
BAD_INPUT = 2


# The alias bomb grew to 20 GB; 3 GB is plenty for any of these runs. Under AddressSanitizer
# (the asan test preset sets ASAN_OPTIONS) an address-space limit cannot be used, since ASan
# reserves terabytes of shadow address space at start: its own resident-memory limit bounds
# the run instead.
UNDER_ASAN = "ASAN_OPTIONS" in os.environ


def limit_memory():
    if not UNDER_ASAN:
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


def bounded_environment():
    env = dict(os.environ)
    if UNDER_ASAN:
        env["ASAN_OPTIONS"] = env["ASAN_OPTIONS"] + ":hard_rss_limit_mb=3072"
    return env


@pytest.fixture
def socialtwin_bounded():
    binary = os.environ.get("SOCIALTWIN_BIN", str(ROOT / "build/release/bin/socialtwin"))
    if not Path(binary).exists():
        pytest.skip(f"no socialtwin binary at {binary}")

    def run(*args):
        return subprocess.run([binary, *map(str, args)], capture_output=True, text=True,
                              errors="replace", timeout=30, preexec_fn=limit_memory,
                              env=bounded_environment())

    return run


def tiny_scenario(tmp_path, body=""):
    """A valid scenario on the tiny dataset (copied, so its files can be replaced)."""
    dataset = tmp_path / "datasets/tiny"
    shutil.copytree(TINY_DATASET, dataset)
    shutil.copytree(TINY_RATES, tmp_path / "rates")  # dataset.yaml says rates: ../../rates
    if isinstance(body, str):
        body = body.encode("utf-8")
    scenario = tmp_path / "s.yaml"
    scenario.write_bytes(b"dataset: datasets/tiny\nhorizon: 1\n" + body)
    return scenario, dataset


def assert_bad_input(result, pattern):
    assert result.returncode == BAD_INPUT, (result.returncode, result.stdout, result.stderr)
    assert re.search(pattern, result.stderr), result.stderr


def run_and_validate(socialtwin_bounded, tmp_path, scenario, pattern):
    """validate and run both refuse the scenario; run writes nothing."""
    assert_bad_input(socialtwin_bounded("validate", scenario), pattern)
    output = tmp_path / "out.h5"
    assert_bad_input(socialtwin_bounded("run", scenario, "-o", output), pattern)
    assert not output.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.h5")] == []


def test_the_tiny_scenario_is_valid_so_each_case_below_tests_only_its_fault(socialtwin_bounded,
                                                                              tmp_path):
    scenario, _ = tiny_scenario(tmp_path)
    result = socialtwin_bounded("validate", scenario)
    assert result.returncode == 0, result.stderr


def test_an_alias_inside_its_own_anchor_is_bad_input_not_a_stack_overflow(socialtwin_bounded,
                                                                           tmp_path):
    scenario, _ = tiny_scenario(tmp_path, "x: &a [*a]\n")
    run_and_validate(socialtwin_bounded, tmp_path, scenario,
                     r"s\.yaml:3:\d+: x\[0\]\[0\]\S*: nested deeper than 64 levels")


def test_an_alias_bomb_is_refused_naming_the_limit_it_passed(socialtwin_bounded, tmp_path):
    body = "b0: &b0 [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"b{i}: &b{i} [{','.join([f'*b{i - 1}'] * 9)}]\n" for i in range(1, 10))
    assert len(body) < 500  # the size of the bomb
    scenario, _ = tiny_scenario(tmp_path, body)
    run_and_validate(socialtwin_bounded, tmp_path, scenario,
                     r"s\.yaml:\d+:\d+: b\d\S*: the document expands to more than 100000 values")


def test_extends_dev_zero_is_refused_as_not_a_regular_file(socialtwin_bounded, tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("extends: /dev/zero\n")
    run_and_validate(socialtwin_bounded, tmp_path, scenario,
                     r's\.yaml:1:10: extends: cannot open "/dev/zero" '
                     r"\(not a regular file: a character device\)")


def test_extends_a_fifo_is_refused_without_blocking(socialtwin_bounded, tmp_path):
    os.mkfifo(tmp_path / "parent.yaml")
    scenario = tmp_path / "s.yaml"
    scenario.write_text("extends: parent.yaml\n")
    run_and_validate(socialtwin_bounded, tmp_path, scenario,
                     r"s\.yaml:1:10: extends: cannot open .*parent\.yaml\" "
                     r"\(not a regular file: a FIFO\)")


def test_a_dataset_file_linked_to_dev_zero_is_refused(socialtwin_bounded, tmp_path):
    scenario, dataset = tiny_scenario(tmp_path)
    (dataset / "population.csv").unlink()
    (dataset / "population.csv").symlink_to("/dev/zero")
    run_and_validate(socialtwin_bounded, tmp_path, scenario,
                     r"population\.csv: cannot open the file "
                     r"\(not a regular file: a character device\)")


def test_a_dataset_yaml_with_an_alias_cycle_is_refused(socialtwin_bounded, tmp_path):
    scenario, dataset = tiny_scenario(tmp_path)
    with open(dataset / "dataset.yaml", "a") as f:
        f.write("levels: &l [*l]\n")
    run_and_validate(socialtwin_bounded, tmp_path, scenario,
                     r"dataset\.yaml:\d+:\d+: levels\[0\]\S*: nested deeper than 64 levels")


def test_a_scenario_byte_that_is_not_utf8_is_refused_at_its_line_and_column(socialtwin_bounded,
                                                                            tmp_path):
    scenario, _ = tiny_scenario(tmp_path, b"description: Re\xebnweg\n")
    run_and_validate(socialtwin_bounded, tmp_path, scenario,
                     r"s\.yaml:3:16: expected UTF-8 text, found byte 0xEB")


def test_a_nul_byte_in_a_scenario_is_refused_at_its_line_and_column(socialtwin_bounded,
                                                                    tmp_path):
    scenario, _ = tiny_scenario(tmp_path, b"description: a\x00b\n")
    run_and_validate(socialtwin_bounded, tmp_path, scenario,
                     r"s\.yaml:3:15: expected UTF-8 text, found a NUL byte")


def test_an_escaped_nul_in_a_quoted_value_is_refused(socialtwin_bounded, tmp_path):
    scenario, _ = tiny_scenario(tmp_path, 'description: "a\\0b"\n')
    run_and_validate(socialtwin_bounded, tmp_path, scenario,
                     r"s\.yaml:3:14: description: expected UTF-8 text, found a NUL byte")


def test_a_dataset_csv_that_is_not_utf8_is_refused_at_the_byte(socialtwin_bounded, tmp_path):
    scenario, dataset = tiny_scenario(tmp_path)
    areas = dataset / "areas.csv"
    lines = areas.read_bytes().split(b"\n")
    lines[1] = lines[1] + b"\xff"
    areas.write_bytes(b"\n".join(lines))
    column = len(lines[1])
    run_and_validate(socialtwin_bounded, tmp_path, scenario,
                     rf"areas\.csv:2:{column}: expected UTF-8 text, found byte 0xFF")
