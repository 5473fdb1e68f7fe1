"""Nursing-home capacity per area for every dataset (imported by prepare_data.py, run after every dataset
and its PROVENANCE.md are written, last):

  <out>/datasets/*/nursing_homes.csv   one row per nursing-home organisation placed in an area of the dataset:
                                       facility type `nursing_home`, capacity in clients (the file has the
                                       columns of facilities.csv; the engine reads both as facilities)

and a section of each dataset's PROVENANCE.md. The engine sends persons who enter an institution to these
areas (models/households/institution_moves.hpp; docs/model.md "Where institution residents live").

Method:
- Source: Zorginstituut Nederland, open data verpleeghuiszorg (shared/data/zin_nursing_home_organisations_2019_2021),
  `nClient` (clients) of the base year (`jaar` 2019 for the 2019 datasets, 2021 for the 2021 ones); an
  organisation without a client count that year is left out.
- Place: the file has ONE PC6 per organisation, the seat (`pc`), not every location; a large organisation runs
  many homes, often in other PC4 or gemeenten, so its whole capacity lands at the seat. An approximation.
- PC6 -> area: PC6 datasets take the PC6 itself (organisations seated outside the dataset's PC6 are not in it);
  buurt datasets the buurt of the PC6 (CBS PC6 -> buurt address counts, Den Haag Zuid-West), else the buurt
  with the most dwellings among those whose most frequent PC4 is the PC6's, else the buurt with dwellings
  nearest the PC4 centroid; PC4 datasets the PC4, else (a PC4 with no
  inhabitants) the area nearest its centroid. A PO-box PC4 (no polygon, no centroid) takes the numerically
  nearest PC4 that has one (ties: the lower).
- Buurt datasets hold one gemeente: only organisations whose PC4 lies in it (CBS/certegis PC4 -> gemeente 2021).
"""
import os

import numpy as np
import pandas as pd

from common import replace_provenance_section, write_csv

# name: (base year, area level, gemeente name of the dataset or None for the whole country)
DATASETS = {
    "denhaag-2019": (2019, "buurt", "'s-Gravenhage"),
    "denhaag-zuidwest-2019": (2019, "pc6", "'s-Gravenhage"),
    "denhaag-2021": (2021, "buurt", "'s-Gravenhage"),
    "denhaag-zuidwest-2021": (2021, "pc6", "'s-Gravenhage"),
    "nl-pc4-2021": (2021, "pc4", None),
}
COLUMNS = ["facility", "type", "area", "capacity", "capacity_units", "status", "name"]
SECTION = "## Nursing homes (nursing_homes.csv)"
SOURCE_DIR = "zin_nursing_home_organisations_2019_2021"


def read_organisations(shared, year):
    z = pd.read_csv(os.path.join(shared, SOURCE_DIR, "nursing_home_organisations_pc6_2019_2021.csv"),
                    dtype={"kvk": str, "pc": str})
    z = z[(z.jaar == year)]
    missing = int(z.nClient.isna().sum())
    z = z[z.nClient.notna() & (z.nClient > 0)].copy()
    z["pc4"] = z.pc.str[:4].astype(int)
    return z.sort_values(["pc", "kvk"]).reset_index(drop=True), missing


def centroids(shared):
    c = pd.read_csv(os.path.join(shared, "cbs_pc4_age_sex_2021", "pc4_centroids_area_cbs2020geom.csv"))
    return {int(p): (x / 1e3, y / 1e3) for p, x, y in zip(c.pc4, c.centroid_rd_x, c.centroid_rd_y)}


def pc4_gemeente(shared):
    g = pd.read_csv(os.path.join(shared, "cbs_pc4_age_sex_2021", "pc4_gemeente_provincie_2021.csv"))
    return dict(zip(g.pc4.astype(int), g.gemeente))


def located_pc4(pc4, cent):
    """The PC4 whose centroid stands for `pc4`: itself, or for a PO-box PC4 the numerically nearest with one."""
    if pc4 in cent:
        return pc4
    keys = np.array(sorted(cent))
    d = np.abs(keys - pc4)
    return int(keys[np.flatnonzero(d == d.min())[0]])


def nearest(codes, xs, ys, point):
    d2 = (xs - point[0]) ** 2 + (ys - point[1]) ** 2
    return codes[int(np.argmin(d2))]      # ties: the first in file order


def place(name, level, gemeente, z, out, shared, cent, gem_of):
    a = pd.read_csv(os.path.join(out, "datasets", name, "areas.csv"), dtype=str, keep_default_na=False)
    codes = list(a.area)
    xs, ys = a.x_km.astype(float).to_numpy(), a.y_km.astype(float).to_numpy()
    pc6_buurt = {}
    if level == "buurt":
        m = pd.read_csv(os.path.join(shared, "cbs_denhaag_households_pc6_2019",
                                     "DHZW_pc6_to_buurt_address_counts_2019.csv"))
        m = m.sort_values(["PC6", "freq", "neighb_code"], ascending=[True, False, True])
        pc6_buurt = dict(m.drop_duplicates("PC6")[["PC6", "neighb_code"]].itertuples(index=False))
    # Buurt datasets: the buurt with the most dwellings among those whose most frequent PC4 it is
    # (ties: the first in file order); else the nearest buurt with dwellings.
    by_pc4 = {}
    lived = np.zeros(len(codes), dtype=bool)
    if level == "buurt":
        dw = a.dwellings.astype(int).to_numpy()
        lived = dw > 0
        for i in sorted(range(len(codes)), key=lambda i: (-dw[i], i)):
            if dw[i] > 0:
                by_pc4.setdefault(a.pc4[i], codes[i])
    lived_codes = [c for c, l in zip(codes, lived) if l]
    lived_x, lived_y = xs[lived], ys[lived]
    rows, how = [], {"own": 0, "pc4": 0, "nearest": 0, "outside": 0}
    for r in z.itertuples(index=False):
        p4 = located_pc4(int(r.pc4), cent)
        if gemeente is not None and gem_of.get(p4) != gemeente:
            how["outside"] += 1
            continue
        if level == "pc6":
            if r.pc not in set(codes):
                how["outside"] += 1
                continue
            area, kind = r.pc, "own"
        elif level == "buurt":
            if r.pc in pc6_buurt and pc6_buurt[r.pc] in codes:
                area, kind = pc6_buurt[r.pc], "own"
            elif str(p4) in by_pc4:
                area, kind = by_pc4[str(p4)], "pc4"
            else:
                area, kind = nearest(lived_codes, lived_x, lived_y, cent[p4]), "nearest"
        else:
            area, kind = (str(p4), "own") if str(p4) in codes else (nearest(codes, xs, ys, cent[p4]), "nearest")
        how[kind] += 1
        rows.append([area, r.pc, int(r.nClient), " ".join(str(r.organisatie).replace(",", " ").replace("\"", "").split())])
    rows.sort(key=lambda t: (t[0], t[1], t[3]))
    out_rows = [[f"nh-{i + 1:04d}", "nursing_home", area, clients, "clients", "observed",
                 f"{org} (seat {pc6})"] for i, (area, pc6, clients, org) in enumerate(rows)]
    return out_rows, how


def provenance(name, base, level, rows, how, missing):
    clients = sum(r[3] for r in rows)
    L = [SECTION, "",
         f"- What: nursing-home capacity per area, {len(rows)} organisations, {clients:,} clients in total "
         f"[unit: clients, the count `nClient` of {base}]; type `nursing_home`, status `observed` (the seat's PC6 "
         "is real; that all the organisation's clients live there is not).",
         f"- Source: Zorginstituut Nederland, openbaar databestand verpleeghuiszorg (`shared/data/{SOURCE_DIR}`), "
         f"year {base} (the dataset's base year). Bron: Zorginstituut Nederland.",
         "- Caveat: the file gives ONE PC6 per organisation, its seat, not every location; a large organisation "
         "runs many homes, so its whole capacity is placed at the seat. Organisations without a client count "
         f"in {base}: {missing} (left out).",
         f"- Placed: {how['own']} in the area of their own PC6" + (" (buurt: CBS PC6 -> buurt address counts)"
                                                                    if level == "buurt" else "")
         + (f", {how['pc4']} in the buurt with the most dwellings among those of their PC4" if level == "buurt" else "")
         + f", {how['nearest']} in the area nearest the centroid of their PC4 (a PO-box PC4: of the nearest PC4 with one), "
         f"{how['outside']} seated outside the dataset left out.",
         "- Use: persons who enter an institution move to an area with capacity in their gemeente, in "
         "proportion to capacity (docs/model.md, \"Where institution residents live\")."]
    if not rows:
        L.append("- No organisation is seated in this dataset's areas: the file has no rows, and persons who "
                 "enter an institution stay in their area.")
    return "\n".join(L) + "\n"


def run(shared, out):
    cent, gem_of = centroids(shared), pc4_gemeente(shared)
    nrows, lines = {}, []
    for name, (base, level, gemeente) in DATASETS.items():
        dd = os.path.join(out, "datasets", name)
        if not os.path.isdir(dd):
            continue
        z, missing = read_organisations(shared, base)
        rows, how = place(name, level, gemeente, z, out, shared, cent, gem_of)
        write_csv(os.path.join(dd, "nursing_homes.csv"), COLUMNS, rows)
        replace_provenance_section(dd, SECTION, provenance(name, base, level, rows, how, missing))
        # self-check: every row's area is in the dataset, capacities positive, ids unique
        codes = set(pd.read_csv(os.path.join(dd, "areas.csv"), dtype=str, keep_default_na=False).area)
        assert all(r[2] in codes and r[3] > 0 for r in rows), f"{name}: nursing_homes.csv"
        assert len({r[0] for r in rows}) == len(rows)
        nrows[f"{name}/nursing_homes.csv"] = len(rows)
        lines.append(f"  nursing homes {name}: {len(rows)} organisations, {sum(r[3] for r in rows):,} clients "
                     f"({base})")
    return nrows, lines
