#!/usr/bin/python3
"""Derive socialtwin's own input files from the public source tables in ../shared/data.

The engine never reads ../shared at run time: this script is the only bridge. It runs six steps, in
this order, each in its own module:

  denhaag.py       <out>/rates/denhaag-2019/               rate set (mortality, fertility, household
                                                            positions and transitions, migration, care,
                                                            Zvw care categories, scalars)
                   <out>/datasets/denhaag-zuidwest-2019/   1,816 PC6 areas of Den Haag Zuid-West (default)
                   <out>/datasets/denhaag-2019/            all buurten of Den Haag
  national.py      <out>/rates/nl-2019/                    national rate set (same files and methods)
                   <out>/datasets/nl-pc4-2021/             all populated PC4 of the Netherlands, 2021
  geography.py     area positions, dwellings by type x tenure and modelled GP practices of those datasets
  observations.py  <out>/observations/, <out>/datasets/*-2021/ (from the 2019 datasets as written above)
  stock.py         <out>/datasets/*/stock_changes.csv: baseline change of the dwelling stock per area
                   (CBS 81955NED per gemeente, spread by the PC4 stock change; the trend after 2020)
  nursing_homes.py <out>/datasets/*/nursing_homes.csv: nursing-home capacity per area (Zorginstituut, clients)

and then checks (check_demography.py, writes nothing) that the rate sets reproduce the recorded deaths
and births: within 2% or the script fails.

common.py holds the vocabulary and helpers all of them share; rate_set.py the derivation of a rate set
that denhaag.py and national.py share. Imports run one way (no module imports this script).

Usage:  /usr/bin/python3 data/prepare/prepare_data.py [--shared ../shared/data] [--out data]

Only numpy, pandas and scipy are used (Debian python3 packages), no network. The output is deterministic:
re-running the script gives byte-identical files. Every method is documented in
docs/data-preparation.md and in the PROVENANCE.md written next to each output.
"""
import argparse
import os
import sys

import check_demography
import denhaag
import geography
import national
import nursing_homes
import observations
import stock


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=os.path.join(repo, "..", "shared", "data"))
    ap.add_argument("--out", default=os.path.join(repo, "data"))
    args = ap.parse_args()
    shared = os.path.normpath(args.shared)
    out = os.path.normpath(args.out)

    # ---- Den Haag rate set and 2019 datasets (written and self-checked by denhaag.py); first, because
    #      the national rate set reuses its mortality, fertility, care and Zvw derivations
    dh, nrows, dh_lines = denhaag.run(shared, out)

    # ---- national rate set and PC4 dataset (written and self-checked by national.py)
    _, _, nl_rows, nl_lines = national.run(shared, out, dh["q"], dh["mort"], dh["asfr_base"], dh["care"],
                                           dh["zcat"], dh["nl_pop"], dh["nl71488"])
    nrows.update(nl_rows)

    # ---- area positions, dwellings by type x tenure, modelled GP practices (geography.py, self-checked);
    #      after every 2019 dataset (it appends columns to their areas.csv) and before the observations
    #      step, which copies the 2019 areas.csv, dwellings.csv and facilities.csv
    _, geo_rows, geo_lines = geography.run(shared, out)
    nrows.update(geo_rows)

    # ---- observations and 2021 restart datasets, after every 2019 dataset file (observations.py)
    obs_rows, obs_lines = observations.run(shared, out)
    nrows.update(obs_rows)

    # ---- baseline stock change per area (stock.py), after every dataset's areas.csv
    stock_rows, stock_lines = stock.run(shared, out)
    nrows.update(stock_rows)

    # ---- nursing-home capacity per area (nursing_homes.py), last: its PROVENANCE.md section follows stock's
    nh_rows, nh_lines = nursing_homes.run(shared, out)
    nrows.update(nh_rows)

    # ---- the rate sets reproduce the recorded deaths and births (check_demography.py)
    demo_lines, demo_failures = check_demography.report(shared, out)
    assert not demo_failures, "not within 2%: " + ", ".join(demo_failures)

    # ---- report
    print("socialtwin data preparation")
    print(f"  shared: {shared}")
    print(f"  out:    {out}")
    for k, v in nrows.items():
        print(f"  {k:32s} {v:7d} rows")
    for ln in dh_lines + nl_lines + geo_lines + obs_lines + stock_lines + nh_lines + ["  " + ln for ln in demo_lines]:
        print(ln)
    print("  self-check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
