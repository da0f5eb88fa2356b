"""render step: PowerPoint — the deck's package: properties, thumbnail, schema fixes, bytes.

drawn presentation ──:func:`finish_package`──▶ properties, thumbnail, app.xml ──:func:`save`──▶ bytes

What a file manager, PowerPoint's File › Info and a validator see of the deck, beyond
its slides: title, subject, authors and keywords; created and modified on the issue
date; "Widescreen" in the extended properties and the slide size; a thumbnail drawn
here with Pillow (brand colour and title) instead of python-pptx's blank 4:3 one; no
leftovers of python-pptx's template (its author, dates, printer settings).

Reproducible bytes: the same inputs give a byte-identical .pptx.  Zip entries are
dated ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention) or else the issue
date, and stored in python-pptx's fixed part order; each chart's embedded workbook is
rewritten the same way (XlsxWriter stamps it with the wall clock).

Part of the thin python-pptx layer (see :mod:`.pptxkit`): content logic never calls it
directly, only :func:`huoye.render.deck.render`.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from lxml import etree
from pptx.opc.constants import RELATIONSHIP_TYPE as RT

__all__ = ["Properties", "build_time", "finish_package", "save"]

_EP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
#: the earliest time a zip entry can carry
_ZIP_EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)
THUMBNAIL_SIZE = (256, 144)  # 16:9, as PowerPoint's own


@dataclass(frozen=True)
class Properties:
    """The document properties of a deck."""

    title: str
    subject: str
    authors: tuple[str, ...]
    keywords: tuple[str, ...]
    when: dt.datetime  # created and modified
    brand: str  # "#RRGGBB", for the thumbnail
    thumbnail_font: Path | None = None  # a CJK face to draw the thumbnail's title with
    thumbnail_font_index: int = 0
    language: str = "zh-CN"


def build_time(issue_date: dt.date) -> dt.datetime:
    """The time the deck's zip entries carry: ``SOURCE_DATE_EPOCH`` when set (seconds
    since 1970, UTC), else midnight UTC of the issue date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        when = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    else:
        when = dt.datetime(issue_date.year, issue_date.month, issue_date.day, tzinfo=dt.UTC)
    return max(when, _ZIP_EPOCH)


# ---------------------------------------------------------------------- properties


def finish_package(prs, props: Properties, slide_titles: list[str]) -> None:
    """Properties, extended properties, slide size, thumbnail and chart fixes of ``prs``."""
    _core(prs, props)
    _app(prs, slide_titles)
    _widescreen(prs)
    _drop_printer_settings(prs)
    _thumbnail(prs, props, slide_titles[0] if slide_titles else props.title)
    for part in _chart_parts(prs):
        _positive_axis_ids(part)


def _core(prs, props: Properties) -> None:
    core = prs.core_properties
    core.title = props.title
    core.subject = props.subject
    core.author = "；".join(props.authors)
    core.keywords = "；".join(props.keywords)
    core.last_modified_by = props.authors[0] if props.authors else ""
    core.comments = ""
    core.category = ""
    core.revision = 1
    core.language = props.language
    when = props.when.astimezone(dt.UTC).replace(tzinfo=None)
    core.created = when
    core.modified = when
    core.last_printed = when
    # python-pptx cannot remove an element, only empty it: lastPrinted and description go
    root = core._element
    for tag in ("lastPrinted", "description"):
        for el in root:
            if etree.QName(el).localname == tag:
                root.remove(el)


def _app(prs, slide_titles: list[str]) -> None:
    """docProps/app.xml written afresh: huoye, Widescreen, the counts and the slide titles."""
    part = prs.part.package.part_related_by(RT.EXTENDED_PROPERTIES)
    slides = len(prs.slides)
    notes = sum(1 for s in prs.slides if s.has_notes_slide)
    theme_names = [m.name or "Office Theme" for m in prs.slide_masters]
    root = etree.Element(f"{{{_EP}}}Properties", nsmap={None: _EP, "vt": _VT})

    def add(tag: str, text: str) -> None:
        etree.SubElement(root, f"{{{_EP}}}{tag}").text = text

    add("TotalTime", "0")
    add("Application", "huoye")
    add("PresentationFormat", "Widescreen")
    add("Slides", str(slides))
    add("Notes", str(notes))
    add("HiddenSlides", "0")
    pairs = etree.SubElement(etree.SubElement(root, f"{{{_EP}}}HeadingPairs"), f"{{{_VT}}}vector",
                             size="4", baseType="variant")
    for name, count in (("Theme", len(theme_names)), ("Slide Titles", len(slide_titles))):
        etree.SubElement(etree.SubElement(pairs, f"{{{_VT}}}variant"), f"{{{_VT}}}lpstr").text = name
        etree.SubElement(etree.SubElement(pairs, f"{{{_VT}}}variant"), f"{{{_VT}}}i4").text = str(count)
    parts = etree.SubElement(etree.SubElement(root, f"{{{_EP}}}TitlesOfParts"), f"{{{_VT}}}vector",
                             size=str(len(theme_names) + len(slide_titles)), baseType="lpstr")
    for title in theme_names + slide_titles:
        etree.SubElement(parts, f"{{{_VT}}}lpstr").text = title
    add("LinksUpToDate", "false")
    add("SharedDoc", "false")
    add("HyperlinksChanged", "false")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _widescreen(prs) -> None:
    """``p:sldSz`` without python-pptx's ``type="screen4x3"``: PowerPoint's Widescreen."""
    sld_sz = prs.part._element.sldSz
    if sld_sz is not None:
        sld_sz.attrib.pop("type", None)


def _drop_printer_settings(prs) -> None:
    """The stock template's binary printer settings (a Mac printer of 2013)."""
    for rid, rel in list(prs.part.rels.items()):
        if rel.reltype.endswith("/printerSettings"):
            prs.part.drop_rel(rid)


def _thumbnail(prs, props: Properties, title: str) -> None:
    """A 16:9 thumbnail: a band of the brand colour, the deck's title in white."""
    from PIL import Image, ImageDraw, ImageFont

    w, h = THUMBNAIL_SIZE
    brand = tuple(int(props.brand.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    image = Image.new("RGB", (w, h), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, w, 6), fill=brand)
    draw.rectangle((0, 40, w, 104), fill=brand)
    if props.thumbnail_font is not None:
        font = ImageFont.truetype(str(props.thumbnail_font), 24, index=props.thumbnail_font_index)
        text = title
        while text and draw.textlength(text, font=font) > w - 24:
            text = text[:-1]
        draw.text((12, 72), text, fill=(255, 255, 255), font=font, anchor="lm")
    out = BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=False, progressive=False)
    try:
        part = prs.part.package.part_related_by(RT.THUMBNAIL)
    except KeyError:
        return
    part._blob = out.getvalue()


# ---------------------------------------------------------------------------- charts


def _chart_parts(prs):
    seen = set()
    for slide in prs.slides:
        for rel in slide.part.rels.values():
            if rel.reltype == RT.CHART and id(rel.target_part) not in seen:
                seen.add(id(rel.target_part))
                yield rel.target_part


def _positive_axis_ids(chart_part) -> None:
    """python-pptx's chart XML names its axes with negative ids, which the schema
    (``ST_UnsignedInt``) forbids; renumber them 1, 2, … keeping every reference."""
    root = chart_part._element
    ids: dict[str, str] = {}
    for el in root.iter(f"{{{_C}}}axId"):
        ids.setdefault(el.get("val"), str(len(ids) + 1))
    for el in root.iter(f"{{{_C}}}axId", f"{{{_C}}}crossAx"):
        if el.get("val") in ids:
            el.set("val", ids[el.get("val")])


# ------------------------------------------------------------------------------ bytes


def save(prs, when: dt.datetime) -> bytes:
    """The deck's bytes, the same for the same inputs: every zip entry (and every entry
    of each embedded workbook) dated ``when``, workbooks' properties dated ``when``."""
    for part in _chart_parts(prs):
        workbook = part.chart_workbook.xlsx_part
        if workbook is not None:
            workbook._blob = _rezip(workbook.blob, when, _workbook_entry)
    raw = BytesIO()
    prs.save(raw)
    return _rezip(raw.getvalue(), when)


_W3CDTF = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _workbook_entry(name: str, data: bytes, when: dt.datetime) -> bytes:
    """docProps/core.xml of an embedded workbook, its dates set to ``when``."""
    if name == "docProps/core.xml":
        stamp = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
        data = _W3CDTF.sub(lambda m: m.group(1) + stamp + m.group(2), data)
    return data


def _rezip(data: bytes, when: dt.datetime, edit=None) -> bytes:
    """``data`` (a zip) written again in the same entry order, every entry dated ``when``
    with fixed attributes and compression."""
    stamp = when.astimezone(dt.UTC).timetuple()[:6]
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if edit is not None:
                body = edit(info.filename, body, when)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            entry.create_system = 3
            dst.writestr(entry, body, compresslevel=6)
    return out.getvalue()
