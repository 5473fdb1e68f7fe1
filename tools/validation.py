#!/usr/bin/python3
"""Regenerates the tables of docs/validation.md with `socialtwin backtest` (the one command):

    /usr/bin/python3 tools/validation.py [--bin build/release/bin/socialtwin] [--check]

Every table between the markers `<!-- backtest: NAME -->` and `<!-- end backtest -->` is the
command's own Markdown output for one backtest (listed in BACKTESTS below); the table between
`<!-- targets -->` and `<!-- end targets -->` is computed from the same runs' error tables (-o CSV),
never typed in; the table between `<!-- national-path -->` and `<!-- end national-path -->` is the
national baseline 2021–2050 (a cohort run of nl-pc4-2021, read from its HDF5 result) next to the
last recorded year; the tables between `<!-- pc4-strata -->` and `<!-- end pc4-strata -->` split the
every-PC4 backtest by the observed stock change and by size. The prose around them is not touched. With --check nothing is written: the exit
code is 1 when the document differs from what the command produces now (tests/integration/
test_validation_doc.py), so a changed baseline cannot leave stale numbers behind.
"""
import argparse
import csv
import difflib
import os
import re
import statistics
import subprocess
import sys
import tempfile

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DOC = os.path.join(ROOT, "docs", "validation.md")

# name -> (observation folder under data/observations, dataset to project)
BACKTESTS = {
    "denhaag-2019": ("denhaag-gemeente", "denhaag-2019"),
    "denhaag-2021": ("denhaag-gemeente", "denhaag-2021"),
    "zuidwest-2019": ("denhaag-zuidwest-pc4", "denhaag-zuidwest-2019"),
    "zuidwest-2021": ("denhaag-zuidwest-pc4", "denhaag-zuidwest-2021"),
    "nl-gemeente": ("nl-gemeente", "nl-pc4-2021"),
    "nl-pc4": ("nl-pc4", "nl-pc4-2021"),
}
BROAD = ["0-14", "15-24", "25-44", "45-64", "65+"]

# The national baseline: the nl-pc4-2021 dataset with its own rates and nothing else, 30 years.
NATIONAL_SCENARIO = """name: national-path
description: The Netherlands from 1 January 2021 with the dataset's rates; no policy (tools/validation.py).
dataset: nl-pc4-2021
base_year: 2021
horizon: 29
core: cohort
"""
NATIONAL_YEARS = (2021, 2025, 2030, 2035, 2040, 2045, 2050)
# flows during the year, summed over every area [persons per year]
NATIONAL_FLOWS = ("births", "deaths", "immigration", "emigration", "moves_from_other_gemeenten",
                  "moves_to_other_gemeenten")


def run_backtests(binary, data):
    """{name: (markdown, rows of the error table)}"""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (observation, dataset) in BACKTESTS.items():
            table = os.path.join(tmp, name + ".csv")
            result = subprocess.run(
                [binary, "backtest", os.path.join(data, "observations", observation), "--dataset", dataset,
                 "--data-dir", data, "--markdown", "-o", table],
                capture_output=True, text=True, check=False)
            if result.returncode != 0:
                sys.exit(f"socialtwin backtest {observation} --dataset {dataset} failed "
                         f"({result.returncode}):\n{result.stderr}")
            # the run's own line about the file written is no part of the table
            markdown = result.stdout.split("\nWritten to ")[0].rstrip() + "\n"
            with open(table, newline="", encoding="utf-8") as f:
                out[name] = (markdown, list(csv.DictReader(f)))
    return out


def _signed(value):
    """A whole number with its sign; a sum that rounds to zero is +0, not -0."""
    return f"{round(value):+,}"


def national_path(binary, data):
    """Markdown: the national baseline's stocks and flows 2021–2050 and CBS's recorded 2019."""
    with tempfile.TemporaryDirectory() as tmp:
        scenario, result_file = os.path.join(tmp, "national.yaml"), os.path.join(tmp, "national.h5")
        with open(scenario, "w", encoding="utf-8") as f:
            f.write(NATIONAL_SCENARIO)
        result = subprocess.run([binary, "run", scenario, "-o", result_file, "--data-dir", data, "--quiet",
                                 "--no-aggregates"], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            sys.exit(f"socialtwin run (national path) failed ({result.returncode}):\n{result.stderr}")
        with h5py.File(result_file, "r") as h5:
            years = [int(y) for y in h5["year"][:]]
            total = {name: h5[name][:].sum(axis=1) for name in
                     ("population", "households", "households_single", "persons_institution") + NATIONAL_FLOWS}
    recorded, gemeenten = {}, set()
    with open(os.path.join(data, "observations", "nl-gemeente-flows", "observed.csv"), newline="",
              encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["year"] == "2019" and r["sex"] == "":
                recorded[r["indicator"]] = recorded.get(r["indicator"], 0.0) + float(r["value"])
                gemeenten.add(r["area"])
    head = ("| year | population 1 Jan | births | deaths | natural growth | immigration | emigration | "
            "net international | moves between gemeenten, in − out | households 1 Jan | living alone "
            "[% of households] | in institutions 1 Jan |")
    lines = [head, "| --- |" + " ---: |" * (head.count("|") - 2)]
    lines.append(f"| 2019, recorded: CBS 37259eng, the {len(gemeenten)} gemeenten of nl-gemeente-flows | "
                 f"{recorded['population']:,.0f} | "
                 f"{recorded['births']:,.0f} | {recorded['deaths']:,.0f} | "
                 f"{_signed(recorded['births'] - recorded['deaths'])} | {recorded['immigration']:,.0f} | "
                 f"{recorded['emigration']:,.0f} | {_signed(recorded['immigration'] - recorded['emigration'])} | "
                 f"{_signed(recorded['intermunicipal_in'] - recorded['intermunicipal_out'])} | | | |")
    for year in NATIONAL_YEARS:
        i = years.index(year)
        t = {k: v[i] for k, v in total.items()}
        lines.append(
            f"| {year} | {t['population']:,.0f} | {t['births']:,.0f} | {t['deaths']:,.0f} | "
            f"{_signed(t['births'] - t['deaths'])} | {t['immigration']:,.0f} | {t['emigration']:,.0f} | "
            f"{_signed(t['immigration'] - t['emigration'])} | "
            f"{_signed(t['moves_from_other_gemeenten'] - t['moves_to_other_gemeenten'])} | "
            f"{t['households']:,.0f} | {100 * t['households_single'] / t['households']:.1f} | "
            f"{t['persons_institution']:,.0f} |")
    return "\n".join(lines) + "\n"


def _abs(rows, indicator, sex="", band="", year=None, column="error_percent"):
    return [abs(float(r[column])) for r in rows if r["indicator"] == indicator and r["sex"] == sex
            and r["age_band"] == band and (year is None or int(r["year"]) == year) and r[column] != ""]


def _total_error(rows, year):
    """Error of the sum over all areas of the population in `year` [%]."""
    sel = [r for r in rows if r["indicator"] == "population" and r["sex"] == "" and int(r["year"]) == year]
    observed = sum(float(r["observed"]) for r in sel)
    return (sum(float(r["projected"]) for r in sel) - observed) / observed * 100


def _years(rows):
    return sorted({int(r["year"]) for r in rows if r["indicator"] == "population" and r["sex"] == ""})


def targets(runs):
    """The targets of issue 10 as Markdown rows: target, today, met?"""
    def yes(ok):
        return "yes" if ok else "**no**"
    lines = ["| target | today | met? |", "| --- | --- | --- |"]
    g = runs["nl-gemeente"][1]
    last = max(_years(g))
    total = _abs(g, "population", year=last)
    med, p90 = statistics.median(total), statistics.quantiles(total, n=10, method="inclusive")[-1]
    lines.append(f"| every gemeente, base 2021 → {last}: median absolute error of the total ≤ 0.7% | "
                 f"{med:.2f}% ({len(total)} gemeenten) | {yes(med <= 0.7)} |")
    lines.append(f"| every gemeente: 90th percentile of the total ≤ 2% | {p90:.2f}% | {yes(p90 <= 2)} |")
    for band in BROAD:
        m = statistics.median(_abs(g, "population_by_age_sex", band=band, year=last))
        lines.append(f"| every gemeente: median absolute error of ages {band} ≤ 2% | {m:.2f}% | {yes(m <= 2)} |")
    for name, label in (("denhaag-2019", "Den Haag from 2019"), ("denhaag-2021", "Den Haag from 2021"),
                        ("zuidwest-2019", "Zuid-West (its 7 PC4) from 2019"),
                        ("zuidwest-2021", "Zuid-West (its 7 PC4) from 2021")):
        rows = runs[name][1]
        errors = {y: _total_error(rows, y) for y in _years(rows)}
        text = ", ".join(f"{y}: {e:+.2f}%" for y, e in errors.items())
        lines.append(f"| {label}: total within 1% in every observed year | {text} | "
                     f"{yes(all(abs(e) <= 1 for e in errors.values()))} |")
    for name, label in (("zuidwest-2019", "Zuid-West PC4 from 2019"), ("nl-pc4", "every PC4 from 2021")):
        rows = runs[name][1]
        last = max(_years(rows))
        model = statistics.median(_abs(rows, "population", year=last))
        still = statistics.median(_abs(rows, "population", year=last, column="no_change_error_percent"))
        trend_values = _abs(rows, "population", year=last, column="last_trend_error_percent")
        trend = statistics.median(trend_values) if trend_values else None
        naive = f"no change {still:.2f}%" + (f", last trend {trend:.2f}%" if trend is not None else
                                             ", last trend: no two observations before the base")
        lines.append(f"| {label}: median error of the total in {last} below both naive forecasts' | "
                     f"projection {model:.2f}%; {naive} | "
                     f"{yes(model < still and (trend is None or model < trend))} |")
    lines.append("| buurt: median error below both naive forecasts' | not measurable: no real buurt figure "
                 "after 2019 exists in ../shared (KWB is 2019 only; denhaag-2021's buurt totals are modelled) "
                 "| - |")
    return "\n".join(lines) + "\n"


# PC4 strata: how the observed dwelling stock changed 2020 -> 2022 [%], and inhabitants in the base year
STOCK_STRATA = ((None, -1), (-1, 0), (0, 1), (1, 2), (2, 5), (5, None))
SIZE_STRATA = ((None, 500), (500, 2000), (2000, 5000), (5000, 10000), (10000, None))


def _stratum(value, strata):
    for low, high in strata:
        if (low is None or value > low) and (high is None or value <= high):
            return (low, high)
    return None


def _label(low, high, unit=""):
    if low is None:
        return f"≤ {high:,}{unit}"
    if high is None:
        return f"> {low:,}{unit}"
    return f"{low:,} to {high:,}{unit}"


def pc4_strata(runs, data):
    """Markdown: the every-PC4 backtest's total population by how the stock changed and by size."""
    rows = [r for r in runs["nl-pc4"][1] if r["indicator"] == "population" and r["sex"] == ""
            and r["age_band"] == ""]
    year = max(int(r["year"]) for r in rows)
    rows = [r for r in rows if int(r["year"]) == year]
    stock = {}
    with open(os.path.join(data, "observations", "nl-pc4", "observed.csv"), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["indicator"] == "dwellings_stock" and r["sex"] == "" and r["age_band"] == "":
                stock.setdefault(r["area"], {})[int(r["year"])] = float(r["value"])
    first = min(min(v) for v in stock.values())

    def table(title, key, strata, unit):
        head = (f"| {title} | PC4 | observed change, median | projection | no change | last trend | "
                "observed exactly unchanged |")
        lines = [head, "| --- |" + " ---: |" * (head.count("|") - 2)]
        groups = {}
        for r in rows:
            k = key(r)
            if k is not None:
                groups.setdefault(_stratum(k, strata), []).append(r)
        for stratum in strata:
            g = groups.get(stratum, [])
            if not g:
                continue
            med = lambda col: statistics.median(abs(float(r[col])) for r in g if r[col] != "")
            change = statistics.median(-float(r["no_change_error_percent"]) for r in g)
            unchanged = sum(float(r["no_change_error_percent"]) == 0 for r in g) / len(g)
            lines.append(f"| {_label(*stratum, unit)} | {len(g)} | {change:+.2f}% | {med('error_percent'):.2f}% | "
                         f"{med('no_change_error_percent'):.2f}% | {med('last_trend_error_percent'):.2f}% | "
                         f"{100 * unchanged:.0f}% |")
        return "\n".join(lines) + "\n"

    def stock_change(r):
        v = stock.get(r["area"], {})
        return 100 * (v[year] / v[first] - 1) if v.get(first, 0) > 0 and year in v else None

    return (f"By the observed change of the dwelling stock {first} → {year} (CBS PC4 figures):\n\n"
            + table("stock change", stock_change, STOCK_STRATA, "%")
            + f"\nBy inhabitants in the base year:\n\n"
            + table("inhabitants", lambda r: float(r["no_change"]), SIZE_STRATA, ""))


def render(doc, runs, national, data):
    def backtest_block(m):
        name = m.group(1)
        if name not in runs:
            sys.exit(f"docs/validation.md names an unknown backtest '{name}' (known: {', '.join(runs)})")
        return f"<!-- backtest: {name} -->\n{runs[name][0]}<!-- end backtest -->"
    doc = re.sub(r"<!-- backtest: ([\w-]+) -->\n.*?<!-- end backtest -->", backtest_block, doc, flags=re.S)
    doc = re.sub(r"<!-- national-path -->\n.*?<!-- end national-path -->",
                 lambda m: f"<!-- national-path -->\n{national}<!-- end national-path -->", doc, flags=re.S)
    doc = re.sub(r"<!-- pc4-strata -->\n.*?<!-- end pc4-strata -->",
                 lambda m: f"<!-- pc4-strata -->\n{pc4_strata(runs, data)}<!-- end pc4-strata -->", doc, flags=re.S)
    return re.sub(r"<!-- targets -->\n.*?<!-- end targets -->",
                  lambda m: f"<!-- targets -->\n{targets(runs)}<!-- end targets -->", doc, flags=re.S)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.environ.get("SOCIALTWIN_BIN",
                                                    os.path.join(ROOT, "build", "release", "bin", "socialtwin")))
    ap.add_argument("--data", default=os.path.join(ROOT, "data"))
    ap.add_argument("--check", action="store_true", help="compare, do not write; exit 1 when different")
    args = ap.parse_args()
    with open(DOC, encoding="utf-8") as f:
        doc = f.read()
    new = render(doc, run_backtests(args.bin, args.data), national_path(args.bin, args.data), args.data)
    if args.check:
        if new != doc:
            sys.stdout.writelines(difflib.unified_diff(doc.splitlines(True), new.splitlines(True),
                                                       "docs/validation.md", "socialtwin backtest now"))
            print("\ndocs/validation.md is stale: run /usr/bin/python3 tools/validation.py")
            return 1
        return 0
    if new != doc:
        with open(DOC, "w", encoding="utf-8") as f:
            f.write(new)
    print("docs/validation.md " + ("regenerated" if new != doc else "unchanged"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
