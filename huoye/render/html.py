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
import copy
import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token
from markupsafe import Markup

from huoye.errors import RenderError
from huoye.i18n import _
from huoye.load.body import MARKDOWN
from huoye.render import RenderOptions
from huoye.render import charts as chart_svg
from huoye.render.templating import render_template

STYLESHEETS = {"print": "briefing.css", "screen": "screen.css"}
_COLOUR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?(?:[0-9a-fA-F]{2})?")
_SAFE_FAMILY = re.compile(r"[^\"\\<>;{}\n\r]+")


LINK_SCHEMES = ("http", "https", "mailto")  # the only links any edition carries


def _image_source(src: str, issue, paragraph, embed: bool) -> str:
    """The one place an image reaches an edition: a file of the issue folder (links
    resolved, never out of it), as a data: URI for the web edition (one file) or a file:
    URI for WeasyPrint (whose fetcher checks it again). Anything else stops the build."""
    parts = urlsplit(src)
    folder = Path(issue.folder).resolve()
    path = (folder / unquote(parts.path)).resolve() if not parts.scheme and not parts.netloc else None
    if path is None or not path.is_relative_to(folder) or not path.is_file():
        raise RenderError(_("{where}: image '{src}' is not a file of the issue folder {folder}; "
                            "put the image there and refer to it by its name").format(
                                where=paragraph.source, src=src, folder=issue.folder))
    if not embed:
        return path.as_uri()
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def link_allowed(href: str) -> bool:
    """A link reaches an edition only if it is a web or mail address, or a place on the page."""
    if href.startswith("#"):
        return True
    scheme = urlsplit(href).scheme.lower() if ":" in href else ""
    return scheme in LINK_SCHEMES and not any(c.isspace() or ord(c) < 0x20 for c in href)


def paragraph_tokens(paragraph) -> list[Token]:
    """The inline tokens of a paragraph as the loader parsed them (never parsed again from a
    derived string); a paragraph made without the loader is its markdown, parsed once."""
    tokens = getattr(paragraph, "tokens", None)
    if tokens is None:
        tokens = MARKDOWN.parseInline(paragraph.markdown)[0].children or []
    return tokens


def render_tokens(tokens: list[Token], issue=None, paragraph=None, embed_images: bool = False) -> Markup:
    """Inline tokens as safe HTML: text through markdown-it's escaping, links only to the
    schemes of LINK_SCHEMES (others print their text), images only from the issue folder."""
    out: list[Token] = []
    dropped = 0  # open links refused, whose closing token is dropped too
    depth: list[bool] = []
    for tok in tokens:
        if tok.type == "link_open":
            ok = link_allowed(str(tok.attrGet("href") or ""))
            depth.append(ok)
            if not ok:
                dropped += 1
                continue
        elif tok.type == "link_close":
            if depth and not depth.pop():
                continue
        elif tok.type == "image":
            tok = copy.copy(tok)
            tok.attrs = dict(tok.attrs)
            tok.attrSet("src", _image_source(str(tok.attrGet("src") or ""), issue, paragraph,
                                             embed_images))
        elif tok.type == "softbreak":
            continue  # a line break inside a paragraph of Chinese is not a space
        out.append(tok)
    holder = Token("inline", "", 0)
    holder.children = out
    return Markup(MARKDOWN.renderer.render([holder], MARKDOWN.options, {}))


def split_first_sentence(tokens: list[Token]) -> tuple[list[Token], list[Token]]:
    """Tokens of the first sentence (up to 。！？ in the text) and of the rest. The split is
    made in a text token; a sentence end inside a link or emphasis splits after it, and a
    code span is never split."""
    level = 0
    for i, tok in enumerate(tokens):
        level += tok.nesting
        if tok.type != "text":
            continue
        m = re.search(r"[。！？]", tok.content)
        if not m:
            continue
        if level == 0:
            head, rest = copy.copy(tok), copy.copy(tok)
            head.content, rest.content = tok.content[: m.end()], tok.content[m.end():]
            return tokens[:i] + [head], ([rest] if rest.content else []) + tokens[i + 1:]
        for j in range(i + 1, len(tokens)):  # inside markup: split where it closes
            level += tokens[j].nesting
            if level == 0:
                return tokens[: j + 1], tokens[j + 1:]
        break
    return tokens, []


def inline_markdown(markdown: str, issue=None, paragraph=None, embed_images: bool = False) -> Markup:
    """A string of inline Markdown as safe HTML (raw HTML in it is escaped)."""
    return render_tokens(MARKDOWN.parseInline(markdown)[0].children or [], issue, paragraph,
                         embed_images)


def _css_family(family: str, fallback: str, series) -> str:
    if not _SAFE_FAMILY.fullmatch(family):
        raise RenderError(f"{series.source}: brand font '{family}' contains characters not "
                          "allowed in a font family name; write the family as fc-list shows it")
    return f'"{family}", {fallback}'


def _css_colour(colour: str, series) -> str:
    if not _COLOUR.fullmatch(colour):
        raise RenderError(f"{series.source}: brand colour '{colour}' is not a #rrggbb colour; "
                          'write it like "#9e1b1b"')
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
        raise RenderError(f"{path}: cannot read the stylesheet ({err.strerror}); restore it from "
                          "huoye's templates/ folder") from None
    if "</" in css:
        raise RenderError(f"{path}: the stylesheet contains '</'; it is inlined in a <style> "
                          "element and must not")
    return Markup(css)


def build_html(issue, options: RenderOptions, media: str = "print") -> str:
    """The issue as HTML for `media` "print" (paged, for WeasyPrint) or "screen" (web edition)."""
    embed = media == "screen"
    chart_number = {c.id: n for n, c in enumerate(issue.charts, 1)}

    def md(paragraph) -> Markup:
        return render_tokens(paragraph_tokens(paragraph), issue, paragraph, embed)

    def lead(point) -> tuple[Markup, Markup]:
        """(headline sentence, rest) of a "lead" point's first paragraph, as HTML: split
        among the paragraph's tokens, so that no part is parsed again."""
        first = point.paragraphs[0]
        head, rest = split_first_sentence(paragraph_tokens(first))
        return (render_tokens(head, issue, first, embed),
                render_tokens(rest, issue, first, embed) if rest else Markup(""))

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
