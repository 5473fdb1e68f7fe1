#!/usr/bin/python3
"""Golden-output regression test: every shipped scenario, on the cohort core and as one agent
replicate, against fingerprints of results stored in tests/golden/expected.json.

A restructuring must change no result. This test holds that: it runs each scenario in
scenarios/*.yaml twice (cohort core; agent core, one replicate, the scenario's seed) and
compares every result dataset outside /meta -- the values of every indicator and coordinate at
every level (areas and /aggregates) -- with what was stored when the results were last
refreshed on purpose (tests/golden/refresh.sh).

Per dataset the fingerprint is its shape, dtype, units, sum, a weighted sum (weights that
differ per element, so a permutation or an offset between two elements shows), minimum,
maximum, and a SHA-256 of its bytes.

  check           fails when any number differs by more than the tolerance: relative 1e-9 of
                  the larger magnitude (absolute 1e-9 near zero) -- room for a different libm,
                  none for a changed model. A dataset added or removed also fails.
  check --exact   also requires every dataset to be bit-identical (the hashes equal): what every
                  commit of a restructuring keeps.
  same            runs the default scenario (scenarios/baseline.yaml: cohort core, and one agent
                  replicate) with --bin and with --other and requires bit-identical results: two
                  builds of one commit, e.g. with and without AVX2 (SOCIALTWIN_SIMD; .ci/run).
  refresh         re-runs and rewrites expected.json (only on purpose: a model change whose new
                  results were checked against observed data; say so in the commit).
"""
import argparse
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import h5py
import numpy as np

TOLERANCE = 1e-9
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
EXPECTED = HERE / "expected.json"
CORES = ("cohort", "agent")


def scenarios():
    return sorted((ROOT / "scenarios").glob("*.yaml"))


def run(binary, scenario, core, out, threads):
    cmd = [binary, "run", str(scenario), "-o", str(out), "--quiet", "--threads", str(threads)]
    if core == "agent":
        # Every digit as computed: the model's numbers are held here, not the agent core's
        # default float32 storage (tests/integration/test_float32.py holds that float32 is these
        # values rounded once).
        cmd += ["--core", "agent", "--replicates", "1", "--set", "output.precision=float64"]
    else:
        cmd += ["--core", "cohort"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"golden: {' '.join(cmd)} failed with exit {done.returncode}:\n{done.stderr}")


def weights(n):
    # A fixed, element-specific weight in [0.5, 1.5): Knuth's multiplicative hash of the index.
    i = np.arange(n, dtype=np.uint64)
    return 0.5 + ((i * np.uint64(2654435761)) % np.uint64(1 << 32)).astype(np.float64) / 2.0**32


def fingerprint(path):
    prints = {}

    def visit(name, obj):
        if not isinstance(obj, h5py.Dataset) or name.startswith("meta"):
            return
        data = obj[()]
        entry = {"shape": list(np.shape(data)), "dtype": str(obj.dtype)}
        units = obj.attrs.get("units")
        if units is not None:
            entry["units"] = units.decode() if isinstance(units, bytes) else str(units)
        if obj.dtype.kind in "fiu":
            flat = np.asarray(data, dtype=np.float64).ravel()
            entry["sum"] = float(flat.sum())
            entry["weighted_sum"] = float((flat * weights(flat.size)).sum()) if flat.size else 0.0
            entry["min"] = float(flat.min()) if flat.size else 0.0
            entry["max"] = float(flat.max()) if flat.size else 0.0
            raw = np.ascontiguousarray(data).tobytes()
        else:
            values = [v.decode() if isinstance(v, bytes) else str(v) for v in np.ravel(data)]
            raw = "\x1f".join(values).encode()
        entry["sha256"] = hashlib.sha256(raw).hexdigest()[:32]
        prints[name] = entry

    with h5py.File(path, "r") as f:
        f.visititems(visit)
    return prints


def compute(binary, threads, chosen=None):
    results = {}
    with tempfile.TemporaryDirectory(prefix="socialtwin-golden-") as tmp:
        for scenario in chosen or scenarios():
            for core in CORES:
                key = f"{scenario.stem}/{core}"
                out = Path(tmp) / f"{scenario.stem}-{core}.h5"
                run(binary, scenario, core, out, threads)
                results[key] = fingerprint(out)
                out.unlink()
    return results


def close(a, b):
    if a == b:
        return True
    if not (math.isfinite(a) and math.isfinite(b)):
        return False
    return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))


def compare(expected, actual, exact):
    problems, inexact = [], 0
    for run_key in sorted(set(expected) | set(actual)):
        if run_key not in actual:
            problems.append(f"{run_key}: scenario run missing (expected one)")
            continue
        if run_key not in expected:
            problems.append(f"{run_key}: new scenario run with no stored result (refresh on purpose)")
            continue
        exp, act = expected[run_key], actual[run_key]
        for name in sorted(set(exp) | set(act)):
            if name not in act:
                problems.append(f"{run_key}: {name}: dataset missing")
                continue
            if name not in exp:
                problems.append(f"{run_key}: {name}: new dataset with no stored result")
                continue
            e, a = exp[name], act[name]
            for field in ("shape", "dtype", "units"):
                if e.get(field) != a.get(field):
                    problems.append(f"{run_key}: {name}: {field} {a.get(field)!r}, expected {e.get(field)!r}")
            for field in ("sum", "weighted_sum", "min", "max"):
                if field in e and not close(e[field], a.get(field, float("nan"))):
                    problems.append(f"{run_key}: {name}: {field} {a.get(field)!r}, expected {e[field]!r} "
                                    f"(tolerance relative {TOLERANCE:g})")
            if e["sha256"] != a["sha256"]:
                inexact += 1
                if exact or "sum" not in e:
                    problems.append(f"{run_key}: {name}: not bit-identical to the stored result")
    return problems, inexact


def print_problems(problems, shown=60):
    for p in problems[:shown]:
        print(f"golden: {p}")
    if len(problems) > shown:
        print(f"golden: ... and {len(problems) - shown} more")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("check", "refresh", "same"))
    parser.add_argument("--bin", default=os.environ.get("SOCIALTWIN_BIN", str(ROOT / "build/release/bin/socialtwin")))
    parser.add_argument("--exact", action="store_true", help="also require bit-identical results")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--other", help="same: the second build's socialtwin")
    args = parser.parse_args()

    if args.command == "same":
        if not args.other:
            parser.error("same needs --other")
        default = [ROOT / "scenarios" / "baseline.yaml"]
        first, second = compute(args.bin, args.threads, default), compute(args.other, args.threads, default)
        problems, _ = compare(first, second, exact=True)
        print_problems(problems)
        if problems:
            print(f"golden: FAILED: {args.other} differs from {args.bin} in {len(problems)} places")
            return 1
        n = sum(len(v) for v in first.values())
        print(f"golden: {args.bin} and {args.other}: {len(first)} runs, {n} datasets, bit-identical")
        return 0

    actual = compute(args.bin, args.threads)
    n = sum(len(v) for v in actual.values())
    if args.command == "refresh":
        text = json.dumps({"tolerance_relative": TOLERANCE, "runs": actual}, indent=0, sort_keys=True)
        tmp = EXPECTED.with_suffix(".json.tmp")
        tmp.write_text(text + "\n")
        tmp.replace(EXPECTED)
        print(f"golden: stored {len(actual)} runs, {n} datasets in {EXPECTED.relative_to(ROOT)}")
        return 0
    expected = json.loads(EXPECTED.read_text())["runs"]
    problems, inexact = compare(expected, actual, args.exact)
    print_problems(problems)
    if problems:
        print(f"golden: FAILED: {len(problems)} differences in {len(actual)} runs")
        return 1
    same = "bit-identical" if inexact == 0 else f"within tolerance ({inexact} datasets not bit-identical)"
    print(f"golden: {len(actual)} runs, {n} datasets: {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
