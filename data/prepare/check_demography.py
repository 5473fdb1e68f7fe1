#!/usr/bin/python3
"""Do the rates reproduce what really happened? Recorded deaths and births (CBS 37259eng) against
the deaths and births that the population of 1 January by single age and sex gives under that
year's CBS rates, for the Netherlands 2012-2019 and for the gemeenten with a single-age population
(CBS 03759ned 2019: Den Haag, Utrecht, Amsterdam); and the rate sets in data/rates against the CBS
tables they were derived from.

  /usr/bin/python3 data/prepare/check_demography.py --shared ../shared/data [--data data]

prints the tables of docs/model.md ("Mortality", "Fertility") and exits 1 if a reproduction that
should be within 2% is not. tests/python/test_demography.py asserts the same figures (run by ctest
when the shared data are there). Method: docs/model.md and docs/data-preparation.md, section 1.
"""
import argparse
import os
import sys

import numpy as np
import pandas as pd

from common import N_AGES, SEXES, read_37259, read_nl_single_age, read_qx
from rate_set import expected_births, expected_deaths, extend_q31

CHECK_YEARS = range(2015, 2020)     # the years whose reproduction must be within TOLERANCE
ALL_YEARS = range(2012, 2020)       # every year of 37259eng, reported
TOLERANCE = 0.02
GEMEENTEN = {"GM0518": "Den Haag", "GM0344": "Utrecht", "GM0363": "Amsterdam"}


def read_gemeente_single_age(shared, code):
    """CBS 03759ned 1 Jan 2019 by sex x age 0..105 (105 = 105+), array [2, N_AGES]."""
    d = pd.read_csv(os.path.join(shared, "cbs_gemeente_single_age_sex_03759ned",
                                 "gemeente_population_by_single_age_sex_2019.csv"), dtype=str)
    d = d[(d.gemeente_code == code) & (d.year == "2019")]
    pop = np.zeros((2, N_AGES))
    for s, sex in enumerate(SEXES):
        ds = d[d.sex == sex]
        pop[s, [int(a.replace("+", "")) for a in ds.age]] = ds.population_1jan.astype(float).to_numpy()
    return pop


def nl_population(shared, year, dyn):
    """NL 1 Jan `year` by sex x age 0..100, 100 = 100+ (the single-age file stops at 99; 100+ is the
    37259eng total by sex minus the file's sum)."""
    p99 = read_nl_single_age(shared, year).astype(float)
    out = np.zeros((2, 101))
    out[:, :100] = p99
    for s, sex in enumerate(SEXES):
        total = float(recorded(dyn, "NL01", year, sex, "population_1jan"))
        out[s, 100] = total - p99[s].sum()
    assert (out[:, 100] > 0).all() and (out[:, 100] < 5000).all(), "NL 100+ count implausible"
    return out


def recorded(dyn, region, year, sex, column):
    return float(dyn[(dyn.region == region) & (dyn.year == year) & (dyn.sex == sex)][column].iloc[0])


def q31_of_year(qx, year):
    """[2, 107] CBS q by age on 31 December, ages 100+ by the Kannisto tail of that year."""
    return np.stack([extend_q31(qx[qx.year == year].sort_values("age")[sex].to_numpy())[0] for sex in SEXES])


def deaths_of(q31, pop, dyn, region, year, shift=True, factor=1.0):
    births = [recorded(dyn, region, year, sex, "births") for sex in SEXES]
    return factor * sum(expected_deaths(q31[s], pop[s], births[s], shift) for s in range(2))


def asfr_of_year(asfr, year, shift=0.0):
    """{age on 1 January: births per woman} from CBS ASFR by age of the mother at birth: shift 0 =
    as is, 0.5 = half of a and half of a+1 (a woman aged a on 1 January is a or a+1 at the birth),
    1 = a+1."""
    a = asfr[asfr.year == year].set_index("age_mother").asfr
    out = {}
    for age in range(10, 56):
        out[age] = (1 - shift) * a.get(age, 0.0) + shift * a.get(age + 1, 0.0)
    return out


def read_rates(data, name):
    rd = os.path.join(data, "rates", name)
    yaml = {}
    for ln in open(os.path.join(rd, "rates.yaml"), encoding="utf-8"):
        if ln.strip() and not ln.startswith("#"):
            key, value = ln.split("#")[0].split(":", 1)
            yaml[key.strip()] = float(value)
    mort = pd.read_csv(os.path.join(rd, "mortality.csv"))
    fert = pd.read_csv(os.path.join(rd, "fertility.csv"))
    return yaml, mort, fert


def national(shared):
    """Rows (year, recorded deaths, deaths shifted, deaths unshifted, recorded births, births by
    ASFR as is / half-year / one-year shift)."""
    qx = read_qx(shared)
    dyn = read_37259(shared)
    asfr = pd.read_csv(os.path.join(shared, "cbs_nl_demography_statline", "derived_nl_asfr_single_age_2011_2019.csv"))
    rows = []
    for year in ALL_YEARS:
        pop = nl_population(shared, year, dyn)
        q31 = q31_of_year(qx, year)
        women = pop[1]
        rows.append({
            "year": year, "deaths": recorded(dyn, "NL01", year, "total", "deaths"),
            "deaths_shifted": deaths_of(q31, pop, dyn, "NL01", year),
            "deaths_unshifted": deaths_of(q31, pop, dyn, "NL01", year, shift=False),
            "births": recorded(dyn, "NL01", year, "total", "births"),
            **{f"births_{k}": expected_births(asfr_of_year(asfr, year, v), women)
               for k, v in (("as_is", 0.0), ("half", 0.5), ("one", 1.0))}})
    return pd.DataFrame(rows)


def gemeenten(shared, data):
    """Rows per gemeente, 2019: recorded deaths and births; deaths under the national q of 2019
    (shifted and unshifted), with the Den Haag rate set's mortality_factor; births under the
    national ASFR 2019 and (Den Haag) under the rate set's fertility.csv."""
    qx = read_qx(shared)
    dyn = read_37259(shared)
    asfr = pd.read_csv(os.path.join(shared, "cbs_nl_demography_statline", "derived_nl_asfr_single_age_2011_2019.csv"))
    q31 = q31_of_year(qx, 2019)
    dh_yaml, _, dh_fert = read_rates(data, "denhaag-2019")
    rows = []
    for code, name in GEMEENTEN.items():
        pop = read_gemeente_single_age(shared, code)
        row = {"code": code, "name": name, "deaths": recorded(dyn, code, 2019, "total", "deaths"),
               "deaths_national": deaths_of(q31, pop, dyn, code, 2019),
               "deaths_unshifted": deaths_of(q31, pop, dyn, code, 2019, shift=False),
               "births": recorded(dyn, code, 2019, "total", "births"),
               "births_national": expected_births(asfr_of_year(asfr, 2019), pop[1])}
        if code == "GM0518":
            row["mortality_factor"] = dh_yaml["mortality_factor"]
            row["deaths_rate_set"] = row["deaths_national"] * dh_yaml["mortality_factor"]
            row["births_rate_set"] = expected_births(dict(zip(dh_fert.age, dh_fert.asfr)), pop[1])
        rows.append(row)
    return rows


def rate_set_shift(shared, data, name):
    """Largest |mortality.csv - CBS q(a+1) mean 2017-2019 x (1 - r)^(reference year - 2018)| over ages
    0..98 (those with CBS data), and the same for the newborns against CBS q(0)."""
    from rate_set import MORTALITY_LEVEL_YEAR, MORTALITY_YEARS
    qx = read_qx(shared)
    yaml, mort, _ = read_rates(data, name)
    level = qx[qx.year.isin(MORTALITY_YEARS)].groupby("age")[["male", "female"]].mean()
    roll = yaml["reference_year"] - MORTALITY_LEVEL_YEAR
    worst = 0.0
    for sex in SEXES:
        cbs = level[sex].to_numpy()[1:100] * (1 - mort[f"improvement_{sex}"].to_numpy()[:99]) ** roll
        worst = max(worst, float(np.max(np.abs(mort[sex].to_numpy()[:99] / cbs - 1))))
        newborn = level[sex].iloc[0] * (1 - yaml[f"newborn_improvement_{sex}"]) ** roll
        worst = max(worst, abs(yaml[f"newborn_death_probability_{sex}"] / newborn - 1))
    return worst


def pct(a, b):
    return f"{100 * (a / b - 1):+.2f}%"


def report(shared, data):
    nl = national(shared)
    gm = gemeenten(shared, data)
    lines = ["Netherlands (NL01), 1 Jan population by single age x that year's CBS q / ASFR vs CBS 37259eng:",
             "| year | deaths recorded | q(a+1) on 1-Jan age a (now) | q(a) (before) | births recorded | ASFR as is | half-year shift | one-year shift |",
             "|---|---|---|---|---|---|---|---|"]
    for r in nl.itertuples():
        lines.append(f"| {r.year} | {r.deaths:,.0f} | {r.deaths_shifted:,.0f} ({pct(r.deaths_shifted, r.deaths)}) "
                     f"| {r.deaths_unshifted:,.0f} ({pct(r.deaths_unshifted, r.deaths)}) | {r.births:,.0f} "
                     f"| {r.births_as_is:,.0f} ({pct(r.births_as_is, r.births)}) | {pct(r.births_half, r.births)} "
                     f"| {pct(r.births_one, r.births)} |")
    lines += ["", "Gemeenten, 2019 (03759ned population of 1 Jan 2019; national CBS q and ASFR of 2019):",
              "| gemeente | deaths recorded | national q (now) | national q (before) | births recorded | national ASFR |",
              "|---|---|---|---|---|---|"]
    for r in gm:
        lines.append(f"| {r['name']} ({r['code']}) | {r['deaths']:,.0f} | {r['deaths_national']:,.0f} "
                     f"({pct(r['deaths_national'], r['deaths'])}) | {r['deaths_unshifted']:,.0f} "
                     f"({pct(r['deaths_unshifted'], r['deaths'])}) | {r['births']:,.0f} "
                     f"| {r['births_national']:,.0f} ({pct(r['births_national'], r['births'])}) |")
    dh = gm[0]
    lines += ["", f"Den Haag rate set: mortality_factor {dh['mortality_factor']:.4f} -> deaths {dh['deaths_rate_set']:,.0f} "
              f"({pct(dh['deaths_rate_set'], dh['deaths'])}); fertility.csv -> births {dh['births_rate_set']:,.0f} "
              f"({pct(dh['births_rate_set'], dh['births'])})"]
    for name in ("denhaag-2019", "nl-2019"):
        lines.append(f"{name}/mortality.csv vs CBS q(a+1) (mean 2017-2019, moved to the reference year): "
                     f"largest relative difference {rate_set_shift(shared, data, name):.1e}")
    failures = []
    for r in nl[nl.year.isin(CHECK_YEARS)].itertuples():
        if abs(r.deaths_shifted / r.deaths - 1) > TOLERANCE:
            failures.append(f"NL deaths {r.year}")
        if abs(r.births_as_is / r.births - 1) > TOLERANCE:
            failures.append(f"NL births {r.year}")
    if abs(dh["deaths_rate_set"] / dh["deaths"] - 1) > TOLERANCE:
        failures.append("Den Haag deaths 2019")
    if abs(dh["births_rate_set"] / dh["births"] - 1) > TOLERANCE:
        failures.append("Den Haag births 2019")
    return lines, failures


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.path.join(repo, "..", "shared", "data"))
    ap.add_argument("--data", default=os.path.join(repo, "data"))
    args = ap.parse_args()
    lines, failures = report(os.path.normpath(args.shared), os.path.normpath(args.data))
    print("\n".join(lines))
    if failures:
        print("NOT within 2%: " + ", ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
