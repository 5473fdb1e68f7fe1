"""Set-up promises: what a new user does from the README works as written.

- The main job builds without the test packages: configuring with GoogleTest and Google
  Benchmark unfindable succeeds, says what was skipped and how to get it, and still has the
  socialtwin target (issue 8, section 1; tests/fresh-debian.sh checks the real thing).
- Every README example that writes a file writes its own: no example silently replaces a file
  another example wrote with something else (the agent-core example once overwrote the cohort
  out/baseline.h5 that `compare` then read as the baseline).
- bench/national_run.sh needs nothing a fresh Debian lacks and always says why it failed.
"""

import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
WRITING_COMMANDS = {"run", "synthesise", "compare", "monitor", "export"}


def test_configure_without_test_packages_skips_tests_and_benchmarks_and_keeps_the_command(tmp_path):
    if not shutil.which("cmake") or not shutil.which("ninja"):
        pytest.skip("needs cmake and ninja")
    result = subprocess.run(
        ["cmake", "-S", str(ROOT), "-B", str(tmp_path / "build"), "-G", "Ninja",
         "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON",
         "-DCMAKE_DISABLE_FIND_PACKAGE_benchmark=ON"],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    skipped = [line for line in result.stdout.splitlines() if "skipped" in line]
    assert any("GoogleTest" in line and "./install-deps.sh --test" in line for line in skipped), \
        result.stdout
    assert any("Google Benchmark" in line and "./install-deps.sh --test" in line
               for line in skipped), result.stdout
    targets = subprocess.run(["ninja", "-C", str(tmp_path / "build"), "-t", "targets", "all"],
                             capture_output=True, text=True, check=True).stdout
    assert re.search(r"^bin/socialtwin:", targets, flags=re.MULTILINE), targets
    assert "socialtwin_unit_tests" not in targets
    assert "socialtwin_bench" not in targets


def shell_commands(text):
    """The commands of the ```sh blocks in text, continuation lines joined and for-loops
    expanded (`for s in a b; do cmd $s; done` gives cmd a and cmd b)."""
    commands = []
    for block in re.findall(r"^```sh\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL):
        joined = re.sub(r"\\\n\s*", " ", block)
        for loop in re.finditer(r"for (\w+) in ([^;]*); do\s*(.*?);?\s*done", joined, re.DOTALL):
            variable, values, body = loop.groups()
            for value in values.split():
                commands.append(body.replace("$" + variable, value))
        joined = re.sub(r"for (\w+) in ([^;]*); do\s*(.*?);?\s*done", "", joined, flags=re.DOTALL)
        commands.extend(line for line in joined.splitlines() if line.strip())
    return commands


def written_file(command):
    """(file, what is computed) for a socialtwin command that writes a file, else None."""
    words = shlex.split(command, comments=True)
    for i, word in enumerate(words):
        if word in ("$B", "./build/release/bin/socialtwin") or word.endswith("bin/socialtwin"):
            words = words[i + 1:]
            break
    else:
        return None
    if not words or words[0] not in WRITING_COMMANDS:
        return None
    if "-o" in words:
        at = words.index("-o")
        output = words[at + 1]
        computation = tuple(words[:at] + words[at + 2:])
    elif words[0] == "run":
        # The CLI's default: out/<scenario file name without .yaml>.h5 (engine/cli/main.cpp).
        output = f"out/{Path(words[1]).stem}.h5"
        computation = tuple(words)
    else:
        return None
    computation = tuple(w for w in computation if w not in ("--quiet",))
    return output, computation


def test_readme_parsing_sees_loops_continuations_and_default_outputs():
    text = ("```sh\nB=x\n$B run s/a.yaml --core agent\nfor s in a b; do\n"
            "  $B run s/$s.yaml -o out/$s.h5 --quiet; done\n$B compare out/a.h5 \\\n"
            "    out/b.h5 -o out/d.h5  # diff\n```\n")
    found = [written_file(c) for c in shell_commands(text)]
    assert [f for f in found if f] == [
        ("out/a.h5", ("run", "s/a.yaml")),
        ("out/b.h5", ("run", "s/b.yaml")),
        ("out/a.h5", ("run", "s/a.yaml", "--core", "agent")),
        ("out/d.h5", ("compare", "out/a.h5", "out/b.h5")),
    ]


def test_every_readme_example_that_writes_a_file_writes_its_own():
    commands = shell_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    commands += [line for line in (ROOT / "quickstart.sh").read_text().splitlines()
                 if "bin/socialtwin run" in line]
    writers = {}
    for command in commands:
        found = written_file(command)
        if not found:
            continue
        output, computation = found
        writers.setdefault(output, set()).add(computation)
    assert "out/baseline.h5" in writers, "quickstart.sh's result is missing from the examples"
    clashes = {output: sorted(c) for output, c in writers.items() if len(c) > 1}
    assert not clashes, f"README examples write different results to the same file: {clashes}"


def fake_socialtwin(tmp_path, body):
    binary = tmp_path / "socialtwin"
    binary.write_text("#!/bin/sh\n" + body)
    binary.chmod(0o755)
    return binary


def national_run(binary):
    return subprocess.run([str(ROOT / "bench/national_run.sh"), str(binary)], capture_output=True,
                          text=True, timeout=60)


def test_national_benchmark_reports_wall_time_and_peak_memory_of_a_run(tmp_path):
    # A stand-in for the 17.5-million-person run: writes its -o file and logs a phase line.
    binary = fake_socialtwin(tmp_path, 'while [ "$1" != -o ]; do shift; done\n'
                             'head -c 1000 /dev/zero > "$2"\necho "phase ageing 1.0 s"\n')
    result = national_run(binary)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "phase ageing" in result.stdout
    assert re.search(r"^cpu \d+\.\d+ s \(user [\d.]+, system [\d.]+\), wall \d+\.\d+ s$",
                     result.stdout, re.MULTILINE), result.stdout
    assert re.search(r"^peak memory \d+ MB, \d+ bytes per person", result.stdout, re.MULTILINE), \
        result.stdout
    assert "result file 1000 bytes" in result.stdout


def test_national_benchmark_failure_says_why(tmp_path):
    binary = fake_socialtwin(tmp_path, 'echo "dataset nl-pc4-2021: no such area table" >&2\n'
                             "exit 3\n")
    result = national_run(binary)
    assert result.returncode != 0
    assert "exited 3" in result.stderr, result.stderr
    assert "no such area table" in result.stderr, result.stderr


def test_national_benchmark_without_a_binary_says_how_to_build_it(tmp_path):
    result = national_run(tmp_path / "missing")
    assert result.returncode != 0
    assert "cmake --build --preset release" in result.stderr, result.stderr


def test_national_benchmark_does_not_need_usr_bin_time():
    # A fresh Debian 12 has no /usr/bin/time (package `time`); bash and /proc must do.
    for name in ("bench/national_run.sh", "bench/whole_run.sh"):
        script = (ROOT / name).read_text()
        code = [line for line in script.splitlines() if not line.lstrip().startswith("#")]
        assert not any(re.search(r"(^|[\s;|&(])(/usr/bin/time|command time|env time)\b", line)
                       for line in code), f"{name} calls /usr/bin/time"


def test_every_file_the_setup_documents_and_scripts_name_exists():
    # CMakeLists.txt once sent readers to a `.ci/install-deps` that never existed.
    named = re.compile(r"(?<![\w/.$])((?:\./)?(?:\.ci|tests|bench|scenarios|docs)/[\w./-]*\w"
                       r"|\./[\w-]+\.sh)")
    missing = []
    for source in ["CMakeLists.txt", "README.md", "quickstart.sh", "test.sh", "install-deps.sh",
                   ".ci/run", "CMakePresets.json"]:
        text = (ROOT / source).read_text(encoding="utf-8")
        # A commented-out CI step is a placeholder for work that lands later, not a promise.
        text = re.sub(r"^\s*#\s*step .*$", "", text, flags=re.MULTILINE)
        for path in named.findall(text):
            if "*" in path or "<" in path:
                continue
            if not (ROOT / path).exists():
                missing.append(f"{source}: {path}")
    assert not missing, missing


def binary_dirs_of_presets():
    presets = {p["name"]: p for p in json.loads((ROOT / "CMakePresets.json").read_text())
               ["configurePresets"]}

    def resolved(name, key):
        preset = presets[name]
        if key in preset:
            return preset[key]
        parents = preset.get("inherits", [])
        for parent in [parents] if isinstance(parents, str) else parents:
            value = resolved(parent, key)
            if value is not None:
                return value
        return None

    return {name: resolved(name, "binaryDir").replace("${presetName}", name)
            for name, preset in presets.items() if not preset.get("hidden")}


def test_no_two_presets_share_a_build_directory():
    # Sharing one (ci once built in build/release with -Werror added) makes switching between
    # `CI=true ./test.sh` and `./test.sh` recompile everything, both ways.
    dirs = binary_dirs_of_presets()
    assert len(set(dirs.values())) == len(dirs), dirs
    assert "presetName" not in "".join(dirs.values())


def test_test_sh_builds_ci_with_the_ci_preset():
    script = (ROOT / "test.sh").read_text()
    assert re.search(r'if \[\[ -n "\$\{CI:-\}" \]\]; then preset=ci; fi', script), script
    assert 'cmake --build --preset "$preset"' in script


def test_the_readme_layout_table_matches_the_tree():
    """Every folder the README's Layout table names exists, and every top-level folder and every
    part of engine/ (each a CMake target, docs/architecture.md) has its row: the table is the map
    a newcomer reads, so a folder added or removed without it fails here."""
    readme = (ROOT / "README.md").read_text()
    layout = readme[readme.index("## Layout"):]
    layout = layout[:layout.index("\n## ", 1)] if "\n## " in layout[1:] else layout
    named = {m.rstrip("/") for m in re.findall(r"^\| `([^`]+)` \|", layout, flags=re.M)}
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    folders = {p.split("/")[0] for p in tracked if "/" in p and not p.startswith(".")}
    parts = {"/".join(p.split("/")[:2]) for p in tracked if p.startswith("engine/") and p.count("/") >= 2}
    expected = (folders - {"engine"}) | parts
    assert not expected - named, f"folders missing from the README's Layout table: {sorted(expected - named)}"
    assert not named - expected, f"the README's Layout table names folders that do not exist: {sorted(named - expected)}"
