"""Render step: the issue as an HTML page, for print (→ pdf.py) and as the web edition.

model ──▶ **build_html(issue, options, media)** ──▶ WeasyPrint (print) / **render()** (screen)

One page template (templates/briefing.html.j2 and its blocks) serves both
editions; only the stylesheet differs (templates/briefing.css for paged
media, templates/screen.css for the web). Brand colours and font families
come from `issue.series.brand` as CSS custom properties, so another bulletin
restyles from its series.yaml without touching Python.

`render(issue, options)` returns the web edition as one self-contained file:
CSS inlined, charts as inline SVG, images as data: URIs.

Paragraphs are inline Markdown rendered by markdown-it-py with raw HTML
disabled; everything else goes through Jinja's autoescape, so `{{ 7*7 }}` or
`<script>` in content is printed literally.
"""
from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from huoye.errors import RenderError, system_says
from huoye.i18n import _
from huoye.load.body import split_lead
from huoye.render import RenderOptions
from huoye.render import charts as chart_svg
from huoye.render.templating import render_template
from huoye.summarise import shorten

#: the renderers' dialect: the loader's inline Markdown, raw HTML off (content is text)
MARKDOWN = MarkdownIt("commonmark", {"html": False})
MARKDOWN.validateLink = lambda url: True
#: private-use characters standing for a footnote mark while the Markdown is rendered
_NOTE_OPEN, _NOTE_CLOSE = "\ue000", "\ue001"
_NOTE_MARK = re.compile(r"\[\^([^\]\s]+)\]")
_CITATION = re.compile(r"(?<![A-Za-z0-9\]])\[(\d{1,3}(?:\s*[,，\-–—]\s*\d{1,3})*)\](?![(\[:])")
STYLESHEETS = {"print": "briefing.css", "screen": "screen.css"}
_COLOUR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?(?:[0-9a-fA-F]{2})?")
_SAFE_FAMILY = re.compile(r"[^\"\\<>;{}\n\r]+")


def _inline_image(src: str, issue, paragraph) -> str:
    """A data: URI for an image file of the issue folder (the web edition is one file)."""
    parts = urlsplit(src)
    if parts.scheme in ("http", "https", "data"):
        return src
    path = (issue.folder / unquote(parts.path)).resolve()
    if parts.scheme or not path.is_relative_to(issue.folder.resolve()) or not path.is_file():
        raise RenderError(_("{path}: image '{src}' is not a file of the issue folder "
                            "{folder}; put the image there and link it relatively").format(
            path=paragraph.source, src=src, folder=issue.folder))
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def inline_markdown(markdown: str, issue=None, paragraph=None, embed_images: bool = False,
                    media: str = "print", citations: bool = False,
                    placed: set | None = None) -> Markup:
    """A paragraph's inline Markdown as safe HTML (raw HTML in content is escaped).

    Footnote marks `[^label]` of `paragraph` become the footnote: in print, its text
    floated to the foot of the page (`float: footnote`); on screen, a linked number.
    With `citations`, marks like [1] or [2,3] are set as superscript. `placed` holds the
    footnotes already set in print: a note cited again gets its number only."""
    md = MARKDOWN
    notes = {n.label: n for n in getattr(paragraph, "notes", [])}
    if notes:
        markdown = _NOTE_MARK.sub(
            lambda m: f"{_NOTE_OPEN}{m.group(1)}{_NOTE_CLOSE}" if m.group(1) in notes else m.group(),
            markdown)
    tokens = md.parseInline(markdown)
    if embed_images:
        for tok in tokens[0].children or []:
            if tok.type == "image":
                tok.attrSet("src", _inline_image(str(tok.attrGet("src")), issue, paragraph))
    out = md.renderer.render(tokens, md.options, {})
    if citations:
        out = _CITATION.sub(r'<sup class="cite">[\1]</sup>', out)
    if notes:
        out = re.sub(f"{_NOTE_OPEN}([^{_NOTE_CLOSE}]*){_NOTE_CLOSE}",
                     lambda m: footnote_html(notes[m.group(1)], issue, media, embed_images,
                                             placed), out)
    return Markup(out)


def footnote_html(note, issue, media: str, embed: bool, placed: set | None = None) -> str:
    """A footnote at its mark: in print the note itself (CSS floats it to the page foot),
    on screen a superscript link to the notes after the article."""
    if media == "print" and placed is not None and note.id in placed:
        return f'<sup class="fn-again">{note.number}</sup>'
    if media == "print":
        if placed is not None:
            placed.add(note.id)
        text = inline_markdown(note.markdown, issue, note, embed, media)
        return (f'<span class="footnote" id="{note.id}"><span class="fn-text">{text}</span>'
                f'</span>')
    first = placed is None or note.id not in placed
    if placed is not None:
        placed.add(note.id)
    anchor = f' id="{note.id}-ref"' if first else ""
    return (f'<sup class="fn-ref"{anchor}><a href="#{note.id}" '
            f'aria-label="注{note.number}">{note.number}</a></sup>')


def _css_family(family: str, fallback: str, series) -> str:
    if not _SAFE_FAMILY.fullmatch(family):
        raise RenderError(_("{path}: brand font '{family}' contains characters not "
                            "allowed in a font family name; write the family as fc-list shows it").format(
            path=series.source, family=family))
    return f'"{family}", {fallback}'


def _css_colour(colour: str, series) -> str:
    if not _COLOUR.fullmatch(colour):
        raise RenderError(_("{path}: brand colour '{colour}' is not a #rrggbb colour; "
                            "write it like \"#9e1b1b\"").format(path=series.source, colour=colour))
    return colour


def brand_css(series) -> Markup:
    """The `:root` custom properties of a bulletin's brand (validated, safe inside <style>)."""
    b = series.brand
    props = {
        "--brand": _css_colour(b.colour, series),
        "--accent": _css_colour(b.accent, series),
        "--ink": _css_colour(b.ink, series),
        "--serif": _css_family(b.serif, "serif", series),
        "--sans": _css_family(b.sans, "sans-serif", series),
        "--kai": _css_family(b.kai, "serif", series),
    }
    return Markup(":root { " + " ".join(f"{k}: {v};" for k, v in props.items()) + " }")


def _stylesheet(templates: Path, media: str) -> Markup:
    path = templates / STYLESHEETS[media]
    try:
        css = path.read_text(encoding="utf-8")
    except OSError as err:
        raise RenderError(_("{path}: cannot read the stylesheet ({reason}); restore it from "
                            "huoye's templates/ folder").format(path=path, reason=system_says(err))) from None
    if "</" in css:
        raise RenderError(_("{path}: the stylesheet contains '</'; it is inlined in a <style> "
                            "element and must not").format(path=path))
    return Markup(css)


def description(issue, max_chars: int = 120) -> str:
    """The page's description (search results, link previews): the theme and the leading
    sentences of the editor's note."""
    return f"本期主题：{issue.theme}。" + "".join(shorten(issue.note, max_chars))


def build_html(issue, options: RenderOptions, media: str = "print") -> str:
    """The issue as HTML for `media` "print" (paged, for WeasyPrint) or "screen" (web edition)."""
    embed = media == "screen"
    chart_number = {c.id: c.number or n for n, c in enumerate(issue.charts, 1)}

    citations = any(a.references for a in issue.articles)
    placed: set[str] = set()  # footnotes already set (print): a second mark is a number

    def md(paragraph) -> Markup:
        return inline_markdown(paragraph.markdown, issue, paragraph, embed, media, citations,
                               placed)

    def lead(point) -> tuple[Markup, Markup]:
        """(headline sentence, rest) of a "lead" point's first paragraph, as HTML."""
        para = point.lead_paragraph
        head, rest = split_lead(para.markdown)
        if not rest and not head.startswith(("**", "__")):
            head, rest = "", head  # no headline sentence (一项 ending in ；): only the label is bold
        return (inline_markdown(head, issue, para, embed, media, citations, placed),
                inline_markdown(rest, issue, para, embed, media, citations, placed)
                if rest else Markup(""))

    frame = chart_svg.SCREEN if media == "screen" else chart_svg.PRINT

    def chart(c) -> Markup:
        return Markup(chart_svg.svg(c, issue.series.brand, frame))

    def chart_value(c, value: float) -> str:
        """A chart's value as its data table prints it (the chart's number format)."""
        return chart_svg.fmt(value, c.number_format)

    def image_src(image) -> str:
        return _inline_image(image.src, issue, image) if embed else image.src

    def number_cell(table, column: int, cell) -> Markup:
        """A numeric cell padded with invisible zeros, so that the column's right-aligned
        numbers line up on the decimal point."""
        text = cell.text.strip()
        percent = "%" if text.endswith("%") else ""
        core = text.removesuffix("%")
        whole, dot, frac = core.partition(".")
        missing = table.decimals(column) - len(frac)
        pad = ("" if dot else ".") + "0" * missing if missing > 0 else ""
        hidden = f'<span class="pad" aria-hidden="true">{pad}</span>' if pad else ""
        return Markup(f"{escape(core)}{hidden}{percent}")

    def table_class(table) -> str:
        """'narrow', 'wide' or 'wider': how much the table's type shrinks to fit the text
        width (estimated from its longest cells; past that, cells wrap)."""
        def width(text: str) -> float:
            return sum(1.0 if ord(ch) > 0x2E7F else 0.55 for ch in text) + 1.2
        columns = len(table.header)
        need = sum(max(width(r[c].text) for r in [table.header, *table.rows]) for c in range(columns))
        if need <= 46:
            return "narrow"
        return "wide" if need <= 54 else "wider"

    return render_template(
        options.templates, "briefing.html.j2",
        issue=issue, series=issue.series, media=media,
        brand_css=brand_css(issue.series), stylesheet=_stylesheet(options.templates, media),
        md=md, lead=lead, chart=chart, chart_value=chart_value, chart_number=chart_number,
        image_src=image_src, number_cell=number_cell, table_class=table_class,
        keywords=f"{issue.theme}, {issue.series.name}, {issue.short_line}",
        description=description(issue),
    )


def render(issue, options: RenderOptions) -> bytes:
    """The web edition: one self-contained HTML file (UTF-8)."""
    return build_html(issue, options, "screen").encode("utf-8")
