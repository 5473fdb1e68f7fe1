"""Migration by direction and age for a rate set: immigration, emigration (administrative
corrections included, as CBS counts them), moves in from and out to other gemeenten.

Writes, per rate set:
  migration.csv               sex, age, immigration_share, emigration_probability, moves_in_share,
                              moves_out_probability (the rate set's age x sex profiles)
  migration_by_gemeente.csv   gemeente, gemeente_code, immigration, emigration, moves_in, moves_out
                              [persons per inhabitant per year] per gemeente, with source columns
  migration_age_by_gemeente.csv  gemeente, sex, age_from, age_to, moves_in_factor, moves_out_factor
                              (factors on migration.csv's moves-in share and moves-out probability)

Method (docs/model.md, "Migration"):
  * Totals per gemeente: CBS 37259eng, mean of the yearly rates (flow / population on 1 January)
    over YEARS (2017-2019: the most recent years in the table, after the 2015-2016 asylum peak).
  * Immigration and emigration by age: the national NET international migration by sex and age at
    year end is real, from the cohort-residual method over RESIDUAL_YEARS (1 January populations
    of consecutive years, CBS death probabilities q(x) by age on 31 December: a person aged a on
    1 January dies with q(a+1); births enter at age 0 having faced q(0)). Gross flows by age are
    not in ../shared: emigration gets a modelled Rogers-Castro labour-migration rate schedule
    (scaled to the recorded emigration), immigration = modelled emigrants + real net residual
    (at least 0), scaled to the recorded immigration.
  * Moves between gemeenten: a modelled Rogers-Castro mover schedule peaking in the early 20s, the
    same for the whole rate set (migration.csv), and per gemeente age factors on it
    (migration_age_by_gemeente.csv, modelled from the gemeente's observed age structure of the
    base year by the age-ratio method: students arriving, graduates and families leaving; see
    age_factors). The student component of earlier versions (CBS 71450ned, the stock of students
    read as flows, added on top of a schedule that already held young adults) overshot: Den Haag's
    15-19 came out +14% in 2021 from 2019; it is replaced by the age factors.
"""
import os

import numpy as np
import pandas as pd

from common import AGES, N_AGES, SEXES, fmt8, write_csv

YEARS = (2017, 2018, 2019)           # totals per gemeente: mean rate of these years (37259eng)
RESIDUAL_YEARS = (2016, 2017, 2018)  # net migration by age: flows of these years (1 Jan 2016..2019)
NET_MAX_AGE = 89                     # net residual above this age: noise of the open class; 0
FLOWS = ["immigration", "emigration", "moves_in", "moves_out"]
COLUMNS_37259 = {"immigration": "DueToImmigration_10",
                 "emigration": "DueToEmigrationIncludingAdministr_14",
                 "moves_in": "DueToIntermunicipalMoves_11",
                 "moves_out": "DueToIntermunicipalMoves_16"}
# The national dataset's gemeente names (pre-2022 layout) that 37259eng's 2019 layout labels
# differently, and Eemsdelta (2021), the merger of three 2019 gemeenten.
NAME_TO_2019 = {"'s-Gravenhage": ["The Hague"], "'s-Hertogenbosch": ["s-Hertogenbosch"],
                "Beek": ["Beek (L.)"], "Groningen": ["Groningen Municipality"],
                "Hengelo": ["Hengelo (O.)"], "Laren": ["Laren (NH.)"], "Middelburg": ["Middelburg (Z.)"],
                "Rijswijk": ["Rijswijk (ZH.)"], "Stein": ["Stein (L.)"], "Utrecht": ["Utrecht Municipality"],
                "Eemsdelta": ["Appingedam", "Delfzijl", "Loppersum"]}


def rogers_castro(a, mu2, lambda2=0.4, alpha2=0.1, a1=0.02, alpha1=0.1, a2=0.06, c=0.003):
    """Rogers-Castro model migration schedule (modelled): children moving with their parents, a
    labour-force peak near mu2 + 2-3 years, a constant."""
    a = np.asarray(a, dtype=float)
    return (a1 * np.exp(-alpha1 * a)
            + a2 * np.exp(-alpha2 * (a - mu2) - np.exp(-lambda2 * (a - mu2))) + c)


def emigration_schedule():
    """Modelled: labour migrants leave later than students move; peak near 27."""
    return rogers_castro(AGES, mu2=24.0, lambda2=0.3, alpha2=0.08)


def mover_schedule():
    """Modelled: moves between gemeenten peak in the early 20s (the Den Haag parameters of before)."""
    return rogers_castro(AGES, mu2=20.0)


def read_37259(shared):
    d = pd.read_csv(os.path.join(shared, "cbs_population_dynamics_37259eng_2012_2019",
                                 "population_dynamics_by_region_sex_2012_2019.csv"))
    d["Regions"] = d["Regions"].str.strip()
    d["year"] = d["Periods Label"].astype(int)
    return d


def gemeente_rates(d):
    """Per gemeente of the 2019 layout: mean over YEARS (those in which its code exists) of each
    flow / population on 1 January; the recorded 2019 flows for reporting."""
    t = d[d.Regions.str.startswith("GM") & (d.Sex == "T001038") & d.year.isin(YEARS)]
    codes19 = t[t.year == 2019][["Regions", "Regions Label", "PopulationOn1January_1"]]
    rows = []
    for code, label, pop19 in codes19.itertuples(index=False):
        g = t[t.Regions == code]
        r = {"code": code, "label": label, "pop2019": float(pop19),
             "years": "-".join(str(y) for y in (g.year.min(), g.year.max()))}
        for f, col in COLUMNS_37259.items():
            r[f] = float((g[col] / g["PopulationOn1January_1"]).mean())
            r[f + "_2019"] = float(g[g.year == 2019][col].iloc[0])
        rows.append(r)
    return pd.DataFrame(rows).set_index("code")


def national_totals(d):
    """NL01 flows per inhabitant (mean over YEARS) and the recorded 2019 flows."""
    t = d[(d.Regions == "NL01") & (d.Sex == "T001038") & d.year.isin(YEARS)]
    out = {f: float((t[c] / t["PopulationOn1January_1"]).mean()) for f, c in COLUMNS_37259.items()}
    out.update({f + "_2019": float(t[t.year == 2019][c].iloc[0]) for f, c in COLUMNS_37259.items()})
    return out


def net_international_by_age(shared, d, qx):
    """Mean yearly net international migration [persons] by sex and age at year end over
    RESIDUAL_YEARS, by the cohort-residual method; ages above NET_MAX_AGE set to 0. Returns the
    residual and, per year, recorded vs reproduced deaths (the check of the age convention)."""
    pop = {}
    for s, sex in enumerate(SEXES):
        p = pd.read_csv(os.path.join(shared, "cbs_nl_population_single_age_1950_2019",
                                     f"nl_population_{sex}_by_single_age_1950_2019.csv"), encoding="utf-8-sig")
        pop[s] = p.set_index("Age")
    births = d[(d.Regions == "NL01") & d.Sex.isin(["3000", "4000", 3000, 4000])]
    net = np.zeros((2, N_AGES))
    checks = []
    for y in RESIDUAL_YEARS:
        q = qx[qx.year == y].set_index("age")
        deaths = 0.0
        for s, sex in enumerate(SEXES):
            p0 = pop[s][str(y)].to_numpy(dtype=float)        # ages 0..99, 1 January y
            p1 = pop[s][str(y + 1)].to_numpy(dtype=float)    # 1 January y + 1
            qs = q[sex].reindex(range(100)).to_numpy(dtype=float)
            b = float(births[(births.Sex.astype(str) == ("3000" if s == 0 else "4000")) &
                             (births.year == y)]["LiveBornChildren_3"].iloc[0])
            # a on 1 January -> a + 1 at year end, dying with q(a + 1); newborns with q(0)
            surv = p0[:99] * (1 - qs[1:100])
            net[s, 1:100] += p1[1:100] - surv
            net[s, 0] += p1[0] - b * (1 - qs[0])
            deaths += (p0[:99] * qs[1:100]).sum() + b * qs[0]
        rec = float(d[(d.Regions == "NL01") & (d.Sex == "T001038") & (d.year == y)]["Deaths_5"].iloc[0])
        checks.append((y, rec, deaths))
    net /= len(RESIDUAL_YEARS)
    net[:, NET_MAX_AGE + 1:] = 0.0
    return net, checks


def international_profiles(net, nl_pop, nat):
    """Emigration probability (modelled schedule scaled to the recorded national emigration on the
    NL population) and immigrants' share by sex and age (modelled emigrants + real net residual,
    at least 0)."""
    sched = np.vstack([emigration_schedule(), emigration_schedule()])
    k = nat["emigration"] * nl_pop.sum() / (sched * nl_pop).sum()
    emig_p = k * sched
    immigrants = np.maximum(0.0, emig_p * nl_pop + net)
    return emig_p, immigrants / immigrants.sum()


def moves_profiles(ref_pop, moves_in_rate, moves_out_rate):
    """Moves out probability and moves-in share by sex and age for a reference population: the
    modelled mover schedule at the recorded per-inhabitant totals (the per-gemeente shapes are the
    age factors of migration_age_by_gemeente.csv)."""
    sched = np.vstack([mover_schedule(), mover_schedule()])
    total_out = moves_out_rate * ref_pop.sum()
    out_p = total_out / (sched * ref_pop).sum() * sched
    movers_in = sched * ref_pop
    return out_p, movers_in / movers_in.sum(), {"total_in": moves_in_rate * ref_pop.sum(), "total_out": total_out}


def mean_age(share):
    return float((share * AGES[None, :]).sum() / share.sum())


def write_migration_csv(path, imm_share, emig_p, in_share, out_p):
    return write_csv(path, ["sex", "age", "immigration_share", "emigration_probability", "moves_in_share",
                            "moves_out_probability"],
                     [[SEXES[s], a, f"{imm_share[s, a]:.12f}", fmt8(emig_p[s, a]), f"{in_share[s, a]:.12f}",
                       fmt8(out_p[s, a])] for s in range(2) for a in AGES])


def write_by_gemeente(path, rows):
    header = ["gemeente", "gemeente_code", "immigration", "emigration", "moves_in", "moves_out",
              "population_2019", "years", "source"]
    return write_csv(path, header, rows)


def build(shared, rd, ref_pop, nl_pop, qx, which, dataset_gemeenten=None, dataset_population=None):
    """Write migration.csv and migration_by_gemeente.csv of one rate set. `which` is "denhaag"
    (rate set denhaag-2019: GM0518's totals and age factors) or "nl" (nl-2019: national
    profiles, a row per gemeente of the national dataset, `dataset_gemeenten` its names and base
    populations, on which the country's moves in are made equal to its moves out).
    Returns the figures for rates.yaml and PROVENANCE.md."""
    d = read_37259(shared)
    gm = gemeente_rates(d)
    nat = national_totals(d)
    net, death_checks = net_international_by_age(shared, d, qx)
    emig_p_nl, imm_share = international_profiles(net, nl_pop, nat)
    # national net international migration per person per year by age at year end (the nation's
    # part of every gemeente's net migration; the age ratios give the gemeente's excess)
    m_nat = np.divide(net, nl_pop, out=np.zeros_like(net), where=nl_pop > 0)
    info = {"net": net, "death_checks": death_checks, "nat": nat, "gm": gm}
    src = "CBS 37259eng (mean rate " + "-".join(map(str, (YEARS[0], YEARS[-1]))) + ")"
    if which == "denhaag":
        r = gm.loc["GM0518"]
        out_p, in_share, minfo = moves_profiles(ref_pop, r.moves_in, r.moves_out)
        emig_p = emig_p_nl * r.emigration * ref_pop.sum() / (emig_p_nl * ref_pop).sum()
        rates = {f: float(r[f]) for f in FLOWS}
        # Den Haag's own 5-year bands of 1 January 2019 against the nation's (03759ned and the CBS
        # national single ages of the base year, summed to bands as for the national rate set)
        f = age_factors(ref_pop, excess_from_bands(age5_bands(ref_pop), age5_bands(nl_pop)), m_nat, rates,
                        imm_share, emig_p, in_share, out_p)
        age_rows = band_rows("GM0518", f, FACTOR_BANDS)
        info["age_factors"] = {"GM0518": f}
        rows = [["GM0518", "GM0518"] + [fmt8(r[f]) for f in FLOWS] + [f"{r.pop2019:.0f}", r.years, src]]
        info["matched"], info["unmatched"], info["in_scale"] = 1, [], 1.0
    else:
        out_p, in_share, minfo = moves_profiles(ref_pop, nat["moves_in"], nat["moves_out"])
        emig_p = emig_p_nl
        rates = {f: nat[f] for f in FLOWS}
        by_label = {lab: code for code, lab in gm["label"].items()}
        matched, unmatched = [], []
        for name in sorted(dataset_gemeenten):
            labels = NAME_TO_2019.get(name, [name])
            codes = [by_label[lab] for lab in labels if lab in by_label]
            if len(codes) != len(labels):
                unmatched.append(name)
                continue
            part = gm.loc[codes]
            w = part.pop2019 / part.pop2019.sum()
            matched.append([name, "+".join(codes)] + [float((part[f] * w).sum()) for f in FLOWS]
                           + [float(part.pop2019.sum()), "-".join(part.years.unique()), src])
        # Moves between gemeenten are internal to the country: scale the moves in so that, on the
        # dataset's base population, the country's moves in equal its moves out (they do in every
        # year's record; mean rates applied to another year's populations only nearly).
        pops = np.array([dataset_gemeenten[m[0]] for m in matched])
        mi = np.array([m[4] for m in matched])
        mo = np.array([m[5] for m in matched])
        scale = float((mo * pops).sum() / (mi * pops).sum())
        rows = []
        for m in matched:
            m[4] *= scale
            rows.append(m[:2] + [fmt8(v) for v in m[2:6]] + [f"{m[6]:.0f}", m[7],
                                                            src + (f"; {m[1]}: merged 2021" if "+" in m[1] else "")])
        # Per gemeente: its 5-year bands of the base population (1 January 2021) against the
        # dataset's national bands (the age-ratio method; no later year is read)
        bands_of = {name: age5_bands(p) for name, p in dataset_population.items()}
        nation = sum(bands_of.values())
        age_rows, info["age_factors"] = [], {}
        for m in matched:
            g_rates = dict(zip(FLOWS, m[2:6]))
            P = dataset_population[m[0]]
            f = age_factors(P, excess_from_bands(bands_of[m[0]], nation), m_nat, g_rates, imm_share, emig_p,
                            in_share, out_p)
            info["age_factors"][m[0]] = f
            age_rows += band_rows(m[0], f, FACTOR_BANDS)
        info["matched"], info["unmatched"], info["in_scale"] = len(matched), unmatched, scale
        if unmatched:
            raise AssertionError(f"gemeenten of the national dataset not in 37259eng: {unmatched}")
    n = {"migration.csv": write_migration_csv(os.path.join(rd, "migration.csv"), imm_share, emig_p, in_share, out_p),
         "migration_by_gemeente.csv": write_by_gemeente(os.path.join(rd, "migration_by_gemeente.csv"), rows),
         "migration_age_by_gemeente.csv": write_age_by_gemeente(os.path.join(rd, "migration_age_by_gemeente.csv"),
                                                                age_rows)}
    info.update({"rates": rates, "minfo": minfo, "nrows": n,
                 "out_rate": float(((emig_p + out_p) * ref_pop).sum() / ref_pop.sum()),
                 "mean_age": {"immigration": mean_age(imm_share), "moves_in": mean_age(in_share),
                              "emigration": mean_age(emig_p * ref_pop), "moves_out": mean_age(out_p * ref_pop)}})
    check(rd)
    return info


def check(rd):
    mig = pd.read_csv(os.path.join(rd, "migration.csv"))
    assert list(mig.columns) == ["sex", "age", "immigration_share", "emigration_probability", "moves_in_share",
                                 "moves_out_probability"]
    for c in ("immigration_share", "moves_in_share"):
        assert abs(mig[c].sum() - 1) < 1e-6, f"{c} does not sum to 1"
    for c in ("emigration_probability", "moves_out_probability"):
        assert ((mig[c] >= 0) & (mig[c] <= 1)).all(), f"{c} outside [0, 1]"
    assert (mig.emigration_probability + mig.moves_out_probability <= 1).all()
    g = pd.read_csv(os.path.join(rd, "migration_by_gemeente.csv"))
    assert g.gemeente.is_unique and (g[FLOWS] >= 0).all().all() and (g[FLOWS] < 1).all().all()
    f = pd.read_csv(os.path.join(rd, "migration_age_by_gemeente.csv"))
    assert list(f.columns) == ["gemeente", "sex", "age_from", "age_to", "moves_in_factor", "moves_out_factor"]
    assert f.gemeente.isin(g.gemeente).all() and f.sex.isin(SEXES).all()
    assert ((f.age_from <= f.age_to) & (f.age_to <= AGE_FACTOR_MAX_AGE)).all()
    factors = f[["moves_in_factor", "moves_out_factor"]]
    assert ((factors >= 0) & (factors < 10)).all().all(), "age factor outside [0, 10)"
    assert not f.duplicated(["gemeente", "sex", "age_from"]).any()


def provenance_text(info, which):
    """The migration section of a rate set's PROVENANCE.md."""
    nat, m = info["nat"], info["mean_age"]
    checks = "; ".join(f"{y}: recorded {rec:,.0f}, reproduced {rep:,.0f} ({rep / rec - 1:+.2%})"
                       for y, rec, rep in info["death_checks"])
    r = info["rates"]
    where = ("GM0518 Den Haag" if which == "denhaag" else
             f"the Netherlands; {info['matched']} gemeenten in migration_by_gemeente.csv")
    fa = info["age_factors"]
    code = "GM0518" if which == "denhaag" else "'s-Gravenhage"
    dh = fa[code]
    young = slice(18, 23)
    factors = (f"Per gemeente age factors (migration_age_by_gemeente.csv, **modelled from observed age structure**): for "
               f"each gemeente{' (here GM0518)' if which == 'denhaag' else ''} and sex, the ratio of the population in "
               f"5-year band b+1 to band b on 1 January of the base year ({'CBS 03759ned 2019' if which == 'denhaag' else 'nl-pc4-2021 population.csv, CBS 83502NED 2021 per PC4 summed per gemeente'}), "
               f"against the same national ratio ({'CBS national single ages 2019 summed to bands' if which == 'denhaag' else 'the dataset summed over all gemeenten'}), "
               f"gives the gemeente's net migration relative to the nation [per person per year] = ln(R_g / R_n) / 5 at the "
               f"ages 5b+3..5b+7 at which the cohort crosses (ages 0–2 take the first), shrunk by n / (n + {SHRINK_PERSONS}) "
               f"(n persons in the two bands; the noise of small gemeenten), for ages up to {AGE_FACTOR_MAX_AGE} (above: "
               f"factor 1; mortality and nursing homes blur the ratios). Net migration by age = (national net international "
               f"rate above + that excess) × population; what the rate set's immigration and emigration at the gemeente's "
               f"rates do not give, the moves between gemeenten must: the difference from the base profiles' net moves "
               f"(its total taken out in proportion to the population, so the recorded totals hold) is added to the "
               f"arrivals where positive and to the departures where negative, the base profiles scaled down by as many "
               f"persons (at most {MAX_EXCESS_SHARE:.0%} of the smaller gross flow). Factor = moves / base moves per sex and "
               f"band ({', '.join(f'{lo}–{hi}' for lo, hi in FACTOR_BANDS)}); the engine renormalises the moves-in share "
               f"and calibrates the moves-out probability, so the gross totals stay CBS 37259eng's. Only base-year "
               f"figures are read (no later year). Example {code}, women 18–22: moves-in factor "
               f"{(dh['moves_in'][1, young].sum() / dh['base_in'][1, young].sum()):.2f}, moves-out factor "
               f"{(dh['moves_out'][1, young].sum() / dh['base_out'][1, young].sum()):.2f}; persons reshuffled "
               f"{dh['reshuffled']:.4f} per inhabitant per year.")
    students = factors + ("" if which == "denhaag" else
                " Moves between gemeenten are internal to the country: every "
                f"gemeente's moves-in rate is scaled by {info['in_scale']:.6f} so that on nl-pc4-2021's base "
                "population (1 January 2021) the country's moves in equal its moves out (**modelled** "
                "adjustment). The dataset's Eemsdelta (2021) is the sum of Appingedam, Delfzijl and "
                "Loppersum; ten names differ from 37259eng's labels only in spelling (see NAME_TO_2019 "
                "in data/prepare/migration.py); no gemeente is unmatched.")
    return f"""## migration.csv, migration_by_gemeente.csv, migration_age_by_gemeente.csv

Written by `data/prepare/migration.py`. Four flows, each with its own age × sex profile (sex order male, female;
age = age at the end of the year):

| column | unit | source |
|---|---|---|
| immigration_share | share of immigrants (sums to 1 over both sexes) | national net international migration by age, **real** (cohort-residual, below), plus **modelled** emigrants, at least 0 |
| emigration_probability | probability per year, at the rate set's reference population | **modelled** Rogers–Castro labour-migration schedule (peak near 27), scaled to the recorded emigration (administrative removals included) |
| moves_in_share | share of persons moving in from other gemeenten (sums to 1) | **modelled** Rogers–Castro mover schedule (peak in the early 20s) × reference population; per gemeente × migration_age_by_gemeente.csv's moves_in_factor, renormalised |
| moves_out_probability | probability per year | **modelled** mover schedule, per gemeente × migration_age_by_gemeente.csv's moves_out_factor, scaled to the recorded moves out |

Totals ({where}): CBS 37259eng (Bron: CBS), per inhabitant per year = mean over {YEARS[0]}–{YEARS[-1]} of each year's
flow / population on 1 January (the most recent years in the table, after the 2015–2016 asylum peak):
immigration {r['immigration']:.6f}, emigration {r['emigration']:.6f}, moves in {r['moves_in']:.6f}, moves out
{r['moves_out']:.6f}. migration_by_gemeente.csv holds one row per gemeente (`gemeente` as the datasets spell it,
`gemeente_code` the 37259eng 2019 code(s), the four rates [persons per inhabitant per year], population on 1 January
2019 [persons], the years averaged, the source). The engine scales each outflow schedule per gemeente so that the
gemeente's base-year population gives its recorded rate, and takes inflows = inhabitants × rate × profile.

Net international migration by age: cohort-residual method on CBS `cbs_nl_population_single_age_1950_2019`
(1 January populations of consecutive years), CBS 37360ned q(x) of each year by age on 31 December (a person aged a
on 1 January dies with q(a+1); births of the year, CBS 37259eng NL01 live births by sex, enter at age 0 having faced
q(0)), flows of {RESIDUAL_YEARS[0]}–{RESIDUAL_YEARS[-1]} (1 January {RESIDUAL_YEARS[0]}–{RESIDUAL_YEARS[-1] + 1}, the
last years the population file allows), averaged; ages above {NET_MAX_AGE} set to 0 (the file's open class 99 and
noise). Deaths with this convention: {checks}. Gross immigration and emigration by age are not in ../shared: emigration
is modelled as above (national {nat['emigration']:.6f} per inhabitant), immigration = modelled emigrants + real net
residual by age (at least 0), scaled to the recorded national immigration ({nat['immigration']:.6f} per inhabitant).
{students}

Mean age of the flows (reference population): immigration {m['immigration']:.1f}, emigration {m['emigration']:.1f},
moves in {m['moves_in']:.1f}, moves out {m['moves_out']:.1f} years.
"""


# ----------------------------------------------------------------------------------------------
# Per-gemeente age factors on the moves in and out (migration_age_by_gemeente.csv)
# ----------------------------------------------------------------------------------------------
AGE_FACTOR_MAX_AGE = 67   # above: retirement moves, nursing homes and mortality differences blur the ratios
SHRINK_PERSONS = 400      # a band pair of n persons keeps n / (n + this) of its ratio (noise of small gemeenten)
MAX_EXCESS_SHARE = 0.6    # the reshuffled movers at most this share of the smaller gross flow
# the bands of the factor table: the ages at which a cohort crosses from one 5-year band into the next
FACTOR_BANDS = [(0, 7)] + [(lo, lo + 4) for lo in range(8, AGE_FACTOR_MAX_AGE, 5)]


def age5_bands(P):
    """Persons by sex and single age [2, >= 100] -> by sex and 5-year band 0-4 .. 95-99 [2, 20]."""
    return np.add.reduceat(P[:, :100], np.arange(0, 100, 5), axis=1)


def excess_from_bands(P_g, P_n):
    """Net migration rate by sex and age at year end in a gemeente relative to the nation, per
    person per year, from the ratio of 5-year band b+1 to band b (1 January of the base year)
    against the national ratio (the age-ratio method): log(R_g / R_n) / 5, at the ages 5b+3 ..
    5b+7 at which the cohort crosses from band b into b+1 (ages 0..2 take b = 0's); shrunk towards
    0 by n / (n + SHRINK_PERSONS) with n the persons of the two bands. P_g, P_n: [2, 20+] bands."""
    out = np.zeros((2, N_AGES))
    for s in range(2):
        for b in range(AGE_FACTOR_MAX_AGE // 5 - 0):
            lo, hi = 5 * b + 3, min(5 * b + 7, AGE_FACTOR_MAX_AGE)
            if lo > AGE_FACTOR_MAX_AGE:
                break
            n = P_g[s, b] + P_g[s, b + 1]
            if P_g[s, b] <= 0 or P_g[s, b + 1] <= 0:
                continue
            r = np.log(P_g[s, b + 1] / P_g[s, b]) - np.log(P_n[s, b + 1] / P_n[s, b])
            out[s, lo:hi + 1] = r / 5.0 * n / (n + SHRINK_PERSONS)
            if b == 0:
                out[s, 0:lo] = out[s, lo]
    return out


def age_factors(P, excess, m_nat, rates, imm_share, emig_p, in_share, out_p):
    """Factors by sex and age at year end on a gemeente's moves-in share and moves-out probability
    (modelled from its observed age structure). The gemeente's net migration at age a is taken as
    (national net international rate + its excess) x P(a); what immigration and emigration (the
    rate set's profiles at the gemeente's rates) do not give, the moves between gemeenten must:
    the difference from the base profiles' net moves, its total removed in proportion to P (the
    recorded totals hold), is added to the arrivals where positive and to the departures where
    negative, and the base profiles are scaled down by the same number of persons, so the gross
    totals stay the recorded ones. Ages above AGE_FACTOR_MAX_AGE keep factor 1.
    P: [2, N_AGES] persons on 1 January; rates: immigration, emigration, moves_in, moves_out per
    inhabitant. Returns (in_factor, out_factor, reshuffled persons per inhabitant)."""
    pop = P.sum()
    imm = rates["immigration"] * pop * imm_share
    emig = emig_p * P * rates["emigration"] * pop / max((emig_p * P).sum(), 1e-300)
    base_in = rates["moves_in"] * pop * in_share
    base_out = out_p * P * rates["moves_out"] * pop / max((out_p * P).sum(), 1e-300)
    young = AGES <= AGE_FACTOR_MAX_AGE
    e = np.zeros_like(P)
    e[:, young] = ((m_nat + excess) * P - imm + emig - base_in + base_out)[:, young]
    e[:, young] -= e.sum() * P[:, young] / P[:, young].sum()
    s = np.maximum(e, 0).sum()
    cap = MAX_EXCESS_SHARE * min(base_in.sum(), base_out.sum())
    if s > cap:
        e *= cap / s
        s = cap
    moves_in = (1 - s / base_in.sum()) * base_in + np.maximum(e, 0)
    moves_out = (1 - s / base_out.sum()) * base_out + np.maximum(-e, 0)
    f_in = np.divide(moves_in, base_in, out=np.ones_like(P), where=base_in > 0)
    f_out = np.divide(moves_out, base_out, out=np.ones_like(P), where=base_out > 0)
    f_in[:, ~young] = 1.0
    f_out[:, ~young] = 1.0
    return {"in": f_in, "out": f_out, "base_in": base_in, "base_out": base_out, "reshuffled": s / pop,
            "moves_in": moves_in, "moves_out": moves_out}


def write_age_by_gemeente(path, rows):
    """rows: gemeente, sex, age_from, age_to, moves_in_factor, moves_out_factor."""
    return write_csv(path, ["gemeente", "sex", "age_from", "age_to", "moves_in_factor", "moves_out_factor"],
                     [[g, SEXES[s], lo, hi, f"{fi:.6f}", f"{fo:.6f}"] for g, s, lo, hi, fi, fo in rows])


def band_rows(name, f, bands):
    """One row per sex and age band: the band's factor = its moves over its base moves."""
    f_in, f_out, base_in, base_out = f["in"], f["out"], f["base_in"], f["base_out"]
    rows = []
    for s in range(2):
        for lo, hi in bands:
            bi, bo = base_in[s, lo:hi + 1].sum(), base_out[s, lo:hi + 1].sum()
            fi = (f_in[s, lo:hi + 1] * base_in[s, lo:hi + 1]).sum() / bi if bi > 0 else 1.0
            fo = (f_out[s, lo:hi + 1] * base_out[s, lo:hi + 1]).sum() / bo if bo > 0 else 1.0
            rows.append((name, s, lo, hi, fi, fo))
    return rows
