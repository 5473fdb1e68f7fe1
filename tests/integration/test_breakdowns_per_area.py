"""Which indicators each area keeps (scenario key `output.breakdowns_per_area`,
docs/output-schema.md "Breakdowns per area"): by default (`all`) every one; with `none` an area
keeps only the indicators without a breakdown, and those by sex and age band, household type,
dwelling type and tenure are kept per pc4, buurt, wijk and gemeente in /aggregates. Whatever the
smaller file holds is the larger one's, bit for bit, and the commands that read results find
the breakdowns where the file keeps them.
"""
import re

import h5py
import numpy as np
import pytest

from conftest import ROOT, assert_same_values, short_scenario

LEVELS = ("pc4", "buurt", "wijk", "gemeente")
OBSERVATIONS = ROOT / "data" / "observations" / "denhaag-zuidwest-pc4"


@pytest.fixture(scope="module")
def files(socialtwin, tmp_path_factory):
    """The Zuid-West baseline and vergrijzing 2019-2022 on the agent core, each with every
    indicator per area and with breakdowns per larger area only; the baseline with 3 replicates
    both ways and on the cohort core both ways too."""
    folder = tmp_path_factory.mktemp("breakdowns_per_area")
    baseline = short_scenario(folder, "baseline", horizon=3)
    vergrijzing = short_scenario(folder, "vergrijzing", horizon=3)
    out = {}
    for kept in ("all", "none"):
        runs = {"agent": (baseline, "--core", "agent"),
                "vergrijzing": (vergrijzing, "--core", "agent"),
                "replicates": (baseline, "--core", "agent", "--replicates", "3"),
                "cohort": (baseline, "--core", "cohort")}
        for run, args in runs.items():
            out[run, kept] = folder / f"{run}-{kept}.h5"
            socialtwin("run", *args, "--set", f"output.breakdowns_per_area={kept}", "-o",
                       out[run, kept], "--quiet")
    return folder, out


def contents(path):
    """Every dataset outside /meta (whose timings and creation time differ from run to run)."""
    found = []
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: found.append(name)
                     if isinstance(obj, h5py.Dataset) and not name.startswith("meta") else None)
    return sorted(found)


def attributes(dataset):
    """Its attributes as text, without the dimension scales' object references."""
    out = {}
    for key, value in dataset.attrs.items():
        if key in ("DIMENSION_LIST", "REFERENCE_LIST"):
            continue
        out[key] = "nan" if isinstance(value, (float, np.floating)) and np.isnan(value) else \
            str(value.tolist() if isinstance(value, np.ndarray) else value)
    return out


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def test_by_default_every_area_keeps_every_indicator(files):
    _, out = files
    with h5py.File(out["agent", "all"], "r") as f:
        assert text(f.attrs["breakdowns_per_area"]) == "all"
        assert f["population_by_age_sex"].shape[2:] == (2, 20)  # sex, age band
        assert f["households_by_type_head_age"].ndim == 4


@pytest.mark.parametrize("run", ["agent", "replicates", "cohort"])
def test_with_none_an_area_keeps_the_indicators_without_a_breakdown_and_a_larger_area_all(
        files, run):
    _, out = files
    with h5py.File(out[run, "all"], "r") as every, h5py.File(out[run, "none"], "r") as kept:
        assert text(kept.attrs["breakdowns_per_area"]) == "none"
        indicators = [n for n in every if isinstance(every[n], h5py.Dataset)
                      and "kind" in every[n].attrs and not n.endswith(("_quantiles", "_replicates"))]
        breakdowns = [n for n in indicators if every[n].ndim > 2]
        assert {"population_by_age_sex", "gp_contacts_by_age_sex",
                "households_by_type_head_age", "dwellings_by_type_tenure"} <= set(breakdowns)
        for name in indicators:
            companions = [name + "_quantiles"] if run == "replicates" else []
            for variable in [name] + companions:
                assert (variable in kept) == (name not in breakdowns), variable
            for level in LEVELS:
                assert f"aggregates/{level}/{name}" in kept, (level, name)
                if run == "replicates":
                    assert f"aggregates/{level}/{name}_replicates" in kept, (level, name)
                    assert f"aggregates/{level}/{name}_quantiles" in kept, (level, name)


@pytest.mark.parametrize("run", ["agent", "replicates", "cohort"])
def test_what_the_smaller_file_holds_is_the_larger_ones_to_the_bit(files, run):
    _, out = files
    kept, every = contents(out[run, "none"]), contents(out[run, "all"])
    assert set(kept) <= set(every)
    # What `none` leaves out is the areas' breakdowns (and their companions), nothing else.
    with h5py.File(out[run, "all"], "r") as a, h5py.File(out[run, "none"], "r") as b:
        for name in sorted(set(every) - set(kept)):
            assert "/" not in name and a[name].ndim > 2 + name.endswith(
                ("_quantiles", "_replicates")), name
        for name in kept:
            assert_same_values(a[name][()], b[name][()], name)
            assert attributes(a[name]) == attributes(b[name]), name


def test_the_report_draws_the_pyramids_and_shares_from_the_aggregates(socialtwin, files):
    folder, out = files
    pages = {}
    for kept in ("all", "none"):
        page = folder / f"report-{kept}.html"
        result = socialtwin("report", out["agent", kept], out["vergrijzing", kept], "-o", page)
        assert "Not drawn" not in result.stdout + result.stderr, result.stdout
        pages[kept] = page.read_text()
    # The charts and the headline table over all areas are the same numbers.
    def figures(page):
        return re.findall(r'<section id="(?:headline|population)".*?</section>', page, re.S)
    assert figures(pages["none"]) == figures(pages["all"])
    assert 'id="pyramid-0"' in pages["none"]


def test_compare_and_monitor_read_the_breakdowns_where_the_file_keeps_them(socialtwin, files):
    folder, out = files
    printed = {}
    for kept in ("all", "none"):
        compared = socialtwin("compare", out["vergrijzing", kept], out["agent", kept], "-o",
                              folder / f"difference-{kept}.h5").stdout
        monitored = socialtwin("monitor", out["agent", kept], OBSERVATIONS, "-o",
                               folder / f"monitor-{kept}.h5").stdout
        printed[kept] = [re.sub(r"\S+\.h5", "FILE", t) for t in (compared, monitored)]
    assert printed["none"] == printed["all"]
    assert "share aged 65+" in printed["none"][0]
    assert "population_by_age_sex" in printed["none"][1]
    assert "Not in the projection" not in printed["none"][1]


def test_info_says_where_the_breakdowns_are(socialtwin, files):
    _, out = files
    said = socialtwin("info", out["agent", "none"]).stdout
    sentence = "Per area only the indicators without a breakdown"
    assert sentence in said and "(output.breakdowns_per_area: none)" in said
    assert sentence not in socialtwin("info", out["agent", "all"]).stdout
    assert "per larger area in /aggregates" in said


def test_info_says_no_breakdowns_are_kept_when_no_level_holds_them(socialtwin, files):
    # Without /aggregates the run kept its breakdowns nowhere; levels made afterwards by
    # `socialtwin aggregate` come from the areas, which keep none.
    folder, _ = files
    path = folder / "none-without-aggregates.h5"
    socialtwin("run", short_scenario(folder, "baseline", horizon=1), "--core", "agent",
               "--no-aggregates", "--set", "output.breakdowns_per_area=none", "-o", path,
               "--quiet")
    said = socialtwin("info", path).stdout
    assert "nowhere: the run wrote no /aggregates" in said
    assert "per larger area in /aggregates" not in said
    socialtwin("aggregate", path)
    said = socialtwin("info", path).stdout
    assert "nowhere: the run wrote no /aggregates, and a /aggregates made afterwards" in said
    assert "per larger area in /aggregates" not in said


def test_aggregating_again_would_lose_the_breakdowns_so_it_is_refused(socialtwin, files):
    folder, out = files
    source = out["agent", "none"]
    before = source.read_bytes()
    for args in ([], ["--levels", "wijk"], ["--levels", "wijk", "--only"]):
        result = socialtwin("aggregate", source, *args, check=False)
        assert result.returncode == 2, args
        assert "output.breakdowns_per_area" in result.stderr, result.stderr
        assert "/aggregates" in result.stderr and str(source.name) in result.stderr
    assert source.read_bytes() == before
    # A file with every breakdown per area is aggregated again as before.
    socialtwin("aggregate", out["agent", "all"], "-o", folder / "again.h5")


def test_a_wrong_value_is_refused_naming_the_key_and_the_choices(socialtwin, files):
    folder, _ = files
    scenario = short_scenario(folder, "baseline", horizon=1)
    result = socialtwin("run", scenario, "--set", "output.breakdowns_per_area=some", "-o",
                        folder / "never.h5", check=False)
    assert result.returncode == 2
    assert "output.breakdowns_per_area" in result.stderr and "none" in result.stderr
    assert not (folder / "never.h5").exists()
