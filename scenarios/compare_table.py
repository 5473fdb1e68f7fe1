#!/usr/bin/env python3
"""Prints the README's scenario table: headline totals of Den Haag Zuid-West in the base year
and the final year for each shipped scenario, from their result files.

    for s in baseline vergrijzing alleenstaanden verdichting; do
        build/release/bin/socialtwin run scenarios/$s.yaml -o out/$s.h5 --quiet; done
    /usr/bin/python3 scenarios/compare_table.py out
"""
import sys
from pathlib import Path

import h5py

SCENARIOS = ["baseline", "vergrijzing", "alleenstaanden", "verdichting"]
ROWS = [  # (indicator, label, divisor, format)
    ("population", "inhabitants", 1, "{:,.0f}"),
    ("share65", "share 65+ (%)", 1, "{:.1f}"),
    ("share80", "share 80+ (%)", 1, "{:.1f}"),
    ("households", "private households", 1, "{:,.0f}"),
    ("households_single", "one-person households", 1, "{:,.0f}"),
    ("dwellings_stock", "dwelling stock", 1, "{:,.0f}"),
    ("dwelling_shortage", "dwelling shortage", 1, "{:,.0f}"),
    ("migration_in_unmet", "would-be in-migrants turned away (per year)", 1, "{:,.0f}"),
    ("gp_contacts", "GP contacts (per year)", 1, "{:,.0f}"),
    ("gp_fte_needed", "GP FTE needed", 1, "{:.1f}"),
    ("wmo_clients", "Wmo clients", 1, "{:,.0f}"),
    ("care_cost", "care spending Zvw+Wlz+Wmo+Jeugd (million EUR/yr, 2022 prices)", 1e6, "{:,.1f}"),
]


def totals(path: Path) -> dict:
    with h5py.File(path, "r") as f:
        years = list(f["year"][:])
        out = {"years": years}
        for name in ("population", "households", "households_single", "dwellings_stock",
                     "dwelling_shortage", "migration_in_unmet", "gp_contacts", "gp_fte_needed",
                     "wmo_clients"):
            out[name] = f[name][:].sum(axis=1)
        out["care_cost"] = sum(f[c][:].sum(axis=1) for c in
                               ("cost_zvw_eur", "cost_wlz_eur", "cost_wmo_eur", "cost_jeugd_eur"))
        by_age = f["population_by_age_sex"][:].sum(axis=(1, 2))  # year x age band
        out["share65"] = 100 * by_age[:, 13:].sum(axis=1) / out["population"]
        out["share80"] = 100 * by_age[:, 16:].sum(axis=1) / out["population"]
        return out


def main(folder: str) -> None:
    results = {s: totals(Path(folder) / f"{s}.h5") for s in SCENARIOS}
    first, last = results["baseline"]["years"][0], results["baseline"]["years"][-1]
    print(f"| Den Haag Zuid-West | {first} | " + " | ".join(f"{s} {last}" for s in SCENARIOS) + " |")
    print("|---|" + "---:|" * (len(SCENARIOS) + 1))
    for key, label, div, fmt in ROWS:
        cells = [fmt.format(results["baseline"][key][0] / div)]
        cells += [fmt.format(results[s][key][-1] / div) for s in SCENARIOS]
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out")
