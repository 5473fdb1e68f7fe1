"""Observations and later base years (imported by prepare_data.py):

  <out>/observations/denhaag-zuidwest-pc4/   CBS PC4 figures 2020-2022 for the PC4 of Den Haag Zuid-West
  <out>/observations/denhaag-gemeente/       the same summed over the PC4 of 's-Gravenhage (GM0518)
  <out>/observations/nl-pc4, nl-gemeente, nl-gemeente-flows/   every PC4 and gemeente (observations_nl.py)
  <out>/datasets/denhaag-zuidwest-2021/      the 1,816 PC6 of Zuid-West on 1 January 2021 (from the 2019
                                             dataset aged two years, fitted to the CBS PC4 2021 table)
  <out>/datasets/denhaag-2021/               the 114 buurten of Den Haag on 1 January 2021 (likewise,
                                             fitted to the gemeente 2021 sex x age5 totals)

An observation is what really happened, to compare a projection with (businesscase monitoring); a
later-year dataset restarts a projection from a later observed base. Both are built from the 2019
datasets as written earlier in the same run (every areas.csv column is copied as it is then), so this
module runs after them. Method: docs/data-preparation.md, section "Observations and later base years".
Only numpy and pandas; deterministic. Every file's text is built in memory first, so the self-check
can build it a second time and compare it byte for byte with the written file.
"""
import csv
import io
import os

import numpy as np
import pandas as pd

import national
import observations_nl
import common
from common import (BAND5_OF_AGE, GM_CODE, MAX_AGE, N_AGES, POSITIONS, SEXES, controlled_round, implied_households,
                    ipf_rows_cols, largest_remainder, population_rows, yq)

ZW19, DH19 = "denhaag-zuidwest-2019", "denhaag-2019"
ZW21, DH21 = "denhaag-zuidwest-2021", "denhaag-2021"
OBS_ZW, OBS_GM = "denhaag-zuidwest-pc4", "denhaag-gemeente"
GM_NAME_LOOKUP = "'s-Gravenhage"     # gemeente name of Den Haag in the certegis PC4 lookup
COVER_RANGE = (0.9, 1.1)             # PC4 observed only if dataset 2019 / CBS 2020 population is in this range
AGE_BANDS = [f"{5 * b}-{5 * b + 4}" for b in range(19)] + ["95+"]
OBS_HEADER = ["area", "year", "indicator", "sex", "age_band", "value"]
# engine indicators observed, in the order written, with the CBS PC4 key-figure column they come from
KERN_INDICATORS = [("population", "INWONER"), ("households", "AANTAL_HH"), ("households_single", "TOTHH_EENP"),
                   ("households_single_parent", "HH_EENOUD"), ("dwellings_stock", "WONING")]
INDICATORS = ["population", "population_by_age_sex", "households", "households_single",
              "households_single_parent", "dwellings_stock"]
KERN_YEARS = (2020, 2022)            # reference date 1 January of these years
AGE_YEAR = 2021                      # CBS 83502NED, 1 January 2021
EXTRA_2019_FILES = ("facilities.csv", "dwellings.csv")    # optional files another step may add to 2019


# ----------------------------------------------------------------------------------------------
# Small helpers
# ----------------------------------------------------------------------------------------------
def csv_text(header, rows):
    """The exact text common.write_csv would write."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def half_up(x):
    return int(np.floor(float(x) + 0.5))


def read_areas_raw(d):
    """areas.csv as text: (header, rows as lists of strings), so that columns are copied unchanged."""
    with open(os.path.join(d, "areas.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def read_population(d, codes):
    """population.csv -> integer array [n_areas, 2, 106, 7] in the order of `codes`."""
    pop = pd.read_csv(os.path.join(d, "population.csv"), dtype={"area": str})
    assert list(pop.columns) == ["area", "sex", "age"] + POSITIONS
    idx = {c: i for i, c in enumerate(codes)}
    X = np.zeros((len(codes), 2, N_AGES, 7), dtype=np.int64)
    X[pop.area.map(idx).to_numpy(), pop.sex.map({s: i for i, s in enumerate(SEXES)}).to_numpy(),
      pop.age.to_numpy()] = pop[POSITIONS].to_numpy()
    return X


def read_yaml_line(d, key):
    for ln in open(os.path.join(d, "dataset.yaml"), encoding="utf-8"):
        if ln.startswith(key + ":"):
            return ln.split(":", 1)[1].strip()
    raise AssertionError(f"{d}/dataset.yaml has no {key}")


def read_transitions(rates_dir):
    """household_transitions.csv -> T [2, 106, 7, 7] with T[s, a] the yearly position matrix of age a
    (off-diagonal: rates summed over events; diagonal: 1 - row sum; age 105: identity), as the engine uses it."""
    tr = pd.read_csv(os.path.join(rates_dir, "household_transitions.csv"))
    T = np.zeros((2, N_AGES, 7, 7))
    np.add.at(T, (tr.sex.map(SEXES.index).to_numpy(), tr.age.to_numpy(), tr["from"].map(POSITIONS.index).to_numpy(),
                  tr["to"].map(POSITIONS.index).to_numpy()), tr.rate.to_numpy())
    idx = np.arange(7)
    T[:, :, idx, idx] = 1.0 - T.sum(3)
    return T


def age_two_years(X, T):
    """2019 table [n, 2, 106, 7] -> seed for 1 Jan 2021: two yearly steps in which everyone gets one year
    older and moves between household positions by the rate set's transitions T (new[a + 1] = old[a] . T[a];
    the open class 105 keeps its persons and positions), and the 2019 age-0 table (area x sex x position)
    enters at age 0 (newborns). No deaths or migration: the fit to the 2021 totals takes care of those."""
    S = X.astype(float)
    for _ in range(2):
        nxt = np.zeros_like(S)
        nxt[:, :, 1:] = np.einsum("nsap,sapq->nsaq", S[:, :, :MAX_AGE], T[:, :MAX_AGE])
        nxt[:, :, MAX_AGE] += S[:, :, MAX_AGE]
        nxt[:, :, 0] = X[:, :, 0]
        S = nxt
    return S


def age_kept(X):
    """Information only: the 2019 table two years older with every position kept (ages 0 and 1 from age 0)."""
    S = np.zeros(X.shape, dtype=float)
    S[:, :, 2:MAX_AGE] = X[:, :, 0:MAX_AGE - 2]
    S[:, :, MAX_AGE] = X[:, :, MAX_AGE - 2:].sum(2)
    S[:, :, 0] = X[:, :, 0]
    S[:, :, 1] = X[:, :, 0]
    return S


def read_rates_scalar(out, d, key):
    """A scalar of the dataset's rates.yaml (`key: value  # comment`)."""
    rd = os.path.normpath(os.path.join(out, "datasets", ZW19, d["rates"]))
    for ln in open(os.path.join(rd, "rates.yaml"), encoding="utf-8"):
        if ln.startswith(key + ":"):
            return float(ln.split("#")[0].split(":")[1])
    raise AssertionError(f"rates.yaml has no {key}")


def band_cols():
    """Column index of the flattened (sex, age, position) cells -> (sex, 5-year band) group 0..39."""
    g = np.zeros((2, N_AGES, 7), dtype=np.int64)
    for s in range(2):
        g[s] = (20 * s + BAND5_OF_AGE)[:, None]
    return g.reshape(-1)


def cell_targets(M, groups, G):
    """Integer (sex, age, position) totals: within each (sex, band) group the largest-remainder rounding
    of the fitted column sums of M to the integer group total G[group]."""
    cs = M.sum(0)
    C = np.zeros(cs.size, dtype=np.int64)
    for g in range(40):
        cols = np.flatnonzero(groups == g)
        C[cols] = largest_remainder(cs[cols], int(G[g]))
    return C


def round_pc4(M, groups, Tint, rng):
    """Integerise a fitted PC6 x (sex, age, position) table M of one PC4 whose (sex, band) block sums are
    the integer targets Tint. (1) (sex, age, position) totals C: largest remainder of M's column sums
    within each block; M's columns are scaled to C. (2) Controlled rounding of [M | slack] where slack_i
    = ceil(r_i) - r_i (r = M's row sums), row targets ceil(r_i), column targets C and sum(slack): the
    margins of this table are exactly integers, so a rounding with every cell the floor or the ceiling
    of its value exists. Result: block and (sex, age, position) totals exact, every PC6 total the floor
    or the ceiling of its fitted value."""
    C = cell_targets(M, groups, Tint)
    cs = M.sum(0)
    M = M * np.divide(C, cs, out=np.zeros_like(cs), where=cs > 0)[None, :]
    assert np.abs(M.sum(0) - C).max() < 1e-9, "a cell total without persons in the seed"
    r = M.sum(1)
    up = np.ceil(r - 1e-9)
    slack = np.maximum(up - r, 0.0)
    A = np.concatenate([M, slack[:, None]], axis=1)
    Cs = np.append(C, int(round(up.sum())) - int(C.sum()))
    Xi, fb, _ = controlled_round(A, up.astype(np.int64), Cs, rng=rng)
    assert fb == 0, "controlled rounding needed its fallback"
    return Xi[:, :-1]


# ----------------------------------------------------------------------------------------------
# Sources
# ----------------------------------------------------------------------------------------------
def read_sources(shared):
    base = os.path.join(shared, "cbs_pc4_age_sex_2021")
    age = pd.read_csv(os.path.join(base, "pc4_population_by_age5_sex_2021.csv"))
    lk = pd.read_csv(os.path.join(base, "pc4_gemeente_provincie_2021.csv"))
    k20, k22 = national.read_pc4_kerncijfers(shared)
    # sex x band per PC4 reconciled to the CBS band totals, exactly as for nl-pc4-2021
    codes, T, M, F, _, _ = national.read_pc4_age_sex(shared)
    Nsb, _ = national.split_sex(T, M, F)
    return {"age": age, "lk": lk, "k": {2020: k20, 2022: k22}, "codes": [int(c) for c in codes],
            "T": T, "Nsb": Nsb, "shared": shared, "pc4_index": {int(c): i for i, c in enumerate(codes)}}


def kern_value(src, year, pc4, col):
    """A PC4 key figure, or None where the PC4 is absent or the value suppressed (-99997) / negative."""
    k = src["k"][year]
    if pc4 not in k.index:
        return None
    v = float(k.loc[pc4, col])
    return None if (np.isnan(v) or v < 0) else int(round(v))


def age_rows(src, pc4s):
    """CBS 83502NED rows of the given PC4 (published values only), sorted by PC4 and band."""
    a = src["age"]
    a = a[a.pc4.isin(pc4s)].copy()
    a["band"] = a.age_group.map(AGE_BANDS.index)
    return a.sort_values(["pc4", "band"])


# ----------------------------------------------------------------------------------------------
# Observations
# ----------------------------------------------------------------------------------------------
def obs_rows_for(area, values):
    """values: {(year, indicator, sex, band): number} -> sorted observed.csv rows of one area."""
    rows = []
    for (year, ind, s, b), v in values.items():
        rows.append(((year, INDICATORS.index(ind), SEXES.index(s) if s else -1, b if b is not None else -1),
                     [area, year, ind, s, AGE_BANDS[b] if b is not None else "", int(v)]))
    rows.sort(key=lambda t: t[0])
    return [r for _, r in rows]


def pc4_values(src, pc4):
    """All observed values of one PC4: key figures 2020/2022 and the age table 2021 (None = suppressed)."""
    out, skipped = {}, []
    for year in KERN_YEARS:
        for ind, col in KERN_INDICATORS:
            v = kern_value(src, year, pc4, col)
            if v is None:
                skipped.append((pc4, year, ind))
            else:
                out[(year, ind, "", None)] = v
    a = age_rows(src, [pc4])
    if a.population_total.notna().all():
        out[(AGE_YEAR, "population", "", None)] = int(a.population_total.sum())
    for r in a.itertuples():
        for s, col in zip(SEXES, ("population_male", "population_female")):
            v = getattr(r, col)
            if pd.isna(v) or v < 0:
                skipped.append((pc4, AGE_YEAR, f"population_by_age_sex {s} {AGE_BANDS[r.band]}"))
            else:
                out[(AGE_YEAR, "population_by_age_sex", s, r.band)] = int(v)
    return out, skipped


def coverage(src, zw):
    """Per PC4 of the Zuid-West dataset: its 2019 persons and dwellings against CBS 2020/2021."""
    recs = []
    for p in sorted(zw["pc4_n19"]):
        cbs20 = kern_value(src, 2020, int(p), "INWONER")
        cbs21 = int(src["T"][src["pc4_index"][int(p)]].sum())
        r = zw["pc4_n19"][p] / cbs20
        recs.append({"pc4": p, "n19": int(zw["pc4_n19"][p]), "cbs20": cbs20, "cbs21": cbs21,
                     "cbs22": kern_value(src, 2022, int(p), "INWONER"), "ratio": r,
                     "dw19": int(zw["pc4_dw19"][p]), "w20": kern_value(src, 2020, int(p), "WONING"),
                     "included": COVER_RANGE[0] <= r <= COVER_RANGE[1],
                     "buurten": zw["pc4_buurten"][p]})
    return recs


def build_obs_zw(src, cov):
    rows, skipped = [], []
    for c in cov:
        if not c["included"]:
            continue
        vals, sk = pc4_values(src, int(c["pc4"]))
        rows += obs_rows_for(c["pc4"], vals)
        skipped += sk
    return rows, skipped


def gm_pc4s(src):
    lk = src["lk"]
    return sorted(int(p) for p in lk[lk.gemeente == GM_NAME_LOOKUP].pc4)


def dh_official_population(shared, years=(2018, 2019)):
    """CBS 37259eng population of The Hague (GM0518) on 1 January of `years`: {year: persons}."""
    f = pd.read_csv(os.path.join(shared, "cbs_population_dynamics_37259eng_2012_2019",
                                 "population_dynamics_by_region_sex_2012_2019.csv"))
    f = f[(f.Regions.str.strip() == GM_CODE) & (f.Sex.astype(str).str.strip() == "T001038")]
    return {y: int(f[f.Periods.str.startswith(str(y))].PopulationOn1January_1.iloc[0]) for y in years}


def build_obs_gm(src):
    """Sums over the PC4 of 's-Gravenhage (suppressed PC4 values left out of the sum, and counted)."""
    pcs = gm_pc4s(src)
    vals, n_supp = {}, {}
    for year in KERN_YEARS:
        for ind, col in KERN_INDICATORS:
            tot, ns = 0, 0
            for p in pcs:
                v = kern_value(src, year, p, col)
                if v is None:
                    ns += 1
                else:
                    tot += v
            vals[(year, ind, "", None)] = tot
            n_supp[(year, ind)] = ns
    a = age_rows(src, pcs)
    assert a.population_total.notna().all() and len(a) == 20 * len(pcs), "Den Haag PC4 without age data"
    vals[(AGE_YEAR, "population", "", None)] = int(a.population_total.sum())
    for s, col in zip(SEXES, ("population_male", "population_female")):
        for b, v in a.groupby("band")[col].sum().items():
            vals[(AGE_YEAR, "population_by_age_sex", s, int(b))] = int(v)
    sex_sum = int(a.population_male.sum() + a.population_female.sum())
    # the official population on 1 January 2018 and 2019 (37259eng), the two years before the 2019 base:
    # what the naive "last observed trend" forecast of `socialtwin backtest` is carried forward from
    for year, v in dh_official_population(src["shared"]).items():
        vals[(year, "population", "", None)] = v
    return obs_rows_for(GM_CODE, vals), {"pcs": pcs, "vals": vals, "n_supp": n_supp, "sex_sum": sex_sum}


# ----------------------------------------------------------------------------------------------
# Dataset denhaag-zuidwest-2021
# ----------------------------------------------------------------------------------------------
def fit_pc4_blocks(S, rows, Tint):
    """Scale each (sex, band) block of the seed S[rows] (the PC6 of one PC4) to its target Tint[20 s + b]
    (an IPF on one margin converges in one step). A block with a target but no one in the seed takes the
    seed's pattern of that sex and band over all areas, spread over the PC4's PC6 by their size.
    Returns (fitted [len(rows), 2, 106, 7], number of such blocks)."""
    blk = S[rows].copy()
    fallback = 0
    for s in range(2):
        for b in range(20):
            ages = np.flatnonzero(BAND5_OF_AGE == b)
            sub = blk[:, s, ages, :]
            t, have = float(Tint[20 * s + b]), sub.sum()
            if have > 0:
                blk[:, s, ages, :] = sub * (t / have)
            elif t > 0:
                w = S[rows].sum((1, 2, 3))
                w = w / w.sum() if w.sum() > 0 else np.full(len(rows), 1.0 / len(rows))
                prof = S[:, s, ages, :].sum(0)
                assert prof.sum() > 0
                blk[:, s, ages, :] = w[:, None, None] * (prof / prof.sum())[None] * t
                fallback += 1
    return blk, fallback


def fit_buurt_bands(M, R, G, groups):
    """IPF of buurt x (sex, age, position) [nb, 1484] to buurt totals R and (sex, band) totals G, ending
    on the buurt step. Returns (table, iterations, max band deviation)."""
    M = M.copy()
    nb = M.shape[0]
    for it in range(1, 5001):
        gs = np.bincount(groups, weights=M.sum(0), minlength=40)
        M *= np.divide(G, gs, out=np.zeros(40), where=gs > 0)[groups][None, :]
        rs = M.sum(1)
        M *= np.divide(R, rs, out=np.zeros(nb), where=rs > 0)[:, None]
        dev = np.abs(np.bincount(groups, weights=M.sum(0), minlength=40) - G).max()
        if dev < 1e-8:
            break
    return M, it, float(dev)


def build_zw21(src, out):
    d19 = os.path.join(out, "datasets", ZW19)
    header, body = read_areas_raw(d19)
    codes = [r[0] for r in body]
    ci = {c: i for i, c in enumerate(header)}
    pc4 = np.array([r[ci["pc4"]] for r in body])
    X19 = read_population(d19, codes)
    dw19 = np.array([int(r[ci["dwellings"]]) for r in body], dtype=np.int64)
    n19 = X19.sum((1, 2, 3))
    S = age_two_years(X19, read_transitions(os.path.normpath(os.path.join(d19, read_yaml_line(d19, "rates")))))
    K = age_kept(X19)
    kept_fit = np.zeros(7)
    groups = band_cols()
    pcs = sorted(set(pc4))
    X21 = np.zeros(X19.shape, dtype=np.int64)
    dw21 = np.zeros(len(codes), dtype=np.int64)
    recs = {}
    fallback_blocks = 0
    for p in pcs:
        rows = np.flatnonzero(pc4 == p)
        cbs20 = kern_value(src, 2020, int(p), "INWONER")
        share = n19[rows].sum() / cbs20                          # the dataset's 2019 share of the PC4
        tau = share * src["Nsb"][src["pc4_index"][int(p)]].astype(float)      # [2, 20] real targets
        tot = half_up(tau.sum())
        Tint = largest_remainder(tau.reshape(-1), tot)            # (sex, band) integer targets, sum = tot
        blk, fb = fit_pc4_blocks(S, rows, Tint)
        fallback_blocks += fb
        kept_fit += fit_pc4_blocks(K, rows, Tint)[0].sum((0, 1, 2))
        M = blk.reshape(len(rows), -1)
        Xi = round_pc4(M, groups, Tint, np.random.default_rng(int(p) * 1000 + 2021))
        X21[rows] = Xi.reshape(len(rows), 2, N_AGES, 7)
        # dwellings: the PC4 change in WONING 1 Jan 2020 -> 1 Jan 2021 (mean of 2020 and 2022)
        w20, w22 = kern_value(src, 2020, int(p), "WONING"), kern_value(src, 2022, int(p), "WONING")
        w21 = 0.5 * (w20 + w22)
        f = w21 / w20
        dw21[rows] = largest_remainder(dw19[rows] * f, half_up(dw19[rows].sum() * f))
        recs[p] = {"pc4": p, "share": share, "tau": tau, "Tint": Tint.reshape(2, 20), "tot": tot,
                   "n19": int(n19[rows].sum()), "cbs20": cbs20, "cbs21": int(src["T"][src["pc4_index"][int(p)]].sum()),
                   "w20": w20, "w22": w22, "w21": w21, "dw_factor": f, "dw19": int(dw19[rows].sum()),
                   "dw21": int(dw21[rows].sum()), "n21": int(X21[rows].sum())}
    new_body = [list(r) for r in body]
    for r, d in zip(new_body, dw21):
        r[ci["dwellings"]] = str(int(d))
    buurt = np.array([r[ci["buurt"]] for r in body])
    pc4_buurten = {p: sorted(set(buurt[pc4 == p])) for p in pcs}
    return {"header": header, "body": new_body, "codes": codes, "X": X21, "X19": X19, "recs": recs,
            "fallback_blocks": fallback_blocks, "pc4": pc4, "dw19": dw19, "dw21": dw21, "kept_pos": kept_fit,
            "pc4_n19": {p: int(n19[pc4 == p].sum()) for p in pcs},
            "pc4_dw19": {p: int(dw19[pc4 == p].sum()) for p in pcs}, "pc4_buurten": pc4_buurten,
            "levels": read_yaml_line(d19, "levels"), "rates": read_yaml_line(d19, "rates")}


# ----------------------------------------------------------------------------------------------
# Dataset denhaag-2021
# ----------------------------------------------------------------------------------------------
def build_dh21(src, out):
    d19 = os.path.join(out, "datasets", DH19)
    header, body = read_areas_raw(d19)
    codes = [r[0] for r in body]
    ci = {c: i for i, c in enumerate(header)}
    X19 = read_population(d19, codes)
    dw19 = np.array([int(r[ci["dwellings"]]) for r in body], dtype=np.int64)
    n19 = X19.sum((1, 2, 3))
    nb = len(codes)
    pcs = gm_pc4s(src)
    G = np.zeros(40, dtype=np.int64)             # gemeente (sex, band) totals 2021 = sum over its PC4
    for p in pcs:
        G += src["Nsb"][src["pc4_index"][p]].reshape(-1)
    g21 = int(G.sum())
    R = largest_remainder(n19 * g21 / n19.sum(), g21)              # buurt shares of 2019 kept
    groups = band_cols()
    M = age_two_years(X19, read_transitions(os.path.normpath(os.path.join(d19, read_yaml_line(d19, "rates")))))
    M, it, dev = fit_buurt_bands(M.reshape(nb, -1), R, G, groups)
    kept_fit = fit_buurt_bands(age_kept(X19).reshape(nb, -1), R, G, groups)[0].sum(0).reshape(2, N_AGES, 7).sum((0, 1))
    C = cell_targets(M, groups, G)
    M, _, _ = ipf_rows_cols(M, R.astype(float), C.astype(float), tol=1e-8)
    Xi, fb, _ = controlled_round(M, R, C)
    assert fb == 0, "controlled rounding needed its fallback"
    X21 = Xi.reshape(nb, 2, N_AGES, 7)
    # dwellings: KWB 2019 buurt stock x (gemeente stock 1 Jan 2021 / 1 Jan 2019); 2021 = the mean of the
    # PC4 sums of 2020 and 2022, 2019 = the KWB stock (sum of the buurten = the gemeente row)
    w = {y: sum(kern_value(src, y, p, "WONING") for p in pcs) for y in KERN_YEARS}
    w21 = 0.5 * (w[2020] + w[2022])
    f = w21 / dw19.sum()
    dw21 = largest_remainder(dw19 * f, half_up(w21))
    new_body = [list(r) for r in body]
    for r, d in zip(new_body, dw21):
        r[ci["dwellings"]] = str(int(d))
    return {"header": header, "body": new_body, "codes": codes, "X": X21, "X19": X19, "R": R, "G": G, "g21": g21,
            "ipf_iter": it, "ipf_dev": dev, "kept_pos": kept_fit, "w20": w[2020], "w22": w[2022], "w21": w21, "dw19": int(dw19.sum()),
            "dw_factor": f, "dw21": int(dw21.sum()), "n_pcs": len(pcs), "n_empty": int((n19 == 0).sum()),
            "levels": read_yaml_line(d19, "levels"), "rates": read_yaml_line(d19, "rates")}


def extra_files(out, name19, dw_new):
    """Optional files of a 2019 dataset that another step may add: facilities.csv is copied as it is;
    dwellings.csv (dwellings per area by kind) is scaled per area to the new areas.csv stock. Returns
    {file name: text}."""
    d19 = os.path.join(out, "datasets", name19)
    files = {}
    fac = os.path.join(d19, "facilities.csv")
    if os.path.exists(fac):
        with open(fac, encoding="utf-8", newline="") as f:
            files["facilities.csv"] = f.read()
    dwf = os.path.join(d19, "dwellings.csv")
    if os.path.exists(dwf):
        files["dwellings.csv"] = scale_dwellings_csv(dwf, dw_new)
    return files


def scale_dwellings_csv(path, dw_new):
    """dwellings.csv: one row per area, `area` then integer dwelling counts by kind (e.g. single/multi-family
    x tenure). Each row is scaled to the area's new areas.csv stock by largest remainder over its kinds
    (ties by column order), so the kinds keep their 2019 mix and add up to the new stock. An area whose
    2019 row is empty but whose new stock is not takes the dataset-wide 2019 mix."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], [list(r) for r in rows[1:]]
    assert header[0] == "area", f"{path}: unknown layout {header}"
    V = np.array([[float(x) for x in r[1:]] for r in body])
    mix = V.sum(0)
    out = []
    for r, v in zip(body, V):
        new = int(dw_new[r[0]])
        w = v if v.sum() > 0 else mix
        vals = largest_remainder(w * new / w.sum(), new) if new > 0 else np.zeros(len(v), dtype=np.int64)
        out.append([r[0]] + [str(int(x)) for x in vals])
    return csv_text(header, out)


# ----------------------------------------------------------------------------------------------
# YAML and provenance texts
# ----------------------------------------------------------------------------------------------
def dataset_yaml(name, title, description, area_level, total, n_areas, levels, rates, tables, method, modelled):
    # `levels` and `rates` as the 2019 dataset.yaml wrote them (read back with read_yaml_line).
    return common.dataset_yaml_text(name, title, description, area_level, total, n_areas, tables, method, modelled,
                                    2021, rates, levels)


def observation_yaml(name, title, description, level, dataset, also, years, tables, ref, method, real, modelled,
                     notes):
    lines = [
        f"name: {name}",
        f"title: {yq(title)}",
        f"description: {yq(description)}",
        f"level: {level}",
        f"dataset: {dataset}",
        f"also_matches: [{', '.join(also)}]",
        f"years: [{', '.join(str(y) for y in years)}]",
        f"indicators: [{', '.join(INDICATORS)}]",
        "provenance:",
        f"  publisher: {yq('CBS (Centraal Bureau voor de Statistiek)')}",
        f"  licence: {yq('CC BY 4.0, Bron: CBS')}",
        "  tables:",
    ] + [f"    - {yq(t)}" for t in tables] + [
        f"  reference_dates: {yq(ref)}",
        f"  method: {yq(method)}",
        f"  real: {yq(real)}",
        f"  modelled: {yq(modelled)}",
        f"  notes: {yq(notes)}",
        "",
    ]
    return "\n".join(lines)


TABLES_KERN = "CBS Kerncijfers per postcode (PC4) 2020 v1 (peildatum 1 Jan 2020) and 2022 v1 (peildatum 1 Jan 2022)"
TABLES_AGE = "CBS 83502NED Bevolking; leeftijd, postcode, 1 januari 2021 (PC4 x 5-year age x sex, via certegis)"
TABLES_LK = "certegis PC4 lookup (gemeente name per PC4, pre-2022 layout)"
REF_DATES = ("1 January of the year in column `year`. 2020 and 2022: the PC4 key figures, whose releases have one "
             "reference date (peildatum) for population, private households by type and the dwelling stock: 1 January "
             "of the year in the file name ('PC4 2020 v1', dated 17 Feb 2021: 1-1-2020; '2023-CBS_pc4_2022_v1': 1-1-2022), "
             "so no figure is shifted to another year. 2021: 83502NED, population by sex x 5-year band on 1 January 2021.")
INDICATOR_MAP = ("population = INWONER (2020, 2022) or the sum of population_total over the 20 bands (2021); "
                 "population_by_age_sex = population_male / population_female per band (2021); households = AANTAL_HH "
                 "(private households); households_single = TOTHH_EENP; households_single_parent = HH_EENOUD; "
                 "dwellings_stock = WONING.")


def fmt_int(v):
    return f"{int(v):,}"


def obs_zw_texts(cov, rows, skipped, zw):
    inc = [c for c in cov if c["included"]]
    exc = [c for c in cov if not c["included"]]
    lo, hi = COVER_RANGE
    ratios = "; ".join(f"{c['pc4']} {c['ratio']:.3f}" for c in cov)
    years = sorted({r[1] for r in rows})
    yaml = observation_yaml(
        OBS_ZW, "CBS PC4 figures 2020-2022 for the PC4 of Den Haag Zuid-West",
        f"Observed population, households and dwellings per PC4 on 1 January 2020, 2021 and 2022 for the "
        f"{len(inc)} PC4 that the dataset {ZW19} covers substantially ({', '.join(c['pc4'] for c in inc)}); "
        f"compare a projection aggregated to its areas.csv column pc4.",
        "pc4", ZW19, [ZW21], years, [TABLES_KERN, TABLES_AGE], REF_DATES,
        "CBS values copied as published (CBS rounds PC4 counts to 5); " + INDICATOR_MAP
        + " Suppressed values (-99997, 0-4 / geheim) are left out, not written.",
        "Every value is a published CBS figure.",
        "Nothing in observed.csv is modelled. The choice of PC4 is a judgement: a PC4 is included when the "
        f"dataset's 1 Jan 2019 persons in it divided by CBS INWONER of 1 Jan 2020 lies in [{lo}, {hi}].",
        f"PC4 and buurt boundaries differ: the dataset's PC6 of a PC4 need not cover the whole PC4. Coverage "
        f"ratio dataset 2019 / CBS 2020 per PC4: {ratios}. Left out: "
        + "; ".join(f"{c['pc4']} (ratio {c['ratio']:.3f})" for c in exc)
        + ". Ratios above 1 mean the dataset puts more persons in the PC4 than CBS counts there: buurt Leyenburg "
        "(BU05183284, 15,010 inhabitants, most frequent PC4 2547) has no PC6 in PC4 2547 in the dataset's PC6 file, "
        "so its persons were split over its PC6 in 2541, 2545 and 2546. For the included PC4 the projection's "
        "level may differ from CBS by up to 10% from the start: compare changes as well as levels. CBS "
        "men + women need not equal the total (each rounded to 5).")
    rows_c = "\n".join(
        f"| {c['pc4']} | {', '.join(c['buurten'])} | {fmt_int(c['n19'])} | {fmt_int(c['cbs20'])} | {c['ratio']:.3f} | "
        f"{fmt_int(c['cbs21'])} | {fmt_int(c['cbs22'])} | {fmt_int(c['dw19'])} | {fmt_int(c['w20'])} | "
        f"{'yes' if c['included'] else 'no'} |" for c in cov)
    tot = {}
    for r in rows:
        if r[2] != "population_by_age_sex":
            tot[(r[1], r[2])] = tot.get((r[1], r[2]), 0) + r[5]
    tot_rows = "\n".join(
        f"| {ind} | " + " | ".join(fmt_int(tot[(y, ind)]) if (y, ind) in tot else "–" for y in years) + " |"
        for ind in INDICATORS if ind != "population_by_age_sex")
    sk = "none" if not skipped else "; ".join(f"{p} {y} {i}" for p, y, i in skipped)
    prov = f"""# Observation `{OBS_ZW}` — provenance

Observed CBS figures per PC4 for the PC4 of Den Haag Zuid-West, for comparing a projection of
`{ZW19}` (or `{ZW21}`) aggregated to the areas.csv column `pc4`. Generated by
`data/prepare/observations.py`. Publisher CBS, licence CC BY 4.0 — **Bron: CBS**.

| year (1 January) | source | indicators |
|---|---|---|
| 2020 | CBS Kerncijfers per postcode, PC4 2020 v1 (peildatum 1-1-2020) | population, households, households_single, households_single_parent, dwellings_stock |
| 2021 | CBS 83502NED, PC4 × 5-year age × sex, 1-1-2021 | population, population_by_age_sex |
| 2022 | CBS Kerncijfers per postcode, PC4 2022 v1 (peildatum 1-1-2022) | as 2020 |

{INDICATOR_MAP} Every value is as published: CBS rounds PC4 counts to 5, so men + women of a band, or
the bands of a PC4, need not add up to the PC4 total. Suppressed values (-99997) are left out: {sk}.

## Which PC4 (coverage)
A PC4 and the dataset's buurten do not nest: the dataset's PC6 in a PC4 may cover only part of it. The
coverage ratio is the dataset's persons on 1 January 2019 in the PC4 (its PC6 summed) divided by CBS
INWONER on 1 January 2020 (the nearest year with a PC4 count). A PC4 is **included when the ratio lies in
[{lo}, {hi}]**: below {lo} the PC4 reaches well beyond the dataset and the comparison would mix in persons
the projection does not have; above {hi} the dataset holds more persons in the PC4 than live there.

| PC4 | buurten of the dataset in it | dataset 2019 | CBS 2020 | ratio | CBS 2021 | CBS 2022 | dataset dwellings 2019 | CBS dwellings 2020 | included |
|---|---|---|---|---|---|---|---|---|---|
{rows_c}

- The ratio carries one year of real change (2019 → 2020) as well as the coverage.
- 2545 and 2546 are over-covered: buurt Leyenburg (BU05183284, 15,010 inhabitants in KWB 2019, most frequent
  PC4 **2547**) has no PC6 in 2547 in the dataset's PC6 file, so all its persons were split over its PC6 in
  2541, 2545 and 2546 in proportion to addresses. The 9 PC4 hold {fmt_int(sum(c['cbs20'] for c in cov))} persons in 2020 (CBS),
  the dataset {fmt_int(sum(c['n19'] for c in cov))} in 2019.
- A ratio near 1 does not prove that the areas match: a PC4 may be partly outside the dataset and partly
  over-allocated. For the included PC4 the base level may differ from CBS by up to 10%; compare the change
  from the base year as well as the level.

## Totals over the {len(inc)} included PC4

| indicator | {' | '.join(str(y) for y in years)} |
|---|{'---|' * len(years)}
{tot_rows}
"""
    return yaml, prov


def sex_note(sex_sum, total):
    if sex_sum == total:
        return f"Men + women over the bands ({sex_sum:,}) happen to equal the 2021 total."
    return f"Men + women over the bands ({sex_sum:,}) differ from the 2021 total ({total:,}) by the rounding of each cell."


def obs_gm_texts(g, offic=537833):
    v = g["vals"]
    years = [2018, 2019, 2020, 2021, 2022]
    supp = {k: n for k, n in g["n_supp"].items() if n}
    supp_txt = ("none" if not supp else
                "; ".join(f"{ind} {y}: {n} PC4 (the sum is at most {4 * n} too low)" for (y, ind), n in supp.items()))
    p20, p21, p22 = v[(2020, "population", "", None)], v[(2021, "population", "", None)], v[(2022, "population", "", None)]
    yaml = observation_yaml(
        OBS_GM, "CBS PC4 figures 2020-2022 summed over Den Haag (GM0518)",
        f"Observed population, households and dwellings of Den Haag on 1 January 2020, 2021 and 2022: sums over "
        f"the {len(g['pcs'])} PC4 the certegis lookup assigns to 's-Gravenhage; compare a projection aggregated to "
        f"its areas.csv column gemeente.",
        "gemeente", DH19, [DH21], years, [TABLES_KERN, TABLES_AGE, TABLES_LK], REF_DATES,
        "Sums of the published PC4 values over the PC4 whose gemeente is 's-Gravenhage in the lookup; "
        + INDICATOR_MAP + " Suppressed PC4 values (-99997) are left out of a sum: " + supp_txt + ". population "
        f"2018 and 2019: the official CBS 37259eng population of GM0518 on 1 January ({v[(2018, 'population', '', None)]:,}, "
        f"{v[(2019, 'population', '', None)]:,}), not PC4 sums: the two observations before a 2019 base that the "
        "naive last-trend forecast of `socialtwin backtest` uses.",
        "Every PC4 value is a published CBS figure; the sums are exact sums of them.",
        "Nothing is modelled; the PC4 -> gemeente assignment (certegis, by spatial overlap) is the approximation.",
        f"Plausibility: CBS official 1 Jan 2019 total 537,833 (03759ned); PC4 sums {p20:,} (2020), {p21:,} (2021), "
        f"{p22:,} (2022). PC4 counts are each rounded to 5 (61 PC4: up to +-150 on a sum, typically +-20); PC4 on the "
        "border are counted wholly in the gemeente that holds most of them. " + sex_note(g["sex_sum"], p21))
    tab = "\n".join(
        f"| {ind} | " + " | ".join(fmt_int(v[(y, ind, '', None)]) if (y, ind, '', None) in v else "–" for y in (2020, 2021, 2022)) + " |"
        for ind in INDICATORS if ind != "population_by_age_sex")
    prov = f"""# Observation `{OBS_GM}` — provenance

Den Haag (GM0518) as a whole on 1 January 2020, 2021 and 2022: the CBS PC4 figures summed over the
{len(g['pcs'])} PC4 that the certegis lookup assigns to 's-Gravenhage ({g['pcs'][0]}–{g['pcs'][-1]}). For comparing a
projection of `{DH19}` (or `{DH21}`) aggregated to the areas.csv column `gemeente`. Generated by
`data/prepare/observations.py`. Publisher CBS, licence CC BY 4.0 — **Bron: CBS**. Sources and reference dates
as for `{OBS_ZW}` (PC4 key figures 2020 v1 and 2022 v1 on 1 January of those years; 83502NED on 1 January 2021).

{INDICATOR_MAP}

Also population on 1 January 2018 and 2019: the official CBS 37259eng figures of GM0518
({v[(2018, 'population', '', None)]:,} and {v[(2019, 'population', '', None)]:,}; not PC4 sums), the two observations
before the 2019 base that `socialtwin backtest` carries forward as the naive "last observed trend".

| indicator | 2020 | 2021 | 2022 |
|---|---|---|---|
{tab}

population_by_age_sex 2021: men {sum(x for k, x in v.items() if k[2] == 'male'):,}, women
{sum(x for k, x in v.items() if k[2] == 'female'):,} (sums of the PC4 cells, each rounded to 5 by CBS). {sex_note(g['sex_sum'], p21)}

## Plausibility and rounding
- CBS official population of Den Haag on 1 January 2019 (03759ned): **537,833**. The PC4 sums grow from there
  by {p20 - offic:+,} ({p20 / offic - 1:+.1%}) to 2020, {p21 - p20:+,} ({p21 / p20 - 1:+.1%}) to 2021 and {p22 - p21:+,}
  ({p22 / p21 - 1:+.1%}) to 2022: plausible yearly growth for the city (the smaller step is the growth during 2020, the
  first year of the pandemic), so the sums behave as the municipality.
- Every PC4 count is rounded to 5 by CBS, so each sum carries up to ±2.5 × {len(g['pcs'])} = ±{2.5 * len(g['pcs']):.0f} persons
  of rounding (typically ±{2.5 * np.sqrt(len(g['pcs']) / 3):.0f}, the standard deviation of {len(g['pcs'])} independent roundings);
  the by-age-sex cells are rounded separately. {sex_note(g['sex_sum'], p21)}
- A PC4 on the municipal border is counted wholly where the lookup puts it (largest overlap): the sum is not
  exactly the municipality. The 2019 KWB figures of the gemeente (537,833 persons, 263,371 households, 259,264
  dwellings) against the 2020 sums ({p20:,}, {v[(2020, 'households', '', None)]:,}, {v[(2020, 'dwellings_stock', '', None)]:,})
  show no sign of a large mismatch.
- Suppressed PC4 values left out of a sum: {supp_txt}.
"""
    return yaml, prov


def extra_text(extra, name19):
    """PROVENANCE lines on the optional files of the 2019 dataset."""
    lines = []
    if "facilities.csv" in extra:
        lines.append(f"- `facilities.csv`: copied unchanged from `{name19}` (its facilities and capacities as they are there).")
    if "dwellings.csv" in extra:
        lines.append(f"- `dwellings.csv`: the `{name19}` dwellings by kind of each area scaled to the area's 2021 stock in "
                     "`areas.csv` (largest remainder over the kinds, ties by column order), so the kinds keep their 2019 "
                     "mix and add up to the stock (**modelled**).")
    return "\n".join(lines) if lines else f"- No other files: `{name19}` has no `facilities.csv` or `dwellings.csv`."


def extra_modelled(extra):
    parts = []
    if "dwellings.csv" in extra:
        parts.append("dwellings.csv is modelled (the 2019 mix by kind scaled to the 2021 stock)")
    if "facilities.csv" in extra:
        parts.append("facilities.csv is copied unchanged from 2019")
    return (" " + "; ".join(parts) + ".") if parts else ""


def zw21_texts(zw, cov_recs):
    r = zw["recs"]
    total = int(zw["X"].sum())
    pos = zw["X"].sum((0, 1, 2))
    rows = "\n".join(
        f"| {p} | {fmt_int(x['n19'])} | {fmt_int(x['cbs20'])} | {x['share']:.4f} | {fmt_int(x['cbs21'])} | "
        f"{x['share'] * x['cbs21']:,.1f} | {fmt_int(x['n21'])} | {fmt_int(x['w20'])} | {fmt_int(x['w22'])} | "
        f"{x['dw_factor']:.4f} | {fmt_int(x['dw19'])} | {fmt_int(x['dw21'])} |" for p, x in sorted(r.items()))
    pos_rows = "\n".join(f"| {POSITIONS[p]} | {fmt_int(zw['X19'].sum((0, 1, 2))[p])} | {fmt_int(pos[p])} |" for p in range(7))
    extra = extra_text(zw["extra"], ZW19)
    method = ("Seed: the denhaag-zuidwest-2019 PC6 x sex x single age x position table aged two years (age + 2, "
              "positions moved by two years of the rate set's household transitions, the open class 105 kept; ages 0-1 "
              "from the 2019 age-0 structure). Per PC4, targets "
              "= the CBS 83502NED 1 Jan 2021 PC4 sex x 5-year band counts (men and women reconciled to the band totals "
              "as for nl-pc4-2021) x the dataset's share of the PC4 (its 2019 persons / CBS PC4 population 1 Jan 2020), "
              "rounded to whole persons; each PC4 x sex x band block of the seed scaled to its target (IPF on one "
              "margin); controlled rounding of PC6 x (sex, age, position) per PC4 keeping the PC4 x sex x band targets "
              "exact. Dwellings: 2019 PC6 stock x the PC4 change of CBS WONING from 1 Jan 2020 to 1 Jan 2021 (mean of "
              "2020 and 2022), largest remainder per PC4.")
    modelled = ("population.csv is modelled (its PC4 x sex x 5-year band totals are CBS 2021 x a modelled share); "
                "areas.csv dwellings are modelled (2019 modelled PC6 stock scaled to the real PC4 change); every other "
                "areas.csv column is copied from denhaag-zuidwest-2019 as it is (wmo_client_factor calibrated on 2019)."
                + extra_modelled(zw["extra"]))
    yaml = dataset_yaml(
        ZW21, "Den Haag Zuid-West, 1 January 2021 (1,816 PC6 areas)",
        f"The 1,816 PC6 areas of Den Haag Zuid-West with persons by sex, single age and household position on "
        f"1 January 2021 ({total:,} inhabitants): the 2019 dataset aged two years and fitted to the CBS PC4 age x sex "
        f"table of 2021. Restart base for businesscase monitoring.",
        "pc6", total, len(zw["codes"]), zw["levels"], zw["rates"],
        [TABLES_AGE, TABLES_KERN, "the dataset denhaag-zuidwest-2019 (CBS 84583NED 2019, 03759ned, 71488ned, "
         "PC6 addresses)"], method, modelled)
    prov = f"""# Dataset `{ZW21}` — provenance

Den Haag Zuid-West on **1 January 2021**: the same {len(zw['codes']):,} PC6 areas as `{ZW19}`, **{total:,}
inhabitants**, base year 2021, rates `{zw['rates']}` (the 2019 rate set). A restart base: project from 2021 and
compare with the observations `{OBS_ZW}`. Generated by `data/prepare/observations.py`. Publisher CBS,
licence CC BY 4.0 — **Bron: CBS**.

## What is real and what is modelled
- **Real:** the PC6 codes, buurt links and addresses (copied); the CBS PC4 × sex × 5-year band counts of
  1 January 2021 (83502NED) and the PC4 dwelling stocks of 1 January 2020 and 2022 (WONING) the fit uses.
- **Modelled:** all of `population.csv`; `areas.csv` dwellings; the share of each PC4 that the dataset holds.
- **Copied from `{ZW19}` as it is when this step runs:** every other column of `areas.csv`
  ({', '.join(c for c in zw['header'] if c != 'dwellings')}), including `wmo_client_factor` (calibrated on 2019).
{extra}

## Method of population.csv
1. **Seed:** the 2019 table PC6 × sex × single age × position, **aged two years** in two yearly steps: everyone
   one year older, moving between household positions by the rate set's `household_transitions.csv` as the
   engine does (new(a + 1) = old(a) · T(a); the open class 105 keeps its persons and positions, so 103, 104 and
   105+ end in 105). Each step the 2019 age-0 table (PC6 × sex × position) enters at age 0 (newborns), so
   ages 0 and 1 of 2021 come from the 2019 age-0 structure. No deaths or migration: step 3 absorbs them.
   Why transitions and not the positions as they were: kept positions would leave every 17–18-year-old of
   2019 at home at 19–20 and so on; fitted the same way that gives {zw['kept'][0]:,.0f} children at home (2019:
   {fmt_int(zw['X19'].sum((0, 1, 2))[0])}) and {zw['kept'][1]:,.0f} implied households (2019: {zw['hh19']:,.0f}), a
   drift of the base that a comparison with observed households would show as a false change.
2. **Targets per PC4 (modelled):** CBS 83502NED counts of the PC4 by sex × 5-year band on 1 January 2021. CBS
   rounds men, women and totals to 5 separately; men and women are reconciled to the band totals exactly as
   for `nl-pc4-2021` (same function). They are multiplied by the **dataset's share of the PC4** = the
   dataset's 2019 persons in the PC4 / CBS INWONER of the PC4 on 1 January 2020 (the PC4 is not always wholly
   in the dataset, see the table; no 2019 PC4 count is in the sources, so 2020 stands in for 2019 and the
   real change 2019 → 2020 of the PC4 is not carried). The PC4 total is rounded half up and its sex × band
   targets rounded by largest remainder to it.
3. **Fit:** each PC4 × sex × band block of the seed is scaled to its target (an IPF on this one margin
   converges in one step); within a block the PC6 × single age × position pattern of the aged seed is kept.
   Blocks with a target but no one in the seed: {zw['fallback_blocks']} (they would take the Zuid-West pattern
   of that sex and band, spread over the PC4's PC6 by their size).
4. **Integerisation** per PC4: controlled rounding of PC6 × (sex, age, position): PC6 totals = largest
   remainder of the fitted ones, (sex, age, position) totals = largest remainder of the fitted ones within
   each sex × band target; every count is the floor or the ceiling of its fitted value (exponential-race
   order seeded with the PC4 code). Every PC4 × sex × band total equals its integer target.

## Dwellings (`areas.csv` dwellings, modelled)
The 2019 PC6 stock (modelled from the buurt stock in proportion to addresses) × the PC4's change in CBS
WONING from 1 January 2020 to 1 January 2021, where 2021 = the mean of the 2020 and 2022 key figures; per
PC4 the total is rounded half up and split by largest remainder. The 2019 → 2020 change is not carried
(as for the population). Total {fmt_int(zw['dw21'].sum())} (2019: {fmt_int(zw['dw19'].sum())}).

## Per PC4

| PC4 | dataset 2019 | CBS 2020 | share | CBS 2021 | target 2021 | persons 2021 | WONING 2020 | WONING 2022 | dwellings factor | dwellings 2019 | dwellings 2021 |
|---|---|---|---|---|---|---|---|---|---|---|---|
{rows}

Total persons **{total:,}** (2019: {int(zw['X19'].sum()):,}); the real targets sum to
{sum(x['share'] * x['cbs21'] for x in r.values()):,.1f}.

## Persons by position

| position | 2019 | 2021 |
|---|---|---|
{pos_rows}

Implied households (living_alone + partners/2 + single parents + other_member × {zw['ohpom']:.4f}):
**{zw['hh21']:,.0f}** (2019: {zw['hh19']:,.0f}). Positions follow two years of the rate set's transitions and are
then rescaled with the age structure; they are not re-fitted to 2021 household counts.

## Limitations
- The shares of 2545 and 2546 exceed 1 (see `observations/{OBS_ZW}/PROVENANCE.md`: the Leyenburg PC6 of
  PC4 2547 are missing from the PC6 file), so there the 2021 population is the CBS structure of the PC4
  scaled up to the dataset's 2019 level.
- 2020 stands in for 2019 in the share and the dwelling change (no 2019 PC4 counts in the sources).
"""
    return yaml, prov


def dh21_texts(dh):
    total = int(dh["X"].sum())
    pos19, pos21 = dh["X19"].sum((0, 1, 2)), dh["X"].sum((0, 1, 2))
    pos_rows = "\n".join(f"| {POSITIONS[p]} | {fmt_int(pos19[p])} | {fmt_int(pos21[p])} |" for p in range(7))
    G = dh["G"].reshape(2, 20)
    band_rows = "\n".join(f"| {AGE_BANDS[b]} | {fmt_int(G[0, b])} | {fmt_int(G[1, b])} |" for b in range(20))
    extra = extra_text(dh["extra"], DH19)
    method = ("Seed: the denhaag-2019 buurt x sex x single age x position table aged two years (age + 2, positions "
              "moved by two years of the rate set's household transitions, the open class 105 kept; ages 0-1 from the "
              "2019 age-0 structure). IPF of buurt x (sex, age, "
              "position) to the buurt totals (the 2019 buurt shares x the 2021 gemeente total) and the gemeente sex x "
              "5-year band totals of 1 Jan 2021 (CBS 83502NED summed over the PC4 of 's-Gravenhage, men and women "
              "reconciled as for nl-pc4-2021); controlled rounding keeping buurt totals and every gemeente sex x band "
              "total exact. Dwellings: KWB 2019 buurt stock x (gemeente stock 1 Jan 2021 / 1 Jan 2019), 2021 = mean "
              "of the PC4 WONING sums of 2020 and 2022.")
    modelled = ("population.csv is modelled (its gemeente sex x 5-year band totals are CBS 2021); areas.csv dwellings "
                "are modelled (2019 buurt stock scaled to the gemeente change); every other areas.csv column is copied "
                "from denhaag-2019 as it is (wmo_client_factor calibrated on 2019)." + extra_modelled(dh["extra"]))
    yaml = dataset_yaml(
        DH21, "Den Haag, all buurten, 1 January 2021",
        f"All buurten of Den Haag (GM0518) with persons by sex, single age and household position on 1 January 2021 "
        f"({total:,} inhabitants, the sum of the CBS PC4 table over the PC4 of 's-Gravenhage): the 2019 dataset aged "
        f"two years and fitted to the gemeente 2021 age x sex totals. Restart base for businesscase monitoring.",
        "buurt", total, len(dh["codes"]), dh["levels"], dh["rates"],
        [TABLES_AGE, TABLES_KERN, TABLES_LK, "the dataset denhaag-2019 (CBS 84583NED 2019, 03759ned, 71488ned)"],
        method, modelled)
    prov = f"""# Dataset `{DH21}` — provenance

All {len(dh['codes'])} buurten of Den Haag on **1 January 2021**, **{total:,} inhabitants**, base year 2021, rates
`{dh['rates']}` (the 2019 rate set). A restart base: project from 2021 and compare with the observation
`{OBS_GM}`. Generated by `data/prepare/observations.py`. Publisher CBS, licence CC BY 4.0 — **Bron: CBS**.

## What is real and what is modelled
- **Real:** the gemeente total and sex × 5-year band totals of 1 January 2021 (CBS 83502NED summed over the
  {dh['n_pcs']} PC4 the certegis lookup assigns to 's-Gravenhage; men and women reconciled to the band totals as
  for `nl-pc4-2021`); the PC4 dwelling stocks of 2020 and 2022 and the KWB 2019 buurt stocks.
- **Modelled:** all of `population.csv` (buurt totals, single ages, positions); `areas.csv` dwellings.
- **Copied from `{DH19}` as it is when this step runs:** every other column of `areas.csv`
  ({', '.join(c for c in dh['header'] if c != 'dwellings')}), including `wmo_client_factor` (calibrated on 2019).
{extra}

## Method of population.csv
1. **Seed:** the 2019 buurt × sex × single age × position table aged two years as for `{ZW21}`: two yearly
   steps with the rate set's household transitions, the open class 105 kept, ages 0 and 1 from the 2019
   age-0 table. (With the positions simply kept and fitted the same way, children at home would be
   {dh['kept'][0]:,.0f} and implied
   households {dh['kept'][1]:,.0f}.)
2. **Targets:** buurt totals = the buurt's 2019 share of 537,833 × the 2021 gemeente total {dh['g21']:,}
   (largest remainder; the {dh['n_empty']} empty buurten stay empty); gemeente sex × 5-year band totals of 2021 (below).
3. **IPF** of buurt × (sex, age, position) to these two margins, ending on the buurt step
   ({dh['ipf_iter']} iterations, max band deviation {dh['ipf_dev']:.1e}).
4. **Integerisation:** (sex, age, position) totals by largest remainder within each sex × band total, then
   controlled rounding of buurt × cell (largest fractions first): buurt totals and every gemeente sex × band
   total exact.

| band | men 2021 | women 2021 |
|---|---|---|
{band_rows}

## Dwellings (`areas.csv` dwellings, modelled)
KWB 2019 buurt stock (Woningvoorraad_34, 1 January 2019, sum {fmt_int(dh['dw19'])}) × the gemeente change to 1 January
2021: the stock of 2021 = the mean of the PC4 WONING sums of 2020 ({fmt_int(dh['w20'])}) and 2022 ({fmt_int(dh['w22'])}) =
{dh['w21']:,.1f}; factor {dh['dw_factor']:.6f}; rounded half up and split over the buurten by largest remainder.
Total {fmt_int(dh['dw21'])}. Every buurt changes by the same factor (no buurt-level construction data).

## Persons by position

| position | 2019 | 2021 |
|---|---|---|
{pos_rows}

Implied households (living_alone + partners/2 + single parents + other_member × {dh['ohpom']:.4f}): **{dh['hh21']:,.0f}**
(2019: {dh['hh19']:,.0f}; KWB 2019 gemeente 263,371). Observed private households (`observations/{OBS_GM}`):
{dh['obs_hh'][0]:,} on 1 January 2020 and {dh['obs_hh'][1]:,} on 1 January 2022, mean {sum(dh['obs_hh']) / 2:,.0f}: the
base is {dh['hh21'] / (sum(dh['obs_hh']) / 2) - 1:+.1%} from it (2019: {dh['hh19'] / 263371 - 1:+.1%} from KWB).

## Limitations
- Buurt shares are those of 2019: growth or decline of a buurt between 2019 and 2021 is not carried.
- The PC4 sum is not exactly the municipality (border PC4 counted wholly where most of them lies); see
  `observations/{OBS_GM}/PROVENANCE.md` for its plausibility.
- Positions follow the rate set's transitions for two years and are rescaled with the age structure; they are
  not re-fitted to 2021 households.
"""
    return yaml, prov


# ----------------------------------------------------------------------------------------------
# Build everything as texts
# ----------------------------------------------------------------------------------------------
def build_texts(shared, out):
    """Every output file as {relative path: text}, and the figures for the report and the checks."""
    src = read_sources(shared)
    zw = build_zw21(src, out)
    dh = build_dh21(src, out)
    zw["extra"] = extra_files(out, ZW19, dict(zip(zw["codes"], zw["dw21"].tolist())))
    dh["extra"] = extra_files(out, DH19, dict(zip(dh["codes"], [int(r[dh["header"].index("dwellings")])
                                                                for r in dh["body"]])))
    ohpom = read_rates_scalar(out, zw, "other_households_per_other_member")
    for d in (zw, dh):
        d["ohpom"] = ohpom
        d["hh19"] = float(implied_households(d["X19"].sum((0, 1, 2)), ohpom))
        d["hh21"] = float(implied_households(d["X"].sum((0, 1, 2)), ohpom))
        # information: the positions if they had simply been kept through the two years (same fit, unrounded)
        d["kept"] = (float(d["kept_pos"][0]), float(implied_households(d["kept_pos"], ohpom)))
    cov = coverage(src, zw)
    zrows, zskipped = build_obs_zw(src, cov)
    grows, g = build_obs_gm(src)
    dh["obs_hh"] = tuple(g["vals"][(y, "households", "", None)] for y in KERN_YEARS)
    texts = {}
    o = os.path.join("observations", OBS_ZW)
    texts[os.path.join(o, "observed.csv")] = csv_text(OBS_HEADER, zrows)
    texts[os.path.join(o, "observation.yaml")], texts[os.path.join(o, "PROVENANCE.md")] = obs_zw_texts(cov, zrows, zskipped, zw)
    o = os.path.join("observations", OBS_GM)
    texts[os.path.join(o, "observed.csv")] = csv_text(OBS_HEADER, grows)
    texts[os.path.join(o, "observation.yaml")], texts[os.path.join(o, "PROVENANCE.md")] = obs_gm_texts(g)
    for name, d, mk in ((ZW21, zw, lambda: zw21_texts(zw, cov)), (DH21, dh, lambda: dh21_texts(dh))):
        base = os.path.join("datasets", name)
        texts[os.path.join(base, "areas.csv")] = csv_text(d["header"], d["body"])
        texts[os.path.join(base, "population.csv")] = csv_text(["area", "sex", "age"] + POSITIONS,
                                                               population_rows(d["codes"], d["X"]))
        texts[os.path.join(base, "dataset.yaml")], texts[os.path.join(base, "PROVENANCE.md")] = mk()
        for fn, t in d["extra"].items():
            texts[os.path.join(base, fn)] = t
    return texts, {"src": src, "zw": zw, "dh": dh, "cov": cov, "zrows": zrows, "grows": grows, "g": g}


# ----------------------------------------------------------------------------------------------
# Self-check (re-reads the written files)
# ----------------------------------------------------------------------------------------------
def check_observation(out, name, level, dataset, also=()):
    od = os.path.join(out, "observations", name)
    meta = {ln.split(":")[0]: ln.split(":", 1)[1].strip() for ln in open(os.path.join(od, "observation.yaml"), encoding="utf-8")
            if ln and not ln.startswith(" ") and ":" in ln}
    assert meta["name"] == name and meta["level"] == level and meta["dataset"] == dataset, f"{name}: observation.yaml"
    assert "provenance" in meta
    ob = pd.read_csv(os.path.join(od, "observed.csv"), dtype={"area": str, "sex": str, "age_band": str},
                     keep_default_na=False)
    assert list(ob.columns) == OBS_HEADER, f"{name}: observed.csv columns"
    assert set(ob.indicator) <= set(INDICATORS), f"{name}: unknown indicator"
    by = ob.indicator == "population_by_age_sex"
    assert ob[by].sex.isin(SEXES).all() and ob[by].age_band.isin(AGE_BANDS).all()
    assert (ob[~by].sex == "").all() and (ob[~by].age_band == "").all(), f"{name}: sex/age_band on a total"
    v = pd.to_numeric(ob.value)
    assert np.isfinite(v).all() and (v >= 0).all(), f"{name}: negative or non-numeric value"
    assert not ob.duplicated(["area", "year", "indicator", "sex", "age_band"]).any(), f"{name}: duplicate key"
    for ds in (dataset,) + tuple(also):
        ar = pd.read_csv(os.path.join(out, "datasets", ds, "areas.csv"), dtype=str, keep_default_na=False)
        assert set(ob.area) <= set(ar[level]), f"{name}: area not in {ds} areas.csv column {level}"
    return ob


def self_check(out, texts, f):
    # byte-identical: the files on disk are exactly the texts of this build ...
    for rel, t in texts.items():
        with open(os.path.join(out, rel), "rb") as x:
            assert x.read() == t.encode("utf-8"), f"{rel}: file differs from the build"
    # ---- observations
    src, cov = f["src"], f["cov"]
    oz = check_observation(out, OBS_ZW, "pc4", ZW19, (ZW21,))
    inc = sorted(c["pc4"] for c in cov if c["included"])
    assert sorted(set(oz.area)) == inc and inc, "observed PC4 != the included PC4"
    for c in cov:
        assert c["included"] == (COVER_RANGE[0] <= c["n19"] / c["cbs20"] <= COVER_RANGE[1])
    for p in inc:
        sub = oz[oz.area == p]
        for year, k in src["k"].items():
            for ind, col in KERN_INDICATORS:
                got = sub[(sub.year == year) & (sub.indicator == ind)].value
                want = k.loc[int(p), col]
                assert (len(got) == 0 and want < 0) or (len(got) == 1 and int(got.iloc[0]) == want), f"{p} {year} {ind}"
        a = src["age"][src["age"].pc4 == int(p)]
        pop21 = sub[(sub.year == AGE_YEAR) & (sub.indicator == "population")].value
        assert int(pop21.iloc[0]) == int(a.population_total.sum())
        bys = sub[(sub.year == AGE_YEAR) & (sub.indicator == "population_by_age_sex")]
        assert len(bys) == 40 and int(bys.value.sum()) == int(a.population_male.sum() + a.population_female.sum())
    og = check_observation(out, OBS_GM, "gemeente", DH19, (DH21,))
    assert set(og.area) == {GM_CODE} and sorted(set(og.year)) == [2018, 2019, 2020, 2021, 2022]
    # gemeente totals recomputed straight from the source files
    pcs = gm_pc4s(src)
    a = src["age"][src["age"].pc4.isin(pcs)]
    tot = og[og.indicator != "population_by_age_sex"].set_index(["year", "indicator"]).value
    assert int(tot[(2021, "population")]) == int(a.population_total.sum())
    for year, k in src["k"].items():
        kk = k.reindex(pcs)
        for ind, col in KERN_INDICATORS:
            assert int(tot[(year, ind)]) == int(kk[col][kk[col] >= 0].sum()), f"gemeente {year} {ind}"
    assert abs(int(tot[(2020, "population")]) / 537833 - 1) < 0.03, "gemeente 2020 implausible against 537,833"
    bys = og[og.indicator == "population_by_age_sex"]
    assert len(bys) == 40 and int(bys.value.sum()) == int(a.population_male.sum() + a.population_female.sum())
    # ---- datasets of 2021
    zw, dh = f["zw"], f["dh"]
    for name, name19, d in ((ZW21, ZW19, zw), (DH21, DH19, dh)):
        dd, d19 = os.path.join(out, "datasets", name), os.path.join(out, "datasets", name19)
        a19 = pd.read_csv(os.path.join(d19, "areas.csv"), dtype=str, keep_default_na=False)
        a21 = pd.read_csv(os.path.join(dd, "areas.csv"), dtype=str, keep_default_na=False)
        assert list(a21.columns) == list(a19.columns) and list(a21.area) == list(a19.area), f"{name}: areas"
        assert a21.drop(columns="dwellings").equals(a19.drop(columns="dwellings")), f"{name}: areas.csv columns changed"
        assert (a21.dwellings.astype(int) >= 0).all()
        for fn in EXTRA_2019_FILES:
            assert os.path.exists(os.path.join(d19, fn)) == os.path.exists(os.path.join(dd, fn)), f"{name}: {fn}"
        pop = pd.read_csv(os.path.join(dd, "population.csv"), dtype={"area": str})
        assert list(pop.columns) == ["area", "sex", "age"] + POSITIONS
        v = pop[POSITIONS].to_numpy()
        assert (v >= 0).all() and (v.sum(1) > 0).all(), f"{name}: negative count or all-zero row"
        assert set(pop.area) <= set(a21.area)
        X = read_population(dd, list(a21.area))
        meta = {ln.split(":")[0]: ln.split(":", 1)[1].strip() for ln in open(os.path.join(dd, "dataset.yaml"), encoding="utf-8")
                if ln and not ln.startswith(" ") and ":" in ln}
        assert meta["base_year"] == "2021" and meta["population_total"] == str(int(X.sum()))
        assert meta["areas"] == str(len(a21)) and meta["rates"] == read_yaml_line(d19, "rates")
        assert meta["levels"] == read_yaml_line(d19, "levels")
        d["X_read"], d["dw_read"] = X, a21.dwellings.astype(int).to_numpy()
    # Zuid-West: every PC4 x sex x band total = its integer target, within 1 of the real target
    X = zw["X_read"]
    sb = national.band_sums(X.sum(3))                                               # [n, 2, 20]
    for p, r in zw["recs"].items():
        rows = zw["pc4"] == p
        got = sb[rows].sum(0)
        assert (got == r["Tint"]).all(), f"{ZW21}: PC4 {p} sex x band totals"
        assert np.abs(got - r["tau"]).max() < 1.0 and abs(got.sum() - r["tau"].sum()) <= 0.5
        assert int(zw["dw_read"][rows].sum()) == half_up(r["dw19"] * r["dw_factor"]), f"{ZW21}: dwellings of {p}"
    assert int(X.sum()) == sum(r["tot"] for r in zw["recs"].values())
    # Den Haag: buurt totals = 2019 shares of the 2021 total; gemeente sex x band totals = CBS 2021 PC4 sums
    X = dh["X_read"]
    assert (X.sum((1, 2, 3)) == dh["R"]).all(), f"{DH21}: buurt totals"
    assert (national.band_sums(X.sum((0, 3))).reshape(-1) == dh["G"]).all(), f"{DH21}: sex x band totals"
    G = np.zeros(40, dtype=np.int64)
    for p in pcs:
        G += src["Nsb"][src["pc4_index"][p]].reshape(-1)
    assert (G == dh["G"]).all() and int(X.sum()) == int(a.population_total.sum()) == int(tot[(2021, "population")])
    assert int(dh["dw_read"].sum()) == half_up(dh["w21"])
    return True


# ----------------------------------------------------------------------------------------------
def run(shared, out):
    """Build, write and check the observations and the 2021 datasets; returns (nrows, report lines)."""
    texts, f = build_texts(shared, out)
    # every gemeente and PC4 of the Netherlands (observations_nl.py), for `socialtwin backtest`
    nl_texts, nl_lines = observations_nl.build(shared, out)
    assert observations_nl.build(shared, out)[0] == nl_texts, "a second build of the NL observations differs"
    for rel, t in nl_texts.items():
        os.makedirs(os.path.dirname(os.path.join(out, rel)), exist_ok=True)
        with open(os.path.join(out, rel), "w", encoding="utf-8", newline="") as x:
            x.write(t)
    for rel, t in texts.items():
        os.makedirs(os.path.dirname(os.path.join(out, rel)), exist_ok=True)
        with open(os.path.join(out, rel), "w", encoding="utf-8", newline="") as x:
            x.write(t)
    # ... and a second build gives the same texts (deterministic rerun)
    texts2, f2 = build_texts(shared, out)
    assert texts2 == texts, "a second build differs"
    self_check(out, texts, f2)
    texts = {**texts, **nl_texts}
    nrows = {rel.replace(os.sep, "/").replace("observations/", "obs/").replace("datasets/", ""):
             t.count("\n") - 1 for rel, t in texts.items() if rel.endswith(".csv")}
    zw, dh, g = f["zw"], f["dh"], f["g"]
    v = g["vals"]
    inc = [c for c in f["cov"] if c["included"]]
    lines = [
        "  Observations: Zuid-West PC4 coverage (dataset 2019 / CBS 2020): "
        + ", ".join(f"{c['pc4']} {c['ratio']:.3f}{'' if c['included'] else ' (out)'}" for c in f["cov"]),
        f"  Observations: {OBS_ZW} {len(inc)} PC4, {len(f['zrows'])} rows; population "
        + ", ".join(f"{y} {sum(r[5] for r in f['zrows'] if r[1] == y and r[2] == 'population'):,}" for y in (2020, 2021, 2022)),
        f"  Observations: {OBS_GM} ({len(g['pcs'])} PC4) population "
        + ", ".join(f"{y} {v[(y, 'population', '', None)]:,}" for y in (2020, 2021, 2022))
        + f"; households 2020 {v[(2020, 'households', '', None)]:,}, 2022 {v[(2022, 'households', '', None)]:,}; dwellings 2020 "
        f"{v[(2020, 'dwellings_stock', '', None)]:,}, 2022 {v[(2022, 'dwellings_stock', '', None)]:,}",
        f"  {ZW21}: persons {int(zw['X'].sum()):,} (2019 {int(zw['X19'].sum()):,}); dwellings {int(zw['dw21'].sum()):,} "
        f"(2019 {int(zw['dw19'].sum()):,}); empty-seed blocks {zw['fallback_blocks']}",
        f"  {DH21}: persons {int(dh['X'].sum()):,} (2019 {int(dh['X19'].sum()):,}); dwellings {dh['dw21']:,} "
        f"(2019 {dh['dw19']:,}, factor {dh['dw_factor']:.6f}); IPF {dh['ipf_iter']} iterations, dev {dh['ipf_dev']:.1e}",
    ] + nl_lines
    return nrows, lines
