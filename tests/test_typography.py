"""Chinese typesetting as a reader sees it, measured from the PDF (huoye.typography):
punctuation pairs compressed, no lone last characters, flush lines, line-start/end rules,
on varied paragraphs rendered with and without huoye's adapter, and on the built sample.

The oracle is the PDF read back by poppler (pdftotext) and pdfminer (pdfplumber), never
the adapter's own bookkeeping."""
from __future__ import annotations

import html
import logging
import re
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
    return typography.measure(str(path), body_pages=range(0))


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
    assert figures.pairs >= 6 and figures.compressed == figures.pairs, typography.report(figures)
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
    monkeypatch.setattr(justify, "_warned", set())
    with caplog.at_level(logging.WARNING, logger="huoye.render"):
        figures = _render(_html(LONE[:1]), tmp_path / "limited.pdf", adapted=True)
    assert len(figures.lone) == 1
    [record] = [r for r in caplog.records if "one character" in r.getMessage()]
    assert "page 1" in record.getMessage() and LONE[0][:10] in record.getMessage()


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
