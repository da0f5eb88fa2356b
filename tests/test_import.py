"""`huoye import`: Word manuscripts made here with python-docx → issue.md → check → build.

The oracles are the loader and `huoye check` (the imported issue is valid once the editor
fills the front matter the report lists) and the PDF's text read back by poppler's
pdftotext (every Han character of the manuscript is printed, in order)."""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

docx = pytest.importorskip("docx")
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml

from huoye.cli import main

ROOT = Path(__file__).resolve().parent.parent
SERIES = ROOT / "tests" / "fixtures" / "issues" / "series.yaml"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
HAN = re.compile(r"[\u4e00-\u9fff]")
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
WPS_NS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"

FOOTNOTE_TEXT = "监测数据来自县级国库集中支付系统，按月汇总。"


def _notes(document, texts: dict[int, str], kind: str = "footnote") -> None:
    """Give the document a footnotes or endnotes part (`kind`; python-docx writes neither)
    with `texts`."""
    notes = "".join(
        f'<w:{kind} w:id="{k}"><w:p><w:r><w:{kind}Ref/></w:r><w:r><w:t xml:space="preserve"> '
        f'{t}</w:t></w:r></w:p></w:{kind}>' for k, t in texts.items())
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:{kind}s xmlns:w="{W_NS}">'
           f'<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>'
           f'{notes}</w:{kind}s>').encode()
    part = Part(PackURI(f"/word/{kind}s.xml"),
                f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}s+xml",
                xml, document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES if kind == "footnote" else RT.ENDNOTES)


def _footnotes(document, texts: dict[int, str]) -> None:
    _notes(document, texts, "footnote")


def _note_mark(paragraph, k: int, kind: str = "footnote") -> None:
    paragraph._p.append(parse_xml(f'<w:r xmlns:w="{W_NS}"><w:{kind}Reference w:id="{k}"/></w:r>'))


def _bold_point(document, label_head: str, rest: str):
    p = document.add_paragraph()
    p.add_run(label_head).bold = True
    p.add_run(rest)
    return p


def typed_manuscript(path: Path) -> Path:
    """A manuscript as authors send it: no heading styles, typed numbering, bold run-in
    headlines, byline, abstract, keywords, a table with a merged cell, a footnote,
    indentation with full-width spaces and a manual line break."""
    d = docx.Document()
    t = d.add_paragraph()
    t.alignment = WD_ALIGN_PARAGRAPH.CENTER
    t.add_run("县级财政运行监测的实践与建议").bold = True
    d.add_paragraph("孙婷　李华（某省财政科学研究所）")
    d.add_paragraph("内容提要：本文总结某省县级财政运行监测的做法，分析监测中发现的收支矛盾，并提出完善预警机制的建议。")
    d.add_paragraph("关键词：县级财政；运行监测；风险预警")
    intro = d.add_paragraph("　　县级财政是国家治理的基础，运行监测是防范风险的第一道防线")
    _note_mark(intro, 1)
    intro.add_run("。")
    _footnotes(d, {1: FOOTNOTE_TEXT})
    d.add_paragraph("一、监测的基本做法")
    _bold_point(d, "（一）建立月度报送制度。", "各县每月十日前报送库款余额、工资发放和债务还本付息情况。")
    p = d.add_paragraph("　　2020年全省共监测县区")
    p.add_run().add_break()
    p.add_run("八十六个，覆盖全部财政困难县。")
    _bold_point(d, "（二）实行分级预警。", "按库款保障水平分为红、黄、绿三级，分别采取约谈、督导和提醒措施。")
    d.add_paragraph("表1　监测县区库款保障情况（单位：个）")
    table = d.add_table(rows=3, cols=3)
    for r, row in enumerate([("等级", "2019年", "2020年"), ("红色", "12", "7"), ("黄色", "20", "15")]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    merged = d.add_table(rows=2, cols=2)
    merged.cell(0, 0).text = "合计说明"
    merged.cell(0, 1).text = "县区"
    merged.cell(1, 0).merge(merged.cell(1, 1)).text = "绿色县区不再列示"
    d.add_paragraph("数据来源：省财政厅运行监测系统")
    d.add_paragraph("二、完善监测预警的对策建议")
    d.add_paragraph("1.扩大监测范围。将乡镇财政纳入监测，掌握基层库款的真实状况。")
    d.add_paragraph("2.强化结果运用。把预警结果与转移支付分配挂钩，督促县区落实整改。")
    d.save(path)
    return path


def _project(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(SERIES, content / "series.yaml")
    return content


def _fill_decisions(issue_md: Path) -> None:
    """What the editor decides, as the report lists it: the theme and the note."""
    text = issue_md.read_text(encoding="utf-8")
    text = text.replace("【待填：本期主题】", "县级财政").replace(
        "【待填：编者按】", "本期刊发县级财政运行监测的研究文章。").replace(
        "【待填：图片说明】", "资金整合流程示意")
    text = re.sub(r"date: 【待填：出版日期 YYYY-MM-DD】", "date: 2021-06-01", text)
    issue_md.write_text(text, encoding="utf-8")


def _han_in_order(needle: str, haystack: str) -> str | None:
    """None when every Han character of `needle` occurs in `haystack` in order; else the
    text from the first one missing."""
    pos = 0
    chars = HAN.findall(needle)
    for k, ch in enumerate(chars):
        pos = haystack.find(ch, pos)
        if pos < 0:
            return "".join(chars[k:k + 20])
        pos += 1
    return None


def _manuscript_body(path: Path) -> str:
    """The manuscript's body text in reading order, read by python-docx (paragraphs and
    table cells; footnote texts are read separately)."""
    d = docx.Document(str(path))
    out = []
    for el in d.element.body.iterchildren():
        if el.tag.endswith("}p"):
            out.append("".join(t.text or "" for t in el.iter(f"{{{W_NS}}}t")))
        elif el.tag.endswith("}tbl"):
            out.append("".join(t.text or "" for t in el.iter(f"{{{W_NS}}}t")))
    return "\n".join(out)


@pytest.fixture(scope="session")
def imported(tmp_path_factory):
    """The typed manuscript imported, the decisions filled, built to PDF once."""
    tmp = tmp_path_factory.mktemp("import")
    content = _project(tmp)
    manuscript = typed_manuscript(tmp / "稿件.docx")
    import io
    from contextlib import redirect_stdout

    out = io.StringIO()
    with redirect_stdout(out):
        status = main(["import", str(manuscript), "--issue", "2021-06", "--content", str(content)])
    assert status == 0
    issue_md = content / "2021-06" / "issue.md"
    written = issue_md.read_text(encoding="utf-8")
    _fill_decisions(issue_md)
    return {"content": content, "manuscript": manuscript, "issue_md": issue_md,
            "written": written, "report": out.getvalue(), "tmp": tmp}


@pytest.fixture(scope="session")
def imported_pdf(imported):
    out = imported["tmp"] / "output"
    status = main(["build", str(imported["content"] / "2021-06"), "--format", "pdf",
                   "--out", str(out), "--force"])
    assert status == 0
    [pdf] = out.rglob("*.pdf")
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True, timeout=120).stdout


def test_the_manuscript_maps_to_the_content_format(imported):
    md = imported["written"]
    assert "\n# 县级财政运行监测的实践与建议\n" in md
    assert "\n孙婷　李华（某省财政科学研究所）\n" in md
    assert "\n内容提要：本文总结" in md and "\n关键词：县级财政；运行监测；风险预警\n" in md
    assert "\n## 一、监测的基本做法\n" in md
    assert "\n## 二、完善监测预警的对策建议 {.recommendations}\n" in md
    assert "\n（一）**建立月度报送制度。**各县每月十日前" in md
    assert "\n1.扩大监测范围。将乡镇财政纳入监测" in md
    # indentation and the manual line break are layout: removed, the text kept
    assert "\n2020年全省共监测县区八十六个，覆盖全部财政困难县。\n" in md
    assert "第一道防线[^1]。" in md and f"[^1]: {FOOTNOTE_TEXT}" in md
    assert "| 等级 | 2019年 | 2020年 |\n| :--- | ---: | ---: |\n| 红色 | 12 | 7 |" in md
    assert "| 绿色县区不再列示 |   |" in md or "| 绿色县区不再列示 | |" in md


def test_the_report_lists_mappings_warnings_normalisations_and_decisions(imported):
    report = imported["report"]
    assert re.search(r"¶1: article title", report)
    assert re.search(r"¶2: byline", report)
    assert re.search(r"¶6: heading by typed numbering '一、' → ##", report)
    assert re.search(r"¶7: bold run-in headline", report)
    assert re.search(r"¶5: footnote 1", report)
    assert "merged cells" in report
    assert re.search(r"indentation at a paragraph's start removed: 2", report)
    assert re.search(r"manual line break inside a paragraph joined: 1", report)
    assert "to decide: theme" in report and "to decide: note" in report


def test_the_import_leaves_only_the_listed_decisions_to_check(tmp_path, capsys):
    content = _project(tmp_path)
    manuscript = typed_manuscript(tmp_path / "m.docx")
    assert main(["import", str(manuscript), "--issue", "2021-06", "--content", str(content)]) == 0
    capsys.readouterr()
    assert main(["check", str(content / "2021-06")]) == 2
    errors = capsys.readouterr().err
    fields = set(re.findall(r"issue\.md:\d+: (\w+):", errors))
    assert fields <= {"placeholder", "date"}, errors
    assert "【待填：本期主题】" in errors and "【待填：编者按】" in errors


def test_the_filled_import_checks_and_builds_with_every_han_character_in_order(imported, imported_pdf,
                                                                                 capsys):
    assert main(["check", str(imported["content"] / "2021-06")]) == 0
    body = _manuscript_body(imported["manuscript"])
    text = re.sub(r"\s+", "", imported_pdf)
    assert _han_in_order(body, text) is None, _han_in_order(body, text)
    assert _han_in_order(FOOTNOTE_TEXT, text) is None


def _hostile(tmp_path: Path, name: str, edit) -> Path:
    base = typed_manuscript(tmp_path / "base.docx")
    out = tmp_path / name
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, edit(info.filename, src.read(info)))
        extra = getattr(edit, "extra", None)
        if extra:
            extra(dst)
    return out


def _bomb(name, data):
    return data


def _bomb_extra(dst):
    dst.writestr("word/media/image9.png", b"\0" * (20 * 1024 * 1024))


_bomb.extra = _bomb_extra  # type: ignore[attr-defined]


def _external(name, data):
    if name == "word/_rels/document.xml.rels":
        return data.replace(b"</Relationships>", b'<Relationship Id="rIdX" Type="http://schemas.'
                            b'openxmlformats.org/officeDocument/2006/relationships/image" '
                            b'Target="http://127.0.0.1:9/x.png" TargetMode="External"/></Relationships>')
    return data


def _entities(name, data):
    if name == "word/document.xml":
        return data.replace(b"?>", b'?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>', 1)
    return data


def _tracked(name, data):
    if name == "word/document.xml":
        return data.replace(b"<w:r><w:t>\xe5\x90\x88\xe8\xae\xa1", b'<w:ins w:id="9" w:author="x">'
                            b"<w:r><w:t>\xe6\x96\xb0</w:t></w:r></w:ins><w:r><w:t>\xe5\x90\x88\xe8\xae\xa1", 1)
    return data


def _macro(name, data):
    if name == "[Content_Types].xml":
        return data.replace(b"wordprocessingml.document.main+xml",
                            b"ms-word.document.macroEnabled.main+xml")
    return data


@pytest.mark.parametrize("edit, says", [
    (_bomb, "zip bomb"),
    (_external, "outside the file"),
    (_entities, "entities"),
    (_tracked, "tracked changes"),
    (_macro, "macro-enabled"),
], ids=["zip-bomb", "external-target", "entity-expansion", "tracked-changes-refused",
        "macro-enabled"])
def test_hostile_manuscripts_exit_2_and_write_nothing(tmp_path, capsys, edit, says):
    content = _project(tmp_path)
    manuscript = _hostile(tmp_path, "hostile.docx", edit)
    extra = []
    if edit is _tracked:   # accepted by default; refused when asked
        assert b"<w:ins " in zipfile.ZipFile(manuscript).read("word/document.xml")
        extra = ["--tracked-changes", "refuse"]
    before = sorted(p.relative_to(content) for p in content.rglob("*"))
    assert main(["import", str(manuscript), "--content", str(content), *extra]) == 2
    err = capsys.readouterr().err
    assert says in err and "nothing was written" in err, err
    assert sorted(p.relative_to(content) for p in content.rglob("*")) == before


def styled_manuscript(path: Path) -> Path:
    """A manuscript that uses Word's styles: 标题 (Title), 标题 1/2, 引用, 项目符号, 参考文献,
    and holds what cannot be mapped yet: a picture, a comment; and a List Number paragraph."""
    from docx.shared import Inches
    from PIL import Image

    d = docx.Document()
    d.add_paragraph("乡村振兴资金整合的甲县经验", style="Title")
    d.add_paragraph("周静")
    d.add_paragraph("（某省财政科学研究所）")
    d.add_paragraph("甲县自2019年起统筹整合涉农资金，集中投向高标准农田和人居环境整治[1]。")
    d.add_heading("整合的主要做法", level=1)
    d.add_heading("一、统一资金池", level=2)
    d.add_paragraph("中央一号文件对财政支持乡村振兴提出了明确要求：")
    d.add_paragraph("坚持把农业农村作为一般公共预算优先保障领域。", style="Quote")
    d.add_paragraph("高标准农田建设和农田水利设施；", style="List Bullet")
    d.add_paragraph("农村人居环境整治，包括厕所改造。", style="List Bullet")
    png = path.with_suffix(".png")
    Image.new("RGB", (40, 20), "white").save(png)
    d.add_picture(str(png), width=Inches(1))
    auto = d.add_paragraph("建立项目库，实行滚动管理。", style="List Number")
    d.add_comment(auto.runs, text="请核实", author="编辑")
    d.add_heading("完善整合机制的建议", level=1)
    d.add_paragraph("1.扩大整合范围。将更多涉农专项纳入整合，减少资金碎片化。")
    d.add_heading("参考文献", level=1)
    d.add_paragraph("[1] 王立. 涉农资金整合研究[M]. 北京: 经济科学出版社, 2018.")
    d.save(path)
    return path


def test_word_styles_map_and_what_cannot_be_mapped_is_reported(tmp_path, capsys):
    content = _project(tmp_path)
    manuscript = styled_manuscript(tmp_path / "styled.docx")
    assert main(["import", str(manuscript), "--issue", "2021-07", "--content", str(content)]) == 0
    report = capsys.readouterr().out
    md = (content / "2021-07" / "issue.md").read_text(encoding="utf-8")
    assert "\n# 乡村振兴资金整合的甲县经验\n\n周静（某省财政科学研究所）\n" in md
    assert "\n## 整合的主要做法\n\n### 一、统一资金池\n" in md
    assert "\n> 坚持把农业农村作为一般公共预算优先保障领域。\n" in md
    assert "\n- 高标准农田建设和农田水利设施；\n- " in md or "\n- 高标准农田建设和农田水利设施；\n\n- " in md
    assert "\n## 完善整合机制的建议 {.recommendations}\n" in md
    assert "\n## 参考文献\n\n[1] 王立. 涉农资金整合研究[M]. 北京: 经济科学出版社, 2018.\n" in md
    # every paragraph's text is there, the unmapped ones included
    assert "\n1.建立项目库，实行滚动管理。\n" in md   # List Number: Word's own 1.
    assert re.search(r"¶11: picture → image-1.png", report), report
    assert "\n![【待填：图片说明】](image-1.png)\n" in md and (content / "2021-07" / "image-1.png").is_file()
    assert re.search(r"not mapped: ¶12: comment, not put into the text .*'请核实'", report), report
    assert "请核实" not in md
    assert re.search(r"¶12: Word's automatic number written out as '1\.'", report), report
    assert re.search(r"¶3: affiliation, joined to the byline", report), report
    assert "affiliation line joined to the byline: 1" in report
    # with the listed decisions filled, check accepts it (the picture was reported, not kept)
    _fill_decisions(content / "2021-07" / "issue.md")
    capsys.readouterr()
    assert main(["check", str(content / "2021-07")]) == 0, capsys.readouterr().err


SYNTAX_TEXTS = [
    "按*加权*口径计算，增长率为_12_%以下，见<b>附表</b>。",
    "# 不是标题，而是作者写的井号开头的一句话。",
    "1. 这一行以数字、句点和空格开头，仍是普通段落。",
    "模板文字{{ 7*7 }}和[链接](http://127.0.0.1/)原样保留，竖线|也一样。",
    "[注]: 方括号开头并带冒号的一句话。",
]


def test_markdown_syntax_in_the_manuscript_is_text_after_import(tmp_path, capsys):
    """What Markdown would read as syntax is escaped: the loader reads back the
    manuscript's characters exactly."""
    from huoye.load import load_archive

    content = _project(tmp_path)
    d = docx.Document()
    d.add_heading("一、基本情况", level=1)
    for t in SYNTAX_TEXTS:
        d.add_paragraph(t)
    d.add_heading("二、对策建议", level=1)
    d.add_paragraph("1.加强管理。完善制度。")
    d.save(tmp_path / "syntax.docx")
    assert main(["import", str(tmp_path / "syntax.docx"), "--issue", "2021-08",
                 "--content", str(content)]) == 0
    _fill_decisions(content / "2021-08" / "issue.md")
    [issue] = load_archive(content, [content / "2021-08"])
    texts = [p.text for s in issue.sections for p in s.paragraphs]
    for t in SYNTAX_TEXTS:
        if t.startswith("1. "):
            # typed with a space, the number still opens a numbered point: the loader keeps
            # its label apart from the text (the space between is layout)
            [point] = [pt for s in issue.sections for pt in s.points if pt.label == "1."][:1]
            assert point.paragraphs[0].text == t[3:]
            continue
        assert t in texts, (t, texts)
    capsys.readouterr()
    assert main(["check", str(content / "2021-08")]) == 0, capsys.readouterr().err


def test_article_appends_a_further_article_to_an_existing_issue(tmp_path, capsys):
    from huoye.load import load_archive

    content = _project(tmp_path)
    first = typed_manuscript(tmp_path / "first.docx")
    second = styled_manuscript(tmp_path / "second.docx")
    assert main(["import", str(first), "--issue", "2021-06", "--content", str(content)]) == 0
    assert main(["import", str(second), "--issue", "2021-06", "--article",
                 "--content", str(content)]) == 0
    _fill_decisions(content / "2021-06" / "issue.md")
    [issue] = load_archive(content, [content / "2021-06"])
    assert [a.title for a in issue.articles] == ["县级财政运行监测的实践与建议", "乡村振兴资金整合的甲县经验"]
    # a second import of the same issue without --article is refused, and writes nothing
    before = (content / "2021-06" / "issue.md").read_text(encoding="utf-8")
    assert main(["import", str(first), "--issue", "2021-06", "--content", str(content)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (content / "2021-06" / "issue.md").read_text(encoding="utf-8") == before


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
def test_a_doc_manuscript_is_converted_by_libreoffice_then_imported(tmp_path, capsys):
    """A .doc (Word 97, written here by LibreOffice from the typed manuscript) reads as the
    .docx it came from."""
    manuscript = typed_manuscript(tmp_path / "稿件.docx")
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                    "--convert-to", "doc:MS Word 97", "--outdir", str(tmp_path / "doc"),
                    str(manuscript)], check=True, capture_output=True, timeout=300)
    doc = tmp_path / "doc" / "稿件.doc"
    assert doc.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # an OLE2 Word 97 file
    content = _project(tmp_path)
    assert main(["import", str(doc), "--issue", "2021-06", "--content", str(content)]) == 0
    md = (content / "2021-06" / "issue.md").read_text(encoding="utf-8")
    for line in ("# 县级财政运行监测的实践与建议", "孙婷　李华（某省财政科学研究所）",
                 "## 一、监测的基本做法", "（一）**建立月度报送制度。**各县每月十日前报送",
                 "## 二、完善监测预警的对策建议 {.recommendations}", f"[^1]: {FOOTNOTE_TEXT}"):
        assert f"\n{line}" in md, (line, md)
    _fill_decisions(content / "2021-06" / "issue.md")
    capsys.readouterr()
    assert main(["check", str(content / "2021-06")]) == 0, capsys.readouterr().err


ABSTRACT = (f'<w:abstractNum xmlns:w="{W_NS}" w:abstractNumId="90">'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
            '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
            '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>'
            '<w:lvl w:ilvl="3"><w:start w:val="1"/><w:numFmt w:val="decimalEnclosedCircle"/><w:lvlText w:val="%4"/></w:lvl>'
            '</w:abstractNum>')


def automatic_numbering(document):
    """Install ABSTRACT's numbering (as w:num 90) in `document`; returns `numbered(text,
    level)`, which adds a paragraph numbered by Word at that level."""
    numbering = document.part.numbering_part.element
    numbering.find(f"{{{W_NS}}}num").addprevious(parse_xml(ABSTRACT))
    numbering.append(parse_xml(f'<w:num xmlns:w="{W_NS}" w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))

    def numbered(text, level):
        p = document.add_paragraph(text)
        p._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr xmlns:w="{W_NS}"><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))
        return p

    return numbered


def test_automatic_chinese_numbering_is_written_out_as_word_shows_it(tmp_path, capsys):
    """numbering.xml with 一、/（一）/1./① levels: the numbers Word shows are written out,
    the counters restart below a level that advances, and the issue checks."""
    d = docx.Document()
    numbered = automatic_numbering(d)
    numbered("总体情况", 0)
    numbered("收入稳步增长。全年一般公共预算收入增长百分之五。", 1)
    numbered("税收收入增长。", 2)
    numbered("非税收入下降。", 2)
    numbered("支出结构优化。民生支出占比提高。", 1)
    numbered("教育支出增长。", 2)
    numbered("对策建议", 0)
    numbered("加强收入征管。堵塞征管漏洞。", 1)
    d.save(tmp_path / "auto.docx")
    content = _project(tmp_path)
    assert main(["import", str(tmp_path / "auto.docx"), "--issue", "2021-09",
                 "--content", str(content)]) == 0
    md = (content / "2021-09" / "issue.md").read_text(encoding="utf-8")
    body = md.split("---\n", 2)[2]
    assert body.strip().split("\n\n") == [
        "## 一、总体情况", "（一）收入稳步增长。全年一般公共预算收入增长百分之五。",
        "1.税收收入增长。", "2.非税收入下降。", "（二）支出结构优化。民生支出占比提高。",
        "1.教育支出增长。", "## 二、对策建议 {.recommendations}", "（一）加强收入征管。堵塞征管漏洞。"]
    _fill_decisions(content / "2021-09" / "issue.md")
    capsys.readouterr()
    assert main(["check", str(content / "2021-09")]) == 0, capsys.readouterr().err


def test_text_boxes_charts_objects_and_content_controls_are_reported_or_kept(tmp_path, capsys):
    """What has no place in the format is reported at its paragraph; the text of a content
    control (w:sdt) is kept in order."""
    d = docx.Document()
    d.add_heading("一、基本情况", level=1)
    box = d.add_paragraph("正文在此。")
    box._p.append(parse_xml(
        f'<w:r xmlns:w="{W_NS}"><w:pict><w:txbxContent><w:p><w:r><w:t>文本框里的话</w:t></w:r></w:p>'
        '</w:txbxContent></w:pict></w:r>'))
    chart = d.add_paragraph("图表如下。")
    chart._p.append(parse_xml(
        f'<w:r xmlns:w="{W_NS}"><w:drawing><c:chart xmlns:c="http://schemas.openxmlformats.org/'
        'drawingml/2006/chart"/></w:drawing></w:r>'))
    ole = d.add_paragraph("附件对象。")
    ole._p.append(parse_xml(f'<w:r xmlns:w="{W_NS}"><w:object/></w:r>'))
    d.element.body.insert(len(d.element.body) - 1, parse_xml(
        f'<w:sdt xmlns:w="{W_NS}"><w:sdtContent><w:p><w:r><w:t>控件中的段落照样保留。</w:t></w:r></w:p>'
        '</w:sdtContent></w:sdt>'))
    # a DrawingML text box as Word 2010+ writes it: the box (mc:Choice) and its VML copy
    # (mc:Fallback), both holding the same text
    modern = d.add_paragraph("专栏见右。")
    box_xml = '<w:txbxContent><w:p><w:r><w:t>专栏：甲县的做法</w:t></w:r></w:p></w:txbxContent>'
    modern._p.append(parse_xml(
        f'<w:r xmlns:w="{W_NS}" xmlns:mc="{MC_NS}" xmlns:wp="{WP_NS}" xmlns:a="{A_NS}" '
        f'xmlns:wps="{WPS_NS}" xmlns:v="urn:schemas-microsoft-com:vml"><mc:AlternateContent>'
        '<mc:Choice Requires="wps"><w:drawing><wp:anchor><wp:docPr id="5" name="Text Box 5"/>'
        f'<a:graphic><a:graphicData uri="{WPS_NS}"><wps:wsp><wps:txbx>{box_xml}</wps:txbx>'
        '</wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>'
        f'<mc:Fallback><w:pict><v:shape><v:textbox>{box_xml}</v:textbox></v:shape></w:pict>'
        '</mc:Fallback></mc:AlternateContent></w:r>'))
    # a chart as Word writes it (inline drawing, graphicData of the chart namespace)
    real_chart = d.add_paragraph()
    real_chart._p.append(parse_xml(
        f'<w:r xmlns:w="{W_NS}" xmlns:wp="{WP_NS}" xmlns:a="{A_NS}"><w:drawing><wp:inline>'
        '<wp:docPr id="6" name="Chart 6"/><a:graphic><a:graphicData uri="http://schemas.'
        'openxmlformats.org/drawingml/2006/chart"><c:chart xmlns:c="http://schemas.openxmlformats.'
        'org/drawingml/2006/chart" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships" r:id="rId99"/></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>'))
    smart = d.add_paragraph("流程如下。")
    smart._p.append(parse_xml(
        f'<w:r xmlns:w="{W_NS}" xmlns:wp="{WP_NS}" xmlns:a="{A_NS}"><w:drawing><wp:inline>'
        '<wp:docPr id="7" name="Diagram 7"/><a:graphic><a:graphicData uri="http://schemas.'
        'openxmlformats.org/drawingml/2006/diagram"/></a:graphic></wp:inline></w:drawing></w:r>'))
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "项目"
    table.cell(0, 1).paragraphs[0]._p.append(parse_xml(
        f'<w:r xmlns:w="{W_NS}"><w:pict><w:txbxContent><w:p><w:r><w:t>表内文本框</w:t></w:r></w:p>'
        '</w:txbxContent></w:pict></w:r>'))
    d.save(tmp_path / "objects.docx")
    content = _project(tmp_path)
    assert main(["import", str(tmp_path / "objects.docx"), "--issue", "2021-10",
                 "--content", str(content)]) == 0
    report = capsys.readouterr().out
    assert re.search(r"not mapped: ¶2: text box: .*'文本框里的话'", report), report
    assert re.search(r"not mapped: ¶3: chart embedded as an Office object", report), report
    assert re.search(r"not mapped: ¶4: embedded Office object", report), report
    # the modern box is reported once (not once more for its VML copy), with its text
    assert len(re.findall(r"not mapped: ¶6: text box: .*'专栏：甲县的做法'", report)) == 1, report
    assert re.search(r"not mapped: ¶7: chart embedded as an Office object", report), report
    assert re.search(r"not mapped: ¶8: a drawing \(shape, SmartArt or WordArt\)", report), report
    assert re.search(r"not mapped: ¶8: text box: .*'表内文本框'", report), report
    # a box, a picture, a chart is reported as what it is, not also as a drawing
    assert len(re.findall(r"a drawing \(shape", report)) == 1, report
    md = (content / "2021-10" / "issue.md").read_text(encoding="utf-8")
    assert md.index("附件对象。") < md.index("控件中的段落照样保留。")
    # as reported: a box's text is the editor's to place, never put into the text unseen
    assert "文本框里的话" not in md and "专栏：甲县的做法" not in md and "表内文本框" not in md
    assert "\n专栏见右。\n" in md


def _xml(paragraph, xml: str) -> None:
    """Append the WordprocessingML element `xml` (written with the w: prefix) to it."""
    paragraph._p.append(parse_xml(re.sub(r"^<(w:\w+)", rf'<\1 xmlns:w="{W_NS}"', xml)))


def tracked_manuscript(path: Path) -> Path:
    """A manuscript under review: insertions, deletions, a move, a joined paragraph, a
    deleted table row, a formatting change, a change inside a footnote, and a comment."""
    d = docx.Document()
    d.add_paragraph("一、修订后的收支情况")
    p = d.add_paragraph()
    p.add_run("全年一般公共预算收入")
    _xml(p, '<w:ins w:id="1" w:author="编辑"><w:r><w:t>稳步</w:t></w:r></w:ins>')
    p.add_run("增长")
    _xml(p, '<w:del w:id="2" w:author="编辑"><w:r><w:delText>百分之三</w:delText></w:r></w:del>')
    p.add_run("。")
    _note_mark(p, 1)
    _footnotes(d, {1: "数据为快报数。"})
    moved_from = d.add_paragraph("税收收入占比提高。")
    _xml(moved_from, '<w:moveFrom w:id="3" w:author="编辑"><w:r><w:delText>非税收入下降。</w:delText>'
         '</w:r></w:moveFrom>')
    joined = d.add_paragraph("支出结构")
    joined._p.get_or_add_pPr().append(parse_xml(
        f'<w:rPr xmlns:w="{W_NS}"><w:del w:id="4" w:author="编辑"/></w:rPr>'))
    later = d.add_paragraph("持续优化，民生支出占比超过七成。")
    _xml(later, '<w:moveTo w:id="5" w:author="编辑"><w:r><w:t>非税收入下降。</w:t></w:r></w:moveTo>')
    bold = later.add_run("重点保障到位。")
    bold.bold = True
    bold._r.get_or_add_rPr().append(parse_xml(
        f'<w:rPrChange xmlns:w="{W_NS}" w:id="6" w:author="编辑"><w:rPr/></w:rPrChange>'))
    d.add_paragraph("表1　收支情况（单位：亿元）")
    table = d.add_table(rows=3, cols=2)
    for r, row in enumerate([("项目", "金额"), ("收入", "120"), ("旧口径", "99")]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    table.rows[2]._tr.get_or_add_trPr().append(parse_xml(
        f'<w:del xmlns:w="{W_NS}" w:id="7" w:author="编辑"/>'))
    d.add_paragraph("二、对策建议")
    advice = d.add_paragraph("1.加强收入征管。")
    d.add_comment(advice.runs, text="此处数据请作者再核对", author="编辑")
    d.save(path)
    # a change inside the footnote too
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    parts["word/footnotes.xml"] = parts["word/footnotes.xml"].replace(
        "数据为快报数。".encode(), '数据为</w:t></w:r><w:ins w:id="8" w:author="编辑"><w:r><w:t>决算</w:t>'
        '</w:r></w:ins><w:del w:id="9" w:author="编辑"><w:r><w:delText>快报</w:delText></w:r></w:del>'
        '<w:r><w:t>数。'.encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_tracked_changes_are_accepted_by_default_and_counted(tmp_path, capsys):
    content = _project(tmp_path)
    manuscript = tracked_manuscript(tmp_path / "修订稿.docx")
    assert main(["import", str(manuscript), "--issue", "2021-11", "--content", str(content)]) == 0
    report = capsys.readouterr().out
    md = (content / "2021-11" / "issue.md").read_text(encoding="utf-8")
    body = md.split("---\n", 2)[2]
    assert "\n全年一般公共预算收入稳步增长。[^1]\n" in body, body
    assert "百分之三" not in body and "旧口径" not in body and "99" not in body
    assert "[^1]: 数据为决算数。" in body and "快报" not in body
    # the moved sentence is at its new place only; the joined paragraphs are one
    assert body.count("非税收入下降。") == 1
    assert "\n税收收入占比提高。\n" in body
    assert "\n支出结构持续优化，民生支出占比超过七成。非税收入下降。重点保障到位。\n" in body
    assert "| 收入 | 120 |" in body
    assert ("tracked changes (修订) accepted: 2 insertions kept, 2 deletions dropped, 1 moves "
            "made, 1 paragraph marks and 1 table rows changed, 1 formatting changes kept") in report
    assert re.search(r"not mapped: ¶\d+: comment, not put into the text .*'此处数据请作者再核对'", report)
    assert "此处数据请作者再核对" not in md
    _fill_decisions(content / "2021-11" / "issue.md")
    capsys.readouterr()
    assert main(["check", str(content / "2021-11")]) == 0, capsys.readouterr().err


def test_tracked_changes_are_refused_when_asked_and_nothing_is_written(tmp_path, capsys):
    content = _project(tmp_path)
    manuscript = tracked_manuscript(tmp_path / "修订稿.docx")
    assert main(["import", str(manuscript), "--issue", "2021-11", "--content", str(content),
                 "--tracked-changes", "refuse"]) == 2
    err = capsys.readouterr().err
    assert "tracked changes (修订)" in err and "nothing was written" in err, err
    assert not (content / "2021-11").exists()


def test_the_serial_follows_the_series_last_issue(tmp_path, capsys):
    """With the corpus issue 2021-03 (serial 403) in the project, an import is serial 404:
    as the next issue of this year when no --issue is given, and as --issue says."""
    import datetime as dt

    from huoye.load import load_archive

    content = _project(tmp_path)
    shutil.copytree(ROOT / "tests" / "fixtures" / "issues" / "2021-03", content / "2021-03")
    manuscript = typed_manuscript(tmp_path / "m.docx")
    assert main(["import", str(manuscript), "--issue", "2021-04", "--content", str(content)]) == 0
    md = (content / "2021-04" / "issue.md").read_text(encoding="utf-8")
    assert "\nyear: 2021\nnumber: 4\nserial: 404\n" in md, md
    this_year = dt.date.today().year
    assert main(["import", str(manuscript), "--content", str(content)]) == 2   # 2021-04 unfilled
    assert "2021-04" in capsys.readouterr().err
    _fill_decisions(content / "2021-04" / "issue.md")
    assert main(["import", str(manuscript), "--content", str(content)]) == 0
    md = (content / f"{this_year}-01" / "issue.md").read_text(encoding="utf-8")
    assert f"\nyear: {this_year}\nnumber: 1\nserial: 405\ndate: {dt.date.today()}\n" in md, md
    _fill_decisions(content / f"{this_year}-01" / "issue.md")
    issues = load_archive(content)
    assert [(i.year, i.number, i.serial) for i in issues] == [
        (2021, 3, 403), (2021, 4, 404), (this_year, 1, 405)]


def test_a_further_article_with_pictures_keeps_the_issues_own_files(tmp_path, capsys):
    """--article into an issue that already shows image-1.png: the new pictures get names
    of their own, and the first article's picture is untouched."""
    content = _project(tmp_path)
    first = styled_manuscript(tmp_path / "first.docx")
    assert main(["import", str(first), "--issue", "2021-07", "--content", str(content)]) == 0
    folder = content / "2021-07"
    before = (folder / "image-1.png").read_bytes()
    from PIL import Image

    Image.new("RGB", (64, 32), "blue").save(tmp_path / "a.png")
    Image.new("RGB", (48, 48), "green").save(tmp_path / "b.png")
    d = docx.Document()
    d.add_paragraph("第二篇文章的标题", style="Title")
    d.add_paragraph("郑阳（某大学财政学院）")
    d.add_heading("一、现状", level=1)
    d.add_paragraph("第二篇的正文。")
    d.add_picture(str(tmp_path / "a.png"))
    d.add_picture(str(tmp_path / "b.png"))
    d.add_paragraph("图1　第二篇的图")
    second = tmp_path / "second.docx"
    d.save(second)
    capsys.readouterr()
    assert main(["import", str(second), "--issue", "2021-07", "--article",
                 "--content", str(content)]) == 0
    assert (folder / "image-1.png").read_bytes() == before
    md = (folder / "issue.md").read_text(encoding="utf-8")
    assert md.count("](image-1.png)") == 1
    assert "\n![【待填：图片说明】](image-1-2.png)\n\n![图1　第二篇的图](image-2.png)\n\n图1　第二篇的图\n" in md
    with Image.open(folder / "image-1-2.png") as img:
        assert img.size == (64, 32)
    with Image.open(folder / "image-2.png") as img:
        assert img.size == (48, 48)
    _fill_decisions(folder / "issue.md")
    capsys.readouterr()
    assert main(["check", str(folder)]) == 0, capsys.readouterr().err
