"""The deck as PowerPoint and independent tools see it: titles in placeholders (the
outline view), properties and thumbnail, alt text, the Office Open XML schemas
(PyPI openxml-audit), a layout checker (PyPI ooxml-integrity), LibreOffice's
rendering, and byte-identical builds."""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from lxml import etree
from PIL import Image
from pptx import Presentation
from pptx.util import Emu

from huoye.summarise import NOTES_RULE
from tests.conftest import CONTENT, ROOT

BIN = Path(sys.executable).parent
FIXTURE_ISSUES = ROOT / "tests" / "fixtures" / "issues"


def _issue_folders() -> list[Path]:
    """The sample and every issue of the test corpus (tests/fixtures/issues/)."""
    folders = [CONTENT / "2020-03"]
    if FIXTURE_ISSUES.is_dir():
        folders += sorted(p.parent for p in FIXTURE_ISSUES.glob("**/issue.md"))
    return folders


def _build(folder: Path, out: Path, env: dict | None = None, fmt: str = "pptx") -> Path:
    run = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), str(folder), "--format", fmt, "--out", str(out),
         "--force", "--quiet"],
        capture_output=True, text=True, timeout=600, env=env, cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr
    [made] = out.glob("*/*." + ("handout.pdf" if fmt == "handout" else fmt))
    return made


@pytest.fixture(scope="module")
def decks(tmp_path_factory) -> dict[str, Path]:
    """Each issue's deck, built once by the CLI."""
    out = {}
    for folder in _issue_folders():
        out[folder.name] = _build(folder, tmp_path_factory.mktemp(f"deck-{folder.name}"))
    return out


@pytest.fixture(scope="module")
def sample(decks) -> Path:
    return decks["2020-03"]


def _kind(slide) -> str:
    return slide.name.removeprefix("kind:")


# ------------------------------------------------------------------ outline view


def test_every_slide_title_is_in_its_title_placeholder(decks):
    for name, path in decks.items():
        prs = Presentation(str(path))
        for n, slide in enumerate(prs.slides, start=1):
            title = slide.shapes.title
            assert title is not None, (name, n, _kind(slide))
            assert title.is_placeholder and title.text_frame.text.strip(), (name, n)
            assert slide.slide_layout.name in {
                "Title", "Section Header", "Title and Content", "Two Content", "Chart",
                "Table", "Closing"}


def test_the_outline_is_the_agenda_with_its_dividers(sample, sample_issue):
    prs = Presentation(str(sample))
    titles = [(_kind(s), s.shapes.title.text_frame.text) for s in prs.slides]
    agenda = next(s for s in prs.slides if _kind(s) == "agenda")
    items = [p.text for p in agenda.placeholders[1].text_frame.paragraphs]
    assert items == [s.title for s in sample_issue.sections]
    dividers = [t for k, t in titles if k == "divider"]
    assert dividers == items  # one divider per agenda item, in order
    assert titles[0] == ("title", sample_issue.series.name)
    assert titles[-1][0] == "closing"
    # every slide between two dividers is titled after its section (or its chart/figures)
    body = [p.text for s in prs.slides if _kind(s) in ("points", "recommendations")
            for p in s.placeholders[1].text_frame.paragraphs]
    assert "核心基础元器件、零部件设计制造能力不强" in body


def test_the_body_text_is_in_body_placeholders(sample):
    prs = Presentation(str(sample))
    for slide in prs.slides:
        if _kind(slide) in ("message", "agenda", "points", "recommendations"):
            [body] = [ph for ph in slide.placeholders if ph.placeholder_format.idx == 1]
            assert body.text_frame.text.strip()
            assert not [sh for sh in slide.shapes if sh.has_text_frame and sh.text_frame.text
                        and not sh.is_placeholder
                        and sh.name not in ("Footer", "Slide Number")]


# -------------------------------------------------------------------- properties


def test_the_document_properties_are_the_issues(sample, sample_issue):
    prs = Presentation(str(sample))
    core = prs.core_properties
    assert core.title == sample_issue.title
    assert sample_issue.theme in core.subject
    assert core.author == "；".join(sample_issue.series.publishers)
    assert sample_issue.theme in core.keywords
    midnight = dt.datetime.combine(sample_issue.date, dt.time())
    assert core.created == core.modified == midnight
    assert core.last_modified_by != "Steve Canny"
    with zipfile.ZipFile(sample) as z:
        names = z.namelist()
        core_xml = z.read("docProps/core.xml").decode()
        app = etree.fromstring(z.read("docProps/app.xml"))
        pres = z.read("ppt/presentation.xml").decode()
        thumb = Image.open(io.BytesIO(z.read("docProps/thumbnail.jpeg")))
    assert "python-pptx" not in core_xml and "2013" not in core_xml
    assert not [n for n in names if "printerSettings" in n]
    ns = {"ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"}
    assert app.findtext("ep:PresentationFormat", namespaces=ns) == "Widescreen"
    assert app.findtext("ep:Slides", namespaces=ns) == str(len(prs.slides))
    assert app.findtext("ep:Application", namespaces=ns) == "huoye"
    assert "screen4x3" not in pres
    assert (prs.slide_width, prs.slide_height) == (Emu(12192000), Emu(6858000))
    # the thumbnail: 16:9, the brand colour on it and white title text inside the band
    assert thumb.size[0] * 9 == thumb.size[1] * 16
    brand = tuple(int(sample_issue.series.brand.colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    raw = thumb.convert("RGB").tobytes()
    pixels = [tuple(raw[i:i + 3]) for i in range(0, len(raw), 3)]
    near = sum(1 for p in pixels if sum(abs(a - b) for a, b in zip(p, brand)) < 40)
    assert near > len(pixels) // 5
    band = thumb.convert("L").crop((12, 50, 200, 94))
    assert band.getextrema()[1] > 200  # light title strokes on the brand band


def test_every_chart_has_alt_text_with_its_data(decks):
    seen = 0
    for name, path in decks.items():
        with zipfile.ZipFile(path) as z:
            for entry in z.namelist():
                if not (entry.startswith("ppt/slides/slide") and entry.endswith(".xml")):
                    continue
                root = etree.fromstring(z.read(entry))
                for frame in root.iter("{*}graphicFrame", "{*}pic"):
                    descr = frame.find(".//{*}cNvPr").get("descr") or ""
                    assert len(descr) > 10, (name, entry)
                    seen += 1
    assert seen >= 4


def test_the_sample_charts_alt_text_reads_its_values(sample):
    prs = Presentation(str(sample))
    frames = [sh for s in prs.slides for sh in s.shapes if sh.has_chart]
    for frame in frames:
        descr = frame._element.nvGraphicFramePr.cNvPr.get("descr")
        chart = frame.chart
        for series in chart.plots[0].series:
            for value in series.values:
                assert f"{value:g}" in descr, (descr, value)
        for category in chart.plots[0].categories:
            assert str(category) in descr


def test_value_axes_carry_the_unit_once_in_their_title(sample):
    prs = Presentation(str(sample))
    for frame in (sh for s in prs.slides for sh in s.shapes if sh.has_chart):
        axis = frame.chart.value_axis
        assert '"' not in axis.tick_labels.number_format  # no unit on every tick
        if axis.has_title:
            assert axis.axis_title.text_frame.text.startswith("单位：")


# ------------------------------------------------------------- independent checkers


def _tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return str(path)


def test_openxml_audit_finds_no_schema_error(decks):
    for name, path in decks.items():
        run = subprocess.run([_tool("openxml-audit"), "-o", "json", "-m", "0", str(path)],
                             capture_output=True, text=True, timeout=300)
        [report] = json.loads(run.stdout)
        assert report["valid"] and report["error_count"] == 0, (name, run.stdout[:2000])


def test_ooxml_integrity_finds_no_layout_warning(decks):
    for name, path in decks.items():
        run = subprocess.run([_tool("ooxml-integrity"), "check", "--no-config", "--json",
                              "--fail-on", "warn", str(path)],
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, (name, run.stdout[:2000])
        findings = [f for r in json.loads(run.stdout)["files"] for f in r["findings"]]
        assert not [f for f in findings if f["severity"] in ("error", "warn")], (name, findings)


# ------------------------------------------------------------------- reproducible


def test_the_same_inputs_give_the_same_bytes(sample, tmp_path):
    time.sleep(1.1)  # zip entry times have a 2 s resolution; a clock-dated build would differ
    again = _build(CONTENT / "2020-03", tmp_path / "again")
    assert again.read_bytes() == sample.read_bytes()
    with zipfile.ZipFile(again) as z:
        stamps = {i.date_time for i in z.infolist()}
        workbooks = [n for n in z.namelist() if n.endswith(".xlsx")]
        assert workbooks
        for name in workbooks:
            with zipfile.ZipFile(io.BytesIO(z.read(name))) as wb:
                stamps |= {i.date_time for i in wb.infolist()}
                assert b"2020-04-25T00:00:00Z" in wb.read("docProps/core.xml")
    assert stamps == {(2020, 4, 25, 0, 0, 0)}  # the issue date


def test_source_date_epoch_dates_the_zip_entries(tmp_path):
    env = dict(os.environ, SOURCE_DATE_EPOCH="1600000000")  # 2020-09-13 12:26:40 UTC
    deck = _build(CONTENT / "2020-03", tmp_path / "epoch", env)
    with zipfile.ZipFile(deck) as z:
        assert {i.date_time for i in z.infolist()} == {(2020, 9, 13, 12, 26, 40)}


def _fake_arial(folder: Path) -> Path:
    """DejaVu Sans (much wider than Arial) renamed "Arial": what fontconfig picks for the
    deck's Latin face once it is installed."""
    folder.mkdir(parents=True)
    src = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not src.exists():
        pytest.skip("DejaVu Sans is not installed")
    font = TTFont(src)
    for record in font["name"].names:
        if record.nameID in (1, 4, 6, 16):
            record.string = "Arial" if record.nameID != 6 else "Arial-Fake"
    font.save(folder / "FakeArial.ttf")
    return folder / "FakeArial.ttf"


@pytest.mark.skipif(not shutil.which("fc-match"), reason="fontconfig tools not installed")
def test_an_extra_font_installed_changes_no_byte(sample, tmp_path):
    fake = _fake_arial(tmp_path / "fonts")
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f'<dir>{tmp_path / "fonts"}</dir><cachedir>{tmp_path / "cache"}</cachedir>'
        '<match target="pattern"><test name="family"><string>Arial</string></test>'
        '<edit name="family" mode="prepend" binding="strong"><string>Arial</string></edit></match>'
        '</fontconfig>', encoding="utf-8")
    env = dict(os.environ, FONTCONFIG_FILE=str(conf), XDG_CACHE_HOME=str(tmp_path / "xdg"))
    picked = subprocess.run(["fc-match", "-f", "%{file}", "Arial"], env=env, capture_output=True,
                            text=True, check=True).stdout
    assert picked == str(fake)  # the extra font really is what the machine now has for Arial
    deck = _build(CONTENT / "2020-03", tmp_path / "out", env)
    assert deck.read_bytes() == sample.read_bytes()


# --------------------------------------------------------------------- LibreOffice

WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
MARKER = re.compile(r"^(■|\d+\.)$")


def _boxes(slide) -> list[tuple[float, float, float, float, str | None]]:
    """(left, top, right, bottom) in pt of each shape, with its text without spaces
    (None for a chart: any of its words may be inside)."""
    out = []
    for sh in slide.shapes:
        if sh.has_chart:
            text = None
        elif sh.has_table:
            text = re.sub(r"\s+", "", "".join(c.text for r in sh.table.rows for c in r.cells))
        elif sh.has_text_frame and sh.text_frame.text.strip():
            text = re.sub(r"\s+", "", sh.text_frame.text)
        else:
            continue
        x, y, w, h = (v / 12700 for v in (sh.left, sh.top, sh.width, sh.height))
        out.append((x, y, x + w, y + h, text))
    return out


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
def test_libreoffice_draws_every_word_inside_the_box_that_holds_it(decks, tmp_path):
    """LibreOffice (rendering Arial with Liberation Sans, its metric twin, and YaHei with
    Noto Sans CJK) draws every slide; each word it draws lies inside a shape holding that
    text: horizontally within the box, its middle between the box's top and bottom insets."""
    copies = []
    for name, path in decks.items():
        copies.append(tmp_path / f"{name}.pptx")
        shutil.copy(path, copies[-1])
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
         "--convert-to", "pdf", "--outdir", str(tmp_path), *map(str, copies)],
        check=True, timeout=600, capture_output=True,
    )
    outside = []
    checked = 0
    for copy in copies:
        prs = Presentation(str(copy))
        pdf = copy.with_suffix(".pdf")
        for n, slide in enumerate(prs.slides, start=1):
            html = subprocess.run(["pdftotext", "-bbox", "-f", str(n), "-l", str(n), str(pdf), "-"],
                                  capture_output=True, text=True, check=True).stdout
            boxes = _boxes(slide)
            words = WORD.findall(html)
            assert words, (copy.name, n)
            for x0, y0, x1, y1, word in words:
                x0, y0, x1, y1 = map(float, (x0, y0, x1, y1))
                mid = (y0 + y1) / 2
                word = word.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
                inside = any(
                    x0 >= left - 1 and x1 <= right + 1 and top + 3 <= mid <= bottom - 3
                    and (text is None or word in text or MARKER.match(word))
                    for left, top, right, bottom, text in boxes)
                checked += 1
                if not inside:
                    outside.append((copy.name, n, word, round(x0), round(y0), round(x1), round(y1)))
    assert checked > 300
    assert not outside, outside[:20]


# ----------------------------------------------------------------- summary quality

#: a content slide holds at least this many characters (title excluded)
MIN_SLIDE_CHARS = 30
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _slide_chars(slide) -> str:
    """What the audience reads on a slide besides its title and footer (chart data too)."""
    out = []
    for sh in slide.shapes:
        if sh == slide.shapes.title or sh.name in ("Footer", "Slide Number"):
            continue
        if sh.has_text_frame:
            out.append(sh.text_frame.text)
        elif sh.has_chart:
            chart = sh.chart
            plot = chart.plots[0]
            out += [str(c) for c in plot.categories]
            for series in plot.series:
                for i, v in enumerate(series.values):
                    label = series.points[i].data_label
                    own = label.text_frame.text if label.has_text_frame else ""
                    out.append(own or ("" if v is None else f"{v:g}"))
            if chart.chart_type is not None and plot.categories and chart.value_axis.has_title:
                out.append(chart.value_axis.axis_title.text_frame.text)
        elif sh.has_table:
            out += [c.text for r in sh.table.rows for c in r.cells]
    return re.sub(r"\s+", "", "".join(out))


def test_no_slide_carries_less_than_a_real_message(decks):
    for name, path in decks.items():
        prs = Presentation(str(path))
        for n, slide in enumerate(prs.slides, start=1):
            if _kind(slide) in ("title", "divider", "closing"):
                continue
            shown = _slide_chars(slide)
            assert len(shown) >= MIN_SLIDE_CHARS, (name, n, _kind(slide), shown)


def _source_sentences(issue) -> list[str]:
    from huoye.model import sentences
    text = "\n".join(b.text for b in issue.all_blocks if hasattr(b, "text"))
    return [s for line in text.splitlines() for s in sentences(line)]


def test_a_fact_taken_from_a_sentence_keeps_its_numbers(decks):
    """Every fact under a headline that comes from a source sentence with a number shows
    each number of the clauses it keeps, with the qualifier or unit after it."""
    from huoye.load import load_archive
    checked = 0
    for name, path in decks.items():
        folder = next(f for f in _issue_folders() if f.name == name)
        [issue] = [i for i in load_archive(folder.parent) if i.slug == name]
        source = _source_sentences(issue)
        prs = Presentation(str(path))
        for slide in prs.slides:
            if _kind(slide) != "points":
                continue
            body = [ph for ph in slide.placeholders if ph.placeholder_format.idx == 1]
            for p in body[0].text_frame.paragraphs if body else []:
                fact = p.text
                numbers = NUMBER.findall(fact)
                if not numbers:
                    continue
                origin = [s for s in source if all(c in s for c in re.split(r"[，；。]", fact) if c)]
                if not origin:
                    continue  # an editor's own wording (summaries)
                for s in origin[:1]:
                    for m in NUMBER.finditer(fact):
                        # the number is followed by what follows it in the source
                        at = s.find(fact[m.start():m.end() + 1])
                        assert at >= 0, (name, fact, s)
                checked += 1
    assert checked >= 5


def test_speaker_notes_start_with_talking_points_then_the_full_text(sample):
    from huoye.summarise import NOTES_RULE
    prs = Presentation(str(sample))
    for n, slide in enumerate(prs.slides, start=1):
        lines = slide.notes_slide.notes_text_frame.text.split("\n")
        assert NOTES_RULE in lines, n
        points = lines[:lines.index(NOTES_RULE)]
        assert 3 <= len(points) <= 5 or _kind(slide) in ("divider", "chart", "table"), (n, points)
        assert 1 <= len(points) <= 5 and all(p.startswith("• ") for p in points), (n, points)
        assert "".join(lines[lines.index(NOTES_RULE) + 1:]).strip(), n


def test_each_recommendation_has_a_slide_with_its_actions(sample, sample_issue):
    prs = Presentation(str(sample))
    titles = [s.shapes.title.text_frame.text for s in prs.slides]
    for point in sample_issue.recommendations.points:
        [slide] = [s for s, t in zip(prs.slides, titles) if t.endswith(point.headline)]
        actions = [p.text for p in slide.placeholders[1].text_frame.paragraphs]
        assert 2 <= len(actions) <= 3
        for action in actions:  # drawn from its text, cut only at a clause boundary
            assert action.rstrip("。") in point.full_text.replace("\n", ""), action


def test_the_editors_note_is_three_bullets_covering_it(sample, sample_issue):
    from huoye.model import sentences
    prs = Presentation(str(sample))
    [note] = [s for s in prs.slides if _kind(s) == "message" and s.shapes.title.text_frame.text == "编者按"]
    bullets = [p.text for p in note.placeholders[1].text_frame.paragraphs]
    assert len(bullets) <= 3
    note = sample_issue.note.replace("\n", "")
    # the bullets open at the start of the note and then further on, in order, the last
    # in its second half: together they cover it, not only its first sentence
    at = [note.find(sentences(b)[0][:12]) for b in bullets]
    assert at[0] == 0 and all(a >= 0 for a in at) and at == sorted(set(at))
    assert at[-1] > len(note) / 2


# ------------------------------------------------------------------------ handout


def test_the_handout_has_three_slides_a_page_with_their_talking_points(sample, tmp_path):
    """``--format handout``: an A4 PDF (WeasyPrint), each slide of the deck with its
    talking points, three slides to a page, read back with poppler."""
    handout = _build(CONTENT / "2020-03", tmp_path / "handout", fmt="handout")
    prs = Presentation(str(sample))
    slides = list(prs.slides)
    info = subprocess.run(["pdfinfo", str(handout)], capture_output=True, text=True,
                          check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages == -(-len(slides) // 3)
    assert re.search(r"Page size:\s+595\.\d* x 841\.\d* pts", info)  # A4
    def column(page: int, x: int, w: int) -> str:  # the text of one column of a page
        return re.sub(r"\s+", "", subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), "-x", str(x), "-y", "0",
             "-W", str(w), "-H", "842", str(handout), "-"],
            capture_output=True, text=True, check=True).stdout)

    for page in range(1, pages + 1):
        shown, talking = column(page, 0, 340), column(page, 340, 255)  # slide | its points
        for slide in slides[(page - 1) * 3: page * 3]:
            title = re.sub(r"\s+", "", slide.shapes.title.text_frame.text)
            assert title in shown, (page, title)
            notes = slide.notes_slide.notes_text_frame.text.split("\n")
            for point in notes[:notes.index(NOTES_RULE)]:
                assert re.sub(r"\s+", "", point.removeprefix("• "))[:20] in talking, (page, point)
    assert not list((tmp_path / "handout").glob("*/*.pptx"))  # only what was asked for
