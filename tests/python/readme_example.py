"""The README's "Reading the output" example, taken from the README itself so that it cannot drift.

    python3 tests/python/readme_example.py     # from a directory holding out/baseline.h5

runs the example there and prints what each expression gives: tests/fresh-debian.sh runs it right
after quickstart.sh (only the packages quickstart.sh installs), and test_readme_example.py runs
it on the result file ctest writes.
"""

import ast
import math
import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent.parent / "README.md"
SECTION = "## Reading the output"


def reading_the_output_block(readme=README):
    """The first ```python block under the README's "Reading the output" heading."""
    text = Path(readme).read_text(encoding="utf-8")
    start = text.find("\n" + SECTION + "\n")
    if start < 0:
        raise LookupError(f"{readme}: no '{SECTION}' section")
    section = text[start + 1:]
    next_heading = re.search(r"^## ", section[len(SECTION):], flags=re.MULTILINE)
    if next_heading:
        section = section[:len(SECTION) + next_heading.start()]
    block = re.search(r"^```python\n(.*?)^```", section, flags=re.MULTILINE | re.DOTALL)
    if not block:
        raise LookupError(f"{readme}: no ```python block under '{SECTION}'")
    return block.group(1)


def run_example(source):
    """Runs the example statement by statement; returns (line, value) for every expression.

    An expression the README shows is something a reader looks at, so it must give something:
    a value with at least one element and no NaN or infinity in it.
    """
    namespace = {}
    shown = []
    for statement in ast.parse(source).body:
        code = ast.get_source_segment(source, statement)
        if isinstance(statement, ast.Expr):
            value = eval(compile(ast.Expression(statement.value), "README.md", "eval"), namespace)
            check_shown_value(code, value)
            shown.append((code, value))
        else:
            exec(compile(ast.Module([statement], []), "README.md", "exec"), namespace)
    return shown


def check_shown_value(code, value):
    values = getattr(value, "values", value)
    flat = list(getattr(values, "ravel", lambda: [values])())
    if not flat:
        raise AssertionError(f"README example `{code}` gives nothing")
    if not all(isinstance(v, (int, float)) or hasattr(v, "dtype") for v in flat):
        return
    if not all(math.isfinite(float(v)) for v in flat):
        raise AssertionError(f"README example `{code}` gives NaN or infinity: {value}")


if __name__ == "__main__":
    for line, value in run_example(reading_the_output_block()):
        print(f">>> {line}\n{value}\n")
    sys.exit(0)
