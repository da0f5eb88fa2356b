"""The slide deck: outline → slides, read back with python-pptx (and, slow, LibreOffice).

The sample deck is rendered once per module; each test reads what a speaker and
the audience would see: slide kinds in order, headlines, charts, notes, fonts,
sizes and boxes that hold their text.
"""
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
from pptx.oxml.ns import qn

from huoye.errors import RenderError
from huoye.load import load_archive
from huoye.render import RenderOptions
from huoye.render.deck import render
from huoye.render.templating import render_template
from huoye.summarise import headline, point_text
from tests.conftest import RECOMMENDATIONS, SAMPLE_FACTS

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
SMALL_SHAPES = {"Footer", "Slide Number"}  # the only text allowed below 18 pt

# per section: a divider, then its points (section 2: six points with their gist, and a
# chart; section 7, 对策建议: a summary, one slide each, a chart); key figures before 7
SAMPLE_KINDS = SAMPLE_FACTS["deck_slide_kinds"]


def _render(issue, templates: Path = TEMPLATES) -> bytes:
    return render(issue, RenderOptions(templates=templates.resolve()))


@pytest.fixture(scope="module")
def deck_path(sample_issue, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("deck") / "sample.pptx"
    path.write_bytes(_render(sample_issue))
    return path


@pytest.fixture(scope="module")
def prs(deck_path):
    return Presentation(str(deck_path))


def kind_of(slide) -> str:
    name = slide.name
    assert name.startswith("kind:"), name
    return name[len("kind:"):]


def texts(slide) -> list[str]:
    return [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame and sh.text_frame.text]


def slide_text(slide) -> str:
    return "\n".join(texts(slide)).replace("\v", "")


def notes(slide) -> str:
    return slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""


def list_items(slide) -> list[tuple[str, str]]:
    """(headline, fact) of each item of a list slide's body placeholder: a headline is a
    paragraph with a bullet or a number, a fact the plain paragraph after it."""
    items: list[list[str]] = []
    for sh in slide.placeholders:
        if sh.placeholder_format.idx != 1:
            continue
        for p in sh.text_frame.paragraphs:
            marked = p._p.pPr.find(qn("a:buNone")) is None
            if marked:
                items.append([p.text, ""])
            else:
                items[-1][1] += p.text
    return [tuple(i) for i in items]


def slide_title(slide) -> str:
    return slide.shapes.title.text_frame.text


def slides_of(prs, kind):
    return [s for s in prs.slides if kind_of(s) == kind]


# ---------------------------------------------------------------------- outline


def test_the_sample_deck_has_its_slides_in_order(prs):
    assert [kind_of(s) for s in prs.slides] == SAMPLE_KINDS


def test_it_is_16_9(prs):
    assert (prs.slide_width, prs.slide_height) == (12192000, 6858000)


def test_title_slide_names_bulletin_issue_theme_publishers_and_date(prs, sample_issue):
    text = slide_text(prs.slides[0])
    facts = SAMPLE_FACTS
    for part in ("财经活页", facts["issue_line"], facts["theme"], *facts["publishers"],
                 facts["date_line"]):
        assert part in text, part


def test_key_message_is_the_note_shortened(prs, sample_issue):
    [slide] = slides_of(prs, "message")
    shown = slide_text(slide).replace("\n", "")
    assert "产业是经济发展的关键" in shown
    assert len(shown) < len(sample_issue.note) / 2
    assert sample_issue.note.replace("\n", "") in notes(slide)


def test_agenda_lists_the_seven_sections(prs, sample_issue):
    [slide] = slides_of(prs, "agenda")
    text = slide_text(slide)
    for title in SAMPLE_FACTS["sections"]:
        assert title in text


def test_every_section_has_a_divider_then_its_point_headlines(prs, sample_issue):
    dividers = [slide_text(s) for s in slides_of(prs, "divider")]
    sections = [s for s in sample_issue.sections if not s.is_recommendations]
    for section in sections:
        assert any(section.title in d for d in dividers), section.title
        shown = "\n".join(
            slide_text(s) for s in slides_of(prs, "points")
            if slide_text(s).startswith(section.title)
        )
        for point in section.points:
            assert headline(point) in shown, headline(point)
    for phrase in ("核心基础元器件、零部件设计制造能力不强",
                   "成本高企不利于保持我国成本导向型产业链完整性", "注重顶层设计和规划牵引"):
        assert any(phrase in slide_text(s) for s in slides_of(prs, "points"))


def test_a_point_shows_at_most_one_supporting_fact(prs):
    for slide in slides_of(prs, "points"):
        items = list_items(slide)
        assert items and all("。" not in fact[:-1] for _h, fact in items)  # one sentence each
    shown = "\n".join(slide_text(s) for s in slides_of(prs, "points"))
    # of the point's sentences with figures, the one with the most informative (two sums
    # of money and shares beat one share): "80%以上需进口" is in the notes
    assert "芯片进口额在2018年首次超过3000亿美元，自产比例占12%左右。" in shown


def test_all_seven_recommendations_are_shown(prs):
    shown = "\n".join(slide_text(s) for s in slides_of(prs, "recommendations"))
    for rec in RECOMMENDATIONS:
        assert rec in shown, rec


def test_key_figures_are_large_with_short_label_and_source_and_sentence_in_notes(prs,
                                                                                sample_issue):
    slides = slides_of(prs, "figures")
    values = [sh.text_frame.text for s in slides for sh in s.shapes if sh.name == "Figure Value"]
    assert values == [f.value for f in sample_issue.figures]
    for s in slides:
        for sh in s.shapes:
            if sh.name == "Figure Value":
                assert sh.text_frame.paragraphs[0].runs[0].font.size.pt >= 48
            if sh.name == "Figure Source":
                assert len(sh.text_frame.text) <= 30
    all_notes = "\n".join(notes(s) for s in slides)
    for figure in sample_issue.figures:
        assert figure.sentence in all_notes


def test_closing_slide_gives_the_contact_details(prs, sample_issue):
    [slide] = slides_of(prs, "closing")
    text = slide_text(slide)
    for part in (sample_issue.series.address, sample_issue.series.telephone,
                 sample_issue.series.postcode, "连家明"):
        assert part in text


# ------------------------------------------------------------------------ charts


def _charts(prs):
    return [sh.chart for s in prs.slides for sh in s.shapes if sh.has_chart]


def test_each_chart_of_the_issue_is_a_native_chart_with_embedded_data(prs, sample_issue):
    charts = _charts(prs)
    assert len(charts) == len(sample_issue.charts)
    for chart, source in zip(charts, sample_issue.charts):
        plot = chart.plots[0]
        assert list(plot.categories) == source.categories
        assert [list(s.values) for s in plot.series] == [s.values for s in source.series]
        assert chart.part.chart_workbook.xlsx_part is not None  # editable in PowerPoint


def test_us_imports_chart_has_chinese_categories_values_and_unit_format(prs):
    [chart] = [c for c in _charts(prs) if list(c.plots[0].categories) == ["自我国进口",
                                                                         "自越南进口"]]
    plot = chart.plots[0]
    assert list(plot.series[0].values) == [-13.5, 37.2]
    assert plot.data_labels.number_format == '0.0"%"'
    assert not plot.data_labels.number_format_is_linked
    xml = etree.tostring(chart._chartSpace).decode()
    assert "<a:ea " in xml and 'lang="zh-CN"' in xml


def test_pictures_are_not_used_for_charts(deck_path):
    with zipfile.ZipFile(deck_path) as z:
        assert not [n for n in z.namelist() if n.startswith("ppt/media/")]


# -------------------------------------------------------------------------- notes


def test_every_content_slide_has_speaker_notes(prs):
    for n, slide in enumerate(prs.slides, start=1):
        assert notes(slide).strip(), f"slide {n} ({kind_of(slide)}) has no notes"


def test_notes_hold_the_full_text_behind_each_point(prs, sample_issue):
    all_notes = "\n".join(notes(s) for s in prs.slides)
    for section in sample_issue.sections:
        for point in section.points:
            assert point_text(point) in all_notes, point.headline


# ---------------------------------------------------------------- text and fonts


def _text_shapes(prs):
    for n, slide in enumerate(prs.slides, start=1):
        for sh in slide.shapes:
            if sh.has_text_frame and sh.text_frame.text.strip():
                yield n, sh


def test_every_chinese_run_has_an_east_asian_font_and_zh_cn(prs):
    seen = 0
    for n, sh in _text_shapes(prs):
        for r in sh.text_frame._txBody.iter(qn("a:r")):
            text = r.findtext(qn("a:t")) or ""
            if not CJK.search(text):
                continue
            rpr = r.find(qn("a:rPr"))
            ea = rpr.find(qn("a:ea"))
            assert ea is not None and ea.get("typeface") == "Microsoft YaHei", (n, text)
            assert rpr.get("lang") == "zh-CN", (n, text)
            seen += 1
    assert seen > 100


def test_body_text_is_never_below_18pt(prs):
    for n, sh in _text_shapes(prs):
        if sh.name in SMALL_SHAPES:
            continue
        for p in sh.text_frame.paragraphs:
            for r in p.runs:
                assert r.font.size is not None and r.font.size.pt >= 18, (n, sh.name, r.text)


def test_slide_titles_and_headlines_are_sized_for_the_back_of_the_room(prs):
    def size(shape) -> float:
        return shape.text_frame.paragraphs[0].runs[0].font.size.pt

    for slide in prs.slides:
        if kind_of(slide) not in ("title", "divider", "closing"):
            assert 32 <= size(slide.shapes.title) <= 36  # the slide title
        if kind_of(slide) in ("points", "recommendations"):
            body = slide.placeholders[1].text_frame
            heads = [p for p in body.paragraphs if p._p.pPr.find(qn("a:buNone")) is None]
            assert heads and all(p.runs[0].font.size.pt >= 24 for p in heads)


def test_every_text_frame_is_on_the_slide_with_one_style_per_paragraph(prs):
    """Shapes lie on the slide and each paragraph has one size, weight and colour. Whether
    the text fits its frame is judged by LibreOffice, not by the deck's own measure:
    tests/test_deck_package.py::test_libreoffice_draws_every_word_inside_the_box_that_holds_it."""
    checked = 0
    for _n, sh in _text_shapes(prs):
        for p in (p for p in sh.text_frame.paragraphs if p.runs):
            assert len({(r.font.size, r.font.bold, str(r.font.color.rgb)) for r in p.runs}) == 1
        assert sh.left >= 0 and sh.top >= 0
        assert sh.left + sh.width <= prs.slide_width and sh.top + sh.height <= prs.slide_height
        checked += 1
    assert checked > 100


def test_footer_and_slide_number_on_every_slide_but_the_title(prs, sample_issue):
    for n, slide in enumerate(prs.slides, start=1):
        names = {sh.name: sh.text_frame.text for sh in slide.shapes if sh.has_text_frame}
        if n == 1:
            assert "Footer" not in names and "Slide Number" not in names
            continue
        assert names["Slide Number"] == str(n)
        assert "财经活页" in names["Footer"] and sample_issue.issue_line in names["Footer"]


def test_content_stays_above_the_footer(prs):
    for slide in prs.slides:
        footer = [sh for sh in slide.shapes if sh.name == "Footer"]
        if not footer:
            continue
        top = footer[0].top
        for sh in slide.shapes:
            if sh.name not in SMALL_SHAPES:
                assert sh.top + sh.height <= top, sh.name


# ------------------------------------------------------------------------ package


def _package_problems(path: Path) -> list[str]:
    """Relationships that point nowhere, rIds used without a relationship, orphan parts."""
    pr = "http://schemas.openxmlformats.org/package/2006/relationships"
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    problems, edges = [], {}
    for name, blob in files.items():
        if not name.endswith(".rels"):
            continue
        folder = posixpath.dirname(posixpath.dirname(name))
        source = posixpath.join(folder, posixpath.basename(name)[:-5])
        ids = set()
        for rel in etree.fromstring(blob).iter(f"{{{pr}}}Relationship"):
            ids.add(rel.get("Id"))
            if rel.get("TargetMode") == "External":
                continue
            t = rel.get("Target")
            t = t.lstrip("/") if t.startswith("/") else posixpath.normpath(
                posixpath.join(folder, t))
            if t not in files:
                problems.append(f"{source} {rel.get('Id')} → missing {t}")
            edges.setdefault(source, []).append(t)
        if source in files:
            used = set(re.findall(rb'r:(?:id|embed|link)="(rId\d+)"', files[source]))
            problems += [f"{source} uses {r.decode()} with no relationship"
                         for r in used - {i.encode() for i in ids}]
    seen, stack = set(), list(edges.get("", []))
    while stack:
        part = stack.pop()
        if part not in seen:
            seen.add(part)
            stack += edges.get(part, [])
    problems += [f"orphan part {n}" for n in files
                 if not n.startswith("[") and "_rels/" not in n and n not in seen]
    return problems


def test_the_package_has_no_dangling_relationships_or_orphans(deck_path):
    assert _package_problems(deck_path) == []


def test_the_xml_is_clean(deck_path):
    with zipfile.ZipFile(deck_path) as z:
        for name in z.namelist():
            if name.endswith(".xml"):
                text = z.read(name).decode("utf-8")
                assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]", text), name


# ---------------------------------------------------------------------- overrides


def _with_front_matter(content: Path, extra: str) -> Path:
    issue_md = content / "2020-03" / "issue.md"
    text = issue_md.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n---\n")
    issue_md.write_text(head + "\n" + extra + sep + body, encoding="utf-8")
    return content


def test_editor_summaries_win_over_extraction(content_copy):
    _with_front_matter(content_copy, (
        "summaries:\n"
        "  note: [产业链现代化关乎国家竞争力。, 本期梳理挑战并提出七条建议。]\n"
        "  points:\n"
        "    '2.1': {headline: 核心元器件依赖进口, fact: 芯片自产比例约12%。}\n"
        "    '7.2': {headline: 加大应用研究投入}\n"
    ))
    [issue] = load_archive(content_copy)
    prs = Presentation(__import__("io").BytesIO(_render(issue)))
    [message] = slides_of(prs, "message")
    assert "产业链现代化关乎国家竞争力。" in slide_text(message)
    assert "产业是经济发展的关键" not in slide_text(message)
    points = "\n".join(slide_text(s) for s in slides_of(prs, "points"))
    assert "核心元器件依赖进口" in points and "芯片自产比例约12%。" in points
    assert "核心基础元器件、零部件设计制造能力不强" not in points
    assert "如高铁装备中所需" not in points
    recs = "\n".join(slide_text(s) for s in slides_of(prs, "recommendations"))
    assert "加大应用研究投入" in recs and "重视应用研究，夯实产业的科学基础" not in recs
    # the notes still carry the full text as written
    assert "核心基础元器件、零部件设计制造能力不强" in "\n".join(notes(s) for s in prs.slides)


# ---------------------------------------------------------------- editor's master


def _master(path: Path, widescreen: bool = True) -> Path:
    """An editor's master: python-pptx's default template with a sample slide."""
    prs = Presentation()
    if widescreen:
        prs.slide_width, prs.slide_height = 12192000, 6858000
    sample = prs.slides.add_slide(prs.slide_layouts[0])
    sample.shapes.title.text = "示例幻灯片"
    sample.notes_slide.notes_text_frame.text = "示例备注"
    prs.save(str(path))
    return path


def _use_master(content: Path, layouts: str) -> None:
    _master(content / "master.pptx")
    with open(content / "series.yaml", "a", encoding="utf-8") as fh:
        fh.write(f"deck:\n  template: master.pptx\n  layouts: {layouts}\n")


def test_an_editors_master_supplies_the_layouts(content_copy):
    _use_master(content_copy, '{title: "Title Slide", content: "Title Only"}')
    [issue] = load_archive(content_copy)
    path = content_copy / "deck.pptx"
    path.write_bytes(_render(issue))
    prs = Presentation(str(path))
    assert [kind_of(s) for s in prs.slides] == SAMPLE_KINDS
    layouts = [s.slide_layout.name for s in prs.slides]
    assert layouts[0] == layouts[-1] == "Title Slide"
    assert set(layouts[1:-1]) == {"Title Only"}
    everything = "\n".join(slide_text(s) + notes(s) for s in prs.slides)
    assert "示例" not in everything  # the sample slide is gone
    assert not [sh for s in prs.slides for sh in s.shapes if sh.name.endswith(("Bar", "Band"))]
    assert _package_problems(path) == []


def test_a_master_layout_that_does_not_exist_is_named(content_copy):
    _use_master(content_copy, '{content: "主要内容"}')
    [issue] = load_archive(content_copy)
    with pytest.raises(RenderError, match="主要内容.*Title Slide"):
        _render(issue)


def test_a_4_3_master_is_refused_with_the_fix(content_copy):
    _master(content_copy / "master.pptx", widescreen=False)
    with open(content_copy / "series.yaml", "a", encoding="utf-8") as fh:
        fh.write("deck:\n  template: master.pptx\n")
    [issue] = load_archive(content_copy)
    with pytest.raises(RenderError, match="Widescreen"):
        _render(issue)


# ------------------------------------------------------------ the outline template


def _templates_with(tmp_path: Path, outline: str) -> Path:
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    (folder / "deck.yaml.j2").write_text(outline, encoding="utf-8")
    return folder


def test_a_malformed_outline_names_the_template_and_line(sample_issue, tmp_path):
    folder = _templates_with(tmp_path, '- kind: title\n  title: "a\n- kind: [closing\n')
    with pytest.raises(RenderError, match=r"templates/deck\.yaml\.j2.*line \d+"):
        _render(sample_issue, folder)


@pytest.mark.parametrize("loader", ["SafeLoader", "CSafeLoader"])
def test_the_outline_reads_the_same_with_or_without_libyaml(sample_issue, tmp_path, monkeypatch,
                                                            loader):
    import yaml

    import huoye.render.deck as deck

    if not hasattr(yaml, loader):
        pytest.skip("PyYAML built without libyaml")
    options = RenderOptions(templates=TEMPLATES.resolve())
    expected = yaml.safe_load(render_template(options.templates, deck.TEMPLATE, issue=sample_issue))
    monkeypatch.setattr(deck, "_YAML_LOADER", getattr(yaml, loader))
    assert deck.outline(sample_issue, options) == expected
    folder = _templates_with(tmp_path, '- kind: title\n  title: "a\n- kind: [closing\n')
    with pytest.raises(RenderError, match=r"templates/deck\.yaml\.j2.*not valid YAML.*line \d+"):
        deck.outline(sample_issue, RenderOptions(templates=folder))


def test_an_unknown_kind_lists_the_kinds(sample_issue, tmp_path):
    folder = _templates_with(tmp_path, "- kind: title\n  title: x\n- kind: timeline\n")
    with pytest.raises(RenderError) as err:
        _render(sample_issue, folder)
    message = str(err.value)
    assert "templates/deck.yaml.j2" in message and "slide 2" in message
    assert "'timeline'" in message and "points" in message and "recommendations" in message


def test_missing_keys_are_all_reported_at_once(sample_issue, tmp_path):
    folder = _templates_with(tmp_path, "- kind: points\n- kind: chart\n  chart: nope\n"
                                       "- kind: figures\n  title: t\n  items: [{value: 1}]\n")
    with pytest.raises(RenderError) as err:
        _render(sample_issue, folder)
    message = str(err.value)
    assert "slide 1 (points): missing `title`" in message
    assert "slide 1 (points): missing `items`" in message
    assert "slide 3 (figures): items[1] has no `label`" in message


def test_an_editor_reorders_and_a_long_list_continues_on_more_slides(sample_issue, tmp_path):
    outline = (
        "- kind: closing\n  title: 谢谢\n  notes: 结束\n"
        "- kind: points\n  title: 全部要点\n  items:\n"
        "{% for s in issue.sections %}{% for p in s.points %}"
        "    - headline: {{ p | headline | tojson }}\n"
        "      fact: {{ p | supporting_fact | tojson }}\n"
        "      notes: {{ p | point_text | tojson }}\n"
        "{% endfor %}{% endfor %}"
    )
    prs = Presentation(__import__("io").BytesIO(_render(sample_issue, _templates_with(
        tmp_path, outline))))
    kinds = [kind_of(s) for s in prs.slides]
    assert kinds[0] == "closing" and set(kinds[1:]) == {"points"} and len(kinds) >= 4
    titles = [slide_title(s) for s in list(prs.slides)[1:]]
    assert titles[0] == "全部要点" and all(t == "全部要点（续）" for t in titles[1:])
    per_slide = [len(list_items(s)) for s in list(prs.slides)[1:]]
    assert sum(per_slide) == sum(len(s.points) for s in sample_issue.sections)
    assert min(per_slide) >= max(per_slide) / 2  # even parts, not a last slide with one item


# ------------------------------------------------------------------ real client


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
def test_libreoffice_shows_every_slide_with_chinese_text_in_embedded_cjk_fonts(
        deck_path, prs, tmp_path):
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(deck_path)],
        check=True, timeout=180, capture_output=True,
    )
    pdf = tmp_path / "sample.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) == len(prs.slides)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = re.sub(r"\s+", "", text)
    for phrase in RECOMMENDATIONS + ["核心基础元器件、零部件设计制造能力不强", "本期要目",
                                     "自越南进口"]:
        assert phrase in flat, phrase
    assert "\ufffd" not in text and "\u25a1" not in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts
    for line in fonts:
        assert re.search(r"\byes\s+yes\s+(yes|no)\s+\d+\s+\d+\s*$", line), line  # emb, sub
    assert any(re.search(r"CJK|YaHei|Hei", line) for line in fonts)


def test_a_character_the_deck_font_lacks_is_refused_with_its_place(sample_issue):
    """Like the PDF, the deck never shows a box for a missing glyph: U+2A6D6 is in no
    installed CJK face, so the deck refuses it and names the content file and line."""
    import copy

    issue = copy.deepcopy(sample_issue)
    point = issue.sections[1].points[0]
    point.summary_headline = "核心元器件𪛖依赖进口"
    with pytest.raises(RenderError) as err:
        render(issue, RenderOptions(templates=TEMPLATES))
    message = str(err.value)
    assert "U+2A6D6" in message and f"issue.md:{point.source.line}" in message


def test_outline_errors_name_the_template_in_use(sample_issue, tmp_path):
    import shutil

    templates = tmp_path / "my-templates"
    shutil.copytree(TEMPLATES, templates)
    outline = templates / "deck.yaml.j2"
    outline.write_text(outline.read_text(encoding="utf-8").replace("- kind: message", "- kind: timeline", 1),
                       encoding="utf-8")
    with pytest.raises(RenderError) as err:
        render(sample_issue, RenderOptions(templates=templates))
    assert f"{outline}: slide 2: unknown kind 'timeline'" in str(err.value)
