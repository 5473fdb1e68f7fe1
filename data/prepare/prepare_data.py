#!/usr/bin/python3
"""Derive socialtwin's own input files from the public source tables in ../shared/data.

The engine never reads ../shared at run time: this script is the only bridge. It writes

  <out>/rates/denhaag-2019/                 rate set (mortality, fertility, household positions and
                                             transitions, migration, care, Zvw care categories, scalars)
  <out>/datasets/denhaag-zuidwest-2019/     1,816 PC6 areas of Den Haag Zuid-West (default dataset)
  <out>/datasets/denhaag-2019/              all buurten of Den Haag
  <out>/rates/nl-2019/                      national rate set (same files and methods)     } code in
  <out>/datasets/nl-pc4-2021/               all populated PC4 of the Netherlands, 2021     } national.py

Usage:  /usr/bin/python3 data/prepare/prepare_data.py [--shared ../shared/data] [--out data]

Only numpy, pandas and scipy are used (Debian python3 packages), no network. The output is deterministic:
re-running the script gives byte-identical files. Every method is documented in
docs/data-preparation.md and in the PROVENANCE.md written next to each output.
"""
import argparse
import csv
import os
import sys

import numpy as np
import pandas as pd

import care_services

# ----------------------------------------------------------------------------------------------
# Fixed vocabulary (the engine relies on these names and orders)
# ----------------------------------------------------------------------------------------------
POSITIONS = ["child_at_home", "living_alone", "partner_no_children", "partner_with_children",
             "single_parent", "other_member", "institution"]
CH, AL, PNC, PWC, SP, OM, INST = range(7)
SEXES = ["male", "female"]
MAX_AGE = 105                       # 105 = 105 and older (open class)
AGES = np.arange(MAX_AGE + 1)
N_AGES = MAX_AGE + 1
EVENTS = ["leaving_home", "partnering", "separation", "widowhood", "family_formation",
          "empty_nest", "institution", "other"]

GM_CODE = "GM0518"
GM_NAME = "'s-Gravenhage"
REF_YEAR = 2019

# KWB broad age bands at buurt level: 0-14, 15-24, 25-44, 45-64, 65+
KWB_BAND_COLS = ["k_0Tot15Jaar_8", "k_15Tot25Jaar_9", "k_25Tot45Jaar_10", "k_45Tot65Jaar_11",
                 "k_65JaarOfOuder_12"]
KWB_BAND_OF_AGE = np.digitize(AGES, [15, 25, 45, 65])          # 0..4 for each single age

# 5-year bands of CBS 71488ned: 0-4, ..., 90-94, 95+
BAND5_OF_AGE = np.minimum(AGES // 5, 19)


# ----------------------------------------------------------------------------------------------
# Small generic helpers
# ----------------------------------------------------------------------------------------------
def fmt8(v):
    """Rates and shares: 8 significant digits (enough for the engine, stable across platforms)."""
    s = f"{float(v):.8g}"
    return "0" if s in ("-0", "0") else s


def fmt12(v):
    """Transition rates need more digits so that x.T reproduces y to 1e-9 after re-reading."""
    s = f"{float(v):.12g}"
    return "0" if s in ("-0", "0") else s


def round_shares(sh):
    """Shares along the last axis: clip at 0, normalise, round to 1e-10 and make every row sum to
    exactly 1 by adjusting its largest entry (first one on ties). Returns multiples of 1e-10."""
    sh = np.maximum(np.asarray(sh, dtype=float), 0.0)
    sh = sh / sh.sum(-1, keepdims=True)
    ints = np.round(sh * 1e10).astype(np.int64)
    flat = ints.reshape(-1, ints.shape[-1])
    for row in flat:
        row[np.argmax(row)] += 10 ** 10 - row.sum()
    return flat.reshape(ints.shape).astype(float) / 1e10


def write_csv(path, header, rows):
    """Comma separated, header row, UTF-8, '\\n' line ends, minimal quoting, no index column."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(header)
        for r in rows:
            w.writerow(r)
    return len(rows)


def write_text(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def yq(s):
    """Double-quoted YAML scalar (always safe, e.g. for 's-Gravenhage or strings with ':')."""
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


def expit(z):
    return 1.0 / (1.0 + np.exp(-z))


def logit(p):
    return np.log(p / (1.0 - p))


def largest_remainder(values, total):
    """Round non-negative reals to integers summing to `total`; ties broken by position (stable)."""
    v = np.maximum(np.asarray(values, dtype=float), 0.0)
    fl = np.floor(v)
    rem = int(round(total - fl.sum()))
    if rem < 0 or rem > len(v):
        raise AssertionError(f"largest_remainder: cannot reach {total} from sum {v.sum()}")
    frac = v - fl
    order = np.lexsort((np.arange(len(v)), -frac))      # biggest remainder first, then index
    out = fl.astype(np.int64)
    out[order[:rem]] += 1
    return out


def ipf_rows_cols(seed, row_t, col_t, tol=1e-9, max_iter=5000):
    """Classic 2-D iterative proportional fitting of `seed` to row and column totals.
    Ends with the row step, so rows are exact; returns (table, max |col deviation|, iterations)."""
    x = np.array(seed, dtype=float)
    for it in range(1, max_iter + 1):
        cs = x.sum(0)
        f = np.divide(col_t, cs, out=np.zeros_like(cs), where=cs > 0)
        x *= f[None, :]
        rs = x.sum(1)
        f = np.divide(row_t, rs, out=np.zeros_like(rs), where=rs > 0)
        x *= f[:, None]
        dev = np.abs(x.sum(0) - col_t).max()
        if dev < tol:
            break
    return x, float(dev), it


def controlled_round(M, R, C, rng=None):
    """Integerise a non-negative table M whose row/column sums are (close to) the integer targets
    R and C, so that the result has exactly those row and column sums and every cell is the floor
    or the ceiling of M (controlled rounding; such a rounding always exists for a 2-D table).

    Greedy pass: floors, then +1 on cells in order of their fractional part while both the row and
    the column still need units. The order is either strictly largest-first (rng=None) or an
    "exponential race" (key = Exp(1)/frac with a seeded generator, so a cell comes early with
    probability proportional to its fraction). The latter is used where most cells are < 1 (PC6):
    largest-first would give the biggest PC6 all the common cells and leave the rare ones (old
    people, institutions) to the smallest PC6, a systematic artefact.
    Repair pass: augmenting paths (add on one cell, remove on another in the same column, ...)
    found by a breadth-first search, as in a bipartite max-flow.
    If no floor/ceiling solution is found (should not happen) the search is widened to any cell
    with M > 0 and finally to any cell, so both margins are always exact."""
    M = np.maximum(np.asarray(M, dtype=float), 0.0)
    R = np.asarray(R, dtype=np.int64)
    C = np.asarray(C, dtype=np.int64)
    assert R.sum() == C.sum(), "controlled_round: margins disagree"
    nr, nc = M.shape
    F = np.floor(M)
    X = F.astype(np.int64)
    frac = M - F
    r = R - X.sum(1)
    c = C - X.sum(0)
    if (r < 0).any() or (c < 0).any():
        raise AssertionError("controlled_round: floors exceed a margin")
    # greedy on fractional parts (stable sort, seeded generator -> deterministic)
    flat = frac.ravel()
    cand = np.flatnonzero(flat > 1e-12)
    if rng is None:
        key = -flat[cand]
    else:
        key = rng.exponential(size=cand.size) / flat[cand]
    cand = cand[np.argsort(key, kind="stable")]
    need = int(r.sum())
    for k in cand:
        if need == 0:
            break
        i, j = divmod(int(k), nc)
        if r[i] > 0 and c[j] > 0:
            X[i, j] += 1
            r[i] -= 1
            c[j] -= 1
            need -= 1
    level_names = ["floor/ceiling", "any cell with M>0", "any cell"]
    level = 0
    used_fallback = 0
    while r.sum() > 0:
        added = X - F.astype(np.int64)
        if level == 0:
            add_ok = (frac > 1e-12) & (added == 0)
        elif level == 1:
            add_ok = M > 0
        else:
            add_ok = np.ones_like(M, dtype=bool)
        rem_ok = added > 0 if level == 0 else X > 0
        path = _augmenting_path(add_ok, rem_ok, r, c)
        if path is None:
            level += 1
            if level > 2:
                raise AssertionError("controlled_round: no feasible integerisation")
            continue
        if level > 0:
            used_fallback += 1
        for (i, j, d) in path:
            X[i, j] += d
        r[path[0][0]] -= 1
        c[path[-1][1]] -= 1
    assert (X >= 0).all()
    assert (X.sum(1) == R).all() and (X.sum(0) == C).all()
    return X, used_fallback, level_names[level]


def _augmenting_path(add_ok, rem_ok, r, c):
    """BFS from all rows with a deficit to any column with a deficit. Row->col edges are cells we
    may increase, col->row edges cells we may decrease. Returns [(i, j, +1/-1), ...] or None."""
    nr, nc = add_ok.shape
    row_par = np.full(nr, -2, dtype=np.int64)     # -2 unvisited, -1 source, else parent column
    col_par = np.full(nc, -1, dtype=np.int64)     # parent row, -1 unvisited
    frontier = np.flatnonzero(r > 0)
    row_par[frontier] = -1
    while frontier.size:
        reach = add_ok[frontier]                             # (len(frontier), nc)
        newc = reach.any(0) & (col_par < 0)
        cols = np.flatnonzero(newc)
        if cols.size == 0:
            return None
        col_par[cols] = frontier[np.argmax(reach[:, cols], axis=0)]
        hit = cols[c[cols] > 0]
        if hit.size:
            j = int(hit[0])
            path = []
            while True:
                i = int(col_par[j])
                path.append((i, j, +1))
                pj = int(row_par[i])
                if pj == -1:
                    break
                path.append((i, pj, -1))
                j = pj
            path.reverse()      # path[0]: +1 on the source row, path[-1]: +1 on the sink column
            return path
        back = rem_ok[:, cols] & (row_par[:, None] == -2)    # (nr, len(cols))
        newr = np.flatnonzero(back.any(1))
        if newr.size == 0:
            return None
        row_par[newr] = cols[np.argmax(back[newr], axis=1)]
        frontier = newr
    return None


# ----------------------------------------------------------------------------------------------
# Readers: each returns plain numpy/pandas objects; all parsing quirks are handled here.
# ----------------------------------------------------------------------------------------------
def band_lower(label):
    """'0 tot 5 jaar' -> 0, '95 jaar of ouder' -> 95, '90+' -> 90, ' 0 t/m  4 jaar' -> 0."""
    return int(str(label).strip().split()[0].replace("+", ""))


def read_gm_single_age(shared, code=GM_CODE):
    """CBS 03759ned: population 1 Jan 2019 by sex x single age 0..105+, array [2, 106]."""
    d = pd.read_csv(os.path.join(shared, "cbs_gemeente_single_age_sex_03759ned",
                                 "gemeente_population_by_single_age_sex_2019.csv"), dtype=str)
    d = d[(d.gemeente_code == code) & (d.year == "2019")]
    pop = np.zeros((2, N_AGES), dtype=np.int64)
    for s, sex in enumerate(SEXES):
        ds = d[d.sex == sex]
        for a_lab, v in zip(ds.age, ds.population_1jan):
            pop[s, int(a_lab.replace("+", ""))] = int(v)
    return pop


def read_nl_single_age_2019(shared):
    """NL 1 Jan 2019 population by sex x single age 0..99 (99 = 99 exactly), array [2, 100]."""
    out = np.zeros((2, 100), dtype=np.int64)
    for s, sex in enumerate(SEXES):
        d = pd.read_csv(os.path.join(shared, "cbs_nl_population_single_age_1950_2019",
                                     f"nl_population_{sex}_by_single_age_1950_2019.csv"),
                        encoding="utf-8-sig")
        out[s, d["Age"].to_numpy()] = d["2019"].to_numpy()
    return out


def read_qx(shared):
    d = pd.read_csv(os.path.join(shared, "cbs_nl_demography_statline",
                                 "nl_death_probability_qx_by_age_sex_2011_2019.csv"), sep=";")
    return d.rename(columns={"Leeftijd (op 31 december)": "age", "Perioden": "year",
                             "Mannen": "male", "Vrouwen": "female"})


def read_71488(shared, which):
    """Persons by household position x sex x 5-yr age (71488ned), as dict of arrays [2, 20]."""
    if which == "GM":
        fn = "GM0518_persons_by_household_position_sex_age5_2019_71488ned.csv"
        names = ["total", "child", "alone", "together", "single_parent"]
    else:
        fn = "NL_persons_by_household_position_sex_age5_2019_71488ned.csv"
        names = ["child", "alone", "together", "single_parent", "other"]
    d = pd.read_csv(os.path.join(shared, "cbs_denhaag_households_pc6_2019", fn), sep=";")
    d.columns = ["sex", "age", "year", "region"] + names
    out = {n: np.zeros((2, 20)) for n in names}
    for _, row in d.iterrows():
        s = 0 if row.sex == "Mannen" else 1
        b = band_lower(row.age) // 5
        for n in names:
            v = row[n]
            out[n][s, b] = 0.0 if pd.isna(v) else float(v)   # empty = not applicable = 0
    return out


def read_71486_households(shared):
    d = pd.read_csv(os.path.join(shared, "cbs_denhaag_households_pc6_2019",
                                 "GM0518_households_by_type_and_children_2019_71486ned.csv"), sep=";")
    v = d.iloc[0, 3:].astype(float).to_numpy()
    # columns: unmarried couple 0,1,2,3+ kids; married couple 0,1,2,3+; single parent 1,2,3+
    size = pd.read_csv(os.path.join(shared, "cbs_denhaag_households_pc6_2019",
                                    "GM0518_households_by_size_2019_71486ned.csv"), sep=";", dtype=str)
    sizes = [int(size.iloc[0][c].strip()) for c in size.columns[4:]]
    return {
        "couples_without_children": int(v[0] + v[4]),
        "couples_with_children": int(v[1:4].sum() + v[5:8].sum()),
        "single_parent": int(v[8:11].sum()),
        "one_person": sizes[0],
        "total": int(sum(sizes)),
    }


def read_71488_totals(shared):
    base = os.path.join(shared, "cbs_denhaag_households_pc6_2019")
    a = pd.read_csv(os.path.join(base, "GM0518_persons_in_couples_with_children_and_single_parents_2019_71488ned.csv"), sep=";")
    b = pd.read_csv(os.path.join(base, "GM0518_persons_single_and_couples_without_children_2019_71488ned.csv"), sep=";")
    return {
        "persons_couple_with_children": int(a.iloc[0, 4] + a.iloc[0, 5]),
        "persons_single_parent": int(a.iloc[0, 6]),
        "persons_alone": int(b.iloc[0, 4]),
        "persons_couple_without_children": int(b.iloc[0, 5] + b.iloc[0, 6]),
    }


def read_kwb(shared):
    d = pd.read_csv(os.path.join(shared, "cbs_kwb_wijk_buurt_84583ned",
                                 "kwb2019_GM0518_denhaag_all_columns.csv"))
    d["Codering_3"] = d["Codering_3"].str.strip()
    d["SoortRegio_2"] = d["SoortRegio_2"].str.strip()
    return d


def read_70072_gm(shared, code=GM_CODE):
    d = pd.read_csv(os.path.join(shared, "cbs_regionale_kerncijfers_70072ned_2015",
                                 "cbs_70072ned_regionale_kerncijfers_2015.csv"), low_memory=False)
    d["RegioS"] = d["RegioS"].astype(str).str.strip()
    return d[d.RegioS == code].iloc[0]


def read_vektis_scr(shared, name="S GRAVENHAGE"):
    """Vektis Zvw 2023 municipality_benchmark.csv: the row of one gemeente. Vektis writes names in
    capitals and without the apostrophe/hyphen of "'s-Gravenhage" ('S GRAVENHAGE'), so names are
    compared on their letters only; exactly one row must match."""
    d = pd.read_csv(os.path.join(shared, "vektis_zvw_gemeente_2023_derived", "municipality_benchmark.csv"))

    def key(s):
        return "".join(ch for ch in str(s).upper() if ch.isalpha())

    hit = d[d.gemeentenaam.map(key) == key(name)]
    assert len(hit) == 1, f"Vektis: {len(hit)} rows for {name}"
    row = hit.iloc[0]
    assert abs(row["scr"] - row["actual_cost"] / row["expected_cost"]) < 1e-9, "Vektis scr != actual/expected"
    return row


def read_dhzw(shared):
    base = os.path.join(shared, "cbs_denhaag_households_pc6_2019")
    pc6 = pd.read_csv(os.path.join(base, "DHZW_pc6_to_buurt_address_counts_2019.csv"), dtype={"freq": int})
    pc6 = pc6.rename(columns={"neighb_code": "buurt", "PC6": "area", "freq": "addresses"})
    raw = pd.read_csv(os.path.join(base, "DHZW_buurt_codes_names.csv"), sep=";", header=None,
                      names=["buurt", "name"], dtype=str)
    return pc6, raw


def fix_dhzw_names(raw, codes_in_pc6):
    """DHZW_buurt_codes_names.csv lists BU05183488 twice (as Moerwijk-West and as Morgenstond-West)
    and misses BU05183637; the PC6 file (from CBS pc6hnr20190801_gwb) has the right 14 codes.
    Obvious reading: Moerwijk-West is BU05183637 (wijk 36 Moerwijk), Morgenstond-West is BU05183488
    (wijk 34 Morgenstond). A stray '(' in '(Morgenstond-Zuid' is removed."""
    names = {}
    for code, name in zip(raw.buurt, raw.name):
        name = name.strip().lstrip("(").strip()
        if code == "BU05183488" and name == "Moerwijk-West":
            code = "BU05183637"
        assert code not in names, f"duplicate buurt code after fix: {code}"
        names[code] = name
    assert set(names) == set(codes_in_pc6), "buurt name list does not match the PC6 file"
    return names


# ----------------------------------------------------------------------------------------------
# Output 1: rate set
# ----------------------------------------------------------------------------------------------
def derive_mortality(qx):
    """q(x) = mean of CBS 37360ned qx 2017-2019 (3 years smooth out the noise at high ages).
    CBS stops at 99: ages 100..105 from a Kannisto-type (logit-linear) fit to ages 85-99,
    capped at 0.7 (modelled); 105 is the open class."""
    d = qx[qx.year.isin([2017, 2018, 2019])].groupby("age")[["male", "female"]].mean()
    assert list(d.index) == list(range(100))
    q = np.zeros((2, N_AGES))
    fit = {}
    for s, sex in enumerate(SEXES):
        q[s, :100] = d[sex].to_numpy()
        x = np.arange(85, 100)
        b, a = np.polyfit(x, logit(q[s, 85:100]), 1)          # logit q = a + b x
        q[s, 100:] = np.minimum(expit(a + b * np.arange(100, N_AGES)), 0.7)
        fit[sex] = (a, b)
    return q, fit


def derive_fertility(asfr_nl, fem_pop, births5):
    """National ASFR 2019 by single age, scaled per 5-year age group of mother so that applied to
    the Den Haag female population (1 Jan 2019 used as mid-year approximation) it reproduces the
    GM0518 2019 births by 5-year age of mother ('<20' -> 15-19, '45+' -> 45-49)."""
    ages = np.arange(15, 50)
    base = asfr_nl.set_index("age_mother").loc[ages, "asfr"].to_numpy()
    group = (ages - 15) // 5                                    # 0..6
    expected = np.bincount(group, weights=base * fem_pop[ages], minlength=7)
    factor = births5 / expected
    asfr = base * factor[group]
    return ages, asfr, factor, base


def p_with_children_profile(age_mid):
    """Share with children at home among cohabiting persons, by age (modelled assumption):
    logistic rise (centre 24, scale 5) times (floor 0.02 + logistic decline, centre 58, scale 5),
    peak 0.75 -> ~0.33 at 20-24, ~0.70 at 40-44, ~0.03 at 75-79, ~0.02 at 85+."""
    rise = expit((age_mid - 24.0) / 5.0)
    fall = 0.02 + (0.75 - 0.02) * expit(-(age_mid - 58.0) / 5.0)
    return rise * fall


def derive_household_positions_bands(gm, nl, nl_pop, tot71488):
    """Counts by sex x 5-yr band x 7 positions for Den Haag 1 Jan 2019 (array [2, 20, 7])."""
    T, C, A, S, P = gm["total"], gm["child"], gm["alone"], gm["together"], gm["single_parent"]
    # -- split samenwonend with a smooth age profile, shifted on the logit scale so that the
    #    gemeente totals of partners with / without children (71488ned) are reproduced exactly
    mids = np.arange(20) * 5 + 2.5
    p0 = np.clip(p_with_children_profile(mids), 1e-6, 1 - 1e-6)
    target_wc = tot71488["persons_couple_with_children"]
    lo, hi = -10.0, 10.0
    for _ in range(200):                                        # bisection on the logit shift
        mid = 0.5 * (lo + hi)
        if (S * expit(logit(p0) + mid)[None, :]).sum() < target_wc:
            lo = mid
        else:
            hi = mid
    shift = 0.5 * (lo + hi)
    p_wc = expit(logit(p0) + shift)
    PWCb = S * p_wc[None, :]
    PWCb *= target_wc / PWCb.sum()                              # remove the last 1e-12 of bisection
    PNCb = S - PWCb
    # -- residual = other member + institution; split with national proportions
    R = T - C - A - S - P
    assert (R >= -1e-9).all(), "negative residual in 71488ned"
    nl_band = np.zeros((2, 20))
    for s in range(2):
        nl_band[s] = np.bincount(np.minimum(np.arange(100) // 5, 19), weights=nl_pop[s], minlength=20)
    nl_priv = nl["child"] + nl["alone"] + nl["together"] + nl["single_parent"] + nl["other"]
    nl_inst = np.maximum(nl_band - nl_priv, 0.0)   # NL 2019 file vs 71488ned can differ by a few
    share_other = nl["other"] / (nl["other"] + nl_inst)
    OMb = R * share_other
    INb = R - OMb
    counts = np.stack([C, A, PNCb, PWCb, P, OMb, INb], axis=-1)
    info = {"logit_shift": shift, "p_wc": p_wc, "p0": p0, "nl_inst": nl_inst,
            "nl_inst_total": nl_inst.sum(), "share_other": share_other}
    return counts, info


def derive_household_positions(band_counts):
    """Shares per sex x single age (array [2, 106, 7] of multiples of 1e-10 summing to exactly 1).
    Ages 0-14: the 5-year band shares as is (children cannot be alone or partnered; interpolating
    across age 15 would create such persons). Ages 15+: piecewise-linear between band mid-points
    (band l..l+4 -> age l+2; 95+ treated as 95-99 -> 97), with the 10-14 shares as an extra knot
    at age 14, clamped at the top, so ages 97-105 take the 95+ band's shares."""
    band_sh = band_counts / band_counts.sum(-1, keepdims=True)
    sh = np.zeros((2, N_AGES, 7))
    # knots: the 10-14 band's shares at age 14 (continuity with the child block, so that adult
    # positions start from 0 rather than jumping to the 15-19 level at 15), then the band
    # mid-points 17, 22, ..., 92 and 97 for 95+
    knots = np.concatenate([[14.0], np.arange(3, 20) * 5 + 2.0])
    for s in range(2):
        for a in range(15):
            sh[s, a] = band_sh[s, a // 5]
        for p in range(7):
            sh[s, 15:, p] = np.interp(AGES[15:], knots, band_sh[s, 2:, p])
    return round_shares(sh)


def separation_rate(a):
    """Separation churn of partners (assumption): 0 below 18, 0.025 at 18-34, linear to 0.015 at
    50 and to 0.004 at 75, 0.004 at 75+."""
    if a < 18:
        return 0.0
    if a <= 34:
        return 0.025
    if a <= 50:
        return 0.025 + (0.015 - 0.025) * (a - 34) / 16.0
    if a <= 75:
        return 0.015 + (0.004 - 0.015) * (a - 50) / 25.0
    return 0.004


MIN_STAY = 0.5     # churn into a position may not push its staying share below this

# greedy edge priority for the net flows (from, to, event)
GREEDY_EDGES = (
    [(CH, AL, "leaving_home"), (CH, PNC, "leaving_home"), (CH, OM, "leaving_home"),
     (AL, PNC, "partnering"), (SP, PWC, "partnering"),
     (PNC, PWC, "family_formation"), (AL, SP, "family_formation"),
     (PWC, PNC, "empty_nest"), (SP, AL, "empty_nest")]
    + [(p, INST, "institution") for p in (AL, PNC, PWC, SP, OM)]
    + [(OM, AL, "other"), (OM, PNC, "other"), (AL, OM, "other"),
       (PNC, AL, "separation"), (PWC, AL, "separation"),
       (CH, SP, "leaving_home"), (CH, PWC, "leaving_home")]
    + [(p, q, "other") for p in range(7) for q in range(7) if p != q]
)


def derive_household_transitions(shares, q):
    """Annual transition rates between positions, calibrated so that for each sex and age a
    x(a).T(a) = x(a+1) (cross-sectional profile reproduced by a stationary population).
    Returns dict (s, a, from, to, event) -> rate, plus diagnostics."""
    rates = {}
    capped = []
    max_err = 0.0
    max_rowsum = 0.0
    for s in range(2):
        other = 1 - s
        gap = -2 if s == 0 else 2                # husbands ~2 years older than wives
        for a in range(MAX_AGE):                 # 0..104; 105 stays (no rows)
            x = shares[s, a].copy()
            y = shares[s, a + 1]
            flows = {}

            def add(p, qq, ev, f):
                if f <= 0:
                    return
                flows[(p, qq, ev)] = flows.get((p, qq, ev), 0.0) + f

            # 1. widowhood: partner dies with the other sex's probability at age a+gap
            w = q[other, min(max(a + gap, 0), MAX_AGE)]
            add(PNC, AL, "widowhood", w * x[PNC])
            add(PWC, SP, "widowhood", w * x[PWC])
            # 2. separation churn (assumption)
            sr = separation_rate(a)
            add(PNC, AL, "separation", sr * x[PNC])
            to_sp = 0.5 if s == 0 else 0.85      # mothers mostly keep the children
            add(PWC, SP, "separation", sr * x[PWC] * to_sp)
            add(PWC, AL, "separation", sr * x[PWC] * (1 - to_sp))
            # Cap the gross churn into each position q at y_q - 0.5 x_q. With rates relative to x,
            # persons who enter q during the year stay there, so the share staying in q is
            # (y_q - inflow) / x_q: inflows above y_q would force an outflow larger than the stock
            # (row sum > 1), inflows near y_q would empty q every year. Keeping at least half of q
            # in place binds only where the assumed churn contradicts the cross-section, mainly
            # separations of young fathers into single_parent (few single fathers in 71488ned) and
            # empty positions (boys of 15-17 cannot be single parents).
            for qq in range(7):
                inflow = sum(f for (p, t, ev), f in flows.items() if t == qq)
                cap = max(0.0, y[qq] - MIN_STAY * x[qq])
                if inflow > cap:
                    capped.append((s, a, qq, inflow, cap))
                    for key in [k for k in flows if k[1] == qq]:
                        flows[key] *= cap / inflow
            xp = x.copy()
            for (p, qq, ev), f in flows.items():
                xp[p] -= f
                xp[qq] += f
            # 3. net flows from surpluses to deficits along the priority list
            surplus = np.maximum(xp - y, 0.0)
            deficit = np.maximum(y - xp, 0.0)
            for (p, qq, ev) in GREEDY_EDGES:
                if surplus[p] > 1e-16 and deficit[qq] > 1e-16:
                    f = min(surplus[p], deficit[qq])
                    add(p, qq, ev, f)
                    surplus[p] -= f
                    deficit[qq] -= f
            # rates relative to the start-of-year share x (not x')
            T = np.zeros((7, 7))
            for (p, qq, ev), f in flows.items():
                if x[p] <= 0:
                    raise AssertionError(f"flow out of empty position {POSITIONS[p]} s={s} a={a}")
                r = f / x[p]
                rates[(s, a, p, qq, ev)] = r
                T[p, qq] += r
            rs = T.sum(1)
            if (rs > 1 + 1e-12).any():
                raise AssertionError(f"transition row sum > 1 at s={s} a={a}: {rs.max()}")
            max_rowsum = max(max_rowsum, rs.max())
            T[np.arange(7), np.arange(7)] = 1 - rs
            err = np.abs(x @ T - y).max()
            if err > 1e-9:
                raise AssertionError(f"x.T != y at s={s} a={a}: {err}")
            max_err = max(max_err, err)
    return rates, {"max_err": max_err, "max_rowsum": max_rowsum, "capped": capped}


def rogers_castro(a):
    """Rogers-Castro model migration schedule with standard parameters (synthetic age profile)."""
    a1, alpha1, a2, alpha2, mu2, lambda2, c = 0.02, 0.1, 0.06, 0.1, 20.0, 0.4, 0.003
    a = np.asarray(a, dtype=float)
    return (a1 * np.exp(-alpha1 * a)
            + a2 * np.exp(-alpha2 * (a - mu2) - np.exp(-lambda2 * (a - mu2))) + c)


def derive_migration(gm_pop, r70072):
    """out_rate = k.RC(a), k set so that the 2015 crude out-migration rate of GM0518 (moves to other
    gemeenten + emigration) applied to the 2019 population is reproduced; in_profile = RC x pop,
    normalised over both sexes and all ages."""
    pop15 = float(r70072["TotaleBevolking_1"])
    out_rate15 = (float(r70072["VertrekNaarAndereGemeente_70"]) + float(r70072["Emigratie_75"])) / pop15
    in_rate15 = (float(r70072["VestigingUitAndereGemeente_69"]) + float(r70072["Immigratie_74"])) / pop15
    rc = rogers_castro(AGES)
    total_out = out_rate15 * gm_pop.sum()
    k = total_out / (rc[None, :] * gm_pop).sum()
    out_rate = np.vstack([k * rc, k * rc])
    inp = rc[None, :] * gm_pop
    in_profile = inp / inp.sum()
    return out_rate, in_profile, {"out_rate15": out_rate15, "in_rate15": in_rate15, "k": k,
                                  "total_out": total_out, "pop15": pop15}


def interp_band_profile(values19):
    """19 Vektis classes (0-4 .. 85-89, 90+) -> single ages 0..105, piecewise-linear between
    class mid-points (l+2; 90+ -> 92), clamped."""
    mids = np.arange(19) * 5 + 2.0
    return np.interp(AGES, mids, values19)


def derive_care(cpb, vek23, vek15, nl_pop, gm_pop, wmo_clients):
    ages_cpb = np.minimum(AGES, 99)                            # 99+ used for 99..105
    cpb = cpb.copy()
    cpb["a"] = cpb["age"].astype(str).str.replace("+", "", regex=False).astype(int)
    cpb = cpb.set_index("a").loc[ages_cpb]
    zvw = cpb["zvw_eur"].to_numpy()
    wlz = cpb["wlz_eur"].to_numpy()
    wmo = cpb["wmo_eur"].to_numpy()
    jeugd = cpb["jeugd_eur"].to_numpy()
    # NL 2019 weights; ages 100..105 use the age-99 weights (the NL file stops at 99)
    w = nl_pop[:, np.minimum(AGES, 99)].astype(float)
    # --- Zvw by sex: Vektis 2023 male/female ratio per class, mean over sexes preserved
    v = vek23.copy()
    v["cls"] = v["leeftijdsklasse"].map(band_lower) // 5
    rm = v[v.geslacht == "M"].set_index("cls")["national_rate_per_insured_year"].sort_index().to_numpy()
    rf = v[v.geslacht == "V"].set_index("cls")["national_rate_per_insured_year"].sort_index().to_numpy()
    ratio = (rm / rf)[np.minimum(AGES // 5, 18)]
    zvw_f = zvw * (w[0] + w[1]) / (w[0] * ratio + w[1])
    zvw_m = zvw_f * ratio
    # --- GP contacts: Vektis 2015 consult cost per insured year (tariff per contact, so cost is
    #     proportional to contacts), scaled to an NL population-weighted mean of 5.0
    g = vek15.copy()
    g["cls"] = g["LEEFTIJDSKLASSE"].map(band_lower) // 5
    gp = np.zeros((2, N_AGES))
    for s, code in enumerate(["M", "V"]):
        vals = g[g.GESLACHT == code].set_index("cls")["EUR_PER_VJ_HUISARTS_CONSULT"].sort_index().to_numpy()
        gp[s] = interp_band_profile(vals)
    wnl = nl_pop.astype(float)
    gp *= 5.0 / ((gp[:, :100] * wnl).sum() / wnl.sum())
    # --- Wmo client probability proportional to CPB Wmo spending per inhabitant, scaled to the
    #     38,085 Wmo clients of Den Haag 2019 (KWB WmoClienten_89)
    kw = wmo_clients / (wmo[None, :] * gm_pop).sum()
    wmo_p = kw * wmo
    assert wmo_p.max() <= 1.0
    return {"zvw": np.vstack([zvw_m, zvw_f]), "wlz": wlz, "wmo": wmo, "jeugd": jeugd,
            "gp": gp, "wmo_p": wmo_p, "zvw_ratio": ratio, "cpb_zvw": zvw}


# Zvw care categories (zvw_categories.csv): name -> Vektis 2015 cost columns (without the
# EUR_PER_VJ_ / KOSTEN_ prefix). Every Vektis cost column is in exactly one category (asserted).
ZVW_CATEGORIES = [
    ("gp", ["HUISARTS_INSCHRIJFTARIEF", "HUISARTS_CONSULT", "HUISARTS_MDZ", "HUISARTS_OVERIG",
            "EERSTELIJNS_ONDERSTEUNING"]),
    ("hospital", ["MEDISCH_SPECIALISTISCHE_ZORG", "GERIATRISCHE_REVALIDATIEZORG"]),
    ("pharmacy", ["FARMACIE"]),
    ("district_nursing", ["VERPLEGING_EN_VERZORGING"]),
    ("mental_health", ["SPECIALISTISCHE_GGZ", "GENERALISTISCHE_BASIS_GGZ", "LANGDURIGE_GGZ"]),
    ("aids", ["HULPMIDDELEN"]),
    ("dental", ["MONDZORG"]),
    ("paramedical", ["PARAMEDISCHE_ZORG_FYSIOTHERAPIE", "PARAMEDISCHE_ZORG_OVERIG"]),
    ("maternity", ["KRAAMZORG", "VERLOSKUNDIGE_ZORG"]),
    ("transport", ["ZIEKENVERVOER_ZITTEND", "ZIEKENVERVOER_LIGGEND"]),
    ("other", ["GRENSOVERSCHRIJDENDE_ZORG", "OVERIG"]),
]
ZVW_CAT_NAMES = [c for c, _ in ZVW_CATEGORIES]
# The 2015 GGZ columns have no row in the Vektis 2023 category mapping (the GGZ cost columns were
# redefined with the 2022 GGZ financing reform); for the 2015-vs-2023 check they go to its GGZ category.
VEK23_GGZ_CATEGORY = "Mental health (GGZ)"


def derive_zvw_categories(vek15):
    """Split of Zvw spending over ZVW_CATEGORIES by sex x single age: Vektis 2015 national cost per
    insured year by sex x 5-year class, summed per category, as shares per class; shares
    interpolated piecewise-linearly between class mid-points (l+2; 90+ -> 92; clamped, so ages
    0-2 take the 0-4 shares and ages >= 92 the 90+ shares); renormalised; rounded to 1e-10 with
    rows summing to exactly 1. Also returns the national 2015 shares (weighted by insured years)."""
    pre = "EUR_PER_VJ_"
    cost_cols = [c for c in vek15.columns if c.startswith(pre) and c != pre + "TOTAAL"]
    assigned = [pre + col for _, cols in ZVW_CATEGORIES for col in cols]
    assert len(assigned) == len(set(assigned)), "Zvw categories: a Vektis column is in two categories"
    assert sorted(assigned) == sorted(cost_cols), \
        f"Zvw categories do not cover the Vektis cost columns exactly: {sorted(set(cost_cols) ^ set(assigned))}"
    assert len(cost_cols) == 22
    g = vek15.copy()
    g["cls"] = g["LEEFTIJDSKLASSE"].map(band_lower) // 5
    # the 22 columns add up to the total (each is rounded to cents in the derived file)
    assert (g[cost_cols].sum(1) - g[pre + "TOTAAL"]).abs().max() < 0.05
    assert (g[cost_cols].to_numpy() >= 0).all()
    cls_cost = np.zeros((2, 19, len(ZVW_CATEGORIES)))               # EUR per insured year
    vj = np.zeros((2, 19))
    for s, code in enumerate(["M", "V"]):
        d = g[g.GESLACHT == code].set_index("cls").sort_index()
        assert list(d.index) == list(range(19)), "Vektis 2015: expected 19 classes per sex"
        vj[s] = d["AANTAL_VERZEKERDEJAREN"].to_numpy()
        for c, (_, cols) in enumerate(ZVW_CATEGORIES):
            cls_cost[s, :, c] = d[[pre + col for col in cols]].sum(1).to_numpy()
    cls_share = cls_cost / cls_cost.sum(-1, keepdims=True)
    sh = np.zeros((2, N_AGES, len(ZVW_CATEGORIES)))
    for s in range(2):
        for c in range(len(ZVW_CATEGORIES)):
            sh[s, :, c] = interp_band_profile(cls_share[s, :, c])
    shares = round_shares(sh)
    nat_cost = (cls_cost * vj[..., None]).sum((0, 1))
    return {"shares": shares, "cls_share": cls_share, "nl2015": nat_cost / nat_cost.sum(),
            "total2015": nat_cost.sum()}


def zvw_mix_2015_vs_2023(vek15, map23, cat23):
    """National Zvw cost shares 2015 vs 2023 on the Vektis 2023 category grouping (the 2023 tables
    have categories per gemeente, no age detail). Each 2015 column goes to the 2023 category of the
    mapping row whose (truncated) column name it starts with; the three 2015 GGZ columns, which the
    2023 mapping lacks, go to its GGZ category. 2023 national = sum over gemeenten (rest row excluded)."""
    pre = "EUR_PER_VJ_"
    cost_cols = [c for c in vek15.columns if c.startswith(pre) and c != pre + "TOTAAL"]
    cat_of = {}
    for col in cost_cols:
        name = "kosten_" + col[len(pre):].lower()
        hit = map23[[name.startswith(m) for m in map23.source_cost_column]]
        if len(hit) == 0 and name.endswith("_ggz"):
            cat_of[col] = VEK23_GGZ_CATEGORY
        else:
            assert len(hit) == 1, f"Vektis 2023 mapping: {len(hit)} rows for {col}"
            cat_of[col] = hit.care_category.iloc[0]
    cats = sorted(map23.care_category.unique())
    assert set(cat23.care_category) == set(cats) and VEK23_GGZ_CATEGORY in cats
    vj = vek15["AANTAL_VERZEKERDEJAREN"].to_numpy()
    c15 = {k: 0.0 for k in cats}
    for col in cost_cols:
        c15[cat_of[col]] += float((vek15[col].to_numpy() * vj).sum())
    t15 = sum(c15.values())
    g23 = cat23.groupby("care_category").actual_cost.sum()
    t23 = float(g23.sum())
    per_gm = cat23.groupby("gemeentenaam").municipality_actual_cost.first().sum()
    assert abs(per_gm / t23 - 1) < 1e-9, "Vektis 2023: categories do not add up to the gemeente totals"
    ours = {pre + col: name for name, cols in ZVW_CATEGORIES for col in cols}
    rows = []
    for k in cats:
        mine = sorted({ours[col] for col in cost_cols if cat_of[col] == k}, key=ZVW_CAT_NAMES.index)
        only23 = [m for m, c in zip(map23.source_cost_column, map23.care_category)
                  if c == k and not any(("kosten_" + col[len(pre):].lower()).startswith(m) for col in cost_cols)]
        cols15 = [col[len(pre):] for col in cost_cols if cat_of[col] == k]
        rows.append({"cat23": k, "ours": mine, "cols15": cols15, "only23": only23,
                     "s15": c15[k] / t15, "s23": float(g23[k]) / t23})
    return {"rows": rows, "total2015": t15, "total2023": t23, "n_gm": cat23.gemeentenaam.nunique()}


# ----------------------------------------------------------------------------------------------
# Area population (datasets)
# ----------------------------------------------------------------------------------------------
def fit_buurt_age_sex(seed, n_total, sex_counts, band_counts):
    """IPF of a sex x single-age table (seed: gemeente table) to the buurt margins: men/women and
    the 5 KWB age bands. CBS rounds buurt figures to 5, so both margins are first rescaled to the
    buurt total."""
    sex_t = np.asarray(sex_counts, float)
    band_t = np.asarray(band_counts, float)
    sex_t = sex_t * n_total / sex_t.sum() if sex_t.sum() > 0 else np.full(2, n_total / 2)
    band_t = band_t * n_total / band_t.sum() if band_t.sum() > 0 else band_t
    x = seed.astype(float).copy()
    for it in range(5000):
        bs = np.bincount(KWB_BAND_OF_AGE, weights=x.sum(0), minlength=5)
        f = np.divide(band_t, bs, out=np.zeros(5), where=bs > 0)
        x *= f[KWB_BAND_OF_AGE][None, :]
        ss = x.sum(1)
        x *= np.divide(sex_t, ss, out=np.zeros(2), where=ss > 0)[:, None]
        bdev = np.abs(np.bincount(KWB_BAND_OF_AGE, weights=x.sum(0), minlength=5) - band_t).max()
        if bdev < 1e-9:
            break
    sdev = np.abs(x.sum(1) - sex_t).max()
    return x, {"sex_dev": float(sdev), "band_dev": float(bdev)}


def position_targets(row, n_total, seed_pos, hh):
    """Buurt position totals from KWB households (see docs); child/other/institution keep the seed's
    totals; all seven rescaled to the buurt total."""
    h_one = float(row["Eenpersoonshuishoudens_29"])
    h_nokids = float(row["HuishoudensZonderKinderen_30"])
    h_kids = float(row["HuishoudensMetKinderen_31"])
    # multi-person households without children (55,800) = couples without children (53,679) + other
    multi_nokids = hh["total"] - hh["one_person"] - hh["couples_with_children"] - hh["single_parent"]
    share_couple_nokids = hh["couples_without_children"] / multi_nokids
    share_couple_kids = hh["couples_with_children"] / (hh["couples_with_children"] + hh["single_parent"])
    t = seed_pos.copy()
    t[AL] = h_one
    t[PNC] = 2.0 * h_nokids * share_couple_nokids
    t[PWC] = 2.0 * h_kids * share_couple_kids
    t[SP] = h_kids * (1.0 - share_couple_kids)
    if t.sum() > 0:
        t *= n_total / t.sum()
    return t


def fit_buurt_positions(table, shares, targets):
    """IPF of (sex, age) x position: seed = table x household_positions shares; margins = the
    (sex, age) table and the buurt position targets. Ends on the (sex, age) step so the age/sex
    structure is exact."""
    seed = (table[:, :, None] * shares).reshape(2 * N_AGES, 7)
    x, dev, it = ipf_rows_cols(seed, table.reshape(-1), targets, tol=1e-8)
    return x.reshape(2, N_AGES, 7), dev


def implied_households(pos_counts, other_hh_per_member):
    """Households implied by persons by position (pos_counts: last axis = 7 positions)."""
    p = np.asarray(pos_counts, float)
    return (p[..., AL] + p[..., PNC] / 2 + p[..., PWC] / 2 + p[..., SP]
            + p[..., OM] * other_hh_per_member)


def population_rows(area_codes, X):
    """X: [n_areas, 2, 106, 7] integer persons -> CSV rows, zero rows omitted, sorted by area,
    sex (male first), age."""
    rows = []
    for i in np.argsort(np.asarray(area_codes), kind="stable"):
        for s in range(2):
            for a in range(N_AGES):
                v = X[i, s, a]
                if v.any():
                    rows.append([area_codes[i], SEXES[s], a] + [int(t) for t in v])
    return rows


def build_dhzw(kwb, pc6, names, gm_pop, shares, hh):
    """Default dataset: 1,816 PC6 areas of Den Haag Zuid-West, persons by sex x age x position."""
    buurten = sorted(pc6.buurt.unique())
    kb = kwb.set_index("Codering_3").loc[buurten]
    seed = gm_pop.astype(float)
    areas_all, X_all, fitlog = [], [], []
    area_rows = []
    for b in buurten:
        row = kb.loc[b]
        n_b = int(row["AantalInwoners_5"])
        # (a) sex x age
        tab, dev_a = fit_buurt_age_sex(seed, n_b, [row["Mannen_6"], row["Vrouwen_7"]],
                                       [row[c] for c in KWB_BAND_COLS])
        # (b) positions
        seed_pos = (tab[:, :, None] * shares).sum((0, 1))
        targ = position_targets(row, n_b, seed_pos, hh)
        fitted, dev_b = fit_buurt_positions(tab, shares, targ)
        # (c) split over PC6 in proportion to addresses, (d) integerise
        sub = pc6[pc6.buurt == b].sort_values("area")
        addr = sub.addresses.to_numpy().astype(float)
        R = largest_remainder(n_b * addr / addr.sum(), n_b)
        Cc = largest_remainder(fitted.reshape(-1), n_b)
        M = np.outer(R, Cc).astype(float) / n_b if n_b > 0 else np.zeros((len(R), Cc.size))
        # seeded per buurt (digits of the code) -> deterministic, independent of buurt order
        Xi, fb, lvl = controlled_round(M, R, Cc, rng=np.random.default_rng(int(b[2:])))
        X_all.append(Xi.reshape(len(R), 2, N_AGES, 7))
        areas_all.extend(sub.area.tolist())
        # dwellings: buurt stock split in proportion to addresses (modelled)
        dw = largest_remainder(float(row["Woningvoorraad_34"]) * addr / addr.sum(),
                               int(row["Woningvoorraad_34"]))
        wijk = "WK" + b[2:8]
        for (pc, ad, d) in zip(sub.area, sub.addresses, dw):
            area_rows.append([pc, b, names[b], wijk, GM_CODE, GM_NAME, pc[:4], int(ad), int(d)])
        fitlog.append({"buurt": b, "name": names[b], "n": n_b, "sex_dev": dev_a["sex_dev"],
                       "band_dev": dev_a["band_dev"], "pos_dev": dev_b, "targets": targ,
                       "fitted_pos": fitted.sum((0, 1)), "fallback": fb,
                       "households_kwb": float(row["HuishoudensTotaal_28"])})
    X = np.concatenate(X_all, axis=0)
    area_rows.sort(key=lambda r: r[0])
    return areas_all, X, area_rows, fitlog


def build_denhaag(kwb, gm_pop, shares, hh):
    """All buurten of Den Haag: 2-D IPF buurt x (sex, age) to rescaled buurt totals and the
    gemeente single-age table, then positions per buurt, then controlled rounding."""
    kb = kwb[kwb.SoortRegio_2 == "Buurt"].sort_values("Codering_3").reset_index(drop=True)
    codes = kb.Codering_3.tolist()
    nb = len(codes)
    n_raw = kb["AantalInwoners_5"].to_numpy().astype(float)
    g_total = int(gm_pop.sum())
    n_scaled = n_raw * g_total / n_raw.sum()
    seed = gm_pop.astype(float)
    base = np.zeros((nb, 2, N_AGES))
    for i, row in kb.iterrows():
        if n_raw[i] > 0:
            base[i], _ = fit_buurt_age_sex(seed, n_scaled[i], [row["Mannen_6"], row["Vrouwen_7"]],
                                           [row[c] for c in KWB_BAND_COLS])
    X2, dev2, it2 = ipf_rows_cols(base.reshape(nb, -1), n_scaled, gm_pop.reshape(-1).astype(float),
                                  tol=1e-7)
    X2 = X2.reshape(nb, 2, N_AGES)
    # buurt margins after the 2-D fit vs KWB (information)
    sex_dev = band_dev = 0.0
    for i, row in kb.iterrows():
        if n_raw[i] <= 0:
            continue
        st = np.array([row["Mannen_6"], row["Vrouwen_7"]], float)
        st *= n_scaled[i] / st.sum()
        bt = np.array([row[c] for c in KWB_BAND_COLS], float)
        bt *= n_scaled[i] / bt.sum()
        sex_dev = max(sex_dev, np.abs(X2[i].sum(1) - st).max())
        band_dev = max(band_dev, np.abs(np.bincount(KWB_BAND_OF_AGE, weights=X2[i].sum(0), minlength=5) - bt).max())
    # positions per buurt
    P = np.zeros((nb, 2, N_AGES, 7))
    pos_dev = 0.0
    for i, row in kb.iterrows():
        if n_raw[i] <= 0:
            continue
        seed_pos = (X2[i][:, :, None] * shares).sum((0, 1))
        targ = position_targets(row, n_scaled[i], seed_pos, hh)
        P[i], d = fit_buurt_positions(X2[i], shares, targ)
        pos_dev = max(pos_dev, d)
    # integer targets: buurt totals (largest remainder to 537,833), (sex, age, position) cells
    # rounded within each (sex, age) so that the 03759ned single-age counts are exact
    R = largest_remainder(n_scaled, g_total)
    cell = P.sum(0)                                            # [2, 106, 7]
    Cc = np.zeros_like(cell, dtype=np.int64)
    for s in range(2):
        for a in range(N_AGES):
            Cc[s, a] = largest_remainder(cell[s, a] * gm_pop[s, a] / max(cell[s, a].sum(), 1e-300),
                                         int(gm_pop[s, a]))
    M, _, _ = ipf_rows_cols(P.reshape(nb, -1), R.astype(float), Cc.reshape(-1).astype(float), tol=1e-8)
    Xi, fb, lvl = controlled_round(M, R, Cc.reshape(-1))
    X = Xi.reshape(nb, 2, N_AGES, 7)
    area_rows = []
    for i, row in kb.iterrows():
        b = codes[i]
        pc4 = row["MeestVoorkomendePostcode_113"]
        pc4 = "" if pd.isna(pc4) else str(int(pc4))
        area_rows.append([b, b, "", "WK" + b[2:8], GM_CODE, GM_NAME, pc4, "", int(row["Woningvoorraad_34"])])
    fit = {"ipf2d_col_dev": dev2, "ipf2d_iter": it2, "sex_dev": sex_dev, "band_dev": band_dev,
           "pos_dev": pos_dev, "n_raw_total": n_raw.sum(), "fallback": fb, "n_buurten": nb,
           "n_empty": int((n_raw == 0).sum()), "households_kwb": kb["HuishoudensTotaal_28"].sum(),
           "P": P}
    return codes, X, area_rows, fit


WMO_MIN_MODELLED = 20.0            # below this many modelled clients a buurt keeps factor 1
WMO_FACTOR_RANGE = (0.25, 4.0)     # calibration factors are clamped to this range


def derive_wmo_factors(area_codes, area_buurt, X, wmo_p, kwb):
    """Wmo client factor per buurt = real KWB WmoClienten_89 / modelled clients, where modelled =
    persons outside institutions (population X [n_areas, 2, 106, 7]) x wmo_p [2, 106] (the values
    as written in care.csv), summed over the buurt's areas. Factor 1 where the KWB figure is
    missing (secret/empty) or the modelled count is below WMO_MIN_MODELLED; else clamped to
    WMO_FACTOR_RANGE. Returns (per-area factor strings, per-buurt records sorted by code)."""
    kb = kwb.set_index("Codering_3")
    home = X[..., :INST].sum(-1).astype(float)                     # [n_areas, 2, 106]
    per_area = (home * wmo_p[None, :, :]).sum((1, 2))
    buurten = sorted(set(area_buurt))
    modelled = {b: 0.0 for b in buurten}
    for b, m in zip(area_buurt, per_area):
        modelled[b] += m
    lo, hi = WMO_FACTOR_RANGE
    recs = {}
    for b in buurten:
        real = kb.loc[b, "WmoClienten_89"]
        real = None if pd.isna(real) else float(real)
        m = modelled[b]
        if real is None:
            f, note = 1.0, "KWB figure missing (secret)"
        elif m < WMO_MIN_MODELLED:
            f, note = 1.0, f"modelled < {WMO_MIN_MODELLED:.0f}"
        else:
            raw = real / m
            f = min(max(raw, lo), hi)
            note = f"clamped (raw {raw:.4f})" if f != raw else ""
        fs = fmt8(f)
        recs[b] = {"buurt": b, "n": int(kb.loc[b, "AantalInwoners_5"]), "real": real, "modelled": m,
                   "woz": float(kb.loc[b, "GemiddeldeWoningwaarde_35"]),
                   "per1000": float(kb.loc[b, "WmoClientenRelatief_90"]),
                   "factor_str": fs, "factor": float(fs), "after": m * float(fs), "note": note}
    return [recs[b]["factor_str"] for b in area_buurt], [recs[b] for b in buurten]


def wmo_totals(recs):
    """Totals of the per-buurt records: real (buurten with a KWB figure), modelled before/after."""
    with_real = [r for r in recs if r["real"] is not None]
    return {"real": sum(r["real"] for r in with_real),
            "modelled_with_real": sum(r["modelled"] for r in with_real),
            "after_with_real": sum(r["after"] for r in with_real),
            "before": sum(r["modelled"] for r in recs), "after": sum(r["after"] for r in recs),
            "n": len(recs), "n_real": len(with_real),
            "n_missing": sum(1 for r in recs if r["real"] is None),
            "n_small": sum(1 for r in recs if r["note"].startswith("modelled <")),
            "clamped": [r for r in recs if r["note"].startswith("clamped")],
            "n_calibrated": sum(1 for r in recs if r["note"] == "")}


# ----------------------------------------------------------------------------------------------
# Writers for the rate set
# ----------------------------------------------------------------------------------------------
def write_rates(out_dir, q, fert, shares, trans, mig, care):
    os.makedirs(out_dir, exist_ok=True)
    n = {}
    n["mortality.csv"] = write_csv(os.path.join(out_dir, "mortality.csv"), ["age", "male", "female"],
                                   [[a, fmt8(q[0, a]), fmt8(q[1, a])] for a in AGES])
    ages, asfr = fert
    n["fertility.csv"] = write_csv(os.path.join(out_dir, "fertility.csv"), ["age", "asfr"],
                                   [[a, fmt8(v)] for a, v in zip(ages, asfr)])
    n["household_positions.csv"] = write_csv(
        os.path.join(out_dir, "household_positions.csv"), ["sex", "age"] + POSITIONS,
        [[SEXES[s], a] + [f"{shares[s, a, p]:.10f}" for p in range(7)]
         for s in range(2) for a in AGES])
    keys = sorted((k for k, r in trans.items() if r > 0),
                  key=lambda k: (k[0], k[1], k[2], k[3], EVENTS.index(k[4])))
    n["household_transitions.csv"] = write_csv(
        os.path.join(out_dir, "household_transitions.csv"), ["sex", "age", "event", "from", "to", "rate"],
        [[SEXES[k[0]], k[1], k[4], POSITIONS[k[2]], POSITIONS[k[3]], fmt12(trans[k])] for k in keys])
    out_rate, in_profile = mig
    n["migration.csv"] = write_csv(
        os.path.join(out_dir, "migration.csv"),
        ["age", "out_rate_male", "out_rate_female", "in_profile_male", "in_profile_female"],
        [[a, fmt8(out_rate[0, a]), fmt8(out_rate[1, a]), fmt8(in_profile[0, a]), fmt8(in_profile[1, a])]
         for a in AGES])
    n["care.csv"] = write_csv(
        os.path.join(out_dir, "care.csv"),
        ["sex", "age", "gp_contacts", "wmo_client_probability", "zvw_eur", "wlz_eur", "wmo_eur", "jeugd_eur"],
        [[SEXES[s], a, fmt8(care["gp"][s, a]), fmt8(care["wmo_p"][a]), fmt8(care["zvw"][s, a]),
          fmt8(care["wlz"][a]), fmt8(care["wmo"][a]), fmt8(care["jeugd"][a])]
         for s in range(2) for a in AGES])
    n["wmo_services.csv"] = care_services.write_wmo_services(out_dir, SEXES, AGES, write_csv, fmt8)
    return n


def write_zvw_categories(path, zcat):
    return write_csv(path, ["sex", "age"] + ZVW_CAT_NAMES,
                     [[SEXES[s], a] + [f"{zcat['shares'][s, a, c]:.10f}" for c in range(len(ZVW_CAT_NAMES))]
                      for s in range(2) for a in AGES])


def write_rates_yaml(path, sc):
    lines = [
        "# socialtwin rate set denhaag-2019: scalar parameters (generated by data/prepare/prepare_data.py)",
        f"reference_year: {REF_YEAR}  # year; population and household positions refer to 1 Jan 2019",
        f"price_year: 2022  # year; price level of all EUR amounts in care.csv (CPB 2022)",
        f"sex_ratio_at_birth_male_share: {sc['srb']}  # share of boys among live births; assumption 0.512 (CBS NL births by sex not in the source tables; NL age-0 cohort on 1 Jan 2019 gives {sc['srb_proxy']:.4f})",
        f"in_migrants_per_inhabitant: {fmt8(sc['in_rate'])}  # in-migrants per inhabitant per year; CBS 70072ned 2015 GM0518 (VestigingUitAndereGemeente_69 + Immigratie_74) / TotaleBevolking_1",
        f"out_migrants_per_inhabitant: {fmt8(sc['out_rate'])}  # information only (migration.csv holds the age-specific rates); CBS 70072ned 2015 GM0518 (VertrekNaarAndereGemeente_70 + Emigratie_75) / TotaleBevolking_1",
        f"internal_moves_per_inhabitant: {fmt8(sc['moves'])}  # moves to another dwelling inside the municipality per inhabitant per year (moves between areas: the migration model gives them the out-migration age profile); CBS 70072ned 2015 GM0518 VerhuismobiliteitRelatief_73 {sc['mobility']:.1f} per 1,000 (moves within the gemeente plus departures) minus VertrekNaarAndereGemeente_70 / TotaleBevolking_1",
        f"gp_contacts_per_fte: {fmt8(sc['gp_per_fte'])}  # GP contacts per GP FTE per year = 5.0 contacts per person / (4.3 FTE per 10,000 inhabitants); domain.md",
        f"persons_per_household_gemeente: {fmt8(sc['pph'])}  # persons per household; GM0518 1 Jan 2019: 537,833 persons (71488ned, incl. institutions) / 263,371 households (71486ned)",
        f"persons_per_private_household_gemeente: {fmt8(sc['pph_private'])}  # persons in private households (modelled: 537,833 minus modelled institution residents) / 263,371 households",
        f"other_households_per_other_member: {fmt8(sc['ohpom'])}  # 'other' households per other_member person; GM0518: 2,121 other households (71486ned: 263,371 - 125,380 - 53,679 - 57,442 - 24,749) / {sc['other_members']:.0f} modelled other_member persons",
        f"zvw_cost_factor: {fmt8(sc['zvw_scr'])}  # x national age-sex level (1 = Zvw cost per insured year at the NL 2023 rates for Den Haag's own age-sex mix); Vektis Zvw 2023 gemeente, standardised cost ratio scr (actual / expected cost, indirect age-sex standardisation) of row {sc['zvw_scr_name']!r} in municipality_benchmark.csv: EUR {sc['zvw_actual']:,.0f} / {sc['zvw_expected']:,.0f}, {sc['zvw_insured']:,.0f} insured years; Bron: Vektis. The engine multiplies care.csv zvw_eur (the national CPB level) by it",
        "",
    ]
    write_text(path, "\n".join(lines))
    return sum(1 for ln in lines if ln and not ln.startswith("#"))


def write_dataset_yaml(path, name, title, description, area_level, total, n_areas, tables, method, modelled,
                       reference_year=REF_YEAR, rates="denhaag-2019", levels=("buurt", "wijk", "gemeente")):
    lines = [
        f"name: {name}",
        f"title: {yq(title)}",
        f"description: {yq(description)}",
        f"reference_date: {reference_year}-01-01",
        f"base_year: {reference_year}",
        f"area_level: {area_level}",
        f"rates: ../../rates/{rates}",
        f"population_total: {total}",
        f"areas: {n_areas}",
        f"levels: [{', '.join(levels)}]",
        "provenance:",
        f"  publisher: {yq('CBS (Centraal Bureau voor de Statistiek)')}",
        f"  licence: {yq('CC BY 4.0, Bron: CBS')}",
        "  tables:",
    ] + [f"    - {yq(t)}" for t in tables] + [
        f"  method: {yq(method)}",
        f"  modelled: {yq(modelled)}",
        "",
    ]
    write_text(path, "\n".join(lines))


# ----------------------------------------------------------------------------------------------
# Self-check: re-read the written files and assert the invariants
# ----------------------------------------------------------------------------------------------
def check_wmo_factors(d, kwb, wmo_p):
    """areas.csv wmo_client_factor: one value per buurt, within the range, = KWB / modelled where
    calibrated (modelled recomputed from the written population.csv and care.csv)."""
    ar = pd.read_csv(os.path.join(d, "areas.csv"), dtype={"area": str, "buurt": str})
    assert "wmo_client_factor" in ar.columns, "areas.csv lacks wmo_client_factor"
    f = ar.groupby("buurt").wmo_client_factor
    assert (f.nunique() == 1).all(), "wmo_client_factor differs within a buurt"
    lo, hi = WMO_FACTOR_RANGE
    assert ar.wmo_client_factor.between(lo, hi).all(), "wmo_client_factor outside its range"
    pop = pd.read_csv(os.path.join(d, "population.csv"), dtype={"area": str})
    p = wmo_p.set_index(["sex", "age"]).wmo_client_probability
    clients = pop[POSITIONS[:INST]].sum(1).to_numpy() * p.reindex(pd.MultiIndex.from_arrays([pop.sex, pop.age])).to_numpy()
    modelled = pd.Series(clients).groupby(pop.area.map(dict(zip(ar.area, ar.buurt))).to_numpy()).sum()
    real = kwb.set_index("Codering_3").WmoClienten_89
    for b, fb in f.first().items():
        m, r = float(modelled.get(b, 0.0)), real.get(b)
        if pd.isna(r) or m < WMO_MIN_MODELLED:
            assert fb == 1.0, f"{b}: factor {fb}, expected 1"
        elif lo < r / m < hi:
            assert abs(m * fb - r) <= 1e-6 * r, f"{b}: modelled x factor != KWB Wmo clients"
        else:
            assert fb == (lo if r / m <= lo else hi), f"{b}: factor not clamped"


def check_rate_set(rd):
    """Invariants of a written rate set: position shares, x.T = y, rate bounds, profiles, Zvw categories.
    Returns care.csv as read."""
    hp = pd.read_csv(os.path.join(rd, "household_positions.csv"))
    assert list(hp.columns) == ["sex", "age"] + POSITIONS
    assert len(hp) == 2 * N_AGES
    assert np.abs(hp[POSITIONS].sum(1) - 1).max() < 1e-9, "shares do not sum to 1"
    assert (hp[POSITIONS].to_numpy() >= 0).all()
    tr = pd.read_csv(os.path.join(rd, "household_transitions.csv"))
    assert ((tr.rate > 0) & (tr.rate <= 1)).all(), "transition rate outside (0,1]"
    assert set(tr.event) <= set(EVENTS)
    for s, sex in enumerate(SEXES):
        h = hp[hp.sex == sex].set_index("age")[POSITIONS].to_numpy()
        t = tr[tr.sex == sex]
        for a in range(MAX_AGE):
            T = np.zeros((7, 7))
            ta = t[t.age == a]
            for f, to, r in zip(ta["from"], ta["to"], ta["rate"]):
                T[POSITIONS.index(f), POSITIONS.index(to)] += r
            rs = T.sum(1)
            assert (rs <= 1 + 1e-12).all(), "row sum > 1"
            T[np.arange(7), np.arange(7)] = 1 - rs
            assert np.abs(h[a] @ T - h[a + 1]).max() < 1e-9, f"x.T != y for {sex} {a}"
        assert not (t.age == MAX_AGE).any()
    for fn, cols in [("mortality.csv", ["male", "female"]), ("fertility.csv", ["asfr"]),
                     ("migration.csv", ["out_rate_male", "out_rate_female", "in_profile_male", "in_profile_female"]),
                     ("care.csv", ["wmo_client_probability"])]:
        d = pd.read_csv(os.path.join(rd, fn))
        assert ((d[cols] >= 0) & (d[cols] <= 1)).all().all(), f"rate outside [0,1] in {fn}"
    mig = pd.read_csv(os.path.join(rd, "migration.csv"))
    assert abs(mig.in_profile_male.sum() + mig.in_profile_female.sum() - 1) < 1e-6
    care = pd.read_csv(os.path.join(rd, "care.csv"))
    assert (care.drop(columns=["sex"]).to_numpy() >= 0).all()
    zc = pd.read_csv(os.path.join(rd, "zvw_categories.csv"))
    assert list(zc.columns) == ["sex", "age"] + ZVW_CAT_NAMES, "zvw_categories.csv columns"
    assert list(zc.sex) == [sx for sx in SEXES for _ in AGES] and list(zc.age) == list(AGES) * 2
    assert (zc[ZVW_CAT_NAMES].to_numpy() >= 0).all(), "negative Zvw category share"
    assert np.abs(zc[ZVW_CAT_NAMES].sum(1) - 1).max() < 1e-9, "Zvw category shares do not sum to 1"
    return care


def self_check(out, gm_pop, kwb, pc6, zvw_scr):
    rd = os.path.join(out, "rates", "denhaag-2019")
    z = os.path.join(out, "datasets", "denhaag-zuidwest-2019")
    dh = os.path.join(out, "datasets", "denhaag-2019")
    care = check_rate_set(rd)
    for d, total, n_areas in [(z, 84880, 1816), (dh, 537833, None)]:
        ar = pd.read_csv(os.path.join(d, "areas.csv"), dtype={"area": str, "pc4": str})
        pop = pd.read_csv(os.path.join(d, "population.csv"), dtype={"area": str})
        assert list(pop.columns) == ["area", "sex", "age"] + POSITIONS
        assert (pop[POSITIONS].to_numpy() >= 0).all(), "negative count"
        assert int(pop[POSITIONS].to_numpy().sum()) == total, f"total != {total}"
        assert set(pop.area) <= set(ar.area)
        assert ar.area.is_unique
        if n_areas is not None:
            assert len(ar) == n_areas, "expected 1,816 PC6 areas"
    # Zuid-West: buurt totals = KWB, PC6 totals = largest remainder of the address share
    kb = kwb.set_index("Codering_3")
    zp = pd.read_csv(os.path.join(z, "population.csv"), dtype={"area": str})
    per_area = zp.groupby("area")[POSITIONS].sum().sum(1)
    for b, sub in pc6.groupby("buurt"):
        n_b = int(kb.loc[b, "AantalInwoners_5"])
        sub = sub.sort_values("area")
        got = per_area.reindex(sub.area).fillna(0).astype(int).to_numpy()
        want = largest_remainder(n_b * sub.addresses.to_numpy() / sub.addresses.sum(), n_b)
        assert (got == want).all(), f"PC6 totals of {b} differ from the address split"
    za = pd.read_csv(os.path.join(z, "areas.csv"), dtype={"area": str})
    dw = za.groupby("buurt").dwellings.sum()
    assert all(dw[b] == int(kb.loc[b, "Woningvoorraad_34"]) for b in dw.index), "dwellings do not add up"
    # Wmo client factors of both datasets; Zvw cost factor in rates.yaml
    for d in (z, dh):
        check_wmo_factors(d, kwb, care)
    zvw = [ln for ln in open(os.path.join(rd, "rates.yaml"), encoding="utf-8") if ln.startswith("zvw_cost_factor:")]
    assert len(zvw) == 1 and abs(float(zvw[0].split("#")[0].split(":")[1]) / zvw_scr - 1) < 1e-7, "zvw_cost_factor"
    # Den Haag: every (sex, age) total equals 03759ned
    dp = pd.read_csv(os.path.join(dh, "population.csv"), dtype={"area": str})
    sa = dp.groupby(["sex", "age"])[POSITIONS].sum().sum(1)
    for s, sex in enumerate(SEXES):
        for a in AGES:
            assert int(sa.get((sex, a), 0)) == gm_pop[s, a], f"(sex, age) total differs: {sex} {a}"
    return True


# ----------------------------------------------------------------------------------------------
# Provenance texts (figures filled in from this run)
# ----------------------------------------------------------------------------------------------
def describe_capped(capped):
    """'male single_parent at ages 15-35' style summary of where the churn cap binds."""
    groups = {}
    for (s, a, q, inflow, cap) in capped:
        groups.setdefault((s, q), []).append(a)
    parts = [f"{SEXES[s]} {POSITIONS[q]} at ages {min(v)}–{max(v)} ({len(v)} ages)"
             for (s, q), v in sorted(groups.items())]
    return "; ".join(parts) if parts else "no age"


ZVW_CAT_AGES = [0, 20, 30, 40, 65, 85, 95]       # ages shown in PROVENANCE.md


def provenance_zvw_categories(z, mix):
    """Section of the rate set's PROVENANCE.md on zvw_categories.csv (figures of this run)."""
    nat = "\n".join(
        f"| {c} | {', '.join(cols)} | {z['nl2015'][i]:.2%} | {z['implied'][i]:.2%} |"
        for i, (c, cols) in enumerate(ZVW_CATEGORIES))
    ages = "\n".join(
        f"| {SEXES[s]} | {a} | " + " | ".join(f"{z['shares'][s, a, c]:.1%}" for c in range(len(ZVW_CAT_NAMES))) + " |"
        for s in range(2) for a in ZVW_CAT_AGES)
    rows = "\n".join(
        f"| {r['cat23']} | {', '.join(r['ours'])} | {', '.join(r['cols15'])} | {', '.join(r['only23']) or '–'} | "
        f"{r['s15']:.2%} | {r['s23']:.2%} | {100 * (r['s23'] - r['s15']):+.2f} |" for r in mix["rows"])
    big = sorted(mix["rows"], key=lambda r: -abs(r["s23"] - r["s15"]))[:4]
    big_txt = ", ".join(f"{r['cat23']} {100 * (r['s23'] - r['s15']):+.1f}" for r in big)
    return f"""## zvw_categories.csv
`sex,age,{','.join(ZVW_CAT_NAMES)}` = share of the Zvw spending per person of that sex and age
(care.csv `zvw_eur`) that falls in each care category; rows sum to 1 (values rounded to 1e-10, largest entry
adjusted); zvw_eur × share = EUR per person per year in the category. **Modelled** from Vektis Zvw 2015
(Bron: Vektis): national cost per insured year by sex × 5-year class
(`derived_nl_zvw_cost_per_insured_year_by_sex_age5_2015.csv`, rest row excluded, values in whole cents), the
22 cost columns grouped into the 11 categories below (the script asserts that every column is in exactly one);
shares per class; piecewise-linear between class mid-points (l+2; 90+ → 92), so ages 0–2 take the 0–4 shares
and ages 92–105 the 90+ shares; renormalised.
**Assumption:** the 2015 category mix is applied to the 2022 CPB Zvw level, i.e. the mix within the Zvw is
taken to have changed little between 2015 and 2022. Wijkverpleging (district nursing) was already in the
Zvw in 2015: it moved from the AWBZ to the Zvw on 1 January 2015, so 2015 is its first Zvw year.

| category | Vektis 2015 cost columns | NL 2015 | implied at the CPB 2022 level |
|---|---|---|---|
{nat}

NL 2015 = national cost per category / all 22 columns (EUR {z['total2015'] / 1e9:.2f} bn, insured-year weighted).
Implied = the single-age shares of this file weighted with care.csv zvw_eur × NL 2019 population (ages 0–99):
the mix the file gives the Netherlands on the CPB age profile.

Shares at selected ages:

| sex | age | {' | '.join(ZVW_CAT_NAMES)} |
|---|---|{'---|' * len(ZVW_CAT_NAMES)}
{ages}

National check of the mix, 2015 vs 2023 (**check only, not used**: the Vektis 2023 derived tables give the
categories per gemeente without age detail). 2023 = `category_breakdown_all_municipalities.csv` summed over
its {mix['n_gm']} gemeenten (EUR {mix['total2023'] / 1e9:.2f} bn, rest row excluded). The 2023 grouping differs from
ours, so the 2015 columns are regrouped to it with `category_mapping.csv` (the 2015 GGZ columns, absent from
the 2023 mapping, to its GGZ category); "2023 only" = 2023 cost columns without a 2015 counterpart.

| Vektis 2023 category | socialtwin categories | 2015 columns | 2023 only | NL 2015 | NL 2023 | 2023 − 2015 (pp) |
|---|---|---|---|---|---|---|
{rows}

Largest differences (percentage points): {big_txt}.
The largest absolute difference is {100 * max(abs(r['s23'] - r['s15']) for r in mix['rows']):.2f} percentage points.
gp, hospital, district_nursing and other cannot be compared one to one: geriatric rehabilitation (hospital
here) and wijkverpleging share one 2023 category, and eerstelijns ondersteuning (gp here) is in the 2023
"Other Zvw care".
"""


def provenance_rates(f):
    pos_rows = "\n".join(
        f"| {POSITIONS[p]} | {f['pos_cbs'][p]} | {f['pos_model'][p]:,.0f} |" for p in range(7))
    return f"""# Rate set `denhaag-2019` — provenance

Generated by `data/prepare/prepare_data.py` from `../shared/data` (see `docs/data-preparation.md` for
the full method). Reference: Den Haag (GM0518 's-Gravenhage), 1 January 2019; prices 2022.
Sex order in all files: male, female.

| file | publisher, table, year | licence / citation | real / modelled / synthetic |
|---|---|---|---|
| mortality.csv | CBS 37360ned "Levensverwachting; geslacht, leeftijd", qx Nederland 2017–2019 | CC BY 4.0, Bron: CBS | ages 0–99 real (3-year mean); ages 100–105 **modelled** (logit-linear Kannisto fit to ages 85–99, cap 0.7) |
| fertility.csv | CBS 37201/37744ned births by age of mother NL 2019 (derived ASFR), CBS 37201 GM0518 births by 5-yr age of mother 2019, CBS 03759ned GM0518 women 1 Jan 2019 | CC BY 4.0, Bron: CBS | **modelled**: national single-age shape scaled to real municipal 5-year totals |
| household_positions.csv | CBS 71488ned GM0518 and NL 1 Jan 2019; CBS 71486ned GM0518; NL single-age population 2019 | CC BY 4.0, Bron: CBS | band totals real; partner split, other/institution split and single-age interpolation **modelled** |
| household_transitions.csv | derived from household_positions.csv and mortality.csv | CC BY 4.0, Bron: CBS | **modelled/assumption** (stationary calibration, separation churn assumed) |
| migration.csv | CBS 70072ned 2015 GM0518 flows, CBS 03759ned 2019 population; Rogers–Castro model schedule | CC BY 4.0, Bron: CBS | totals real (2015 crude rates); age profile **synthetic** |
| care.csv | CPB "Middellangetermijnraming zorg 2027–2033" age profiles 2022; Vektis Zvw 2015 and 2023 (national); CBS KWB 84583NED 2019 | Bron: CPB; Vektis open data, non-commercial use, Bron: Vektis; CC BY 4.0, Bron: CBS | CPB spending real (sexes combined); Zvw sex split, GP contacts and Wmo probability **modelled** |
| zvw_categories.csv | Vektis Zvw 2015 national cost per insured year by sex × 5-yr class; Vektis Zvw 2023 category totals (check only) | Vektis open data, non-commercial use, Bron: Vektis | 2015 class shares real; single-age interpolation and use at the 2022 level **modelled/assumption** |
| rates.yaml | CBS 70072ned 2015, 71486ned/71488ned 2019; domain.md (GP figures); Vektis Zvw 2023 gemeente (zvw_cost_factor) | as above | real ratios, plus the 0.512 sex ratio and 5.0 contacts/4.3 FTE (assumptions) |

## mortality.csv
`age,male,female` = q(x), probability that a person aged x at the start of the year dies within it.
Mean of CBS 37360ned 2017, 2018, 2019. Extension 100–105: least squares of logit q(x) on x for
x = 85..99: men logit q = {f['mfit'][0][0]:.4f} + {f['mfit'][0][1]:.5f}·x, women {f['mfit'][1][0]:.4f} + {f['mfit'][1][1]:.5f}·x,
capped at 0.7. q(99) data: men {f['q'][0, 99]:.4f}, women {f['q'][1, 99]:.4f}; q(100) fit: men {f['q'][0, 100]:.4f}, women {f['q'][1, 100]:.4f};
q(105, open class): men {f['q'][0, 105]:.4f}, women {f['q'][1, 105]:.4f}.

## fertility.csv
`age,asfr` (15–49) = live births (both sexes) per woman per year. National ASFR 2019 (births by single
age of mother / mid-year women, CBS) scaled per 5-year age group so that, applied to the Den Haag female
population of **1 Jan 2019 (used as the mid-year population, an approximation)**, it reproduces the
GM0518 2019 births by age of mother (37201: <20 → ages 15–19, 45+ → 45–49).
Scale factors (15–19 … 45–49): {', '.join(f'{v:.4f}' for v in f['fert_factor'])}.
**Total fertility rate {f['tfr']:.4f}** (national 2019 derived: {f['tfr_nl']:.4f}); births reproduced
**{f['births_rep']:.1f}** (CBS GM0518 2019: {f['births_cbs']:,}).

## household_positions.csv
`sex,age,<7 positions>` = share of persons in each position, Den Haag 1 Jan 2019; rows sum to 1
(values rounded to 1e-10, largest entry adjusted). Band counts from 71488ned GM0518 (total incl.
institutions, child, alone, samenwonend, single parent). Samenwonend split with the modelled share with
children p_wc(age) = logistic rise (centre 24, scale 5) × (0.02 + 0.73·logistic decline centre 58, scale 5),
shifted on the logit scale by {f['logit_shift']:+.4f} so that 114,884 partners with children (29,022 + 85,862)
and 107,358 without (42,158 + 65,200) are reproduced. p_wc by band after the shift:
{', '.join(f"{5*b}-{5*b+4 if b < 19 else ''}: {v:.3f}" for b, v in enumerate(f['p_wc']) if b >= 3)}.
Residual (total − child − alone − samenwonend − single parent) split into other_member / institution with the
national proportions (NL 71488ned overig lid vs NL population 2019 minus all NL private-household positions;
NL institutional population so derived: {f['nl_inst_total']:,.0f}; domain.md quotes ~267,000 for 2021, the NL 2019
file stops at age 99). Band → single age: ages 0–14 the band shares as is (step function); ages 15+
piecewise-linear between band mid-points (l+2; 95+ → 97) with the 10–14 shares as an extra knot at age 14
(so adult positions start near 0 at 15 instead of jumping to the 15–19 level), clamped at the top: 97–105 =
95+ band.

Den Haag persons by position (71488ned where published; modelled = band-level split; shares × population
= single-age shares applied to 03759ned):

| position | CBS 71488ned | shares × 03759ned population |
|---|---|---|
{pos_rows}

## household_transitions.csv
`sex,age,event,from,to,rate`: probability per year that a survivor of that sex aged `age` at the start of
the year moves from `from` to `to`, attributed to `event`; only rates > 0; sorted by sex (male first), age,
from and to (in the position order above), event (in the order {', '.join(EVENTS)}). The engine applies
T (off-diagonal = rates summed over events, diagonal = 1 − row sum) as new = x·T. **Modelled:** calibrated so
that x(a)·T(a) = x(a+1) exactly, i.e. the 2019 cross-sectional profile is what a stationary population
(cohorts that behave like the cross-section, same mortality in every position) would produce.
Widowhood (q of the other sex at age +2 for women, −2 for men) and separation churn (assumption: 0.025 at
18–34, linear to 0.015 at 50 and 0.004 at 75+, 0 below 18; with children: women 0.85 → single parent,
men 0.5) are gross flows; the remaining net change is moved greedily along the priority list of edges
(see docs). Gross churn into a position q is capped at y_q − 0.5·x_q (rates are relative to x, so persons
entering q stay in q for the year; without the cap the assumed churn would empty q, or need a row sum > 1,
where q is small). The cap binds only for {f['capped_desc']}: few single fathers in 71488ned,
so half of the separations of young fathers cannot become single fathers. Max |x·T − y| = {f['trans_err']:.2e};
max row sum = {f['trans_rowsum']:.4f}; {f['trans_rows']:,} rows. Rates of 1 occur only where a position
empties (child_at_home at the last age with any).
Age 105 has no rows (stays).

## migration.csv
`age,out_rate_male,out_rate_female,in_profile_male,in_profile_female`. **Synthetic age profile, real
totals.** Rogers–Castro schedule (a1=0.02, alpha1=0.1, a2=0.06, alpha2=0.1, mu2=20, lambda2=0.4, c=0.003),
same shape for both sexes. out_rate = k·RC(a), k = {f['mig_k']:.6f}, so that Σ out_rate × GM0518 2019
population = the 2015 crude out-migration rate ({f['out_rate15']:.6f} per inhabitant: (20,683 moves to other
gemeenten + 10,517 emigrants) / 514,861, CBS 70072ned 2015) × 537,833 = {f['total_out']:,.0f} persons per year.
in_profile = RC(a)·pop(a,s) normalised over both sexes and ages (sums to 1); the number of in-migrants per
inhabitant, {f['in_rate15']:.6f} ((19,559 + 14,500) / 514,861), is in rates.yaml.

## care.csv
`sex,age,gp_contacts,wmo_client_probability,zvw_eur,wlz_eur,wmo_eur,jeugd_eur`; EUR per person per year,
price level 2022; GP contacts per person per year; Wmo = probability of being a Wmo client in a year.
- zvw/wlz/wmo/jeugd: CPB 2022 spending per inhabitant by single age (99+ used for 99–105), sexes combined
  (Bron: CPB). Zvw split by sex with the Vektis 2023 national male/female cost ratio per 5-year class
  (Bron: Vektis), keeping the NL-2019-population-weighted mean over the sexes equal to CPB (ages 100–105:
  age-99 weights). **Wlz, Wmo and Jeugd: same value for both sexes** (no sex split available).
- gp_contacts (**modelled**): ∝ Vektis 2015 GP consultation cost per insured year by sex × 5-yr class
  (tariff per contact, so cost ∝ contacts), piecewise-linear between class mid-points, scaled to an NL 2019
  population-weighted mean of 5.0 contacts per person per year (domain.md). Result (NL 2019 weights):
  85+ **{f['gp85']:.1f}** (domain.md: about 15), 5–17 **{f['gp517']:.1f}** (about 2), 0–4 {f['gp04']:.1f}, 65–84 {f['gp6584']:.1f}.
  85+ matches; 5–17 is about 30% above the domain.md figure: consultation cost is only approximately
  proportional to the number of contacts (tariff mix differs by age), so the young end is indicative.
- wmo_client_probability (**modelled**): ∝ CPB Wmo spending per inhabitant, scaled so that applied to the
  GM0518 2019 population outside institutions it gives the 38,085 Wmo clients of 2019 (CBS KWB 84583NED WmoClienten_89,
  gemeente row). Result: 75–84 **{f['wmo7584']:.3f}**, 85+ **{f['wmo85']:.3f}** (Den Haag population weights),
  18–24 {f['wmo1824']:.3f}. domain.md gives home help only (16% at 75–84, 30% at 85+, 2024); Wmo clients include
  all services, so higher values are expected at old age, as found. The CPB Wmo spending per inhabitant has a
  second peak at ages 19–22 (about EUR 530); spending per client differs by age (it is probably high there),
  so the probability at young adult ages follows the spending and is indicative only.
  The scaling uses the population outside institutions (gemeente single-age population x (1 - institution
  share)), the population the engine applies it to: applied to the non-institution persons of the
  denhaag-2019 dataset the probabilities give {f['wmo_noninst']:,.0f} clients (target 38,085).

{provenance_zvw_categories(f['zcat'], f['zmix'])}
## rates.yaml
Scalars with unit and source on each line. sex_ratio_at_birth_male_share = 0.512 is an **assumption**
(no NL births by sex in the source tables; the 1 Jan 2019 NL age-0 cohort gives {f['srb_proxy']:.4f}).
other_households_per_other_member = 2,121 other households / {f['other_members']:,.0f} modelled other members = {f['ohpom']:.6f}.
zvw_cost_factor = **{fmt8(f['zvw_scr'])}** × national age–sex level: the standardised cost ratio `scr` of the row
'{f['zvw_scr_name']}' in Vektis Zvw 2023 `municipality_benchmark.csv` (actual EUR {f['zvw_actual']:,.0f} / expected
EUR {f['zvw_expected']:,.0f} at the national age–sex rates, {f['zvw_insured']:,.0f} insured years; Bron: Vektis). Den Haag's Zvw
cost per insured year is {f['zvw_scr'] - 1:.1%} above the national level for its own age–sex mix (2023, all Zvw cost
columns). care.csv zvw_eur is the national CPB level; the engine does not apply this key (information).

The buurt level of Wmo use is not in this rate set: see `wmo_client_factor` in the datasets' areas.csv
(calibrated to CBS KWB 2019 buurt Wmo clients).
"""


def wmo_method_text(over, each):
    lo, hi = WMO_FACTOR_RANGE
    return f"""The engine's care model computes Wmo clients per area as Σ persons outside institutions ×
`wmo_client_probability[sex][age]` (rates/denhaag-2019/care.csv), a profile scaled to the whole of Den Haag.
`wmo_client_factor` = real buurt Wmo clients (CBS KWB 84583NED 2019 `WmoClienten_89`, rounded to 5 by CBS) /
modelled buurt clients (this dataset's `population.csv` persons outside institutions on 1 Jan 2019 × the
probabilities as written in care.csv, {over}){each}. **Factor 1** where the KWB figure is missing (secret/empty) or fewer than {WMO_MIN_MODELLED:.0f} clients are
modelled (too small to calibrate on a figure rounded to 5); otherwise **clamped to [{lo}, {hi}]**. Written with 8
significant digits. Calibrated to CBS KWB 2019 buurt Wmo clients, 1 Jan 2019 population; the engine reads the
column as an area label only (its care model does not apply the factor)."""


def wmo_real_str(r):
    return "missing" if r["real"] is None else f"{r['real']:,.0f}"


def wmo_rows(recs, names):
    """| buurt | name | persons | KWB clients | modelled | factor | modelled × factor | note |"""
    return "\n".join(
        f"| {r['buurt']} | {names.get(r['buurt'], '')} | {r['n']:,} | {wmo_real_str(r)} | {r['modelled']:,.1f} | "
        f"{r['factor_str']} | {r['after']:,.1f} | {r['note']} |" for r in recs)


def provenance_dhzw(f):
    rows = "\n".join(
        f"| {r['buurt']} | {r['name']} | {r['n']:,} | {r['sex_dev']:.1e} | {r['band_dev']:.1e} | {r['pos_dev']:.1e} | "
        f"{r['hh_model']:,.0f} | {r['households_kwb']:,.0f} |" for r in f["fitlog"])
    pos = "\n".join(f"| {POSITIONS[p]} | {f['pos'][p]:,} |" for p in range(7))
    t = f["wmo_tot"]
    small = [r for r in f["wmo"] if r["note"].startswith("modelled <")]
    small_real = sum(r["real"] or 0 for r in small)
    small_mod = sum(r["modelled"] for r in small)
    clamped = ", ".join(f"{r['buurt']} {r['note']}" for r in t["clamped"]) or "none"
    return f"""# Dataset `denhaag-zuidwest-2019` — provenance

Den Haag Zuid-West: the 1,816 real PC6 areas of 14 buurten, 1 January 2019, **84,880 inhabitants** (= the sum of
CBS KWB 2019 AantalInwoners_5 of those buurten). Generated by `data/prepare/prepare_data.py`; rates:
`../../rates/denhaag-2019`. Publisher CBS, licence CC BY 4.0 — **Bron: CBS**.

| source | table | reference |
|---|---|---|
| PC6 → buurt with address counts | CBS "Buurt, wijk en gemeente 2019 voor postcode huisnummer" (pc6hnr20190801_gwb), aggregated by the DHZW synthetic-population project | 2019 |
| buurt key figures | CBS 84583NED Kerncijfers wijken en buurten 2019 | 1 Jan 2019 |
| single-age population | CBS 03759ned GM0518 | 1 Jan 2019 |
| household positions | via `rates/denhaag-2019/household_positions.csv` (CBS 71488ned/71486ned) | 1 Jan 2019 |

## What is real and what is modelled
- **Real:** PC6 codes and their buurt, address counts, buurt totals (AantalInwoners_5), buurt dwelling stock,
  names of the 14 buurten.
- **Modelled:** `areas.csv` dwellings per PC6 (buurt Woningvoorraad_34 split in proportion to addresses,
  largest remainder, buurt sums exact); all of `population.csv` (persons by PC6 × sex × age × position).
- **Calibrated:** `areas.csv` wmo_client_factor (real KWB buurt Wmo clients / modelled; see below).
- Names fix: the source list `DHZW_buurt_codes_names.csv` has BU05183488 twice and lacks BU05183637; read
  as BU05183637 = Moerwijk-West, BU05183488 = Morgenstond-West; the stray "(" in "(Morgenstond-Zuid" removed.
- wijk = "WK" + digits 3–8 of the buurt code; pc4 = first 4 characters of the PC6.

## Method of population.csv
(a) per buurt, IPF of a sex × single-age table seeded with the GM0518 table to the buurt margins men/women
and the 5 KWB age bands (margins first rescaled to AantalInwoners_5, as CBS rounds to 5);
(b) positions: seed = that table × household_positions shares; IPF to the table and to buurt position totals:
living_alone = Eenpersoonshuishoudens_29; partner_no_children = 2 × HuishoudensZonderKinderen_30 × 53,679/55,800
(the gemeente share of couples among multi-person households without children); partner_with_children =
2 × HuishoudensMetKinderen_31 × 57,442/82,191; single_parent = HuishoudensMetKinderen_31 × 24,749/82,191
(71486ned ratio); child_at_home, other_member, institution = seed totals; all seven rescaled to the buurt total;
(c) split over the buurt's PC6 in proportion to addresses; (d) integerised: PC6 totals = largest-remainder
rounding of the address share within the buurt, buurt (sex, age, position) cells = largest-remainder rounding
of the fitted table, then controlled rounding (every count is the floor or ceiling of its real value;
fallback cells used: {f['fallback']}), so buurt totals, PC6 totals and buurt cells are all exact.

## Fit
Max |deviation| after IPF per buurt (persons): sex margin, age-band margin, position margin; implied
households = living_alone + partners/2 + single parents + other_member × {f['ohpom']:.4f}.

| buurt | name | persons | sex | age bands | positions | households implied | KWB households |
|---|---|---|---|---|---|---|---|
{rows}

Total persons **{f['total']:,}** in {f['n_pc6_pop']:,} populated PC6 ({f['n_pc6']:,} PC6 areas);
households implied **{f['hh']:,.0f}** vs KWB HuishoudensTotaal_28 of the 14 buurten **{f['hh_kwb']:,.0f}**.

Persons by position:

| position | persons |
|---|---|
{pos}

## areas.csv `wmo_client_factor` — calibrated to CBS KWB 2019 buurt Wmo clients
{wmo_method_text("summed over the buurt's PC6 areas", "; every PC6 area of a buurt gets the buurt's factor")}

| buurt | name | persons | KWB Wmo clients | modelled | factor | modelled × factor | note |
|---|---|---|---|---|---|---|---|
{wmo_rows(f["wmo"], f["names"])}

Totals, 14 buurten: modelled **{t["before"]:,.1f}** before, **{t["after"]:,.1f}** after calibration; real
KWB sum **{t["real"]:,.0f}** ({t["n_real"]} of 14 buurten have a figure). The {len(small)} buurten left at factor 1 (fewer
than {WMO_MIN_MODELLED:.0f} modelled clients) hold {small_real:,.0f} real clients against {small_mod:,.1f} modelled: Kerketuinen en
Zichtenburg (55 inhabitants, 50 Wmo clients, 10 households) is probably mostly an institution or care
complex, which the population model does not know. Clamped: {clamped}.
"""


def provenance_dh(f):
    pos = "\n".join(f"| {POSITIONS[p]} | {f['pos'][p]:,} |" for p in range(7))
    t = f["wmo_tot"]
    cal = sorted(r["factor"] for r in f["wmo"] if r["note"] == "")
    med, fmin, fmax = f"{np.median(cal):.3f}", f"{cal[0]:.3f}", f"{cal[-1]:.3f}"
    clamped_desc = "; ".join(f"{r['buurt']} {r['note']}" for r in t["clamped"]) or "none"
    gm = f["wmo_gm"]
    cl = t["clamped"]
    clamped_why = "" if not cl else (
        f" They have a mean WOZ value of {min(r['woz'] for r in cl):.0f}–{max(r['woz'] for r in cl):.0f} thousand EUR "
        f"(Den Haag {f['wmo_gm_woz']:.0f}) and {min(r['per1000'] for r in cl):.0f}–{max(r['per1000'] for r in cl):.0f} Wmo "
        f"clients per 1,000 inhabitants (Den Haag {f['wmo_gm_per1000']:.0f}): well-off buurten whose low Wmo use the age "
        "profile cannot carry.")
    gm_gap = gm - t["real"]
    gm_after, gm_before = t["after"] / gm, t["before"] / gm
    n_empty = sum(1 for r in f["wmo"] if r["real"] is None and r["n"] == 0)
    return f"""# Dataset `denhaag-2019` — provenance

All {f['n_buurten']} buurten of Den Haag (CBS KWB 2019 rows with SoortRegio_2 = Buurt, including {f['n_empty']} buurten
with population 0, which have no population rows), 1 January 2019, **537,833 inhabitants** (= CBS 03759ned GM0518).
Generated by `data/prepare/prepare_data.py`; rates: `../../rates/denhaag-2019`. Publisher CBS, licence
CC BY 4.0 — **Bron: CBS**. Tables: 84583NED (KWB 2019), 03759ned (1 Jan 2019), 71486ned/71488ned via the rate set.

## What is real and what is modelled
- **Real:** buurt codes, wijk (WK + digits 3–8), pc4 = MeestVoorkomendePostcode_113 (most frequent PC4 of the
  buurt), dwellings = Woningvoorraad_34. addresses unknown (empty); buurt_name unknown (empty).
- **Modelled:** all of `population.csv`.
- **Calibrated:** `areas.csv` wmo_client_factor (real KWB buurt Wmo clients / modelled; see below).

## Method of population.csv
Per buurt a sex × single-age table by IPF to the KWB sex and age-band margins (as for Zuid-West); buurt totals
(sum of KWB AantalInwoners_5 = {f['n_raw_total']:,.0f}, CBS rounds to 5) rescaled to 537,833; 2-D IPF of
buurt × (sex, age) to those buurt totals and to the 03759ned single-age counts (max column deviation
{f['ipf2d_col_dev']:.1e} after {f['ipf2d_iter']} iterations); after it the buurt sex margins deviate at most
{f['sex_dev']:.1f} persons and the age-band margins at most {f['band_dev']:.1f} persons from the rescaled KWB margins.
Positions per buurt as for Zuid-West (max position-margin deviation {f['pos_dev']:.1e}). Integerisation:
buurt totals by largest remainder to 537,833, (sex, age, position) totals rounded within each (sex, age) so that
every 03759ned count is exact, then controlled rounding of buurt × cell (fallback cells used: {f['fallback']}).

## Result
Total persons **{f['total']:,}**; every (sex, age) total equals 03759ned. Households implied **{f['hh']:,.0f}**
(living_alone + partners/2 + single parents + other_member × {f['ohpom']:.4f}) vs KWB buurt sum
{f['households_kwb']:,.0f} and gemeente 263,371.

| position | persons |
|---|---|
{pos}

## areas.csv `wmo_client_factor` — calibrated to CBS KWB 2019 buurt Wmo clients
{wmo_method_text("for the buurt, which is one area here", "")}

- {t["n_calibrated"]} buurten calibrated within the range; factor median {med}, range {fmin}–{fmax}
  (unclamped buurten).
- {t["n_missing"]} buurten at factor 1 because the KWB figure is missing (secret; {n_empty} of them have no inhabitants),
  {t["n_small"]} further at factor 1 because fewer than {WMO_MIN_MODELLED:.0f} clients are modelled.
- {len(t["clamped"])} buurten clamped: {clamped_desc}.{clamped_why}

Totals: modelled **{t["before"]:,.1f}** before, **{t["after"]:,.1f}** after calibration. Real: KWB buurt sum
**{t["real"]:,.0f}** over {t["n_real"]} buurten with a figure (modelled there {t["modelled_with_real"]:,.1f} before,
{t["after_with_real"]:,.1f} after); gemeente row {gm:,.0f}. The buurt figures leave {gm_gap:,.0f} clients of the
gemeente total unassigned (CBS cannot place them in a buurt, plus rounding and the secret buurten), so after
calibration the city total is {gm_after:.1%} of {gm:,.0f}, where the uncalibrated probabilities (scaled to the
gemeente) give {gm_before:.1%}.

Buurten not calibrated within the range:

| buurt | name | persons | KWB Wmo clients | modelled | factor | modelled × factor | note |
|---|---|---|---|---|---|---|---|
{wmo_rows([r for r in f["wmo"] if r["note"]], {})}
"""


# ----------------------------------------------------------------------------------------------
def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=os.path.join(repo, "..", "shared", "data"))
    ap.add_argument("--out", default=os.path.join(repo, "data"))
    args = ap.parse_args()
    shared = os.path.normpath(args.shared)
    out = os.path.normpath(args.out)
    rd = os.path.join(out, "rates", "denhaag-2019")
    zd = os.path.join(out, "datasets", "denhaag-zuidwest-2019")
    dd = os.path.join(out, "datasets", "denhaag-2019")
    for d in (rd, zd, dd):
        os.makedirs(d, exist_ok=True)

    # ---- inputs
    gm_pop = read_gm_single_age(shared)
    assert gm_pop.sum() == 537833
    nl_pop = read_nl_single_age_2019(shared)
    qx = read_qx(shared)
    asfr_all = pd.read_csv(os.path.join(shared, "cbs_nl_demography_statline", "derived_nl_asfr_single_age_2011_2019.csv"))
    asfr_nl = asfr_all[asfr_all.year == 2019]
    births = pd.read_csv(os.path.join(shared, "cbs_denhaag_households_pc6_2019",
                                      "GM0518_live_births_by_age5_mother_2019_37201.csv"), sep=";")
    births5 = births.iloc[0, 2:9].astype(float).to_numpy()
    gm71488 = read_71488(shared, "GM")
    nl71488 = read_71488(shared, "NL")
    tot71488 = read_71488_totals(shared)
    hh = read_71486_households(shared)
    kwb = read_kwb(shared)
    r70072 = read_70072_gm(shared)
    cpb = pd.read_csv(os.path.join(shared, "cpb_care_spending_by_age_2022", "cpb_spending_per_inhabitant_by_age_2022.csv"))
    vek23 = pd.read_csv(os.path.join(shared, "vektis_zvw_gemeente_2023_derived", "national_age_sex_reference_rates.csv"))
    vek15 = pd.read_csv(os.path.join(shared, "vektis_zvw_gemeente_2015", "derived_nl_zvw_cost_per_insured_year_by_sex_age5_2015.csv"))
    vek23_map = pd.read_csv(os.path.join(shared, "vektis_zvw_gemeente_2023_derived", "category_mapping.csv"))
    vek23_cat = pd.read_csv(os.path.join(shared, "vektis_zvw_gemeente_2023_derived",
                                         "category_breakdown_all_municipalities.csv"))
    pc6, raw_names = read_dhzw(shared)
    vek_gm = read_vektis_scr(shared)
    gm_row = kwb[kwb.SoortRegio_2 == "Gemeente"].iloc[0]
    wmo_clients = float(gm_row["WmoClienten_89"])
    assert hh["total"] == 263371 and int(gm_row["HuishoudensTotaal_28"]) == 263371

    # ---- rate set
    q, mfit = derive_mortality(qx)
    ages_f, asfr, fert_factor, asfr_base = derive_fertility(asfr_nl, gm_pop[1], births5)
    band_counts, hinfo = derive_household_positions_bands(gm71488, nl71488, nl_pop, tot71488)
    shares = derive_household_positions(band_counts)
    trans, tinfo = derive_household_transitions(shares, q)
    out_rate, in_profile, minfo = derive_migration(gm_pop, r70072)
    # Wmo clients live outside institutions (care-home residents get Wlz care), and the engine
    # applies the probability to them only: scale it on the same population.
    gm_pop_home = gm_pop * (1.0 - shares[..., INST])
    care = derive_care(cpb, vek23, vek15, nl_pop, gm_pop_home, wmo_clients)
    nrows = write_rates(rd, q, (ages_f, asfr), shares, trans, (out_rate, in_profile), care)
    zcat = derive_zvw_categories(vek15)
    zmix = zvw_mix_2015_vs_2023(vek15, vek23_map, vek23_cat)
    nrows["zvw_categories.csv"] = write_zvw_categories(os.path.join(rd, "zvw_categories.csv"), zcat)
    # national mix implied by the single-age shares at the CPB 2022 level (care.csv zvw_eur) and the
    # NL 2019 population (ages 0-99, the NL file stops at 99)
    zw = care["zvw"][:, :100] * nl_pop.astype(float)
    zcat["implied"] = (zcat["shares"][:, :100] * zw[..., None]).sum((0, 1)) / zw.sum()

    other_members = band_counts[..., OM].sum()
    other_households = hh["total"] - hh["one_person"] - hh["couples_without_children"] \
        - hh["couples_with_children"] - hh["single_parent"]
    ohpom = other_households / other_members
    inst_total = band_counts[..., INST].sum()
    nl0 = nl_pop[:, 0]
    sc = {"srb": 0.512, "srb_proxy": nl0[0] / nl0.sum(), "in_rate": minfo["in_rate15"],
          "out_rate": minfo["out_rate15"], "gp_per_fte": 5.0 / (4.3 / 10000.0),
          "pph": 537833 / hh["total"], "pph_private": (537833 - inst_total) / hh["total"],
          "ohpom": ohpom, "other_members": other_members,
          "zvw_scr": float(vek_gm["scr"]), "zvw_scr_name": vek_gm["gemeentenaam"],
          "zvw_actual": float(vek_gm["actual_cost"]), "zvw_expected": float(vek_gm["expected_cost"]),
          "zvw_insured": float(vek_gm["insured_years"]),
          # Moves inside the municipality: CBS verhuismobiliteit (moves within the gemeente plus
          # departures to other gemeenten, per 1,000 inhabitants) less the departures.
          "moves": float(r70072["VerhuismobiliteitRelatief_73"]) / 1000.0
          - float(r70072["VertrekNaarAndereGemeente_70"]) / float(r70072["TotaleBevolking_1"]),
          "mobility": float(r70072["VerhuismobiliteitRelatief_73"])}
    nrows["rates.yaml"] = write_rates_yaml(os.path.join(rd, "rates.yaml"), sc)

    # ---- datasets
    names = fix_dhzw_names(raw_names, pc6.buurt.unique())
    z_areas, Xz, z_area_rows, fitlog = build_dhzw(kwb, pc6, names, gm_pop, shares, hh)
    # Wmo client factor per buurt, with the probabilities exactly as written in care.csv
    wmo_p_file = np.array([[float(fmt8(v)) for v in care["wmo_p"]]] * 2)
    area_buurt = dict(zip(pc6.area, pc6.buurt))
    _, z_wmo = derive_wmo_factors(z_areas, [area_buurt[a] for a in z_areas], Xz, wmo_p_file, kwb)
    z_wmo_f = {r["buurt"]: r["factor_str"] for r in z_wmo}
    for r in z_area_rows:
        r.append(z_wmo_f[r[1]])
    area_header = ["area", "buurt", "buurt_name", "wijk", "gemeente", "gemeente_name", "pc4", "addresses",
                   "dwellings", "wmo_client_factor"]
    nrows["zw/areas.csv"] = write_csv(os.path.join(zd, "areas.csv"), area_header, z_area_rows)
    z_pop_rows = population_rows(z_areas, Xz)
    nrows["zw/population.csv"] = write_csv(os.path.join(zd, "population.csv"), ["area", "sex", "age"] + POSITIONS,
                                           z_pop_rows)
    d_codes, Xd, d_area_rows, dfit = build_denhaag(kwb, gm_pop, shares, hh)
    _, d_wmo = derive_wmo_factors(d_codes, d_codes, Xd, wmo_p_file, kwb)
    d_wmo_f = {r["buurt"]: r["factor_str"] for r in d_wmo}
    for r in d_area_rows:
        if r[0] in names:
            r[2] = names[r[0]]
        r.append(d_wmo_f[r[1]])
    nrows["dh/areas.csv"] = write_csv(os.path.join(dd, "areas.csv"), area_header, d_area_rows)
    nrows["dh/population.csv"] = write_csv(os.path.join(dd, "population.csv"), ["area", "sex", "age"] + POSITIONS,
                                           population_rows(d_codes, Xd))

    # ---- checks on the integer tables before writing provenance
    assert Xz.sum() == 84880 and len(z_area_rows) == 1816
    assert Xd.sum() == 537833 and (Xd.sum((0, 3)) == gm_pop).all()
    assert (Xz >= 0).all() and (Xd >= 0).all()

    # ---- figures for provenance
    wnl = nl_pop.astype(float)

    def nl_mean(v, lo, hi):
        return (v[:, lo:hi + 1] * wnl[:, lo:hi + 1]).sum() / wnl[:, lo:hi + 1].sum()

    def gm_mean(v1d, lo, hi):
        w = gm_pop[:, lo:hi + 1].astype(float)
        return (v1d[lo:hi + 1][None, :] * w).sum() / w.sum()

    pos_model = (shares * gm_pop[:, :, None]).sum((0, 1))
    pos_cbs = ["144,765", "125,380", "107,358", "114,884", "24,749",
               f"{band_counts[..., OM].sum():,.0f} (modelled split)", f"{band_counts[..., INST].sum():,.0f} (modelled split)"]
    rf = {"q": q, "mfit": [mfit["male"], mfit["female"]], "fert_factor": fert_factor, "tfr": asfr.sum(),
          "tfr_nl": asfr_base.sum(), "births_rep": (asfr * gm_pop[1, 15:50]).sum(), "births_cbs": int(births5.sum()),
          "logit_shift": hinfo["logit_shift"], "p_wc": hinfo["p_wc"], "nl_inst_total": hinfo["nl_inst_total"],
          "pos_cbs": pos_cbs, "pos_model": pos_model, "trans_err": tinfo["max_err"],
          "trans_rowsum": tinfo["max_rowsum"], "trans_rows": sum(1 for v in trans.values() if v > 0),
          "mig_k": minfo["k"], "out_rate15": minfo["out_rate15"], "in_rate15": minfo["in_rate15"],
          "total_out": minfo["total_out"], "gp85": nl_mean(care["gp"], 85, 99), "gp517": nl_mean(care["gp"], 5, 17),
          "gp04": nl_mean(care["gp"], 0, 4), "gp6584": nl_mean(care["gp"], 65, 84),
          "wmo7584": gm_mean(care["wmo_p"], 75, 84), "wmo85": gm_mean(care["wmo_p"], 85, 105),
          "wmo1824": gm_mean(care["wmo_p"], 18, 24), "srb_proxy": sc["srb_proxy"], "other_members": other_members,
          "ohpom": ohpom, "capped_desc": describe_capped(tinfo["capped"]),
          "wmo_noninst": float((Xd[..., :INST].sum((0, 3)) * care["wmo_p"][None, :]).sum()),
          "zvw_scr": sc["zvw_scr"], "zvw_scr_name": sc["zvw_scr_name"], "zvw_actual": sc["zvw_actual"],
          "zvw_expected": sc["zvw_expected"], "zvw_insured": sc["zvw_insured"], "zcat": zcat, "zmix": zmix}
    write_text(os.path.join(rd, "PROVENANCE.md"), provenance_rates(rf) + care_services.PROVENANCE)

    zb = {b: i for i, b in enumerate(sorted(pc6.buurt.unique()))}
    hh_by_buurt = np.zeros(len(zb))
    for i, a in enumerate(z_areas):
        hh_by_buurt[zb[area_buurt[a]]] += implied_households(Xz[i].sum((0, 1)), ohpom)
    for r in fitlog:
        r["hh_model"] = hh_by_buurt[zb[r["buurt"]]]
    zpos = Xz.sum((0, 1, 2))
    zf = {"fitlog": fitlog, "total": int(Xz.sum()), "n_pc6": len(z_area_rows),
          "n_pc6_pop": int((Xz.sum((1, 2, 3)) > 0).sum()), "hh": implied_households(zpos, ohpom),
          "hh_kwb": sum(r["households_kwb"] for r in fitlog), "pos": [int(v) for v in zpos],
          "ohpom": ohpom, "fallback": sum(r["fallback"] for r in fitlog),
          "wmo": z_wmo, "wmo_tot": wmo_totals(z_wmo), "names": names}
    write_text(os.path.join(zd, "PROVENANCE.md"), provenance_dhzw(zf))
    dpos = Xd.sum((0, 1, 2))
    df = dict(dfit)
    df.update({"total": int(Xd.sum()), "hh": implied_households(dpos, ohpom), "pos": [int(v) for v in dpos],
               "ohpom": ohpom, "wmo": d_wmo, "wmo_tot": wmo_totals(d_wmo), "wmo_gm": wmo_clients,
               "wmo_gm_woz": float(gm_row["GemiddeldeWoningwaarde_35"]),
               "wmo_gm_per1000": float(gm_row["WmoClientenRelatief_90"])})
    write_text(os.path.join(dd, "PROVENANCE.md"), provenance_dh(df))

    common_tables = ["CBS 84583NED Kerncijfers wijken en buurten 2019",
                     "CBS 03759ned Bevolking op 1 januari; geslacht, leeftijd en regio (GM0518, 2019)",
                     "CBS 71488ned / 71486ned households and household positions (GM0518, 2019), via the rate set"]
    write_dataset_yaml(
        os.path.join(zd, "dataset.yaml"), "denhaag-zuidwest-2019",
        "Den Haag Zuid-West, 1 January 2019 (1,816 PC6 areas)",
        "The 1,816 PC6 areas of the 14 buurten of Den Haag Zuid-West with persons by sex, single age and "
        "household position on 1 January 2019 (84,880 inhabitants). Default dataset.",
        "pc6", 84880, 1816,
        common_tables + ["CBS Buurt, wijk en gemeente 2019 voor postcode huisnummer (PC6 to buurt, address counts)"],
        "Per buurt IPF of sex x single age (seed GM0518 03759ned) to KWB sex and age-band margins; positions by "
        "IPF of the table x household_positions shares to KWB household-derived position totals; split over PC6 "
        "in proportion to addresses; controlled rounding keeping buurt totals, PC6 totals and buurt cells exact.",
        "population.csv (all counts) and areas.csv dwellings per PC6 are modelled; PC6 codes, buurt links, "
        "addresses and buurt totals are real; areas.csv wmo_client_factor is calibrated to CBS KWB 2019 buurt "
        "Wmo clients (real / modelled clients per buurt).")
    write_dataset_yaml(
        os.path.join(dd, "dataset.yaml"), "denhaag-2019",
        "Den Haag, all buurten, 1 January 2019",
        "All buurten of Den Haag (GM0518) with persons by sex, single age and household position on "
        "1 January 2019 (537,833 inhabitants); buurten without inhabitants are kept as areas.",
        "buurt", 537833, len(d_area_rows), common_tables,
        "Per buurt IPF of sex x single age to KWB margins; 2-D IPF buurt x (sex, age) to buurt totals rescaled to "
        "537,833 and the 03759ned single-age counts; positions as for Zuid-West; controlled rounding keeping "
        "buurt totals and every (sex, age) total of 03759ned exact.",
        "population.csv is modelled; buurt codes, pc4 (most frequent), dwellings are real; areas.csv "
        "wmo_client_factor is calibrated to CBS KWB 2019 buurt Wmo clients (real / modelled clients per buurt).")

    # ---- self-check on the written files
    self_check(out, gm_pop, kwb, pc6, float(vek_gm["scr"]))

    # ---- national rate set and PC4 dataset (written and self-checked by national.py)
    import national
    _, _, nl_rows, nl_lines = national.run(shared, out, q, mfit, asfr_base, care, zcat, nl_pop, nl71488)
    nrows.update(nl_rows)

    # ---- area positions, dwellings by type x tenure, modelled GP practices (geography.py, self-checked);
    #      before the observations step, which copies the 2019 areas.csv, dwellings.csv and facilities.csv
    import geography
    _, geo_rows, geo_lines = geography.run(shared, out)
    nrows.update(geo_rows)
    nl_lines += geo_lines

    # ---- observations and 2021 restart datasets, after every 2019 dataset file (observations.py)
    import observations
    obs_rows, obs_lines = observations.run(shared, out)
    nrows.update(obs_rows)

    # ---- report
    print("socialtwin data preparation")
    print(f"  shared: {shared}")
    print(f"  out:    {out}")
    for k, v in nrows.items():
        print(f"  {k:32s} {v:7d} rows")
    print(f"  TFR {rf['tfr']:.4f}; births reproduced {rf['births_rep']:.1f} (CBS {rf['births_cbs']})")
    print(f"  out/in migrants per inhabitant {minfo['out_rate15']:.6f} / {minfo['in_rate15']:.6f}")
    print(f"  GP contacts 85+ {rf['gp85']:.2f}, 5-17 {rf['gp517']:.2f}; Wmo p 75-84 {rf['wmo7584']:.4f}, 85+ {rf['wmo85']:.4f}")
    print(f"  transitions: max |x.T-y| {tinfo['max_err']:.2e}, max row sum {tinfo['max_rowsum']:.4f}")
    print("  DHZW fit (max abs deviation after IPF; sex, age band, position):")
    for r in fitlog:
        print(f"    {r['buurt']} {r['name']:28s} n={r['n']:6d} sex {r['sex_dev']:.1e} band {r['band_dev']:.1e} "
              f"pos {r['pos_dev']:.1e} hh {r['hh_model']:8.1f} (KWB {r['households_kwb']:.0f})")
    print(f"  DHZW persons {zf['total']}; by position " + ", ".join(f"{POSITIONS[p]} {zf['pos'][p]}" for p in range(7)))
    print(f"  DHZW households implied {zf['hh']:.1f} vs KWB {zf['hh_kwb']:.0f}")
    print(f"  Den Haag persons {df['total']}; 2-D IPF col dev {dfit['ipf2d_col_dev']:.1e}; buurt sex dev "
          f"{dfit['sex_dev']:.1f}, band dev {dfit['band_dev']:.1f}; position dev {dfit['pos_dev']:.1e}")
    print(f"  Den Haag households implied {df['hh']:.1f} (KWB buurt sum {dfit['households_kwb']:.0f}, gemeente 263371)")
    zt, dt = zf["wmo_tot"], df["wmo_tot"]
    print("  Wmo client factor, calibrated to CBS KWB 2019 buurt Wmo clients (DHZW buurten):")
    for r in z_wmo:
        print(f"    {r['buurt']} {names[r['buurt']]:28s} real {wmo_real_str(r):>7s} modelled {r['modelled']:8.1f} "
              f"factor {r['factor_str']:10s} after {r['after']:8.1f} {r['note']}")
    print(f"  DHZW Wmo clients: real {zt['real']:.0f}; modelled before {zt['before']:.1f}, after {zt['after']:.1f}")
    print(f"  Den Haag Wmo clients: real buurt sum {dt['real']:.0f} ({dt['n_real']} buurten), gemeente {wmo_clients:.0f}; "
          f"modelled before {dt['before']:.1f}, after {dt['after']:.1f}; factor 1: {dt['n_missing']} missing, "
          f"{dt['n_small']} small")
    for ds, r in [("denhaag-2019", r) for r in dt["clamped"]] + [("DHZW", r) for r in zt["clamped"]]:
        print(f"    clamped ({ds}): {r['buurt']} real {wmo_real_str(r)} modelled {r['modelled']:.1f} -> {r['factor_str']} {r['note']}")
    print(f"  Zvw cost factor (Vektis 2023 SCR, {sc['zvw_scr_name']}): {fmt8(sc['zvw_scr'])}")
    print("  Zvw categories, NL 2015 shares: " + ", ".join(f"{c} {v:.4f}" for c, v in zip(ZVW_CAT_NAMES, zcat["nl2015"])))
    print("  Zvw mix 2015 vs 2023 (Vektis 2023 grouping): "
          + "; ".join(f"{r['cat23']} {r['s15']:.4f}/{r['s23']:.4f}" for r in zmix["rows"]))
    for ln in nl_lines + obs_lines:
        print(ln)
    print("  self-check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
