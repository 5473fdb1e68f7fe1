"""Files the tool must never destroy, interrupts, a full disk and a full standard output
(engine/formats/output_file.hpp, engine/cli/main.cpp). Every input a test could damage is a copy in
tmp_path."""
import os
import resource
import shutil
import signal
import subprocess
import time

import h5py
import pytest

from conftest import HERE, ROOT, default_signals

BIN = os.environ.get("SOCIALTWIN_BIN", str(ROOT / "build/release/bin/socialtwin"))
TINY = ROOT / "tests" / "data" / "tiny"  # datasets/tiny, with its rates in rates/
DATASETS = ROOT / "data" / "datasets"


def tiny_scenario(folder, name="tiny.yaml", extends=None):
    """A copy of the tiny dataset and a scenario on it, both in `folder`."""
    copy = folder / "tiny-data"
    if not copy.exists():
        shutil.copytree(TINY, copy)
    dataset = copy / "datasets" / "tiny"
    scenario = folder / name
    text = f"extends: {extends}\n" if extends else f"dataset: {dataset}\nhorizon: 2\n"
    scenario.write_text(text)
    return scenario, dataset


def snapshot(folder):
    """Every file below `folder` with its content (links as links)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            out[path] = ("link", os.readlink(path))
        elif path.is_file():
            out[path] = path.read_bytes()
        else:
            out[path] = path.stat().st_mode
    return out


@pytest.fixture(scope="session")
def results(tmp_path_factory):
    """A result of Den Haag (every PC6 of the city: compare, export and aggregate of it take a
    few seconds) and a copy to compare it with, made once."""
    folder = tmp_path_factory.mktemp("results")
    scenario = folder / "denhaag.yaml"
    scenario.write_text(f"name: denhaag\ndataset: {DATASETS / 'denhaag-2019'}\nhorizon: 30\n")
    first, second = folder / "first.h5", folder / "second.h5"
    subprocess.run([BIN, "run", scenario, "-o", first, "--quiet"], check=True,
                   capture_output=True, timeout=600)
    shutil.copyfile(first, second)
    return folder, scenario, first, second


def writers(scenario, result, other, target):
    """Every command that writes a file, writing `target`."""
    return {
        "run": ["run", scenario, "-o", target, "--quiet"],
        # Two files at once: the result and the scratch file of the replicates.
        "run with replicates": ["run", scenario, "--core", "agent", "--replicates", "2", "--set",
                                "horizon=3", "-o", target, "--quiet"],
        "synthesise": ["synthesise", scenario, "-o", target],
        "compare": ["compare", result, other, "-o", target],
        "export": ["export", result, "-o", target, "--disclosure", "cbs"],
        "aggregate": ["aggregate", result, "-o", target],
        "report": ["report", result, other, "-o", target],
    }


# ---- targets that must not be written ----------------------------------------------------------

@pytest.mark.parametrize("command", ["run", "synthesise", "compare", "export", "aggregate",
                                     "report"])
def test_every_writer_refuses_a_target_that_is_not_a_regular_file(socialtwin, tmp_path, results,
                                                                 command):
    _, _, result, other = results
    scenario, _ = tiny_scenario(tmp_path)
    fifo = tmp_path / "null"
    os.mkfifo(fifo)  # a device node would need root; a FIFO is as little a regular file
    before = snapshot(tmp_path)
    out = socialtwin(*writers(scenario, result, other, fifo)[command], check=False)
    assert out.returncode == 2, out.stderr
    assert "not a regular file" in out.stderr and str(fifo) in out.stderr
    assert snapshot(tmp_path) == before  # the FIFO is still one, and nothing else appeared


@pytest.mark.parametrize("command", ["run", "synthesise", "compare", "export", "aggregate",
                                     "report"])
def test_every_writer_refuses_a_symbolic_link_and_leaves_link_and_file_alone(
        socialtwin, tmp_path, results, command):
    _, _, result, other = results
    scenario, _ = tiny_scenario(tmp_path)
    (tmp_path / "real.h5").write_bytes(b"precious")
    (tmp_path / "link.h5").symlink_to("real.h5")
    before = snapshot(tmp_path)
    out = socialtwin(*writers(scenario, result, other, tmp_path / "link.h5")[command], check=False)
    assert out.returncode == 2, out.stderr
    assert "symbolic link" in out.stderr
    assert snapshot(tmp_path) == before


def test_run_never_replaces_its_scenario_a_parent_or_a_dataset_file(socialtwin, tmp_path):
    parent, dataset = tiny_scenario(tmp_path, "parent.yaml")
    child, _ = tiny_scenario(tmp_path, "child.yaml", extends="parent.yaml")
    (tmp_path / "sub").mkdir()
    before = snapshot(tmp_path)
    cases = {
        child: "the scenario",
        tmp_path / "sub" / ".." / "child.yaml": "the scenario",  # another spelling
        parent: "a file the scenario extends",
        dataset / "population.csv": "a file of dataset",
    }
    for target, role in cases.items():
        for command in (["run", child, "-o", target, "--quiet"], ["synthesise", child, "-o", target]):
            out = socialtwin(*command, check=False)
            assert out.returncode == 2, (command, out.stderr)
            assert role in out.stderr, (command, out.stderr)
    assert snapshot(tmp_path) == before


def test_run_never_replaces_its_start_population(socialtwin, tmp_path):
    scenario, _ = tiny_scenario(tmp_path)
    persons = tmp_path / "persons.h5"
    socialtwin("synthesise", scenario, "-o", persons)
    before = persons.read_bytes()
    out = socialtwin("run", scenario, "--core", "agent", "--start-population", persons,
                     "-o", persons, "--quiet", check=False)
    assert out.returncode == 2, out.stderr
    assert "the start population" in out.stderr
    assert persons.read_bytes() == before


def test_derived_files_never_replace_the_results_they_read_even_through_a_hard_link(
        socialtwin, tmp_path, results):
    _, _, result, other = results
    mine = tmp_path / "mine.h5"
    shutil.copyfile(result, mine)
    alias = tmp_path / "alias.h5"
    os.link(mine, alias)
    before = mine.read_bytes()
    for command in (["compare", mine, other, "-o", alias],
                    ["compare", other, mine, "-o", alias],
                    ["export", mine, "-o", alias, "--disclosure", "cbs"],
                    ["aggregate", mine, "-o", alias],
                    ["report", mine, other, "-o", alias]):
        out = socialtwin(*command, check=False)
        assert out.returncode == 2, (command, out.stderr)
        assert str(mine) in out.stderr, (command, out.stderr)
    assert mine.read_bytes() == before


def test_monitoring_never_replaces_the_observation_but_may_write_beside_it(socialtwin, tmp_path,
                                                                          results):
    _, _, result, _ = results
    observation = tmp_path / "observation"
    shutil.copytree(ROOT / "data" / "observations" / "denhaag-gemeente", observation)
    before = snapshot(observation)
    for name in ("observed.csv", "observation.yaml"):
        out = socialtwin("monitor", result, observation, "-o", observation / name, check=False)
        assert out.returncode == 2, out.stderr
        assert str(observation / name) in out.stderr and "observ" in out.stderr, out.stderr
    assert snapshot(observation) == before
    for _ in range(2):  # a monitoring file kept with the observation may be written again
        socialtwin("monitor", result, observation, "-o", observation / "monitor.h5")


def test_aggregate_without_output_still_rewrites_the_result_in_place(socialtwin, tmp_path,
                                                                    results):
    _, _, result, _ = results
    mine = tmp_path / "mine.h5"
    shutil.copyfile(result, mine)
    socialtwin("aggregate", mine, "--levels", "wijk", "--only")
    with h5py.File(mine, "r") as f:
        assert list(f["aggregates"]) == ["wijk"]
    assert [p.name for p in tmp_path.iterdir()] == ["mine.h5"]


# ---- aggregate levels ------------------------------------------------------------------------

def test_aggregating_to_some_levels_keeps_the_other_levels_in_the_file(socialtwin, tmp_path,
                                                                      results):
    _, _, result, _ = results
    mine = tmp_path / "mine.h5"
    shutil.copyfile(result, mine)
    with h5py.File(mine, "r") as f:
        had = set(f["aggregates"])
        pc4 = f["aggregates/pc4/population"][:]
    assert had == {"pc4", "wijk", "gemeente"}  # what a run of Den Haag writes
    socialtwin("aggregate", mine, "--levels", "wijk,gemeente")  # as the README shows it
    with h5py.File(mine, "r") as f:
        assert set(f["aggregates"]) == had
        assert (f["aggregates/pc4/population"][:] == pc4).all()
        levels = f["aggregates"].attrs["levels"]
        levels = levels.decode() if isinstance(levels, bytes) else levels
        assert set(levels.split(",")) == had
    socialtwin("aggregate", mine, "--levels", "wijk,gemeente", "--only")
    with h5py.File(mine, "r") as f:
        assert set(f["aggregates"]) == {"wijk", "gemeente"}


# ---- temporary files -------------------------------------------------------------------------

def dead_pid():
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_a_writer_removes_stale_temporaries_of_dead_processes_only(socialtwin, tmp_path):
    scenario, _ = tiny_scenario(tmp_path)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    stale = out_dir / f".socialtwin-{dead_pid()}-0123abcd.tmp"
    live = out_dir / f".socialtwin-{os.getpid()}-0123abcd.tmp"  # this test is running
    foreign = out_dir / ".notes.tmp"
    for path in (stale, live, foreign):
        path.write_bytes(b"x" * 1000)
    socialtwin("run", scenario, "-o", out_dir / "r.h5", "--quiet")
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(["r.h5", live.name, foreign.name])


def test_a_target_name_of_250_characters_is_written(socialtwin, tmp_path):
    scenario, _ = tiny_scenario(tmp_path)
    for command, name in (("run", "r"), ("synthesise", "s")):
        target = tmp_path / "out" / (name * 247 + ".h5")
        args = [command, scenario, "-o", target] + (["--quiet"] if command == "run" else [])
        out = socialtwin(*args, check=False)
        assert out.returncode == 0, out.stderr
        assert target.exists()
    assert len(list((tmp_path / "out").iterdir())) == 2


# ---- signals ---------------------------------------------------------------------------------

def blocked_signals(pid):
    """The signals process `pid`'s main thread blocks (SigBlk of /proc/PID/status), as a bit mask
    (bit n - 1 for signal n); 0 once it has ended."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1], 16) for line in status if line.startswith("SigBlk:"))
    except (OSError, StopIteration):
        return 0


def takes_in(pid, *signal_numbers):
    """Whether process `pid` has set itself up to take in all of `signal_numbers`: it blocks them
    and a thread of its own waits for them (sigwait), so its main thread's SigBlk mask of
    /proc/PID/status holds them."""
    mask = blocked_signals(pid)
    return all(mask & (1 << (number - 1)) for number in signal_numbers)


def interrupt(command, out_dir, signal_number):
    """Starts `command`, sends `signal_number` once it is at work (its temporary file exists, or,
    for a command that writes none, once it takes signals in: loading the country
    takes it a fraction of a second, too little to wait for) and returns (exit code, stderr,
    seconds from the signal to the exit)."""
    process = subprocess.Popen([BIN, *map(str, command)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, preexec_fn=default_signals)
    writes = command[0] != "validate"
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline and process.poll() is None:
        if writes and any(out_dir.glob(".socialtwin-*.tmp")):
            break
        if not writes and takes_in(process.pid, signal.SIGINT, signal.SIGTERM):
            break
        time.sleep(0.002)
    assert process.poll() is None, "the command finished before it could be interrupted"
    process.send_signal(signal_number)
    sent = time.monotonic()
    _, stderr = process.communicate(timeout=60)
    return process.returncode, stderr, time.monotonic() - sent


@pytest.mark.parametrize("signal_number,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
@pytest.mark.parametrize("command", ["run", "synthesise", "compare", "export", "aggregate",
                                     "validate"])
def test_every_command_stops_promptly_on_a_signal_and_leaves_no_file(tmp_path, results, command,
                                                                      signal_number, code):
    _, denhaag, result, other = results
    nl = tmp_path / "nl.yaml"  # the whole country: seconds of work before any file is written
    nl.write_text(f"name: nl\ndataset: {DATASETS / 'nl-pc4-2021'}\n")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "out.h5"
    commands = writers(denhaag, result, other, target)
    commands["synthesise"] = ["synthesise", nl, "-o", target]
    commands["validate"] = ["validate", nl]
    returncode, stderr, seconds = interrupt(commands[command], out_dir, signal_number)
    assert returncode == code, stderr
    assert "interrupted" in stderr
    assert seconds < 2.0
    assert list(out_dir.iterdir()) == []


def test_a_run_with_replicates_interrupted_leaves_neither_its_result_nor_its_scratch_file(
        tmp_path, results):
    # With several replicates (and output.replicates_per_area at its default) the replicates
    # wait in a second temporary file beside the result until the run ends: an interrupt
    # removes both.
    _, denhaag, _, _ = results
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    process = subprocess.Popen([BIN, "run", denhaag, "--core", "agent", "--replicates", "3", "-o",
                                out_dir / "out.h5", "--quiet"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, preexec_fn=default_signals)
    deadline = time.monotonic() + 60.0
    while (time.monotonic() < deadline and process.poll() is None
           and len(list(out_dir.glob(".socialtwin-*.tmp"))) < 2):
        time.sleep(0.005)
    assert process.poll() is None, "the run finished before it could be interrupted"
    assert len(list(out_dir.glob(".socialtwin-*.tmp"))) == 2
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert list(out_dir.iterdir()) == []


def test_a_signal_ignored_when_the_command_started_stays_ignored(tmp_path):
    # As nohup and a script's background job start it: SIGINT ignored from the start is left
    # ignored, as Unix programs do, and the command finishes its work.
    nl = tmp_path / "nl.yaml"
    nl.write_text(f"name: nl\ndataset: {DATASETS / 'nl-pc4-2021'}\n")

    def ignore_sigint():
        default_signals()  # nothing blocked, whatever the suite's runner blocks
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    process = subprocess.Popen([BIN, "validate", nl], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, preexec_fn=ignore_sigint)
    # Sent once the command has set up its signals: it takes SIGTERM in and leaves SIGINT alone.
    # A thread being started blocks every signal for a moment (glibc's pthread_create), so one
    # look at the mask can see SIGINT blocked too; the command that took SIGINT in would never
    # show SIGTERM blocked without it.
    deadline = time.monotonic() + 5.0
    set_up = False
    while time.monotonic() < deadline and process.poll() is None and not set_up:
        mask = blocked_signals(process.pid)  # one look for both
        set_up = bool(mask & (1 << (signal.SIGTERM - 1))) and not mask & (1 << (signal.SIGINT - 1))
        time.sleep(0.002)
    assert process.poll() is None, "validate finished before the signal was sent"
    assert set_up, "the command took SIGINT in (or never took SIGTERM in)"
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    assert "interrupted" not in stderr


# ---- a full disk -----------------------------------------------------------------------------

def with_file_size_limit(limit):
    def limit_file_size():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past it fail with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return limit_file_size


@pytest.mark.parametrize("command", ["run", "run with replicates", "compare", "synthesise"])
def test_a_failed_write_exits_1_with_a_message_and_leaves_no_file(tmp_path, results, command):
    _, denhaag, result, other = results
    out_dir = tmp_path / "out"
    target = out_dir / "out.h5"
    args = writers(denhaag, result, other, target)[command]
    out = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, timeout=600,
                         preexec_fn=with_file_size_limit(1 << 18))
    assert out.returncode == 1, out.stderr  # not 139: no crash in HDF5's exit handlers
    assert "File too large" in out.stderr
    assert list(out_dir.iterdir()) == []


# ---- standard output ---------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["schema", "info", "compare"])
def test_output_to_a_full_standard_output_is_an_error(tmp_path, results, command):
    _, _, result, other = results
    args = {"schema": ["schema"], "info": ["info", result], "compare": ["compare", result, other]}
    with open("/dev/full", "w") as full:
        out = subprocess.run([BIN, *map(str, args[command])], stdout=full, stderr=subprocess.PIPE,
                             text=True, timeout=600)
    assert out.returncode == 1, out.stderr
    assert "standard output" in out.stderr and "No space left on device" in out.stderr


def test_a_closed_pipe_ends_the_command_quietly(tmp_path):
    for ignore_sigpipe in (False, True):
        read_end, write_end = os.pipe()
        os.close(read_end)  # the reader has gone, as `head -1` goes after one line

        def setup():
            if ignore_sigpipe:
                signal.signal(signal.SIGPIPE, signal.SIG_IGN)
        out = subprocess.run([BIN, "schema"], stdout=write_end, stderr=subprocess.PIPE,
                             text=True, timeout=60, preexec_fn=setup)
        os.close(write_end)
        # Killed by SIGPIPE as other Unix tools are (the shell shows 141), or, where SIGPIPE is
        # ignored, exit 1: never success, and never a scary message.
        assert out.returncode == (1 if ignore_sigpipe else -signal.SIGPIPE), out.stderr
        assert out.stderr == ""
