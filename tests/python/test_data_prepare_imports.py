"""The modules of data/prepare import one another one way only (docs/data-preparation.md).

prepare_data.py is the entry point and nothing else: it runs denhaag, national, geography,
observations and stock in order; common.py holds what they share and imports none of them. A loop (a module
importing the entry point, or two steps importing each other) works only as long as the partly
initialised modules happen to define the names in time, so it is checked here: each module is
imported on its own in a fresh interpreter, and the imports between the files, read with ast, must
form no cycle. Reading the source needs none of ../shared.
"""
import ast
import os
import subprocess
import sys

import pytest

PREPARE = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "prepare"))
ENTRY_POINT = "prepare_data"


def modules_in(folder):
    return sorted(f[:-3] for f in os.listdir(folder) if f.endswith(".py"))


def sibling_imports(path, siblings):
    """The modules of `siblings` that the file at `path` imports, at its top or inside a function."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), filename=path)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            # `from . import x` names the modules themselves; `from x import y` names x
            names = [a.name for a in node.names] if node.module is None else [node.module]
        else:
            continue
        found.update(n.split(".")[0] for n in names if n.split(".")[0] in siblings)
    return found


def import_graph(folder):
    """{module: sorted sibling modules it imports} for every .py file of `folder`."""
    mods = set(modules_in(folder))
    return {m: sorted(sibling_imports(os.path.join(folder, m + ".py"), mods)) for m in sorted(mods)}


def find_cycle(graph):
    """A list [a, b, ..., a] of modules that import one another in a loop, or None."""
    state = {}                                   # absent: not visited; 1: on the current path; 2: done
    path = []

    def visit(m):
        state[m] = 1
        path.append(m)
        for n in graph.get(m, []):
            if state.get(n) == 1:
                return path[path.index(n):] + [n]
            if n not in state:
                loop = visit(n)
                if loop:
                    return loop
        path.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state:
            loop = visit(m)
            if loop:
                return loop
    return None


@pytest.mark.parametrize("module", modules_in(PREPARE))
def test_every_prepare_module_imports_on_its_own_in_a_fresh_interpreter(module):
    # Imported first and alone, a module of a loop meets its partner half-initialised; importing must
    # also run nothing (no output: the preparation itself runs only from prepare_data.py's main).
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=PREPARE, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"import {module} failed:\n{done.stderr}"
    assert done.stdout == "", f"import {module} printed output, so it ran something:\n{done.stdout}"


def test_the_modules_of_data_prepare_import_one_another_without_a_cycle():
    graph = import_graph(PREPARE)
    loop = find_cycle(graph)
    assert loop is None, "import cycle in data/prepare: " + " -> ".join(f"{m}.py" for m in loop)


def test_no_module_imports_the_entry_point():
    importers = [m for m, deps in import_graph(PREPARE).items() if ENTRY_POINT in deps]
    assert importers == [], f"{', '.join(importers)} import(s) {ENTRY_POINT}.py, which is only the entry point"


def test_the_shared_vocabulary_module_imports_no_other_prepare_module():
    assert import_graph(PREPARE)["common"] == [], "common.py must import none of the other modules"


def test_the_entry_point_runs_every_step():
    # check_demography: the last step checks that the rate sets reproduce the recorded deaths and births.
    assert import_graph(PREPARE)[ENTRY_POINT] == ["check_demography", "denhaag", "geography", "national",
                                                  "nursing_homes", "observations", "stock"]


def test_a_loop_through_a_function_level_import_is_found_and_named(tmp_path):
    # The check itself can fail: a -> b -> c -> a, c's import hidden inside a function as today's
    # lazily imported steps were, and the names of modules outside the folder ignored.
    (tmp_path / "a.py").write_text("import os\nimport b\n")
    (tmp_path / "b.py").write_text("from c import x\n")
    (tmp_path / "c.py").write_text("x = 1\n\ndef late():\n    import a\n    return a\n")
    (tmp_path / "d.py").write_text("from . import c\n")
    graph = import_graph(str(tmp_path))
    assert graph == {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["c"]}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    (tmp_path / "c.py").write_text("x = 1\n")
    assert find_cycle(import_graph(str(tmp_path))) is None
