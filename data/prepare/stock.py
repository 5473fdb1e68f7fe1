"""Baseline change of the dwelling stock for every dataset (imported by prepare_data.py, run after every
dataset is written):

  <out>/datasets/*/stock_changes.csv   per area and year (base year .. 2020, then `trend`): new_dwellings,
                                       other_additions, demolished, other_withdrawals [dwellings per year]

and a section of each dataset's PROVENANCE.md. The engine reads the file as the baseline construction
programme (models/housing/construction.hpp; docs/model.md "Baseline stock change").

Method (docs/model.md):
- Per gemeente and year, CBS 81955NED: Nieuwbouw_2 (new construction), OverigeToevoeging_3 (other additions:
  conversions, splits), Sloop_4 (demolition), OverigeOnttrekking_5 (other withdrawals). Correctie_6 (register
  corrections) is left out: it corrects the count of dwellings that already stood, it is not a change a year
  brings, and the datasets' base stock already is a count.
- After the data end (2020): the trend, the mean of 2018-2020 per gemeente (three years smooth the lumpy
  completion of large projects and the 2017 register clean-up; later years are not in the table). Gemeenten
  formed on 1 January 2019 have no 2018 row in their own code: the mean of 2019-2020.
- Gemeente codes are each year's own layout; 2019 and 2020 share one. The datasets name gemeenten in the
  2021 layout (nl-pc4-2021 by name, the Den Haag datasets by code GM0518): codes are matched to names by CBS
  82949ned (2018 layout) plus the gemeenten formed in 2016-2019 (NEW_NAMES) and the merger of 1 January 2021
  (Appingedam, Delfzijl and Loppersum into Eemsdelta: their figures are summed).
- Spread over areas: additions (new construction and other additions) by the growth of the PC4 stock,
  max(0, WONING 1 Jan 2022 - WONING 1 Jan 2020) (CBS PC4 key figures; suppressed or missing: no growth), over
  the PC4 of the gemeente (CBS/certegis PC4 -> gemeente 2021), and within a PC4 over the dataset's areas of
  that PC4 by their dwellings; a gemeente none of whose PC4 grew takes its additions by stock. Withdrawals:
  the part the observed decline of the gemeente's PC4 stock accounts for, max(0, WONING 2020 - WONING 2022) / 2
  a year against its trend withdrawals, is spread by that decline (urban renewal: a PC4 whose stock fell lost
  at least those dwellings); the rest by stock (the areas' dwellings: demolition and withdrawal happen where
  dwellings stand). A dataset holding whole gemeenten (buurten, PC4) gets all of each
  gemeente's figure; a dataset of part of a gemeente (Zuid-West, PC6) the share of its PC4.
"""
import os

import numpy as np
import pandas as pd

from common import replace_provenance_section, write_csv

# name: (base year, holds whole gemeenten)
DATASETS = {
    "denhaag-2019": (2019, True),
    "denhaag-zuidwest-2019": (2019, False),
    "denhaag-2021": (2021, True),
    "denhaag-zuidwest-2021": (2021, False),
    "nl-pc4-2021": (2021, True),
}
DATA_END = 2020
TREND_YEARS = (2018, 2019, 2020)
FLOWS = [("new_dwellings", "Nieuwbouw_2"), ("other_additions", "OverigeToevoeging_3"),
         ("demolished", "Sloop_4"), ("other_withdrawals", "OverigeOnttrekking_5")]
ADDITIONS = ("new_dwellings", "other_additions")
SUPPRESSED_BELOW = 0  # CBS PC4 key figures: negative values are "secret" or "missing"

# Codes of the 2020 layout that CBS 82949ned (2018 layout file) does not name: gemeenten formed
# 2016-2019 (CBS, Gemeentelijke indeling).
NEW_NAMES = {
    "GM1940": "De Fryske Marren", "GM1942": "Gooise Meren", "GM1945": "Berg en Dal", "GM1948": "Meierijstad",
    "GM1949": "Waadhoeke", "GM1950": "Westerwolde", "GM1952": "Midden-Groningen", "GM1954": "Beekdaelen",
    "GM1959": "Altena", "GM1960": "West Betuwe", "GM1961": "Vijfheerenlanden", "GM1963": "Hoeksche Waard",
    "GM1966": "Het Hogeland", "GM1969": "Westerkwartier", "GM1970": "Noardeast-Fryslân", "GM1978": "Molenlanden",
}
# 1 January 2021: merged into one gemeente of the datasets' layout.
MERGED_2021 = {"GM0003": "Eemsdelta", "GM0010": "Eemsdelta", "GM0024": "Eemsdelta"}

SECTION = "## Baseline stock change (stock_changes.csv)"


def read_mutations(shared):
    m = pd.read_csv(os.path.join(shared, "cbs_dwelling_stock_mutations_81955ned_2012_2020",
                                 "dwelling_stock_mutations_by_gemeente_2012_2020.csv"), sep=";")
    m["code"] = m.RegioS.str.strip()
    m["year"] = m.Perioden.str[:4].astype(int)
    return m[m.Nieuwbouw_2.notna()].set_index(["code", "year"]).sort_index()


def gemeente_names(shared):
    nm = pd.read_csv(os.path.join(shared, "cbs_regionale_kerncijfers_70072ned_2015",
                                  "cbs_82949ned_gemeente_codes_names_2018.csv"))
    names = dict(zip(nm.gemeente_code, nm.gemeente_naam))
    names.update(NEW_NAMES)
    names.update(MERGED_2021)
    return names


def per_gemeente(m, names):
    """{gemeente name (2021 layout): {year or 'trend': {flow: dwellings}}}, and what did not match."""
    out, unnamed, short_trend = {}, [], []
    codes20 = sorted({c for c, y in m.index if y == DATA_END})
    for code in codes20:
        if code not in names:
            unnamed.append(code)
            continue
        g = out.setdefault(names[code], {})
        years = [y for y in TREND_YEARS if (code, y) in m.index]
        if len(years) < len(TREND_YEARS):
            short_trend.append(f"{code} {names[code]} ({years[0]}-{years[-1]})")
        for key in [y for y in range(2012, DATA_END + 1) if (code, y) in m.index] + ["trend"]:
            rows = [m.loc[(code, y)] for y in years] if key == "trend" else [m.loc[(code, key)]]
            cur = g.setdefault(key, {f: 0.0 for f, _ in FLOWS})
            for f, col in FLOWS:
                cur[f] += float(np.mean([float(r[col]) for r in rows]))
    return out, unnamed, short_trend


def pc4_table(shared):
    base = os.path.join(shared, "cbs_pc4_kerncijfers_2020_2022")
    w = {y: pd.read_csv(os.path.join(base, f"cbs_pc4_{y}_v1.csv")).set_index("PC4")["WONING"].astype(float)
         for y in ("2020", "2022")}
    lk = pd.read_csv(os.path.join(shared, "cbs_pc4_age_sex_2021", "pc4_gemeente_provincie_2021.csv"))
    t = pd.DataFrame({"gemeente": lk.set_index("pc4").gemeente})
    t["w2020"] = w["2020"].reindex(t.index)
    t["w2022"] = w["2022"].reindex(t.index)
    ok = (t.w2020 >= SUPPRESSED_BELOW) & (t.w2022 >= SUPPRESSED_BELOW)
    t["growth"] = np.where(ok, np.maximum(0.0, t.w2022 - t.w2020), 0.0)
    t["decline"] = np.where(ok, np.maximum(0.0, t.w2020 - t.w2022), 0.0)
    t["stock"] = np.where(t.w2020 >= SUPPRESSED_BELOW, t.w2020, 0.0)
    return t


def area_table(out, name):
    a = pd.read_csv(os.path.join(out, "datasets", name, "areas.csv"), dtype={"area": str})
    if "gemeente_name" in a.columns:
        a["gname"] = a.gemeente_name
        a["pc4"] = a.pc4.astype(int)
    else:
        a["gname"] = a.gemeente
        a["pc4"] = a.area.astype(int)
    a["dwellings"] = a.dwellings.fillna(0).astype(float)
    return a


def spreading_weights(a, pc4, whole, withdrawn_per_year):
    """Per area: its share of its gemeente's additions and of its withdrawals.

    `withdrawn_per_year`: per gemeente, its withdrawals (demolished + other) a year (the trend): the part of
    them that the observed decline of its PC4 accounts for is spread by that decline, the rest by stock."""
    n = len(a)
    add_w, wd_w = np.zeros(n), np.zeros(n)
    in_pc4 = a.groupby(["gname", "pc4"]).dwellings.transform("sum").to_numpy()
    count = a.groupby(["gname", "pc4"]).dwellings.transform("size").to_numpy().astype(float)
    # A PC4 whose areas hold no dwellings yet shares its growth equally.
    share_in_pc4 = np.where(in_pc4 > 0, a.dwellings.to_numpy() / np.where(in_pc4 > 0, in_pc4, 1.0), 1.0 / count)
    for g, rows in a.groupby("gname").indices.items():
        present = a.pc4.to_numpy()[rows]
        if whole:
            pcs = pd.Index(sorted(set(present)))
        else:
            pcs = pc4.index[pc4.gemeente == g]
        growth = pc4.growth.reindex(pcs).fillna(0.0)
        stock_all = pc4.stock.reindex(pcs).fillna(0.0).sum()
        d = a.dwellings.to_numpy()[rows]
        if growth.sum() > 0:
            add_w[rows] = share_in_pc4[rows] * growth.reindex(present).fillna(0.0).to_numpy() / growth.sum()
        elif whole:
            add_w[rows] = d / d.sum() if d.sum() > 0 else 1.0 / len(rows)
        else:
            add_w[rows] = d / stock_all if stock_all > 0 else 0.0
        if whole:
            by_stock = d / d.sum() if d.sum() > 0 else np.full(len(rows), 1.0 / len(rows))
        else:
            by_stock = d / stock_all if stock_all > 0 else np.zeros(len(rows))
        # Urban renewal: a PC4 whose stock fell lost at least that many dwellings (a demolished block
        # of 2531 Moerwijk is not spread over the whole city); the decline is over two years.
        decline = pc4.decline.reindex(pcs).fillna(0.0)
        withdrawn = withdrawn_per_year.get(g, 0.0)
        by_decline = min(1.0, decline.sum() / 2.0 / withdrawn) if withdrawn > 0 and decline.sum() > 0 else 0.0
        wd_w[rows] = (1.0 - by_decline) * by_stock
        if by_decline > 0:
            wd_w[rows] += (by_decline * share_in_pc4[rows] * decline.reindex(present).fillna(0.0).to_numpy()
                           / decline.sum())
    return add_w, wd_w


def fmt(v):
    s = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def provenance(name, base, whole, lines):
    keys = ", ".join([str(y) for y in range(base, DATA_END + 1)] + ["`trend`"])
    return "\n".join([
        SECTION, "",
        f"`stock_changes.csv`: per area and year ({keys}), the baseline change of the dwelling stock "
        "[dwellings per year]; rows of all zeros are left out. The engine builds it as the baseline construction "
        "programme: a year of the file in that year, `trend` in every later year (docs/model.md).",
        "",
        "| column | unit | real / modelled |",
        "|---|---|---|",
        "| area | area code | real |",
        "| year | calendar year, or `trend` for every year after 2020 | - |",
        "| new_dwellings | dwellings per year | gemeente figure real (CBS 81955NED Nieuwbouw_2); split over areas modelled |",
        "| other_additions | dwellings per year | gemeente figure real (OverigeToevoeging_3: conversions, splits); split modelled |",
        "| demolished | dwellings per year | gemeente figure real (Sloop_4); split modelled |",
        "| other_withdrawals | dwellings per year | gemeente figure real (OverigeOnttrekking_5); split modelled |",
        "",
        "`trend` rows are modelled: the mean of 2018-2020 per gemeente (2019-2020 for gemeenten formed on "
        "1 January 2019). Correctie_6 (register corrections) is left out. Additions are spread by the growth "
        "of the PC4 stock (CBS PC4 key figures WONING 1 Jan 2020 -> 1 Jan 2022) and within a PC4 by the areas' "
        "dwellings; withdrawals: the part the observed decline of the gemeente's PC4 stock accounts for "
        "(max(0, WONING 2020 - WONING 2022) / 2 a year, at most the gemeente's `trend` withdrawals) by that "
        "decline, the rest by the areas' dwellings"
        + (". The dataset holds whole gemeenten: its areas add up to each gemeente's CBS figure."
           if whole else ", as a share of the gemeente's PC4 stock: the dataset holds part of its gemeente and "
           "gets the share of its PC4.") + " Source: CBS 81955NED (StatLine, CC BY 4.0), via "
        "followthemoney/plancapaciteit; method in data/prepare/stock.py.",
        "", *lines, ""])


def run(shared, out):
    m = read_mutations(shared)
    names = gemeente_names(shared)
    figures, unnamed, short_trend = per_gemeente(m, names)
    pc4 = pc4_table(shared)
    nrows, report = {}, []
    assert not unnamed, f"gemeente codes of 2020 without a name: {unnamed}"
    for name, (base, whole) in DATASETS.items():
        dd = os.path.join(out, "datasets", name)
        a = area_table(out, name)
        missing = sorted(set(a.gname) - set(figures))
        assert not missing, f"{name}: gemeenten without CBS 81955NED figures: {missing}"
        withdrawn = {g: figures[g]["trend"]["demolished"] + figures[g]["trend"]["other_withdrawals"]
                     for g in set(a.gname)}
        add_w, wd_w = spreading_weights(a, pc4, whole, withdrawn)
        keys = [y for y in range(base, DATA_END + 1)] + ["trend"]
        rows = []
        sums = {}
        for key in keys:
            for i, (code, g) in enumerate(zip(a.area, a.gname)):
                f = figures[g].get(key)
                if f is None:
                    continue
                vals = [f[c] * (add_w[i] if c in ADDITIONS else wd_w[i]) for c, _ in FLOWS]
                s = sums.setdefault((g, key), np.zeros(len(FLOWS)))
                s += vals
                if any(abs(v) >= 5e-5 for v in vals):
                    rows.append([code, key] + [fmt(v) for v in vals])
        # self-check: whole gemeenten add up to the CBS figure
        if whole:
            for (g, key), s in sums.items():
                want = np.array([figures[g][key][c] for c, _ in FLOWS])
                assert np.allclose(s, want, rtol=1e-9, atol=1e-6), (name, g, key, s, want)
        nrows[f"{name}/stock_changes.csv"] = write_csv(os.path.join(dd, "stock_changes.csv"),
                                                       ["area", "year"] + [c for c, _ in FLOWS], rows)
        lines = []
        for g in sorted(set(a.gname))[:1] if len(set(a.gname)) == 1 else []:
            for key in keys:
                f = figures[g][key]
                s = sums[(g, key)]
                lines.append(f"- {g} {key}: CBS " + ", ".join(f"{c} {f[c]:,.1f}" for c, _ in FLOWS)
                             + f"; this dataset's areas: additions {s[0] + s[1]:,.1f}, withdrawals {s[2] + s[3]:,.1f}.")
        if len(set(a.gname)) > 1:
            t = sum(sums[(g, "trend")] for g in sorted(set(a.gname)))  # a fixed order: the same sum every run
            lines.append(f"- {len(set(a.gname))} gemeenten, `trend` per year: new {t[0]:,.0f}, other additions "
                         f"{t[1]:,.0f}, demolished {t[2]:,.0f}, other withdrawals {t[3]:,.0f}; net "
                         f"{t[0] + t[1] - t[2] - t[3]:,.0f} dwellings per year.")
            lines.append("- Trend over 2019-2020 only (formed 1 January 2019): " + "; ".join(short_trend) + ".")
        replace_provenance_section(dd, SECTION, provenance(name, base, whole, lines))
        report += [f"  stock {name}: " + ln[2:] for ln in lines]
    return nrows, report
