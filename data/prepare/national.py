"""National outputs of the data preparation (imported by prepare_data.py):

  <out>/rates/nl-2019/             rate set for the Netherlands as a whole (same files and columns as
                                   rates/denhaag-2019, same methods, national totals)
  <out>/datasets/nl-pc4-2021/      all populated PC4 areas of the Netherlands, 1 January 2021

Method: docs/data-preparation.md, sections 4 and 5. Only numpy and pandas; deterministic.
"""
import os

import numpy as np
import pandas as pd

import care_services
import migration
from common import (AGES, AL, BAND5_OF_AGE, INST, MAX_AGE, N_AGES, OM, PNC, POSITIONS, PWC, SEXES, SP,
                    controlled_round, fmt8, implied_households, largest_remainder, population_rows, read_70072_gm, read_qx,
                    write_csv, write_dataset_yaml, write_text)
from rate_set import (check_rate_set, demography_yaml_lines, derive_household_positions, mortality_provenance, derive_household_positions_bands,
                      derive_household_transitions, living_alone_trend, partner_age_gap, describe_capped, write_rates,
                      write_zvw_categories)

NL_RATES = "nl-2019"
NL_DATASET = "nl-pc4-2021"
SUPPRESSED = -99997                 # CBS PC4 key figures: "0-4 / geheim"
POS_IPF_MAX_ITER = 50               # the "light" IPF of PC4 positions: at most this many iterations
POS_IPF_TOL = 1e-3                  # persons; stop earlier when every PC4 margin is this close
RATE_FILES = ["mortality.csv", "fertility.csv", "household_positions.csv", "household_transitions.csv",
              "migration.csv", "migration_by_gemeente.csv", "migration_age_by_gemeente.csv", "care.csv", "zvw_categories.csv", "wmo_services.csv", "rates.yaml", "PROVENANCE.md"]
HH_VARS = ["TOTHH_EENP", "TOTHH_MPZK", "HH_EENOUD", "HH_TWEEOUD"]
MAX_DATASET_BYTES = 30 * 1024 * 1024


# ----------------------------------------------------------------------------------------------
# National inputs
# ----------------------------------------------------------------------------------------------
def read_nl_totals_by_sex(shared, year="2019"):
    """CBS 37296ned: NL population on 1 January by sex, array [male, female]."""
    d = pd.read_csv(os.path.join(shared, "cbs_nl_demography_statline", "nl_population_by_sex_2011_2020.csv"),
                    sep=";")
    d = d.set_index(d.columns[0])
    m = int(d.loc["Bevolking naar geslacht|Mannen", year])
    f = int(d.loc["Bevolking naar geslacht|Vrouwen", year])
    assert m + f == int(d.loc["Bevolking naar geslacht|Totale bevolking", year])
    return np.array([m, f], dtype=np.int64)


def read_nl_households(shared, year="2019"):
    """CBS 37975 private households on 1 January: total, multi-person without / with children."""
    d = pd.read_csv(os.path.join(shared, "cbs_nl_demography_statline",
                                 "nl_private_households_by_composition_2011_2020.csv"), sep=";")
    d = d.set_index(d.columns[0])
    total = int(d.loc["Totaal particuliere huishoudens", year])
    nokids = int(d.loc["Meerpersoonshuishoudens zonder kinderen", year])
    kids = int(d.loc["Meerpersoonshuishoudens met kinderen", year])
    return {"total": total, "multi_nokids": nokids, "multi_kids": kids, "one_person": total - nokids - kids}


def nl_population_full(nl_pop, totals, q):
    """NL 1 Jan 2019 by sex x single age 0..105 (floats). Ages 0-99: the single-age file. The file
    stops at 99; the 100+ count is the CBS 37296ned total by sex minus the file's sum, spread over
    100..105 by stationary survivorship from age 99 with the rate set's q (105 = open class:
    l(105) / q(105)). Modelled above 99."""
    out = np.zeros((2, N_AGES))
    out[:, :100] = nl_pop
    n100 = totals - nl_pop.sum(1)
    assert (n100 > 0).all(), "NL 100+ count not positive"
    for s in range(2):
        ell = [float(nl_pop[s, 99])]
        for a in range(99, MAX_AGE):
            ell.append(ell[-1] * (1.0 - q[s, a]))
        w = np.array(ell[1:])                      # ages 100..105
        w[-1] /= q[s, MAX_AGE]
        out[s, 100:] = n100[s] * w / w.sum()
    return out, n100


def age_forward(pop, q, years):
    """Survival-only projection of a [2, 106] population by whole years (births held at the
    current age-0 count, no migration); used only for the single-age shape within 5-year bands."""
    x = pop.astype(float).copy()
    for _ in range(years):
        nxt = np.zeros_like(x)
        nxt[:, 1:] = x[:, :-1] * (1.0 - q[:, :-1])
        nxt[:, MAX_AGE] += x[:, MAX_AGE] * (1.0 - q[:, MAX_AGE])
        nxt[:, 0] = x[:, 0]
        x = nxt
    return x


def band_sums(v):
    """[..., 106] -> [..., 20] sums over the 5-year bands (95+ = 95..105)."""
    out = np.zeros(v.shape[:-1] + (20,))
    for b in range(20):
        out[..., b] = v[..., BAND5_OF_AGE == b].sum(-1)
    return out


# ----------------------------------------------------------------------------------------------
# Rate set nl-2019
# ----------------------------------------------------------------------------------------------
def derive_nl_household_bands(nl71488, pop_full, hh):
    """Counts by sex x 5-year band x 7 positions for the Netherlands, 1 Jan 2019 ([2, 20, 7]).
    71488ned Nederland gives child, alone, samenwonend, single parent and overig lid itself;
    institution = NL population of the band (95+ = 95..105) minus the five private positions,
    clamped at 0. Samenwonend is split with the Den Haag function (same profile, logit shift) to the
    national total of partners with children = 2 x (37975 multi-person households with children -
    single-parent households); single-parent households = single parents of 71488ned (one per
    household)."""
    band_pop = band_sums(pop_full)
    priv = nl71488["child"] + nl71488["alone"] + nl71488["together"] + nl71488["single_parent"] + nl71488["other"]
    inst = np.maximum(band_pop - priv, 0.0)
    sp_hh = nl71488["single_parent"].sum()
    couples_wc_hh = hh["multi_kids"] - sp_hh
    target_pwc = 2.0 * couples_wc_hh
    # The Den Haag function splits total - child - alone - samenwonend - single parent into other and
    # institution with the national proportion of "overig lid" to institution residents. Handing it
    # the national table as the "gemeente" (total = private + institution) and the population with
    # 100+ folded into age 99 (its 95+ band is 95..99) makes that split return exactly overig lid
    # and the institution count above.
    pop100 = pop_full[:, :100].copy()
    pop100[:, 99] += pop_full[:, 100:].sum(1)
    gm = {"total": priv + inst, "child": nl71488["child"], "alone": nl71488["alone"],
          "together": nl71488["together"], "single_parent": nl71488["single_parent"]}
    counts, info = derive_household_positions_bands(gm, nl71488, pop100,
                                                      {"persons_couple_with_children": target_pwc})
    assert np.abs(counts[..., OM] - nl71488["other"]).max() < 1e-6
    assert np.abs(counts[..., INST] - inst).max() < 1e-6
    pnc = nl71488["together"].sum() - target_pwc
    couples_nc_hh = pnc / 2.0
    other_hh = hh["multi_nokids"] - couples_nc_hh
    assert other_hh > 0, "NL: more couples without children than multi-person households without children"
    assert hh["one_person"] == int(nl71488["alone"].sum()), "37975 one-person households != 71488ned alone"
    info.update({"inst": inst, "inst_total": inst.sum(), "sp_hh": sp_hh, "couples_wc_hh": couples_wc_hh,
                 "target_pwc": target_pwc, "pnc": pnc, "couples_nc_hh": couples_nc_hh, "other_hh": other_hh,
                 "other_members": nl71488["other"].sum(), "priv_total": priv.sum(),
                 "together": nl71488["together"].sum(),
                 "couple_share_nokids": couples_nc_hh / hh["multi_nokids"]})
    return counts, info


def write_nl_rates_yaml(path, sc):
    lines = [
        f"# socialtwin rate set {NL_RATES}: scalar parameters (generated by data/prepare/prepare_data.py); the Netherlands as a whole",
        "reference_year: 2019  # year; population and household positions refer to 1 Jan 2019",
        "price_year: 2022  # year; price level of all EUR amounts in care.csv (CPB 2022)",
        f"sex_ratio_at_birth_male_share: 0.512  # share of boys among live births; assumption 0.512 (CBS NL births by sex not in the source tables; NL age-0 cohort on 1 Jan 2019 gives {sc['srb_proxy']:.4f})",
        f"immigrants_per_inhabitant: {fmt8(sc['imm_rate'])}  # immigrants per inhabitant per year for an area whose gemeente has no row in migration_by_gemeente.csv; CBS 37259eng NL01 mean of 2017-2019 DueToImmigration_10 / PopulationOn1January_1",
        f"moves_in_per_inhabitant: {fmt8(sc['mi_rate'])}  # persons moving in from other gemeenten per inhabitant per year, likewise; CBS 37259eng NL01 mean of 2017-2019 DueToIntermunicipalMoves_11 / PopulationOn1January_1",
        f"out_migrants_per_inhabitant: {fmt8(sc['out_rate'])}  # emigrants + moves out to other gemeenten per inhabitant that migration.csv's emigration_probability + moves_out_probability give on the NL 2019 population (the level behind the internal moves' age profile); CBS 37259eng NL01 2017-2019",
        f"internal_moves_per_inhabitant: {fmt8(sc['mobility'] / 1000.0 - sc['between'])}  # moves to another dwelling inside the same gemeente per inhabitant per year (the engine keeps moves between areas inside the gemeente; moves between gemeenten are a migration flow of their own); moves within one PC4 included (an upper bound for moves between PC4 areas); CBS 70072ned 2015 NL01 VerhuismobiliteitRelatief_73 {sc['mobility']:.1f} per 1,000 minus VertrekNaarAndereGemeente_70 / TotaleBevolking_1 ({sc['between']:.4f})",
        f"gp_contacts_per_fte: {fmt8(sc['gp_per_fte'])}  # GP contacts per GP FTE per year = 5.0 contacts per person / (4.3 FTE per 10,000 inhabitants); domain.md",
        f"persons_per_household_gemeente: {fmt8(sc['pph'])}  # persons per household, here national (the key keeps its name): NL 1 Jan 2019 {sc['pop']:,} persons (CBS 37296ned, incl. institutions) / {sc['hh']:,} private households (CBS 37975)",
        f"persons_per_private_household_gemeente: {fmt8(sc['pph_private'])}  # national: {sc['priv']:,} persons in private households (CBS 71488ned Nederland, five private positions) / {sc['hh']:,} households",
        f"other_households_per_other_member: {fmt8(sc['ohpom'])}  # 'other' households per other_member person; NL 2019: {sc['other_hh']:,.0f} other households (37975 multi-person without children {sc['multi_nokids']:,} - {sc['couples_nc_hh']:,.0f} couples without children, derived) / {sc['other_members']:,.0f} overig lid (71488ned)",
        f"partner_age_gap: {sc['gap']:.2f}  # years; mean age gap of partners living together, the man older: mean age of men minus women in a partner position, CBS 71488ned Nederland 1 Jan 2019 samenwonend by sex x 5-year band (band mid-points); the widowhood rates, the cohort core's widowhood and the agent core's pairing of partners all use it",
        f"living_alone_trend: {sc['alone_trend']}  # per year; relative rise of the share living alone at each sex and age beyond the ageing of the population (the baseline's trend to living alone; scenario lever rates.living_alone on top): log-linear slope 2011-2019 of CBS 37975 one-person households of the Netherlands ({sc['alone_series'][2011][0]:,} in 2011, {sc['alone_series'][2019][0]:,} in 2019) over the persons living alone that the 2019 shares of CBS 71488ned Nederland by sex x 5-year band give each year's population (cbs_nl_population_single_age_1950_2019: {sc['alone_series'][2011][1]:,.0f} in 2011)",
        *sc["demography"],
        "zvw_cost_factor: 1  # x national age-sex level; the Netherlands is the national level by definition (Vektis Zvw 2023 standardisation)",
        "",
    ]
    write_text(path, "\n".join(lines))
    return sum(1 for ln in lines if ln and not ln.startswith("#"))


def build_nl_rates(shared, out, q, mort, asfr_base, care, zcat, nl_pop, nl71488):
    """Derive and write rates/nl-2019. Returns the figures used by the dataset and the provenance."""
    rd = os.path.join(out, "rates", NL_RATES)
    os.makedirs(rd, exist_ok=True)
    totals = read_nl_totals_by_sex(shared)
    pop_full, n100 = nl_population_full(nl_pop, totals, q)
    hh = read_nl_households(shared)
    band_counts, hinfo = derive_nl_household_bands(nl71488, pop_full, hh)
    shares = derive_household_positions(band_counts)
    gap = partner_age_gap(band_counts)
    alone_trend, alone_series = living_alone_trend(shared, nl71488)
    trans, tinfo = derive_household_transitions(shares, q, gap)
    nl_row = read_70072_gm(shared, "NL01")
    ages_f = np.arange(15, 50)
    nrows = write_rates(rd, (q, mort["improvement"]), (ages_f, asfr_base), shares, trans, care)
    nrows["zvw_categories.csv"] = write_zvw_categories(os.path.join(rd, "zvw_categories.csv"), zcat)
    pop_total = int(totals.sum())
    sc = {"srb_proxy": nl_pop[0, 0] / nl_pop[:, 0].sum(), "gap": gap, "alone_trend": alone_trend, "alone_series": alone_series,
          "gp_per_fte": 5.0 / (4.3 / 10000.0), "pop": pop_total, "hh": hh["total"],
          "pph": pop_total / hh["total"], "priv": int(round(hinfo["priv_total"])),
          "pph_private": hinfo["priv_total"] / hh["total"], "ohpom": hinfo["other_hh"] / hinfo["other_members"],
          "other_hh": hinfo["other_hh"], "multi_nokids": hh["multi_nokids"],
          "couples_nc_hh": hinfo["couples_nc_hh"], "other_members": hinfo["other_members"],
          "mobility": float(nl_row["VerhuismobiliteitRelatief_73"]),
          "between": float(nl_row["VertrekNaarAndereGemeente_70"]) / float(nl_row["TotaleBevolking_1"]),
          "demography": demography_yaml_lines(
              mort["newborn"], mort["newborn_improvement"],
              "1  # x the national death probabilities; the Netherlands is the national level by definition",
              mort["fert_path"])}
    # Wmo: no national client count in the sources; the Den Haag-scaled probabilities are kept.
    wmo_p_file = np.array([float(fmt8(v)) for v in care["wmo_p"]])
    home = pop_full * (1.0 - shares[..., INST])
    wmo_implied = float((home * wmo_p_file[None, :]).sum())
    pos_model = (shares * pop_full[:, :, None]).sum((0, 1))
    info = {"rd": rd, "q": q, "mfit": mort["fit"], "mort": mort, "pop_full": pop_full, "n100": n100, "totals": totals, "hh": hh,
            "band_counts": band_counts, "hinfo": hinfo, "shares": shares, "trans": trans, "tinfo": tinfo,
            "sc": sc, "nrows": nrows, "tfr": float(asfr_base.sum()), "asfr": asfr_base,
            "wmo_implied": wmo_implied, "wmo_per1000": 1000 * wmo_implied / pop_full.sum(),
            "pos_model": pos_model, "pos_bands": band_counts.sum((0, 1)),
            "trans_rows": sum(1 for v in trans.values() if v > 0)}
    return info


# ----------------------------------------------------------------------------------------------
# Dataset nl-pc4-2021
# ----------------------------------------------------------------------------------------------
def read_pc4_age_sex(shared):
    """CBS 83502NED via certegis: PC4 x 20 bands x (total, male, female), 1 Jan 2021.
    Returns (codes of PC4 with population, T, M, F [n, 20] int, dropped-without-data, dropped-zero)."""
    d = pd.read_csv(os.path.join(shared, "cbs_pc4_age_sex_2021", "pc4_population_by_age5_sex_2021.csv"))
    no_data = sorted(d[d.population_total.isna()].pc4.unique())
    assert d[d.pc4.isin(no_data)].population_total.isna().all(), "PC4 with partly missing age data"
    d = d[~d.pc4.isin(no_data)].copy()
    assert not d[["population_male", "population_female"]].isna().any().any()
    d["band"] = d.age_group.map(lambda g: int(str(g).split("-")[0].replace("+", ""))) // 5
    codes_all = np.array(sorted(d.pc4.unique()))
    idx = {c: i for i, c in enumerate(codes_all)}
    T = np.zeros((len(codes_all), 20), dtype=np.int64)
    M = np.zeros_like(T)
    F = np.zeros_like(T)
    rows = d.pc4.map(idx).to_numpy()
    bands = d.band.to_numpy()
    assert len(d) == 20 * len(codes_all) and set(bands) == set(range(20))
    T[rows, bands] = d.population_total.to_numpy().astype(np.int64)
    M[rows, bands] = d.population_male.to_numpy().astype(np.int64)
    F[rows, bands] = d.population_female.to_numpy().astype(np.int64)
    keep = T.sum(1) > 0
    zero = [int(c) for c in codes_all[~keep]]
    return codes_all[keep], T[keep], M[keep], F[keep], [int(c) for c in no_data], zero


def split_sex(T, M, F, max_iter=200, tol=1e-9):
    """Integer PC4 x sex x band counts whose band sums are the CBS totals (population_total) exactly.
    CBS rounds total, men and women separately to 5, so men + women differ from the total in many
    cells. Seed = (men, women) per band (where both are 0 but the total is not: the national male
    share of that band); IPF to the band totals and to the PC4 sex totals (sums of men and women
    rescaled to the PC4 total), ending on the band step; then per PC4 the male counts are rounded
    to floor/ceil with the male total = the rounded fitted male total (largest fractions first,
    ties by band), women = total - men."""
    n = len(T)
    Tf = T.astype(float)
    nat_m = M.sum(0) / np.maximum(M.sum(0) + F.sum(0), 1)
    x = np.stack([M, F], axis=1).astype(float)               # [n, 2, 20]
    empty = (M + F == 0) & (T > 0)
    x[:, 0][empty] = (Tf * nat_m[None, :])[empty]
    x[:, 1][empty] = (Tf * (1 - nat_m[None, :]))[empty]
    tot = Tf.sum(1)
    st = np.stack([M.sum(1), F.sum(1)], axis=1).astype(float)
    ss = st.sum(1)
    nat_share = M.sum() / (M.sum() + F.sum())
    st = np.where(ss[:, None] > 0, st * (tot / np.maximum(ss, 1))[:, None],
                  tot[:, None] * np.array([nat_share, 1 - nat_share])[None, :])
    for it in range(1, max_iter + 1):
        s_now = x.sum(2)
        x *= np.divide(st, s_now, out=np.ones_like(st), where=s_now > 0)[:, :, None]
        b_now = x.sum(1)
        x *= np.divide(Tf, b_now, out=np.zeros_like(Tf), where=b_now > 0)[:, None, :]
        dev = np.abs(x.sum(2) - st).max()
        if dev < tol:
            break
    xm = np.clip(x[:, 0], 0.0, Tf)
    fl = np.floor(xm)
    frac = xm - fl
    lo = fl.sum(1)
    hi = lo + (frac > 1e-12).sum(1)
    rm = np.clip(np.floor(xm.sum(1) + 0.5), lo, hi)
    need = (rm - lo).astype(np.int64)
    order = np.lexsort((np.broadcast_to(np.arange(20), frac.shape), -frac), axis=1)
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(20), order.shape), axis=1)
    male = fl.astype(np.int64) + ((rank < need[:, None]) & (frac > 1e-12))
    female = T - male
    assert (female >= 0).all() and (male >= 0).all()
    N = np.stack([male, female], axis=1)
    fit = {"iter": it, "sex_dev": float(dev), "n_empty_cells": int(empty.sum()),
           "dev_m": int(np.abs(male - M).max()), "dev_f": int(np.abs(female - F).max()),
           "sex_total_dev": float(np.abs(N.sum(2) - st).max()), "mf_ne_t": int((M + F != T).sum()),
           "n_sex_off": int((np.abs(x.sum(2) - st).max(1) > 0.01).sum()),
           "men": int(N[:, 0].sum()), "men_cbs": int(M.sum()), "women_cbs": int(F.sum())}
    return N, fit


def single_age_shape(pop2021):
    """Within-band single-age shares [2, 106] (sum 1 over each 5-year band, 95+ = 95..105)."""
    b = band_sums(pop2021)
    return pop2021 / b[:, BAND5_OF_AGE]


def read_pc4_kerncijfers(shared):
    base = os.path.join(shared, "cbs_pc4_kerncijfers_2020_2022")
    k20 = pd.read_csv(os.path.join(base, "cbs_pc4_2020_v1.csv")).set_index("PC4")
    k22 = pd.read_csv(os.path.join(base, "cbs_pc4_2022_v1.csv")).set_index("PC4")
    assert k20.index.is_unique and k22.index.is_unique
    return k20, k22


def pc4_values(k, codes, col):
    """Values of a key-figure column for the given PC4 codes; NaN where the PC4 is absent or the value
    is suppressed (-99997) or negative."""
    v = k[col].reindex(codes).astype(float).to_numpy()
    v[(v < 0) | (v == SUPPRESSED)] = np.nan
    return v


def household_margins(k20, k22, codes):
    """Per PC4 household counts ~1 Jan 2021: the mean of 1 Jan 2020 and 1 Jan 2022 where both are
    published, else the one that is, else missing (NaN). Returns dict var -> array, and counts."""
    out, cnt = {}, {}
    for var in HH_VARS + ["AANTAL_HH"]:
        a, b = pc4_values(k20, codes, var), pc4_values(k22, codes, var)
        both = ~np.isnan(a) & ~np.isnan(b)
        v = np.where(both, 0.5 * (a + b), np.where(np.isnan(a), b, a))
        out[var] = v
        cnt[var] = {"both": int(both.sum()), "2020": int((~np.isnan(a) & np.isnan(b)).sum()),
                    "2022": int((np.isnan(a) & ~np.isnan(b)).sum()), "none": int(np.isnan(v).sum())}
    return out, cnt


def position_targets_pc4(seed_pos, totals, hm, couple_share_nokids):
    """Position targets per PC4 [n, 7] from the household margins (NaN = suppressed -> seed total):
    living_alone = one-person households; partner_no_children = 2 x multi-person households without
    children x national couple share; partner_with_children = 2 x two-parent households;
    single_parent = single-parent households; other positions = seed totals; all seven rescaled to
    the PC4 total (as for the Den Haag buurten)."""
    t = seed_pos.copy()
    for p, var, mult in [(AL, "TOTHH_EENP", 1.0), (PNC, "TOTHH_MPZK", 2.0 * couple_share_nokids),
                         (PWC, "HH_TWEEOUD", 2.0), (SP, "HH_EENOUD", 1.0)]:
        v = hm[var]
        ok = ~np.isnan(v)
        t[ok, p] = mult * v[ok]
    s = t.sum(1)
    t *= np.divide(totals, s, out=np.zeros_like(s), where=s > 0)[:, None]
    return t


def fit_positions(seed, row_t, col_t, max_iter=POS_IPF_MAX_ITER, tol=POS_IPF_TOL):
    """Vectorised IPF over all PC4: seed [n, 212, 7], rows = (sex, age) totals [n, 212] (exact at the
    end), columns = position targets [n, 7] (approximate: at most max_iter iterations)."""
    x = seed.copy()
    dev = None
    for it in range(1, max_iter + 1):
        cs = x.sum(1)
        x *= np.divide(col_t, cs, out=np.ones_like(cs), where=cs > 0)[:, None, :]
        rs = x.sum(2)
        x *= np.divide(row_t, rs, out=np.zeros_like(rs), where=rs > 0)[:, :, None]
        dev = np.abs(x.sum(1) - col_t).max(1)
        if dev.max() < tol:
            break
    return x, dev, it


def integerise_pc4(Xf, N, seed_base=2021):
    """Integer persons [n, 2, 106, 7]: per (sex, 5-year band) a controlled rounding of PC4 x (age in
    band, position), rows = the integer PC4 x sex x band counts N (exact), columns = the national
    (sex, age, position) totals rounded by largest remainder: first the (sex, age) totals within the
    band's national total, then the positions within each (sex, age). Every count is the floor or
    the ceiling of its fitted value. Cells in exponential-race order (seeded per sex and band)."""
    n = Xf.shape[0]
    X = np.zeros(Xf.shape, dtype=np.int64)
    fallback = 0
    sa_targets = np.zeros((2, N_AGES), dtype=np.int64)
    for s in range(2):
        for b in range(20):
            ages = np.flatnonzero(BAND5_OF_AGE == b)
            blk = Xf[:, s, ages, :]                                   # [n, len(ages), 7]
            R = N[:, s, b].astype(np.int64)
            age_tot = blk.sum((0, 2))
            A = largest_remainder(age_tot, int(R.sum()))
            sa_targets[s, ages] = A
            C = np.zeros((len(ages), 7), dtype=np.int64)
            for i in range(len(ages)):
                cell = blk[:, i, :].sum(0)
                if A[i] > 0:
                    assert cell.sum() > 0
                    C[i] = largest_remainder(cell * A[i] / cell.sum(), int(A[i]))
            Mb = blk.reshape(n, -1)
            Xi, fb, _ = controlled_round(Mb, R, C.reshape(-1), rng=np.random.default_rng(seed_base * 100 + 20 * s + b))
            fallback += fb
            X[:, s, ages, :] = Xi.reshape(n, len(ages), 7)
    return X, sa_targets, fallback


def fill_missing_labels(lk, centroids, codes):
    """PC4 with population but without plaats/gemeente in the certegis lookup get those of the
    nearest PC4 centroid (CBS PC4 2020 geometry) in the same provincie that has them (modelled)."""
    filled = []
    c = centroids.set_index("pc4")
    have = lk[lk.gemeente.notna() & lk.plaats.notna()]
    for code in codes:
        r = lk.loc[code]
        if pd.notna(r.gemeente) and pd.notna(r.plaats):
            continue
        assert pd.notna(r.provincie) and code in c.index, f"PC4 {code}: no provincie or centroid"
        cand = have[have.provincie == r.provincie]
        cand = cand[cand.index.isin(c.index)]
        dx = c.loc[cand.index, "centroid_rd_x"].to_numpy() - c.loc[code, "centroid_rd_x"]
        dy = c.loc[cand.index, "centroid_rd_y"].to_numpy() - c.loc[code, "centroid_rd_y"]
        dist = np.hypot(dx, dy)
        j = int(np.lexsort((cand.index.to_numpy(), dist))[0])
        src = cand.index[j]
        lk.loc[code, "plaats"] = cand.loc[src, "plaats"]
        lk.loc[code, "gemeente"] = cand.loc[src, "gemeente"]
        filled.append({"pc4": int(code), "from": int(src), "km": dist[j] / 1000.0,
                       "plaats": cand.loc[src, "plaats"], "gemeente": cand.loc[src, "gemeente"]})
    return filled


def build_nl_pc4(shared, out, nl):
    """Dataset nl-pc4-2021. nl: the figures of build_nl_rates."""
    dd = os.path.join(out, "datasets", NL_DATASET)
    os.makedirs(dd, exist_ok=True)
    codes, T, M, F, no_data, zero = read_pc4_age_sex(shared)
    n = len(codes)
    cbs_total = int(T.sum())
    # (1) sex x band, integer, band totals = CBS
    N, sfit = split_sex(T, M, F)
    # (2) single ages: national 2019 single-age population aged to 1 Jan 2021 (survival only)
    pop2021 = age_forward(nl["pop_full"], nl["q"], 2)
    shape = single_age_shape(pop2021)
    Xsa = N[:, :, BAND5_OF_AGE].astype(float) * shape[None, :, :]       # [n, 2, 106]
    # (3) positions: national shares, then a light IPF to the PC4 household margins
    shares = nl["shares"]
    seed = Xsa[..., None] * shares[None]                                # [n, 2, 106, 7]
    k20, k22 = read_pc4_kerncijfers(shared)
    hm, hcnt = household_margins(k20, k22, codes)
    totals = T.sum(1).astype(float)
    seed_pos = seed.sum((1, 2))
    targ = position_targets_pc4(seed_pos, totals, hm, nl["hinfo"]["couple_share_nokids"])
    Xf, pdev, pit = fit_positions(seed.reshape(n, 2 * N_AGES, 7), Xsa.reshape(n, -1), targ)
    Xf = Xf.reshape(n, 2, N_AGES, 7)
    # (4) integerise
    X, sa_targets, fallback = integerise_pc4(Xf, N)
    assert int(X.sum()) == cbs_total
    assert (X.sum((2, 3)) == N[:, :, :].sum(2)).all()
    assert (band_sums(X.sum(3)) == N).all()
    # ---- areas.csv
    lk = pd.read_csv(os.path.join(shared, "cbs_pc4_age_sex_2021", "pc4_gemeente_provincie_2021.csv")).set_index("pc4")
    cent = pd.read_csv(os.path.join(shared, "cbs_pc4_age_sex_2021", "pc4_centroids_area_cbs2020geom.csv"))
    filled = fill_missing_labels(lk, cent, codes)
    lk = lk.loc[codes]
    assert lk[["plaats", "gemeente", "provincie", "nuts3"]].notna().all().all(), "PC4 label missing"
    # the lookup's inwoners (said to be the sums of the age table) differ by up to 5 in some PC4; the
    # PC4 totals here are the sums of the age table (information only)
    lk_diff = lk.inwoners.to_numpy() - T.sum(1)
    w22, w20 = pc4_values(k22, codes, "WONING"), pc4_values(k20, codes, "WONING")
    i22, ww22 = k22.INWONER.astype(float), k22.WONING.astype(float)
    ok = (i22 >= 0) & (ww22 > 0)
    ppd = float(i22[ok].sum() / ww22[ok].sum())
    dw = np.where(~np.isnan(w22), w22, np.where(~np.isnan(w20), w20, np.nan))
    src = np.where(~np.isnan(w22), "2022", np.where(~np.isnan(w20), "2020", "model"))
    est = np.floor(totals / ppd + 0.5)
    dw = np.where(np.isnan(dw), est, dw).astype(np.int64)
    area_codes = [f"{c:04d}" for c in codes]
    area_rows = [[a, r.plaats, r.gemeente, r.provincie, r.nuts3, int(d)]
                 for a, r, d in zip(area_codes, lk.itertuples(), dw)]
    nrows = {}
    nrows["nl/areas.csv"] = write_csv(os.path.join(dd, "areas.csv"),
                                      ["area", "plaats", "gemeente", "provincie", "nuts3", "dwellings"], area_rows)
    nrows["nl/population.csv"] = write_csv(os.path.join(dd, "population.csv"), ["area", "sex", "age"] + POSITIONS,
                                           population_rows(area_codes, X))
    # ---- fit figures
    pos = X.sum((0, 1, 2))
    ohpom = nl["sc"]["ohpom"]
    hh_impl = implied_households(X.sum((1, 2)), ohpom)                # [n]
    hh_cbs = hm["AANTAL_HH"]
    okh = ~np.isnan(hh_cbs) & (hh_cbs >= 50)
    rel = (hh_impl[okh] - hh_cbs[okh]) / hh_cbs[okh]
    posf = Xf.sum((1, 2))
    # margins actually used per position (published in at least one year)
    used = {AL: ~np.isnan(hm["TOTHH_EENP"]), PNC: ~np.isnan(hm["TOTHH_MPZK"]),
            PWC: ~np.isnan(hm["HH_TWEEOUD"]), SP: ~np.isnan(hm["HH_EENOUD"])}
    pos_fit = {}
    for p, m in used.items():
        d = np.abs(posf[m, p] - targ[m, p])
        pos_fit[p] = {"n": int(m.sum()), "max": float(d.max()), "n_over_1": int((d > 1).sum()),
                      "n_over_10": int((d > 10).sum()), "target": float(targ[m, p].sum()),
                      "fitted": float(posf[m, p].sum())}
    # raw household-derived targets (before the rescaling to the PC4 total), national sums
    raw = {AL: np.nansum(hm["TOTHH_EENP"]),
           PNC: 2.0 * nl["hinfo"]["couple_share_nokids"] * np.nansum(hm["TOTHH_MPZK"]),
           PWC: 2.0 * np.nansum(hm["HH_TWEEOUD"]), SP: np.nansum(hm["HH_EENOUD"])}
    sa_model = Xsa.sum(0)
    fit = {"n": n, "n_lookup": 4074, "no_data": no_data, "zero": zero, "total": int(X.sum()), "cbs_total": cbs_total,
           "sfit": sfit, "hcnt": hcnt, "pit": pit, "pdev": pdev, "pos_fit": pos_fit, "raw": raw,
           "pos": [int(v) for v in pos], "seed_pos": seed_pos.sum(0), "targ_pos": targ.sum(0),
           "hh_impl": float(hh_impl.sum()), "hh_cbs": float(np.nansum(hh_cbs)), "hh_n": int((~np.isnan(hh_cbs)).sum()),
           "hh_rel_med": float(np.median(np.abs(rel))), "hh_rel_p90": float(np.quantile(np.abs(rel), 0.9)),
           "hh_rel_n": int(okh.sum()), "hh_impl_okh": float(hh_impl[okh].sum()), "hh_cbs_okh": float(hh_cbs[okh].sum()),
           "fallback": fallback, "sa_dev": float(np.abs(X.sum((0, 3)) - sa_model).max()),
           "dw_src": {k: int((src == k).sum()) for k in ("2022", "2020", "model")}, "ppd": ppd,
           "dw_total": int(dw.sum()), "filled": filled, "ohpom": ohpom, "shape_shift": pop2021,
           "n_rows": nrows["nl/population.csv"], "lk_ndiff": int((lk_diff != 0).sum()),
           "lk_maxdiff": float(np.abs(lk_diff).max()),
           "inst_max_share": float((X[..., INST].sum((1, 2)) / X.sum((1, 2, 3))).max()), "X": X, "N": N, "T": T, "codes": area_codes,
           "sa_targets": sa_targets, "gemeenten": int(lk.gemeente.nunique()), "plaatsen": int(lk.plaats.nunique())}
    return dd, fit, nrows


def write_nl_dataset_yaml(path, f):
    tables = [
        "CBS 83502NED Bevolking; leeftijd, postcode, 1 januari 2021 (PC4 x 5-year age x sex, via certegis)",
        "CBS Kerncijfers per postcode (PC4) 2020 v1 and 2022 v1: households by type, dwellings",
        "certegis PC4 lookup (plaats, gemeente, provincie, COROP) and CBS PC4 2020 polygon centroids",
        f"CBS 71488ned / 37975 / 37296ned / 37360ned national 2019, via the rate set {NL_RATES}",
    ]
    method = ("Per PC4 the CBS counts by sex x 5-year band (rounded to 5 by CBS; men + women reconciled to the "
              "band total by IPF and rounding) split into single ages with the NL 2019 single-age population aged "
              "to 2021 (ages 100-105 by mortality-implied survivorship); positions by the nl-2019 household_positions "
              "shares, then a light IPF (at most 50 iterations) to PC4 household margins from the CBS PC4 key "
              "figures (mean of 2020 and 2022; suppressed margins skipped); controlled rounding per sex and band "
              "keeping every PC4 x sex x band count and the national (sex, age, position) totals exact.")
    modelled = ("population.csv is modelled (its PC4 x 5-year band totals are CBS 83502NED exactly); areas.csv: "
                "PC4 codes, plaats/gemeente/provincie/nuts3 (certegis lookup) and dwellings (CBS WONING 2022, else "
                f"2020) are real, except {len(f['filled'])} PC4 whose plaats/gemeente come from the nearest PC4 and "
                f"{f['dw_src']['model']} PC4 whose dwellings are persons / national persons per dwelling.")
    write_dataset_yaml(
        path, NL_DATASET, "The Netherlands by PC4, 1 January 2021",
        f"All {f['n']:,} populated PC4 areas of the Netherlands with persons by sex, single age and household "
        f"position on 1 January 2021 ({f['total']:,} inhabitants, the sum of the CBS PC4 table). For "
        "national-scale runs.",
        "pc4", f["total"], f["n"], tables, method, modelled, reference_year=2021, rates=NL_RATES,
        levels=("plaats", "gemeente", "provincie"))


# ----------------------------------------------------------------------------------------------
# Provenance
# ----------------------------------------------------------------------------------------------
def provenance_nl_rates(nl):
    h, m, sc, q = nl["hinfo"], nl["minfo"], nl["sc"], nl["q"]
    cbs = [nl["band_counts"][..., p].sum() for p in range(7)]
    pos_rows = "\n".join(
        f"| {POSITIONS[p]} | {cbs[p]:,.0f}{' (modelled split)' if p in (PNC, PWC) else ''}"
        f"{' (derived)' if p == INST else ''} | {nl['pos_model'][p]:,.0f} |" for p in range(7))
    return f"""# Rate set `{NL_RATES}` — provenance

Generated by `data/prepare/prepare_data.py` (code in `data/prepare/national.py` and `data/prepare/rate_set.py`)
from `../shared/data`; method in `docs/data-preparation.md` section 4.
The Netherlands as a whole, 1 January 2019; prices 2022. The same files,
columns and methods as `denhaag-2019`, with national figures. Sex order: male, female. CBS tables CC BY 4.0,
Bron: CBS; Vektis open data (non-commercial use), Bron: Vektis; Bron: CPB.

| file | as denhaag-2019? | national source / difference |
|---|---|---|
| mortality.csv | identical | CBS 37360ned qx Nederland 2011–2019 (already national), on the age on 1 January; 99–105 **modelled** (Kannisto fit); improvement fitted |
| fertility.csv | method differs | national ASFR 2019 by single age (CBS births / mid-year women), **not scaled**; TFR {nl['tfr']:.4f} |
| household_positions.csv | same method | CBS 71488ned Nederland (with overig lid); institution derived; partner split **modelled** |
| household_transitions.csv | same method | stationary calibration on the national shares (**modelled/assumption**) |
| migration.csv, migration_by_gemeente.csv, migration_age_by_gemeente.csv | same method | national profiles; a row per gemeente of nl-pc4-2021 (CBS 37259eng 2017–2019), moves in scaled for national balance; age factors per gemeente **modelled from observed age structure** (nl-pc4-2021's 2021 bands) |
| care.csv | identical | CPB 2022, Vektis; wmo_client_probability **kept at the Den Haag scaling** (see below) |
| zvw_categories.csv | identical | Vektis Zvw 2015 national |
| rates.yaml | same keys | national values; zvw_cost_factor 1 |

Identical to `denhaag-2019` (mortality.csv byte for byte; the mortality and fertility keys of rates.yaml
except `mortality_factor`):

{mortality_provenance(nl['mort'], "1: the national level by definition.")}
## fertility.csv
National ASFR 2019 by single age of mother 15–49 (`derived_nl_asfr_single_age_2011_2019.csv`: CBS births / mean of the
1 Jan 2019 and 2020 women at that age), as it is. **TFR {nl['tfr']:.4f}** (CBS official 2019: 1.574).

## household_positions.csv
CBS 71488ned **Nederland**, 1 Jan 2019, by sex × 5-year band: thuiswonend kind, alleenstaand, samenwonend, ouder in
eenouderhuishouden and overig lid (all published). **Institution (derived):** NL population of the band minus the five
private positions, clamped at 0; the population is the NL 1 Jan 2019 single-age file (ages 0–99) plus the 100+
count = CBS 37296ned total by sex minus the file's sum (men {nl['n100'][0]:,.0f}, women {nl['n100'][1]:,.0f}), spread over 100–105
by stationary survivorship with q (**modelled**), so the 95+ band is 95–105. Institution residents
**{h['inst_total']:,.0f}** (domain.md: about 267,000 in 2021).
**Samenwonend → partner with / without children (modelled):** the Den Haag age profile p_wc(age), shifted on the
logit scale by {h['logit_shift']:+.4f} so that the national total of partners with children is reproduced:
2 × (CBS 37975 multi-person households with children {nl['hh']['multi_kids']:,} − single-parent households {h['sp_hh']:,.0f})
= 2 × {h['couples_wc_hh']:,.0f} = **{h['target_pwc']:,.0f}** persons (single-parent households = the single parents of 71488ned,
one per household). The NL 71488ned file has no with/without-children split, so the national household
composition table is used. Partners without children = {h['together']:,.0f} samenwonend − {h['target_pwc']:,.0f} =
{h['pnc']:,.0f}. p_wc by band after the shift: {', '.join(f"{5*b}-{5*b+4 if b < 19 else ''}: {v:.3f}" for b, v in enumerate(h['p_wc']) if b >= 3)}.
Bands → single ages as for Den Haag (0–14 band shares; 15+ piecewise-linear between band mid-points, 95+ → 97).

| position | 71488ned Nederland (bands) | shares × NL 2019 population (0–105) |
|---|---|---|
{pos_rows}

## household_transitions.csv
Same function as `denhaag-2019`: x(a)·T(a) = x(a+1) for every sex and age 0–104 (stationary calibration), widowhood
and separation churn as gross flows, the rest as net flows along the priority list. Max |x·T − y| =
{nl['tinfo']['max_err']:.2e}; max row sum {nl['tinfo']['max_rowsum']:.4f}; {nl['trans_rows']:,} rows. The churn cap binds for
{describe_capped(nl['tinfo']['capped'])}.

{migration.provenance_text(m, 'nl')}
## care.csv
Identical to `denhaag-2019` (CPB 2022 spending by age, Zvw sex split from Vektis 2023, GP contacts from Vektis 2015
scaled to a national mean of 5.0). **wmo_client_probability is the Den Haag-scaled profile:** the sources hold no
national Wmo client count (only Den Haag, Amsterdam and Utrecht buurt tables, KWB 2019), so the probabilities
scaled to Den Haag's 38,085 clients (71 per 1,000 inhabitants) are kept. Applied to the NL 2019 population outside
institutions they give {nl['wmo_implied']:,.0f} clients ({nl['wmo_per1000']:.1f} per 1,000), a figure that carries Den Haag's level,
not a national one.

## zvw_categories.csv
Identical to `denhaag-2019` (Vektis 2015 national category mix by sex × age).

## rates.yaml
National scalars (the keys keep their `_gemeente` names): persons per household {sc['pph']:.4f} = {sc['pop']:,} persons
(37296ned) / {sc['hh']:,} private households (37975); per private household {sc['pph_private']:.4f} ({sc['priv']:,} persons in private
households, 71488ned). other_households_per_other_member = {sc['other_hh']:,.0f} other households ({sc['multi_nokids']:,}
multi-person households without children − {sc['couples_nc_hh']:,.0f} couples without children) / {sc['other_members']:,.0f} overig lid
= {sc['ohpom']:.6f}. zvw_cost_factor = 1 (the national level). in_migrants_per_inhabitant = immigration only.
"""


def provenance_nl_pc4(f, nl):
    s = f["sfit"]
    pos = "\n".join(f"  | {POSITIONS[p]} | {f['seed_pos'][p]:,.0f} | {f['targ_pos'][p]:,.0f} | {f['pos'][p]:,} |"
                    for p in range(7))
    hc = "\n".join(f"   | {v} | {c['both']:,} | {c['2020']:,} | {c['2022']:,} | {c['none']:,} |" for v, c in f["hcnt"].items())
    pf = "\n".join(
        f"  | {POSITIONS[p]} | {v['n']:,} | {f['raw'][p]:,.0f} | {v['target']:,.0f} | {v['fitted']:,.0f} | {v['max']:,.1f} | "
        f"{v['n_over_1']:,} | {v['n_over_10']:,} |" for p, v in f["pos_fit"].items())
    filled = "\n".join(f"| {r['pc4']} | {r['from']} | {r['km']:.1f} | {r['plaats']} | {r['gemeente']} |" for r in f["filled"])
    ds = f["dw_src"]
    return f"""# Dataset `{NL_DATASET}` — provenance

All **{f['n']:,}** populated PC4 areas of the Netherlands, 1 January 2021, **{f['total']:,} inhabitants** (= the sum of
CBS 83502NED `population_total` over the PC4 table; CBS official 1 Jan 2021: 17,475,415, the gap is CBS rounding and
suppression). Generated by `data/prepare/prepare_data.py` (code in `data/prepare/national.py`); rates
`../../rates/{NL_RATES}`; method in `docs/data-preparation.md` section 5. Publisher CBS, licence CC BY 4.0 — **Bron: CBS**.

| source | table | reference |
|---|---|---|
| PC4 × 5-year age × sex | CBS 83502NED "Bevolking; leeftijd, postcode, 1 januari" (via the R package certegis) | 1 Jan 2021 |
| PC4 → plaats, gemeente, provincie, COROP | certegis lookup (gemeente names in the pre-2022 layout) | 2021/2022 |
| PC4 households and dwellings | CBS Kerncijfers per postcode, PC4 2020 v1 and 2022 v1 | 1 Jan 2020, 1 Jan 2022 |
| single-age shape, household positions | via `rates/{NL_RATES}` (CBS NL 2019) | 1 Jan 2019 |

## Areas
The PC4 table has {f['n_lookup']:,} PC4; {len(f['no_data'])} have no data ({', '.join(str(c) for c in f['no_data'])}) and {len(f['zero'])}
have population 0 ({', '.join(str(c) for c in f['zero'])}); both are left out, which leaves **{f['n']:,} areas**, every one with
persons. PC4 totals are the sums of the age table (the lookup's `inwoners` differ from them by up to
{f['lk_maxdiff']:.0f} in {f['lk_ndiff']:,} PC4, with the same national sum). `area` = the 4-digit PC4 as text. {f['plaatsen']:,} plaatsen, {f['gemeenten']:,} gemeenten (certegis names; pre-2022 layout),
12 provincies, 40 COROP regions (`nuts3`).

**Labels filled (modelled):** {len(f['filled'])} populated PC4 have no plaats/gemeente in the lookup; they take those of the
nearest PC4 centroid (CBS PC4 2020 polygons, RD coordinates) in the same provincie:

| PC4 | nearest PC4 | distance (km) | plaats | gemeente |
|---|---|---|---|---|
{filled}

**dwellings:** CBS `WONING` of 1 Jan 2022 for **{ds['2022']:,}** PC4, else that of 1 Jan 2020 for **{ds['2020']:,}** PC4, else
persons / national persons per dwelling ({f['ppd']:.4f} = CBS 2022 `INWONER` / `WONING` over the PC4 that publish both;
rounded) for **{ds['model']:,}** PC4 (**modelled**). -99997 (suppressed) counts as missing. Total {f['dw_total']:,} dwellings.
The stock of 1 Jan 2022 stands in for 1 Jan 2021 (about 1% more dwellings). No `addresses` or `wmo_client_factor`
column (no PC4 source; the engine uses its defaults).

## Method of population.csv (all **modelled**; PC4 × 5-year band totals are CBS exactly)
1. **Sex × band.** CBS rounds total, men and women separately to 5: men + women ≠ total in {s['mf_ne_t']:,} of the PC4 × band
   cells. Seed = (men, women) ({s['n_empty_cells']:,} cells with men = women = 0 but a total: national sex share of the band);
   IPF to the band totals and to the PC4 sex totals (men and women summed, rescaled to the PC4 total), ending on the
   band step ({s['iter']} iterations; in {s['n_sex_off']} PC4 the sex totals cannot be met together with the band totals and
   stay up to {s['sex_dev']:.1f} persons off); men rounded per PC4 to floor/ceil so that the male total is the rounded fitted
   one, women = total − men. Result: every PC4 × band total = CBS; men differ from the CBS men by at most {s['dev_m']}, women
   by at most {s['dev_f']} per cell. Men in total {s['men']:,} (CBS men summed {s['men_cbs']:,}, women summed {s['women_cbs']:,}).
2. **Single ages.** Each PC4 × sex × band count is split with the national single-age shape within the band: the NL
   1 Jan 2019 single-age population (ages 100–105 by mortality-implied survivorship, see the rate set), aged to 1 Jan
   2021 by survival only (each cohort two years older with q; births held at the 2019 age-0 count), so that the
   within-band shape follows the cohorts (e.g. the 1946–47 birth peak sits at 73–74 in 2021). The 95+ band is split
   over 95–105.
3. **Positions.** Seed = the single-age table × `household_positions.csv` of `{NL_RATES}`. Light IPF per PC4 to household
   margins from the CBS PC4 key figures, the mean of 2020 and 2022 where both are published (else the one that is):

   | position | margin |
   |---|---|
   | living_alone | TOTHH_EENP (one-person households) |
   | partner_no_children | 2 × TOTHH_MPZK × {nl['hinfo']['couple_share_nokids']:.4f} (national share of couples among multi-person households without children, 37975/71488ned) |
   | partner_with_children | 2 × HH_TWEEOUD |
   | single_parent | HH_EENOUD |
   | child_at_home, other_member, institution | the seed's totals |

   Suppressed margins (-99997) are skipped (that position keeps its seed total). As for the Den Haag buurten the
   seven targets are rescaled to the PC4 total. The IPF stops after {f['pit']} iterations (at most {POS_IPF_MAX_ITER}) and ends on
   the (sex, age) step, so the age–sex table stays exact and the position margins are met approximately.

   | variable | 2020 and 2022 | 2020 only | 2022 only | none |
   |---|---|---|---|---|
{hc}

4. **Integerisation.** Per sex and 5-year band, controlled rounding of PC4 × (age, position): every count is the floor
   or the ceiling of its fitted value; the rows are the integer PC4 × sex × band counts of step 1 (exact) and the
   columns the national (sex, age, position) totals, rounded by largest remainder (first the single ages within the
   band's national total, then the positions within each age). Cells in exponential-race order (seeded per sex and
   band), as for the Den Haag PC6. Fallback cells used: {f['fallback']}.

## Fit
- **Totals:** {f['total']:,} persons (= CBS PC4 sum {f['cbs_total']:,}); every PC4 total and every PC4 × 5-year band total equals
  CBS 83502NED; national (sex, age) totals within {f['sa_dev']:.2f} of the fitted real values.
- **Position margins after the light IPF** (PC4 where the margin is published; deviation of the fitted real table from
  the rescaled target, persons):

  | position | PC4 with margin | Σ household-derived margin | Σ target (rescaled) | Σ fitted | max deviation | PC4 > 1 | PC4 > 10 |
  |---|---|---|---|---|---|---|---|
{pf}

- **Persons by position** (national):

  | position | seed (national shares) | targets | integer result |
  |---|---|---|---|
{pos}

- **Implied households** (alone + partners/2 + single parents + other_member × {f['ohpom']:.4f}): **{f['hh_impl']:,.0f}**
  against {f['hh_cbs']:,.0f} CBS households (AANTAL_HH, 2020/2022 mean, {f['hh_n']:,} PC4). Over the {f['hh_rel_n']:,} PC4 with at least 50
  households: {f['hh_impl_okh']:,.0f} implied vs {f['hh_cbs_okh']:,.0f}; median absolute difference {f['hh_rel_med']:.1%}, 90th percentile {f['hh_rel_p90']:.1%}.
- population.csv: {f['n_rows']:,} rows (all-zero rows omitted), sorted by area, sex (male first), age.

## Assumptions
National single-age shape within every PC4 band (aged from 2019 to 2021); national position shares as the seed;
household margins interpolated to 2021 as the mean of 2020 and 2022; 2 × multi-person households without children ×
the national couple share as partners without children; rates of 2019 (and migration of 2015) applied from 2021;
dwelling stock of 2022 for 2021.

Limitation: no PC4 source locates institutions (care homes, student or asylum housing), so institution residents
follow the national age-specific shares in every PC4 (at most {f['inst_max_share']:.1%} of a PC4); PC4 with a care home hold
too few of them and their neighbours slightly too many.
"""


# ----------------------------------------------------------------------------------------------
# Self-check (re-reads the written files)
# ----------------------------------------------------------------------------------------------
def self_check_nl(out, nl, f):
    rd = os.path.join(out, "rates", NL_RATES)
    dh = os.path.join(out, "rates", "denhaag-2019")
    assert sorted(os.listdir(rd)) == sorted(RATE_FILES) == sorted(os.listdir(dh)), "nl-2019 file list"
    for fn in RATE_FILES:
        if fn.endswith(".csv"):
            a = pd.read_csv(os.path.join(rd, fn), nrows=0).columns.tolist()
            b = pd.read_csv(os.path.join(dh, fn), nrows=0).columns.tolist()
            assert a == b, f"{fn}: columns differ from denhaag-2019"

    def yaml_keys(path):
        return [ln.split(":")[0] for ln in open(path, encoding="utf-8") if ln.strip() and not ln.startswith("#")]

    assert yaml_keys(os.path.join(rd, "rates.yaml")) == yaml_keys(os.path.join(dh, "rates.yaml")), "rates.yaml keys"
    for fn in ("mortality.csv", "care.csv", "zvw_categories.csv"):
        with open(os.path.join(rd, fn), "rb") as x, open(os.path.join(dh, fn), "rb") as y:
            assert x.read() == y.read(), f"{fn} should be identical to denhaag-2019"
    check_rate_set(rd)                      # shares, x.T = y, rate bounds, profiles, Zvw categories
    ry = {ln.split(":")[0]: float(ln.split("#")[0].split(":")[1]) for ln in open(os.path.join(rd, "rates.yaml"), encoding="utf-8")
          if ln.strip() and not ln.startswith("#")}
    assert ry["zvw_cost_factor"] == 1.0
    assert abs(ry["immigrants_per_inhabitant"] / nl["minfo"]["rates"]["immigration"] - 1) < 1e-7
    fert = pd.read_csv(os.path.join(rd, "fertility.csv"))
    assert np.abs(fert.asfr.to_numpy() - nl["asfr"]).max() < 1e-7, "fertility != national ASFR 2019"
    # shares x NL population reproduce the 71488ned positions (interpolation error only)
    hp = pd.read_csv(os.path.join(rd, "household_positions.csv"))
    sh = np.stack([hp[hp.sex == sx][POSITIONS].to_numpy() for sx in SEXES])
    implied = (sh * nl["pop_full"][:, :, None]).sum((0, 1))
    target = nl["band_counts"].sum((0, 1))
    assert (np.abs(implied / target - 1) < 0.02).all(), f"positions: {implied} vs {target}"
    # migration: emigrants reproduced
    mig = pd.read_csv(os.path.join(rd, "migration.csv"))
    emi = (mig.emigration_probability.to_numpy().reshape(2, -1) * nl["pop_full"]).sum()
    assert abs(emi / (nl["minfo"]["rates"]["emigration"] * nl["pop_full"].sum()) - 1) < 1e-6, "emigration total"
    # ---- dataset
    dd = os.path.join(out, "datasets", NL_DATASET)
    ar = pd.read_csv(os.path.join(dd, "areas.csv"), dtype={"area": str})
    assert list(ar.columns) == ["area", "plaats", "gemeente", "provincie", "nuts3", "dwellings"]
    assert ar.area.is_unique and ar.area.str.fullmatch(r"\d{4}").all() and list(ar.area) == sorted(ar.area)
    assert len(ar) == f["n"] and ar[["plaats", "gemeente", "provincie", "nuts3"]].notna().all().all()
    assert (ar.dwellings >= 0).all()
    pop = pd.read_csv(os.path.join(dd, "population.csv"), dtype={"area": str})
    assert list(pop.columns) == ["area", "sex", "age"] + POSITIONS
    v = pop[POSITIONS].to_numpy()
    assert (v >= 0).all() and (v.sum(1) > 0).all(), "negative count or all-zero row"
    assert int(v.sum()) == f["cbs_total"], "national total != CBS PC4 sum"
    assert set(pop.area) == set(ar.area), "every area has persons and every population area is in areas.csv"
    per_area = pop.groupby("area")[POSITIONS].sum().sum(1).reindex(ar.area).to_numpy()
    assert (per_area == f["T"].sum(1)).all(), "PC4 total != CBS"
    pop["band"] = BAND5_OF_AGE[pop.age.to_numpy()]
    pb = pop.assign(n=v.sum(1)).groupby(["area", "band"]).n.sum().unstack(fill_value=0)
    pb = pb.reindex(index=ar.area, columns=range(20), fill_value=0).to_numpy()
    assert (pb == f["T"]).all(), "PC4 x band total != CBS"
    sa = pop.assign(n=v.sum(1)).groupby(["sex", "age"]).n.sum()
    for s, sex in enumerate(SEXES):
        for a in AGES:
            assert int(sa.get((sex, a), 0)) == f["sa_targets"][s, a], f"national (sex, age) total {sex} {a}"
    meta = {ln.split(":")[0]: ln.split(":", 1)[1].strip() for ln in open(os.path.join(dd, "dataset.yaml"), encoding="utf-8")
            if ln and not ln.startswith(" ") and ":" in ln}
    assert meta["population_total"] == str(f["cbs_total"]) and meta["areas"] == str(f["n"])
    assert meta["base_year"] == "2021" and meta["area_level"] == "pc4" and meta["rates"] == f"../../rates/{NL_RATES}"
    size = sum(os.path.getsize(os.path.join(dd, x)) for x in os.listdir(dd))
    assert size < MAX_DATASET_BYTES, f"{NL_DATASET} is {size / 2**20:.1f} MB"
    return size


# ----------------------------------------------------------------------------------------------
def gemeente_population(dd, areas):
    """The dataset's base population (1 January 2021) per gemeente by sex x single age, [2, N_AGES]."""
    p = pd.read_csv(os.path.join(dd, "population.csv"), dtype={"area": str})
    p["persons"] = p[POSITIONS].sum(1)
    p["gemeente"] = p.area.map(areas.set_index("area").gemeente)
    out = {}
    for g, part in p.groupby("gemeente"):
        a = np.zeros((2, N_AGES))
        by = part.groupby(["sex", "age"]).persons.sum()
        for (sex, age), v in by.items():
            a[SEXES.index(sex), int(age)] += v
        out[g] = a
    return out


def run(shared, out, q, mort, asfr_base, care, zcat, nl_pop, nl71488):
    """Build, write and check both national outputs; returns (figures, nrows, report lines)."""
    nl = build_nl_rates(shared, out, q, mort, asfr_base, care, zcat, nl_pop, nl71488)
    dd, f, nrows = build_nl_pc4(shared, out, nl)
    # Migration per gemeente needs the dataset's gemeente names; rates.yaml needs migration's totals.
    # The national balance of moves between gemeenten is made on the dataset's own base population.
    areas = pd.read_csv(os.path.join(dd, "areas.csv"), dtype={"area": str})
    persons = pd.read_csv(os.path.join(dd, "population.csv"), dtype={"area": str})
    persons = persons.set_index("area")[POSITIONS].sum(1).groupby(level=0).sum()
    base = areas.assign(persons=areas.area.map(persons).fillna(0)).groupby("gemeente").persons.sum()
    nl["minfo"] = m = migration.build(shared, nl["rd"], nl["pop_full"].astype(float), nl["pop_full"].astype(float),
                                      read_qx(shared), "nl", base.to_dict(), gemeente_population(dd, areas))
    nl["nrows"].update(m["nrows"])
    nl["sc"].update({"imm_rate": m["rates"]["immigration"], "mi_rate": m["rates"]["moves_in"], "out_rate": m["out_rate"]})
    nl["nrows"]["rates.yaml"] = write_nl_rates_yaml(os.path.join(nl["rd"], "rates.yaml"), nl["sc"])
    check_rate_set(nl["rd"])
    write_text(os.path.join(nl["rd"], "PROVENANCE.md"), provenance_nl_rates(nl) + care_services.PROVENANCE)
    write_nl_dataset_yaml(os.path.join(dd, "dataset.yaml"), f)
    write_text(os.path.join(dd, "PROVENANCE.md"), provenance_nl_pc4(f, nl))
    size = self_check_nl(out, nl, f)
    h, m = nl["hinfo"], nl["minfo"]
    rows = {f"nl-2019/{k}": v for k, v in nl["nrows"].items()}
    rows.update(nrows)
    lines = [
        f"  NL rates: TFR {nl['tfr']:.4f}; institution residents {h['inst_total']:,.0f}; partners with children "
        f"{h['target_pwc']:,.0f} (logit shift {h['logit_shift']:+.4f}); other households per other member {nl['sc']['ohpom']:.6f}",
        "  NL rates: migration per inhabitant (NL01, 2017-2019): " + ", ".join(f"{k} {v:.6f}" for k, v in m["rates"].items())
        + f"; {m['matched']} gemeenten matched, moves in scaled x{m['in_scale']:.6f} for national balance; transitions max "
        f"|x.T-y| {nl['tinfo']['max_err']:.2e}, max row sum {nl['tinfo']['max_rowsum']:.4f}; Wmo implied (Den Haag scaling) "
        f"{nl['wmo_implied']:,.0f}",
        f"  NL PC4: {f['n']} areas ({len(f['no_data'])} without data, {len(f['zero'])} with 0 persons left out); persons {f['total']:,} "
        f"(CBS {f['cbs_total']:,}); {len(f['filled'])} labels filled from the nearest PC4",
        f"  NL PC4: dwellings 2022 {f['dw_src']['2022']}, 2020 {f['dw_src']['2020']}, modelled {f['dw_src']['model']} "
        f"(persons per dwelling {f['ppd']:.4f})",
        f"  NL PC4: sex split {f['sfit']['iter']} iterations, max |men - CBS| {f['sfit']['dev_m']}; position IPF {f['pit']} "
        f"iterations, max margin deviation {f['pdev'].max():.1f}; fallback cells {f['fallback']}",
        "  NL PC4 persons by position: " + ", ".join(f"{POSITIONS[p]} {f['pos'][p]:,}" for p in range(7)),
        f"  NL PC4 households implied {f['hh_impl']:,.0f} vs CBS {f['hh_cbs']:,.0f}; median |diff| {f['hh_rel_med']:.1%}; "
        f"folder {size / 2**20:.1f} MB",
    ]
    return nl, f, rows, lines
