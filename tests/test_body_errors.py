"""What the body format refuses, each at its file:line with the fix, and exit status 2
with nothing written: Markdown the model has no place for is never dropped silently."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest

from huoye.cli import main
from huoye.errors import ContentError
from tests.conftest import CONTENT

HEAD = """---
year: 2022
number: 1
serial: 500
date: 2022-01-10
theme: 测试
note: 编者按。
---

"""
RECS = "\n\n## 对策建议 {.recommendations}\n\n1.第一条建议。正文。\n"


def problems(tmp_path, body: str) -> list[str]:
    from huoye.load import load_archive

    root = tmp_path / "content"
    (root / "2022-01").mkdir(parents=True)
    shutil.copy(CONTENT / "series.yaml", root / "series.yaml")
    (root / "2022-01" / "issue.md").write_text(HEAD + body + RECS, encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_archive(root)
    return [f"{p.line}: {p.field}: {p.message}" for p in err.value.problems]


BODY_LINE = 10  # the body's first line in the file

CASES = {
    "raw HTML": ("## 一节\n\n正文<b>加粗</b>。", ["12: body: raw HTML '<b>' is not part of the format"]),
    "raw HTML block": ("## 一节\n\n正文。\n\n<div>\n正文\n</div>",
                       ["14: body: raw HTML is not part of the format"]),
    "footnote without text": ("## 一节\n\n正文[^1]。", ["12: footnote: the footnote [^1] has no text"]),
    "footnote never cited": ("## 一节\n\n正文。\n\n[^9]: 注释。",
                             ["14: footnote: the footnote [^9] is never cited"]),
    "ragged table row": ("## 一节\n\n| 年份 | 数值 |\n| --- | --: |\n| 2020 | 1 | 3 |\n| 2021 | 2 |",
                         ["14: table: this row has 3 cells but the table has 2 columns"]),
    "short table row": ("## 一节\n\n| 年份 | 数值 |\n| --- | --: |\n| 2020 |",
                        ["14: table: this row has 1 cells but the table has 2 columns"]),
    "unnumbered heading too deep": ("## 一节\n\n正文。\n\n#### 小标题\n\n正文。",
                                    ["14: heading: '####' is too deep for an unnumbered heading"]),

    "one wrong label, one error": (
        "## 一节\n\n（一）甲。正文。\n\n（三）乙。正文。\n\n（三）丙。正文。\n\n（四）丁。正文。",
        ["14: point: numbered '（三）' after '（一）'; expected '（二）'"]),
    "style changes at one level": (
        "## 一节\n\n1.甲。正文。\n\n2.乙。正文。\n\n## 二节\n\n一、丙。正文。\n\n（一）丁。正文。\n\n二、戊。正文。\n\n（3）己。正文。",
        None),
    "four levels": ("## 一节\n\n一、甲。正文。\n\n（一）乙。正文。\n\n1.丙。正文。\n\n（1）丁。正文。",
                    ["18: point: points are numbered at most three levels below a section"]),
    "bold closed after 。 before a character": (
        "## 一节\n\n正文说明**要点。**后文。",
        ["12: body: '**要点。**' is not read as bold: CommonMark ends bold after a punctuation "
         "mark only before a space or another mark; write '**要点**。'"]),
    "code block": ("## 一节\n\n正文。\n\n```\ncode\n```",
                   ["14: body: a code block is not part of the format"]),
    "list inside a list": ("## 一节\n\n- 甲\n  - 乙", ["13: body: a list item holds text only"]),
    "table numbered out of order": ("## 一节\n\n表2　甲\n\n| a | b |\n| - | - |\n| 1 | 2 |",
                                    ["12: table: the table is numbered '表2' but it is table 1"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_unsupported_markdown_is_reported_at_its_line_with_the_fix(tmp_path, name):
    body, expected = CASES[name]
    got = problems(tmp_path, body)
    if expected is None:
        return _special(name, got)
    assert len(got) == len(expected), got
    for g, e in zip(got, expected):
        assert g.startswith(e), got


def _special(name, got):
    if name == "style changes at one level":
        # section 2: 一、 then （一） (a sub-point) then 二、 then （3）: the one problem is at
        # （3）, the first sub-point of 二、, which should be （1）
        assert got == ["24: point: numbered '（3）' but it is the first point here; "
                       "expected '（1）'"], got


def test_a_numbered_paragraph_before_the_first_section_is_preamble_text(tmp_path):
    from huoye.load import load_archive

    root = tmp_path / "content"
    (root / "2022-01").mkdir(parents=True)
    shutil.copy(CONTENT / "series.yaml", root / "series.yaml")
    (root / "2022-01" / "issue.md").write_text(HEAD + "（一）导语。\n\n## 一节\n\n正文。" + RECS,
                                               encoding="utf-8")
    [issue] = load_archive(root)
    assert [b.text for b in issue.articles[0].preamble] == ["（一）导语。"]


def test_huoye_new_placeholders_are_errors_until_replaced(content_copy, capsys):
    from huoye.scaffold import new_issue

    path = new_issue(content_copy, theme="数字财政", date=dt.date(2020, 5, 25))
    assert main(["check", str(content_copy)]) == 2
    err = capsys.readouterr().err
    lines = path.read_text(encoding="utf-8").split("\n")
    placeholder_lines = [n for n, line in enumerate(lines, start=1) if "【待填" in line]
    assert len(placeholder_lines) >= 5
    for n in placeholder_lines:
        assert f"issue.md:{n}: placeholder: '【待填：" in err
    assert "replace it with your text" in err


def test_a_bold_headline_ending_in_its_full_stop_is_a_headline_not_stars(tmp_path):
    from huoye.load import load_archive

    root = tmp_path / "content"
    (root / "2022-01").mkdir(parents=True)
    shutil.copy(CONTENT / "series.yaml", root / "series.yaml")
    (root / "2022-01" / "issue.md").write_text(
        HEAD + "## 一节\n\n（一）**规模持续扩大。**正文继续。\n\n（二）**结构优化**。正文。" + RECS,
        encoding="utf-8")
    [issue] = load_archive(root)
    points = issue.sections[0].points
    assert [(p.label, p.headline) for p in points] == [("（一）", "规模持续扩大"), ("（二）", "结构优化")]
    assert [p.blocks[0].text for p in points] == ["规模持续扩大。正文继续。", "结构优化。正文。"]


@pytest.mark.parametrize("where, body, line", [
    ("table cell", "## 一节\n\n正文。\n\n| 项目 | 数值 |\n| --- | --: |\n| 甲\U0002a6d6 | 1 |", 16),
    ("quotation", "## 一节\n\n正文。\n\n> 引文\U0002a6d6。", 14),
    ("footnote", "## 一节\n\n正文[^1]。\n\n[^1]: 注释\U0002a6d6。", 14),
])
def test_a_character_no_font_draws_is_refused_wherever_it_is(tmp_path, where, body, line):
    """Fonts are checked for the new blocks too (a missing glyph would print a box)."""
    from huoye.errors import RenderError
    from huoye.fonts import check_fonts
    from huoye.load import load_archive

    root = tmp_path / "content"
    (root / "2022-01").mkdir(parents=True)
    shutil.copy(CONTENT / "series.yaml", root / "series.yaml")
    (root / "2022-01" / "issue.md").write_text(HEAD + body + RECS, encoding="utf-8")
    [issue] = load_archive(root)
    with pytest.raises(RenderError) as err:
        check_fonts(issue)
    assert f"issue.md:{line}" in str(err.value) and "U+2A6D6" in str(err.value)


def test_qualifiers_are_words_one_per_chart_value(tmp_path):
    front = HEAD.replace("note: 编者按。\n", """note: 编者按。
figures:
  - value: 20
    unit: "%"
    qualifier: 20%
    label: 份额
    sentence: 份额达到20%以上。
charts:
  - id: c
    title: 份额
    kind: column
    categories: [甲, 乙]
    series:
      - name: 份额
        values: [5, 20]
        qualifiers: [约]
    unit: "%"
    source: 世界银行
    anchor: 份额达到
""")
    from huoye.load import load_archive

    root = tmp_path / "content"
    (root / "2022-01").mkdir(parents=True)
    shutil.copy(CONTENT / "series.yaml", root / "series.yaml")
    (root / "2022-01" / "issue.md").write_text(front + "## 一节\n\n份额达到20%以上。" + RECS,
                                               encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_archive(root)
    got = [f"{p.line}: {p.field}: {p.message}" for p in err.value.problems]
    assert got == [
        "11: figures[1].qualifier: '20%' is not a qualifier of a number; write one word such "
        "as 以上, 左右, 约, 近, 超过 (or leave it out)",
        "22: charts[1].series[1].qualifiers: give one qualifier per value, \"\" where there is "
        "none, like [\"\", 以上] for two values"], got
