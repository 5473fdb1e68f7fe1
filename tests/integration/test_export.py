"""`socialtwin export RESULT.h5 -o FILE.xlsx|FILE.csv` (docs/export.md): a result as spreadsheets a
planner opens, with units in the headers, the figures of the HDF5 file, and under --disclosure cbs
exactly the published ones. On the shipped Den Haag Zuid-West dataset (PC6 areas, some with fewer
than 5 inhabitants), three years."""
import os
import subprocess

import h5py
import numpy as np
import pandas as pd
import pytest

from conftest import ROOT

THEMES_NL = ["Bevolking", "Huishoudens", "Wonen", "Zorg", "Bereikbaarheid", "Kosten"]
THEMES_EN = ["Population", "Households", "Housing", "Care", "Accessibility", "Costs"]


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    binary = os.environ.get("SOCIALTWIN_BIN", str(ROOT / "build/release/bin/socialtwin"))
    folder = tmp_path_factory.mktemp("export")
    path = folder / "run.h5"
    subprocess.run([binary, "run", ROOT / "scenarios" / "baseline.yaml", "--set", "horizon=2",
                    "-o", path, "--quiet"], check=True, capture_output=True, timeout=600)
    return path


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def header(dataset):
    """The header export gives an indicator: "long_name [unit_label]"."""
    return f"{text(dataset.attrs['long_name'])} [{text(dataset.attrs['unit_label'])}]"


def levels_of(path):
    with h5py.File(path, "r") as f:
        return [text(f["area"].attrs["level"])] + list(f["aggregates"])


def xlsx_supported(socialtwin, result, tmp_path):
    """Whether this build writes .xlsx; without libxlsxwriter, that it says which package."""
    out = socialtwin("export", result, "-o", tmp_path / "probe.xlsx", check=False)
    if out.returncode == 2 and "libxlsxwriter-dev" in out.stderr:
        assert str(tmp_path / "probe.xlsx") in out.stderr  # the file asked for, no temporary
        assert list(tmp_path.iterdir()) == []
        return False
    assert out.returncode == 0, out.stderr
    return True


@pytest.fixture
def openpyxl(socialtwin, result, tmp_path):
    module = pytest.importorskip("openpyxl")  # python3-openpyxl: ./install-deps.sh --test
    if not xlsx_supported(socialtwin, result, tmp_path):
        pytest.skip("this build has no .xlsx export (libxlsxwriter-dev not installed)")
    return module


def sheet_rows(book, name):
    rows = book[name].iter_rows(values_only=True)
    head = next(rows)
    return list(head), [list(row) for row in rows]


def test_xlsx_has_an_about_sheet_a_sheet_per_level_and_theme_and_sources(socialtwin, result,
                                                                          tmp_path, openpyxl):
    out = tmp_path / "x.xlsx"
    socialtwin("export", result, "-o", out)
    book = openpyxl.load_workbook(out, read_only=True)
    expected = (["Over dit bestand"]
                + [f"{theme} {level}" for level in levels_of(result) for theme in THEMES_NL]
                + ["Bronnen"])
    # Every indicator of the run has a theme: no "Overig" sheet.
    assert book.sheetnames == expected
    about = dict((row[0], row[1]) for row in book["Over dit bestand"].iter_rows(values_only=True)
                 if row[0])
    assert about["scenario"].startswith("baseline")
    assert about["basisjaar"] == "2019"
    assert "niet geschikt voor publicatie" in about["geheimhouding"]
    assert "modeluitkomsten" in about["gemodelleerd"]


def test_xlsx_cells_are_the_hdf5_numbers_under_headers_with_units(socialtwin, result, tmp_path,
                                                                   openpyxl):
    out = tmp_path / "x.xlsx"
    socialtwin("export", result, "-o", out)
    book = openpyxl.load_workbook(out, read_only=True)
    level = levels_of(result)[0]
    head, rows = sheet_rows(book, f"Bevolking {level}")
    with h5py.File(result, "r") as f:
        years, areas = f["year"][:], [text(a) for a in f["area"][:]]
        population = f["population"][:]
        assert head[:2] == ["jaar", f"code {level}"]
        column = head.index(header(f["population"]))
        by_age = header(f["population_by_age_sex"])
        assert f"{by_age} female 65-69" in head  # a column per (sex, age band)
        female_6569 = head.index(f"{by_age} female 65-69")
        value_6569 = f["population_by_age_sex"][:, :, 1, 13]
    assert len(rows) == len(years) * len(areas)
    for i, row in enumerate(rows):
        y, a = divmod(i, len(areas))
        assert row[0] == years[y] and row[1] == areas[a]
        assert isinstance(row[column], (int, float))  # numbers, not text
        # libxlsxwriter writes 16 significant digits (Excel shows 15): equal to 1 part in 1e15.
        assert row[column] == pytest.approx(population[y, a], rel=1e-15, abs=0)
        assert row[female_6569] == pytest.approx(value_6569[y, a], rel=1e-15, abs=0)
    # Every indicator column carries its unit; the key columns (year, code, names) come first.
    assert head[column:] and all(" [" in h and "]" in h for h in head[column:])
    assert all("[" not in h for h in head[:column])


def test_xlsx_header_row_is_frozen_and_filtered(socialtwin, result, tmp_path, openpyxl):
    out = tmp_path / "x.xlsx"
    socialtwin("export", result, "-o", out, "--levels", "gemeente")
    book = openpyxl.load_workbook(out)  # not read-only: panes and filters are sheet settings
    sheet = book["Zorg gemeente"]
    assert sheet.freeze_panes == "A2"
    rows = sheet.max_row
    assert sheet.auto_filter.ref.startswith("A1:") and sheet.auto_filter.ref.endswith(str(rows))
    assert all(cell.font.b for cell in sheet[1])  # bold headers


def test_xlsx_sources_sheet_lists_every_indicator_with_units_and_source(socialtwin, result,
                                                                        tmp_path, openpyxl):
    out = tmp_path / "x.xlsx"
    socialtwin("export", result, "-o", out, "--lang", "en")
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames[0] == "About" and book.sheetnames[-1] == "Sources"
    assert f"Population {levels_of(result)[0]}" in book.sheetnames
    head, rows = sheet_rows(book, "Sources")
    by_name = {row[0]: dict(zip(head, row)) for row in rows}
    with h5py.File(result, "r") as f:
        indicators = [name for name, d in f.items()
                      if isinstance(d, h5py.Dataset) and "unit_label" in d.attrs]
        for name in indicators:
            assert by_name[name]["unit"] == text(f[name].attrs["unit_label"]), name
            assert by_name[name]["units (UDUNITS)"] == text(f[name].attrs["units"]), name
        assert by_name["gp_fte_needed"]["source of the rates"] == \
            text(f["gp_fte_needed"].attrs["source"])
    assert set(by_name) == set(indicators)
    assert all(row["nature"].startswith("modelled") for row in by_name.values())


def test_xlsx_under_disclosure_has_small_areas_empty_and_counts_in_fives(socialtwin, result,
                                                                        tmp_path, openpyxl):
    out = tmp_path / "published.xlsx"
    printed = socialtwin("export", result, "-o", out, "--disclosure", "cbs").stdout
    assert "area-years suppressed" in printed
    book = openpyxl.load_workbook(out, read_only=True)
    level = levels_of(result)[0]
    head, rows = sheet_rows(book, f"Bevolking {level}")
    with h5py.File(result, "r") as f:
        population = f["population"][:]
        column = head.index(header(f["population"]))
        births = head.index(header(f["births"]))
    n_areas = population.shape[1]
    small = [(y, a) for y in range(population.shape[0]) for a in range(n_areas)
             if population[y, a] < 5]
    assert small, "the dataset has areas with fewer than 5 inhabitants"
    for y, a in small:
        row = rows[y * n_areas + a]
        assert row[column] is None and row[births] is None
        assert all(cell is None for cell in row[column:]), "every figure of the area suppressed"
    counts = [row[column] for row in rows if row[column] is not None]
    assert counts and all(value % 5 == 0 for value in counts)


def test_xlsx_under_disclosure_equals_the_published_hdf5(socialtwin, result, tmp_path, openpyxl):
    socialtwin("export", result, "-o", tmp_path / "p.h5", "--disclosure", "cbs")
    socialtwin("export", result, "-o", tmp_path / "p.xlsx", "--disclosure", "cbs")
    book = openpyxl.load_workbook(tmp_path / "p.xlsx", read_only=True)
    head, rows = sheet_rows(book, "Zorg buurt")
    with h5py.File(tmp_path / "p.h5", "r") as f:
        published = f["aggregates/buurt/gp_contacts"][:].ravel()
        column = head.index(header(f["aggregates/buurt/gp_contacts"]))
    cells = np.array([np.nan if row[column] is None else row[column] for row in rows], float)
    np.testing.assert_array_equal(cells, published)


def test_dutch_csv_reads_back_with_semicolons_and_decimal_commas(socialtwin, result, tmp_path):
    out = tmp_path / "x.csv"
    socialtwin("export", result, "-o", out, "--dutch")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel NL reads it as UTF-8
    # round_trip: pandas' default parser may be 1 ulp off; the file's digits are exact.
    table = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig", dtype={1: str},
                        float_precision="round_trip")
    with h5py.File(result, "r") as f:
        for name in ("population", "cost_wmo_eur", "gp_fte_needed", "distance_to_gp_practice_km"):
            values = table[header(f[name])].to_numpy(float)
            np.testing.assert_array_equal(values, f[name][:].ravel(), err_msg=name)
        assert list(table.iloc[:, 0].unique()) == list(f["year"][:])
        # The aggregates levels, one file each beside it.
        for level in f["aggregates"]:
            beside = pd.read_csv(tmp_path / f"x_{level}.csv", sep=";", decimal=",",
                                 encoding="utf-8-sig", dtype={1: str},
                                 float_precision="round_trip")
            np.testing.assert_array_equal(
                beside[header(f["aggregates"][level]["population"])].to_numpy(float),
                f["aggregates"][level]["population"][:].ravel(), err_msg=level)
    assert any(b"," in line for line in raw.splitlines()[1:50]), "decimal commas expected"


def test_default_csv_is_comma_separated_with_decimal_points(socialtwin, result, tmp_path):
    out = tmp_path / "x.csv"
    socialtwin("export", result, "-o", out, "--format", "csv", "--lang", "en")
    assert not out.read_bytes().startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(out, dtype={1: str}, float_precision="round_trip")
    assert table.columns[0] == "year"
    with h5py.File(result, "r") as f:
        np.testing.assert_array_equal(table[header(f["cost_wmo_eur"])].to_numpy(float),
                                      f["cost_wmo_eur"][:].ravel())


def test_levels_chooses_what_is_written_and_the_first_takes_the_file_name(socialtwin, result,
                                                                          tmp_path):
    out = tmp_path / "x.csv"
    socialtwin("export", result, "-o", out, "--levels", "gemeente,buurt,gemeente")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.csv", "x_buurt.csv"]
    with h5py.File(result, "r") as f:
        for path, level in ((out, "gemeente"), (tmp_path / "x_buurt.csv", "buurt")):
            table = pd.read_csv(path, float_precision="round_trip")
            assert table.columns[1] == f"code {level}"
            np.testing.assert_array_equal(
                table[header(f[f"aggregates/{level}/population"])].to_numpy(float),
                f[f"aggregates/{level}/population"][:].ravel())


def test_a_published_file_exports_as_published_and_an_exact_one_says_so(socialtwin, result,
                                                                         tmp_path):
    exact = socialtwin("export", result, "-o", tmp_path / "e.csv", "--levels", "gemeente")
    assert "exact values, not for publication" in exact.stdout
    socialtwin("export", result, "-o", tmp_path / "p.h5", "--disclosure", "cbs")
    again = socialtwin("export", tmp_path / "p.h5", "-o", tmp_path / "p.csv", "--levels", "wijk")
    assert "published under disclosure control (CBS" in again.stdout
    with h5py.File(tmp_path / "p.h5", "r") as f:
        table = pd.read_csv(tmp_path / "p.csv", float_precision="round_trip")
        np.testing.assert_array_equal(table[header(f["aggregates/wijk/population"])].to_numpy(float),
                                      f["aggregates/wijk/population"][:].ravel())


@pytest.mark.parametrize("args", [["-o", "{d}/x.xlsx", "--format", "ods"],
                                  ["-o", "{d}/x.xls"],
                                  ["-o", "{d}/x.csv", "--lang", "de"],
                                  ["-o", "{d}/x.h5", "--disclosure", "cbs", "--lang", "de"],
                                  ["-o", "{d}/x.csv", "--disclosure", "gdpr"],
                                  ["-o", "{d}/x.csv", "--levels", "buurt,nowhere"],
                                  ["-o", "{d}/x.xlsx", "--dutch"],
                                  ["-o", "{d}/x.h5", "--disclosure", "cbs", "--levels", "buurt"]])
def test_bad_options_exit_2_and_write_nothing(socialtwin, result, tmp_path, args):
    out = socialtwin("export", result, *[a.format(d=tmp_path) for a in args], check=False)
    assert out.returncode == 2, out.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_output_that_is_the_input_is_refused_and_the_input_kept(socialtwin, result, tmp_path):
    mine = tmp_path / "mine.csv"
    # A result named .csv would be replaced by its own export: refused by device and inode.
    mine.write_bytes(result.read_bytes())
    before = mine.read_bytes()
    out = socialtwin("export", mine, "-o", mine, check=False)
    assert out.returncode == 2, out.stderr
    assert str(mine) in out.stderr
    assert mine.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.csv"]


def test_a_failed_export_leaves_no_file(socialtwin, tmp_path):
    bad = tmp_path / "not-a-result.h5"
    bad.write_bytes(b"not HDF5")
    for name in ("x.csv", "x.xlsx"):
        out = socialtwin("export", bad, "-o", tmp_path / name, check=False)
        assert out.returncode == 2, out.stderr
        assert str(bad) in out.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-result.h5"]
