"""Accessibility, judged by independent checkers on the sample and on every test issue:

* the web edition: axe-core (npm, installed by scripts/setup.sh into .npm-tools/) run in
  Chromium through Selenium finds 0 violations, at phone width (390 px) and on a desktop;
  Chromium measures the charts' text (>= 12 CSS px at 390 px) and its contrast (>= 4.5:1);
  Chromium prints the page with its print stylesheet (A4, no heading at a page foot);
* the PDF/UA variant: PyPI `outloud` (PDF/UA-1 and WCAG 2.2) reports 0 errors and 0
  warnings, PyPI `pdfua` (its machine-checkable subset) 0 findings; the default PDF has the
  same structure (outloud reports only the missing XMP metadata a plain PDF has no use for).

Test issues are found, not listed: every folder of tests/fixtures/issues/ with an issue.md.
The series index (index.html beside the issue folders), when a build writes one, is checked
by axe-core too.
"""
from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from huoye.build import BuildRequest, build

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "content" / "2020-03"
CORPUS = ROOT / "tests" / "fixtures" / "issues"
AXE = ROOT / ".npm-tools" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
PHONE, DESKTOP = (390, 844), (1280, 900)


def _corpus() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if (p / "issue.md").is_file()) if CORPUS.is_dir() else []


# The sample; a variant of it made here with every chart kind (pie, multi-series bar and line,
# column) and another theme; and every test issue.
VARIANT = Path("variant")
ISSUES = [SAMPLE, VARIANT, *_corpus()]
IDS = ["sample", "variant", *("fixture-" + f.name for f in _corpus())]


def make_variant(dest: Path) -> Path:
    """A copy of content/ whose issue has other charts and another theme; its issue folder."""
    yaml = pytest.importorskip("yaml")
    shutil.copytree(ROOT / "content", dest)
    source = dest / SAMPLE.name / "issue.md"
    _, front, body = source.read_text(encoding="utf-8").split("---\n", 2)
    meta = yaml.safe_load(front)
    meta["theme"] = "地方财政与公共服务"
    column, bar, share, *_ = meta["charts"]
    column["kind"] = "pie"
    bar["series"].append({"name": "另一组对照数据", "values": [2.5, -4.0]})
    share["kind"] = "line"
    share["categories"] = ["2007年", "2012年", "2017年", "2022年"]
    share["series"] = [{"name": "份额", "values": [5, 11.5, 20, 18.25]},
                       {"name": "对照", "values": [3, 4, 6.5, 9]}]
    source.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
                      + "---\n" + body, encoding="utf-8")
    return source.parent


@pytest.fixture(scope="session")
def accessible_builds(tmp_path_factory):
    """Every issue's web edition and PDF/UA-1 variant, built once, on first use, one content
    folder at a time (a content error in one fails only its own issues' tests).
    `accessible_builds(folder)` -> {format: path, "out": the build's output folder}."""
    out = tmp_path_factory.mktemp("accessible")
    done: dict[Path, dict] = {}

    def built(folder: Path) -> dict:
        if folder not in done:
            group = {SAMPLE: [SAMPLE], VARIANT: [VARIANT]}.get(folder, _corpus())
            dest = out / f"build-{len(done)}"
            paths = [make_variant(out / "variant-content")] if folder == VARIANT else group
            try:
                results = build(BuildRequest(paths=paths, out_dir=dest, formats=("html", "pdf"),
                                             pdf_variant="pdf/ua-1", force=True, jobs=2))
            except Exception as err:  # noqa: BLE001 - reported by each test of the group
                results = [err] * len(group)
            for key, result in zip(group, results):
                if isinstance(result, Exception):
                    done[key] = {"error": f"{type(result).__name__}: {result}"}
                elif result.error:
                    done[key] = {"error": result.error}
                else:
                    done[key] = {p.suffix.lstrip("."): p for p in result.outputs} | {"out": dest}
        outputs = done[folder]
        assert "error" not in outputs, f"{folder} did not build: {outputs['error']}"
        return outputs

    return built


# ---------------------------------------------------------------- the web ---

@pytest.fixture(scope="session")
def browser():
    """Headless Chromium driven by Debian's chromedriver (no driver download)."""
    webdriver = pytest.importorskip("selenium.webdriver")
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER, AXE) if not p.is_file()]
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: run `bash scripts/setup.sh test`")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options,
                              service=webdriver.ChromeService(executable_path=str(CHROMEDRIVER)))
    driver.set_script_timeout(180)  # hang guards only
    driver.set_page_load_timeout(180)
    yield driver
    driver.quit()


def _open(driver, page: Path, size: tuple[int, int]) -> None:
    driver.set_window_size(*size)
    # The window's outer size includes no chrome in headless mode; check the layout width.
    driver.get(page.as_uri())
    width = driver.execute_script("return window.innerWidth")
    assert width == size[0], f"viewport is {width} px wide, wanted {size[0]}"


def axe_violations(driver) -> list[dict]:
    """axe-core's violations on the open page, all rules axe runs by default."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        "  .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        "     nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}))))"
        "  .catch(e => done([{id: 'axe-error', help: String(e), nodes: []}]));")


def _report(violations: list[dict]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"][:5])
                     for v in violations)


@pytest.mark.parametrize("folder", ISSUES, ids=IDS)
def test_web_edition_has_no_axe_violations_on_a_phone(browser, accessible_builds, folder):
    _open(browser, accessible_builds(folder)["html"], PHONE)
    violations = axe_violations(browser)
    assert violations == [], _report(violations)
    # axe asks for at least one h1; the issue is the one
    h1 = browser.execute_script("return [...document.querySelectorAll('h1')].map(h => h.textContent)")
    assert len(h1) == 1 and browser.title.split()[0] in h1[0], h1


META = """return Object.fromEntries([...document.querySelectorAll('meta[name], meta[property]')]
    .map(m => [m.getAttribute('name') || m.getAttribute('property'), m.content]))"""


@pytest.mark.parametrize("folder", ISSUES, ids=IDS)
def test_web_edition_has_a_description_and_open_graph_tags(browser, accessible_builds, folder):
    _open(browser, accessible_builds(folder)["html"], PHONE)
    meta = browser.execute_script(META)
    theme = browser.find_element("css selector", ".theme-name").text
    note = browser.find_element("css selector", ".note p").text
    assert meta["description"].startswith(f"本期主题：{theme}。")
    assert 10 < len(meta["description"]) <= 160 and meta["description"][len(theme) + 6:][:8] in note
    assert meta["og:title"] == browser.title
    assert meta["og:description"] == meta["description"]
    assert meta["og:type"] == "article" and meta["og:locale"] == "zh_CN"
    assert meta["og:site_name"] in browser.title
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta["article:published_time"])


def test_web_edition_has_no_axe_violations_on_a_desktop(browser, accessible_builds):
    _open(browser, accessible_builds(SAMPLE)["html"], DESKTOP)
    violations = axe_violations(browser)
    assert violations == [], _report(violations)


@pytest.mark.parametrize("folder", [SAMPLE, *_corpus()[:1]], ids=["sample", "fixtures"][:1 + bool(_corpus())])
def test_series_index_has_no_axe_violations(browser, accessible_builds, folder):
    """The series index a build writes beside the issue folders (once builds write one)."""
    index = accessible_builds(folder)["out"] / "index.html"
    if not index.is_file():
        pytest.skip("this build writes no series index (output/index.html)")
    for size in (PHONE, DESKTOP):
        _open(browser, index, size)
        violations = axe_violations(browser)
        assert violations == [], f"{index} at {size[0]} px:\n{_report(violations)}"


def _luminance(rgb: tuple[float, ...]) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0-255 channels)."""
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: tuple[float, ...], bg: tuple[float, ...]) -> float:
    hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula_matches_wcag_examples():
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((0x76, 0x76, 0x76), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)
    assert contrast((0x8a, 0x83, 0x78), (255, 255, 255)) == pytest.approx(3.75, abs=0.01)


CHART_TEXT = """
const rgb = s => s.match(/[\\d.]+/g).map(Number);
function background(el) {
  for (; el; el = el.parentElement) {
    const c = getComputedStyle(el).backgroundColor;
    if (!/rgba\\(.*, 0\\)$/.test(c) && c !== 'transparent') return rgb(c);
  }
  return [255, 255, 255];
}
return [...document.querySelectorAll('figure.chart svg text')].map(t => {
  const m = t.getScreenCTM();
  return {text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b),
          fill: rgb(getComputedStyle(t).fill), background: background(t.closest('svg'))};
});
"""


@pytest.mark.parametrize("folder", ISSUES, ids=IDS)
def test_chart_text_is_at_least_12_px_at_phone_width_with_enough_contrast(browser, accessible_builds,
                                                                          folder):
    _open(browser, accessible_builds(folder)["html"], PHONE)
    labels = browser.execute_script(CHART_TEXT)
    charts = browser.execute_script("return document.querySelectorAll('figure.chart').length")
    if not charts:
        pytest.skip(f"{folder.name} has no chart")
    assert labels, "charts without text"
    small = [(label["text"], round(label["px"], 1)) for label in labels if label["px"] < 12]
    assert small == [], f"chart labels under 12 CSS px at {PHONE[0]} px: {small[:10]}"
    faint = [(label["text"], round(contrast(label["fill"], label["background"]), 2))
             for label in labels if contrast(label["fill"], label["background"]) < 4.5]
    assert faint == [], f"chart labels under 4.5:1 contrast: {faint[:10]}"


@pytest.mark.parametrize("folder", ISSUES, ids=IDS)
def test_chart_data_is_a_table_on_request(browser, accessible_builds, folder):
    """Each chart's numbers are in a table: hidden until the reader opens 数据表, and then
    the same numbers the chart draws."""
    _open(browser, accessible_builds(folder)["html"], PHONE)
    charts = browser.find_elements("css selector", "figure.chart")
    if not charts:
        pytest.skip(f"{folder.name} has no chart")
    for chart in charts:
        table = chart.find_element("css selector", "details table")
        assert not table.is_displayed()
        chart.find_element("css selector", "details summary").click()
        assert table.is_displayed()
        cells = [td.text for td in table.find_elements("css selector", "tbody td")]
        drawn = browser.execute_script(
            "return [...arguments[0].querySelectorAll('svg text')].map(t => t.textContent)", chart)
        assert cells and all(c in " ".join(drawn) for c in cells), (cells, drawn)


HEADING_END = "QQEND"  # put after each heading's text, printed 1 px high


def _print(driver, page: Path, tmp_path: Path) -> Path:
    """The page printed by Chromium with its print stylesheet (paper size from @page), each
    heading's end marked by HEADING_END."""
    driver.set_window_size(*DESKTOP)
    driver.get(page.as_uri())
    driver.execute_script(
        "for (const h of document.querySelectorAll('h1, h2, h3, h4')) {"
        "  const m = document.createElement('span'); m.textContent = arguments[0];"
        "  m.style.fontSize = '1px'; h.append(m); }", HEADING_END)
    pdf = driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})
    path = tmp_path / "printed.pdf"
    path.write_bytes(base64.b64decode(pdf["data"]))
    return path


@pytest.mark.parametrize("folder", ISSUES, ids=IDS)
def test_printing_the_web_page_gives_a4_with_no_heading_at_a_page_foot(browser, accessible_builds,
                                                                       folder, tmp_path):
    printed = _print(browser, accessible_builds(folder)["html"], tmp_path)
    info = subprocess.run(["pdfinfo", str(printed)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:.*pts \(A4\)", info), info  # Chromium's own default is Letter
    pages = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(printed), "-"], capture_output=True,
                           text=True, check=True).stdout.split("\f")[:-1]
    assert len(pages) >= 2
    text = "".join(pages)
    assert text.count(HEADING_END) == browser.execute_script(
        "return document.querySelectorAll('h1, h2, h3, h4').length")
    # A heading is stranded when its last line is the last line of a page (not the last page);
    # -raw: in the order drawn, so that the 1 px marker stays on its heading's line.
    stranded = [(number, text.strip().splitlines()[-1])
                for number, text in enumerate(pages[:-1], start=1)
                if HEADING_END in (text.strip().splitlines() or [""])[-1]]
    assert stranded == [], f"headings at the foot of a printed page: {stranded}"
    assert "数据表" not in text  # the charts' data tables are for the screen


# ---------------------------------------------------------------- the PDF ---

def _tool(name: str) -> str:
    exe = shutil.which(name, path=str(Path(sys.executable).parent))
    assert exe, f"{name} is not installed: pip install -e '.[test]'"
    return exe


@pytest.fixture(scope="session")
def outloud(accessible_builds, built_sample, tmp_path_factory):
    """outloud's report of each PDF/UA variant and of the sample's default PDF, made by one
    outloud run (it takes seconds to start): {pdf path: result}."""
    pdfs = [built_sample["pdf"]]
    for folder in ISSUES:
        try:
            pdfs.append(accessible_builds(folder)["pdf"])
        except AssertionError:  # that issue's own tests report it
            pass
    report = tmp_path_factory.mktemp("outloud") / "outloud.json"
    subprocess.run([_tool("outloud"), "--json", str(report), "--fail-on", "never", "-q", *map(str, pdfs)],
                   capture_output=True, text=True, check=True, timeout=1200)
    results = json.loads(report.read_text(encoding="utf-8"))["results"]
    assert len(results) == len(pdfs)
    by_path = {Path(r["path"]).resolve(): r for r in results}
    return lambda pdf: by_path[Path(pdf).resolve()]


def _findings(result: dict) -> str:
    return "\n".join(f"{f['severity']} {f['rule']} p.{f.get('page')}: {f['message']}"
                     for f in result["findings"])


@pytest.mark.parametrize("folder", ISSUES, ids=IDS)
def test_pdf_ua_variant_passes_outloud(accessible_builds, outloud, folder):
    result = outloud(accessible_builds(folder)["pdf"])
    assert result["error"] is None, result["error"]
    assert (result["counts"]["error"], result["counts"]["warning"]) == (0, 0), _findings(result)
    assert result["verdict"] == "pass"


# pdfua 0.1.3 cannot evaluate UA-14-001 (empty headings) on any PDF whose structure
# elements have an array /K: its own `getattr(value, "is_integer")` raises on a pikepdf
# Array. outloud checks empty headings (HDG rules) on the same files.
PDFUA_BROKEN_RULES = {"UA-14-001"}


@pytest.mark.parametrize("folder", ISSUES, ids=IDS)
def test_pdf_ua_variant_passes_pdfua(accessible_builds, folder):
    run = subprocess.run([_tool("pdfua"), "check", "-f", "json", str(accessible_builds(folder)["pdf"])],
                         capture_output=True, text=True, timeout=600)
    report = json.loads(run.stdout)
    assert report["findings"] == [], report["findings"]
    assert run.returncode == 0
    assert report["summary"]["rules_run"] >= 10
    skipped = {s["rule_id"] for s in report["skipped"]}
    assert skipped <= PDFUA_BROKEN_RULES, report["skipped"]


def test_default_pdf_has_the_same_structure(built_sample, outloud):
    """The plain PDF is tagged like the PDF/UA variant: outloud finds only that it has no
    XMP metadata (title, PDF/UA claim), which only the variant carries."""
    result = outloud(built_sample["pdf"])
    assert result["error"] is None, result["error"]
    assert {f["rule"] for f in result["findings"]} <= {"DOC-010", "DOC-012"}, _findings(result)
