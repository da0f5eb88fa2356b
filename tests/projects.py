"""Test projects made the way a new user makes them: `huoye init`, `huoye new`, then the
skeleton filled in with text of our own (not the sample issue)."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from huoye.cli import main

ISSUES = [  # (date, theme, note, body): three issues over two years
    (dt.date(2025, 11, 20), "城市更新",
     "城市更新是推动城市高质量发展的重要抓手。\n本期梳理各地城市更新的资金来源与财政支持方式。",
     "## 城市更新的财政逻辑\n\n城市更新项目投资大、周期长，**收益**主要来自存量资产的增值。\n\n"
     "### 一、资金从哪里来\n\n专项债券、政策性金融和社会资本是三类主要来源。\n\n"
     "## 对策建议 {.recommendations}\n\n1.建立多元投入机制。引导社会资本参与微改造。\n\n"
     "2.完善绩效评价。把居民满意度纳入评价指标。\n"),
    (dt.date(2025, 12, 18), "养老金融",
     "人口老龄化对养老金融提出了新的要求。",
     "## 养老金融的现状\n\n第三支柱个人养老金制度已在全国推开。\n\n"
     "### 一、参与率仍然偏低\n\n开户人数增长较快，但实际缴存比例不高。\n\n"
     "## 对策建议 {.recommendations}\n\n1.提高税收优惠力度。适当提高个人养老金缴费上限。\n"),
    (dt.date(2026, 1, 22), "数据要素",
     "数据已成为新的生产要素。\n本期讨论数据资产入表对地方财政的影响。",
     "## 数据资产入表\n\n数据资源可以作为无形资产或存货入表。\n\n"
     "### 一、对地方国企的影响\n\n入表将改善部分企业的资产负债结构。\n\n"
     "## 对策建议 {.recommendations}\n\n1.规范数据资产评估。防止虚增资产。\n"),
]


def fill(path: Path, note: str, body: str) -> None:
    """Replace the skeleton's editor's note and body by real text."""
    text = path.read_text(encoding="utf-8")
    head, _, _ = text.partition("\n---\n")
    note_block = "note: |\n" + "".join(f"  {line}\n" for line in note.splitlines())
    head = re.sub(r"^note:.*\n(?:  .*\n?)*", note_block, head + "\n", flags=re.M).rstrip("\n")
    path.write_text(f"{head}\n---\n\n{body}", encoding="utf-8")


def make_project(folder: Path, *extra_init: str) -> Path:
    """A bulletin project in folder/bulletin with the three ISSUES. Returns its folder."""
    project = folder / "bulletin"
    assert main(["init", str(project), "--name", "测试财经周报", "--publisher", "某市财政研究中心",
                 "--publisher", "某市财政学会", "--staff", "主编=王一", "--staff", "编辑=李二",
                 "--telephone", "(010)12345678", "--address", "某市某路1号", "--postcode", "100000",
                 "--colour", "#1f4e79", "--accent", "#8fb339", "--first-serial", "41",
                 *extra_init]) == 0
    content = project / "content"
    for folder_name, (date, theme, note, body) in zip(("2025-01", "2025-02", "2026-01"), ISSUES):
        assert main(["new", "--content", str(content), "--theme", theme,
                     "--date", date.isoformat()]) == 0
        fill(content / folder_name / "issue.md", note, body)  # before the next 'new' reads it
    return project


def fill_in(path: Path, words: str = "样稿") -> Path:
    """Fill a skeleton's placeholders with a little text of our own; returns `path`."""
    fill(path, f"{words}的编者按。",
         f"## {words}的第一部分\n\n{words}的导语段落。\n\n### 一、{words}的要点\n\n{words}的要点正文。\n\n"
         f"## 对策建议 {{.recommendations}}\n\n1.{words}的建议。建议正文。\n")
    return path
