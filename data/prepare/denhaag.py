"""The Den Haag outputs of the data preparation (run first by prepare_data.py):

  <out>/rates/denhaag-2019/                 rate set (mortality, fertility, household positions and
                                             transitions, migration, care, Zvw care categories, scalars)
  <out>/datasets/denhaag-zuidwest-2019/     1,816 PC6 areas of Den Haag Zuid-West (default dataset)
  <out>/datasets/denhaag-2019/              all buurten of Den Haag

with their PROVENANCE.md and dataset.yaml, and a self-check that re-reads the written files. The
national step (national.py) reuses some of the derivations made here; run() returns them.

Method: docs/data-preparation.md, sections 1 to 3. Only numpy and pandas; deterministic.
"""
import os

import numpy as np
import pandas as pd

import care_services
import migration
from common import (AGES, AL, EVENTS, GM_CODE, GM_NAME, INST, KWB_BAND_COLS, KWB_BAND_OF_AGE, N_AGES, OM, PNC,
                    POSITIONS, PWC, REF_YEAR, SEXES, SP, controlled_round, fix_dhzw_names, fmt8, implied_households,
                    ipf_rows_cols, largest_remainder, population_rows, read_70072_gm, read_71486_households,
                    read_71488, read_71488_totals, read_dhzw, read_gm_single_age, read_kwb, read_nl_single_age_2019,
                    read_qx, read_37259, read_tfr_history, read_vektis_scr, write_csv, write_dataset_yaml, write_text)
from rate_set import (ZVW_CAT_NAMES, ZVW_CATEGORIES, check_rate_set, demography_yaml_lines, derive_care,
                      derive_fertility, derive_fertility_path, derive_mortality_factor, mortality_provenance,
                      derive_household_positions, derive_household_positions_bands, derive_household_transitions,
                      living_alone_trend, partner_age_gap,
                      derive_mortality, derive_zvw_categories, describe_capped, write_rates,
                      write_zvw_categories, zvw_mix_2015_vs_2023)


# ----------------------------------------------------------------------------------------------
# Area population of the two Den Haag datasets (buurt and PC6)
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
# Writers of the Den Haag rate set's scalars
# ----------------------------------------------------------------------------------------------
def write_rates_yaml(path, sc):
    lines = [
        "# socialtwin rate set denhaag-2019: scalar parameters (generated by data/prepare/prepare_data.py)",
        f"reference_year: {REF_YEAR}  # year; population and household positions refer to 1 Jan 2019",
        f"price_year: 2022  # year; price level of all EUR amounts in care.csv (CPB 2022)",
        f"sex_ratio_at_birth_male_share: {sc['srb']}  # share of boys among live births; assumption 0.512 (CBS NL births by sex not in the source tables; NL age-0 cohort on 1 Jan 2019 gives {sc['srb_proxy']:.4f})",
        f"immigrants_per_inhabitant: {fmt8(sc['imm_rate'])}  # immigrants per inhabitant per year for an area whose gemeente has no row in migration_by_gemeente.csv (here GM0518's own); CBS 37259eng GM0518 mean of 2017-2019 DueToImmigration_10 / PopulationOn1January_1",
        f"moves_in_per_inhabitant: {fmt8(sc['mi_rate'])}  # persons moving in from other gemeenten per inhabitant per year, likewise; CBS 37259eng GM0518 mean of 2017-2019 DueToIntermunicipalMoves_11 / PopulationOn1January_1",
        f"out_migrants_per_inhabitant: {fmt8(sc['out_rate'])}  # emigrants + moves out to other gemeenten per inhabitant that migration.csv's emigration_probability + moves_out_probability give on GM0518's 2019 population (the level behind the internal moves' age profile); CBS 37259eng GM0518 2017-2019",
        f"internal_moves_per_inhabitant: {fmt8(sc['moves'])}  # moves to another dwelling inside the municipality per inhabitant per year (moves between areas: the migration model gives them the age profile of emigration + moves out); CBS 70072ned 2015 GM0518 VerhuismobiliteitRelatief_73 {sc['mobility']:.1f} per 1,000 (moves within the gemeente plus departures) minus VertrekNaarAndereGemeente_70 / TotaleBevolking_1",
        f"gp_contacts_per_fte: {fmt8(sc['gp_per_fte'])}  # GP contacts per GP FTE per year = 5.0 contacts per person / (4.3 FTE per 10,000 inhabitants); domain.md",
        f"persons_per_household_gemeente: {fmt8(sc['pph'])}  # persons per household; GM0518 1 Jan 2019: 537,833 persons (71488ned, incl. institutions) / 263,371 households (71486ned)",
        f"persons_per_private_household_gemeente: {fmt8(sc['pph_private'])}  # persons in private households (modelled: 537,833 minus modelled institution residents) / 263,371 households",
        f"other_households_per_other_member: {fmt8(sc['ohpom'])}  # 'other' households per other_member person; GM0518: 2,121 other households (71486ned: 263,371 - 125,380 - 53,679 - 57,442 - 24,749) / {sc['other_members']:.0f} modelled other_member persons",
        f"partner_age_gap: {sc['gap']:.2f}  # years; mean age gap of partners living together, the man older: mean age of men minus women in a partner position, CBS 71488ned GM0518 1 Jan 2019 samenwonend by sex x 5-year band (band mid-points); the widowhood rates, the cohort core's widowhood and the agent core's pairing of partners all use it",
        f"living_alone_trend: {sc['alone_trend']}  # per year; relative rise of the share living alone at each sex and age beyond the ageing of the population (the baseline's trend to living alone; scenario lever rates.living_alone on top): log-linear slope 2011-2019 of CBS 37975 one-person households of the Netherlands ({sc['alone_series'][2011][0]:,} in 2011, {sc['alone_series'][2019][0]:,} in 2019) over the persons living alone that the 2019 shares of CBS 71488ned Nederland by sex x 5-year band give each year's population (cbs_nl_population_single_age_1950_2019: {sc['alone_series'][2011][1]:,.0f} in 2011)",
        *sc["demography"],
        f"zvw_cost_factor: {fmt8(sc['zvw_scr'])}  # x national age-sex level (1 = Zvw cost per insured year at the NL 2023 rates for Den Haag's own age-sex mix); Vektis Zvw 2023 gemeente, standardised cost ratio scr (actual / expected cost, indirect age-sex standardisation) of row {sc['zvw_scr_name']!r} in municipality_benchmark.csv: EUR {sc['zvw_actual']:,.0f} / {sc['zvw_expected']:,.0f}, {sc['zvw_insured']:,.0f} insured years; Bron: Vektis. The engine multiplies care.csv zvw_eur (the national CPB level) by it",
        "",
    ]
    write_text(path, "\n".join(lines))
    return sum(1 for ln in lines if ln and not ln.startswith("#"))


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

Generated by `data/prepare/prepare_data.py` (code in `data/prepare/denhaag.py` and
`data/prepare/rate_set.py`) from `../shared/data` (see `docs/data-preparation.md` for the full method).
Reference: Den Haag (GM0518 's-Gravenhage), 1 January 2019; prices 2022.
Sex order in all files: male, female.

| file | publisher, table, year | licence / citation | real / modelled / synthetic |
|---|---|---|---|
| mortality.csv | CBS 37360ned "Levensverwachting; geslacht, leeftijd", qx Nederland 2011–2019 (level 2017–2019, trend 2011–2019); NL population 1 Jan 2019 (trend weights) | CC BY 4.0, Bron: CBS | 1-Jan ages 0–98 real (3-year mean of q31(age+1), moved to 2019 by the fitted trend); ages 99–105 **modelled** (logit-linear Kannisto fit to 31-Dec ages 85–99, cap 0.7); improvement rates fitted |
| fertility.csv | CBS 37201/37744ned births by age of mother NL 2019 (derived ASFR), CBS 37201 GM0518 births by 5-yr age of mother 2019, CBS 03759ned GM0518 women 1 Jan 2019 | CC BY 4.0, Bron: CBS | **modelled**: national single-age shape scaled to real municipal 5-year totals |
| household_positions.csv | CBS 71488ned GM0518 and NL 1 Jan 2019; CBS 71486ned GM0518; NL single-age population 2019 | CC BY 4.0, Bron: CBS | band totals real; partner split, other/institution split and single-age interpolation **modelled** |
| household_transitions.csv | derived from household_positions.csv and mortality.csv | CC BY 4.0, Bron: CBS | **modelled/assumption** (stationary calibration, separation churn assumed) |
| migration.csv, migration_by_gemeente.csv, migration_age_by_gemeente.csv | CBS 37259eng GM0518 and NL flows 2017–2019; CBS NL population by single age 2016–2019 and 37360ned q(x) (net international migration by age); CBS 03759ned GM0518 and NL population by age 2019 (age factors); Rogers–Castro model schedules | CC BY 4.0, Bron: CBS | totals real; net international migration by age real; emigration and mover schedules **modelled**; age factors **modelled from observed age structure** |
| care.csv | CPB "Middellangetermijnraming zorg 2027–2033" age profiles 2022; Vektis Zvw 2015 and 2023 (national); CBS KWB 84583NED 2019 | Bron: CPB; Vektis open data, non-commercial use, Bron: Vektis; CC BY 4.0, Bron: CBS | CPB spending real (sexes combined); Zvw sex split, GP contacts and Wmo probability **modelled** |
| zvw_categories.csv | Vektis Zvw 2015 national cost per insured year by sex × 5-yr class; Vektis Zvw 2023 category totals (check only) | Vektis open data, non-commercial use, Bron: Vektis | 2015 class shares real; single-age interpolation and use at the 2022 level **modelled/assumption** |
| rates.yaml | CBS 70072ned 2015, 71486ned/71488ned 2019; domain.md (GP figures); Vektis Zvw 2023 gemeente (zvw_cost_factor); CBS 37360ned q(0), 37259eng GM0518 2019 deaths (mortality_factor), CBS TFR 1950–2019 | as above | real ratios, plus the 0.512 sex ratio, 5.0 contacts/4.3 FTE and the fertility path (assumptions) |

{f['mort_text']}
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
Widowhood (q of the other sex at age + partner_age_gap for women, − partner_age_gap for men: {f['gap']:.2f} years, the mean age gap of GM0518's partners in 71488ned, see rates.yaml; q linear between whole ages) and separation churn (assumption: 0.025 at
18–34, linear to 0.015 at 50 and 0.004 at 75+, 0 below 18; with children: women 0.85 → single parent,
men 0.5) are gross flows; the remaining net change is moved greedily along the priority list of edges
(see docs). Gross churn into a position q is capped at y_q − 0.5·x_q (rates are relative to x, so persons
entering q stay in q for the year; without the cap the assumed churn would empty q, or need a row sum > 1,
where q is small). The cap binds only for {f['capped_desc']}: few single fathers in 71488ned,
so half of the separations of young fathers cannot become single fathers. Max |x·T − y| = {f['trans_err']:.2e};
max row sum = {f['trans_rowsum']:.4f}; {f['trans_rows']:,} rows. Rates of 1 occur only where a position
empties (child_at_home at the last age with any).
Age 105 has no rows (stays).

{f['migration_text']}
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
CBS KWB 2019 AantalInwoners_5 of those buurten). Generated by `data/prepare/prepare_data.py` (code in
`data/prepare/denhaag.py`); rates: `../../rates/denhaag-2019`. Publisher CBS, licence CC BY 4.0 — **Bron: CBS**.

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
Generated by `data/prepare/prepare_data.py` (code in `data/prepare/denhaag.py`); rates: `../../rates/denhaag-2019`.
Publisher CBS, licence CC BY 4.0 — **Bron: CBS**. Tables: 84583NED (KWB 2019), 03759ned (1 Jan 2019), 71486ned/71488ned via the rate set.

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
# The Den Haag step
# ----------------------------------------------------------------------------------------------
def run(shared, out):
    """Derive, write and self-check the Den Haag rate set and both Den Haag 2019 datasets.
    Returns (figures the national step reuses, nrows, report lines)."""
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
    q, newborn, improvement, newborn_improvement, mort = derive_mortality(qx, nl_pop, REF_YEAR)
    mort.update({"newborn": newborn, "improvement": improvement, "newborn_improvement": newborn_improvement,
                 "fert_path": derive_fertility_path(read_tfr_history(shared), REF_YEAR)})
    mfactor = derive_mortality_factor(qx, gm_pop, read_37259(shared), GM_CODE, REF_YEAR)
    mort["gm_factor"] = mfactor
    ages_f, asfr, fert_factor, asfr_base = derive_fertility(asfr_nl, gm_pop[1], births5)
    band_counts, hinfo = derive_household_positions_bands(gm71488, nl71488, nl_pop, tot71488)
    shares = derive_household_positions(band_counts)
    gap = partner_age_gap(band_counts)
    alone_trend, alone_series = living_alone_trend(shared, nl71488)
    trans, tinfo = derive_household_transitions(shares, q, gap)
    # Wmo clients live outside institutions (care-home residents get Wlz care), and the engine
    # applies the probability to them only: scale it on the same population.
    gm_pop_home = gm_pop * (1.0 - shares[..., INST])
    care = derive_care(cpb, vek23, vek15, nl_pop, gm_pop_home, wmo_clients)
    nrows = write_rates(rd, (q, improvement), (ages_f, asfr), shares, trans, care)
    nl_pop_full = np.zeros((2, N_AGES))
    nl_pop_full[:, :100] = nl_pop
    minfo = migration.build(shared, rd, gm_pop.astype(float), nl_pop_full, qx, "denhaag")
    nrows.update(minfo["nrows"])
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
    sc = {"srb": 0.512, "srb_proxy": nl0[0] / nl0.sum(), "imm_rate": minfo["rates"]["immigration"],
          "mi_rate": minfo["rates"]["moves_in"], "out_rate": minfo["out_rate"], "gp_per_fte": 5.0 / (4.3 / 10000.0),
          "pph": 537833 / hh["total"], "pph_private": (537833 - inst_total) / hh["total"],
          "ohpom": ohpom, "other_members": other_members, "gap": gap,
          "alone_trend": alone_trend, "alone_series": alone_series,
          "zvw_scr": float(vek_gm["scr"]), "zvw_scr_name": vek_gm["gemeentenaam"],
          "zvw_actual": float(vek_gm["actual_cost"]), "zvw_expected": float(vek_gm["expected_cost"]),
          "zvw_insured": float(vek_gm["insured_years"]),
          # Moves inside the municipality: CBS verhuismobiliteit (moves within the gemeente plus
          # departures to other gemeenten, per 1,000 inhabitants) less the departures.
          "moves": float(r70072["VerhuismobiliteitRelatief_73"]) / 1000.0
          - float(r70072["VertrekNaarAndereGemeente_70"]) / float(r70072["TotaleBevolking_1"]),
          "mobility": float(r70072["VerhuismobiliteitRelatief_73"]),
          "demography": demography_yaml_lines(
              newborn, newborn_improvement,
              f"{fmt8(mfactor['factor'])}  # x the national death probabilities (mortality.csv and the newborns'), every age and year; "
              f"CBS 37259eng GM0518 deaths {mfactor['year']} ({mfactor['recorded']:,.0f}) / the deaths the national CBS 37360ned q of {mfactor['year']} "
              f"give the GM0518 population of 1 Jan {mfactor['year']} (03759ned) and its births ({mfactor['expected']:,.1f})",
              mort["fert_path"])}
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
    rf = {"q": q, "mfit": [mort["fit"]["male"], mort["fit"]["female"]], "mort": mort,
          "mort_text": mortality_provenance(mort, (
              f"{mfactor['factor']:.4f} = CBS 37259eng GM0518 recorded deaths {mfactor['year']} ({mfactor['recorded']:,.0f}) / "
              f"the deaths that the national CBS 37360ned q of {mfactor['year']} (on this convention) give Den Haag's "
              f"population of 1 Jan {mfactor['year']} (03759ned) and its {mfactor['year']} births ({mfactor['expected']:,.1f}). "
              "Den Haag dies more than its age structure says at national rates; one year (the only one with a "
              "single-age gemeente population in the sources).")), "fert_factor": fert_factor, "tfr": asfr.sum(),
          "tfr_nl": asfr_base.sum(), "births_rep": (asfr * gm_pop[1, 15:50]).sum(), "births_cbs": int(births5.sum()),
          "logit_shift": hinfo["logit_shift"], "p_wc": hinfo["p_wc"], "nl_inst_total": hinfo["nl_inst_total"],
          "pos_cbs": pos_cbs, "pos_model": pos_model, "trans_err": tinfo["max_err"],
          "trans_rowsum": tinfo["max_rowsum"], "trans_rows": sum(1 for v in trans.values() if v > 0),
          "migration_text": migration.provenance_text(minfo, "denhaag"), "gp85": nl_mean(care["gp"], 85, 99), "gp517": nl_mean(care["gp"], 5, 17),
          "gp04": nl_mean(care["gp"], 0, 4), "gp6584": nl_mean(care["gp"], 65, 84),
          "wmo7584": gm_mean(care["wmo_p"], 75, 84), "wmo85": gm_mean(care["wmo_p"], 85, 105),
          "wmo1824": gm_mean(care["wmo_p"], 18, 24), "srb_proxy": sc["srb_proxy"], "other_members": other_members,
          "ohpom": ohpom, "gap": gap, "capped_desc": describe_capped(tinfo["capped"]),
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

    # ---- report
    lines = [
        f"  TFR {rf['tfr']:.4f}; births reproduced {rf['births_rep']:.1f} (CBS {rf['births_cbs']})",
        "  migration per inhabitant (GM0518, 2017-2019): " + ", ".join(f"{k} {v:.6f}" for k, v in minfo["rates"].items()),
        f"  GP contacts 85+ {rf['gp85']:.2f}, 5-17 {rf['gp517']:.2f}; Wmo p 75-84 {rf['wmo7584']:.4f}, 85+ {rf['wmo85']:.4f}",
        f"  transitions: max |x.T-y| {tinfo['max_err']:.2e}, max row sum {tinfo['max_rowsum']:.4f}",
        "  DHZW fit (max abs deviation after IPF; sex, age band, position):",
    ]
    for r in fitlog:
        lines.append(f"    {r['buurt']} {r['name']:28s} n={r['n']:6d} sex {r['sex_dev']:.1e} band {r['band_dev']:.1e} "
                     f"pos {r['pos_dev']:.1e} hh {r['hh_model']:8.1f} (KWB {r['households_kwb']:.0f})")
    lines += [
        f"  DHZW persons {zf['total']}; by position " + ", ".join(f"{POSITIONS[p]} {zf['pos'][p]}" for p in range(7)),
        f"  DHZW households implied {zf['hh']:.1f} vs KWB {zf['hh_kwb']:.0f}",
        f"  Den Haag persons {df['total']}; 2-D IPF col dev {dfit['ipf2d_col_dev']:.1e}; buurt sex dev "
        f"{dfit['sex_dev']:.1f}, band dev {dfit['band_dev']:.1f}; position dev {dfit['pos_dev']:.1e}",
        f"  Den Haag households implied {df['hh']:.1f} (KWB buurt sum {dfit['households_kwb']:.0f}, gemeente 263371)",
        "  Wmo client factor, calibrated to CBS KWB 2019 buurt Wmo clients (DHZW buurten):",
    ]
    zt, dt = zf["wmo_tot"], df["wmo_tot"]
    for r in z_wmo:
        lines.append(f"    {r['buurt']} {names[r['buurt']]:28s} real {wmo_real_str(r):>7s} modelled {r['modelled']:8.1f} "
                     f"factor {r['factor_str']:10s} after {r['after']:8.1f} {r['note']}")
    lines += [
        f"  DHZW Wmo clients: real {zt['real']:.0f}; modelled before {zt['before']:.1f}, after {zt['after']:.1f}",
        f"  Den Haag Wmo clients: real buurt sum {dt['real']:.0f} ({dt['n_real']} buurten), gemeente {wmo_clients:.0f}; "
        f"modelled before {dt['before']:.1f}, after {dt['after']:.1f}; factor 1: {dt['n_missing']} missing, "
        f"{dt['n_small']} small",
    ]
    for ds, r in [("denhaag-2019", r) for r in dt["clamped"]] + [("DHZW", r) for r in zt["clamped"]]:
        lines.append(f"    clamped ({ds}): {r['buurt']} real {wmo_real_str(r)} modelled {r['modelled']:.1f} -> "
                     f"{r['factor_str']} {r['note']}")
    lines += [
        f"  Zvw cost factor (Vektis 2023 SCR, {sc['zvw_scr_name']}): {fmt8(sc['zvw_scr'])}",
        "  Zvw categories, NL 2015 shares: " + ", ".join(f"{c} {v:.4f}" for c, v in zip(ZVW_CAT_NAMES, zcat["nl2015"])),
        "  Zvw mix 2015 vs 2023 (Vektis 2023 grouping): "
        + "; ".join(f"{r['cat23']} {r['s15']:.4f}/{r['s23']:.4f}" for r in zmix["rows"]),
    ]
    # The national rate set takes these derivations over from Den Haag (docs/data-preparation.md, section 4).
    for_national = {"q": q, "mort": mort, "asfr_base": asfr_base, "care": care, "zcat": zcat, "nl_pop": nl_pop,
                    "nl71488": nl71488}
    return for_national, nrows, lines
