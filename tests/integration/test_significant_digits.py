"""Results rounded to a number of significant digits (scenario key `output.significant_digits`,
docs/output-schema.md "Precision"): BitRound of every stored indicator value to
ceil(digits x log2 10) mantissa bits, stated as CF 1.12 quantization (a `quantization_info`
container with `algorithm = "bitround"`, each indicator's `quantization` and `quantization_nsb`).

What it promises, each tested here: counts stay exact (every whole number below 2^(bits + 1));
any other value moves by at most half its last kept bit; the aggregates are the unrounded run's,
bit for bit; the file is smaller; tools/cf_check.py passes it; a file without the key is as
before (no quantization attributes).
"""
import subprocess
import sys

import h5py
import numpy as np
import pytest

from conftest import HERE, ROOT, short_scenario

DIGITS = 4
BITS = 14  # ceil(4 x log2 10)


@pytest.fixture(scope="module")
def results(socialtwin, tmp_path_factory):
    """The Zuid-West baseline 2019-2021 on the cohort core, and on the agent core with 3
    replicates (each kept per area), as computed and rounded to DIGITS significant digits
    (float64 and float32)."""
    directory = tmp_path_factory.mktemp("digits")
    runs = {}
    for core, extra in (("cohort", ()), ("agent", ("--core", "agent", "--replicates", "3", "--set",
                                              "output.replicates_per_area=all"))):
        for variant, sets in (("exact", ()),
                              ("rounded", ("--set", f"output.significant_digits={DIGITS}")),
                              ("rounded32", ("--set", f"output.significant_digits={DIGITS}",
                                             "--set", "output.precision=float32"))):
            runs[core, variant] = directory / f"{core}-{variant}.h5"
            socialtwin("run", short_scenario(directory, "baseline", horizon=2), "-o",
                       runs[core, variant], "--quiet", *extra, *sets)
    return runs


def indicators(f):
    """The indicators and their companions (replicates, quantiles): what carries a `kind`."""
    return [n for n in f if isinstance(f[n], h5py.Dataset) and "kind" in f[n].attrs]


@pytest.mark.parametrize("core", ["cohort", "agent"])
def test_a_rounded_result_says_how_it_was_rounded(results, core):
    with h5py.File(results[core, "rounded"], "r") as f:
        container = f["quantization_info"]
        assert container.shape == ()
        assert container.attrs["algorithm"] == "bitround"
        assert container.attrs["implementation"].startswith("socialtwin ")
        names = indicators(f)
        assert "population" in names
        for name in names:
            assert f[name].attrs["quantization"] == "quantization_info", name
            assert int(f[name].attrs["quantization_nsb"]) == BITS, name
        # The aggregates are not rounded and say nothing of it.
        assert "quantization" not in f["aggregates/buurt/population"].attrs
    with h5py.File(results[core, "exact"], "r") as f:
        assert "quantization_info" not in f
        assert not any("quantization" in f[n].attrs for n in indicators(f))


@pytest.mark.parametrize("variant", ["rounded", "rounded32"])
@pytest.mark.parametrize("core", ["cohort", "agent"])
def test_each_value_moves_by_at_most_half_its_last_kept_bit_and_counts_stay_exact(
        results, core, variant):
    with h5py.File(results[core, "exact"], "r") as exact, \
            h5py.File(results[core, variant], "r") as rounded:
        for name in indicators(exact):
            a = exact[name][()]
            b = rounded[name][()].astype(np.float64)
            if variant == "rounded32":
                a = a.astype(np.float32).astype(np.float64)
            if core == "agent" and not name.endswith("_replicates"):
                # Means and quantiles of rounded replicates: within the rounding of the
                # replicates' magnitudes.
                base = name.removesuffix("_quantiles") + "_replicates"
                largest = np.nanmax(np.abs(exact[base][()]), initial=0.0) if base in exact \
                    else np.nanmax(np.abs(a), initial=0.0)
                finite = np.isfinite(a)
                assert np.all(np.abs(b[finite] - a[finite]) <= 2.0 ** -BITS * largest), name
                continue
            finite = np.isfinite(a)
            assert np.array_equal(finite, np.isfinite(b)), name
            assert np.all(np.abs(b[finite] - a[finite])
                          <= 2.0 ** -(BITS + 1) * np.abs(a[finite])), name
            whole = finite & (a == np.round(a)) & (np.abs(a) < 2.0 ** (BITS + 1))
            np.testing.assert_array_equal(b[whole], a[whole], name)
        # Persons are counted: exactly the same in a rounded file.
        if core == "cohort":
            return
        np.testing.assert_array_equal(rounded["population_replicates"][()],
                                      exact["population_replicates"][()])


@pytest.mark.parametrize("core", ["cohort", "agent"])
def test_the_aggregates_are_computed_before_rounding(results, core):
    """One run: the aggregates are the unrounded run's, bit for bit. Several replicates: their
    mean is taken from the stored (rounded) replicates, so its aggregates are within the
    rounding of the values summed."""
    with h5py.File(results[core, "exact"], "r") as exact, \
            h5py.File(results[core, "rounded"], "r") as rounded:
        compared = 0

        def visit(name, item):
            nonlocal compared
            if isinstance(item, h5py.Dataset) and item.dtype.kind == "f":
                got, expected = rounded["aggregates"][name][()], item[()]
                if core == "cohort":
                    np.testing.assert_array_equal(got, expected, name)
                else:
                    largest = np.nanmax(np.abs(expected), initial=0.0)
                    np.testing.assert_allclose(got, expected, rtol=0,
                                               atol=2.0 ** -BITS * max(largest, 1.0),
                                               err_msg=name)
                compared += 1
        exact["aggregates"].visititems(visit)
        assert compared > 50


def test_a_rounded_file_is_smaller(results):
    # Cohort values are expected counts with full mantissas: the cleared bits compress away.
    exact = results["cohort", "exact"].stat().st_size
    rounded = results["cohort", "rounded"].stat().st_size
    assert rounded < 0.8 * exact, (rounded, exact)


@pytest.mark.parametrize("variant", ["rounded", "rounded32"])
def test_a_rounded_result_passes_the_cf_check(results, variant):
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "cf_check.py"),
                          str(results["agent", variant])], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_info_says_a_result_is_rounded(socialtwin, results):
    lines = socialtwin("info", results["cohort", "rounded"]).stdout.splitlines()
    values = [line for line in lines if line.split()[:1] == ["values"]]
    assert values and f"{DIGITS} significant digits" in values[0], lines


@pytest.mark.parametrize("digits", ["0.5", "16", "-1", "five"])
def test_a_bad_number_of_digits_is_refused_with_the_key_named(socialtwin, tmp_path, digits):
    run = socialtwin("run", short_scenario(tmp_path, "baseline", horizon=1), "-o",
                     tmp_path / "x.h5", "--set", f"output.significant_digits={digits}",
                     check=False)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "output.significant_digits" in run.stderr
    assert not (tmp_path / "x.h5").exists()
