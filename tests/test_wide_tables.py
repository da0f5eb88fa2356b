"""PDF tables never overflow the text width: a wide table's type shrinks within limits,
then its cells wrap (issue 10). Four tables unlike each other — thirteen columns of long
numbers with thousands commas, four columns of long sentences, six columns holding codes
and a web address with no place to break, nine columns of long headers and numbers
without commas, sixteen columns of ten-digit figures — are built into one PDF; the oracle is poppler's reading of the file
(pdfplumber's word boxes, pdftotext's text), not huoye's width estimate: every word of every page lies
within the text area, whose edges are those of the justified prose lines around the
tables, and every cell's numbers and words are printed, the rows in order."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pdfplumber
import pytest

from tests.conftest import ROOT
from tests.test_corpus import missing_from, pdf_pages, tokens

PROSE = ("财政数据表格是政策简报中最常见的内容之一，编辑往往直接从统计年鉴或决算报表中复制整张表格，"
         "列数多、数字长、单元格文字长，排版时必须保证表格不超出版心宽度，先缩小字号，再让单元格换行。")
HAN = re.compile(r"[\u4e00-\u9fff]")


def wide_tables() -> list[list[str]]:
    """The four tables, as Markdown lines (caption first)."""
    years = [f"{y}年" for y in range(2011, 2023)]
    many = ["表1　2011—2022年各项收入（单位：元）", "",
            "| 项目 | " + " | ".join(years) + " |", "| :--- | " + " | ".join("---:" for _ in years) + " |"]
    for k, name in enumerate(["税收收入", "非税收入", "转移支付收入", "债务收入"]):
        many.append(f"| {name} | " + " | ".join(f"{(k + 1) * 98765432.1 + y * 1234567.89:,.2f}"
                                               for y in range(len(years))) + " |")
    prose = ["表2　各地区政策要点", "", "| 地区 | 主要做法 | 取得成效 | 存在问题 |", "| --- | --- | --- | --- |"]
    for k, name in enumerate(["东部地区", "中部地区", "西部地区"]):
        prose.append(f"| {name} | " + " | ".join(PROSE[k * 7 + j: k * 7 + j + 60] for j in range(3)) + " |")
    codes = ["表3　数据来源与编码", "", "| 指标 | 标准编号 | 数据库代码 | 查询地址 | 更新频率 | 备注 |",
             "| --- | --- | --- | --- | --- | --- |"]
    for k in range(4):
        codes.append(f"| 指标{k + 1} | GB/T-7714-2015-{k}A | A0201{k:02d}0{k}01CNTSF2022 | "
                     f"https://data.stats.gov.cn/easyquery.htm?cn=C01&zb=A0201{k:02d} | 每年 | 初步统计数 |")
    debt = ["表4　债务余额与限额（单位：亿元）", "",
            "| 地区 | 一般债务余额 | 专项债务余额 | 一般债务限额 | 专项债务限额 | 余额占限额比重（%） | "
            "债务率（%） | 偿债率（%） | 利息支出 |", "| :--- | " + " | ".join("---:" for _ in range(8)) + " |"]
    for k, name in enumerate(["省本级", "甲市", "乙市", "丙市", "丁县"]):
        debt.append(f"| {name} | " + " | ".join(f"{12345.678 * (k + 1) + j:.3f}" for j in range(8)) + " |")
    # sixteen columns of ten-digit figures without commas: too wide even at the smallest
    # size unless a figure may wrap anywhere
    widest = ["表5　分项目明细（单位：元）", "", "| 编号 | " + " | ".join(f"项目{j + 1}" for j in range(15)) + " |",
              "| --- | " + " | ".join("---:" for _ in range(15)) + " |"]
    for k in range(3):
        widest.append(f"| {k + 1} | " + " | ".join(f"{1234567890 + 1111 * j * (k + 1)}.55" for j in range(15)) + " |")
    return [many, prose, codes, debt, widest]


ISSUE = """---
year: 2022
number: 1
serial: 500
date: 2022-01-25
theme: 宽表格排版
note: 本期检验宽表格在版心内的排版。
---
## 宽表格

{tables}
## 对策建议 {{.recommendations}}

（一）**缩小字号**。先在限度内缩小表格字号。

（二）**单元格换行**。再让过长的单元格换行。
"""


@pytest.fixture(scope="module")
def wide_pdf(tmp_path_factory) -> Path:
    from huoye.build import BuildRequest, build

    content = tmp_path_factory.mktemp("wide") / "content"
    (content / "2022-01").mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "fixtures" / "issues" / "series.yaml", content / "series.yaml")
    blocks = [f"{PROSE * 2}\n\n" + "\n".join(t) + "\n\n数据来源：测试数据\n" for t in wide_tables()]
    (content / "2022-01" / "issue.md").write_text(ISSUE.format(tables="\n".join(blocks)), encoding="utf-8")
    # PDF only: thirteen columns are more than a slide takes (the deck refuses them, with the fix)
    [result] = build(BuildRequest(paths=[content], out_dir=content.parent / "out", formats=["pdf"],
                                  force=True))
    assert result.error is None, result.error
    return result.outputs[0]


def test_every_table_word_lies_within_the_text_width(wide_pdf):
    with pdfplumber.open(wide_pdf) as pdf:
        pages = [page.extract_words(use_text_flow=True) for page in pdf.pages]
    prose = [w for words in pages for w in words if len(HAN.findall(w["text"])) >= 15]
    assert len(prose) > 10  # the justified lines that give the text area's edges
    left, right = min(w["x0"] for w in prose), max(w["x1"] for w in prose)
    assert right - left > 400  # an A4 text area (~459 pt), not a stray short line
    outside = [(n, w["text"], round(w["x0"]), round(w["x1"])) for n, words in enumerate(pages, 1)
               for w in words if w["x0"] < left - 1 or w["x1"] > right + 1]
    assert not outside, outside[:10]


def test_every_cell_is_printed_and_the_rows_in_order(wide_pdf):
    """Each cell's text in one piece, however it wrapped, and the rows in order (poppler
    reads a wrapped header cell before its shorter neighbours: the order within a row is
    the reader's guess, not checked)."""
    pages = "".join(pdf_pages(wide_pdf))  # poppler's pdftotext
    flat = re.sub(r"[\s\u200b]+", "", pages)
    for table in wide_tables():
        rows = [[c.strip() for c in row.strip("|").split("|")] for row in table[2:]
                if not set(row) <= set("|-: ")]
        for row in rows:
            for cell in row:
                assert re.sub(r"\s+", "", cell) in flat, (table[0], cell)
        assert missing_from(tokens(" ".join(row[0] for row in rows)), tokens(pages)) is None, table[0]


def test_the_widest_tables_are_set_smaller_than_the_body(wide_pdf):
    """Shrink first: the thirteen-column table's figures are set below the body size."""
    with pdfplumber.open(wide_pdf) as pdf:
        chars = [c for page in pdf.pages for c in page.chars]
    body = max(round(c["size"], 1) for c in chars if HAN.match(c["text"]) and c["size"] < 12)
    figures = [c["size"] for c in chars if c["text"].isdigit()]
    assert min(figures) < body - 1.5, (min(figures), body)
