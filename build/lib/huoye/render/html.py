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

from markupsafe import Markup

from huoye.errors import RenderError, system_says
from huoye.i18n import _
from huoye.load.body import MARKDOWN
from huoye.model import first_sentence
from huoye.render import RenderOptions
from huoye.render import charts as chart_svg
from huoye.render.templating import render_template

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


def inline_markdown(markdown: str, issue=None, paragraph=None, embed_images: bool = False) -> Markup:
    """A paragraph's inline Markdown as safe HTML (raw HTML in content is escaped)."""
    md = MARKDOWN  # the dialect the loader parsed the paragraph with
    tokens = md.parseInline(markdown)
    if embed_images:
        for tok in tokens[0].children or []:
            if tok.type == "image":
                tok.attrSet("src", _inline_image(str(tok.attrGet("src")), issue, paragraph))
    return Markup(md.renderer.render(tokens, md.options, {}))


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


def build_html(issue, options: RenderOptions, media: str = "print") -> str:
    """The issue as HTML for `media` "print" (paged, for WeasyPrint) or "screen" (web edition)."""
    embed = media == "screen"
    chart_number = {c.id: n for n, c in enumerate(issue.charts, 1)}

    def md(paragraph) -> Markup:
        return inline_markdown(paragraph.markdown, issue, paragraph, embed)

    def lead(point) -> tuple[Markup, Markup]:
        """(headline sentence, rest) of a "lead" point's first paragraph, as HTML."""
        head, rest = first_sentence(point.paragraphs[0].markdown)
        return (inline_markdown(head, issue, point.paragraphs[0], embed),
                inline_markdown(rest, issue, point.paragraphs[0], embed) if rest else Markup(""))

    def chart(c) -> Markup:
        return Markup(chart_svg.svg(c, issue.series.brand))

    return render_template(
        options.templates, "briefing.html.j2",
        issue=issue, series=issue.series, media=media,
        brand_css=brand_css(issue.series), stylesheet=_stylesheet(options.templates, media),
        md=md, lead=lead, chart=chart, chart_number=chart_number,
        keywords=f"{issue.theme}, {issue.series.name}, {issue.short_line}",
    )


def render(issue, options: RenderOptions) -> bytes:
    """The web edition: one self-contained HTML file (UTF-8)."""
    return build_html(issue, options, "screen").encode("utf-8")
