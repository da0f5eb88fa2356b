"""A Word manuscript's body, mapped to the content format (docs/content.md).

Walks the document body in order (paragraphs and tables, as python-docx gives them) and
writes Markdown blocks, noting in a `Report` what each paragraph became and what could
not be mapped, with its paragraph number (the body's paragraphs counted from 1, empty
ones included, as Word's navigation counts them).

Text is taken as written. The only changes are whitespace Word uses for layout, each
counted in the report: indentation at a paragraph's start (full-width or ASCII spaces,
tabs), spaces at its end, and manual line breaks inside a paragraph (joined: without a
space between Han characters, with one between Latin words). Characters Markdown would
read as syntax are escaped with a backslash, which the reader drops again.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from docx.table import Table
from docx.text.paragraph import Paragraph

from huoye.i18n import _
from huoye.importer.numbering import Numbering

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
Q = f"{{{W}}}"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"

# typed numbering, outermost first (docs/content.md "Numbering as written")
NUMBERING = [
    ("一、", re.compile(r"^[一二三四五六七八九十]+、")),
    ("（一）", re.compile(r"^[（(][一二三四五六七八九十]+[）)]")),
    ("1.", re.compile(r"^\d{1,2}[.．、](?!\d)")),
    ("（1）", re.compile(r"^[（(]\d{1,2}[）)]")),
    ("①", re.compile(r"^[①-⑳]")),
]
SENTENCE_END = "。！？；：!?;"
HEADING_MAX = 40          # a numbered paragraph this short, without 。, is a heading
REFERENCES = ("参考文献", "参考资料", "参考书目")
FRONT_LABELS = ("内容提要：", "摘要：", "关键词：", "关键字：", "内容提要:", "摘要:", "关键词:")
BYLINE = re.compile(r"^[\u4e00-\u9fff·A-Za-z　 、，,]+[（(][^（）()]+[）)]"
                    r"([　 、]*[\u4e00-\u9fff·A-Za-z　 、，,]+[（(][^（）()]+[）)])*$")
AFFILIATION = re.compile(r"^[（(][^（）()]+[）)]$")
HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Report:
    """What the import did: one line per mapped element, one per element not mapped."""

    mapped: list[tuple[int, str]] = field(default_factory=list)      # (paragraph, what)
    unmapped: list[tuple[int, str]] = field(default_factory=list)    # (paragraph, what)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    normalised: Counter[str] = field(default_factory=Counter)
    decisions: list[str] = field(default_factory=list)               # front matter to fill
    notices: list[str] = field(default_factory=list)                 # the whole file (修订)


def level_of(text: str) -> int | None:
    """The typed numbering style `text` begins with: 0 (一、) … 4 (①), or None."""
    for k, (_label, pattern) in enumerate(NUMBERING):
        if pattern.match(text):
            return k
    return None


class Mapper:
    def __init__(self, document, footnotes: dict, endnotes: dict, report: Report):
        self.document = document
        self.notes = {"footnote": footnotes, "endnote": endnotes}
        self.report = report
        self.numbering = Numbering(document)
        self.blocks: list[str] = []
        self.images: list[tuple[str, bytes]] = []   # (file name, bytes) of the pictures kept
        self.note_texts: list[tuple[int, str]] = []   # (label, text) of the current article
        self.next_note = 1
        self.number = 0            # paragraph number in the manuscript
        self.seen_text = False
        self.byline_possible = False
        self.styled_headings = False
        self.section_level: int | None = None   # typed numbering style used for sections

    # --- the walk ---------------------------------------------------------------------
    def run(self) -> str:
        body = self.document.element.body
        paragraphs = [Paragraph(el, self.document) for el in _blocks(body) if el.tag == f"{Q}p"]
        self.styled_headings = any(_style(p).startswith(("heading", "标题")) for p in paragraphs)
        if not self.styled_headings:
            self.section_level = self._typed_section_level(paragraphs)
        for el in _blocks(body):
            if el.tag == f"{Q}p":
                self.number += 1
                self.paragraph(Paragraph(el, self.document))
            elif el.tag == f"{Q}tbl":
                self.table(Table(el, self.document))
        self.flush_notes()
        return "\n\n".join(self.blocks) + "\n"

    def _typed_section_level(self, paragraphs) -> int | None:
        """Without heading styles, the outermost typed numbering written as short
        headline-only paragraphs marks the sections."""
        counting = Numbering(self.document)   # a counter of its own: labels as Word shows them
        texts = []
        for p in paragraphs:
            ref = counting.reference(p)
            label = counting.label(ref)[0] if ref is not None else None
            texts.append((label or "") + p.text.strip("　 \t"))
        levels = [level_of(t) for t in texts if level_of(t) is not None and _is_headline(t)]
        return min(levels) if levels else None

    # --- paragraphs ---------------------------------------------------------------------
    def paragraph(self, p: Paragraph) -> None:
        n = self.number
        self.unsupported(p, n)
        pictures = self.pictures(p, n)
        had_text = len(self.blocks)
        self.paragraph_text(p, n)
        if pictures and len(self.blocks) > had_text:
            self.report.warnings.append((n, _("a picture inside a paragraph of text: set as a "
                                              "figure of its own after the paragraph")))
        self.blocks.extend(pictures)

    def pictures(self, p: Paragraph, n: int) -> list[str]:
        """The paragraph's pictures (DrawingML or VML), each kept as a file of the issue
        folder (self.images) and written as an image alone in its paragraph. Its alt text
        is the picture's own description in Word, else the caption 图N … just below or
        above it."""
        out = []
        for rid, descr in _picture_refs(p._p):
            part = self.document.part.related_parts.get(rid)
            if part is None:
                self.report.unmapped.append((n, _("a picture whose image is missing from the "
                                                  "file")))
                continue
            kept = picture_file(part.blob)
            if kept is None:
                self.report.unmapped.append((n, _("picture in a format the bulletin cannot show "
                                                  "({type}): not imported; export it as PNG and "
                                                  "add ![…](file)").format(
                                                      type=part.content_type.rsplit("/", 1)[-1])))
                continue
            suffix, data, converted = kept
            name = f"image-{len(self.images) + 1}{suffix}"
            self.images.append((name, data))
            alt = descr or self.neighbour_caption(p)
            if not alt:
                alt = ALT_PLACEHOLDER
                self.report.decisions.append(_("¶{n}: what {name} shows, in a few words for "
                                               "readers who cannot see it (its alt text, "
                                               "{placeholder})").format(
                                                   n=n, name=name, placeholder=ALT_PLACEHOLDER))
            out.append(f"![{alt if alt == ALT_PLACEHOLDER else _escape(alt).replace(']', '')}]"
                       f"({name})")
            self.report.mapped.append((n, _("picture → {name}").format(name=name) + (
                _(" (converted to PNG)") if converted else "")))
        return out

    def neighbour_caption(self, p: Paragraph) -> str:
        for near in (p._p.getnext(), p._p.getprevious()):
            if near is not None and near.tag == f"{Q}p":
                text = "".join(t.text or "" for t in near.iter(f"{Q}t")).strip(" 　\t")
                if re.match(r"^图\s*\d", text):
                    return text
        return ""

    def paragraph_text(self, p: Paragraph, n: int) -> None:
        text = self.inline(p, n)
        plain = _unescape(text)
        style = _style(p)
        ref = self.numbering.reference(p)
        if ref is not None:
            label, fmt = self.numbering.label(ref)
            if label is not None and plain.strip():
                text, plain = _escape(label) + text, label + plain
                self.report.mapped.append((n, _("Word's automatic number written out as "
                                                "'{label}'").format(label=label)))
            elif label is None and fmt not in ("bullet", "none"):
                self.report.unmapped.append((n, _("Word's automatic numbering in the format "
                                                  "'{format}' is not read: the number is missing; "
                                                  "type it at the paragraph's start").format(
                                                      format=fmt)))
        if not plain.strip():
            return
        if style in ("title", "标题") or (not self.seen_text and self._looks_like_title(p, plain)):
            self.flush_notes()
            self.blocks.append("# " + text)
            self.report.mapped.append((n, _("article title")))
            self.seen_text, self.byline_possible = True, True
            return
        self.seen_text = True
        if self.byline_possible:
            self.byline_possible = False
            if BYLINE.match(plain):
                self.blocks.append(text)
                self.report.mapped.append((n, _("byline (authors and affiliations)")))
                return
            if self._is_names(plain):
                self.blocks.append(text)
                self.report.mapped.append((n, _("byline (authors)")))
                return
        if AFFILIATION.match(plain) and self.blocks and self.report.mapped and \
                self.report.mapped[-1][1] == _("byline (authors)"):
            self.blocks[-1] += text
            self.report.normalised[_("affiliation line joined to the byline")] += 1
            self.report.mapped.append((n, _("affiliation, joined to the byline")))
            return
        if plain.startswith(FRONT_LABELS):
            self.blocks.append(text)
            self.report.mapped.append((n, _("abstract or keywords ({label})").format(
                label=plain.split("：")[0].split(":")[0])))
            return
        if plain.strip() in REFERENCES:
            self.blocks.append("## " + text)
            self.report.mapped.append((n, _("references section")))
            return
        if style.startswith(("heading", "标题")):
            depth = _heading_depth(style)
            mark = "##" if depth <= 1 else "###"
            self.blocks.append(f"{mark} {text}{_recommendations(plain) if mark == '##' else ''}")
            self.report.mapped.append((n, _("heading by Word style '{style}' → {mark}").format(
                style=p.style.name, mark=mark)))
            return
        level = level_of(plain)
        if level is not None and _is_headline(plain) and not self.styled_headings:
            mark = "##" if level == self.section_level else "###"
            self.blocks.append(f"{mark} {text}{_recommendations(plain) if mark == '##' else ''}")
            self.report.mapped.append((n, _("heading by typed numbering '{label}' → {mark}").format(
                label=NUMBERING[level][0], mark=mark)))
            return
        if style in ("quote", "intense quote", "引用", "明显引用"):
            self.blocks.append("> " + text)
            self.report.mapped.append((n, _("quotation")))
            return
        if style.startswith("list bullet"):
            self.blocks.append("- " + text)
            self.report.mapped.append((n, _("bulleted list item")))
            return
        if level is not None:
            self.report.mapped.append((n, _("numbered point in the style '{label}'").format(
                label=NUMBERING[level][0])))
        self.blocks.append(text)

    def _looks_like_title(self, p: Paragraph, plain: str) -> bool:
        centred = p.alignment is not None and int(p.alignment) == 1
        return (centred or _all_bold(p)) and _is_headline(plain) and level_of(plain) is None

    @staticmethod
    def _is_names(plain: str) -> bool:
        parts = [x for x in re.split(r"[　 、，,]+", plain) if x]
        return bool(parts) and len(parts) <= 8 and all(2 <= len(x) <= 4 and HAN.match(x)
                                                       for x in parts)

    def unsupported(self, p: Paragraph, n: int) -> None:
        """Report what the paragraph holds that has no place in the format, with the text
        it would lose (a text box's, a comment's) so that nothing vanishes unseen."""
        el = p._p
        for box in _text_boxes(el):
            text = "".join(t.text or "" for t in box.iter(f"{Q}t")).strip()
            self.report.unmapped.append((n, _("text box: its text is not imported; move it into "
                                              "the text if it belongs there: '{text}'").format(
                                                  text=_excerpt(text))))
        if el.find(f".//{C}chart") is not None:
            self.report.unmapped.append((n, _("chart embedded as an Office object: not imported; "
                                              "give its data as a 'charts' entry of the front "
                                              "matter")))
        if el.find(f".//{Q}object") is not None:
            self.report.unmapped.append((n, _("embedded Office object (OLE): not imported")))
        for drawing in el.iter(f"{Q}drawing", f"{Q}pict"):
            if any(a.tag in (f"{MC}Fallback", f"{Q}txbxContent", f"{Q}object")
                   for a in drawing.iterancestors()):
                continue
            if not any(True for _x in drawing.iter(f"{A}blip", f"{V}imagedata", f"{C}chart",
                                                   f"{Q}txbxContent")):
                self.report.unmapped.append((n, _("a drawing (shape, SmartArt or WordArt): not "
                                                  "imported; if it says something, write it "
                                                  "in the text")))
        for ref in el.iter(f"{Q}commentReference"):
            self.report.unmapped.append((n, _("comment, not put into the text (comments are "
                                              "for the author): '{text}'").format(
                                                  text=_excerpt(self.comment_text(ref)))))

    def comment_text(self, ref) -> str:
        try:
            comment = self.document.comments.get(int(ref.get(f"{Q}id")))
        except (KeyError, ValueError, TypeError, AttributeError):
            return ""
        return comment.text if comment is not None else ""

    # --- runs -----------------------------------------------------------------------------
    def inline(self, p: Paragraph, n: int) -> str:
        """The paragraph's text as Markdown: a bold run-in headline as **…**, footnote
        marks as [^n], layout whitespace normalised."""
        pieces: list[tuple[str, bool]] = []   # (text, bold)
        for item in p.iter_inner_content():
            runs = item.runs if hasattr(item, "runs") and not hasattr(item, "bold") else [item]
            for r in runs:
                pieces.append((r.text, bool(r.bold)))
                for ref in r._r.iterchildren(f"{Q}footnoteReference", f"{Q}endnoteReference"):
                    pieces.append((self.note_mark(ref, n), False))
        got = "".join(t for t, _b in pieces)
        every = "".join(t.text or "" for t in p._p.xpath(".//w:t[not(ancestor::w:txbxContent)]"))
        if _han(got) != _han(every):
            # text in places python-docx does not walk (fields, smart tags): keep it all
            self.report.warnings.append((n, _("text inside fields or smart tags taken as plain "
                                              "text (bold lost)")))
            pieces = [(every, False)]
        # leading bold run-in headline
        joined = ""
        k = 0
        while k < len(pieces) and (pieces[k][1] or not pieces[k][0].strip()):
            k += 1
        bold_head = "".join(t for t, _b in pieces[:k])
        rest = "".join(t for t, _b in pieces[k:])
        if not bold_head.strip():
            bold_head, rest = "", bold_head + rest
        head = self.normalise(bold_head, n, start=True)
        rest = self.normalise(rest, n, start=not head)
        if head.strip() and rest.strip():
            label = ""
            level = level_of(head)
            if level is not None:
                m = NUMBERING[level][1].match(head)
                label, head = head[:m.end()], head[m.end():]
            joined = _escape(label) + "**" + _escape(head) + "**" + _escape(rest)
            self.report.mapped.append((n, _("bold run-in headline")))
        else:
            joined = _escape(head + rest)
        return _restore_marks(joined.rstrip(" 　\t"))

    def normalise(self, text: str, n: int, start: bool) -> str:
        if start:
            stripped = text.lstrip(" 　\t")
            if stripped != text:
                self.report.normalised[_("indentation at a paragraph's start removed")] += 1
            text = stripped
        if "\n" in text:
            self.report.normalised[_("manual line break inside a paragraph joined")] += text.count("\n")
            text = re.sub(r"(?<=[A-Za-z0-9,.;:])\n(?=[A-Za-z0-9])", " ", text).replace("\n", "")
        if "\t" in text:
            self.report.normalised[_("tab inside a paragraph made a space")] += text.count("\t")
            text = text.replace("\t", " ")
        return text

    def note_mark(self, ref, n: int) -> str:
        kind = "footnote" if ref.tag.endswith("footnoteReference") else "endnote"
        note = self.notes[kind].get(str(ref.get(f"{Q}id")))
        if note is None:
            self.report.unmapped.append((n, _("a note mark whose text is missing from the file")))
            return ""
        label = self.next_note
        self.next_note += 1
        text = "".join(t.text or "" for t in note.iter(f"{Q}t"))
        stripped = text.strip(" 　\t")   # Word puts a space after the note's own number
        if stripped != text:
            self.report.normalised[_("spaces at a note's start or end removed")] += 1
        text = stripped
        self.note_texts.append((label, _escape(text)))
        self.report.mapped.append((n, _("{kind} {label}").format(
            kind=_("footnote") if kind == "footnote" else _("endnote (set as a footnote)"),
            label=label)))
        return f"\x00{label}\x00"

    def flush_notes(self) -> None:
        if self.note_texts:
            self.blocks.append("\n".join(f"[^{k}]: {t}" for k, t in self.note_texts))
            self.note_texts = []

    # --- tables -----------------------------------------------------------------------
    def table(self, t: Table) -> None:
        n = self.number
        rows: list[list[str]] = []
        merged = False
        for row in t.rows:
            cells, seen = [], set()
            for cell in row.cells:
                vmerge = cell._tc.tcPr is not None and cell._tc.tcPr.find(f"{Q}vMerge") is not None
                if id(cell._tc) in seen or (vmerge and cell._tc.tcPr.find(f"{Q}vMerge").get(
                        f"{Q}val") in (None, "continue") and rows):
                    merged = True
                    cells.append("")
                    continue
                seen.add(id(cell._tc))
                for par in cell.paragraphs:
                    self.unsupported(par, n)
                    if _picture_refs(par._p):
                        self.report.unmapped.append((n, _("a picture inside a table cell: not "
                                                          "imported; tables hold text only")))
                text = "".join(_unescape(self.inline(par, n)) for par in cell.paragraphs)
                cells.append(_escape(text).replace("|", "\\|"))
            rows.append(cells)
        if not rows:
            return
        width = max(len(r) for r in rows)
        rows = [r + [""] * (width - len(r)) for r in rows]
        numeric = [all(re.fullmatch(r"-?[\d,.]+%?", c.strip()) for c in col[1:] if c.strip())
                   and any(c.strip() for c in col[1:]) for col in zip(*rows)]
        lines = ["| " + " | ".join(c or " " for c in rows[0]) + " |",
                 "| " + " | ".join("---:" if num else ":---" for num in numeric) + " |"]
        lines += ["| " + " | ".join(c or " " for c in r) + " |" for r in rows[1:]]
        self.blocks.append("\n".join(lines))
        self.report.mapped.append((n, _("table of {rows} rows and {cols} columns, after this "
                                        "paragraph").format(rows=len(rows), cols=width)))
        if merged:
            self.report.warnings.append((n, _("table with merged cells: flattened, the text in "
                                              "the first cell and the others left empty; check it")))


def _blocks(parent):
    """The body's paragraphs and tables in order, those inside content controls (w:sdt:
    a table of contents, a building block) included."""
    for el in parent.iterchildren():
        if el.tag in (f"{Q}p", f"{Q}tbl"):
            yield el
        elif el.tag == f"{Q}sdt":
            content = el.find(f"{Q}sdtContent")
            if content is not None:
                yield from _blocks(content)


A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
V = "{urn:schemas-microsoft-com:vml}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
KEPT_IMAGES = {b"\x89PNG\r\n\x1a\n": ".png", b"\xff\xd8\xff": ".jpg", b"GIF87a": ".gif",
               b"GIF89a": ".gif"}
ALT_PLACEHOLDER = "【待填：图片说明】"   # huoye check reports it at its line
MAX_PIXELS = 40_000_000   # as the loader allows (huoye.load.media)


def _picture_refs(el) -> list[tuple[str, str]]:
    """(relationship id, description) of each picture of paragraph `el`, in order: the
    DrawingML a:blip, or the VML v:imagedata of an older file; never the VML copy Word
    writes as a fallback (mc:Fallback), nor what sits in a text box."""
    out = []
    for node in el.iter(f"{A}blip", f"{V}imagedata"):
        if any(a.tag in (f"{MC}Fallback", f"{Q}txbxContent") for a in node.iterancestors()):
            continue
        rid = node.get(f"{R}embed") if node.tag == f"{A}blip" else node.get(f"{R}id")
        if not rid:
            continue
        descr = ""
        for a in node.iterancestors():
            if a.tag in (f"{WP}inline", f"{WP}anchor"):
                doc_pr = a.find(f"{WP}docPr")
                if doc_pr is not None:
                    descr = (doc_pr.get("descr") or doc_pr.get("title") or "").strip()
                break
            if a.tag == f"{V}shape":
                descr = (a.get("alt") or "").strip()
                break
        out.append((rid, descr))
    return out


def picture_file(blob: bytes) -> tuple[str, bytes, bool] | None:
    """(suffix, bytes, converted) of a picture the bulletin can show: PNG, JPEG and GIF as
    they are, BMP and TIFF converted to PNG by Pillow; None for any other (EMF, WMF …)."""
    import io
    import warnings

    for magic, suffix in KEPT_IMAGES.items():
        if blob.startswith(magic):
            return suffix, blob, False
    if not blob.startswith((b"BM", b"II*\x00", b"MM\x00*")):
        return None
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(blob)) as img:
                if img.size[0] * img.size[1] > MAX_PIXELS:
                    return None
                out = io.BytesIO()
                img.save(out, "PNG")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    return ".png", out.getvalue(), True


def _text_boxes(el) -> list:
    """The text boxes (w:txbxContent) anchored in paragraph `el`, once each: Word writes a
    DrawingML box (wps:txbx, in mc:Choice) and its VML copy (mc:Fallback) side by side."""
    return [box for box in el.iter(f"{Q}txbxContent")
            if not any(a.tag == f"{MC}Fallback" for a in box.iterancestors())
            and not any(a.tag == f"{Q}txbxContent" for a in box.iterancestors())]


def _excerpt(text: str, most: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else text[:most] + "…"


def _style(p: Paragraph) -> str:
    try:
        return (p.style.name or "").lower() if p.style is not None else ""
    except (KeyError, ValueError):
        return ""


def _heading_depth(style: str) -> int:
    m = re.search(r"(\d+)", style)
    return int(m.group(1)) if m else 1


def _is_headline(text: str) -> bool:
    t = text.strip()
    return 0 < len(t) <= HEADING_MAX and not any(c in t for c in "。！？")


def _all_bold(p: Paragraph) -> bool:
    runs = [r for r in p.runs if r.text.strip()]
    return bool(runs) and all(r.bold for r in runs)


def _recommendations(plain: str) -> str:
    return " {.recommendations}" if ("建议" in plain or "对策" in plain) else ""


def _han(text: str) -> str:
    return "".join(HAN.findall(text))


_SPECIAL = re.compile(r"([\\`*_<>{}|])")


def _escape(text: str) -> str:
    """Backslash-escape what Markdown would read as syntax; a line starting like a block
    marker (#, -, +, >, '1. ') is escaped too. Citation marks [1] are kept as written."""
    out = _SPECIAL.sub(r"\\\1", text)
    # brackets only where Markdown would read a link, a note mark or a definition; [1],
    # [2,3] and [M] stay as written (citation marks, reference types)
    out = out.replace("[^", "\\[^").replace("](", "\\](")
    if re.match(r"^\[[^\]]*\]:", out):
        out = "\\" + out
    if re.match(r"^(#|[-+=] )", out):
        out = "\\" + out
    out = re.sub(r"^(\d{1,9})([.)]) ", r"\1\\\2 ", out)   # '1. ' would open a list
    return out


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text.replace("**", ""))


def _restore_marks(text: str) -> str:
    return re.sub("\x00(\\d+)\x00", r"[^\1]", text)
