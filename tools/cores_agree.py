#!/usr/bin/python3
"""Do the agent and cohort cores agree? Runs one scenario with both cores and prints, per
indicator (summed over areas, and over sex and age where it has them), the agent core's mean over
replicates, the cohort value, their relative difference and z = difference / standard error of
the mean (the replicates' standard deviation / sqrt(n)). |z| well beyond 3-4 is a defect in one of
the cores, not chance (docs/model.md, "The agent core": they share rates and model code).

    /usr/bin/python3 tools/cores_agree.py [--bin build/release/bin/socialtwin]
        [--scenario scenarios/baseline.yaml] [--replicates 8] [--years 2029 2049]

The scenario's own horizon is used; the years shown default to its 10th and last.
"""
import argparse
import math
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# Stocks on 1 January and flows during the year, in the order printed.
INDICATORS = [
    "population", "births", "deaths", "migration_in", "migration_out", "immigration", "emigration",
    "moves_from_other_gemeenten", "moves_to_other_gemeenten", "moves_in", "moves_out",
    "migration_in_unmet", "households", "households_single", "households_couple_no_children",
    "households_couple_with_children", "households_single_parent", "households_other",
    "persons_institution", "dwellings_stock",
]


def run(binary, scenario, core, replicates, out, threads):
    command = [binary, "run", scenario, "--core", core, "-o", out, "--quiet", "--no-aggregates",
               "--threads", str(threads)]
    if core == "agent":
        # Each replicate of every area: the totals' spread is taken over them below.
        command += ["--replicates", str(replicates), "--set", "output.replicates_per_area=all"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr}")


def totals(dataset, replicates):
    """Per year (and replicate): the indicator summed over every other dimension."""
    values = dataset[()]
    keep = 2 if replicates else 1
    return values.reshape(values.shape[:keep] + (-1,)).sum(axis=-1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default=os.path.join(ROOT, "build/release/bin/socialtwin"))
    parser.add_argument("--scenario", default=os.path.join(ROOT, "scenarios/baseline.yaml"))
    parser.add_argument("--replicates", type=int, default=8)
    parser.add_argument("--years", type=int, nargs="*")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        cohort_file, agent_file = os.path.join(tmp, "cohort.h5"), os.path.join(tmp, "agent.h5")
        run(args.bin, args.scenario, "cohort", 1, cohort_file, args.threads)
        run(args.bin, args.scenario, "agent", args.replicates, agent_file, args.threads)
        with h5py.File(cohort_file, "r") as cohort, h5py.File(agent_file, "r") as agent:
            years = list(cohort["year"][()])
            shown = args.years or [years[min(10, len(years) - 1)], years[-1]]
            rows = []
            for name in INDICATORS:
                if name not in cohort or name + "_replicates" not in agent:
                    continue
                c = totals(cohort[name], False)
                draws = totals(agent[name + "_replicates"], True)  # replicate x year
                for year in shown:
                    y = years.index(year)
                    x = draws[:, y]
                    mean = float(x.mean())
                    se = float(x.std(ddof=1)) / math.sqrt(len(x))
                    diff = mean - float(c[y])
                    rows.append((name, year, float(c[y]), mean, 100 * diff / c[y] if c[y] else
                                 float("nan"), diff / se if se > 0 else float("nan")))
    if args.markdown:
        print("| indicator | year | cohort | agent mean | difference | z |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, year, c, m, rel, z in rows:
            print(f"| {name} | {year} | {c:,.0f} | {m:,.0f} | {rel:+.2f}% | {z:+.1f} |")
    else:
        print(f"{'indicator':34} {'year':>5} {'cohort':>11} {'agent mean':>11} {'diff':>8} {'z':>6}")
        for name, year, c, m, rel, z in rows:
            print(f"{name:34} {year:5d} {c:11.1f} {m:11.1f} {rel:+7.2f}% {z:+6.1f}")
    print(f"({args.replicates} agent replicates; z = (agent mean - cohort) / (sd / sqrt(n)))")


if __name__ == "__main__":
    main()
