"""Where a run with several replicates keeps each replicate (scenario key
`output.replicates_per_area`, docs/output-schema.md "Replicates"): by default (`percentiles`) an
area keeps the mean and the 5th/50th/95th percentiles over replicates, and every replicate is kept
per larger area in /aggregates; `all` also keeps every replicate of every area. The two files of
one run agree on everything both hold, bit for bit, and every reader that used the areas'
replicates finds what it needs in either.
"""
import re

import h5py
import numpy as np
import pytest

from conftest import assert_same_values, short_scenario

REPLICATES = "4"


@pytest.fixture(scope="module")
def files(socialtwin, tmp_path_factory):
    """The Zuid-West baseline 2019-2022 on the agent core with 4 replicates, once with the
    default and once with every replicate per area."""
    folder = tmp_path_factory.mktemp("replicates_per_area")
    scenario = short_scenario(folder, "baseline", horizon=3)
    out = {"percentiles": folder / "percentiles.h5", "all": folder / "all.h5"}
    socialtwin("run", scenario, "--core", "agent", "--replicates", REPLICATES, "-o",
               out["percentiles"], "--quiet")
    socialtwin("run", scenario, "--core", "agent", "--replicates", REPLICATES, "--set",
               "output.replicates_per_area=all", "-o", out["all"], "--quiet")
    return folder, out


def datasets(path):
    """Every dataset outside /meta (whose timings and creation time differ from run to run)."""
    found = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: found.setdefault(name, None)
                     if isinstance(obj, h5py.Dataset) and not name.startswith("meta") else None)
    return sorted(found)


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def test_by_default_an_area_keeps_the_mean_and_percentiles_and_a_larger_area_every_replicate(
        files):
    _, out = files
    with h5py.File(out["percentiles"], "r") as f:
        assert text(f.attrs["replicates_per_area"]) == "percentiles"
        indicators = [n for n in f if isinstance(f[n], h5py.Dataset) and "kind" in f[n].attrs
                      and not n.endswith("_quantiles")]
        assert "population" in indicators and "gp_contacts_by_age_sex" in indicators
        for name in indicators:
            assert name + "_replicates" not in f, name
            assert f[name + "_quantiles"].shape == (3,) + f[name].shape, name
            for level in ("buurt", "wijk", "gemeente"):
                replicates = f[f"aggregates/{level}/{name}_replicates"]
                assert replicates.shape[0] == int(REPLICATES), (level, name)
                assert not np.isnan(replicates[()]).all(), (level, name)
                description = text(replicates.attrs["description"])
                assert description.endswith(("(each replicate)", "(each replicate).")), description
                assert "mean over replicates" not in description
    with h5py.File(out["all"], "r") as f:
        assert text(f.attrs["replicates_per_area"]) == "all"
        assert f["population_replicates"].shape[0] == int(REPLICATES)


def test_both_files_hold_the_same_means_percentiles_and_aggregates_to_the_bit(files):
    _, out = files
    kept, every = datasets(out["percentiles"]), datasets(out["all"])
    # What the default leaves out is exactly the areas' replicates.
    assert sorted(set(every) - set(kept)) == sorted(
        n for n in every if n.endswith("_replicates") and "/" not in n)
    assert set(kept) <= set(every)
    with h5py.File(out["percentiles"], "r") as a, h5py.File(out["all"], "r") as b:
        for name in kept:
            assert_same_values(a[name][()], b[name][()], name)
            for attribute, value in b[name].attrs.items():
                if attribute not in ("DIMENSION_LIST", "REFERENCE_LIST"):
                    assert text(a[name].attrs[attribute]) == text(value), (name, attribute)


def test_the_areas_percentiles_are_those_of_the_replicates_the_default_does_not_keep(files):
    _, out = files
    with h5py.File(out["percentiles"], "r") as a, h5py.File(out["all"], "r") as b:
        for name in ("population", "gp_contacts_by_age_sex"):
            expected = np.quantile(b[name + "_replicates"][()].astype(np.float64),
                                   [0.05, 0.5, 0.95], axis=0)
            np.testing.assert_array_equal(a[name + "_quantiles"][()],
                                          expected.astype(a[name + "_quantiles"].dtype))


def test_a_run_leaves_only_its_result_in_the_folder(files):
    # The replicates wait in a scratch file beside the result until the run ends; it is removed.
    folder, out = files
    assert sorted(p.name for p in folder.iterdir() if p.suffix == ".h5" or
                  p.name.startswith(".socialtwin-")) == sorted(p.name for p in out.values())


def test_the_report_draws_the_band_of_a_total_from_the_larger_areas(socialtwin, files):
    # The band (5th-95th percentile over replicates of the total) comes from /aggregates when the
    # areas keep no replicates: every chart of the report is the same for either file (the
    # pages differ only in the scenario settings they list).
    folder, out = files
    charts = {}
    for kind, path in out.items():
        page = folder / f"report-{kind}.html"
        socialtwin("report", path, "-o", page)
        html = page.read_text()
        assert "p5–p95" in html, kind
        charts[kind] = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    assert len(charts["all"]) > 3
    assert charts["percentiles"] == charts["all"]


def test_info_says_where_the_replicates_are(socialtwin, files):
    _, out = files
    default = socialtwin("info", out["percentiles"]).stdout
    assert "_quantiles" in default and "/aggregates" in default
    assert "X_replicates (replicate first" not in default
    assert "X_replicates (replicate first" in socialtwin("info", out["all"]).stdout


def test_aggregating_a_default_file_again_gives_a_new_level_its_means(socialtwin, files, tmp_path):
    # A level added later (`socialtwin aggregate --levels`) is aggregated from the areas: their
    # means and, without their replicates, no replicates; the levels the run wrote stay whole.
    _, out = files
    again = tmp_path / "again.h5"
    socialtwin("aggregate", out["percentiles"], "--levels", "buurt_name", "-o", again)
    with h5py.File(again, "r") as f:
        assert "population" in f["aggregates/buurt_name"]
        assert "population_replicates" not in f["aggregates/buurt_name"]
        assert f["aggregates/buurt/population_replicates"].shape[0] == int(REPLICATES)
