"""The thin python-pptx layer: theme fonts, East Asian runs, fitted text boxes, charts,
clean sample-slide removal, hostile text and atomic saves."""

from __future__ import annotations

import posixpath
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pptx import Presentation
from pptx.util import Pt

from huoye.render.deck import pptxkit as K
from huoye.render.deck.measure import Para, TextDoesNotFitError

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
NS = {"a": A, "p": P, "r": R, "c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
CJK = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")

THEME = K.DeckTheme()
BODY = THEME.font()

# CT_TextCharacterProperties child order (ECMA-376 §21.1.2.3.9)
RPR_ORDER = [
    "ln",
    "noFill",
    "solidFill",
    "gradFill",
    "blipFill",
    "pattFill",
    "grpFill",
    "effectLst",
    "effectDag",
    "highlight",
    "uLnTx",
    "uLn",
    "uFillTx",
    "uFill",
    "latin",
    "ea",
    "cs",
    "sym",
    "hlinkClick",
    "hlinkMouseOver",
    "rtl",
    "extLst",
]
FILL = {"noFill", "solidFill", "gradFill", "blipFill", "pattFill", "grpFill"}


def _rank(local: str) -> int:
    return RPR_ORDER.index("solidFill") if local in FILL else RPR_ORDER.index(local)


# --------------------------------------------------------------------------- helpers


def _sample_deck():
    prs = K.new_presentation(THEME)
    s = K.add_blank_slide(prs)
    K.add_text(
        s,
        K.Box(40, 30, 880, 56),
        ["2024年财政政策要点"],
        THEME.font(True),
        32,
        THEME.brand,
        bold=True,
    )
    K.add_text(
        s,
        THEME.content_box(top=100),
        ["超长期特别国债1万亿元已全部下达。", "GDP同比增长5.2%，\n“十四五”稳步推进。"],
        BODY,
        20,
        THEME.text_colour,
        bullets=True,
    )
    K.add_footer(s, "财经活页 · 第3期", 1)
    K.add_notes(s, "讲稿：先讲总量。\nsecond line")
    c = K.add_blank_slide(prs)
    K.add_native_chart(
        c,
        K.Box(60, 100, 840, 380),
        "column",
        ["第一季度", "第二季度", "第三季度"],
        [("收入", [5.1, 4.8, 6.2]), ("支出", [6.0, 6.3, 6.9])],
        "0.0",
        "财政收支（万亿元）",
        BODY,
    )
    return prs


def _zip_xml(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _rels_targets(files: dict[str, bytes]):
    """(source part, rel id, target partname, target mode) for every relationship."""
    for name, blob in files.items():
        if not name.endswith(".rels"):
            continue
        folder = posixpath.dirname(
            posixpath.dirname(name)
        )  # "ppt/slides/_rels/x.rels" → ppt/slides
        source = posixpath.join(folder, posixpath.basename(name)[: -len(".rels")])
        for rel in etree.fromstring(blob).iter(f"{{{PR}}}Relationship"):
            target = rel.get("Target")
            external = rel.get("TargetMode") == "External"
            if not external:
                target = (
                    target.lstrip("/")
                    if target.startswith("/")
                    else posixpath.normpath(posixpath.join(folder, target))
                )
            yield source, rel.get("Id"), target, external


def _package_problems(path: Path) -> list[str]:
    files = _zip_xml(path)
    problems = []
    edges: dict[str, list[str]] = {}
    for source, rid, target, external in _rels_targets(files):
        if external:
            continue
        if target not in files:
            problems.append(f"{source} {rid} → missing {target}")
        edges.setdefault(source, []).append(target)
        if source in files and source.endswith(".xml"):
            # every rId used in a part's XML must exist in its rels, and vice versa is fine
            pass
    for name, blob in files.items():
        if name.endswith(".xml") and not name.startswith("[") and "/_rels/" not in name:
            used = set(re.findall(rb'r:(?:id|embed|link|pict)="(rId\d+)"', blob))
            have = {rid.encode() for s, rid, _, _ in _rels_targets(files) if s == name}
            for rid in used - have:
                problems.append(f"{name} uses {rid.decode()} with no relationship")
    # reachability from the package root
    seen, stack = set(), [t for s, _, t, e in _rels_targets(files) if s == "" and not e]
    stack = list(stack)
    while stack:
        part = stack.pop()
        if part in seen:
            continue
        seen.add(part)
        stack.extend(edges.get(part, []))
    for name in files:
        if name.startswith(("[", "_rels/")) or "/_rels/" in name:
            continue
        if name not in seen:
            problems.append(f"orphan part {name}")
    # every slide part is in the slide list
    pres_rels = {rid: t for s, rid, t, _ in _rels_targets(files) if s == "ppt/presentation.xml"}
    listed = {
        pres_rels[rid]
        for rid in re.findall(
            r'<p:sldId [^>]*r:id="(rId\d+)"', files["ppt/presentation.xml"].decode()
        )
    }
    for name in files:
        if re.fullmatch(r"ppt/slides/slide\d+\.xml", name) and name not in listed:
            problems.append(f"slide part {name} not in sldIdLst")
    # content types cover every part
    ct = files["[Content_Types].xml"].decode()
    for over in re.findall(r'PartName="/([^"]+)"', ct):
        if over not in files:
            problems.append(f"content type override for missing part {over}")
    return problems


def _all_xml(path: Path) -> dict[str, etree._Element]:
    return {
        n: etree.fromstring(b) for n, b in _zip_xml(path).items() if n.endswith((".xml", ".rels"))
    }


# ------------------------------------------------------------------- presentation


def test_new_presentation_is_16_9_widescreen():
    prs = K.new_presentation(THEME)
    assert (prs.slide_width, prs.slide_height) == (12192000, 6858000)
    assert prs.slide_width / 914400 == pytest.approx(13.333, abs=1e-3)


def test_theme_xml_carries_latin_and_east_asian_fonts(tmp_path):
    theme = K.DeckTheme(east_asian_font="微软雅黑", latin_font="Arial")
    path = K.save_atomic(K.new_presentation(theme), tmp_path / "t.pptx")
    root = etree.fromstring(_zip_xml(path)["ppt/theme/theme1.xml"])
    for slot in ("majorFont", "minorFont"):
        scheme = root.find(f".//a:{slot}", NS)
        assert scheme.find("a:latin", NS).get("typeface") == "Arial"
        assert scheme.find("a:ea", NS).get("typeface") == "微软雅黑"
        assert scheme.find("a:font[@script='Hans']", NS).get("typeface") == "微软雅黑"
        assert [c.tag.split("}")[1] for c in scheme][:3] == ["latin", "ea", "cs"]
    accent1 = root.find(".//a:clrScheme/a:accent1/a:srgbClr", NS)
    assert accent1.get("val") == THEME.brand.lstrip("#")


def test_theme_rejects_body_text_below_18pt_and_bad_colours():
    with pytest.raises(ValueError, match="18"):
        K.DeckTheme(body_size=16)
    with pytest.raises(ValueError, match="colour"):
        K.DeckTheme(brand="red")


# --------------------------------------------------------------------------- runs


def test_it_sets_east_asian_font_on_every_run(tmp_path):
    path = K.save_atomic(_sample_deck(), tmp_path / "d.pptx")
    runs = 0
    for name, root in _all_xml(path).items():
        if not re.match(r"ppt/(slides|notesSlides|charts)/", name):
            continue
        for r in root.iter(f"{{{A}}}r"):
            text = r.findtext("a:t", namespaces=NS) or ""
            rpr = r.find("a:rPr", NS)
            assert rpr is not None, (name, text)
            assert rpr.find("a:ea", NS).get("typeface") == "Microsoft YaHei", (name, text)
            assert rpr.find("a:latin", NS).get("typeface") == "Arial"
            if CJK.search(text):
                assert (rpr.get("lang"), rpr.get("altLang")) == ("zh-CN", "en-US"), text
            runs += 1
    assert runs >= 8


def test_chart_text_properties_carry_east_asian_font(tmp_path):
    path = K.save_atomic(_sample_deck(), tmp_path / "d.pptx")
    chart = next(r for n, r in _all_xml(path).items() if n.startswith("ppt/charts/chart"))
    defrprs = list(chart.iter(f"{{{A}}}defRPr"))
    assert len(defrprs) >= 4  # chart, legend, both axes, data labels
    assert all(d.find("a:ea", NS).get("typeface") == "Microsoft YaHei" for d in defrprs)


def test_run_properties_stay_in_schema_order(tmp_path):
    path = K.save_atomic(_sample_deck(), tmp_path / "d.pptx")
    checked = 0
    for root in _all_xml(path).values():
        for tag in ("rPr", "defRPr", "endParaRPr"):
            for el in root.iter(f"{{{A}}}{tag}"):
                ranks = [_rank(etree.QName(c).localname) for c in el]
                assert ranks == sorted(ranks), etree.tostring(el)
                checked += 1
    assert checked > 20


def test_set_east_asian_font_goes_between_latin_and_cs_hlink():
    prs = K.new_presentation(THEME)
    s = K.add_blank_slide(prs)
    run = s.shapes.add_textbox(0, 0, Pt(100), Pt(50)).text_frame.paragraphs[0].add_run()
    run.text = "链接"
    run.hyperlink.address = "https://www.mof.gov.cn/"
    rpr = run._r.get_or_add_rPr()
    rpr.append(rpr.makeelement(f"{{{A}}}cs", {"typeface": "Arial"}))  # after hlinkClick: wrong
    rpr.remove(rpr.find(f"{{{A}}}cs"))
    rpr.find(f"{{{A}}}hlinkClick").addprevious(rpr.makeelement(f"{{{A}}}cs", {"typeface": "X"}))
    run.font.name = "Arial"
    K.set_east_asian_font(run, "Microsoft YaHei")
    K.set_east_asian_font(run, "SimHei")  # replaces, never duplicates
    assert [etree.QName(c).localname for c in rpr] == ["latin", "ea", "cs", "hlinkClick"]
    assert rpr.find(f"{{{A}}}ea").get("typeface") == "SimHei"


# --------------------------------------------------------------------------- text


def test_add_text_turns_wrap_on_and_autofit_off_with_measured_insets():
    prs = K.new_presentation(THEME)
    s = K.add_blank_slide(prs)
    shape = K.add_text(s, K.Box(40, 40, 400, 100), ["预算"], BODY, 20, "#000000")
    body = shape.text_frame._txBody.find(f"{{{A}}}bodyPr")
    assert body.get("wrap") == "square"
    assert body.find(f"{{{A}}}noAutofit") is not None
    assert body.find(f"{{{A}}}normAutofit") is None and body.find(f"{{{A}}}spAutoFit") is None
    assert [body.get(k) for k in ("lIns", "rIns", "tIns", "bIns")] == [
        "91440",
        "91440",
        "45720",
        "45720",
    ]
    ppr = shape.text_frame.paragraphs[0]._p.pPr
    assert ppr.get("eaLnBrk") == "1" and ppr.get("hangingPunct") == "0"
    assert ppr.find(f"{{{A}}}lnSpc/{{{A}}}spcPts").get("val") == "2600"  # 1.3 × 20 pt exact


def _xml(el) -> str:
    """An element's XML with its namespace declarations left out, for readable comparisons."""
    return re.sub(r' xmlns:\w+="[^"]+"', "", etree.tostring(el, encoding="unicode"))


def test_add_text_writes_this_exact_paragraph_xml():
    # the XML add_text wrote when it still went through python-pptx's setters, kept
    # byte for byte: alignment, kinsoku, exact spacing, bullet, runs, break, end properties
    prs = K.new_presentation(THEME)
    shape = K.add_text(K.add_blank_slide(prs), K.Box(40, 40, 600, 200),
                       [Para("GDP增长\n5.2%"), Para("续", continued=True)], BODY, 20, "#1f1f1f",
                       bold=True, bullets=True, bullet_colour="#9E1B1B", align="justify")
    latin_ea = '<a:latin typeface="Arial"/><a:ea typeface="Microsoft YaHei"/>'
    run = ('<a:r><a:rPr sz="2000" b="1" lang="{lang}"><a:solidFill><a:srgbClr val="1F1F1F"/>'
           "</a:solidFill>" + latin_ea + "</a:rPr><a:t>{text}</a:t></a:r>")
    zh = 'zh-CN" altLang="en-US'
    end = f'<a:endParaRPr sz="2000" lang="{zh}">{latin_ea}</a:endParaRPr>'
    spacing = ('<a:lnSpc><a:spcPts val="2600"/></a:lnSpc><a:spcBef><a:spcPts val="{before}"/>'
               '</a:spcBef><a:spcAft><a:spcPts val="0"/></a:spcAft>')
    ppr = ('<a:pPr algn="just" eaLnBrk="1" latinLnBrk="0" hangingPunct="0" marL="304800" '
           'indent="{indent}">')
    first, second = (p._p for p in shape.text_frame.paragraphs)
    assert _xml(first) == (
        "<a:p>" + ppr.format(indent="-304800") + spacing.format(before="0")
        + '<a:buClr><a:srgbClr val="9E1B1B"/></a:buClr><a:buSzPct val="80000"/>'
        '<a:buFont typeface="Arial"/><a:buChar char="■"/></a:pPr>'
        + run.format(lang=zh, text="GDP增长")
        + f'<a:br><a:rPr sz="2000" lang="{zh}">{latin_ea}</a:rPr></a:br>'
        + run.format(lang="en-US", text="5.2%") + end + "</a:p>"
    )
    assert _xml(second) == (
        "<a:p>" + ppr.format(indent="0") + spacing.format(before="800") + "<a:buNone/></a:pPr>"
        + run.format(lang=zh, text="续") + end + "</a:p>"
    )


@pytest.mark.parametrize("size", [None, 20, 18.5])
@pytest.mark.parametrize("colour", [None, "#9e1b1b"])
@pytest.mark.parametrize("bold", [None, True, False])
@pytest.mark.parametrize("text", ["预算", "GDP", ""])
def test_new_run_properties_are_what_the_font_api_writes(size, colour, bold, text):
    # text boxes and notes build a:rPr directly; charts style theirs through python-pptx
    from pptx.oxml.xmlchemy import OxmlElement

    built = K._append_rpr(OxmlElement("a:r"), "rPr", BODY, size, colour, bold, text)
    styled = OxmlElement("a:rPr")
    K._style_rpr(styled, BODY, size, colour, bold, text)
    assert _xml(built) == _xml(styled)


def test_the_blank_layout_is_looked_up_once_and_does_not_keep_the_deck_alive():
    import gc
    import weakref

    prs = K.new_presentation(THEME)
    first, second = K.add_blank_slide(prs), K.add_blank_slide(prs)
    fewest = min(len(lo.placeholders) for lo in prs.slide_layouts)
    assert first.slide_layout.name == second.slide_layout.name
    assert len(first.slide_layout.placeholders) == fewest
    part = weakref.ref(prs.part)
    del prs, first, second
    gc.collect()
    assert part() is None


def test_add_text_refuses_text_that_does_not_fit():
    prs = K.new_presentation(THEME)
    s = K.add_blank_slide(prs)
    with pytest.raises(TextDoesNotFitError, match="split_to_fit"):
        K.add_text(
            s,
            K.Box(40, 40, 200, 40),
            ["今年以来财政部会同有关部门实施更加积极的财政政策"],
            BODY,
            20,
            "#000000",
        )
    assert len(s.shapes) == 0  # nothing half-written


def test_bullets_hang_and_continuations_have_no_bullet():
    prs = K.new_presentation(THEME)
    s = K.add_blank_slide(prs)
    shape = K.add_text(
        s,
        K.Box(40, 40, 600, 200),
        [Para("第一条"), Para("续", continued=True)],
        BODY,
        20,
        "#000000",
        bullets=True,
    )
    p1, p2 = (p._p.pPr for p in shape.text_frame.paragraphs)
    assert p1.find(f"{{{A}}}buChar") is not None and int(p1.get("indent")) < 0
    assert p2.find(f"{{{A}}}buNone") is not None and p2.get("marL") == p1.get("marL")


def test_a_split_list_fills_several_boxes_that_each_pass_add_text():
    from huoye.render.deck.measure import split_to_fit

    paras = [
        f"第{i}条：加强财政资源统筹，严肃财经纪律，坚决遏制新增地方政府隐性债务。" * (1 + i % 3)
        for i in range(12)
    ]
    box = THEME.content_box(top=100)
    chunks = split_to_fit(paras, BODY, 20, box.w, box.h, 1.3, bullets=True)
    prs = K.new_presentation(THEME)
    for chunk in chunks:
        K.add_text(K.add_blank_slide(prs), box, chunk, BODY, 20, "#000000", bullets=True)
    assert len(prs.slides) == len(chunks) >= 2


# ---------------------------------------------------------------------- save/reload


def test_a_saved_deck_reloads_with_python_pptx(tmp_path):
    path = K.save_atomic(_sample_deck(), tmp_path / "out" / "d.pptx")
    prs = Presentation(str(path))
    assert len(prs.slides) == 2
    texts = [sh.text_frame.text for sh in prs.slides[0].shapes if sh.has_text_frame]
    assert "2024年财政政策要点" in texts
    assert prs.slides[0].notes_slide.notes_text_frame.text == "讲稿：先讲总量。\nsecond line"
    assert _package_problems(path) == []


def test_save_atomic_replaces_the_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "d.pptx"
    target.write_bytes(b"old")
    K.save_atomic(_sample_deck(), target)
    assert zipfile.is_zipfile(target)
    assert [p.name for p in tmp_path.iterdir()] == ["d.pptx"]


def test_save_atomic_keeps_the_old_file_when_saving_fails(tmp_path):
    target = tmp_path / "d.pptx"
    target.write_bytes(b"old")

    class Broken:
        def save(self, fh):
            fh.write(b"partial")
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        K.save_atomic(Broken(), target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["d.pptx"]


# ----------------------------------------------------------------------- hostile text


def test_sanitize_strips_characters_illegal_in_xml():
    hostile = "预\x00算\x01\x08\x0b\x0c\x0e\x1f\x7f\ufffe\uffff\ud800收入\tA\r\nB\rC"
    assert K.sanitize_xml_text(hostile) == "预算收入\tA\nB\nC"
    assert K.sanitize_xml_text(None) == ""
    assert K.sanitize_xml_text("😀𠀀") == "😀𠀀"  # astral characters are legal


def test_hostile_text_cannot_corrupt_the_file(tmp_path):
    prs = K.new_presentation(THEME)
    s = K.add_blank_slide(prs)
    bad = "标题\x00\x1b\ufffe\ud83d<&>]]>"
    K.add_text(s, K.Box(40, 40, 600, 100), [bad], BODY, 20, "#000000")
    K.add_notes(s, bad)
    K.add_native_chart(s, K.Box(40, 150, 600, 300), "pie", [bad, "乙"], [(bad, [1, 2])], "0", bad)
    path = K.save_atomic(prs, tmp_path / "h.pptx")
    _all_xml(path)  # every part parses
    again = Presentation(str(path))
    assert again.slides[0].shapes[0].text_frame.text == "标题<&>]]>"


# ------------------------------------------------------------------------ templates


def _template_with_samples(path: Path) -> Path:
    """An editor's template: 3 sample slides with notes, a chart, a picture-free
    slide-jump link from slide 3 to slide 1, a custom show and sections."""
    prs = K.new_presentation(THEME)
    s1 = prs.slides.add_slide(K.layout_by_name(prs, "Title"))
    s1.shapes.title.text = "示例封面"
    K.add_notes(s1, "示例备注")
    s2 = prs.slides.add_slide(K.layout_by_name(prs, "Chart"))
    K.add_native_chart(s2, K.Box(60, 100, 600, 300), "line", ["一", "二"], [("甲", [1, 2])])
    s3 = prs.slides.add_slide(K.layout_by_name(prs, "Closing"))
    tb = s3.shapes.add_textbox(0, 0, Pt(200), Pt(50))
    run = tb.text_frame.paragraphs[0].add_run()
    run.text = "回到封面"
    rid = s3.part.relate_to(
        s1.part, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide"
    )
    hl = run._r.get_or_add_rPr().add_hlinkClick(rid)
    hl.set("action", "ppaction://hlinksldjump")
    pres = prs.part._element
    ids = [(s.get("id"), s.get(f"{{{R}}}id")) for s in pres.find("p:sldIdLst", NS)]
    cust = etree.fromstring(
        f'<p:custShowLst xmlns:p="{P}" xmlns:r="{R}"><p:custShow name="短版" id="0"><p:sldLst>'
        + "".join(f'<p:sld r:id="{r}"/>' for _, r in ids)
        + "</p:sldLst></p:custShow></p:custShowLst>"
    )
    pres.find("p:defaultTextStyle", NS).addprevious(cust)
    p14 = "http://schemas.microsoft.com/office/powerpoint/2010/main"
    ext = etree.fromstring(
        f'<p:extLst xmlns:p="{P}"><p:ext uri="{{521415D9-36F7-43E2-AB2F-B90AF26B5E84}}">'
        f'<p14:sectionLst xmlns:p14="{p14}"><p14:section name="默认节" '
        f'id="{{3A1A8F2E-2C5B-4F3A-9B7E-1D2C3B4A5F60}}"><p14:sldIdLst>'
        + "".join(f'<p14:sldId id="{i}"/>' for i, _ in ids)
        + "</p14:sldIdLst></p14:section></p14:sectionLst></p:ext></p:extLst>"
    )
    pres.append(ext)
    prs.save(str(path))
    return path


def test_open_template_removes_sample_slides_without_dangling_relationships(tmp_path):
    template = _template_with_samples(tmp_path / "editor.pptx")
    assert _package_problems(template) == []
    prs = K.open_template(template)
    assert len(prs.slides) == 0
    s = K.add_blank_slide(prs, "Closing")
    K.add_text(s, K.Box(40, 40, 600, 100), ["新的一页"], BODY, 20, "#000000")
    out = K.save_atomic(prs, tmp_path / "out.pptx")
    assert _package_problems(out) == []
    files = _zip_xml(out)
    slide_parts = [n for n in files if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)]
    assert slide_parts == ["ppt/slides/slide1.xml"]
    assert not [
        n for n in files if n.startswith(("ppt/charts/", "ppt/notesSlides/", "ppt/embeddings/"))
    ]
    pres = files["ppt/presentation.xml"].decode()
    assert "<p:sld " not in pres  # custom show emptied
    assert pres.count("p14:sldId ") == 0  # sections no longer list removed slides
    reloaded = Presentation(str(out))
    assert [sh.text_frame.text for sh in reloaded.slides[0].shapes] == ["新的一页"]


def test_remove_slide_drops_links_from_kept_slides(tmp_path):
    template = _template_with_samples(tmp_path / "editor.pptx")
    prs = Presentation(str(template))
    K.remove_slide(prs, 0)  # slide 3 links to it
    out = K.save_atomic(prs, tmp_path / "out.pptx")
    assert _package_problems(out) == []
    assert len(Presentation(str(out)).slides) == 2
    assert "hlinksldjump" not in _zip_xml(out)["ppt/slides/slide3.xml"].decode()


def test_layout_by_name_lists_the_available_names_when_missing():
    prs = K.new_presentation(THEME)
    assert K.layout_by_name(prs, "Chart").name == "Chart"
    with pytest.raises(KeyError, match="'Title'.*'Closing'"):
        K.layout_by_name(prs, "封面")


# --------------------------------------------------------------------------- charts


def test_chart_xml_has_categories_values_and_embedded_data(tmp_path):
    path = K.save_atomic(_sample_deck(), tmp_path / "d.pptx")
    files = _zip_xml(path)
    chart = next(v for n, v in files.items() if re.fullmatch(r"ppt/charts/chart\d+\.xml", n))
    root = etree.fromstring(chart)
    cats = [v.text for v in root.findall(".//c:ser[1]/c:cat//c:pt/c:v", NS)]
    assert cats == ["第一季度", "第二季度", "第三季度"]
    sers = root.findall(".//c:ser", NS)
    assert [s.findtext("c:tx//c:v", namespaces=NS) for s in sers] == ["收入", "支出"]
    assert [float(v.text) for v in sers[1].findall("c:val//c:pt/c:v", NS)] == [6.0, 6.3, 6.9]
    assert root.find(".//c:barDir", NS).get("val") == "col"
    assert "财政收支（万亿元）" in chart.decode()
    assert any(n.startswith("ppt/embeddings/") and n.endswith(".xlsx") for n in files)


@pytest.mark.parametrize(
    "kind,tag",
    [("bar", "barChart"), ("line", "lineChart"), ("pie", "pieChart"), ("column", "barChart")],
)
def test_every_chart_kind_is_native(kind, tag):
    prs = K.new_presentation(THEME)
    s = K.add_blank_slide(prs)
    chart = K.add_native_chart(
        s, K.Box(40, 40, 600, 400), kind, ["甲", "乙"], [("值", [1.5, 2])], "0.0", "标题"
    )
    assert chart._chartSpace.find(f".//c:{tag}", NS) is not None
    if kind == "bar":  # first category on top, value axis still along the bottom
        assert (
            chart._chartSpace.find(".//c:catAx/c:scaling/c:orientation", NS).get("val") == "maxMin"
        )
        assert chart._chartSpace.find(".//c:valAx/c:crosses", NS).get("val") == "max"


def test_chart_rejects_mismatched_or_bad_data():
    prs = K.new_presentation(THEME)
    s = K.add_blank_slide(prs)
    box = K.Box(40, 40, 600, 400)
    with pytest.raises(ValueError, match="2 values for 3"):
        K.add_native_chart(s, box, "column", ["a", "b", "c"], [("x", [1, 2])])
    with pytest.raises(ValueError, match="exactly one"):
        K.add_native_chart(s, box, "pie", ["a"], [("x", [1]), ("y", [2])])
    with pytest.raises(ValueError, match="kind"):
        K.add_native_chart(s, box, "radar", ["a"], [("x", [1])])
    with pytest.raises(TypeError):
        K.add_native_chart(s, box, "bar", ["a"], [("x", ["1"])])


# --------------------------------------------------------------------- real client


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
def test_libreoffice_shows_the_chinese_text_in_a_cjk_font(tmp_path):
    path = K.save_atomic(_sample_deck(), tmp_path / "d.pptx")
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        timeout=120,
        capture_output=True,
    )
    pdf = tmp_path / "d.pdf"
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for phrase in ("财政政策要点", "超长期特别国债", "第一季度", "财经活页"):
        assert phrase in text.replace(" ", ""), phrase
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"CJK|YaHei|WenKai|Hei|Song", fonts), fonts
