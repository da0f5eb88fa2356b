"""Chinese typesetting as a reader sees it, measured from the PDF (huoye.typography):
punctuation pairs compressed, no lone last characters, flush lines, line-start/end rules,
on varied paragraphs rendered with and without huoye's adapter, and on the built sample.

The oracle is the PDF read back by poppler (pdftotext) and pdfminer (pdfplumber), never
the adapter's own bookkeeping."""
from __future__ import annotations

import collections
import html
import logging
import re
import shutil
import statistics
import subprocess

import pytest

weasyprint = pytest.importorskip("weasyprint")

from huoye import typography
from huoye.render.weasyprint import justify

HAN = "产业链供应链现代化水平基础能力财政政策科技创新体系建设"


def _han(count: int, offset: int = 0) -> str:
    return "".join(HAN[(offset + i) % len(HAN)] for i in range(count))


# Paragraphs built so that, at 20 em with a 2 em indent, bare WeasyPrint ends each of them with
# a last line of one character (or one character and its full stop); with varied punctuation.
LONE = [
    _han(37) + "权。",                                       # 18 + 20 + 1
    _han(12) + "“" + _han(6) + "”，“" + _han(10) + "”" + _han(18) + "局",
    _han(20) + "（" + _han(8) + "）、" + _han(26) + "径。",
    "2020年3月，" + _han(30) + "，" + _han(40) + "出口",
]


def _html(paragraphs, width_em=20, extra=""):
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return ("<html lang='zh-CN'><head><meta charset='utf-8'><style>"
            "@page { size: A4; margin: 20mm } body { margin: 0; font-family: 'Noto Serif CJK SC';"
            f" font-size: 10.5pt; line-height: 1.8 }} p {{ width: {width_em}em; margin: 0 0 1em;"
            f" text-indent: 2em; text-align: justify }} {extra}</style></head><body>{body}</body></html>")


def _render(source: str, path, adapted: bool):
    if adapted:
        with justify.cjk_justification():
            weasyprint.HTML(string=source).write_pdf(path)
    else:
        weasyprint.HTML(string=source).write_pdf(path)
    return typography.measure(str(path), body_pages=range(0))  # no short-page check


def _text(path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"\s", "", out.stdout)


def test_the_measure_sees_lone_lines_and_loose_pairs_in_stock_weasyprint(tmp_path):
    figures = _render(_html(LONE), tmp_path / "bare.pdf", adapted=False)
    assert len(figures.lone) >= 3, typography.report(figures)
    assert figures.pairs >= 3 and figures.compressed == 0, typography.report(figures)


@pytest.mark.parametrize("width_em", [20, 23, 31])
def test_no_lone_last_line_and_every_pair_compressed(tmp_path, width_em):
    source = _html(LONE * 2, width_em)
    figures = _render(source, tmp_path / "adapted.pdf", adapted=True)
    assert not figures.lone, typography.report(figures)
    # (a pair that a line break splits is no longer a pair on one line: 4 of the 6 at least)
    assert figures.pairs >= 4 and figures.compressed == figures.pairs, typography.report(figures)
    assert not figures.bad_starts and not figures.bad_ends
    assert figures.flush_share == 1.0, typography.report(figures)
    # nothing inserted: the text a reader copies is the text written
    assert _text(tmp_path / "adapted.pdf") == re.sub(r"\s", "", "".join(LONE * 2))


def test_headings_and_centred_labels_lose_their_lone_characters_too(tmp_path):
    css = ("h3 { width: 12em; font: bold 11pt 'Noto Sans CJK SC'; margin: 0 0 1em }"
           ".label { width: 15em; font-size: 8.5pt; text-align: center; text-indent: 0 }")
    heading = _han(12) + "全"
    label = "工业大类，全部联合国工业门类齐全"
    source = _html([], extra=css).replace(
        "<body></body>", f"<body><h3>{heading}</h3><p class='label'>{label}</p></body>")
    bare = _render(source, tmp_path / "bare.pdf", adapted=False)
    assert len(bare.lone) == 2, typography.report(bare)
    adapted = _render(source, tmp_path / "adapted.pdf", adapted=True)
    assert not adapted.lone, typography.report(adapted)


def test_a_lone_line_the_limits_cannot_avoid_is_reported_with_page_and_paragraph(
        tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(justify, "LIMITS", justify.Limits(gap_widening=0.0))
    with caplog.at_level(logging.WARNING, logger="huoye.render"):
        figures = _render(_html(LONE[:1]), tmp_path / "limited.pdf", adapted=True)
    assert len(figures.lone) == 1
    [record] = [r for r in caplog.records if "one character" in r.getMessage()]
    assert "page 1" in record.getMessage() and LONE[0][:10] in record.getMessage()
    caplog.clear()  # a second document warns again (once per document, not per process)
    with caplog.at_level(logging.WARNING, logger="huoye.render"):
        _render(_html(LONE[:1]), tmp_path / "again.pdf", adapted=True)
    assert len([r for r in caplog.records if "one character" in r.getMessage()]) == 1


def test_compressed_marks_follow_clreq_pairs():
    # closing then anything: the closing mark gives up its right half
    assert justify.compressed_marks("甲”，“乙") == [1, 2]
    assert justify.compressed_marks("甲）。") == [1]
    # opening after opening: the second gives up its left half
    assert justify.compressed_marks("（“甲") == [1]
    # single marks stay full width
    assert justify.compressed_marks("甲，乙“丙”") == []
    assert justify.is_lone("局。") and justify.is_lone("口") and not justify.is_lone("出口")


def test_the_built_sample_is_set_like_a_professional(built_sample):
    figures = typography.measure(str(built_sample["pdf"]))
    report = typography.report(figures)
    assert figures.continued > 150, report
    assert figures.flush_share >= 0.99, report
    assert not figures.bad_starts and not figures.bad_ends, report
    assert figures.pairs >= 20 and figures.compressed == figures.pairs, report
    assert not figures.lone, report
    assert figures.end_compressed >= 5, report  # lines that kept a character by it
    # page 2 ended 4.7 lines short before a section heading (PDF built before issue 16)
    assert not figures.short_pages and not figures.widows and not figures.orphans, report
    assert len(figures.shortfalls) >= 8 and max(s for _, s in figures.shortfalls) <= 2, report


# ------------------------------------------------------------------ CJK–Latin spacing option


def test_the_spacing_option_wraps_only_han_latin_boundaries_in_body_text():
    from huoye.render.spacing import space_cjk_latin

    source = ("<html><head><title>2020年</title><style>a{}</style></head><body>"
              "<p>截至2020年3月，GDP增长5.2%以上；A&amp;B公司、COVID-19 related 和 iOS</p>"
              "<svg><text>2020年</text></svg></body></html>")
    spaced = space_cjk_latin(source)
    assert "<title>2020年</title>" in spaced and "<text>2020年</text>" in spaced
    assert ('截<span class="cjk-latin">至</span><span class="latin-cjk">2020</span>'
            '<span class="cjk-latin">年</span><span class="latin-cjk">3</span>月') in spaced
    assert '<span class="latin-cjk">5.2%</span>以上' in spaced
    assert "A&amp;" in spaced and '<span class="latin-cjk">B</span>公司' in spaced
    assert "和 iOS" in spaced  # a written space is left as it is
    assert re.sub(r"<[^>]+>", "", spaced) == re.sub(r"<[^>]+>", "", source)


def test_the_deck_measures_the_spacing_where_the_html_puts_it():
    from huoye.render.deck import measure
    from huoye.render.spacing import cjk_latin_gaps

    text = "截至2020年3月，GDP增长5.2%以上"
    assert cjk_latin_gaps(text) == [1, 5, 6, 7, 12, 14, 18]
    font = measure.FontSpec("Arial", "Microsoft YaHei")
    plain = measure.text_width(text, font, 20)
    token = measure.CJK_LATIN_SPACING.set(True)
    try:
        assert measure.text_width(text, font, 20) == pytest.approx(plain + 7 * 0.25 * 20)
    finally:
        measure.CJK_LATIN_SPACING.reset(token)


@pytest.fixture(scope="module")
def spaced_sample(tmp_path_factory):
    """The sample built (PDF, HTML, deck) with series.yaml cjk_latin_spacing on and off."""
    import shutil

    from huoye.build import BuildRequest, build
    from tests.conftest import CONTENT

    built = {}
    for spacing in (False, True):
        root = tmp_path_factory.mktemp(f"spacing-{spacing}")
        shutil.copytree(CONTENT, root / "content")
        series = root / "content" / "series.yaml"
        series.write_text(series.read_text(encoding="utf-8")
                          + f"cjk_latin_spacing: {str(spacing).lower()}\n", encoding="utf-8")
        [result] = build(BuildRequest(paths=[root / "content" / "2020-03"], out_dir=root / "out",
                                      formats=("pdf", "html", "pptx"), force=True))
        assert result.error is None, result.error
        built[spacing] = {p.suffix: p for p in result.outputs}
    return built


def _gaps(pdf, size=10.5):
    """Advances between a Han character and a following digit in body text, in em."""
    import pdfplumber

    gaps = []
    with pdfplumber.open(str(pdf)) as document:
        for page in document.pages:
            chars = [c for c in page.chars if abs(c["size"] - size) < 0.3]
            for a, b in zip(chars, chars[1:]):
                if (typography.HAN.match(a["text"]) and b["text"].isdigit()
                        and abs(a["top"] - b["top"]) < 1 and -0.1 < b["x0"] - a["x1"] < size):
                    gaps.append((b["x0"] - a["x1"]) / size)
    return gaps


def test_the_spacing_option_sets_a_quarter_em_and_keeps_the_rules(spaced_sample):
    off, on = _gaps(spaced_sample[False][".pdf"]), _gaps(spaced_sample[True][".pdf"])
    assert len(off) > 20 and len(on) > 20
    assert max(off) < 0.1  # house style: side by side (justification adds a little)
    assert statistics.median(on) == pytest.approx(0.25, abs=0.06)
    figures = typography.measure(str(spaced_sample[True][".pdf"]))
    assert not figures.lone and not figures.bad_starts and not figures.bad_ends
    assert figures.flush_share >= 0.99, typography.report(figures)
    # nothing inserted: the same characters as without the option (pages may break elsewhere)
    on_text, off_text = (_text(spaced_sample[k][".pdf"]).replace(" ", "") for k in (True, False))
    assert collections.Counter(on_text) == collections.Counter(off_text)
    assert 'class="latin-cjk"' in spaced_sample[True][".html"].read_text(encoding="utf-8")
    assert 'class="latin-cjk"' not in spaced_sample[False][".html"].read_text(encoding="utf-8")


def _deck_gaps(pdf):
    """Advances (em) from a Han character to a following digit, and between two Han
    characters, on the slides of a deck LibreOffice has drawn as a PDF."""
    import pdfplumber

    to_digit, between_han = [], []
    with pdfplumber.open(str(pdf)) as document:
        for page in document.pages:
            chars = sorted(page.chars, key=lambda c: (round(c["top"]), c["x0"]))
            for a, b in zip(chars, chars[1:]):
                if abs(a["top"] - b["top"]) > 1 or abs(a["size"] - b["size"]) > 0.1:
                    continue
                gap = (b["x0"] - a["x1"]) / a["size"]
                if typography.HAN.match(a["text"]) and -0.1 < gap < 1:
                    if b["text"].isdigit():
                        to_digit.append(gap)
                    elif typography.HAN.match(b["text"]):
                        between_han.append(gap)
    return to_digit, between_han


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
def test_the_deck_follows_the_spacing_option(spaced_sample, tmp_path):
    """LibreOffice (the real client here) draws both decks. It puts its own ~0.24 em
    between Asian and Western script in every deck (PowerPoint puts none): the option adds
    the quarter em the deck writes (character spacing on the character before the gap)."""
    from pptx import Presentation

    decks = []
    for spacing in (False, True):
        decks.append(tmp_path / f"deck-{spacing}.pptx")
        shutil.copy(spaced_sample[spacing][".pptx"], decks[-1])
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), *map(str, decks)],
                   capture_output=True, check=True, timeout=300)
    (off, off_han), (on, on_han) = (_deck_gaps(deck.with_suffix(".pdf")) for deck in decks)
    assert len(off) > 20 and len(on) > 20
    assert statistics.median(off) < 0.3  # LibreOffice's own autospacing alone
    assert statistics.median(on) - statistics.median(off) == pytest.approx(0.25, abs=0.04)
    assert statistics.median(on_han) == statistics.median(off_han) == pytest.approx(0, abs=0.02)

    def text(path):  # nothing inserted: every slide says the same
        return ["".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
                for slide in Presentation(str(path)).slides]

    assert text(decks[0]) == text(decks[1])


# ------------------------------------------------------------------ the test corpus

@pytest.fixture(scope="module")
def corpus_pdfs(built_corpus):
    """Every issue of the test corpus as a PDF (the session's build of the corpus)."""
    return {slug: formats["pdf"] for slug, formats in built_corpus.items()}


def test_the_corpus_is_set_by_the_same_rules(corpus_pdfs):
    assert len(corpus_pdfs) >= 4
    continued = flush = 0
    for slug, path in corpus_pdfs.items():
        figures = typography.measure(str(path))
        report = f"{slug}: {typography.report(figures)}"
        assert not figures.lone, report
        assert not figures.bad_starts and not figures.bad_ends, report
        assert figures.compressed == figures.pairs, report
        assert not figures.short_pages and not figures.widows and not figures.orphans, report
        continued, flush = continued + figures.continued, flush + figures.flush
    # the test issues are short: few lines continue a paragraph; all of them end flush
    assert continued >= 8 and flush / continued >= 0.99, (flush, continued)


# ------------------------------------------------------------------ punctuation at line edges

# At 20.7 em with a 2 em indent, bare WeasyPrint pushes "局。" / "局，" to the next line (the
# mark cannot start a line) and widens the line by 1.7 em; with the mark at the line's end set
# in half an em the pair fits. At 20.3 em the third paragraph's second line needs its opening
# bracket compressed too (a continued line starting with "（").
EDGES = [(20.7, _han(17) + "局。" + _han(30)),  # (the second fits without: a control)
         (20.7, "2020年，" + _han(12) + "局，" + _han(19) + "链）。" + _han(5)),
         (20.3, _han(18) + "（" + _han(18) + "局，" + _han(20))]


def _edges_html(paragraphs):
    return _html([]).replace("<body></body>", "<body>" + "".join(
        f"<p style='width: {width}em; break-before: page'>{html.escape(text)}</p>"
        for width, text in paragraphs)
        + "</body>")


def test_a_line_that_needs_to_lose_space_compresses_its_edge_punctuation(tmp_path):
    _render(_edges_html(EDGES), tmp_path / "bare.pdf", adapted=False)
    bare = [line.text for line in typography.pdf_lines(str(tmp_path / "bare.pdf"))]
    assert not any(line.endswith("局。") for line in bare), bare  # pushed down
    assert not any(line.startswith("（") and line.endswith("局，") for line in bare), bare
    figures = _render(_edges_html(EDGES), tmp_path / "adapted.pdf", adapted=True)
    report = typography.report(figures)
    assert figures.end_compressed == 2 and figures.start_compressed == 1, report
    assert figures.flush_share == 1.0 and not figures.bad_starts and not figures.bad_ends, report
    lines = [line.text for line in typography.pdf_lines(str(tmp_path / "adapted.pdf"))]
    assert any(line.endswith("局。") for line in lines) and any(
        line.startswith("（") and line.endswith("局，") for line in lines), lines
    # nothing inserted: the text a reader copies is the text written
    assert _text(tmp_path / "adapted.pdf") == re.sub(r"\s", "", "".join(t for _, t in EDGES))


def test_edge_compression_stays_within_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(justify, "LIMITS", justify.Limits(punctuation_compression=0.0))
    figures = _render(_edges_html(EDGES), tmp_path / "limited.pdf", adapted=True)
    assert figures.end_compressed == 0 and figures.start_compressed == 0, typography.report(figures)


# ------------------------------------------------------------------ page balance

def _pages_html(before_last_heading: int, third="", extra=""):
    """A6 pages: heading, 5 lines, heading, a paragraph of `before_last_heading` characters,
    then `third` (by default a heading with a long paragraph) that must start page 2."""
    css = ("@page { size: A6; margin: 10mm } body { margin: 0; font-family: 'Noto Serif CJK SC';"
           " font-size: 10.5pt; line-height: 1.8 } p { margin: 0; text-indent: 2em;"
           " text-align: justify; orphans: 2; widows: 2 } h2 { font: bold 14pt/1.5"
           " 'Noto Sans CJK SC'; margin: 20pt 0 0; break-after: avoid } h2:first-child"
           " { margin-top: 0 } figure { margin: 0; break-inside: avoid } figure div"
           " { height: 120pt; background: #ddd }" + extra)
    third = third or f"<h2>{_han(7, 2)}</h2>"
    body = (f"<h2>{_han(6)}</h2><p>{_han(110)}</p><h2>{_han(5, 3)}</h2>"
            f"<p>{_han(before_last_heading, 5)}</p>{third}<p>{_han(660, 1)}</p>")
    return ("<html lang='zh-CN'><head><meta charset='utf-8'><style>" + css
            + "</style></head><body>" + body + "</body></html>")


def _balanced(source, path, balanced=True):
    from huoye.render.weasyprint import balance

    if balanced:
        with justify.cjk_justification(), balance.balanced_pages():
            weasyprint.HTML(string=source).write_pdf(path)
    else:
        with justify.cjk_justification():
            weasyprint.HTML(string=source).write_pdf(path)
    return typography.measure(str(path), body_pages=range(0, 3))


def _heading_tops(path) -> list[float]:
    return [line.box[1] for line in typography.pdf_lines(str(path))
            if line.page == 0 and 18 < line.box[3] - line.box[1]]  # the 14-pt headings


def test_a_page_short_before_a_heading_is_filled_above_its_headings(tmp_path):
    source = _pages_html(144)  # the last heading and two lines do not fit on page 1
    bare = _balanced(source, tmp_path / "bare.pdf", balanced=False)
    assert [page for page, *_ in bare.short_pages] == [1], typography.report(bare)
    figures = _balanced(source, tmp_path / "balanced.pdf")
    assert not figures.short_pages, typography.report(figures)
    assert figures.shortfalls[0][1] < 1, typography.report(figures)
    # the space above the page's second heading grew, by at most the limit; nothing moved
    # from page to page, and the text is the text written
    before, after = _heading_tops(tmp_path / "bare.pdf"), _heading_tops(tmp_path / "balanced.pdf")
    assert len(before) == len(after) == 2 and before[0] == pytest.approx(after[0], abs=0.1)
    growth = (after[1] - before[1]) / (10.5 * 1.8)
    assert 1 < growth <= justify.LIMITS.heading_space_growth + 0.01
    assert _text(tmp_path / "bare.pdf") == _text(tmp_path / "balanced.pdf")
    assert not figures.widows and not figures.orphans


def test_a_page_the_limits_cannot_fill_is_reported_with_its_page(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(justify, "LIMITS", justify.Limits(heading_space_growth=0.5))
    with caplog.at_level(logging.WARNING, logger="huoye.render"):
        figures = _balanced(_pages_html(122), tmp_path / "limited.pdf")
    assert [page for page, *_ in figures.short_pages] == [1], typography.report(figures)
    [record] = [r for r in caplog.records if "lines short" in r.getMessage()]
    assert record.getMessage().startswith("page 1 ")


def test_a_page_before_a_figure_that_cannot_be_split_may_end_short(tmp_path):
    figure = f"<figure><figcaption>图1 {_han(6)}</figcaption><div></div></figure>"
    source = _pages_html(144, third=figure)
    bare = _balanced(source, tmp_path / "bare.pdf", balanced=False)
    figures = _balanced(source, tmp_path / "balanced.pdf")
    # left as it is (a short page belongs there), and the measure does not count it
    assert _heading_tops(tmp_path / "bare.pdf") == _heading_tops(tmp_path / "balanced.pdf")
    assert bare.shortfalls == figures.shortfalls == [(2, 0.0)], typography.report(figures)
    assert not figures.short_pages


@pytest.mark.parametrize("kind", ["orphan", "widow"])
def test_the_measure_sees_widows_and_orphans_that_css_allows(tmp_path, kind):
    # A6 holds a heading and 18 lines of 22 characters (20 after the indent): a paragraph of
    # 17 lines leaves one line for the next (an orphan); one of 16 lines and a paragraph of
    # 3 lines leave that paragraph's last line alone at the top of page 2 (a widow)
    first, second = (20 + 16 * 22, 300) if kind == "orphan" else (20 + 15 * 22, 20 + 2 * 22 - 4)
    rest = f"<p>{_han(second, 3)}</p><p>{_han(300, 5)}</p>"
    for allowed in (1, 2):
        source = _pages_html(0, extra=f" p {{ widows: {allowed}; orphans: {allowed} }}").replace(
            "<body>", "<body><!--").replace("</body>", f"--><h2>{_han(6)}</h2>"
                                            f"<p>{_han(first)}</p>{rest}</body>")
        figures = _balanced(source, tmp_path / f"{kind}-{allowed}.pdf", balanced=False)
        found = figures.orphans if kind == "orphan" else figures.widows
        assert len(found) == (allowed == 1), typography.report(figures)


def test_a_filled_page_leaves_its_footnotes_alone(tmp_path, monkeypatch):
    # a limit high enough to fill the page to its foot (which the footnote takes)
    monkeypatch.setattr(justify, "LIMITS", justify.Limits(heading_space_growth=10))
    note = "<span style='float: footnote; font-size: 8pt'>注释文字</span>"
    source = _pages_html(144).replace(f"<p>{_han(110)}</p>", f"<p>{_han(110)}{note}</p>")
    figures = _balanced(source, tmp_path / "notes.pdf")
    lines = [line for line in typography.pdf_lines(str(tmp_path / "notes.pdf")) if line.page == 0]
    [footnote] = [line for line in lines if "注释文字" in line.text]
    body = [line for line in lines if line.box[3] - line.box[1] > 14]
    assert body and max(line.box[3] for line in body) < footnote.box[1], typography.report(figures)
    assert not any(line.text.startswith(_han(7, 2)) for line in lines)  # heading moved on
    assert max(line.box[3] for line in body) > footnote.box[1] - 30  # the page was filled


def test_a_line_whose_gaps_widen_beyond_the_limit_is_reported(tmp_path, caplog):
    # a 14-em column: "internationalisation" cannot be broken and does not fit after the
    # indent and 8 characters, which take the whole first line between them
    source = _html([_han(8) + "internationalisation" + _han(20)], width_em=14)
    with caplog.at_level(logging.WARNING, logger="huoye.render"):
        figures = _render(source, tmp_path / "loose.pdf", adapted=True)
    [record] = [r for r in caplog.records if "widened by" in r.getMessage()]
    assert record.getMessage().startswith(f"page 1: the line beginning '{_han(8)}'"), record
    widening = float(re.search(r"widened by ([0-9.]+) em", record.getMessage()).group(1))
    assert widening > justify.LIMITS.gap_widening + 0.1, record
    assert f"more than {justify.LIMITS.gap_widening} em" in record.getMessage()
    caplog.clear()  # the sample's paragraphs stay within the limit: no such warning
    with caplog.at_level(logging.WARNING, logger="huoye.render"):
        _render(_html(LONE), tmp_path / "within.pdf", adapted=True)
    assert not [r for r in caplog.records if "widened by" in r.getMessage()], figures
