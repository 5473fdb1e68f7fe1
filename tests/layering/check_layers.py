#!/usr/bin/python3
"""The layering of docs/architecture.md, checked on every include of engine/ and models/.

Each folder is one part (one CMake target). A part may include headers of the parts listed for
it below and nothing higher; the core and the models, which do no I/O, may include no YAML,
HDF5, CLI or logging library and no file or console stream; only the MPI driver
(engine/sweep/sweep_mpi.cpp) includes <mpi.h>. An include that breaks a rule fails
this test (ctest `layering`), naming file, line, the include and the rule.

  check_layers.py [ROOT]      check the tree at ROOT (default: this repository)
  check_layers.py --self-test check that a tree with one wrong include of each kind fails
"""
import re
import sys
import tempfile
from pathlib import Path

# part -> the parts whose headers it may include (itself included). Lowest layer first.
ALLOWED = {
    "engine/core": {"engine/core"},
    "models": {"engine/core", "models"},
    "engine/formats": {"engine/core", "engine/formats"},
    "engine/output": {"engine/core", "engine/formats", "engine/output"},
    "engine/input": {"engine/core", "models", "engine/formats", "engine/output", "engine/input"},
    "engine/results": {"engine/core", "engine/formats", "engine/output", "engine/input", "engine/results"},
    "engine/run": {"engine/core", "models", "engine/formats", "engine/output", "engine/input", "engine/run"},
    "engine/sweep": {"engine/core", "models", "engine/formats", "engine/output", "engine/input",
                     "engine/run", "engine/sweep"},
    "engine/cli": {"engine/core", "models", "engine/formats", "engine/output", "engine/input",
                   "engine/results", "engine/run", "engine/sweep", "engine/cli"},
}
# Libraries and headers of the edges, which the core and the models never include.
NO_IO = re.compile(r"^(yaml-cpp/|hdf5|H5|CLI/|spdlog/|fstream$|iostream$|filesystem$|cstdio$|stdio\.h$)")
NO_IO_PARTS = {"engine/core", "models"}
# MPI is optional at build time: one file holds the MPI driver (docs/sweeps.md), and a build
# without Open MPI leaves it out.
MPI_HEADER = re.compile(r"^mpi\.h$")
MPI_FILE = "engine/sweep/sweep_mpi.cpp"
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def part_of(relpath):
    for part in sorted(ALLOWED, key=len, reverse=True):
        if relpath == part or relpath.startswith(part + "/"):
            return part
    return None


def check(root):
    problems = []
    sources = [p for d in ("engine", "models") for p in (root / d).rglob("*") if p.suffix in (".hpp", ".cpp", ".h")]
    if not sources:
        return [f"{root}: no sources under engine/ or models/"]
    for path in sorted(sources):
        rel = path.relative_to(root).as_posix()
        part = part_of(str(Path(rel).parent))
        if part is None:
            problems.append(f"{rel}: in no known part; add its folder to tests/layering/check_layers.py "
                            "and docs/architecture.md")
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            kind, header = m.groups()
            if kind == '"':
                target = part_of(str(Path(header).parent))
                if target is not None and target not in ALLOWED[part]:
                    problems.append(f"{rel}:{number}: includes {header}: {part} may not use {target} "
                                    f"(it may use {', '.join(sorted(ALLOWED[part]))})")
            elif MPI_HEADER.match(header) and rel != MPI_FILE:
                problems.append(f"{rel}:{number}: includes <{header}>: only {MPI_FILE} may "
                                "(MPI is optional at build time)")
            elif part in NO_IO_PARTS and NO_IO.match(header):
                problems.append(f"{rel}:{number}: includes <{header}>: {part} does no I/O "
                                "(no YAML, HDF5, CLI, logging or file streams)")
    return problems


def self_test():
    wrong = {
        "engine/core/a.cpp": '#include "engine/input/scenario_loader.hpp"\n',
        "engine/core/b.cpp": "#include <yaml-cpp/yaml.h>\n",
        "models/c.cpp": "#include <hdf5.h>\n",
        "models/d/e.cpp": "#include <CLI/CLI.hpp>\n",
        "engine/output/f.cpp": '#include "engine/results/compare.hpp"\n',
        "engine/nowhere/g.cpp": "\n",
        "engine/sweep/h.cpp": "#include <mpi.h>\n",
    }
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "engine/core").mkdir(parents=True)
        (root / "engine/core/ok.cpp").write_text('#include "engine/core/errors.hpp"\n#include <vector>\n')
        if check(root):
            return ["self-test: a tree with only allowed includes was reported"]
        for rel, text in wrong.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        found = check(root)
        missed = [rel for rel in wrong if not any(p.startswith(rel) for p in found)]
        return [f"self-test: {rel} ({wrong[rel].strip()}) was not reported" for rel in missed]


def main(argv):
    if argv[1:] == ["--self-test"]:
        problems = self_test()
    else:
        problems = check(Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[2])
    for p in problems:
        print(f"layering: {p}")
    print(f"layering: {'FAILED, ' + str(len(problems)) + ' problems' if problems else 'ok'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
