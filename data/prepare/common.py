"""Shared vocabulary and helpers of the data preparation: the names and orders the engine relies on
(positions, sexes, ages, age bands), number formats, CSV/YAML/text writing, rounding and fitting of
tables, the readers of the shared CBS, CPB and Vektis tables, and the population helpers every dataset
uses.

Every other module of data/prepare uses this one and this one imports none of them, so the imports run
one way (a module imports those to its right): denhaag, national -> rate_set -> common;
observations -> national; geography -> common; prepare_data.py, the entry point, imports the four
steps and no module imports it (tests/python/test_data_prepare_imports.py). Only numpy and pandas.
"""
import csv
import os

import numpy as np
import pandas as pd


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



def replace_provenance_section(dd, section, text):
    """Writes `text` as the section of dd/PROVENANCE.md that starts with the heading `section`,
    replacing that section and everything after it (each step owns the tail it appends), so that
    a step run again leaves the file as the first run did."""
    path = os.path.join(dd, "PROVENANCE.md")
    with open(path, encoding="utf-8") as fh:
        cur = fh.read()
    k = cur.find("\n" + section)
    if k >= 0:
        cur = cur[:k + 1]
    write_text(path, cur.rstrip("\n") + "\n\n" + text)

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


def read_tfr_history(shared):
    """CBS total fertility rate of the Netherlands by year 1950-2019 (children per woman), as
    {year: tfr}; the file writes decimals with a comma."""
    d = pd.read_csv(os.path.join(shared, "cbs_nl_population_single_age_1950_2019",
                                 "nl_total_fertility_rate_1950_2019.csv"), sep=";", dtype=str)
    return {int(y): float(v.replace(",", ".")) for y, v in zip(d.iloc[:, 0], d.iloc[:, 1])}


def read_37259(shared):
    """CBS 37259eng population dynamics by region x sex x year 2012-2019: a DataFrame with region
    (code, stripped), sex (total/male/female), year and the columns population_1jan, births, deaths."""
    d = pd.read_csv(os.path.join(shared, "cbs_population_dynamics_37259eng_2012_2019",
                                 "population_dynamics_by_region_sex_2012_2019.csv"))
    sex = {"Total male and female": "total", "Male": "male", "Female": "female"}
    return pd.DataFrame({"region": d["Regions"].str.strip(), "sex": d["Sex Label"].map(sex),
                         "year": d["Periods"].str[:4].astype(int),
                         "population_1jan": d["PopulationOn1January_1"], "births": d["LiveBornChildren_3"],
                         "deaths": d["Deaths_5"]})


def read_nl_single_age(shared, year):
    """NL 1 Jan `year` population by sex x single age 0..99 (99 = 99 exactly; the file has no 100+),
    array [2, 100]."""
    out = np.zeros((2, 100), dtype=np.int64)
    for s, sex in enumerate(SEXES):
        d = pd.read_csv(os.path.join(shared, "cbs_nl_population_single_age_1950_2019",
                                     f"nl_population_{sex}_by_single_age_1950_2019.csv"),
                        encoding="utf-8-sig")
        out[s, d["Age"].to_numpy()] = d[str(year)].to_numpy()
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
# Population rows and dataset.yaml, written alike for every dataset
# ----------------------------------------------------------------------------------------------
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


def dataset_yaml_text(name, title, description, area_level, total, n_areas, tables, method, modelled,
                      reference_year, rates_path, levels_text):
    """The text of a dataset.yaml (every dataset the preparation writes, 2019 and 2021 alike)."""
    lines = [
        f"name: {name}",
        f"title: {yq(title)}",
        f"description: {yq(description)}",
        f"reference_date: {reference_year}-01-01",
        f"base_year: {reference_year}",
        f"area_level: {area_level}",
        f"rates: {rates_path}",
        f"population_total: {total}",
        f"areas: {n_areas}",
        f"levels: {levels_text}",
        "provenance:",
        f"  publisher: {yq('CBS (Centraal Bureau voor de Statistiek)')}",
        f"  licence: {yq('CC BY 4.0, Bron: CBS')}",
        "  tables:",
    ] + [f"    - {yq(t)}" for t in tables] + [
        f"  method: {yq(method)}",
        f"  modelled: {yq(modelled)}",
        "",
    ]
    return "\n".join(lines)


def write_dataset_yaml(path, name, title, description, area_level, total, n_areas, tables, method, modelled,
                       reference_year=REF_YEAR, rates="denhaag-2019", levels=("buurt", "wijk", "gemeente")):
    write_text(path, dataset_yaml_text(name, title, description, area_level, total, n_areas, tables, method,
                                       modelled, reference_year, f"../../rates/{rates}", f"[{', '.join(levels)}]"))
