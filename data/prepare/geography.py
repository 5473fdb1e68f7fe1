"""Area positions, dwelling stock by type x tenure and modelled GP practices for every dataset
(imported by prepare_data.py, run after all datasets are written):

  <out>/datasets/*/areas.csv        + x_km, y_km, access_km, observed_gp_distance_km (appended columns)
  <out>/datasets/*/dwellings.csv    dwellings by type (single/multi-family) x tenure (owner, social rent,
                                    private rent), rows summing to areas.csv dwellings
  <out>/datasets/*/facilities.csv   modelled GP practices (type gp_practice, capacity in GP FTE)

It also appends a section to each dataset's PROVENANCE.md and a sentence to the `provenance: modelled:`
text of its dataset.yaml, and checks the written files.

Method and the normative definition of the area graph the engine builds: docs/data-preparation.md,
"Area positions, dwelling types and GP practices" and "Area graph and distances". numpy, pandas and
scipy only; deterministic.
"""
import csv
import heapq
import math
import os

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from common import (POSITIONS, controlled_round, largest_remainder, read_kwb, replace_provenance_section, write_csv,
                    write_text, yq)

DATASETS = ["denhaag-zuidwest-2019", "denhaag-2019", "nl-pc4-2021"]
GEO_COLUMNS = ["x_km", "y_km", "access_km", "observed_gp_distance_km"]
TYPES = ["single_family", "multi_family"]
TENURES = ["owner", "social_rent", "private_rent"]
DWELLING_CELLS = [f"{t}_{u}" for t in TYPES for u in TENURES]
FACILITY_COLUMNS = ["facility", "type", "area", "capacity", "capacity_units", "status", "name"]

K_NEAREST = 6                       # each site is joined to its 6 nearest other sites
ACCESS_FACTOR = 0.376               # mean distance centre -> random point of a disc of area A: 2/3 R = 0.376 sqrt(A)
GP_FTE_PER_10000 = 4.3              # GP FTE per 10,000 inhabitants (NIVEL 2016, domain.md)
NO_PRACTICE_KM = 10.0               # distance of an area when no practice is open (placement only)
PLACEMENT_TOL_KM2 = 1e-4            # a placement move must lower the weighted mean squared buurt error by more
GP_MAE_LIMIT_KM = 0.25             # self-check: population-weighted MAE of buurt GP distance vs KWB at most this
MIN_PRACTICE_POP = 1000             # practices only at sites with at least this many inhabitants (Den Haag
                                    # candidates; nl-pc4-2021: a practice in every such PC4),
NL_REMOTE_KM = 5.0                  # plus one in the most populous PC4 farther than this from any practice,
NL_REMOTE_MIN_POP = 250             # among those with at least this many inhabitants, until there is none
TIE_KM = 1e-9                       # distances closer than this are equal (nearest practice: lowest index wins)
SECRET_COUNT = 2.0                  # CBS PC4 count published as -99997 ("0-4"): its midpoint
SUPPRESSED = -99997
SECTION = "## Area positions, dwelling stock by type and tenure, modelled GP practices"
YAML_NOTE = {
    "denhaag-zuidwest-2019": (
        " areas.csv x_km/y_km are the CBS PC4 2020 polygon centroid of the PC6's PC4 (real geometry, position of "
        "the PC6 modelled), access_km is modelled (0.376 sqrt(PC4 area)), observed_gp_distance_km is CBS KWB 2019 "
        "AfstandTotHuisartsenpraktijk_105 of the buurt (real); dwellings.csv: the buurt type and tenure margins are "
        "real (KWB 2019), the type x tenure joint table and its split over PC6 are modelled; facilities.csv: GP "
        "practices are modelled (placed to reproduce the KWB buurt distances to a GP), no real practice locations."),
    "denhaag-2019": (
        " areas.csv x_km/y_km are the CBS PC4 2020 polygon centroid of the buurt's most frequent PC4 (real geometry, "
        "position of the buurt modelled), access_km is modelled (0.376 sqrt(OppervlakteLand_111)), "
        "observed_gp_distance_km is CBS KWB 2019 AfstandTotHuisartsenpraktijk_105 (real); dwellings.csv: type and "
        "tenure margins are real (KWB 2019), the type x tenure joint table is modelled; facilities.csv: GP practices "
        "are modelled (placed to reproduce the KWB buurt distances to a GP), no real practice locations."),
    "nl-pc4-2021": (
        " areas.csv x_km/y_km are the CBS PC4 2020 polygon centroids (real), access_km is modelled "
        "(0.376 sqrt(PC4 area)), observed_gp_distance_km is empty (no source); dwellings.csv: type and tenure margins "
        "are the CBS PC4 key figures of the stock's year, 2022 (real; the midpoint of 0-4 where CBS suppresses a "
        "count, the province mix where a margin cannot be formed), the type x tenure joint table is modelled; "
        "facilities.csv: GP practices are modelled (one per PC4 with at least 1,000 inhabitants, plus one in the "
        "most populous PC4 still more than 5 km from a practice, repeatedly), no real practice locations."),
}


# ----------------------------------------------------------------------------------------------
# Small helpers
# ----------------------------------------------------------------------------------------------
def read_rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def km3(v):
    s = f"{float(v):.3f}"
    return "0.000" if s == "-0.000" else s


def metres(s):
    """A km value as written (3 decimals) -> integer metres, exactly."""
    return int(round(float(s) * 1000.0))


def hundredths(h):
    return f"{h // 100}.{h % 100:02d}"


def area_population(dd, codes):
    pop = pd.read_csv(os.path.join(dd, "population.csv"), dtype={"area": str})
    per = pop.set_index("area")[POSITIONS].sum(1).groupby(level=0).sum()
    return per.reindex(codes).fillna(0).astype(np.int64).to_numpy()


def ipf_2x3(seed, row_t, col_t, tol=1e-10, max_iter=10000):
    """Vectorised 2-D IPF of seed [n, 2, 3] to row targets [n, 2] and column targets [n, 3]; ends on
    the row step. Zero margins give zero rows/columns."""
    x = np.array(seed, dtype=float)
    for _ in range(max_iter):
        cs = x.sum(1)
        x *= np.divide(col_t, cs, out=np.zeros_like(cs), where=cs > 0)[:, None, :]
        rs = x.sum(2)
        x *= np.divide(row_t, rs, out=np.zeros_like(rs), where=rs > 0)[:, :, None]
        if np.abs(x.sum(1) - col_t).max() < tol:
            break
    return x


# ----------------------------------------------------------------------------------------------
# 1. Positions
# ----------------------------------------------------------------------------------------------
def read_centroids(shared):
    c = pd.read_csv(os.path.join(shared, "cbs_pc4_age_sex_2021", "pc4_centroids_area_cbs2020geom.csv"))
    assert c.pc4.is_unique
    return c.set_index("pc4").sort_index()


def pc4_centroid(cent, pc4):
    """(x m, y m, area km2, PC4 used): the PC4's centroid; fallback: the nearest lower PC4 number with a
    centroid (else the nearest higher one)."""
    if pc4 in cent.index:
        used = pc4
    else:
        codes = cent.index.to_numpy()
        lower = codes[codes < pc4]
        used = int(lower.max()) if lower.size else int(codes[codes > pc4].min())
    r = cent.loc[used]
    return float(r.centroid_rd_x), float(r.centroid_rd_y), float(r.area_km2), int(used)


def positions(level, header, rows, cent, kwb):
    """Per area: x_km, y_km, access_km, observed_gp_distance_km (strings) and the fallbacks used."""
    col = {h: i for i, h in enumerate(header)}
    kb = kwb.set_index("Codering_3")
    out, fallbacks = [], []
    for r in rows:
        if level == "pc6":
            pc4 = int(r[col["area"]][:4])
        elif level == "buurt":
            assert r[col["pc4"]] != "", f"{r[0]}: no MeestVoorkomendePostcode_113"
            pc4 = int(r[col["pc4"]])
        else:
            pc4 = int(r[col["area"]])
        x, y, a_km2, used = pc4_centroid(cent, pc4)
        if used != pc4:
            fallbacks.append((r[0], pc4, used))
        if level == "buurt":
            a_km2 = float(kb.loc[r[col["buurt"]], "OppervlakteLand_111"]) / 100.0      # hectares -> km2
        obs = ""
        if level in ("pc6", "buurt"):
            v = kb.loc[r[col["buurt"]], "AfstandTotHuisartsenpraktijk_105"]
            obs = "" if pd.isna(v) else f"{float(v):.1f}"
        out.append([km3(x / 1000.0), km3(y / 1000.0), km3(ACCESS_FACTOR * math.sqrt(a_km2)), obs])
    return out, fallbacks


# ----------------------------------------------------------------------------------------------
# 2. Area graph (normative definition: docs/data-preparation.md, "Area graph and distances")
# ----------------------------------------------------------------------------------------------
def build_graph(xm, ym, k=K_NEAREST):
    """xm, ym: integer metres per area. Sites = distinct positions sorted by (x, y); each joined to
    its k nearest other sites (squared distance in whole m2, ties: lower index), undirected; then the
    component of site 0 is joined to the nearest site outside it until connected.
    Returns dict(sites [n, 2], site_of_area, graph (csr, km), edges [(i, j)], joins [(i, j, km)])."""
    pts = np.unique(np.stack([np.asarray(xm, np.int64), np.asarray(ym, np.int64)], 1), axis=0)
    index = {(int(a), int(b)): i for i, (a, b) in enumerate(pts)}
    site_of_area = np.array([index[(int(a), int(b))] for a, b in zip(xm, ym)], dtype=np.int64)
    n = len(pts)
    dx = pts[:, 0][:, None] - pts[:, 0][None, :]
    dy = pts[:, 1][:, None] - pts[:, 1][None, :]
    d2 = dx * dx + dy * dy                                               # exact, int64
    del dx, dy
    edges = set()
    kk = min(k, n - 1)
    for i in range(n):
        nb = np.argsort(d2[i], kind="stable")                            # self first (only 0), ties by index
        for j in nb[1:kk + 1]:
            edges.add((min(i, int(j)), max(i, int(j))))
    joins = []
    while True:
        adj = _csr(n, edges, d2)
        ncomp, lab = connected_components(adj, directed=False)
        if ncomp == 1:
            break
        ins = np.flatnonzero(lab == lab[0])
        outs = np.flatnonzero(lab != lab[0])
        sub = d2[np.ix_(ins, outs)]
        a, b = np.argwhere(sub == sub.min())[0]                          # row-major: lowest i, then lowest j
        i, j = int(ins[a]), int(outs[b])
        edges.add((min(i, j), max(i, j)))
        joins.append((i, j, math.sqrt(float(d2[i, j])) / 1000.0))
    return {"sites": pts, "site_of_area": site_of_area, "graph": adj, "edges": sorted(edges), "joins": joins,
            "n": n}


def _csr(n, edges, d2):
    if not edges:
        return coo_matrix((n, n)).tocsr()
    e = np.array(sorted(edges), dtype=np.int64)
    w = np.sqrt(d2[e[:, 0], e[:, 1]].astype(float)) / 1000.0
    m = coo_matrix((np.concatenate([w, w]), (np.concatenate([e[:, 0], e[:, 1]]),
                                             np.concatenate([e[:, 1], e[:, 0]]))), shape=(n, n))
    return m.tocsr()


def nearest_facility(graph, site_of_area, fac_sites, n_sites):
    """Per area: (path km from its site to the nearest facility site, index of that facility; ties
    within TIE_KM -> lowest facility index)."""
    fac_sites = np.asarray(fac_sites, np.int64)
    need = np.setdiff1d(np.unique(site_of_area), fac_sites)
    best_d = np.zeros(n_sites)
    best_f = np.full(n_sites, -1, dtype=np.int64)
    for f, s in enumerate(fac_sites):                                   # a facility's own site: distance 0
        if best_f[s] < 0:
            best_f[s] = f
    if need.size:
        D = dijkstra(graph, directed=False, indices=need)[:, fac_sites]   # [len(need), n_fac]
        m = D.min(1)
        first = np.argmax(D <= m[:, None] + TIE_KM, axis=1)
        best_d[need] = m
        best_f[need] = first
    return best_d[site_of_area], best_f[site_of_area]


# ----------------------------------------------------------------------------------------------
# 3. Placement of modelled GP practices (Den Haag datasets)
# ----------------------------------------------------------------------------------------------
def place_practices(D, site_of_area, access, pop, buurt_of_area, obs, cand):
    """Greedy additions, then local search (add / drop / swap), each accepted move lowering
    F(S) = sum_b pop_b (modelled_b - observed_b)^2 by more than PLACEMENT_TOL_KM2 x sum_b pop_b.
    D: path km between sites; cand: candidate sites (ascending). Returns (sorted sites, log)."""
    buurten = sorted(set(buurt_of_area))
    bi = {b: i for i, b in enumerate(buurten)}
    nb, na = len(buurten), len(site_of_area)
    W = np.zeros((nb, na))
    W[[bi[b] for b in buurt_of_area], np.arange(na)] = pop
    popb = W.sum(1)
    obs_b = np.full(nb, np.nan)
    obs_b[[bi[b] for b in buurt_of_area]] = obs                        # one figure per buurt
    ok = (popb > 0) & ~np.isnan(obs_b)
    W = W[ok] / popb[ok][:, None]
    wb, ob = popb[ok], obs_b[ok]
    tol = PLACEMENT_TOL_KM2 * wb.sum()
    Ds = D[site_of_area]                                                 # [n_areas, n_sites]

    def objective(S):
        d = access + Ds[:, S].min(1) if S else np.full(na, NO_PRACTICE_KM)
        return float((wb * (W @ d - ob) ** 2).sum())

    S, f = [], objective([])
    log = {"start": f, "greedy": 0, "moves": []}
    while True:                                                          # greedy additions
        best = None
        for t in cand:
            if t in S:
                continue
            v = objective(sorted(S + [t]))
            if best is None or v < best[0]:
                best = (v, t)
        if best is None or f - best[0] <= tol:
            break
        S, f = sorted(S + [best[1]]), best[0]
        log["greedy"] += 1
    f_greedy = f
    for _ in range(10000):                                               # local search
        best = None
        moves = [("add", None, t) for t in cand if t not in S]
        moves += [("drop", s, None) for s in S] if len(S) > 1 else []
        moves += [("swap", s, t) for s in S for t in cand if t not in S]
        for kind, s, t in moves:
            T = [u for u in S if u != s] + ([t] if t is not None else [])
            v = objective(sorted(T))
            if best is None or v < best[0]:
                best = (v, kind, s, t, sorted(T))
        if best is None or f - best[0] <= tol:
            break
        log["moves"].append(best[1])
        S, f = best[4], best[0]
    log.update({"n_cand": len(cand), "greedy_objective": f_greedy, "objective": f, "tol": tol, "weight": float(wb.sum())})
    return S, log


def buurt_errors(dist, pop, buurt_of_area, obs_of_buurt):
    """Population-weighted buurt mean distance vs observed: per-buurt records, weighted MAE, max error."""
    df = pd.DataFrame({"b": buurt_of_area, "w": pop.astype(float), "wd": pop * dist})
    g = df.groupby("b")[["w", "wd"]].sum()
    recs = []
    for b, r in g.iterrows():
        o = obs_of_buurt.get(b)
        if r.w <= 0:
            continue
        recs.append({"buurt": b, "pop": float(r.w), "modelled": float(r.wd / r.w), "observed": o})
    ev = [r for r in recs if r["observed"] is not None]
    w = np.array([r["pop"] for r in ev])
    e = np.array([r["modelled"] - r["observed"] for r in ev])
    return recs, float((w * np.abs(e)).sum() / w.sum()), float(np.abs(e).max()), float((w * e).sum() / w.sum())


def facility_rows(fac_areas, fac_pop, total_pop, names):
    """Facilities in area-code order: ids gp-0001.., capacity = total FTE x catchment share, rounded to
    hundredths by largest remainder (sum exact)."""
    total_h = int(round(GP_FTE_PER_10000 / 10000.0 * total_pop * 100))
    cap_h = largest_remainder(np.asarray(fac_pop, float) * total_h / float(np.sum(fac_pop)), total_h)
    rows = []
    for i, (a, h) in enumerate(zip(fac_areas, cap_h)):
        rows.append([f"gp-{i + 1:04d}", "gp_practice", a, hundredths(int(h)), "FTE", "modelled",
                     f"modelled GP practice {i + 1} ({names[a]})"])
    return rows, total_h


def nl_practice_sites(gr, host, site_pop, access, pop, codes):
    """nl-pc4-2021: a practice at every site with at least MIN_PRACTICE_POP inhabitants; then, while a
    PC4 with at least NL_REMOTE_MIN_POP inhabitants is more than NL_REMOTE_KM from a practice (access_km +
    path), one at the most populous such PC4 (ties: lowest code). Returns (sites, remote area codes)."""
    soa = gr["site_of_area"]
    sites = sorted(s for s in host if site_pop[s] >= MIN_PRACTICE_POP)
    path, _ = nearest_facility(gr["graph"], soa, sites, gr["n"])
    remote = []
    while True:
        c = np.flatnonzero((access + path > NL_REMOTE_KM) & (pop >= NL_REMOTE_MIN_POP))
        if not c.size:
            break
        i = int(c[np.lexsort((np.array(codes, dtype=object)[c].astype(str), -pop[c]))[0]])
        remote.append(codes[i])
        sites.append(int(soa[i]))
        path = np.minimum(path, dijkstra(gr["graph"], directed=False, indices=int(soa[i]))[soa])
    return sorted(set(sites)), remote


# ----------------------------------------------------------------------------------------------
# 4. Dwellings by type x tenure
# ----------------------------------------------------------------------------------------------
def kwb_margins(row):
    """KWB 2019 row -> (type shares [2], tenure shares [3]) or None. Tenure: Koopwoningen_40,
    InBezitWoningcorporatie_42, InBezitOverigeVerhuurders_43 normalised to 1, which spreads
    EigendomOnbekend_44 over the three in proportion."""
    t = row[["PercentageEengezinswoning_36", "PercentageMeergezinswoning_37"]].to_numpy(float)
    u = row[["Koopwoningen_40", "InBezitWoningcorporatie_42", "InBezitOverigeVerhuurders_43"]].to_numpy(float)
    if np.isnan(t).any() or np.isnan(u).any() or t.sum() <= 0 or u.sum() <= 0:
        return None
    return t / t.sum(), u / u.sum()


def ecological_association(type_sh, ten_sh, w):
    """Goodman ecological regression over areas: tenure share = sum_t p(tenure | type t) x type share,
    weighted least squares (weights = dwellings). Returns p [2, 3] (rows sum to 1), clipped at 0.001."""
    sw = np.sqrt(np.asarray(w, float))
    coef, *_ = np.linalg.lstsq(type_sh * sw[:, None], ten_sh * sw[:, None], rcond=None)
    p = np.clip(coef, 0.001, None)
    return p / p.sum(1, keepdims=True), coef


def joint_from_association(p, type_m, ten_m):
    """Joint shares [2, 3] with the odds ratios of p (tenure | type) and the given margins (IPF)."""
    return ipf_2x3((type_m[:, None] * p)[None], type_m[None], ten_m[None])[0]


def denhaag_dwellings(kwb):
    """Per Den Haag buurt: fitted joint [2, 3] (dwellings), integer table [2, 3], source; and info."""
    kb = kwb[kwb.SoortRegio_2 == "Buurt"].sort_values("Codering_3")
    gm = kwb[kwb.SoortRegio_2 == "Gemeente"].iloc[0]
    mg = kwb_margins(gm)
    assert mg is not None
    rows = []
    for _, r in kb.iterrows():
        m = kwb_margins(r)
        if m is not None and r.Woningvoorraad_34 > 0:
            rows.append((m[0], m[1], float(r.Woningvoorraad_34)))
    assoc, raw = ecological_association(np.array([x[0] for x in rows]), np.array([x[1] for x in rows]),
                                        [x[2] for x in rows])
    G = joint_from_association(assoc, mg[0], mg[1])                       # gemeente joint shares
    out, n_fallback = {}, []
    for _, r in kb.iterrows():
        b, N = r.Codering_3, int(r.Woningvoorraad_34)
        m = kwb_margins(r)
        if m is None:
            J, tm, um, src = G, G.sum(1), G.sum(0), "gemeente"
            n_fallback.append((b, N))
        else:
            tm, um = m
            J, src = joint_from_association(G_as_p(G), tm, um), "buurt"
        fitted = J * N
        if N == 0:
            X = np.zeros((2, 3), dtype=np.int64)
        else:
            X, fb, _ = controlled_round(fitted, largest_remainder(tm * N, N), largest_remainder(um * N, N))
            assert fb == 0
        out[b] = {"fitted": fitted, "X": X, "src": src, "N": N}
    gm_tot = np.sum([v["X"] for v in out.values()], axis=0)
    info = {"assoc": assoc, "assoc_raw": raw, "G": G, "gm_margins": mg, "n_reg": len(rows),
            "fallback": n_fallback, "total": gm_tot, "gm_stock": float(gm.Woningvoorraad_34)}
    return out, info


def G_as_p(G):
    """Joint shares -> p(tenure | type) (the association as a seed)."""
    s = G.sum(1, keepdims=True)
    return np.divide(G, s, out=np.full_like(G, 1.0 / 3), where=s > 0)


def split_pc6_dwellings(buurt_of_area, dw, dh):
    """Zuid-West: each buurt's integer table split over its PC6 in proportion to PC6 dwellings;
    controlled rounding (exponential race seeded with the buurt code) keeps PC6 rows and buurt cells."""
    out = np.zeros((len(dw), 6), dtype=np.int64)
    for b in sorted(set(buurt_of_area)):
        idx = np.flatnonzero(np.asarray(buurt_of_area) == b)
        C = dh[b]["X"].reshape(-1)
        R = np.asarray(dw)[idx].astype(np.int64)
        assert R.sum() == C.sum() == dh[b]["N"], f"{b}: PC6 dwellings do not add up to the buurt stock"
        if R.sum() == 0:
            continue
        M = np.outer(R, C).astype(float) / R.sum()
        X, fb, _ = controlled_round(M, R, C, rng=np.random.default_rng([int(b[2:]), 34]))
        assert fb == 0
        out[idx] = X
    return out


def nl_dwellings(shared, codes, provincie, dw):
    """nl-pc4-2021: margins from the CBS PC4 key figures of the year of the areas.csv stock (2022, else
    2020), suppressed values handled as documented, province mix as the fallback; joint by IPF from
    the national association; controlled rounding per PC4."""
    base = os.path.join(shared, "cbs_pc4_kerncijfers_2020_2022")
    k = {y: pd.read_csv(os.path.join(base, f"cbs_pc4_{y}_v1.csv")).set_index("PC4") for y in ("2020", "2022")}
    icodes = [int(c) for c in codes]
    n = len(codes)

    def col(y, c):
        return k[y][c].reindex(icodes).astype(float).to_numpy()        # NaN where the PC4 row is absent

    W = {y: col(y, "WONING") for y in k}
    year = np.where(W["2022"] >= 0, "2022", np.where(W["2020"] >= 0, "2020", ""))
    cols = ["WONING", "WON_MRGEZ", "P_KOOPWON", "P_HUURWON", "WON_HCORP"]
    V = {c: np.full(n, np.nan) for c in cols}
    for y in ("2020", "2022"):
        sel = year == y
        for c in cols:
            V[c][sel] = col(y, c)[sel]
    w = V["WONING"]
    has_w = (w > 0)
    sec = {c: V[c] == SUPPRESSED for c in cols}
    pub = {c: V[c] >= 0 for c in cols}
    # type: multi-family share
    mf = np.full(n, np.nan)
    m_pub = has_w & pub["WON_MRGEZ"]
    m_mid = has_w & sec["WON_MRGEZ"]
    mf[m_pub] = np.minimum(V["WON_MRGEZ"][m_pub] / w[m_pub], 1.0)
    mf[m_mid] = np.minimum(SECRET_COUNT, w[m_mid]) / w[m_mid]
    # tenure: owner / rent (percentages rounded to 10 by CBS)
    own = np.full(n, np.nan)
    both = has_w & pub["P_KOOPWON"] & pub["P_HUURWON"] & ((V["P_KOOPWON"] + V["P_HUURWON"]) > 0)
    own[both] = V["P_KOOPWON"][both] / (V["P_KOOPWON"][both] + V["P_HUURWON"][both])
    only_k = has_w & pub["P_KOOPWON"] & ~pub["P_HUURWON"]
    own[only_k] = np.minimum(V["P_KOOPWON"][only_k] / 100.0, 1.0)
    only_h = has_w & ~pub["P_KOOPWON"] & pub["P_HUURWON"]
    own[only_h] = 1.0 - np.minimum(V["P_HUURWON"][only_h] / 100.0, 1.0)
    # social rent: housing-association dwellings (count, rounded to 5)
    soc = np.full(n, np.nan)
    s_pub = has_w & pub["WON_HCORP"]
    s_mid = has_w & sec["WON_HCORP"]
    soc[s_pub] = np.minimum(V["WON_HCORP"][s_pub] / w[s_pub], 1.0)
    soc[s_mid] = np.minimum(SECRET_COUNT, w[s_mid]) / w[s_mid]
    ten_ok = ~np.isnan(own) & ~np.isnan(soc)
    capped = ten_ok & (soc > 1.0 - own + 1e-12)
    own = np.where(capped, 1.0 - soc, own)                 # the count beats the 10-point percentage
    ten = np.stack([own, soc, 1.0 - own - soc], 1)
    typ = np.stack([1.0 - mf, mf], 1)
    type_ok = ~np.isnan(mf)
    # province (else national) mix from the PC4 whose figures are all published
    clean = m_pub & both & s_pub & ~capped
    prov = np.asarray(provincie)
    wt = np.asarray(dw, float)
    nat_t = (typ[clean] * wt[clean, None]).sum(0) / wt[clean].sum()
    nat_u = (ten[clean] * wt[clean, None]).sum(0) / wt[clean].sum()
    prov_fb = {"type": 0, "tenure": 0, "national": 0}
    for p in sorted(set(prov)):
        sel = prov == p
        cs = sel & clean
        pt = (typ[cs] * wt[cs, None]).sum(0) / wt[cs].sum() if wt[cs].sum() > 0 else nat_t
        pu = (ten[cs] * wt[cs, None]).sum(0) / wt[cs].sum() if wt[cs].sum() > 0 else nat_u
        if wt[cs].sum() <= 0:
            prov_fb["national"] += int(sel.sum())
        ft = sel & ~type_ok
        fu = sel & ~ten_ok
        typ[ft] = pt
        ten[fu] = pu
        prov_fb["type"] += int(ft.sum())
        prov_fb["tenure"] += int(fu.sum())
    # national association by ecological regression over the clean PC4
    assoc, raw = ecological_association(typ[clean], ten[clean], wt[clean])
    G = joint_from_association(assoc, nat_t, nat_u)
    N = np.asarray(dw, np.int64)
    seed = np.broadcast_to(G_as_p(G)[None] * typ[:, :, None], (n, 2, 3))
    fitted = ipf_2x3(seed, typ * N[:, None], ten * N[:, None])
    X = np.zeros((n, 2, 3), dtype=np.int64)
    for i in range(n):
        if N[i] > 0:
            X[i], fb, _ = controlled_round(fitted[i], largest_remainder(typ[i] * N[i], N[i]),
                                             largest_remainder(ten[i] * N[i], N[i]))
            assert fb == 0
    info = {"year": {y: int((year == y).sum()) for y in ("2022", "2020", "")},
            "type_pub": int(m_pub.sum()), "type_mid": int(m_mid.sum()), "tenure_both": int(both.sum()),
            "tenure_one": int((only_k | only_h).sum()), "soc_pub": int(s_pub.sum()), "soc_mid": int(s_mid.sum()),
            "capped": int(capped.sum()), "prov": prov_fb, "clean": int(clean.sum()),
            "any_fallback": int((~type_ok | ~ten_ok).sum()),
            "any_adjusted": int((~type_ok | ~ten_ok | m_mid | s_mid | only_k | only_h | capped).sum()),
            "assoc": assoc, "assoc_raw": raw, "G": G, "nat_t": nat_t, "nat_u": nat_u, "total": X.sum(0)}
    return X.reshape(n, 6), info


# ----------------------------------------------------------------------------------------------
# Per dataset
# ----------------------------------------------------------------------------------------------
def build_dataset(name, dd, level, cent, kwb, dh_dw, shared):
    header, rows = read_rows(os.path.join(dd, "areas.csv"))
    if header[-len(GEO_COLUMNS):] == GEO_COLUMNS:                      # re-run on our own output
        header, rows = header[:-len(GEO_COLUMNS)], [r[:-len(GEO_COLUMNS)] for r in rows]
    col = {h: i for i, h in enumerate(header)}
    codes = [r[0] for r in rows]
    pop = area_population(dd, codes)
    geo, cent_fb = positions(level, header, rows, cent, kwb)
    write_csv(os.path.join(dd, "areas.csv"), header + GEO_COLUMNS, [r + g for r, g in zip(rows, geo)])
    f = {"name": name, "level": level, "n": len(codes), "pop": int(pop.sum()), "cent_fb": cent_fb}
    # ---- dwellings
    dw = [int(r[col["dwellings"]]) for r in rows]
    if level == "buurt":
        X = np.stack([dh_dw[c]["X"].reshape(-1) for c in codes])
    elif level == "pc6":
        X = split_pc6_dwellings([r[col["buurt"]] for r in rows], dw, dh_dw)
    else:
        X, f["nl_dw"] = nl_dwellings(shared, codes, [r[col["provincie"]] for r in rows], dw)
    assert (X.sum(1) == np.asarray(dw)).all()
    write_csv(os.path.join(dd, "dwellings.csv"), ["area"] + DWELLING_CELLS,
                [[c] + [int(v) for v in x] for c, x in zip(codes, X)])
    f["dw_total"] = X.sum(0)
    # ---- graph and practices
    xm = np.array([metres(g[0]) for g in geo])
    ym = np.array([metres(g[1]) for g in geo])
    access = np.array([float(g[2]) for g in geo])
    gr = build_graph(xm, ym)
    f.update({"sites": gr["n"], "edges": len(gr["edges"]), "joins": gr["joins"]})
    site_pop = np.bincount(gr["site_of_area"], weights=pop, minlength=gr["n"])
    # the practice's area: the most populous area at the site (ties: lowest code)
    order = sorted(range(len(codes)), key=lambda i: (gr["site_of_area"][i], -pop[i], codes[i]))
    host = {}
    for i in order:
        host.setdefault(int(gr["site_of_area"][i]), i)
    if level == "pc4":
        names = {c: f"{c} {r[col['plaats']]}" for c, r in zip(codes, rows)}
        fac_sites, f["remote"] = nl_practice_sites(gr, host, site_pop, access, pop, codes)
        f["placement"] = None
    else:
        names = {c: (r[col["buurt_name"]] or r[col["buurt"]]) for c, r in zip(codes, rows)}
        buurt_of_area = [r[col["buurt"]] for r in rows]
        obs = np.array([float(g[3]) if g[3] != "" else np.nan for g in geo])
        obs_b = {}
        for b, o in zip(buurt_of_area, obs):
            obs_b[b] = None if np.isnan(o) else float(o)
        D = dijkstra(gr["graph"], directed=False)
        cand = [s for s in range(gr["n"]) if site_pop[s] >= MIN_PRACTICE_POP]
        fac_sites, log = place_practices(D, gr["site_of_area"], access, pop, buurt_of_area, obs, cand)
        f["placement"] = log
        f["obs_b"] = obs_b
    fac_sites = sorted(fac_sites, key=lambda s: codes[host[s]])           # facility order = area-code order
    fac_areas = [codes[host[s]] for s in fac_sites]
    path, nearest = nearest_facility(gr["graph"], gr["site_of_area"], fac_sites, gr["n"])
    dist = access + path
    fac_pop = np.bincount(nearest, weights=pop, minlength=len(fac_sites))
    frows, total_h = facility_rows(fac_areas, fac_pop, pop.sum(), names)
    write_csv(os.path.join(dd, "facilities.csv"), FACILITY_COLUMNS, frows)
    f.update({"n_fac": len(frows), "fte_total_h": total_h, "fac_pop": fac_pop,
              "mean_dist": float((pop * dist).sum() / pop.sum()),
              "cap": [float(r[3]) for r in frows], "frows": frows})
    if level != "pc4":
        recs, mae, mx, bias = buurt_errors(dist, pop, buurt_of_area, obs_b)
        f.update({"buurt_recs": recs, "mae": mae, "max_err": mx, "bias": bias})
    else:
        served = np.zeros(gr["n"], dtype=bool)
        served[fac_sites] = True
        away = (pop > 0) & ~served[gr["site_of_area"]]
        f["n_away"], f["pop_away"] = int(away.sum()), int(pop[away].sum())

        srt = np.argsort(dist, kind="stable")
        cw = np.cumsum(pop[srt]) / pop.sum()
        f["dist_wp90"] = float(dist[srt][np.searchsorted(cw, 0.9)])
        f["dist_max"] = float(dist.max())
    return f


# ----------------------------------------------------------------------------------------------
# Provenance, dataset.yaml
# ----------------------------------------------------------------------------------------------
def _tab(G, scale=100.0, fmt="{:.1f}"):
    lines = ["| | " + " | ".join(TENURES) + " | total |", "|---|---|---|---|---|"]
    for t in range(2):
        lines.append(f"| {TYPES[t]} | " + " | ".join(fmt.format(G[t, u] * scale) for u in range(3))
                     + f" | {fmt.format(G[t].sum() * scale)} |")
    lines.append("| total | " + " | ".join(fmt.format(G[:, u].sum() * scale) for u in range(3))
                 + f" | {fmt.format(G.sum() * scale)} |")
    return "\n".join(lines)


def _assoc_text(assoc):
    return ("p(tenure | type), owner / social rent / private rent: single-family "
            + " / ".join(f"{v:.3f}" for v in assoc[0]) + ", multi-family " + " / ".join(f"{v:.3f}" for v in assoc[1]))


def provenance_section(f, dh_info):
    name = f["name"]
    L = [SECTION, "", "Written by `data/prepare/geography.py` (method: `docs/data-preparation.md`).", ""]
    L += ["### areas.csv x_km, y_km, access_km, observed_gp_distance_km"]
    if f["level"] == "pc6":
        L += ["- x_km, y_km: RD New (EPSG:28992) km, the area-weighted centroid of the PC6's PC4 polygon (CBS PC4 2020, "
              "`cbs_pc4_age_sex_2021/pc4_centroids_area_cbs2020geom.csv`). Every PC6 of a PC4 has the same position "
              "(nothing finer is known): **modelled** position, real geometry.",
              "- access_km = 0.376 × sqrt(area_km2 of the PC4) (**modelled**: mean distance from the centre of a disc of that "
              "area to a random point in it)."]
    elif f["level"] == "buurt":
        L += ["- x_km, y_km: RD New km, the centroid of the PC4 named by the buurt's KWB MeestVoorkomendePostcode_113 "
              "(CBS PC4 2020 polygon centroid; **modelled** position of the buurt).",
              "- access_km = 0.376 × sqrt(OppervlakteLand_111 / 100) (land area, km²; **modelled**)."]
    else:
        L += ["- x_km, y_km: RD New km, the area-weighted centroid of the PC4 polygon (CBS PC4 2020; real).",
              "- access_km = 0.376 × sqrt(area_km2 of the PC4 polygon) (**modelled**)."]
    fb = f["cent_fb"]
    L += [f"- PC4 without a centroid (fallback: nearest lower PC4 number with one): **{len(fb)}**"
          + ("" if not fb else " — " + ", ".join(f"{a} ({p} → {u})" for a, p, u in fb)) + "."]
    if f["level"] == "pc4":
        L += ["- observed_gp_distance_km: empty (no source figure for PC4)."]
    else:
        nmiss = sum(1 for v in f["obs_b"].values() if v is None)
        L += [f"- observed_gp_distance_km: CBS KWB 2019 AfstandTotHuisartsenpraktijk_105 of the area's buurt (km by road, "
              f"mean over residents; **real**); empty for {nmiss} buurten without a figure."]
    L += ["", "### dwellings.csv — dwellings by type × tenure", ""]
    tot = f["dw_total"].reshape(2, 3)
    if f["level"] in ("pc6", "buurt"):
        a = dh_info["assoc"]
        L += ["- **Real:** per buurt the stock (Woningvoorraad_34), the type margin (PercentageEengezinswoning_36 / "
              "PercentageMeergezinswoning_37) and the tenure margin (Koopwoningen_40 owner, InBezitWoningcorporatie_42 "
              "social rent, InBezitOverigeVerhuurders_43 private rent; EigendomOnbekend_44 spread over the three in "
              "proportion), CBS KWB 2019.",
              "- **Modelled:** the joint type × tenure table (CBS does not publish it). Association: ecological (Goodman) "
              f"regression over the {dh_info['n_reg']} Den Haag buurten with figures, weighted by dwellings: "
              + _assoc_text(a) + ". It is fitted by IPF to the gemeente row (single-family "
              f"{dh_info['gm_margins'][0][0]:.0%}, owner {dh_info['gm_margins'][1][0]:.1%}, social rent "
              f"{dh_info['gm_margins'][1][1]:.1%}, private rent {dh_info['gm_margins'][1][2]:.1%}), and that gemeente "
              "table seeds an IPF to each buurt's margins (so every buurt keeps its odds ratios).",
              f"- Buurten without type or tenure figures take the gemeente table: {len(dh_info['fallback'])} buurten, "
              f"{sum(n for _, n in dh_info['fallback'])} dwellings ("
              + ", ".join(f"{b} {n}" for b, n in dh_info["fallback"]) + ").",
              "- Integerised by controlled rounding: each buurt table sums exactly to its stock, its type and tenure "
              "totals are the largest-remainder roundings of the margins."]
        if f["level"] == "pc6":
            L += ["- PC6: each buurt's integer table is split over its PC6 in proportion to the PC6 `dwellings` (themselves "
                  "modelled), then controlled rounding (exponential-race order seeded with the buurt code): every PC6 row "
                  "sums to its `dwellings`, every buurt total equals the `denhaag-2019` row of that buurt. **Modelled.**"]
        L += ["", "Gemeente table (shares of the stock, %) used as the association and as the fallback:", "",
              _tab(dh_info["G"]), ""]
    else:
        d = f["nl_dw"]
        L += ["- **Real:** per PC4 the CBS \"Kerncijfers per postcode\" of the year of the `dwellings` column: 2022 "
              f"(1 Jan 2022) for {d['year']['2022']:,} PC4, 2020 for {d['year']['2020']}, none for {d['year']['']} "
              "(their stock is modelled). 1 Jan 2020 and 1 Jan 2022 are equally far from 1 Jan 2021; the year of the "
              "stock is taken so that type and tenure describe the same dwellings as `dwellings`.",
              "  - type: multi-family share = WON_MRGEZ / WONING; tenure: owner = P_KOOPWON / (P_KOOPWON + P_HUURWON) "
              "(CBS rounds both to 10 points), social rent = WON_HCORP / WONING, private rent = rent − social rent. "
              "Where WON_HCORP exceeds the rented share, the count wins and the owner share is lowered "
              f"({d['capped']} PC4).",
              f"  - CBS -99997 in a count (WON_MRGEZ, WON_HCORP) means 0–4: the midpoint {SECRET_COUNT:.0f} is used "
              f"(WON_MRGEZ {d['type_mid']} PC4, WON_HCORP {d['soc_mid']} PC4). One of the two percentages "
              f"suppressed: the other one's complement ({d['tenure_one']} PC4).",
              f"  - **Fallback to the province mix** (dwelling-weighted over the {d['clean']:,} PC4 with every figure "
              f"published): type for {d['prov']['type']} PC4, tenure for {d['prov']['tenure']} PC4 "
              f"({d['any_fallback']} PC4 with any fallback; national mix: {d['prov']['national']} PC4). "
              f"{d['any_adjusted']} PC4 use a fallback, a midpoint, a complement or the count cap.",
              "- **Modelled:** the joint type × tenure table. Association: ecological (Goodman) regression over the "
              f"{d['clean']:,} clean PC4, weighted by dwellings: " + _assoc_text(d["assoc"]) + "; fitted by IPF to the "
              "national margins, it seeds an IPF to each PC4's margins. Integerised per PC4 by controlled rounding "
              "(row sum = `dwellings`).",
              "", "National table (shares of the stock, %) used as the association:", "", _tab(d["G"]), ""]
    L += [f"Dwellings by type × tenure in this dataset (total {int(tot.sum()):,}):", "",
          _tab(tot.astype(float), scale=1.0, fmt="{:,.0f}"), ""]
    # ---- GP practices
    L += ["### facilities.csv — modelled GP practices", ""]
    L += ["There are no real practice locations in the sources: every practice is **modelled** (`status: modelled`). "
          "Distances are those of the area graph (`docs/data-preparation.md`, \"Area graph and distances\"): "
          f"{f['sites']:,} sites, {f['edges']:,} edges (k = {K_NEAREST})"
          + (", connected without extra edges." if not f["joins"] else
             f", {len(f['joins'])} extra edges to make it connected ("
             + "; ".join(f"site {i}–{j} {d:.3f} km" for i, j, d in f["joins"][:12])
             + ("; …" if len(f["joins"]) > 12 else "") + ").")]
    fte = f["fte_total_h"] / 100.0
    if f["level"] == "pc4":
        L += ["", f"- Rule: one practice in every PC4 with at least {MIN_PRACTICE_POP:,} inhabitants (1 Jan 2021), "
              f"{f['n_fac'] - len(f['remote']):,} practices. Then, so that no village is left far away (islands, "
              f"thinly populated areas), while a PC4 with at least {NL_REMOTE_MIN_POP} inhabitants is more than "
              f"{NL_REMOTE_KM:.0f} km from a practice (access_km + path), one more in the most populous such PC4: "
              f"{len(f['remote'])} practices (" + ", ".join(f["remote"][:12]) + (", …" if len(f["remote"]) > 12 else "")
              + f"). **{f['n_fac']:,} practices** in all. The {f['n_away']:,} populated PC4 without a practice "
              f"({f['pop_away']:,} inhabitants) are served by the nearest practice over the graph.",
              f"- Capacity: {GP_FTE_PER_10000} GP FTE per 10,000 inhabitants (NIVEL 2016) × {f['pop']:,} = **{fte:,.2f} FTE**, "
              "shared in proportion to each practice's catchment population (the areas whose nearest practice it is), "
              "not to its own PC4 alone, so the total holds; hundredths by largest remainder.",
              f"- Modelled distance to the nearest practice (access_km + path): population-weighted mean "
              f"**{f['mean_dist']:.3f} km**; 90% of inhabitants within {f['dist_wp90']:.3f} km; max {f['dist_max']:.3f} km. "
              "No observed figure to compare with (KWB distances exist for Den Haag only)."]
    else:
        lg = f["placement"]
        L += ["", f"- Placement: greedy additions over the {lg['n_cand']} sites (of {f['sites']}) with at least "
              f"{MIN_PRACTICE_POP:,} inhabitants (the candidates; no practice for a handful of people), then local search (add / drop / swap), minimising Σ_buurt pop × (modelled − observed)², where modelled is "
              "the population-weighted mean over the buurt's areas of access_km + path to the nearest practice; "
              f"no practice = {NO_PRACTICE_KM:.0f} km. A move is accepted if it lowers the sum by more than "
              f"{PLACEMENT_TOL_KM2:g} km² × the weighted population ({lg['tol']:,.1f}). "
              f"{lg['greedy']} greedy additions, then {len(lg['moves'])} local moves"
              + (f" ({', '.join(lg['moves'])})" if lg["moves"] else "") + ".",
              f"- **{f['n_fac']} practices**; at most one per site (a second one at the same site changes no distance). "
              "A practice's area is the most populous area at its site.",
              f"- Capacity: {GP_FTE_PER_10000} GP FTE per 10,000 inhabitants × {f['pop']:,} = **{fte:,.2f} FTE**, shared in "
              "proportion to catchment population; hundredths by largest remainder.",
              f"- **Fit to KWB AfstandTotHuisartsenpraktijk_105** (buurten with a figure, weighted by population): mean "
              f"absolute error **{f['mae']:.3f} km**, max error **{f['max_err']:.3f} km**, mean error (bias) "
              f"{f['bias']:+.3f} km. The KWB figure is a road distance rounded to 0.1 km; the model has one position "
              "per PC4 or buurt, so a buurt whose own access distance exceeds its KWB figure cannot be met.",
              ""]
        L += ["| buurt | name | persons | KWB km | modelled km | error |", "|---|---|---|---|---|---|"]
        nm = f["buurt_names"]
        for r in f["buurt_recs"]:
            o = "" if r["observed"] is None else f"{r['observed']:.1f}"
            e = "" if r["observed"] is None else f"{r['modelled'] - r['observed']:+.3f}"
            L.append(f"| {r['buurt']} | {nm.get(r['buurt'], '')} | {r['pop']:,.0f} | {o} | {r['modelled']:.3f} | {e} |")
    if f["level"] != "pc4" or f["n_fac"] <= 40:
        L += ["", "| facility | area | capacity (FTE) | catchment persons |", "|---|---|---|---|"]
        for r, p in zip(f["frows"], f["fac_pop"]):
            L.append(f"| {r[0]} | {r[2]} | {r[3]} | {p:,.0f} |")
    L.append("")
    return "\n".join(L)


def update_dataset_yaml(dd, name):
    path = os.path.join(dd, "dataset.yaml")
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    key = "  modelled: "
    idx = [i for i, ln in enumerate(lines) if ln.startswith(key)]
    assert len(idx) == 1, f"{path}: no single 'modelled:' line"
    s = lines[idx[0]][len(key):]
    assert s.startswith('"') and s.endswith('"')
    text = s[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    k = text.find(YAML_NOTE[name][:40])
    if k >= 0:
        text = text[:k]
    lines[idx[0]] = key + yq(text + YAML_NOTE[name])
    write_text(path, "\n".join(lines))


# ----------------------------------------------------------------------------------------------
# Self-check: an independent re-computation from the written files
# ----------------------------------------------------------------------------------------------
def _dijkstra_py(adj, src):
    dist = {src: 0.0}
    h = [(0.0, src)]
    while h:
        d, u = heapq.heappop(h)
        if d > dist[u]:
            continue
        for v, w in adj[u]:
            nd = d + w
            if nd < dist.get(v, math.inf):
                dist[v] = nd
                heapq.heappush(h, (nd, v))
    return dist


def check_graph_py(xs, ys):
    """Plain-Python version of the normative graph definition (for the small datasets)."""
    sites = sorted(set(zip(xs, ys)))
    n = len(sites)
    idx = {s: i for i, s in enumerate(sites)}

    def d2(i, j):
        return (sites[i][0] - sites[j][0]) ** 2 + (sites[i][1] - sites[j][1]) ** 2

    E = set()
    for i in range(n):
        for j in sorted((j for j in range(n) if j != i), key=lambda j: (d2(i, j), j))[:K_NEAREST]:
            E.add((min(i, j), max(i, j)))
    while True:
        adj = {i: [] for i in range(n)}
        for i, j in E:
            adj[i].append(j)
            adj[j].append(i)
        comp, stack = {0}, [0]
        while stack:
            for v in adj[stack.pop()]:
                if v not in comp:
                    comp.add(v)
                    stack.append(v)
        if len(comp) == n:
            break
        i, j = min(((d2(i, j), i, j) for i in sorted(comp) for j in range(n) if j not in comp))[1:]
        E.add((min(i, j), max(i, j)))
    adj = {i: [] for i in range(n)}
    for i, j in E:
        w = math.sqrt(d2(i, j)) / 1000.0
        adj[i].append((j, w))
        adj[j].append((i, w))
    return idx, adj, len(E)


def self_check(out, figs):
    for name in DATASETS:
        dd = os.path.join(out, "datasets", name)
        f = figs[name]
        ar = pd.read_csv(os.path.join(dd, "areas.csv"), dtype=str, keep_default_na=False)
        assert list(ar.columns[-4:]) == GEO_COLUMNS, f"{name}: areas.csv geo columns"
        for c in GEO_COLUMNS[:3]:
            assert ar[c].str.fullmatch(r"\d+\.\d{3}").all(), f"{name}: {c} format"
        assert (ar.access_km.astype(float) > 0).all()
        if f["level"] == "pc4":
            assert (ar.observed_gp_distance_km == "").all()
        # dwellings
        dw = pd.read_csv(os.path.join(dd, "dwellings.csv"), dtype={"area": str})
        assert list(dw.columns) == ["area"] + DWELLING_CELLS, f"{name}: dwellings.csv columns"
        assert list(dw.area) == list(ar.area), f"{name}: dwellings.csv rows not in areas.csv order"
        v = dw[DWELLING_CELLS].to_numpy()
        assert (v >= 0).all() and (v.sum(1) == ar.dwellings.astype(int).to_numpy()).all(), \
            f"{name}: dwelling rows do not sum to areas.csv dwellings"
        # facilities
        fa = pd.read_csv(os.path.join(dd, "facilities.csv"), dtype=str, keep_default_na=False)
        assert list(fa.columns) == FACILITY_COLUMNS, f"{name}: facilities.csv columns"
        assert fa.facility.is_unique and fa.facility.str.fullmatch(r"gp-\d{4}").all()
        assert set(fa.area) <= set(ar.area), f"{name}: facility area not in areas.csv"
        assert (fa.type == "gp_practice").all() and (fa.capacity_units == "FTE").all() and (fa.status == "modelled").all()
        assert fa.capacity.str.fullmatch(r"\d+\.\d{2}").all()
        pop = area_population(dd, list(ar.area))
        cap_h = sum(int(c.replace(".", "")) for c in fa.capacity)
        assert cap_h == int(round(GP_FTE_PER_10000 / 10000.0 * pop.sum() * 100)), f"{name}: total GP FTE"
        if f["level"] == "pc4":
            big = set(ar.area[(pop >= MIN_PRACTICE_POP)])
            assert set(fa.area) == big | set(f["remote"]) and not big & set(f["remote"]), f"{name}: practice rule"
            continue
        # Zuid-West PC6 tables add up to the denhaag-2019 buurt rows
        if name == "denhaag-zuidwest-2019":
            dh = pd.read_csv(os.path.join(out, "datasets", "denhaag-2019", "dwellings.csv")).set_index("area")
            zs = dw.assign(buurt=ar.buurt.to_numpy()).groupby("buurt")[DWELLING_CELLS].sum()
            assert (zs.to_numpy() == dh.loc[zs.index, DWELLING_CELLS].to_numpy()).all(), "PC6 dwellings != buurt table"
        # distances recomputed with the plain-Python graph
        xs = [metres(s) for s in ar.x_km]
        ys = [metres(s) for s in ar.y_km]
        idx, adj, ne = check_graph_py(xs, ys)
        assert ne == f["edges"], f"{name}: edge count differs"
        fac_site = [idx[(xs[i], ys[i])] for i in (list(ar.area).index(a) for a in fa.area)]
        from_fac = [_dijkstra_py(adj, s) for s in fac_site]
        access = ar.access_km.astype(float).to_numpy()
        dist = np.array([access[i] + min(d[idx[(xs[i], ys[i])]] for d in from_fac) for i in range(len(ar))])
        obs = {b: (float(o) if o != "" else None) for b, o in zip(ar.buurt, ar.observed_gp_distance_km)}
        _, mae, mx, _ = buurt_errors(dist, pop, list(ar.buurt), obs)
        assert abs(mae - f["mae"]) < 1e-9 and abs(mx - f["max_err"]) < 1e-9, f"{name}: distance errors differ"
        assert mae <= GP_MAE_LIMIT_KM, f"{name}: GP distance MAE {mae:.3f} km above {GP_MAE_LIMIT_KM}"
    return True


# ----------------------------------------------------------------------------------------------
def run(shared, out):
    """Build, write and check the positions, dwelling tables and GP practices of every dataset.
    Returns (figures, nrows, report lines)."""
    kwb = read_kwb(shared)
    cent = read_centroids(shared)
    dh_dw, dh_info = denhaag_dwellings(kwb)
    figs, nrows, lines = {}, {}, []
    for name in DATASETS:
        dd = os.path.join(out, "datasets", name)
        with open(os.path.join(dd, "dataset.yaml"), encoding="utf-8") as fh:
            level = [ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("area_level:")][0]
        f = build_dataset(name, dd, level, cent, kwb, dh_dw, shared)
        if level != "pc4":
            ar = pd.read_csv(os.path.join(dd, "areas.csv"), dtype=str, keep_default_na=False)
            f["buurt_names"] = dict(zip(ar.buurt, ar.buurt_name))
        replace_provenance_section(dd, SECTION, provenance_section(f, dh_info))
        update_dataset_yaml(dd, name)
        figs[name] = f
        short = {"denhaag-zuidwest-2019": "zw", "denhaag-2019": "dh", "nl-pc4-2021": "nl"}[name]
        nrows[f"{short}/dwellings.csv"] = f["n"]
        nrows[f"{short}/facilities.csv"] = f["n_fac"]
        msg = (f"  {name}: {f['sites']} sites, {f['edges']} edges, {len(f['joins'])} joins; {len(f['cent_fb'])} PC4 centroid "
               f"fallbacks; {f['n_fac']} modelled GP practices, {f['fte_total_h'] / 100:.2f} FTE; mean distance "
               f"{f['mean_dist']:.3f} km")
        if level != "pc4":
            msg += f"; buurt distance vs KWB: MAE {f['mae']:.3f} km, max {f['max_err']:.3f} km, bias {f['bias']:+.3f} km"
        lines.append(msg)
    d = figs["nl-pc4-2021"]["nl_dw"]
    lines.append(f"  dwellings by type x tenure: Den Haag {len(dh_info['fallback'])} buurten on the gemeente table; "
                 f"nl-pc4 province-mix fallback type {d['prov']['type']} / tenure {d['prov']['tenure']} PC4, "
                 f"0-4 midpoints {d['type_mid']} / {d['soc_mid']}, count cap {d['capped']}")
    self_check(out, figs)
    return figs, nrows, lines


if __name__ == "__main__":
    import sys
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    _, _, ln = run(os.path.join(repo, "..", "shared", "data"), os.path.join(repo, "data"))
    print("\n".join(ln))
    sys.exit(0)
