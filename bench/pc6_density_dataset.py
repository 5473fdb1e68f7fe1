#!/usr/bin/python3
"""SYNTHETIC, for benchmarks only: a dataset at PC6 density made from the real PC4 dataset.

Takes the PC4 areas of data/datasets/nl-pc4-2021 in file order until PERSONS persons are reached
(or all of them with --persons all) and splits each PC4 into made-up areas of about AREA_SIZE
persons ("1011-0007"): the PC4's persons are dealt out at random (by --seed) one by one, so each
made-up area gets whole persons of the PC4's own mix of sex, age and household position; its
dwellings, dwelling-stock trend, GP practices and nursing homes go to the made-up areas in
proportion (practices and homes to the PC4's first area). As a real PC6 dataset, each area
names its pc4, buurt and wijk (made up: about BUURT_AREAS areas of a PC4 to a buurt, WIJK_BUURTEN
buurten to a wijk, the counts of the Netherlands: 14,600 buurten, 3,300 wijken, 450,000 PC6), so
a run aggregates to them as it would there (--no-levels leaves them out). The area codes and the
split are not real PC6 figures, and dataset.yaml says so; the rates are the PC4 dataset's own
(absolute path).

    bench/pc6_density_dataset.py OUT_DATA_DIR [--persons N|all] [--area-size N] [--seed N]
                                 [--name NAME] [--no-levels]

writes OUT_DATA_DIR/datasets/NAME (default name synthetic-pc6-density-1m, or
synthetic-pc6-country with --persons all); run it with `socialtwin run SCENARIO --data-dir
OUT_DATA_DIR`. Needs Debian's python3-numpy. The same arguments give the same files.
"""

import argparse
import csv
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCE = ROOT / "data" / "datasets" / "nl-pc4-2021"
POSITIONS = ["child_at_home", "living_alone", "partner_no_children", "partner_with_children",
             "single_parent", "other_member", "institution"]
BUURT_AREAS = 31  # PC6 areas to a buurt: 450,000 / 14,600
WIJK_BUURTEN = 4  # buurten to a wijk: 14,600 / 3,300
DWELLING_TYPES = ["single_family_owner", "single_family_social_rent", "single_family_private_rent",
                  "multi_family_owner", "multi_family_social_rent", "multi_family_private_rent"]


def read_csv(name):
    with open(SOURCE / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def split_whole(total, parts, rng):
    """`total` (a whole number) over `parts` areas as evenly as whole numbers allow."""
    base, rest = divmod(int(round(total)), parts)
    out = np.full(parts, base, dtype=np.int64)
    out[rng.choice(parts, size=rest, replace=False)] += 1
    return out


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--persons", default="1000000", help="persons to take, or 'all'")
    parser.add_argument("--area-size", type=int, default=30, help="persons per made-up area")
    parser.add_argument("--seed", type=int, default=20261205)
    parser.add_argument("--name")
    parser.add_argument("--no-levels", action="store_true",
                        help="no pc4, buurt and wijk columns (datasets made before they were added)")
    args = parser.parse_args(argv)
    everyone = args.persons == "all"
    target = None if everyone else int(args.persons)
    name = args.name or ("synthetic-pc6-country" if everyone else
                         f"synthetic-pc6-density-{int(args.persons) // 1000000}m"
                         if int(args.persons) % 1000000 == 0 else
                         f"synthetic-pc6-density-{args.persons}")
    rng = np.random.default_rng(args.seed)

    areas = read_csv("areas.csv")
    by_area = {}
    for row in read_csv("population.csv"):
        by_area.setdefault(row["area"], []).append(row)
    chosen, persons = [], 0
    for area in areas:
        rows = by_area.get(area["area"], [])
        n = sum(int(r[p]) for r in rows for p in POSITIONS)
        if n == 0:
            continue
        chosen.append((area, rows, n))
        persons += n
        if target is not None and persons >= target:
            break

    out = args.out / "datasets" / name
    out.mkdir(parents=True, exist_ok=True)
    dwellings = {r["area"]: r for r in read_csv("dwellings.csv")}
    trends = {r["area"]: r for r in read_csv("stock_changes.csv") if r["year"] == "trend"}
    made = {}  # PC4 -> list of made-up codes
    with open(out / "population.csv", "w", newline="") as pf, \
            open(out / "areas.csv", "w", newline="") as af, \
            open(out / "dwellings.csv", "w", newline="") as df, \
            open(out / "stock_changes.csv", "w", newline="") as sf:
        pw, aw, dw, sw = csv.writer(pf), csv.writer(af), csv.writer(df), csv.writer(sf)
        pw.writerow(["area", "sex", "age", *POSITIONS])
        levels = [] if args.no_levels else ["pc4", "buurt", "wijk"]
        aw.writerow([*areas[0].keys(), *levels])
        dw.writerow(["area", *DWELLING_TYPES])
        sw.writerow(["area", "year", "new_dwellings", "other_additions", "demolished",
                     "other_withdrawals"])
        for area, rows, n in chosen:
            parts = max(1, round(n / args.area_size))
            codes = [f"{area['area']}-{j:04}" for j in range(parts)]
            made[area["area"]] = codes
            # Every person of the PC4 as (sex, age, position), dealt out at random.
            cells = [(r["sex"], int(r["age"]), p) for r in rows for p in POSITIONS
                     for _ in range(int(r[p]))]
            order = rng.permutation(len(cells))
            owner = np.empty(len(cells), dtype=np.int64)
            owner[order] = np.arange(len(cells)) % parts
            counts = [dict() for _ in range(parts)]
            for cell, j in zip(cells, owner):
                key = (cell[0], cell[1])
                counts[j].setdefault(key, dict.fromkeys(POSITIONS, 0))[cell[2]] += 1
            types = {t: split_whole(float(dwellings[area["area"]][t]), parts, rng)
                     for t in DWELLING_TYPES} if area["area"] in dwellings else None
            # An area's dwellings are the sum of its types, as the dataset reader checks.
            homes = (sum(types.values()) if types is not None else
                     split_whole(float(area["dwellings"] or 0), parts, rng))
            trend = trends.get(area["area"])
            for j, code in enumerate(codes):
                for (sex, age), by_position in sorted(counts[j].items(),
                                                      key=lambda kv: (kv[0][0] != "male", kv[0][1])):
                    pw.writerow([code, sex, age, *(by_position[p] for p in POSITIONS)])
                made_up_levels = [] if args.no_levels else [
                    area["area"], f"{area['area']}-b{j // BUURT_AREAS}",
                    f"{area['area']}-w{j // (BUURT_AREAS * WIJK_BUURTEN)}"]
                aw.writerow([code, *(homes[j] if k == "dwellings" else v
                                     for k, v in list(area.items())[1:]), *made_up_levels])
                if types is not None:
                    dw.writerow([code, *(int(types[t][j]) for t in DWELLING_TYPES)])
                if trend is not None:
                    sw.writerow([code, "trend", *(f"{float(trend[k]) / parts:.4f}" for k in
                                                  ("new_dwellings", "other_additions", "demolished",
                                                   "other_withdrawals"))])
    for facility_file in ("facilities.csv", "nursing_homes.csv"):
        with open(SOURCE / facility_file, newline="") as f, \
                open(out / facility_file, "w", newline="") as g:
            reader, writer = csv.reader(f), csv.writer(g)
            header = next(reader)
            writer.writerow(header)
            at = header.index("area")
            for row in reader:
                if row[at] in made:
                    row[at] = made[row[at]][0]
                    writer.writerow(row)

    n_areas = sum(len(c) for c in made.values())
    source_meta = (SOURCE / "dataset.yaml").read_text()
    levels = next(line for line in source_meta.splitlines() if line.startswith("levels:"))
    made_up = ""
    if not args.no_levels:
        levels = levels.replace("levels: [", "levels: [pc4, buurt, wijk, ")
        made_up = (f"; made-up buurten of {BUURT_AREAS} areas of a PC4, wijken of {WIJK_BUURTEN} "
                   "buurten")
    (out / "dataset.yaml").write_text(
        f"name: {name}\n"
        f"title: \"SYNTHETIC: {persons:,} persons of {len(chosen):,} PC4 areas split into "
        f"{n_areas:,} made-up areas of about {args.area_size}\"\n"
        f"description: \"SYNTHETIC, for benchmarks only (bench/pc6_density_dataset.py "
        f"{' '.join(argv)}). The persons are those of nl-pc4-2021; the areas are made up.\"\n"
        "reference_date: 2021-01-01\nbase_year: 2021\narea_level: synthetic-pc6\n"
        f"rates: {(ROOT / 'data' / 'rates' / 'nl-2019').as_posix()}\n"
        f"population_total: {persons}\nareas: {n_areas}\n{levels}\n"
        "provenance:\n  publisher: \"SYNTHETIC (derived from CBS tables via nl-pc4-2021)\"\n"
        "  licence: \"CC BY 4.0, Bron: CBS (the persons); the split is made up\"\n"
        "  tables:\n    - \"data/datasets/nl-pc4-2021 (see its PROVENANCE.md)\"\n"
        "  method: \"Each PC4's persons dealt out at random to made-up areas of about "
        f"{args.area_size} persons; dwellings and stock trend split evenly{made_up}.\"\n"
        "  modelled: \"SYNTHETIC: every area code and every per-area figure is made up.\"\n")
    print(f"{out}: {persons:,} persons in {n_areas:,} SYNTHETIC areas "
          f"({persons / n_areas:.1f} per area) from {len(chosen):,} PC4 areas")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
