"""Derivation of a rate set, shared by both rate sets (Den Haag, written by denhaag.py; the Netherlands,
written by national.py): mortality, fertility, household positions and transitions between them,
migration, care use and costs, the split of Zvw spending over care categories; the writers of the
rate-set CSV files and the check that re-reads them.

Method: docs/data-preparation.md, sections 1 and 4. Imports only common.py and care_services.py.
"""
import os

import numpy as np
import pandas as pd

import care_services
import migration
from common import (AGES, AL, CH, EVENTS, INST, MAX_AGE, N_AGES, OM, PNC, POSITIONS, PWC, SEXES, SP, band_lower,
                    expit, fmt8, fmt12, logit, round_shares, write_csv)


# ----------------------------------------------------------------------------------------------
# Derivations (Den Haag and national rate sets alike)
# ----------------------------------------------------------------------------------------------
MORTALITY_YEARS = (2017, 2018, 2019)          # the level: mean of these years' q
MORTALITY_LEVEL_YEAR = 2018                    # centre of MORTALITY_YEARS
IMPROVEMENT_YEARS = tuple(range(2011, 2020))   # the trend: every year of CBS 37360ned in ../shared
IMPROVEMENT_BAND = 10                          # [years of age] width of the bands of the trend fit


def improvement_fit(values, years):
    """Annual rate of decline r of a positive series by a log-linear least-squares fit
    ln v(t) = c + b t, r = 1 - exp(b); with the standard error of b (as a rate, per year)."""
    t = np.asarray(years, dtype=float)
    v = np.log(np.asarray(values, dtype=float))
    b, c = np.polyfit(t, v, 1)
    res = v - (c + b * t)
    se = float(np.sqrt((res ** 2).sum() / (len(t) - 2) / ((t - t.mean()) ** 2).sum()))
    return 1.0 - float(np.exp(b)), se


def extend_q31(q99):
    """CBS q by age on 31 December 0..99 -> 0..106 (N_AGES + 1 values: 1-Jan age 105, the open
    class, needs q31(106)): ages 100+ from a Kannisto-type fit, least squares of logit q on age
    over 85-99, capped at 0.7 (modelled). Returns (q31, (a, b) of logit q = a + b x)."""
    q31 = np.zeros(N_AGES + 1)
    q31[:100] = q99
    x = np.arange(85, 100)
    b, a = np.polyfit(x, logit(q31[85:100]), 1)
    q31[100:] = np.minimum(expit(a + b * np.arange(100, N_AGES + 1)), 0.7)
    return q31, (a, b)


def expected_deaths(q31, pop, births, shift=True):
    """Deaths in a year of a population of one sex by age on 1 January (pop[a], a = 0..len-1) and
    that year's live births of the sex, under CBS q by age on 31 December (q31 = extend_q31(...)).
    shift=True is the right convention: q31(a+1) for age a on 1 January, q31(0) for the newborns.
    shift=False is the engine's former reading (q31(a) for age a, half of q31(0) for newborns),
    kept to show what the shift changes."""
    pop = np.asarray(pop, dtype=float)
    a = np.arange(len(pop))
    if shift:
        return float((pop * q31[a + 1]).sum() + births * q31[0])
    return float((pop * q31[a]).sum() + births * 0.5 * q31[0])


def expected_births(asfr_by_age, women):
    """Births in a year to the women by age on 1 January (women[a]) under ASFR by age of the
    mother at birth (asfr_by_age: {age: births per woman}), applied to the 1-Jan age as is."""
    return float(sum(women[a] * v for a, v in asfr_by_age.items() if a < len(women)))


def derive_mortality_factor(qx, gm_pop, dyn, code, year):
    """A gemeente's mortality level relative to the national q: its recorded deaths of `year`
    (CBS 37259eng) over the deaths the national CBS 37360ned q of that same year give its population
    of 1 January (03759ned, [2, N_AGES]) and its births (37259eng, by sex)."""
    expected = 0.0
    for s, sex in enumerate(SEXES):
        q31, _ = extend_q31(qx[qx.year == year].sort_values("age")[sex].to_numpy())
        births = float(dyn[(dyn.region == code) & (dyn.year == year) & (dyn.sex == sex)].births.iloc[0])
        expected += expected_deaths(q31, gm_pop[s], births)
    recorded = float(dyn[(dyn.region == code) & (dyn.year == year) & (dyn.sex == "total")].deaths.iloc[0])
    return {"factor": recorded / expected, "recorded": recorded, "expected": expected, "year": year}


def derive_mortality(qx, nl_pop, reference_year):
    """Death probabilities on the engine's convention, with their improvement trend.

    CBS 37360ned gives q by age on 31 December ("Leeftijd (op 31 december)"): q31(x) is the
    probability that a person who reaches age x in the calendar year dies in it, i.e. a person
    aged x-1 on 1 January; q31(0) that a baby born in the year dies in that same year. The engine
    applies death_probability[a] to persons aged a on 1 January, so it holds q31(a+1), and newborns
    in their year of birth take q31(0).

    Level: mean of CBS q 2017-2019 (3 years smooth out the noise at high ages), centred on 2018.
    CBS stops at 31-Dec age 99: ages 100..106 from a Kannisto-type (logit-linear) fit to 31-Dec
    ages 85-99, capped at 0.7 (modelled); 1-Jan age 105 is the open class and takes q31(106).
    Trend: per sex and 10-year band of age on 1 January (0-9 .. 80-89, 90+ = 90..105), a
    log-linear fit of the band's q over 2011-2019, the band's q being the mean of q31(a+1) weighted
    by the NL 1 Jan 2019 population (fixed weights, so the band's own ageing does not count as a
    trend); the newborns' q31(0) has its own fit. A fitted rise (r < 0, only where it is within about
    two standard errors of 0) is not projected: r is floored at 0. The level is moved from 2018 to the
    reference year with r, so death_probability is the reference year's q.
    Returns (q [2, N_AGES] by age on 1 January, newborn [2], improvement [2, N_AGES], newborn
    improvement [2], info)."""
    years = sorted(qx.year.unique())
    assert list(years) == list(IMPROVEMENT_YEARS), f"CBS 37360ned years {years}"
    d = qx[qx.year.isin(MORTALITY_YEARS)].groupby("age")[["male", "female"]].mean()
    assert list(d.index) == list(range(100))
    q31 = np.zeros((2, N_AGES + 1))                              # by age on 31 December, 0..106
    fit = {}
    for s, sex in enumerate(SEXES):
        q31[s], fit[sex] = extend_q31(d[sex].to_numpy())
    n_bands = 90 // IMPROVEMENT_BAND + 1                         # 0-9 .. 80-89, 90+
    band_of_age = np.minimum(AGES // IMPROVEMENT_BAND, n_bands - 1)
    improvement = np.zeros((2, N_AGES))
    newborn_improvement = np.zeros(2)
    bands = []
    for s, sex in enumerate(SEXES):
        by_year = np.stack([qx[qx.year == y].sort_values("age")[sex].to_numpy() for y in IMPROVEMENT_YEARS])
        for b in range(n_bands):
            ages = np.arange(b * IMPROVEMENT_BAND, min((b + 1) * IMPROVEMENT_BAND, 99))  # q31(a+1) <= 99
            w = nl_pop[s, ages].astype(float)
            series = (by_year[:, ages + 1] * w).sum(1) / w.sum()
            r, se = improvement_fit(series, IMPROVEMENT_YEARS)
            improvement[s, band_of_age == b] = max(r, 0.0)
            bands.append({"sex": sex, "band": b, "fit": r, "se": se, "used": max(r, 0.0)})
        r, se = improvement_fit(by_year[:, 0], IMPROVEMENT_YEARS)
        newborn_improvement[s] = max(r, 0.0)
        bands.append({"sex": sex, "band": "newborn", "fit": r, "se": se, "used": max(r, 0.0)})
    roll = reference_year - MORTALITY_LEVEL_YEAR
    q = q31[:, 1:] * (1.0 - improvement) ** roll
    newborn = q31[:, 0] * (1.0 - newborn_improvement) ** roll
    info = {"fit": fit, "q31": q31, "bands": bands, "n_bands": n_bands, "roll": roll}
    return q, newborn, improvement, newborn_improvement, info


FERTILITY_LONG_RUN_WINDOW = (1975, 2019)   # years of CBS TFR history averaged for the long-run level
FERTILITY_YEARS_TO_LONG_RUN = 20           # [years] linear path from the reference level


def derive_fertility_path(tfr_history, reference_year):
    """Baseline fertility path: the national TFR moves linearly from its reference-year level to the
    long-run level (mean CBS TFR over FERTILITY_LONG_RUN_WINDOW: the years since the fall from 3.17 to
    1.66 in 1964-1975 ended, in which the TFR moved between 1.47 and 1.80 without a trend) over
    FERTILITY_YEARS_TO_LONG_RUN years, then holds. The engine scales every ASFR by
    TFR(year) / TFR(reference year), so a rate set with its own level (Den Haag) follows the same
    relative path."""
    lo, hi = FERTILITY_LONG_RUN_WINDOW
    window = [tfr_history[y] for y in range(lo, hi + 1)]
    return {"reference": tfr_history[reference_year], "long_run": float(np.mean(window)),
            "years": FERTILITY_YEARS_TO_LONG_RUN, "window": FERTILITY_LONG_RUN_WINDOW,
            "min": min(window), "max": max(window),
            "last_decade": [tfr_history[y] for y in range(reference_year - 9, reference_year + 1)]}


def demography_yaml_lines(newborn, newborn_improvement, mortality_factor_text, fert_path):
    """The rate-set scalars of mortality and fertility (rates.yaml), the same keys in every rate set."""
    lo, hi = fert_path["window"]
    return [
        f"newborn_death_probability_male: {fmt8(newborn[0])}  # probability that a boy born in the year dies in that year; CBS 37360ned q at age 0 (on 31 December), mean 2017-2019 moved to the reference year with newborn_improvement_male",
        f"newborn_death_probability_female: {fmt8(newborn[1])}  # the same for girls",
        f"newborn_improvement_male: {fmt8(newborn_improvement[0])}  # annual rate of decline of newborn_death_probability_male from the reference year; log-linear fit to CBS 37360ned q(0) 2011-2019 (floored at 0)",
        f"newborn_improvement_female: {fmt8(newborn_improvement[1])}  # the same for girls",
        f"mortality_factor: {mortality_factor_text}",
        f"fertility_tfr_reference: {fert_path['reference']}  # children per woman; CBS total fertility rate of the Netherlands in the reference year (nl_total_fertility_rate_1950_2019.csv)",
        f"fertility_tfr_long_run: {fmt8(fert_path['long_run'])}  # children per woman; baseline long-run level: mean CBS TFR of the Netherlands {lo}-{hi} (range {fert_path['min']}-{fert_path['max']}, no trend since the fall of 1964-1975 ended). The engine scales fertility.csv by TFR(year) / fertility_tfr_reference",
        f"fertility_years_to_long_run: {fert_path['years']}  # years; the TFR moves linearly from fertility_tfr_reference (reference year) to fertility_tfr_long_run, then holds (assumption)",
    ]


def mortality_provenance(mort, gm_text):
    """The PROVENANCE.md section on mortality.csv and the mortality and fertility keys of rates.yaml
    (both rate sets). gm_text: the paragraph on the rate set's mortality_factor."""
    fit, q31 = mort["fit"], mort["q31"]
    rows = []
    for sex in SEXES:
        cells = []
        for b in [x for x in mort["bands"] if x["sex"] == sex]:
            used = f"{100 * b['used']:.2f}%" if b["used"] == b["fit"] else f"0 (fit {100 * b['fit']:.2f}%)"
            cells.append(f"{used} ± {100 * b['se']:.2f}")
        rows.append(f"| {sex} | " + " | ".join(cells) + " |")
    bands = [f"{10 * b}–{10 * b + 9}" for b in range(mort["n_bands"] - 1)] + ["90+", "newborns"]
    fp = mort["fert_path"]
    return f"""## mortality.csv
`age,male,female,improvement_male,improvement_female`. `age` is the age **on 1 January**; `male`, `female`
= the probability of dying within the reference year (2019); `improvement_*` = its annual rate of decline
from the reference year on (the engine: q × (1 − r)^(year − 2019)).
CBS 37360ned gives q by age **on 31 December** ("Leeftijd (op 31 december)"): q31(x) is the probability that
a person who reaches age x in the year dies in it, i.e. one aged x − 1 on 1 January; so the file holds
q31(age + 1). q31(0) (a baby born in the year dies in it) is `newborn_death_probability_*` in rates.yaml.
Level: mean of CBS 37360ned 2017, 2018, 2019 (centred on 2018), × (1 − r) to move it to 2019. Extension to
31-Dec ages 100–106 (**modelled**): least squares of logit q31(x) on x for x = 85..99: men logit q =
{fit['male'][0]:.4f} + {fit['male'][1]:.5f}·x, women {fit['female'][0]:.4f} + {fit['female'][1]:.5f}·x, capped at 0.7; 1-Jan age
105 (open class) takes q31(106). q31(99) data: men {q31[0, 99]:.4f}, women {q31[1, 99]:.4f}; q31(100) fit: men
{q31[0, 100]:.4f}, women {q31[1, 100]:.4f}; q31(106): men {q31[0, 106]:.4f}, women {q31[1, 106]:.4f}.

Improvement r (per year, ± standard error of the fit): log-linear least squares of the band's q on the
year, CBS 37360ned 2011–2019, per sex and 10-year band of age on 1 January; the band's q = mean of
q31(a + 1) weighted by the NL population of 1 Jan 2019 (fixed weights); newborns: q31(0) itself. A fitted
rise is not projected (r floored at 0).

| sex | {' | '.join(bands)} |
|---|{'---|' * len(bands)}
{chr(10).join(rows)}

Check (`data/prepare/check_demography.py`): the NL population of 1 January by single age × that year's CBS
q on this convention gives the recorded deaths (CBS 37259eng) of 2012–2019 within 0.2%; read as q of the
age on 1 January it misses 10–11%.

## rates.yaml: mortality and fertility
- `newborn_death_probability_*`: q31(0), mean 2017–2019 moved to 2019 with `newborn_improvement_*`.
- `mortality_factor` (× the national q, every age and year): {gm_text}
- `fertility_tfr_reference` {fp['reference']} (CBS TFR NL 2019), `fertility_tfr_long_run` {fp['long_run']:.4f} (mean CBS TFR
  NL {fp['window'][0]}–{fp['window'][1]}, range {fp['min']}–{fp['max']}; **assumption** that the TFR returns to it),
  `fertility_years_to_long_run` {fp['years']} (**assumption**): the engine scales fertility.csv by TFR(year) /
  fertility_tfr_reference, the TFR moving linearly from the reference level to the long-run level, then holding.
  Source: CBS `nl_total_fertility_rate_1950_2019.csv`; reasoning in docs/model.md "Fertility".
"""


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


def partner_age_gap(band_counts):
    """Mean age gap of partners [years, the man older]: the mean age of men in a partner position
    minus that of women (CBS 71488ned samenwonend by sex x 5-year band, band mid-points, 95+ at 97).
    Every couple has one man and one woman (same-sex couples, about 1% of partners, are left in),
    so the difference of the means is the mean difference within couples. The one gap of the
    engine: the widowhood rates here, the cohort core's widowhood (household_positions) and the
    agent core's pairing of partners (engine/core/kinship.cpp) all read it from rates.yaml."""
    mids = np.arange(20) * 5 + 2.5
    mids[19] = 97.0
    partners = band_counts[..., PNC] + band_counts[..., PWC]
    mean_age = (partners * mids[None, :]).sum(1) / partners.sum(1)
    return round(float(mean_age[0] - mean_age[1]), 2)  # as rates.yaml holds it


def living_alone_trend(shared, nl71488):
    """The trend to living alone beyond ageing [relative change per year of the share living alone
    at each sex and age]: CBS 37975's one-person households of the Netherlands on 1 January
    2011-2019 (total minus multi-person households with and without children) over the persons
    living alone that 71488ned's shares of 2019 (by sex x 5-year band) give the population of that
    year (cbs_nl_population_single_age_1950_2019; ages 95-99 for the band 95+); the log-linear
    slope of that ratio. Returns (trend, {year: (observed, at 2019 shares)})."""
    hh = pd.read_csv(os.path.join(shared, "cbs_nl_demography_statline",
                                  "nl_private_households_by_composition_2011_2020.csv"), sep=";")
    hh = hh.set_index(hh.columns[0])
    pops = [pd.read_csv(os.path.join(shared, "cbs_nl_population_single_age_1950_2019",
                                     f"nl_population_{sex}_by_single_age_1950_2019.csv"),
                        encoding="utf-8-sig").set_index("Age") for sex in SEXES]
    band = np.minimum(pops[0].index.to_numpy() // 5, 19)
    alone_share_2019 = np.stack([nl71488["alone"][s] / np.bincount(band, weights=pops[s]["2019"].to_numpy(float),
                                                                   minlength=20) for s in range(2)])
    years = list(range(2011, 2020))
    series = {}
    for y in years:
        one_person = int(hh.loc["Totaal particuliere huishoudens", str(y)]) \
            - int(hh.loc["Meerpersoonshuishoudens zonder kinderen", str(y)]) \
            - int(hh.loc["Meerpersoonshuishoudens met kinderen", str(y)])
        at_2019 = sum((alone_share_2019[s] * np.bincount(band, weights=pops[s][str(y)].to_numpy(float),
                                                         minlength=20)).sum() for s in range(2))
        series[y] = (one_person, at_2019)
    slope = np.polyfit(years, [np.log(o / e) for o, e in series.values()], 1)[0]
    return round(float(slope), 5), series


def partner_death_probability(q, sex, age):
    """q of the partner (the other sex) of a person of `sex` aged `age`, the partner `age` +/- the
    gap years old: linear between the whole ages around it (the gap is not a whole number)."""
    lo = int(np.floor(age))
    f = age - lo
    at = lambda a: q[sex, min(max(a, 0), MAX_AGE)]
    return (1.0 - f) * at(lo) + f * at(lo + 1)


def derive_household_transitions(shares, q, gap):
    """Annual transition rates between positions, calibrated so that for each sex and age a
    x(a).T(a) = x(a+1) (cross-sectional profile reproduced by a stationary population).
    `gap`: the partners' mean age gap [years, the man older] (partner_age_gap).
    Returns dict (s, a, from, to, event) -> rate, plus diagnostics."""
    rates = {}
    capped = []
    max_err = 0.0
    max_rowsum = 0.0
    for s in range(2):
        other = 1 - s
        partner_offset = -gap if s == 0 else gap   # a man's partner is younger, a woman's older
        for a in range(MAX_AGE):                 # 0..104; 105 stays (no rows)
            x = shares[s, a].copy()
            y = shares[s, a + 1]
            flows = {}

            def add(p, qq, ev, f):
                if f <= 0:
                    return
                flows[(p, qq, ev)] = flows.get((p, qq, ev), 0.0) + f

            # 1. widowhood: partner dies with the other sex's probability at age a +/- gap
            w = partner_death_probability(q, other, a + partner_offset)
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
# Writers for the rate set
# ----------------------------------------------------------------------------------------------
def write_rates(out_dir, mort, fert, shares, trans, care):
    """migration.csv is written by migration.py."""
    os.makedirs(out_dir, exist_ok=True)
    n = {}
    q, improvement = mort
    n["mortality.csv"] = write_csv(os.path.join(out_dir, "mortality.csv"),
                                   ["age", "male", "female", "improvement_male", "improvement_female"],
                                   [[a, fmt8(q[0, a]), fmt8(q[1, a]), fmt8(improvement[0, a]),
                                     fmt8(improvement[1, a])] for a in AGES])
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


# ----------------------------------------------------------------------------------------------
# Self-check of a written rate set
# ----------------------------------------------------------------------------------------------
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
    for fn, cols in [("mortality.csv", ["male", "female", "improvement_male", "improvement_female"]), ("fertility.csv", ["asfr"]),
                     ("care.csv", ["wmo_client_probability"])]:
        d = pd.read_csv(os.path.join(rd, fn))
        assert ((d[cols] >= 0) & (d[cols] <= 1)).all().all(), f"rate outside [0,1] in {fn}"
    migration.check(rd)
    care = pd.read_csv(os.path.join(rd, "care.csv"))
    assert (care.drop(columns=["sex"]).to_numpy() >= 0).all()
    zc = pd.read_csv(os.path.join(rd, "zvw_categories.csv"))
    assert list(zc.columns) == ["sex", "age"] + ZVW_CAT_NAMES, "zvw_categories.csv columns"
    assert list(zc.sex) == [sx for sx in SEXES for _ in AGES] and list(zc.age) == list(AGES) * 2
    assert (zc[ZVW_CAT_NAMES].to_numpy() >= 0).all(), "negative Zvw category share"
    assert np.abs(zc[ZVW_CAT_NAMES].sum(1) - 1).max() < 1e-9, "Zvw category shares do not sum to 1"
    return care


# ----------------------------------------------------------------------------------------------
# Provenance text shared by both rate sets
# ----------------------------------------------------------------------------------------------
def describe_capped(capped):
    """'male single_parent at ages 15-35' style summary of where the churn cap binds."""
    groups = {}
    for (s, a, q, inflow, cap) in capped:
        groups.setdefault((s, q), []).append(a)
    parts = [f"{SEXES[s]} {POSITIONS[q]} at ages {min(v)}–{max(v)} ({len(v)} ages)"
             for (s, q), v in sorted(groups.items())]
    return "; ".join(parts) if parts else "no age"
