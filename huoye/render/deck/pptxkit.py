"""render step: PowerPoint — the thin python-pptx layer; content logic never touches shapes or XML.

Everything that knows about python-pptx objects, DrawingML/PresentationML
elements or the OPC package lives here.  The deck builder calls these functions
with plain values (strings, numbers, :class:`Box` in points, :class:`DeckTheme`).

Chinese text: every run gets ``a:latin`` *and* ``a:ea`` (East Asian typeface) and,
when it holds CJK characters, ``lang="zh-CN" altLang="en-US"``; the theme's
major/minor fonts carry the East Asian face too, so placeholders inherit it.
Without ``a:ea`` PowerPoint draws Chinese in whatever the theme's East Asian
slot says (宋体 in the stock template) and macOS/LibreOffice pick a random CJK face.

Text is never shrunk to fit: :func:`add_text` measures with :mod:`.measure`
and raises :class:`TextDoesNotFitError` when the text would overflow; callers
split long lists with :func:`measure.split_to_fit` onto continuation slides.

Two python-pptx costs are cut here, the package's bytes unchanged: its elements'
``xpath`` compiles the expression at every call (:func:`_compile_xpaths_once`), and a
new part's name is found by walking the whole package, and every notes slide is cloned
from the notes master placeholder by placeholder (:func:`drawing`).
"""

from __future__ import annotations

import contextlib
import copy
import os
import re
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import (
    XL_CHART_TYPE,
    XL_LABEL_POSITION,
    XL_LEGEND_POSITION,
    XL_TICK_LABEL_POSITION,
)
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.packuri import PackURI
from pptx.oxml.ns import qn
from pptx.oxml.simpletypes import ST_TextFontSize, ST_TextSpacingPoint
from pptx.util import Emu, Length, Pt

from .measure import (
    DEFAULT_FRAME,
    FontSpec,
    FrameSpec,
    Para,
    ParaStyle,
    TextDoesNotFitError,
    fits,
    has_east_asian,
    layout_height,
    line_height,
    styled_height,
)

__all__ = [
    "SLIDE_H_PT",
    "SLIDE_W_PT",
    "Box",
    "DeckTheme",
    "FontSpec",
    "FrameSpec",
    "Para",
    "TextDoesNotFitError",
    "add_blank_slide",
    "add_footer",
    "add_native_chart",
    "add_notes",
    "add_text",
    "layout_by_name",
    "new_presentation",
    "open_template",
    "drawing",
    "remove_slide",
    "sanitize_xml_text",
    "save_atomic",
    "set_east_asian_font",
    "set_run_language",
]


def _compile_xpaths_once() -> None:
    """python-pptx's ``BaseOxmlElement.xpath`` (placeholders, shape ids, runs, every
    ``p:ph`` lookup) passes its expression to lxml's ``_Element.xpath``, which compiles it
    again at every call: a fifth of a deck's drawing. The same expressions, with the same
    namespace map, compiled once each (``etree.XPath``) give the same results."""
    from functools import lru_cache

    from pptx.oxml import xmlchemy
    from pptx.oxml.ns import _nsmap

    if getattr(xmlchemy.BaseOxmlElement.xpath, "_compiled_once", False):
        return

    @lru_cache(maxsize=1024)
    def compiled(expr: str) -> etree.XPath:
        return etree.XPath(expr, namespaces=_nsmap)

    def xpath(self, xpath_str: str):
        return compiled(xpath_str)(self)

    xpath._compiled_once = True  # type: ignore[attr-defined]
    xmlchemy.BaseOxmlElement.xpath = xpath  # type: ignore[method-assign]


_compile_xpaths_once()


#: the notes slide python-pptx made first in each package being drawn (see `drawing`)
_NOTES_PROTOTYPE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@contextlib.contextmanager
def drawing(prs) -> Iterator[None]:
    """While a deck is drawn, two python-pptx steps that walk the whole package or redo
    the same work on every slide are shortened, the package's bytes unchanged:

    - each new part's name (``/ppt/notesSlides/notesSlide%d.xml``, charts, media) is found
      from the names already given out instead of by walking every part of the package,
      which made a deck's notes slides quadratic in its slides (a 600-slide deck spent
      ~10 s there); the same rule as python-pptx's ``next_partname``: the highest free
      number not above the count plus one. Only parts are added while drawing; a part
      dropped meanwhile would at worst leave its number unused;
    - a slide's notes slide is a copy of the first one python-pptx made (before its text
      was written), related as python-pptx relates it (:func:`_notes_slide`), instead of
      its placeholders being cloned from the notes master one by one again;
    - a new slide is added without python-pptx's two searches of every slide
      (:func:`_new_slide`)."""
    package = prs.part.package
    walk = type(package).next_partname
    known: dict[str, set[str]] = {}

    def next_partname(tmpl: str):
        prefix = tmpl[: (tmpl % 42).find("42")]
        names = known.get(prefix)
        if names is None:
            names = known[prefix] = {str(p.partname) for p in package.iter_parts()
                                     if p.partname.startswith(prefix)}
        for n in range(len(names) + 1, 0, -1):
            if tmpl % n not in names:
                names.add(tmpl % n)
                return PackURI(tmpl % n)
        return walk(package, tmpl)  # pragma: no cover - python-pptx's own error

    package.next_partname = next_partname
    _NOTES_PROTOTYPE[package] = {}
    try:
        yield
    finally:
        del package.next_partname
        _NOTES_PROTOTYPE.pop(package, None)


def _notes_slide(slide):
    """``slide.notes_slide``, made from the package's first notes slide while `drawing`."""
    part = slide.part
    prototype = _NOTES_PROTOTYPE.get(part.package)
    if prototype is None or part.has_notes_slide:
        return slide.notes_slide
    if "element" not in prototype:
        notes = slide.notes_slide  # python-pptx's own: the notes master's placeholders cloned
        prototype["element"] = copy.deepcopy(notes.part._element)
        return notes
    from pptx.opc.constants import CONTENT_TYPE as CT
    from pptx.parts.slide import NotesSlidePart

    package = part.package
    master = package.presentation_part.notes_master_part
    notes_part = NotesSlidePart(package.next_partname("/ppt/notesSlides/notesSlide%d.xml"),
                                CT.PML_NOTES_SLIDE, package, copy.deepcopy(prototype["element"]))
    notes_part.relate_to(master, RT.NOTES_MASTER)  # as NotesSlidePart.new, in its order
    notes_part.relate_to(part, RT.SLIDE)
    part.relate_to(notes_part, RT.NOTES_SLIDE)
    return slide.notes_slide


#: 16:9 widescreen, PowerPoint's own numbers (13.333 in × 7.5 in)
SLIDE_W_EMU = 12192000
SLIDE_H_EMU = 6858000
SLIDE_W_PT = SLIDE_W_EMU / 12700  # 960
SLIDE_H_PT = SLIDE_H_EMU / 12700  # 540

_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_HEX = re.compile(r"^#?([0-9A-Fa-f]{6})$")

# ------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Box:
    """A rectangle on the slide, in points from the top-left corner (slide is 960 × 540)."""

    x: float
    y: float
    w: float
    h: float

    def __post_init__(self) -> None:
        if self.w <= 0 or self.h <= 0:
            raise ValueError(f"box must have a positive size, got {self}")

    @property
    def emu(self) -> tuple[Length, Length, Length, Length]:
        return (Pt(self.x), Pt(self.y), Pt(self.w), Pt(self.h))

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h


def _hex(value: str) -> str:
    m = _HEX.match(value.strip())
    if not m:
        raise ValueError(f"colour must be hex like '#1F4E79', got {value!r}")
    return m.group(1).upper()


def _rgb(value: str) -> RGBColor:
    return RGBColor.from_string(_hex(value))


@dataclass(frozen=True)
class DeckTheme:
    """The few design decisions of a deck.  Sizes in points; colours ``#RRGGBB``."""

    brand: str = "#9E1B1B"
    accent: str = "#C99A2E"
    text_colour: str = "#222222"
    muted_colour: str = "#6B6B6B"
    latin_font: str = "Arial"
    east_asian_font: str = "Microsoft YaHei"
    fallback_east_asian_font: str = "Noto Sans CJK SC"
    title_size: float = 32
    body_size: float = 20
    footer_size: float = 11
    margin: float = 40
    footer_height: float = 28
    line_spacing: float = 1.3
    chart_palette: tuple[str, ...] = field(
        default=("#9E1B1B", "#C99A2E", "#4A6FA5", "#6B8E5A", "#8C6D9E", "#7F7F7F")
    )

    def __post_init__(self) -> None:
        for name in ("brand", "accent", "text_colour", "muted_colour"):
            object.__setattr__(self, name, "#" + _hex(getattr(self, name)))
        object.__setattr__(self, "chart_palette", tuple("#" + _hex(c) for c in self.chart_palette))
        if self.body_size < 18:
            raise ValueError(f"body text must be at least 18 pt, got {self.body_size}")
        if self.title_size < self.body_size:
            raise ValueError("title size must not be smaller than body size")
        if not self.east_asian_font.strip() or not self.latin_font.strip():
            raise ValueError("font names must not be empty")

    def font(self, bold: bool = False) -> FontSpec:
        return FontSpec(self.latin_font, self.east_asian_font, self.fallback_east_asian_font, bold)

    def content_box(self, top: float = 0.0) -> Box:
        """The slide area inside the margins and above the footer, starting at ``top``
        (pass the bottom of a title to get the body area)."""
        y = max(top, self.margin)
        return Box(
            self.margin,
            y,
            SLIDE_W_PT - 2 * self.margin,
            SLIDE_H_PT - self.footer_height - self.margin / 2 - y,
        )


# theme of each presentation made by new_presentation/open_template (for footers, notes)
_THEMES: weakref.WeakKeyDictionary[object, DeckTheme] = weakref.WeakKeyDictionary()


def _theme_of(obj) -> DeckTheme:
    try:
        part = obj.part.package.presentation_part
        return _THEMES.get(part, DeckTheme())
    except AttributeError:
        return DeckTheme()


# ---------------------------------------------------------------------- sanitizing

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def sanitize_xml_text(s: object) -> str:
    """Text safe for XML 1.0: drop control chars (tab and newline kept; CR becomes a
    newline), U+FFFE/U+FFFF and lone surrogates, so no string can corrupt the file."""
    text = "" if s is None else str(s)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _XML_ILLEGAL.sub("", text)


# -------------------------------------------------------------------- presentation


def new_presentation(theme: DeckTheme | None = None):
    """A blank 16:9 presentation (13.333 × 7.5 in) whose theme fonts carry ``theme``'s
    Latin and East Asian faces and whose accent colours are the brand colours."""
    theme = theme or DeckTheme()
    prs = Presentation()
    old_w = prs.slide_width
    prs.slide_width = Emu(SLIDE_W_EMU)
    prs.slide_height = Emu(SLIDE_H_EMU)
    _stretch_masters(prs, SLIDE_W_EMU / old_w)
    _apply_theme(prs, theme)
    _branded_layouts(prs, theme)
    _THEMES[prs.part] = theme
    return prs


# ------------------------------------------------------------------------ layouts

#: the layouts of huoye's own master, by name: (layout type, placeholders as
#: (ph type, idx, x, y, w, h in pt, prompt), decorations as (name, x, y, w, h, colour key))
LAYOUTS: dict[str, tuple[str, list[tuple], list[tuple]]] = {
    "Title": ("title", [
        ("ctrTitle", 0, 68, 140, 844, 80, "刊名"),
        ("subTitle", 1, 68, 228, 844, 60, "本期主题"),
        ("body", 2, 68, 348, 844, 120, "期号、编印单位、日期"),
    ], [("Top Band", 0, 0, 960, 14, "brand")]),
    "Section Header": ("secHead", [
        ("title", 0, 88, 240, 824, 60, "部分标题"),
        ("body", 1, 88, 120, 824, 110, "编号"),
    ], []),
    "Title and Content": ("obj", [
        ("title", 0, 68, 34, 844, 48, "标题"),
        ("body", 1, 48, 124, 864, 374, "正文"),
    ], [("Title Bar", 48, 40, 6, 33, "brand")]),
    "Two Content": ("twoObj", [
        ("title", 0, 68, 34, 844, 48, "标题"),
        ("body", 1, 48, 124, 412, 374, "左栏"),
        ("body", 2, 500, 124, 412, 374, "右栏"),
    ], [("Title Bar", 48, 40, 6, 33, "brand")]),
    "Chart": ("titleOnly", [
        ("title", 0, 68, 34, 844, 48, "标题"),
        ("body", 1, 48, 470, 864, 28, "数据来源"),
    ], [("Title Bar", 48, 40, 6, 33, "brand")]),
    "Table": ("titleOnly", [
        ("title", 0, 68, 34, 844, 48, "标题"),
        ("body", 1, 48, 470, 864, 28, "数据来源"),
    ], [("Title Bar", 48, 40, 6, 33, "brand")]),
    "Closing": ("titleOnly", [
        ("title", 0, 88, 110, 824, 80, "结束语"),
        ("body", 1, 88, 230, 824, 260, "联系方式"),
    ], []),
}

_P = "http://schemas.openxmlformats.org/presentationml/2006/main"


def _p(tag: str) -> str:
    return f"{{{_P}}}{tag}"


def _xfrm(parent, box: Box) -> None:
    xfrm = etree.SubElement(parent, _a("xfrm"))
    etree.SubElement(xfrm, _a("off"), x=str(int(Pt(box.x))), y=str(int(Pt(box.y))))
    etree.SubElement(xfrm, _a("ext"), cx=str(int(Pt(box.w))), cy=str(int(Pt(box.h))))


def _branded_layouts(prs, theme: DeckTheme) -> None:
    """Turn the stock master's layouts into huoye's named ones (:data:`LAYOUTS`), with
    the brand's bars drawn on the layouts, and remove the layouts the deck does not use."""
    master = prs.slide_masters[0]
    stock = list(master.slide_layouts)
    colours = {"brand": theme.brand, "accent": theme.accent}
    for layout, (name, (kind, placeholders, decorations)) in zip(stock, LAYOUTS.items()):
        root = layout._element
        root.set("type", kind)
        root.set("preserve", "1")
        c_sld = root.find(_p("cSld"))
        c_sld.set("name", name)
        tree = c_sld.find(_p("spTree"))
        for child in list(tree)[2:]:  # keep nvGrpSpPr and grpSpPr
            tree.remove(child)
        shape_id = 2
        for ph_type, idx, x, y, w, h, prompt in placeholders:
            sp = etree.SubElement(tree, _p("sp"))
            nv = etree.SubElement(sp, _p("nvSpPr"))
            etree.SubElement(nv, _p("cNvPr"), id=str(shape_id), name=f"{prompt} {shape_id - 1}")
            etree.SubElement(etree.SubElement(nv, _p("cNvSpPr")), _a("spLocks"), noGrp="1")
            attrs = {"type": ph_type}
            if idx:
                attrs["idx"] = str(idx)
            etree.SubElement(etree.SubElement(nv, _p("nvPr")), _p("ph"), attrs)
            _xfrm(etree.SubElement(sp, _p("spPr")), Box(x, y, w, h))
            body = etree.SubElement(sp, _p("txBody"))
            etree.SubElement(body, _a("bodyPr"))
            etree.SubElement(body, _a("lstStyle"))
            para = etree.SubElement(body, _a("p"))
            run = etree.SubElement(para, _a("r"))
            etree.SubElement(run, _a("rPr"), lang="zh-CN", altLang="en-US")
            etree.SubElement(run, _a("t")).text = prompt
            shape_id += 1
        for deco, x, y, w, h, colour in decorations:
            sp = etree.SubElement(tree, _p("sp"))
            nv = etree.SubElement(sp, _p("nvSpPr"))
            etree.SubElement(nv, _p("cNvPr"), id=str(shape_id), name=deco)
            etree.SubElement(nv, _p("cNvSpPr"))
            etree.SubElement(nv, _p("nvPr"), userDrawn="1")
            sp_pr = etree.SubElement(sp, _p("spPr"))
            _xfrm(sp_pr, Box(x, y, w, h))
            etree.SubElement(etree.SubElement(sp_pr, _a("prstGeom"), prst="rect"), _a("avLst"))
            fill = etree.SubElement(sp_pr, _a("solidFill"))
            etree.SubElement(fill, _a("srgbClr"), val=_hex(colours[colour]))
            etree.SubElement(etree.SubElement(sp_pr, _a("ln")), _a("noFill"))
            shape_id += 1
    for layout in stock[len(LAYOUTS):]:
        master.slide_layouts.remove(layout)


def _stretch_masters(prs, ratio: float) -> None:
    """The stock template is 4:3; widen its master/layout placeholders to 16:9."""
    if abs(ratio - 1.0) < 1e-6:
        return
    parts = []
    for master in prs.slide_masters:
        parts.append(master)
        parts.extend(master.slide_layouts)
    for obj in parts:
        for off in obj.element.iter(qn("a:off")):
            off.set("x", str(round(int(off.get("x", "0")) * ratio)))
        for ext in obj.element.iter(qn("a:ext")):
            if ext.get("cx") is not None:
                ext.set("cx", str(round(int(ext.get("cx")) * ratio)))


def _theme_parts(prs):
    for master in prs.slide_masters:
        try:
            yield master.part.part_related_by(RT.THEME)
        except KeyError:  # pragma: no cover - a master always has a theme
            continue


def _apply_theme(prs, theme: DeckTheme) -> None:
    """Write major/minor Latin + East Asian fonts (and the Hans script font) into every
    theme part, and brand/accent into accent1/accent2."""
    for part in _theme_parts(prs):
        root = etree.fromstring(part.blob)
        for scheme in root.iter(f"{{{_A}}}majorFont", f"{{{_A}}}minorFont"):
            _set_theme_face(scheme, "latin", theme.latin_font)
            _set_theme_face(scheme, "ea", theme.east_asian_font)
            hans = scheme.find("a:font[@script='Hans']", {"a": _A})
            if hans is None:
                hans = etree.SubElement(scheme, f"{{{_A}}}font", script="Hans")
            hans.set("typeface", theme.east_asian_font)
        for slot, colour in (("accent1", theme.brand), ("accent2", theme.accent)):
            for el in root.iter(f"{{{_A}}}{slot}"):
                for child in list(el):
                    el.remove(child)
                etree.SubElement(el, f"{{{_A}}}srgbClr", val=_hex(colour))
        part.blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _set_theme_face(scheme, tag: str, face: str) -> None:
    el = scheme.find(f"{{{_A}}}{tag}")
    if el is None:  # schema order is latin, ea, cs, font*
        el = etree.Element(f"{{{_A}}}{tag}")
        if tag == "latin":
            scheme.insert(0, el)
        else:
            latin = scheme.find(f"{{{_A}}}latin")
            (latin.addnext(el) if latin is not None else scheme.insert(0, el))
    el.set("typeface", face)
    for attr in ("panose", "pitchFamily", "charset"):  # belonged to the old face
        el.attrib.pop(attr, None)


def open_template(path: str | os.PathLike, theme: DeckTheme | None = None):
    """Open an editor's own .pptx as the master: every sample slide is removed cleanly
    (list entry, relationship and part, plus references from other parts), so new
    slides start from its layouts.  ``theme`` is used for footers/notes only; the
    template's own theme part is left as the editor made it."""
    prs = Presentation(os.fspath(path))
    while len(prs.slides):
        remove_slide(prs, 0)
    _THEMES[prs.part] = theme or DeckTheme()
    return prs


def remove_slide(prs, index: int) -> None:
    """Remove slide ``index`` without leaving dangling relationships or orphan parts."""
    sld_id_lst = prs.slides._sldIdLst
    sld_ids = list(sld_id_lst)
    if not -len(sld_ids) <= index < len(sld_ids):
        raise IndexError(f"no slide {index}; the deck has {len(sld_ids)}")
    sld_id = sld_ids[index]
    rid, num_id = sld_id.rId, sld_id.get("id")
    pres_part = prs.part
    slide_part = pres_part.related_part(rid)

    sld_id_lst.remove(sld_id)
    # custom shows (p:custShow/p:sldLst/p:sld r:id) and any other rId use
    _strip_rid_refs(pres_part._element, rid)
    # PowerPoint 2010 sections list slides by numeric id
    for el in _xpath(pres_part._element, ".//*[local-name()='sldId' and @id=$v]", num_id):
        el.getparent().remove(el)
    pres_part.drop_rel(rid)
    if rid in pres_part.rels:
        raise RuntimeError(f"relationship {rid} to removed slide is still referenced")

    # other parts pointing at the removed slide (slide-jump hyperlinks, …)
    for part in list(pres_part.package.iter_parts()):
        for key, rel in list(part.rels.items()):
            if not rel.is_external and rel.target_part is slide_part:
                if hasattr(part, "_element"):
                    _strip_rid_refs(part._element, key)
                part.rels.pop(key)


def _xpath(element, expr: str, value: str) -> list:
    """XPath with a ``$v`` variable (python-pptx's own ``xpath`` takes no variables)."""
    return etree._Element.xpath(element, expr, namespaces={"r": _R}, v=value)


def _strip_rid_refs(element, rid: str) -> None:
    for el in _xpath(element, ".//*[@r:id=$v or @r:embed=$v or @r:link=$v]", rid):
        el.getparent().remove(el)


def has_layout(prs, name: str) -> bool:
    return any(lo.name == name for m in prs.slide_masters for lo in m.slide_layouts)


def layout_by_name(prs, name: str):
    """The slide layout called ``name`` (in any master); a clear error lists the names."""
    names = []
    for master in prs.slide_masters:
        for layout in master.slide_layouts:
            if layout.name == name:
                return layout
            names.append(layout.name)
    raise KeyError(
        f"no slide layout named {name!r}; this template has: {', '.join(map(repr, names))}"
    )


# index of each presentation's blank layout in ``prs.slide_layouts`` (counting the
# placeholders of every layout costs ~2 ms a slide; layouts do not change while a deck is drawn)
_BLANK_LAYOUT: weakref.WeakKeyDictionary[object, int] = weakref.WeakKeyDictionary()


def _blank_layout(prs):
    """The layout with fewest placeholders ("Blank" in the stock template)."""
    layouts = prs.slide_layouts
    index = _BLANK_LAYOUT.get(prs.part)
    if index is None or index >= len(layouts):
        counts = [len(lo.placeholders) for lo in layouts]
        index = _BLANK_LAYOUT[prs.part] = counts.index(min(counts))
    return layouts[index]


def add_slide(prs, layout_name: str):
    """A new slide from the layout called ``layout_name``, its placeholders kept (fill
    them with :func:`add_text` ``placeholder=``; :func:`drop_empty_placeholders` after)."""
    return _new_slide(prs, layout_by_name(prs, layout_name))


def _new_slide(prs, layout):
    """``prs.slides.add_slide(layout)``; while `drawing`, without its two searches of every
    slide (for a relationship to reuse, which a new part never has, and for the highest
    slide id, which is the last one given out plus one): the same package, in linear time."""
    state = _NOTES_PROTOTYPE.get(prs.part.package)
    slides = prs.slides
    if state is None:
        return slides.add_slide(layout)
    from pptx.parts.slide import SlidePart

    pres_part = prs.part
    slide_part = SlidePart.new(pres_part._next_slide_partname, pres_part.package, layout.part)
    rid = pres_part.rels._add_relationship(RT.SLIDE, slide_part)
    slide = slide_part.slide
    slide.shapes.clone_layout_placeholders(layout)
    sld_id_lst = slides._sldIdLst
    slide_id = state.get("slide_id", 0) + 1
    if "slide_id" not in state or slide_id > 2147483647:  # the first, or python-pptx's search
        slide_id = sld_id_lst._next_id
    state["slide_id"] = slide_id
    sld_id_lst._add_sldId(id=slide_id, rId=rid)
    return slide


def set_slide_name(slide, name: str) -> None:
    """The slide's name (``p:cSld/@name``: python-pptx's ``slide.name``, VBA's ``Slide.Name``)."""
    slide._element.cSld.set("name", sanitize_xml_text(name))


def drop_empty_placeholders(slide) -> None:
    """Remove the placeholders nothing was written into (they would show their prompt
    in PowerPoint's editing view and nothing in a show)."""
    for ph in list(slide.placeholders):
        if not ph.has_text_frame or not ph.text_frame.text.strip():
            if ph.element.tag == _p("sp"):
                ph.element.getparent().remove(ph.element)


def _placeholder(slide, role: str):
    """The slide's placeholder for ``role``: "title" (title or centre title), "subtitle",
    or "body<idx>" such as "body1"; None when its layout has none."""
    for ph in slide.placeholders:
        fmt = ph.placeholder_format
        kind = fmt.type.name if fmt.type is not None else ""
        if role == "title" and kind in ("TITLE", "CENTER_TITLE"):
            return ph
        if role == "subtitle" and kind == "SUBTITLE":
            return ph
        if role.startswith("body") and kind in ("BODY", "OBJECT") and fmt.idx == int(role[4:]):
            return ph
    return None


def add_blank_slide(prs, layout_name: str | None = None):
    """A new slide from ``layout_name`` (default: the layout with fewest placeholders,
    "Blank" in the stock template) with its empty placeholders removed."""
    if layout_name is not None:
        layout = layout_by_name(prs, layout_name)
    else:
        layout = _blank_layout(prs)
    slide = _new_slide(prs, layout)
    for ph in list(slide.placeholders):
        ph.element.getparent().remove(ph.element)
    return slide


# --------------------------------------------------------------------------- runs

_RPR_AFTER_EA = ("a:cs", "a:sym", "a:hlinkClick", "a:hlinkMouseOver", "a:rtl", "a:extLst")


def _rpr_of(obj):
    """The a:rPr/a:defRPr/a:endParaRPr element of a run, a Font, or the element itself."""
    if hasattr(obj, "_r"):  # _Run
        return obj._r.get_or_add_rPr()
    if hasattr(obj, "_rPr"):  # Font
        return obj._rPr
    return obj


def set_east_asian_font(run, face: str) -> None:
    """Give ``run`` (a python-pptx run, Font, or rPr-like element) the East Asian
    typeface ``face`` as ``a:ea``, in schema order (…, latin, ea, cs, sym, hlinkClick, …)."""
    rpr = _rpr_of(run)
    for old in rpr.findall(qn("a:ea")):
        rpr.remove(old)
    ea = rpr.makeelement(qn("a:ea"), {"typeface": face})
    successor = next((c for c in rpr if c.tag in {qn(t) for t in _RPR_AFTER_EA}), None)
    if successor is not None:
        successor.addprevious(ea)
    else:
        rpr.append(ea)


def set_run_language(run, text: str | None = None) -> None:
    """``lang="zh-CN" altLang="en-US"`` when the text holds CJK, else ``lang="en-US"``."""
    rpr = _rpr_of(run)
    if text is None:
        text = getattr(run, "text", "")
    if has_east_asian(text):
        rpr.set("lang", "zh-CN")
        rpr.set("altLang", "en-US")
    else:
        rpr.set("lang", "en-US")
        rpr.attrib.pop("altLang", None)


def _style_rpr(
    rpr, font: FontSpec, size: float | None, colour: str | None, bold: bool | None, text: str
) -> None:
    """Set size/bold/colour/latin/ea/lang on an rPr-like element, keeping schema order."""
    from pptx.text.text import Font

    f = Font(rpr)
    if size is not None:
        f.size = Pt(size)
    if bold is not None:
        f.bold = bold
    if colour is not None:
        f.color.rgb = _rgb(colour)
    f.name = font.latin  # a:latin, inserted in order by python-pptx
    set_east_asian_font(rpr, font.east_asian)
    set_run_language(rpr, text)


def _a(tag: str) -> str:
    """The DrawingML element name ``a:tag`` in Clark notation."""
    return f"{{{_A}}}{tag}"


def _append_rpr(
    parent, tag: str, font: FontSpec, size: float | None, colour: str | None,
    bold: bool | None, text: str
):
    """Append a new ``a:rPr``/``a:endParaRPr`` to ``parent`` holding exactly what
    :func:`_style_rpr` writes into an empty one, built directly (no python-pptx
    round trips: a deck has hundreds of runs)."""
    attrs = {}
    if size is not None:
        attrs["sz"] = ST_TextFontSize.to_xml(Pt(size).centipoints)
    if bold is not None:
        attrs["b"] = "1" if bold else "0"
    if has_east_asian(text):
        attrs.update(lang="zh-CN", altLang="en-US")
    else:
        attrs["lang"] = "en-US"
    rpr = etree.SubElement(parent, _a(tag), attrs)
    if colour is not None:  # schema order: fill, …, latin, ea
        fill = etree.SubElement(rpr, _a("solidFill"))
        etree.SubElement(fill, _a("srgbClr"), val=_hex(colour))
    etree.SubElement(rpr, _a("latin"), typeface=font.latin)
    etree.SubElement(rpr, _a("ea"), typeface=font.east_asian)
    return rpr


def _add_run(p, text: str, font: FontSpec, size, colour, bold) -> None:
    """A styled run ``text`` at the end of the paragraph element ``p`` (before its
    a:endParaRPr).  ``text`` has been through :func:`sanitize_xml_text`."""
    r = p.makeelement(_a("r"), {})
    _append_rpr(r, "rPr", font, size, colour, bold, text)
    etree.SubElement(r, _a("t")).text = text
    end = p.find(_a("endParaRPr"))
    if end is None:
        p.append(r)
    else:
        end.addprevious(r)


def _add_break(p, font: FontSpec, size, text: str) -> None:
    """A line break (``a:br`` with its run properties) at the end of the new paragraph ``p``."""
    br = etree.SubElement(p, _a("br"))
    _append_rpr(br, "rPr", font, size, None, None, text)


# --------------------------------------------------------------------------- text

_ALIGN = {
    "left": PP_ALIGN.LEFT,
    "center": PP_ALIGN.CENTER,
    "right": PP_ALIGN.RIGHT,
    "justify": PP_ALIGN.JUSTIFY,
    "distribute": PP_ALIGN.DISTRIBUTE,
}
_ANCHOR = {"top": MSO_ANCHOR.TOP, "middle": MSO_ANCHOR.MIDDLE, "bottom": MSO_ANCHOR.BOTTOM}


def add_text(
    slide,
    box: Box,
    paragraphs: Sequence[str | Para] | str,
    font: FontSpec,
    size: float,
    colour: str,
    bold: bool = False,
    bullets: bool = False,
    align: Literal["left", "center", "right", "justify", "distribute"] = "left",
    *,
    line_spacing: float = 1.3,
    frame: FrameSpec = DEFAULT_FRAME,
    anchor: Literal["top", "middle", "bottom"] = "top",
    bullet_char: str = "■",
    bullet_colour: str | None = None,
    name: str | None = None,
    placeholder: str | None = None,
    styles: Sequence[ParaStyle] | None = None,
):
    """Write ``paragraphs`` into a new text box at ``box`` and return the shape; with
    ``placeholder`` ("title", "subtitle", "body1" …), into that placeholder of the slide
    placed at ``box`` (a new text box if the slide's layout has no such placeholder).
    ``styles`` gives each paragraph its own size, colour, weight, marker and space above
    (see :class:`ParaStyle`; measured by :func:`measure.styled_height`).

    Word wrap on, auto-size off (no shrink, no grow); insets, bullet indents and
    exact line spacing as in ``frame``/``line_spacing``, so :mod:`.measure` agrees
    with the file.  ``"\\n"`` inside a paragraph is a line break.  Raises
    :class:`TextDoesNotFitError` if the text would overflow the box.
    """
    if isinstance(paragraphs, str):
        paragraphs = [paragraphs]
    paras = [
        Para(sanitize_xml_text(p), 0, False)
        if not isinstance(p, Para)
        else Para(sanitize_xml_text(p.text), p.level, p.continued)
        for p in paragraphs
    ]
    if align not in _ALIGN:
        raise ValueError(f"align must be one of {sorted(_ALIGN)}, got {align!r}")
    font = font.with_bold(bold) if bold != font.bold else font
    if styles is not None:
        if len(styles) != len(paras):
            raise ValueError("one style per paragraph")
        need = styled_height([p.text for p in paras], styles, font, box.w, frame)
        ok = need <= frame.text_height(box.h) + 0.01
    else:
        ok = fits(paras, font, size, box.w, box.h, line_spacing, bullets=bullets, frame=frame)
    if not ok:
        need = need if styles is not None else layout_height(
            paras, font, size, box.w, line_spacing, bullets=bullets, frame=frame)
        first = paras[0].text[:24] if paras else ""
        err = TextDoesNotFitError(
            f"text starting {first!r} needs {need + frame.inset_top + frame.inset_bottom:.0f} pt "
            f"but the box is {box.w:.0f}×{box.h:.0f} pt at {size:g} pt; "
            "split it with measure.split_to_fit or give it a bigger box (text is never shrunk)"
        )
        err.start, err.need, err.room = first, need + frame.inset_top + frame.inset_bottom, box.h
        raise err

    shape = _placeholder(slide, placeholder) if placeholder else None
    if shape is None:
        shape = slide.shapes.add_textbox(*box.emu)
    else:
        shape.left, shape.top, shape.width, shape.height = box.emu
        body = shape.text_frame._txBody
        for old in body.findall(_a("p")):
            body.remove(old)
        etree.SubElement(body, _a("p"))
    if name:
        shape.name = sanitize_xml_text(name)
    tf = shape.text_frame
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    body_pr = tf._txBody.bodyPr
    for attr, pt in (
        ("lIns", frame.inset_left),
        ("rIns", frame.inset_right),
        ("tIns", frame.inset_top),
        ("bIns", frame.inset_bottom),
    ):
        body_pr.set(attr, str(int(Pt(pt))))
    tf.vertical_anchor = _ANCHOR[anchor]

    if styles is not None:
        _write_styled(tf, paras, styles, font, align)
        return shape
    line = _spacing_points(line_height(size, line_spacing))
    for i, para in enumerate(paras or [Para("")]):
        p = tf.paragraphs[0]._p if i == 0 else tf.add_paragraph()._p
        bulleted = bullets and not para.continued
        ppr = etree.SubElement(p, _a("pPr"), {
            "algn": _ALIGN[align].xml_value,
            "eaLnBrk": "1",  # CJK line-break rules (kinsoku) on
            "latinLnBrk": "0",  # never break inside Latin words
            "hangingPunct": "0",  # no punctuation hanging past the box edge
            "marL": str(int(Pt(frame.left_margin(size, para.level, bullets)))),
            "indent": str(-int(Pt(frame.bullet_indent_em * size))) if bulleted else "0",
        })
        _append_spacing(ppr, line, _spacing_points(frame.space_before(size) if i else 0))
        if bulleted:
            _append_bullet(ppr, bullet_char, bullet_colour or colour)
        else:
            etree.SubElement(ppr, _a("buNone"))
        for j, piece in enumerate(para.text.split("\n")):
            if j:
                _add_break(p, font, size, para.text)
            if piece:
                _add_run(p, piece, font, size, colour, bold)
        _append_rpr(p, "endParaRPr", font, size, None, None, para.text)
    return shape


def _write_styled(tf, paras: Sequence[Para], styles: Sequence[ParaStyle], font: FontSpec,
                  align: str) -> None:
    """Paragraphs each with its own :class:`ParaStyle` (a list of headlines and facts in
    one body placeholder)."""
    for i, (para, st) in enumerate(zip(paras, styles)):
        p = tf.paragraphs[0]._p if i == 0 else tf.add_paragraph()._p
        f = font.with_bold(st.bold)
        ppr = etree.SubElement(p, _a("pPr"), {
            "marL": str(int(Pt(st.indent))),
            "indent": str(-int(Pt(st.hang))) if st.marker != "none" else "0",
            "algn": _ALIGN[align].xml_value,
            "eaLnBrk": "1",
            "latinLnBrk": "0",
            "hangingPunct": "0",
        })
        _append_spacing(ppr, _spacing_points(line_height(st.size, st.spacing)),
                        _spacing_points(st.space_before if i else 0))
        if st.marker == "bullet":
            _append_bullet(ppr, "■", st.marker_colour or st.colour)
        elif st.marker == "number":
            clr = etree.SubElement(ppr, _a("buClr"))
            etree.SubElement(clr, _a("srgbClr"), val=_hex(st.marker_colour or st.colour))
            etree.SubElement(ppr, _a("buSzPct"), val="100000")
            etree.SubElement(ppr, _a("buFont"), typeface=font.latin)
            etree.SubElement(ppr, _a("buAutoNum"), type="arabicPeriod", startAt=str(st.number))
        else:
            etree.SubElement(ppr, _a("buNone"))
        for j, piece in enumerate(para.text.split("\n")):
            if j:
                _add_break(p, f, st.size, para.text)
            if piece:
                _add_run(p, piece, f, st.size, st.colour, st.bold)
        _append_rpr(p, "endParaRPr", f, st.size, None, None, para.text)


def _spacing_points(pt: float) -> str:
    """An ``a:spcPts`` value (centipoints) as python-pptx writes ``Pt(pt)``."""
    return ST_TextSpacingPoint.to_xml(Pt(pt))


def _append_spacing(ppr, line: str, before: str) -> None:
    """Exact line spacing, space before and no space after (``a:spcPts`` values),
    appended to a new a:pPr in schema order (lnSpc, spcBef, spcAft, then the bullet)."""
    for tag, value in (("lnSpc", line), ("spcBef", before), ("spcAft", _spacing_points(0))):
        etree.SubElement(etree.SubElement(ppr, _a(tag)), _a("spcPts"), val=value)


def _append_bullet(ppr, char: str, colour: str) -> None:
    """The bullet ``char`` in ``colour`` at 80 % of the text size, appended to a new a:pPr."""
    clr = etree.SubElement(ppr, _a("buClr"))  # schema order: buClr, buSz*, buFont, buChar
    etree.SubElement(clr, _a("srgbClr"), val=_hex(colour or "#000000"))
    etree.SubElement(ppr, _a("buSzPct"), val="80000")
    etree.SubElement(ppr, _a("buFont"), typeface="Arial")
    etree.SubElement(ppr, _a("buChar"), char=char)


# -------------------------------------------------------------------------- notes


def add_notes(slide, text: str, theme: DeckTheme | None = None) -> None:
    """Speaker notes (replacing any); one paragraph per line, fonts with ``a:ea``."""
    theme = theme or _theme_of(slide)
    font = theme.font()
    tf = _notes_slide(slide).notes_text_frame
    tf.clear()
    for i, line in enumerate(sanitize_xml_text(text).split("\n")):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        if line:
            _add_run(p._p, line, font, None, None, None)


# ------------------------------------------------------------------------- footer


def add_footer(slide, text: str, slide_number: int | None, theme: DeckTheme | None = None):
    """Footer line at the bottom margin: ``text`` left, the slide number right."""
    theme = theme or _theme_of(slide)
    font = theme.font()
    size = theme.footer_size
    h = line_height(size, 1.2) + DEFAULT_FRAME.inset_top + DEFAULT_FRAME.inset_bottom
    y = SLIDE_H_PT - theme.footer_height + (theme.footer_height - h) / 2 - 4
    num_w = 60.0
    shapes = []
    if text:
        shapes.append(
            add_text(
                slide,
                Box(theme.margin, y, SLIDE_W_PT - 2 * theme.margin - num_w, h),
                [text],
                font,
                size,
                theme.muted_colour,
                line_spacing=1.2,
                name="Footer",
            )
        )
    if slide_number is not None:
        shapes.append(
            add_text(
                slide,
                Box(SLIDE_W_PT - theme.margin - num_w, y, num_w, h),
                [str(int(slide_number))],
                font,
                size,
                theme.muted_colour,
                align="right",
                line_spacing=1.2,
                name="Slide Number",
            )
        )
    return shapes


# ------------------------------------------------------------------------- charts

_KINDS = {
    "bar": XL_CHART_TYPE.BAR_CLUSTERED,
    "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
    "line": XL_CHART_TYPE.LINE_MARKERS,
    "pie": XL_CHART_TYPE.PIE,
}


def add_native_chart(
    slide,
    box: Box,
    kind: Literal["bar", "column", "line", "pie"],
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    number_format: str = "General",
    title: str | None = None,
    font: FontSpec | None = None,
    *,
    size: float = 14,
    colour: str | None = None,
    palette: Sequence[str] | None = None,
    data_labels: bool = True,
    legend: bool | None = None,
    label_format: str | None = None,
    value_axis_title: str | None = None,
    alt_text: str | None = None,
    point_labels: dict[tuple[int, int], str] | None = None,
):
    """A native (editable) chart with its data embedded as an .xlsx, Chinese labels
    set with ``a:ea`` fonts on every text element.  Returns the chart.

    ``number_format`` is the value axis's (and the data's); ``label_format`` the data
    labels' (default the same); ``value_axis_title`` is set once along the value axis
    (the unit, rather than on every tick); ``alt_text`` is the chart's description for
    screen readers (``cNvPr/@descr``); ``point_labels`` maps (series, point) to the text
    of that value's own data label (a value with a qualifier: "20%以上")."""
    if kind not in _KINDS:
        raise ValueError(f"chart kind must be one of {sorted(_KINDS)}, got {kind!r}")
    if not categories or not series:
        raise ValueError("a chart needs at least one category and one series")
    if kind == "pie" and len(series) != 1:
        raise ValueError("a pie chart takes exactly one series")
    cats = [sanitize_xml_text(c) for c in categories]
    theme = _theme_of(slide)
    font = font or theme.font()
    colour = colour or theme.text_colour
    palette = list(palette or theme.chart_palette)

    # python-pptx pastes a chart data's number format into its XML as a string; the data
    # carries "General" and the real format (which holds the chart's unit, content) is set
    # afterwards through lxml, which escapes it.
    data = CategoryChartData(number_format="General")
    data.categories = cats
    for name, values in series:
        values = list(values)
        if len(values) != len(cats):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(cats)} categories")
        for v in values:
            if v is not None and not isinstance(v, (int, float)):
                raise TypeError(f"series {name!r}: value {v!r} is not a number")
        data.add_series(sanitize_xml_text(name), values, "General")

    number_format = sanitize_xml_text(number_format)
    gframe = slide.shapes.add_chart(_KINDS[kind], *box.emu, data)
    if alt_text:
        gframe._element.nvGraphicFramePr.cNvPr.set("descr", sanitize_xml_text(alt_text))
    chart = gframe.chart
    for code in chart._chartSpace.xpath(".//c:val/c:numRef/c:numCache/c:formatCode"):
        code.text = number_format
    label_format = label_format or number_format

    _style_rpr(chart.font._rPr, font, size, colour, False, "中")

    if title:
        chart.has_title = True
        tf = chart.chart_title.text_frame
        tf.clear()
        para = tf.paragraphs[0]
        _style_rpr(para.font._rPr, font, size + 2, colour, True, "中")
        _add_run(para._p, sanitize_xml_text(title), font, size + 2, colour, True)
    else:
        chart.has_title = False

    show_legend = (len(series) > 1 or kind == "pie") if legend is None else legend
    chart.has_legend = show_legend
    if show_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        _style_rpr(chart.legend.font._rPr, font, size, colour, None, "中")

    plot = chart.plots[0]
    if kind != "pie":
        for axis in (chart.category_axis, chart.value_axis):
            _style_rpr(axis.tick_labels.font._rPr, font, size, colour, None, "中")
        chart.value_axis.tick_labels.number_format = number_format
        chart.value_axis.tick_labels.number_format_is_linked = False
        chart.value_axis.has_major_gridlines = True
        chart.value_axis.major_gridlines.format.line.color.rgb = _rgb("#D9D9D9")
        if value_axis_title:
            axis_title = chart.value_axis.axis_title
            tf = axis_title.text_frame
            tf.clear()
            para = tf.paragraphs[0]
            _style_rpr(para.font._rPr, font, size, colour, False, "中")
            _add_run(para._p, sanitize_xml_text(value_axis_title), font, size, colour, False)
        if kind in ("bar", "column"):
            plot.gap_width = 60
            if kind == "bar":  # first category on top, as people read; values stay below
                chart.category_axis.reverse_order = True
                # c:crosses in valAx = where the value axis crosses the category axis
                crosses = chart.value_axis._element.find(qn("c:crosses"))
                if crosses is not None:
                    crosses.set("val", "max")
    if data_labels:
        plot.has_data_labels = True
        dl = plot.data_labels
        dl.number_format = label_format
        dl.number_format_is_linked = False
        _style_rpr(dl.font._rPr, font, size - 2, colour, None, "中")
        if kind == "pie" or kind in ("bar", "column"):
            dl.position = XL_LABEL_POSITION.OUTSIDE_END
        else:
            dl.position = XL_LABEL_POSITION.ABOVE
        for si in sorted({si for si, _pi in (point_labels or {})}):
            # a series with labels of its own gets series-level label settings, which
            # replace the plot's: repeat them there, or its other values lose their labels
            own = plot.series[si].data_labels
            own.show_value = True
            own.number_format = label_format
            own.number_format_is_linked = False
            own.position = dl.position
            _style_rpr(own.font._rPr, font, size - 2, colour, None, "中")
        for (si, pi), text in sorted((point_labels or {}).items()):
            label = plot.series[si].points[pi].data_label
            tf = label.text_frame
            para = tf.paragraphs[0]
            _add_run(para._p, sanitize_xml_text(text), font, size - 2, colour, None)
            label.position = dl.position

    if kind == "pie":
        for i, point in enumerate(plot.series[0].points):
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = _rgb(palette[i % len(palette)])
    else:
        for i, s in enumerate(plot.series):
            c = _rgb(palette[i % len(palette)])
            if kind == "line":
                s.format.line.color.rgb = c
                s.format.line.width = Pt(2.25)
                s.smooth = False
                s.marker.format.fill.solid()
                s.marker.format.fill.fore_color.rgb = c
            else:
                s.format.fill.solid()
                s.format.fill.fore_color.rgb = c
    return chart


# --------------------------------------------------------------------------- save


def save_atomic(prs, path: str | os.PathLike) -> Path:
    """Save ``prs`` to ``path`` through :func:`huoye.output.write_atomic` (temp file, fsync,
    rename): a reader never sees a half-written deck, a failed save leaves the old one."""
    from io import BytesIO

    from huoye.output import write_atomic

    buffer = BytesIO()
    prs.save(buffer)
    target = Path(path)
    write_atomic(target, buffer.getvalue())
    return target


def add_band(slide, box: Box, colour: str, name: str = "Band"):
    """A filled rectangle without outline, shadow or text (a bar or a rule)."""
    rgb = RGBColor.from_string(colour.lstrip("#").upper())
    shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, *box.emu)
    shape.name = name
    # a new shape's spPr holds its position and geometry; add, in schema order:
    sp_pr = shape._element.spPr
    fill = etree.SubElement(sp_pr, _a("solidFill"))  # the colour
    etree.SubElement(fill, _a("srgbClr"), val=str(rgb))
    etree.SubElement(etree.SubElement(sp_pr, _a("ln")), _a("noFill"))  # no outline
    etree.SubElement(sp_pr, _a("effectLst"))  # no shadow
    style = shape._element.find(qn("p:style"))  # theme effects: LibreOffice draws a shadow
    if style is not None:
        shape._element.remove(style)
    return shape


def labels_clear_of_bars(chart) -> None:
    """Category labels at the low end of the value axis, so a negative bar does not
    run over its own label (PowerPoint's default puts them next to the zero line)."""
    values = [v for plot in chart.plots for s in plot.series for v in s.values if v is not None]
    if values and min(values) < 0 and chart.chart_type is not None:
        try:
            axis = chart.category_axis
        except ValueError:  # a pie has no category axis
            return
        axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW


def slide_text(slide) -> str:
    """The text of every run and field on ``slide`` itself (bullets are drawn in the Latin
    face; charts draw their own parts' text, which is the issue's data)."""
    return "".join(slide._element.xpath(".//a:t/text()"))
# -------------------------------------------------------------------------- tables

#: cell margins of native tables (pt): left/right, top/bottom
CELL_MARGIN_X = 7.2
CELL_MARGIN_Y = 3.6


def add_table(
    slide,
    box: Box,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    heights: Sequence[float],
    font: FontSpec,
    size: float,
    *,
    ink: str,
    header_ink: str = "#FFFFFF",
    align: Sequence[str] = (),
    line_spacing: float = 1.2,
    name: str = "Table",
    alt_text: str | None = None,
):
    """A native PowerPoint table at ``box``: a header row (bold, in ``header_ink`` on the
    theme's accent-1 fill: the brand colour) and ``rows``, with column ``widths`` and row
    ``heights`` in pt (header first) as measured by the caller; cell text at ``size``
    with exact line spacing, each column aligned as in ``align``.  Returns the shape."""
    n_rows, n_cols = len(rows) + 1, len(header)
    shape = slide.shapes.add_table(n_rows, n_cols, *box.emu)
    shape.name = sanitize_xml_text(name)
    if alt_text:
        shape._element.nvGraphicFramePr.cNvPr.set("descr", sanitize_xml_text(alt_text))
    table = shape.table
    table.first_row = True
    table.horz_banding = True
    for c, w in enumerate(widths):
        table.columns[c].width = Pt(w)
    for r, h in enumerate(heights):
        table.rows[r].height = Pt(h)
    line = _spacing_points(line_height(size, line_spacing))
    for r, cells in enumerate([list(header), *map(list, rows)]):
        bold, colour = (True, header_ink) if r == 0 else (False, ink)
        f = font.with_bold(bold)
        for c in range(n_cols):
            cell = table.cell(r, c)
            cell.margin_left = cell.margin_right = Pt(CELL_MARGIN_X)
            cell.margin_top = cell.margin_bottom = Pt(CELL_MARGIN_Y)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            text = sanitize_xml_text(cells[c] if c < len(cells) else "")
            tx = cell._tc.get_or_add_txBody()
            for old in tx.findall(_a("p")):
                tx.remove(old)
            p = etree.SubElement(tx, _a("p"))
            how = (align[c] if c < len(align) else "") or "left"
            ppr = etree.SubElement(p, _a("pPr"), {
                "algn": _ALIGN[how if r else ("center" if how == "center" else how)].xml_value,
                "eaLnBrk": "1", "latinLnBrk": "0", "hangingPunct": "0",
            })
            _append_spacing(ppr, line, _spacing_points(0))
            etree.SubElement(ppr, _a("buNone"))
            if text:
                _add_run(p, text, f, size, colour, bold)
            _append_rpr(p, "endParaRPr", f, size, None, None, text)
    return shape
