"""The PDF briefing as a reader sees it: pages, text in order, bookmarks, metadata, fonts.

The sample issue (content/2020-03) is built once per session; each test reads
the PDF back with poppler-utils / qpdf, as a person's tools would.
"""
from __future__ import annotations

import copy
import gc
import json
import logging
import re
import subprocess
import warnings
from pathlib import Path

import pytest

from huoye.errors import RenderError
from huoye.load import load_archive
from huoye.render import RenderOptions

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
# A4 in points, and the body area without the running header and the page number.
PAGE_W, PAGE_H = 595, 842
BODY_TOP, BODY_BOTTOM = 70, 66
NO_GLYPH = "\U0002a6d6"  # 𪛖, CJK Ext. B, not in Noto Serif CJK (𠮷 U+20BB7 is, in the TTC)


def run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="session")
def issue():
    [issue] = load_archive(ROOT / "content")
    return issue


@pytest.fixture(scope="session")
def options():
    return RenderOptions(templates=TEMPLATES)


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture(scope="session")
def built(issue, options, tmp_path_factory):
    """(path of the sample PDF, warnings logged while building it)."""
    from huoye.render import pdf

    handler = _Records()
    loggers = [logging.getLogger(n) for n in ("weasyprint", "huoye")]
    for lg in loggers:
        lg.addHandler(handler)
    try:
        data = pdf.render(issue, options)
    finally:
        for lg in loggers:
            lg.removeHandler(handler)
    path = tmp_path_factory.mktemp("pdf") / "财经活页-2020-03.pdf"
    path.write_bytes(data)
    return path, handler.records


@pytest.fixture(scope="session")
def pdf_path(built) -> Path:
    return built[0]


@pytest.fixture(scope="session")
def info(pdf_path) -> dict[str, str]:
    out = run("pdfinfo", "-isodates", str(pdf_path))
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line) | {}


@pytest.fixture(scope="session")
def pages(pdf_path) -> list[str]:
    """Full text of each page (with header and page number)."""
    return run("pdftotext", "-enc", "UTF-8", str(pdf_path), "-").split("\f")[:-1]


@pytest.fixture(scope="session")
def body_pages(pdf_path) -> list[str]:
    """Text of each page without the running header and the page number."""
    out = run("pdftotext", "-enc", "UTF-8", "-x", "0", "-y", str(BODY_TOP), "-W", str(PAGE_W),
              "-H", str(PAGE_H - BODY_TOP - BODY_BOTTOM), str(pdf_path), "-")
    return out.split("\f")[:-1]


def test_builds_without_warnings(built):
    assert [r.getMessage() for r in built[1]] == []


def test_page_count_is_sane(info, pages):
    assert 8 <= int(info["Pages"].strip()) <= 16
    assert len(pages) == int(info["Pages"].strip())


def test_a4_portrait(info):
    assert "595.276 x 841.89" in info["Page size"]


def test_every_paragraph_in_reading_order(issue, body_pages):
    text = squash("".join(body_pages))
    pos = 0
    for paragraph in issue.paragraphs:
        found = text.find(squash(paragraph.text), pos)
        assert found >= 0, f"{paragraph.source}: paragraph missing or out of order"
        pos = found + len(squash(paragraph.text))


def test_cover_has_identity(issue, pages):
    cover = squash(pages[0])
    for fact in (issue.series.name, issue.issue_line, *issue.series.publishers,
                 issue.date_line, "本期主题：" + issue.theme, squash(issue.note), "本期要目"):
        assert squash(fact) in cover, fact


def test_running_header_and_chinese_page_numbers(issue, pages):
    assert "—1—" not in squash(pages[0])
    for number, page in enumerate(pages[1:], start=2):
        lines = [squash(line) for line in page.splitlines() if line.strip()]
        assert f"—{number}—" in lines[-3:]  # the page number, at the foot of the page
        assert issue.series.name in lines[0] and issue.theme in "".join(lines[:3])


def test_bookmarks_for_sections_and_heading_points(issue, pdf_path):
    data = json.loads(run("qpdf", "--json", "--json-key=outlines", str(pdf_path)))
    outlines = data["outlines"]
    assert [o["title"] for o in outlines] == [s.title for s in issue.sections]
    for section, outline in zip(issue.sections, outlines):
        kids = [k["title"] for k in outline["kids"]]
        assert kids == [p.label + p.headline for p in section.points if p.style == "heading"]


def test_metadata(issue, info):
    assert info["Title"].strip() == issue.title
    assert info["Author"].strip() == ", ".join(issue.series.publishers)
    assert issue.theme in info["Subject"]
    assert issue.theme in info["Keywords"]
    assert info["CreationDate"].strip().startswith("2020-04-25")
    assert info["Tagged"].strip() == "yes"


def test_language_is_zh_cn(pdf_path):
    data = json.loads(run("qpdf", "--json=2", "--json-key=qpdf", str(pdf_path)))
    objects = data["qpdf"][1].values()
    catalogs = [o["value"] for o in objects
                if isinstance(o.get("value"), dict) and o["value"].get("/Type") == "/Catalog"]
    assert catalogs and catalogs[0]["/Lang"] in ("u:zh-CN", "zh-CN")


def test_fonts_embedded_and_subset(issue, pdf_path):
    rows = run("pdffonts", str(pdf_path)).splitlines()[2:]
    assert rows
    names = " ".join(r.split()[0] for r in rows)
    for family in ("Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC", "LXGW-WenKai"):
        assert family in names
    for row in rows:
        emb, sub = re.search(r"\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", row).group(1, 2)
        assert (emb, sub) == ("yes", "yes"), row


def test_qpdf_check_is_clean(pdf_path):
    result = subprocess.run(["qpdf", "--check", str(pdf_path)], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_contents_page_numbers_match_headings(issue, pdf_path, body_pages):
    toc = run("pdftotext", "-enc", "UTF-8", "-layout", "-f", "1", "-l", "1", str(pdf_path), "-")
    printed = {}
    for line in toc.splitlines():
        m = re.match(r"\s*(.+?)[\s.…·]*?(\d+)\s*$", line)
        if m:
            printed[squash(m.group(1)).rstrip(".")] = int(m.group(2))
    page = 1
    for entry in issue.contents:
        title = squash(entry.title)
        assert title in printed, f"contents entry {entry.title} has no page number"
        while title not in squash(body_pages[page]):
            page += 1
            assert page < len(body_pages), f"heading {entry.title} not found in the body"
        assert printed[title] == page + 1, entry.title


def test_back_page(issue, pages):
    back = squash(pages[-1])
    assert "近期主题一览" in back
    themes = [back.find(t) for t in issue.recent_themes]
    assert all(i >= 0 for i in themes)
    series = issue.series
    for fact in (*[m.role for m in series.staff], *[m.name for m in series.staff],
                 series.address, series.postcode, series.telephone):
        assert squash(fact) in back, fact


def test_key_figures_and_charts_are_text(issue, body_pages):
    text = squash("".join(body_pages))
    for chart in issue.charts:
        assert squash(chart.title) in text
        assert squash(chart.data_source) in text
        for category in chart.categories:
            assert squash(category) in text
    for figure in issue.figures:
        assert squash(figure.label) in text


def test_pages_render_to_png(pdf_path, info, tmp_path, issue):
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf_path), str(tmp_path / "p")],
                   check=True)
    pngs = sorted(tmp_path.glob("p-*.png"))
    assert len(pngs) == int(info["Pages"].strip())
    brand = tuple(int(issue.series.brand.colour[i:i + 2], 16) for i in (1, 3, 5))
    with Image.open(pngs[0]) as cover:
        rgb = cover.convert("RGB")
        top = rgb.crop((0, 0, rgb.width, rgb.height // 8)).getcolors(1 << 16)
        near_brand = sum(n for n, c in top if sum(abs(a - b) for a, b in zip(c, brand)) < 60)
        assert near_brand > 300, "the masthead is not printed in the brand colour"
    for png in pngs:
        with Image.open(png) as im:
            assert im.size[0] > 300 and im.convert("L").getextrema()[0] < 100  # ink on page


def test_fetcher_refuses_files_outside_and_network(issue, options):
    from huoye.render import pdf

    fetcher = pdf.url_fetcher(issue, options)
    with pytest.raises(RenderError, match="/etc/passwd"):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(RenderError, match="http://example.com/chart.png"):
        fetcher.fetch("http://example.com/chart.png")
    inside = (issue.folder / "issue.md").resolve().as_uri()
    response = fetcher.fetch(inside)
    assert response.read().startswith(b"---")
    response.close()


def test_image_outside_the_issue_stops_the_build(issue, options):
    from huoye.render import pdf

    bad = copy.deepcopy(issue)
    bad.paragraphs[0].markdown = "![x](../../../../etc/hostname)" + bad.paragraphs[0].markdown
    bad.paragraphs[0].tokens = None  # rendered from its markdown, as if made by hand
    with pytest.raises(RenderError, match="hostname' is not a file of the issue folder"):
        pdf.render(bad, options)


def test_character_without_glyph_names_file_and_line(issue, options):
    from huoye.render import pdf

    bad = copy.deepcopy(issue)
    paragraph = bad.paragraphs[3]
    paragraph.text += NO_GLYPH
    with pytest.raises(RenderError) as err:
        pdf.render(bad, options)
    message = str(err.value)
    assert f"{paragraph.source}:" in message and "U+2A6D6" in message
    assert "Noto Serif CJK SC" in message


def test_missing_font_family_names_the_package(issue, options):
    from huoye.fonts import check_fonts

    bad = copy.deepcopy(issue)
    bad.series.brand.kai = "LXGW WenKai Nonexistent"
    with pytest.raises(RenderError, match="fonts-lxgw-wenkai"):
        check_fonts(bad)


def test_pdf_a_3u_variant(issue, tmp_path):
    from huoye.render import pdf

    with warnings.catch_warnings():
        # The pinned WeasyPrint leaves its sRGB ICC profile file open when writing PDF/A.
        warnings.simplefilter("ignore", ResourceWarning)
        data = pdf.render(issue, RenderOptions(templates=TEMPLATES, pdf_variant="pdf/a-3u"))
        gc.collect()
    path = tmp_path / "a.pdf"
    path.write_bytes(data)
    xmp = run("pdfinfo", "-meta", str(path))
    assert "<pdfaid:part>3</pdfaid:part>" in xmp.replace(" ", "") or 'pdfaid:part="3"' in xmp
    assert "U" in re.search(r"pdfaid:conformance[>=\"]+(\w)", xmp).group(1)


def test_chinese_typography_measures_on_the_briefing(pdf_path):
    """huoye's own measure (huoye.typography; the user's definitions): ≥ 99 % of continued
    body lines flush, no line starting with closing or ending with opening punctuation."""
    from huoye import typography

    figures = typography.measure(str(pdf_path))
    assert figures.continued > 150, "too few continued body lines measured: is the body text there?"
    assert figures.flush_share >= 0.99, typography.report(figures)
    assert not figures.bad_starts and not figures.bad_ends, typography.report(figures)
