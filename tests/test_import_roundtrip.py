"""Round trip: Word manuscripts made here → `huoye import` → `huoye build` → the PDF's text.

Four manuscripts unlike each other (typed numbering with a merged-cell table; Word's
automatic numbering in three sections with two tables and two footnotes; Word heading
styles with two captioned pictures and endnotes; styles with quotations, lists and
references) are imported into one project, the editor's front-matter decisions filled,
and the project built to PDF once per session. The oracles are the manuscripts
themselves (read here with python-docx, not with the importer) and the PDF as poppler
reads it (pdftotext page by page, pdfimages):

- every Han character and number of a manuscript's body is in its PDF in order (running
  heads, repeated table headers and the contents page are extra text, allowed);
- its landmarks — each section heading, the points under it, each table's caption and
  cells between the paragraphs around it, each figure's caption — come in the
  manuscript's order, after the body has begun;
- each footnote (or endnote) text is on the page that holds the words just before its
  mark;
- the pictures are in the PDF at their pixel size.
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from contextlib import redirect_stdout
from pathlib import Path

import pytest

docx = pytest.importorskip("docx")
from docx.oxml import parse_xml

from huoye.cli import main
from tests.test_corpus import missing_from, pdf_pages, tokens
from tests.test_import import (
    SERIES,
    W_NS,
    _bold_point,
    _footnotes,
    _note_mark,
    _notes,
    automatic_numbering,
    styled_manuscript,
    tracked_manuscript,
    typed_manuscript,
)

W = f"{{{W_NS}}}"


def _endnotes(document, texts: dict[int, str]) -> None:
    _notes(document, texts, "endnote")


def _endnote_mark(paragraph, k: int) -> None:
    _note_mark(paragraph, k, "endnote")


def automatic_manuscript(path: Path) -> Path:
    """Word's automatic numbering (一、/（一）/1./①) in three sections, a table with a unit
    line and a source, a second table, and two footnotes in different sections."""
    d = docx.Document()
    numbered = automatic_numbering(d)
    d.add_paragraph("政府债务管理的三点观察", style="Title")
    d.add_paragraph("赵磊　钱敏（某省财政厅预算处）")
    d.add_paragraph("摘要：近年来政府债务规模增长较快，本文从发行、使用和偿还三个环节观察债务管理。")
    numbered("发行环节", 0)
    numbered("发行节奏前快后慢。上半年发行规模占全年的七成以上。", 1)
    numbered("一季度集中发行。当季发行八百四十亿元。", 2)
    p = numbered("四季度发行放缓。当季仅发行一百二十亿元", 2)
    _note_mark(p, 1)
    p.add_run("。")
    numbered("期限结构拉长。十年期以上债券占比提高。", 1)
    d.add_paragraph("表1　分季度发行情况（单位：亿元）")
    t = d.add_table(rows=4, cols=3)
    for r, row in enumerate([("季度", "一般债券", "专项债券"), ("一季度", "310", "530"),
                             ("二季度", "205", "476"), ("四季度", "48", "72")]):
        for c, text in enumerate(row):
            t.cell(r, c).text = text
    d.add_paragraph("数据来源：省财政厅债务管理系统")
    d.add_paragraph("发行结构的变化与项目储备密切相关，储备不足的地区发行明显滞后。")
    numbered("使用环节", 0)
    numbered("资金沉淀问题突出。部分项目资金闲置超过半年。", 1)
    numbered("项目前期准备不足。", 2)
    numbered("用地手续办理缓慢。", 3)
    numbered("环评审批周期较长。", 3)
    numbered("支出进度考核偏软。", 2)
    p = numbered("投向结构有待优化。基础设施占比偏高", 1)
    _note_mark(p, 2)
    p.add_run("。")
    d.add_paragraph("表2　专项债券投向（单位：%）")
    t = d.add_table(rows=3, cols=2)
    for r, row in enumerate([("投向", "占比"), ("交通基础设施", "38.5"), ("社会事业", "21.4")]):
        for c, text in enumerate(row):
            t.cell(r, c).text = text
    d.add_paragraph("投向结构的调整需要更长时间。")
    numbered("对策建议", 0)
    numbered("加强项目储备。建立三年滚动项目库。", 1)
    numbered("强化绩效管理。把使用效率纳入考核。", 1)
    _footnotes(d, {1: "四季度数据含置换债券。", 2: "按2020年末存量口径计算。"})
    d.save(path)
    return path


def _png(path: Path, size: tuple[int, int], colour: str) -> Path:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle([10, 10, size[0] - 10, size[1] - 10], outline=colour, width=6)
    draw.rectangle([30, size[1] // 2, size[0] // 2, size[1] - 30], fill=colour)
    img.save(path)
    return path


FIGURE_SIZES = [(363, 217), (251, 199)]   # pixel sizes, to find them again in the PDF


def figures_manuscript(path: Path) -> Path:
    """Word heading styles over typed （1）/① points, two pictures with captions 图1 (below
    it, with a source line) and 图2 (above it), and two endnotes."""
    from docx.shared import Inches

    d = docx.Document()
    d.add_paragraph("民生支出结构的变化", style="Title")
    d.add_paragraph("吴凡（某市财政局）")
    d.add_heading("一、支出规模持续扩大", level=1)
    p = d.add_paragraph("2016—2020年全市民生支出年均增长百分之八点六，高于一般公共预算支出增速")
    _endnote_mark(p, 1)
    p.add_run("。")
    d.add_paragraph("（1）教育支出稳定增长。各年均保持在百分之十五以上。")
    d.add_paragraph("（2）卫生健康支出增速最快。2020年增长百分之二十一。")
    d.add_picture(str(_png(path.with_name("fig1.png"), FIGURE_SIZES[0], "#1f4e79")),
                  width=Inches(3.6))
    d.add_paragraph("图1　2016—2020年民生支出增长情况")
    d.add_paragraph("资料来源：市财政局决算报表")
    d.add_paragraph("民生支出的增长主要来自教育和卫生健康两项。")
    d.add_heading("二、结构调整的方向", level=1)
    d.add_paragraph("图2　民生支出的构成")
    d.add_picture(str(_png(path.with_name("fig2.png"), FIGURE_SIZES[1], "#9e1b1b")),
                  width=Inches(2.4))
    p = d.add_paragraph("①社会保障支出占比下降。由百分之二十七降至二十四")
    _endnote_mark(p, 2)
    p.add_run("。")
    d.add_paragraph("②住房保障支出占比上升。保障性租赁住房投入增加。")
    d.add_heading("三、对策建议", level=1)
    _bold_point(d, "1.优化支出结构。", "压减一般性支出，保障基本民生。")
    _bold_point(d, "2.完善绩效评价。", "把民生支出的效果纳入绩效评价。")
    _endnotes(d, {1: "一般公共预算支出同期年均增长百分之六点一。", 2: "按当年决算数计算。"})
    d.save(path)
    return path


ISSUES = {   # issue → (manuscript maker, publication date the editor decides)
    "2021-06": (typed_manuscript, "2021-06-01"),
    "2021-07": (automatic_manuscript, "2021-07-01"),
    "2021-08": (figures_manuscript, "2021-08-01"),
    "2021-09": (styled_manuscript, "2021-09-01"),
    "2021-10": (tracked_manuscript, "2021-10-01"),   # under review: changes accepted
}

# what each manuscript's structure says must come, in this order, in its PDF's body text
LANDMARKS = {
    "2021-06": ["一、监测的基本做法", "（一）建立月度报送制度。", "2020年全省共监测县区八十六个",
                "（二）实行分级预警。", "分别采取约谈、督导和提醒措施。",
                "表1", "监测县区库款保障情况", "等级", "2019年", "2020年", "红色", "12", "7",
                "黄色", "20", "15", "合计说明", "绿色县区不再列示", "数据来源：省财政厅运行监测系统",
                "二、完善监测预警的对策建议", "1.扩大监测范围。", "2.强化结果运用。"],
    "2021-07": ["一、发行环节", "（一）发行节奏前快后慢。", "1.一季度集中发行。", "2.四季度发行放缓。",
                "（二）期限结构拉长。", "表1", "分季度发行情况", "季度", "一般债券", "专项债券",
                "一季度", "310", "530", "二季度", "205", "476", "四季度", "48", "72",
                "省财政厅债务管理系统", "发行结构的变化与项目储备密切相关",
                "二、使用环节", "（一）资金沉淀问题突出。", "1.项目前期准备不足。", "①用地手续办理缓慢。",
                "②环评审批周期较长。", "2.支出进度考核偏软。", "（二）投向结构有待优化。",
                "表2", "专项债券投向", "投向", "占比", "交通基础设施", "38.5", "社会事业", "21.4",
                "投向结构的调整需要更长时间。", "三、对策建议", "（一）加强项目储备。",
                "（二）强化绩效管理。"],
    "2021-08": ["一、支出规模持续扩大", "（1）教育支出稳定增长。", "（2）卫生健康支出增速最快。",
                "2016—2020年民生支出增长情况", "市财政局决算报表", "民生支出的增长主要来自",
                "二、结构调整的方向", "民生支出的构成", "①社会保障支出占比下降。",
                "②住房保障支出占比上升。", "三、对策建议", "1.优化支出结构。", "2.完善绩效评价。"],
    "2021-09": ["整合的主要做法", "一、统一资金池", "中央一号文件对财政支持乡村振兴提出了明确要求",
                "坚持把农业农村作为一般公共预算优先保障领域。", "高标准农田建设和农田水利设施；",
                "农村人居环境整治，包括厕所改造。", "1.建立项目库，实行滚动管理。",
                "完善整合机制的建议", "1.扩大整合范围。", "参考文献", "王立"],
    "2021-10": ["一、修订后的收支情况", "全年一般公共预算收入稳步增长。", "税收收入占比提高。",
                "支出结构持续优化，民生支出占比超过七成。非税收入下降。重点保障到位。",
                "表1", "收支情况", "项目", "金额", "收入", "120", "二、对策建议", "1.加强收入征管。"],
}
FIRST_WORDS = {   # the body's text before the first landmark (its last occurrence: the
    # contents page before it lists titles and bylines): the landmark search starts there
    "2021-06": "县级财政是国家治理的基础", "2021-07": "近年来政府债务规模增长较快",
    "2021-08": "吴凡（某市财政局）", "2021-09": "甲县自2019年起统筹整合涉农资金",
    # no text of its own before its first heading: the contents page's end (its last
    # leader and page number, then page 2's running head)
    "2021-10": ".2财经活页",
}


def _fill(issue_md: Path, date: str) -> None:
    """The editor's decisions, as the report lists them: date, theme, note."""
    text = issue_md.read_text(encoding="utf-8")
    text = text.replace("【待填：本期主题】", "财政运行").replace(
        "【待填：编者按】", "本期刊发一篇研究文章。").replace("【待填：图片说明】", "流程示意")
    text = re.sub(r"(?m)^date: .*$", f"date: {date}", text)
    issue_md.write_text(text, encoding="utf-8")


@pytest.fixture(scope="session")
def roundtrip(tmp_path_factory):
    """Each manuscript imported into one project, the decisions filled, built to PDF once:
    {issue: {"manuscript", "md", "report", "pdf"}}."""
    from huoye.build import BuildRequest, build

    tmp = tmp_path_factory.mktemp("roundtrip")
    content = tmp / "content"
    content.mkdir()
    shutil.copy(SERIES, content / "series.yaml")
    out: dict[str, dict] = {}
    for issue, (make, date) in ISSUES.items():
        (tmp / issue).mkdir()
        manuscript = make(tmp / issue / "稿件.docx")
        report = io.StringIO()
        with redirect_stdout(report):
            assert main(["import", str(manuscript), "--issue", issue, "--content", str(content)]) == 0
        md = content / issue / "issue.md"
        out[issue] = {"manuscript": manuscript, "md": md.read_text(encoding="utf-8"),
                      "folder": content / issue,
                      "report": report.getvalue()}
        _fill(md, date)
    results = build(BuildRequest(paths=[content], formats=("pdf",), out_dir=tmp / "output",
                                 force=True, site=False))
    for r in results:
        assert r.error is None, r.error
        [pdf] = [p for p in r.outputs if p.suffix == ".pdf"]
        out[pdf.parent.name]["pdf"] = pdf
    assert all("pdf" in v for v in out.values()), out
    return out


def body_paragraphs(manuscript: Path) -> list[str]:
    """The manuscript's body in reading order as Word holds it (paragraphs, table cells),
    read with python-docx's XML, not with the importer; notes are in parts of their own.
    With its tracked changes accepted as Word defines them: deleted and moved-away text is
    `w:delText` (not read), a row marked deleted (`w:trPr/w:del`) goes."""
    d = docx.Document(str(manuscript))
    out = []
    for el in d.element.body.iterchildren():
        if el.tag == f"{W}p":
            out.append("".join(t.text or "" for t in el.iter(f"{W}t")))
        elif el.tag == f"{W}tbl":
            out += ["".join(t.text or "" for t in tc.iter(f"{W}t"))
                    for tr in el.iter(f"{W}tr") if tr.find(f"{W}trPr/{W}del") is None
                    for tc in tr.iter(f"{W}tc")]
    return out


def note_texts(manuscript: Path) -> dict[str, tuple[str, str]]:
    """{kind+id: (the note's text, the words just before its mark in the body)}."""
    d = docx.Document(str(manuscript))
    texts = {}
    for rel in d.part.rels.values():
        for kind in ("footnote", "endnote"):
            if rel.reltype.endswith("/" + kind + "s"):
                root = parse_xml(rel.target_part.blob)
                for note in root.iter(f"{W}{kind}"):
                    if note.get(f"{W}type") is None:
                        texts[kind + note.get(f"{W}id")] = "".join(
                            t.text or "" for t in note.iter(f"{W}t"))
    out = {}
    before = ""
    for el in d.element.body.iter(f"{W}t", f"{W}footnoteReference", f"{W}endnoteReference"):
        if el.tag == f"{W}t":
            before += el.text or ""
            continue
        key = ("footnote" if el.tag.endswith("footnoteReference") else "endnote") + el.get(f"{W}id")
        out[key] = (texts[key], "".join(tokens(before)[-6:]))
    assert set(out) == set(texts)
    return out


@pytest.mark.parametrize("issue", list(ISSUES))
def test_every_han_character_and_number_of_the_manuscript_is_in_the_pdf_in_order(roundtrip,
                                                                                   issue):
    got = roundtrip[issue]
    want = tokens("\n".join(body_paragraphs(got["manuscript"])))
    assert len(want) > 60   # the check has something to check
    pages = pdf_pages(got["pdf"])
    lost = missing_from(want, tokens("\n".join(pages)))
    assert lost is None, f"{issue}: the PDF lacks (in reading order) from: {''.join(lost)}"


@pytest.mark.parametrize("issue", list(ISSUES))
def test_sections_points_tables_and_figures_land_where_the_manuscript_had_them(roundtrip,
                                                                                issue):
    got = roundtrip[issue]
    text = re.sub(r"\s+", "", "".join(pdf_pages(got["pdf"])))
    # the landmarks are the manuscript's own text (not what the importer wrote)
    manuscript = re.sub(r"\s+", "", "".join(body_paragraphs(got["manuscript"])))
    at = text.rindex(FIRST_WORDS[issue])
    for mark in LANDMARKS[issue]:
        # Word's automatic numbers are not in the manuscript's text; the rest is
        bare = re.sub(r"^([一二三]、|（[一二三]）|\d\.|[①②])", "", mark)
        assert mark in manuscript or bare in manuscript, (issue, mark)
        found = text.find(mark, at)
        assert found >= 0, f"{issue}: '{mark}' is not in the PDF after {text[at - 30:at]!r}"
        at = found + len(mark)


@pytest.mark.parametrize("issue", list(ISSUES))
def test_each_note_is_at_the_foot_of_the_page_that_cites_it(roundtrip, issue):
    got = roundtrip[issue]
    notes = note_texts(got["manuscript"])
    if issue == "2021-09":
        assert not notes
        return
    assert notes
    pages = pdf_pages(got["pdf"])
    for key, (note, before) in notes.items():
        note = note.strip()
        on = [k for k, page in enumerate(pages)
              if missing_from(tokens(before), tokens(page)) is None
              and note.replace(" ", "") in re.sub(r"\s+", "", page)]
        assert on, f"{issue}: {key} '{note}' is not on the page citing it (after '{before}')"
        # and only there: not also printed as a paragraph of the body
        assert re.sub(r"\s+", "", "".join(pages)).count(note.replace(" ", "")) == 1, (issue, note)


def test_the_pictures_are_written_beside_issue_md_with_their_captions(roundtrip):
    got = roundtrip["2021-08"]
    md = got["md"]
    assert "\n![图1　2016—2020年民生支出增长情况](image-1.png)\n\n图1　2016—2020年民生支出增长情况\n\n" \
           "资料来源：市财政局决算报表\n" in md, md
    assert "\n图2　民生支出的构成\n\n![图2　民生支出的构成](image-2.png)\n" in md, md
    assert "¶7: picture → image-1.png" in got["report"] and "¶13: picture → image-2.png" in got["report"]
    from PIL import Image

    for k, size in enumerate(FIGURE_SIZES, start=1):
        with Image.open(got["folder"] / f"image-{k}.png") as img:
            assert img.size == size
    # the endnotes became footnotes
    assert "[^1]: 一般公共预算支出同期年均增长百分之六点一。" in md and "[^2]: 按当年决算数计算。" in md
    assert "endnote (set as a footnote) 1" in got["report"]


@pytest.mark.skipif(not shutil.which("pdfimages"), reason="poppler-utils not installed")
def test_the_built_pdf_shows_both_pictures_with_their_captions(roundtrip):
    got = roundtrip["2021-08"]
    run = subprocess.run(["pdfimages", "-list", str(got["pdf"])], capture_output=True, text=True,
                         check=True, timeout=60)
    sizes = [tuple(int(x) for x in line.split()[3:5]) for line in run.stdout.splitlines()[2:]
             if line.split()[2] == "image"]
    for size in FIGURE_SIZES:
        assert size in sizes, (size, run.stdout)
    pages = pdf_pages(got["pdf"])
    fig1 = [k for k, p in enumerate(pages) if "2016—2020年民生支出增长情况" in re.sub(r"\s+", "", p)]
    fig2 = [k for k, p in enumerate(pages) if "民生支出的构成" in re.sub(r"\s+", "", p)]
    assert fig1 and fig2
    # the caption is printed with its number, as the manuscript wrote it
    text = re.sub(r"\s+", "", "".join(pages))
    assert "图1" in text and "图2" in text


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
def test_a_doc_keeps_its_pictures_captions_and_endnotes(tmp_path, capsys):
    """The pictures manuscript saved as Word 97 .doc by LibreOffice, then imported (through
    LibreOffice again): both pictures at their pixel sizes, captions, endnotes as notes."""
    from PIL import Image

    manuscript = figures_manuscript(tmp_path / "稿件.docx")
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                    "--convert-to", "doc:MS Word 97", "--outdir", str(tmp_path / "doc"),
                    str(manuscript)], check=True, capture_output=True, timeout=300)
    doc = tmp_path / "doc" / "稿件.doc"
    assert doc.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(SERIES, content / "series.yaml")
    assert main(["import", str(doc), "--issue", "2021-08", "--content", str(content)]) == 0
    md = (content / "2021-08" / "issue.md").read_text(encoding="utf-8")
    assert "](image-1.png)\n\n图1　2016—2020年民生支出增长情况\n\n资料来源：市财政局决算报表\n" in md, md
    assert "\n图2　民生支出的构成\n\n![图2　民生支出的构成](image-2.png)\n" in md, md
    assert "[^2]: 按当年决算数计算。" in md
    for k, size in enumerate(FIGURE_SIZES, start=1):
        with Image.open(content / "2021-08" / f"image-{k}.png") as img:
            assert img.size == size
    _fill(content / "2021-08" / "issue.md", "2021-08-01")
    capsys.readouterr()
    assert main(["check", str(content / "2021-08")]) == 0, capsys.readouterr().err
