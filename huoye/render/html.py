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

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape

from huoye.errors import RenderError, system_says
from huoye.faces import DOCUMENT_ROLES, family
from huoye.i18n import _
from huoye.load.body import MARKDOWN as LOADER_MARKDOWN
from huoye.render import RenderOptions
from huoye.render import charts as chart_svg
from huoye.render.spacing import space_cjk_latin
from huoye.render.templating import render_template
from huoye.summarise import shorten

#: the renderers' dialect: the loader's inline Markdown, raw HTML off (content is text)
MARKDOWN = MarkdownIt("commonmark", {"html": False})
MARKDOWN.validateLink = lambda url: True  # type: ignore[method-assign]
_CITATION = re.compile(r"(?<![A-Za-z0-9\]])\[(\d{1,3}(?:\s*[,，\-–—]\s*\d{1,3})*)\](?![(\[:])")
STYLESHEETS = {"print": "briefing.css", "screen": "screen.css"}
_COLOUR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?(?:[0-9a-fA-F]{2})?")
_SAFE_FAMILY = re.compile(r"[^\"\\<>;{}\n\r]+")


LINK_SCHEMES = ("http", "https", "mailto")  # the only links any edition carries


def _image_source(src: str, issue, where, embed: bool) -> str:
    """The one place an image reaches an edition: a file of the issue folder (links
    resolved, never out of it), as a data: URI for the web edition (one file) or a file:
    URI for WeasyPrint (whose fetcher checks it again). Anything else stops the build."""
    parts = urlsplit(src)
    folder = Path(issue.folder).resolve()
    path = (folder / unquote(parts.path)).resolve() if not parts.scheme and not parts.netloc else None
    if path is None or not path.is_relative_to(folder) or not path.is_file():
        raise RenderError(_("{where}: image '{src}' is not a file of the issue folder {folder}; "
                            "put the image there and refer to it by its name").format(
                                where=where.source, src=src, folder=issue.folder))
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
    """The inline tokens of a paragraph (or footnote) as the loader parsed them, never parsed
    again from a derived string; one made without the loader is its markdown, parsed once."""
    tokens = getattr(paragraph, "tokens", None)
    if tokens is None:
        tokens = LOADER_MARKDOWN.parseInline(paragraph.markdown)[0].children or []
    return tokens


def _html(markup: str) -> Token:
    """A token of HTML made here (never of content)."""
    tok = Token("html_inline", "", 0)
    tok.content = markup
    return tok


def _text(content: str) -> Token:
    tok = Token("text", "", 0)
    tok.content = content
    return tok


def render_tokens(tokens: list[Token], issue=None, paragraph=None, embed_images: bool = False,
                  media: str = "print", citations: bool = False, placed: set | None = None) -> Markup:
    """Inline tokens as safe HTML: text through markdown-it's escaping; links only to
    LINK_SCHEMES (others print their text); images only from the issue folder; raw HTML in
    content printed as text. Footnote marks of `paragraph` become the footnote (in print,
    its text floated to the page foot; on screen, a linked number); with `citations`,
    marks like [1] or [2,3] in the text are set as superscript. `placed` holds the footnotes
    already set in print: a note cited again gets its number only."""
    notes = {n.label: n for n in getattr(paragraph, "notes", [])}
    out: list[Token] = []
    links: list[bool] = []
    for tok in tokens:
        if tok.type == "link_open":
            ok = link_allowed(str(tok.attrGet("href") or ""))
            links.append(ok)
            if not ok:
                continue
        elif tok.type == "link_close":
            if links and not links.pop():
                continue
        elif tok.type == "image":
            tok = copy.copy(tok)
            tok.attrs = dict(tok.attrs)
            tok.attrSet("src", _image_source(str(tok.attrGet("src") or ""), issue, paragraph,
                                             embed_images))
        elif tok.type == "softbreak":
            continue  # a line break inside a paragraph of Chinese is not a space
        elif tok.type in ("html_inline", "html_block"):
            tok = _text(tok.content)  # the loader refuses raw HTML; were it here, it is text
        elif tok.type == "footnote_ref":
            label = tok.meta.get("label", "")
            tok = (_html(footnote_html(notes[label], issue, media, embed_images, placed))
                   if label in notes else _text(f"[^{label}]"))
        elif tok.type == "text" and citations and _CITATION.search(tok.content):
            at = 0
            for m in _CITATION.finditer(tok.content):
                out.append(_text(tok.content[at:m.start()]))
                out.append(_html(f'<sup class="cite">[{escape(m.group(1))}]</sup>'))
                at = m.end()
            tok = _text(tok.content[at:])
        out.append(tok)
    holder = Token("inline", "", 0)
    holder.children = out
    return Markup(MARKDOWN.renderer.render([holder], MARKDOWN.options, {}))


def split_first_sentence(tokens: list[Token]) -> tuple[list[Token], list[Token]]:
    """Tokens of the first sentence (up to 。！？ in the text) and of the rest, as the plain
    text's first sentence ends. The split is made in a text token; a sentence end inside a
    link or emphasis splits after it, and one inside a code span after the span (a code
    span is never split)."""
    level = 0
    for i, tok in enumerate(tokens):
        level += tok.nesting
        if tok.type == "code_inline" and re.search(r"[。！？]", tok.content):
            m = None  # the sentence ends after the code span
        elif tok.type != "text":
            continue
        else:
            m = re.search(r"[。！？]", tok.content)
            if not m:
                continue
        if m is None or level > 0:
            for j in range(i, len(tokens)):  # split where the markup closes
                if j > i:
                    level += tokens[j].nesting
                if level == 0:
                    return tokens[: j + 1], tokens[j + 1:]
            break
        head, rest = copy.copy(tok), copy.copy(tok)
        head.content, rest.content = tok.content[: m.end()], tok.content[m.end():]
        return tokens[:i] + [head], ([rest] if rest.content else []) + tokens[i + 1:]
    return tokens, []


def split_lead_tokens(tokens: list[Token]) -> tuple[list[Token], list[Token], bool]:
    """(headline, rest, bold) of a numbered paragraph, among its tokens: the bold opening
    when it has one (its content; a sentence mark right after it kept in the headline),
    else the first sentence. A bold opening CommonMark leaves as text ("**标题。**正文":
    a closing ** after 。 does not count for it) is recognised among the text tokens too:
    its stars are cut from them, nothing is parsed again."""
    tokens = [t for t in tokens if t.type != "text" or t.content]
    head = rest = None
    if tokens and tokens[0].type == "strong_open":
        level = 0
        for j, tok in enumerate(tokens):
            level += tok.nesting
            if level == 0:
                head, rest = tokens[1:j], tokens[j + 1:]
                break
    elif tokens and tokens[0].type == "text" and tokens[0].content[:2] in ("**", "__"):
        head, rest = _unparsed_bold(tokens)
    if head is None:
        head, rest = split_first_sentence(tokens)
        return head, rest, False
    if rest and rest[0].type == "text" and rest[0].content[:1] in ("。", "！", "？", "：", ":"):
        mark, after = copy.copy(rest[0]), copy.copy(rest[0])
        mark.content, after.content = rest[0].content[0], rest[0].content[1:]
        head, rest = head + [mark], ([after] if after.content else []) + rest[1:]
    return head, rest, True


def _unparsed_bold(tokens: list[Token]) -> tuple[list[Token] | None, list[Token] | None]:
    """(inside, after) of a bold opening whose delimiters stayed text, or (None, None)."""
    delim, level = tokens[0].content[:2], 0
    for j, tok in enumerate(tokens):
        level += tok.nesting
        if tok.type != "text" or level != 0:
            continue
        at = tok.content.find(delim, 2 if j == 0 else 0)
        if at < 0 or (j == 0 and at == 2):
            continue
        first, last = copy.copy(tokens[0]), copy.copy(tok)
        if j == 0:
            first.content = tok.content[2:at]
            inside = [first]
        else:
            first.content, last.content = tokens[0].content[2:], tok.content[:at]
            inside = [first, *tokens[1:j], last]
        after = copy.copy(tok)
        after.content = tok.content[at + 2:]
        return [t for t in inside if t.type != "text" or t.content], \
            ([after] if after.content else []) + tokens[j + 1:]
    return None, None


def footnote_html(note, issue, media: str, embed: bool, placed: set | None = None) -> str:
    """A footnote at its mark: in print the note itself (CSS floats it to the page foot),
    on screen a superscript link to the notes after the article."""
    if media == "print" and placed is not None and note.id in placed:
        return f'<sup class="fn-again">{note.number}</sup>'
    if media == "print":
        if placed is not None:
            placed.add(note.id)
        text = render_tokens(paragraph_tokens(note), issue, note, embed, media)
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
    }
    for role in DOCUMENT_ROLES:  # the faces by role, as the glyph check sees them
        props[str(role.css)] = _css_family(family(b, role), role.css_fallback, series)
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
    note = "".join(shorten(issue.note, max_chars))
    if len(note) > max_chars:  # one long first sentence
        note = note[:max_chars - 1] + "…"
    return f"本期主题：{issue.theme}。" + note


def build_html(issue, options: RenderOptions, media: str = "print") -> str:
    """The issue as HTML for `media` "print" (paged, for WeasyPrint) or "screen" (web edition)."""
    embed = media == "screen"
    chart_number = {c.id: c.number or n for n, c in enumerate(issue.charts, 1)}

    citations = any(a.references for a in issue.articles)
    placed: set[str] = set()  # footnotes already set (print): a second mark is a number

    def md(paragraph) -> Markup:
        return render_tokens(paragraph_tokens(paragraph), issue, paragraph, embed, media, citations,
                             placed)

    def lead(point) -> tuple[Markup, Markup]:
        """(headline sentence, rest) of a "lead" point's first paragraph, as HTML: split
        among the paragraph's tokens, so that no part of it is parsed again."""
        para = point.lead_paragraph
        head, rest, bold = split_lead_tokens(paragraph_tokens(para))
        if not rest and not bold:
            head, rest = [], head  # no headline sentence (一项 ending in ；): only the label is bold
        return (render_tokens(head, issue, para, embed, media, citations, placed),
                render_tokens(rest, issue, para, embed, media, citations, placed)
                if rest else Markup(""))

    frame = chart_svg.SCREEN if media == "screen" else chart_svg.PRINT

    def chart(c) -> Markup:
        return Markup(chart_svg.svg(c, issue.series.brand, frame))

    def chart_value(c, value: float) -> str:
        """A chart's value as its data table prints it (the chart's number format)."""
        return chart_svg.fmt(value, c.number_format)

    def image_src(image) -> str:
        return _image_source(image.src, issue, image, embed)

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
        shown = escape(core)
        if media == "print":  # a number too long for its column wraps after a thousands comma
            shown = Markup(str(shown).replace(",", ",<wbr>"))
        return Markup(f"{shown}{hidden}{percent}")

    def table_class(table) -> str:
        """'narrow', 'wide' or 'wider': how much the table's type shrinks to fit the text
        width (estimated from its longest cells; past that, cells wrap, numbers after a
        thousands comma); 'widest' when even the numbers' unbreakable parts would not fit
        at the smallest size, so that a number may wrap anywhere too."""
        def width(text: str) -> float:
            return sum(1.0 if ord(ch) > 0x2E7F else 0.55 for ch in text) + 1.2
        rows = [table.header, *table.rows]
        columns = range(len(table.header))
        need = sum(max(width(r[c].text) for r in rows) for c in columns)
        if need <= 46:
            return "narrow"
        if need <= 54:
            return "wide"
        numeric = table.decimal_columns
        unbreakable = sum(max((width(max(r[c].text.split(","), key=len)) for r in table.rows),
                              default=0.0) if numeric[c] else 2.2 for c in columns)
        return "wider" if unbreakable <= 60 else "widest"

    html = render_template(
        options.templates, "briefing.html.j2",
        issue=issue, series=issue.series, media=media,
        brand_css=brand_css(issue.series), stylesheet=_stylesheet(options.templates, media),
        md=md, lead=lead, chart=chart, chart_value=chart_value, chart_number=chart_number,
        image_src=image_src, number_cell=number_cell, table_class=table_class,
        keywords=f"{issue.theme}, {issue.series.name}, {issue.short_line}",
        description=description(issue),
    )
    if issue.series.cjk_latin_spacing:  # series.yaml: a quarter em between Han and Latin
        html = space_cjk_latin(html)
    return html


def render(issue, options: RenderOptions) -> bytes:
    """The web edition: one self-contained HTML file (UTF-8)."""
    return build_html(issue, options, "screen").encode("utf-8")
