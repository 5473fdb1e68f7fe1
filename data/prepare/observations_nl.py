"""Observation sets for every gemeente and PC4 of the Netherlands (imported by observations.py):

  <out>/observations/nl-pc4/             CBS PC4 figures 1 Jan 2020, 2021, 2022 per PC4 of nl-pc4-2021
  <out>/observations/nl-gemeente/        the same summed over the PC4 of each gemeente (areas.csv `gemeente`)
  <out>/observations/nl-gemeente-flows/  CBS 37259eng births, deaths, migration and 1 January population per
                                         gemeente, 2012-2019 (the calibration years)

What a backtest (`socialtwin backtest`) compares a projection of nl-pc4-2021 with. The PC4 -> gemeente
mapping is the dataset's own areas.csv (written earlier in the same run), so that an observed gemeente sum
covers exactly the PC4 the projection sums. Suppressed CBS values (-99997 and other negatives, and the
empty cells of 83502NED) are left out: a PC4 value is not written, and a gemeente sum leaves the PC4 out;
both are counted in PROVENANCE.md. Only pandas; deterministic.
"""
import os
import re

import pandas as pd

from common import yq

NL = "nl-pc4-2021"
OBS_PC4, OBS_GEM, OBS_FLOWS = "nl-pc4", "nl-gemeente", "nl-gemeente-flows"
HEADER = "area,year,indicator,sex,age_band,value"
BROAD = [("0-14", "INW_014", range(0, 3)), ("15-24", "INW_1524", range(3, 5)), ("25-44", "INW_2544", range(5, 9)),
         ("45-64", "INW_4564", range(9, 13)), ("65+", "INW_65PL", range(13, 20))]
BANDS5 = [f"{5 * b}-{5 * b + 4}" for b in range(19)] + ["95+"]
KERN = [("population", "", "", "INWONER"), ("population_by_age_sex", "male", "", "MAN"),
        ("population_by_age_sex", "female", "", "VROUW")] + \
       [("population_by_age_sex", "", g, col) for g, col, _ in BROAD] + \
       [("households", "", "", "AANTAL_HH"), ("households_single", "", "", "TOTHH_EENP"),
        ("households_single_parent", "", "", "HH_EENOUD"), ("dwellings_stock", "", "", "WONING")]
ORDER = ["population", "population_by_age_sex", "households", "households_single", "households_single_parent",
         "dwellings_stock", "births", "deaths", "migration_in", "migration_out", "immigration", "emigration",
         "intermunicipal_in", "intermunicipal_out"]
SEX_ORDER = ["", "male", "female"]
GROUP_ORDER = [""] + [g for g, _, _ in BROAD]
# CBS 37259eng column -> indicator (flows during the year; population on 1 January)
FLOWS = [("population", "PopulationOn1January_1"), ("births", "LiveBornChildren_3"), ("deaths", "Deaths_5"),
         ("migration_in", "TotalArrivals_8"), ("migration_out", "TotalDeparturesIncludingAdministra_12"),
         ("immigration", "DueToImmigration_10"), ("emigration", "DueToEmigrationIncludingAdministr_14"),
         ("intermunicipal_in", "DueToIntermunicipalMoves_11"), ("intermunicipal_out", "DueToIntermunicipalMoves_16")]


def _sort_key(area_order):
    return lambda r: (area_order[r[0]], r[1], ORDER.index(r[2]), SEX_ORDER.index(r[3]), GROUP_ORDER.index(r[4]))


def _csv(rows, area_order):
    rows = sorted(rows, key=_sort_key(area_order))
    return HEADER + "\n" + "".join(f"{_field(a)},{y},{i},{s},{g},{int(v)}\n" for a, y, i, s, g, v in rows)


def _field(text):
    """A CSV field, quoted where it holds a comma or a quote ("Nuenen, Gerwen en Nederwetten")."""
    return '"' + text.replace('"', '""') + '"' if ("," in text or '"' in text) else text


def pc4_values(shared, pc4s):
    """{(pc4, year, indicator, sex, group): value} of the published values, and the suppressed count."""
    base = os.path.join(shared, "cbs_pc4_kerncijfers_2020_2022")
    vals, suppressed = {}, 0
    wanted = set(pc4s)
    for year in (2020, 2022):
        k = pd.read_csv(os.path.join(base, f"cbs_pc4_{year}_v1.csv")).set_index("PC4")
        for p in pc4s:
            if p not in k.index:
                continue
            for ind, sex, group, col in KERN:
                v = float(k.at[p, col])
                if pd.isna(v) or v < 0:
                    suppressed += 1
                else:
                    vals[(p, year, ind, sex, group)] = int(round(v))
    a = pd.read_csv(os.path.join(shared, "cbs_pc4_age_sex_2021", "pc4_population_by_age5_sex_2021.csv"))
    a = a[a.pc4.isin(wanted)]
    for p, g in a.groupby("pc4"):
        g = g.set_index("age_group").reindex(BANDS5)
        # a sum is written only when every band in it was published
        def put(ind, sex, group, col, bands):
            nonlocal suppressed
            s = g[col].iloc[list(bands)]
            if s.isna().any():
                suppressed += 1
            else:
                vals[(int(p), 2021, ind, sex, group)] = int(s.sum())
        put("population", "", "", "population_total", range(20))
        put("population_by_age_sex", "male", "", "population_male", range(20))
        put("population_by_age_sex", "female", "", "population_female", range(20))
        for group, _, bands in BROAD:
            put("population_by_age_sex", "", group, "population_total", bands)
            put("population_by_age_sex", "male", group, "population_male", bands)
            put("population_by_age_sex", "female", group, "population_female", bands)
    return vals, suppressed


def flows_values(shared, gemeenten):
    """{(gemeente, year, indicator, sex, ''): value} from 37259eng, matched by name; unmatched names."""
    f = pd.read_csv(os.path.join(shared, "cbs_population_dynamics_37259eng_2012_2019",
                                 "population_dynamics_by_region_sex_2012_2019.csv"))
    known = set(gemeenten)
    f = f[f.Regions.str.strip().str.startswith("GM")].copy()

    # 37259eng tells apart gemeenten and places of one name by a suffix ("Utrecht (municipality)",
    # "Beek (L.)", "Rijswijk (ZH.)"); the lookup's names have none
    def plain(label):
        label = label.strip()
        base = re.sub(r" \([^)]*\)$| Municipality$", "", label)
        if label.startswith("s-") and "'" + label in known:  # "s-Hertogenbosch", "s-Gravenhage"
            return "'" + label
        if label == "The Hague":  # GM0518, 's-Gravenhage in the lookup
            return "'s-Gravenhage"
        return base if label not in known and base in known else label
    f["name"] = f["Regions Label"].map(plain)
    vals, suppressed = {}, 0
    for r in f.itertuples(index=False):
        if r.name not in known:
            continue
        year = int(str(r.Periods)[:4])
        sex = {"T001038": "", "3000": "male", "4000": "female"}.get(str(r.Sex).strip())
        if sex is None:
            continue
        for ind, col in FLOWS:
            if sex and ind != "population":
                continue
            v = getattr(r, col)
            if pd.isna(v) or float(v) < 0 and ind != "population":
                suppressed += 1
                continue
            vals[(r.name, year, "population_by_age_sex" if sex else ind, sex, "")] = int(v)
    source_names = set(f.name)
    unmatched_dataset = sorted(known - source_names)
    unmatched_source = sorted(source_names - known)
    return vals, suppressed, unmatched_dataset, unmatched_source


def obs_yaml(name, title, description, level, years, indicators, tables, method, notes):
    return "\n".join([
        f"name: {name}", f"title: {yq(title)}", f"description: {yq(description)}", f"level: {level}",
        f"dataset: {NL}", "also_matches: []", f"years: [{', '.join(str(y) for y in years)}]",
        f"indicators: [{', '.join(indicators)}]", "provenance:",
        f"  publisher: {yq('CBS (Centraal Bureau voor de Statistiek)')}",
        f"  licence: {yq('CC BY 4.0, Bron: CBS')}", "  tables:"] + [f"    - {yq(t)}" for t in tables] + [
        f"  reference_dates: {yq('Stocks on 1 January of the year in column `year`; flows during that year.')}",
        f"  method: {yq(method)}",
        f"  real: {yq('Every value is a published CBS figure or an exact sum of published CBS figures.')}",
        f"  modelled: {yq('Nothing is modelled; the PC4 -> gemeente assignment (areas.csv of nl-pc4-2021) is the approximation.')}",
        f"  notes: {yq(notes)}", ""])


UNITS = {"population": "persons", "population_by_age_sex": "persons", "households": "private households",
         "households_single": "one-person households", "households_single_parent": "single-parent households",
         "dwellings_stock": "dwellings", "births": "live births per year", "deaths": "deaths per year",
         "migration_in": "persons per year", "migration_out": "persons per year",
         "immigration": "persons per year", "emigration": "persons per year",
         "intermunicipal_in": "persons per year", "intermunicipal_out": "persons per year"}


def _n(v):
    return f"{v:,}" if v is not None else "–"


def provenance(name, what, level, method, tables, suppressed, national):
    """PROVENANCE.md of nl-pc4 / nl-gemeente; `national`: {(year, indicator, sex, group): sum over all areas}."""
    rows = []
    for ind, sex, group, _ in KERN:
        label = ind if not (sex or group) else f"{ind} ({sex or 'both sexes'}, {group or 'all ages'})"
        rows.append(f"| {label} | {UNITS[ind]} | " + " | ".join(_n(national.get((y, ind, sex, group)))
                                                              for y in (2020, 2021, 2022)) + " |")
    return f"""# Observation `{name}` — provenance

Observed CBS figures on 1 January 2020, 2021 and 2022 for {what}, level `{level}`, for
`socialtwin backtest` and `socialtwin monitor` of a projection of `{NL}`. Generated by
`data/prepare/observations_nl.py`. Publisher CBS, licence CC BY 4.0 — **Bron: CBS**. Nothing is modelled.

| year (1 January) | source |
|---|---|
| 2020 | {tables[0]} (peildatum 1-1-2020) |
| 2021 | {tables[1]} |
| 2022 | the same key figures, 2022 v1 (peildatum 1-1-2022) |

{method}

Values and suppressed values: {suppressed}

Sums over all areas (what was written; a sum leaves out suppressed values, so a row need not add up to
another; counts are rounded to 5 per PC4 by CBS):

| indicator | unit | 2020 | 2021 | 2022 |
|---|---|---|---|---|
""" + "\n".join(rows) + f"""

Caveat: `{NL}` itself uses 2022 figures for its households (IPF to the mean of the 2020 and 2022 PC4
margins) and its dwellings (WONING 2022), so for these the 2022 comparison is not independent.
"""


def flows_provenance(fvals, suppressed, unmatched_ds, unmatched_src):
    years = sorted({k[1] for k in fvals})
    rows = []
    for ind, col in FLOWS:
        rows.append(f"| {ind} | {col} | {UNITS[ind]} | " + " | ".join(
            _n(sum(v for k, v in fvals.items() if k[1] == y and k[2] == ind)) for y in years) + " |")
    return f"""# Observation `{OBS_FLOWS}` — provenance

CBS 37259eng "Population dynamics; birth, death and migration per region" per gemeente, {years[0]}–{years[-1]}:
flows during each year and the population on 1 January (also by sex: `population_by_age_sex` with the age
band empty), for every gemeente of `{NL}` matched by name. The calibration years of the demography and
migration rates; for `socialtwin monitor` of runs that start in or before them. Generated by
`data/prepare/observations_nl.py`. Publisher CBS, licence CC BY 4.0 — **Bron: CBS**. Nothing is modelled.

Names: the 37259eng label trimmed, with a distinguishing suffix dropped where the plain name is a dataset
gemeente ("Beek (L.)", "Utrecht Municipality"), "s-Hertogenbosch" read as "'s-Hertogenbosch" and "The
Hague" (GM0518) as "'s-Gravenhage". A gemeente appears only in the years it existed under that name.
Dataset gemeenten without a match ({len(unmatched_ds)}): {', '.join(unmatched_ds) or 'none'} (formed 2021).
37259eng gemeenten not in the dataset ({len(unmatched_src)}, merged into another gemeente by 2021): {', '.join(unmatched_src)}.
Missing values left out: {suppressed}.

Sums over the matched gemeenten:

| indicator | CBS column | unit | {' | '.join(str(y) for y in years)} |
|---|---|---|{'---|' * len(years)}
""" + "\n".join(rows) + "\n"


def build(shared, out):
    """Texts of the three observation sets {relative path: text} and report lines."""
    areas = pd.read_csv(os.path.join(out, "datasets", NL, "areas.csv"), dtype={"area": str})
    pc4s = [int(a) for a in areas.area]
    gem_of = dict(zip(pc4s, areas.gemeente))
    gemeenten = sorted(set(areas.gemeente))
    vals, supp_pc4 = pc4_values(shared, pc4s)
    pc4_order = {str(p): i for i, p in enumerate(pc4s)}
    rows_pc4 = [(str(p), y, i, s, g, v) for (p, y, i, s, g), v in vals.items()]
    sums, parts = {}, {}
    for (p, y, i, s, g), v in vals.items():
        key = (gem_of[p], y, i, s, g)
        sums[key] = sums.get(key, 0) + v
        parts[key] = parts.get(key, 0) + 1
    n_pc4 = {}
    for p in pc4s:
        n_pc4[gem_of[p]] = n_pc4.get(gem_of[p], 0) + 1
    left_out = sum(n_pc4[k[0]] - n for k, n in parts.items())
    gem_order = {g: i for i, g in enumerate(gemeenten)}
    rows_gem = [(a, y, i, s, g, v) for (a, y, i, s, g), v in sums.items()]
    fvals, supp_flows, unmatched_ds, unmatched_src = flows_values(shared, gemeenten)
    rows_flows = [(a, y, i, s, g, v) for (a, y, i, s, g), v in fvals.items()]
    kern_tables = ["CBS Kerncijfers per postcode (PC4) 2020 v1 (peildatum 1 Jan 2020) and 2022 v1 (peildatum 1 Jan 2022)",
                   "CBS 83502NED Bevolking; leeftijd, postcode, 1 januari 2021 (PC4 x 5-year age x sex, via certegis)"]
    method = ("population = INWONER (2020, 2022) or the sum of the 20 bands of 83502NED (2021); population_by_age_sex "
              "with age_band empty = men (MAN) or women (VROUW); with sex empty and age_band 0-14, 15-24, 25-44, 45-64, "
              "65+ = INW_014 .. INW_65PL (2020, 2022) or the sum of the 5-year bands (2021, also by sex); households = "
              "AANTAL_HH; households_single = TOTHH_EENP; households_single_parent = HH_EENOUD; dwellings_stock = "
              "WONING. A 2021 sum is written only when every band in it was published.")
    ind_pc4 = ORDER[:6]
    texts = {
        f"observations/{OBS_PC4}/observed.csv": _csv(rows_pc4, pc4_order),
        f"observations/{OBS_PC4}/observation.yaml": obs_yaml(
            OBS_PC4, "CBS PC4 figures 2020-2022 for every PC4 of nl-pc4-2021",
            "Observed population (total, by sex, by broad age group), households and dwellings per PC4 on 1 January "
            "2020, 2021 and 2022, for every PC4 of the dataset nl-pc4-2021; compare a projection at its own PC4 level.",
            "pc4", [2020, 2021, 2022], ind_pc4, kern_tables,
            method + " Suppressed values (-99997, 0-4 or secret; empty in 83502NED) are not written.",
            f"{len(pc4s)} PC4; {len(rows_pc4)} values written; {supp_pc4} suppressed values left out. nl-pc4-2021's "
            "own households (IPF to the mean of the 2020 and 2022 margins) and dwellings (WONING 2022) use 2022 "
            "figures: its households and dwellings_stock are no independent forecast of 2022."),
        f"observations/{OBS_GEM}/observed.csv": _csv(rows_gem, gem_order),
        f"observations/{OBS_GEM}/observation.yaml": obs_yaml(
            OBS_GEM, "CBS PC4 figures 2020-2022 summed over every gemeente of nl-pc4-2021",
            "The values of nl-pc4 summed over the PC4 of each gemeente (areas.csv column gemeente of nl-pc4-2021: "
            "the pre-2022 gemeente names of the certegis lookup); compare a projection aggregated to gemeente.",
            "gemeente", [2020, 2021, 2022], ind_pc4, kern_tables + ["certegis PC4 lookup (gemeente per PC4), via nl-pc4-2021 areas.csv"],
            method + " A gemeente value sums the published values of its PC4; a suppressed PC4 value is left out of "
            "the sum (so the sum is at most 4 too low per PC4 left out).",
            f"{len(gemeenten)} gemeenten; {len(rows_gem)} values; {left_out} PC4 values left out of a sum in all "
            "(suppressed or absent from the year's table)."),
        f"observations/{OBS_FLOWS}/observed.csv": _csv(rows_flows, gem_order),
        f"observations/{OBS_FLOWS}/observation.yaml": obs_yaml(
            OBS_FLOWS, "CBS 37259eng population dynamics per gemeente, 2012-2019",
            "Births, deaths, arrivals and departures (from/to abroad and other gemeenten) during each year and the "
            "population on 1 January, per gemeente of nl-pc4-2021 matched by name: the calibration years.",
            "gemeente", list(range(2012, 2020)), ["population", "population_by_age_sex"] + ORDER[6:],
            ["CBS 37259eng Population dynamics; birth, death and migration per region (2012-2019)"],
            "Copied as published for the gemeenten whose 37259eng name (Regions Label, trimmed) equals an areas.csv "
            "gemeente name: population = PopulationOn1January_1 (by sex: population_by_age_sex with age_band empty); "
            "births = LiveBornChildren_3; deaths = Deaths_5; migration_in = TotalArrivals_8 (immigration + moves in "
            "from other gemeenten); migration_out = TotalDeparturesIncludingAdministra_12; immigration = "
            "DueToImmigration_10; emigration = DueToEmigrationIncludingAdministr_14 (administrative removals "
            "included); intermunicipal_in = DueToIntermunicipalMoves_11; intermunicipal_out = "
            "DueToIntermunicipalMoves_16. A gemeente is present only in the years it existed under that name.",
            f"{len(rows_flows)} values; {supp_flows} missing values left out. Dataset gemeenten without a 37259eng "
            f"match ({len(unmatched_ds)}): {', '.join(unmatched_ds) or 'none'}. 37259eng gemeenten (any year) not in "
            f"the dataset ({len(unmatched_src)}: merged into another gemeente by 2021): {', '.join(unmatched_src) or 'none'}."),
    }
    national = {}
    for (_, y, i, sx, g), v in sums.items():
        national[(y, i, sx, g)] = national.get((y, i, sx, g), 0) + v
    texts[f"observations/{OBS_PC4}/PROVENANCE.md"] = provenance(
        OBS_PC4, f"every PC4 of `{NL}` ({len(pc4s):,} PC4)", "pc4", method, kern_tables,
        f"{len(rows_pc4):,} values written; {supp_pc4:,} suppressed values (CBS -99997 or another negative code; "
        "an empty 83502NED cell) left out, not written.", national)
    texts[f"observations/{OBS_GEM}/PROVENANCE.md"] = provenance(
        OBS_GEM, f"every gemeente of `{NL}` ({len(gemeenten)} gemeenten, the pre-2022 names of its areas.csv)",
        "gemeente", method + " Each gemeente value is the sum of its PC4's published values.",
        kern_tables + ["certegis PC4 lookup (gemeente per PC4), via nl-pc4-2021 areas.csv"],
        f"{len(rows_gem):,} values; {left_out:,} PC4 values left out of a sum in all (suppressed, or the PC4 absent "
        "from that year's table): such a sum is at most 4 persons (households, dwellings) too low per PC4 left out.",
        national)
    texts[f"observations/{OBS_FLOWS}/PROVENANCE.md"] = flows_provenance(fvals, supp_flows, unmatched_ds,
                                                                       unmatched_src)
    lines = [f"  Observations: {OBS_PC4} {len(pc4s)} PC4, {len(rows_pc4)} rows ({supp_pc4} suppressed left out); "
             f"{OBS_GEM} {len(gemeenten)} gemeenten, {len(rows_gem)} rows; {OBS_FLOWS} {len(rows_flows)} rows, "
             f"{len(unmatched_ds)} dataset gemeenten unmatched"]
    return texts, lines
