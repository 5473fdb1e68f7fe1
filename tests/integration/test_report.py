"""`socialtwin report` on the command line (docs/report.md): the HTML of tiny results in Dutch
and English, results that do not belong together refused with exit 2, a PDF without Chromium
refused naming the Debian package. The report in a real browser: tests/browser."""
import os
import subprocess

from conftest import HERE

SCENARIOS = HERE / "scenarios"


def tiny_results(socialtwin, folder, horizon=None):
    paths = []
    for name in ("tiny", "tiny_half_fertility"):
        out = folder / f"{name}{horizon or ''}.h5"
        extra = ["--set", f"horizon={horizon}"] if horizon else []
        socialtwin("run", SCENARIOS / f"{name}.yaml", "-o", out, "--quiet", *extra)
        paths.append(out)
    return paths


def test_help_lists_the_report(socialtwin):
    assert "report" in socialtwin("--help").stdout


def test_report_of_two_results_in_dutch_and_in_english(socialtwin, tmp_path):
    base, scenario = tiny_results(socialtwin, tmp_path)
    html = tmp_path / "report.html"
    made = socialtwin("report", base, scenario, "-o", html)
    assert "charts" in made.stdout
    text = html.read_text(encoding="utf-8")
    assert '<html lang="nl">' in text and "Kerncijfers" in text
    assert text.count("<svg") >= 5
    socialtwin("report", base, scenario, "-o", html, "--lang", "en")
    text = html.read_text(encoding="utf-8")
    assert '<html lang="en">' in text and "Headline figures" in text
    assert not list(tmp_path.glob(".socialtwin-*"))  # no temporary left behind


def test_results_of_other_years_are_refused_naming_the_file(socialtwin, tmp_path):
    base, _ = tiny_results(socialtwin, tmp_path)
    _, short = tiny_results(socialtwin, tmp_path, horizon=1)
    html = tmp_path / "report.html"
    refused = socialtwin("report", base, short, "-o", html, check=False)
    assert refused.returncode == 2
    assert short.name in refused.stderr and "years" in refused.stderr
    assert not html.exists()


def test_an_unknown_language_is_a_usage_error(socialtwin, tmp_path):
    base, scenario = tiny_results(socialtwin, tmp_path)
    refused = socialtwin("report", base, scenario, "-o", tmp_path / "r.html", "--lang", "de",
                         check=False)
    assert refused.returncode == 2


def test_a_pdf_without_chromium_exits_2_naming_the_package(socialtwin, tmp_path):
    base, scenario = tiny_results(socialtwin, tmp_path)
    binary = os.environ.get("SOCIALTWIN_BIN")
    env = {k: v for k, v in os.environ.items() if k != "SOCIALTWIN_CHROMIUM"}
    env["PATH"] = str(tmp_path)  # no browser there
    command = [binary or str(HERE.parent.parent / "build/release/bin/socialtwin"), "report",
               str(base), str(scenario), "-o", str(tmp_path / "r.html"), "--pdf",
               str(tmp_path / "r.pdf")]
    refused = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert refused.returncode == 2
    assert "chromium" in refused.stderr
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "r.pdf").exists()
