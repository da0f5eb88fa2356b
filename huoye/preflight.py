"""Preflight: every check that can refuse an issue, run before anything is rendered.

    content ──load──▶ model ──**preflight**──▶ render ──▶ write

`huoye check` and the build run the same `preflight`, so what `check` accepts the
build renders, and the build writes nothing (in watch mode, not even the HTML
edition) for an issue the preflight refuses. Each check below adds its problems;
all are reported at once, each at the content `file:line` it came from with the fix:

- `outputs`: every output can be named (the bulletin's name begins file names);
- `charts`: each chart can be drawn (`huoye.render.charts.problems`); tables, when
  the model has them, add their constraints here the same way;
- `fonts`: each typography role's family is installed and has a glyph for every
  character of the content that role draws (`huoye.faces`, `huoye.fonts`);
- `document`: the PDF's and the HTML edition's documents are made (templates,
  references inside the issue folder, the PDF variant) and every character the
  templates add (本期主题, 要目, 数据来源 …) is read back from the rendered document
  and checked in every face;
- `deck`: the outline renders and parses, and every slide is laid out with the
  deck's own measuring code (`huoye.render.deck.draw`); a slide its text does not
  fit is reported at the content line that text came from, not at the outline
  template; the characters the outline adds are checked in the deck's face.

What the checks make on the way (the documents, the laid-out deck) is kept in the
returned `Ready`, so the render stage does not make it again. Once `preflight`
returns, rendering can fail only on a bug in huoye or a machine fault (a full disk,
a crashed process); tests/test_preflight.py holds that over the test corpus.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from huoye.errors import HuoyeError, Problem
from huoye.fonts import FontFile
from huoye.i18n import _
from huoye.model import Issue, Source
from huoye.render import FORMATS, RenderOptions, output_name

#: the checks, in order; each takes the `Ready` being made and may raise HuoyeError
CHECKS: list[tuple[str, Callable[[Ready], None]]] = []


@dataclass
class Ready:
    """An issue that passed the preflight, with what the checks made for the renderers."""

    issue: Issue
    options: RenderOptions
    formats: tuple[str, ...] = FORMATS
    print_html: str | None = None  # the PDF's document, `huoye.render.pdf.document_html`
    web_html: str | None = None  # the HTML edition
    deck: Any = None  # the laid-out deck, `huoye.render.deck.draw`
    #: called with `print_html` as soon as it is made and checked, so that the PDF (the
    #: longest format) can start while the deck is still being laid out and checked; what
    #: it renders is used only if every check passes
    on_print_html: Callable[[str], None] | None = None


def preflight(issue: Issue, options: RenderOptions, formats: Iterable[str] = FORMATS,
              on_print_html: Callable[[str], None] | None = None) -> Ready:
    """Run every check on `issue` for `formats`; raises one HuoyeError listing every
    problem (the class of the errors met when they are all of one class).
    `on_print_html` (see `Ready`) gets the PDF's document once it has passed its checks."""
    ready = Ready(issue, options, tuple(formats), on_print_html=on_print_html)
    errors: list[HuoyeError] = []
    for _name, check in CHECKS:
        try:
            check(ready)
        except HuoyeError as err:
            errors.append(err)
    if errors:
        problems = list(dict.fromkeys(p for err in errors for p in err.problems))
        classes = {type(err) for err in errors}
        cls = classes.pop() if len(classes) == 1 else HuoyeError
        raise cls(problems)
    return ready


def check(name: str) -> Callable[[Callable[[Ready], None]], Callable[[Ready], None]]:
    """Register a preflight check (run in the order registered)."""
    def register(fn: Callable[[Ready], None]) -> Callable[[Ready], None]:
        CHECKS.append((name, fn))
        return fn
    return register


# --------------------------------------------------------------------------- checks


@check("outputs")
def _outputs(ready: Ready) -> None:
    for fmt in ready.formats:
        output_name(ready.issue, fmt)


@check("charts")
def _charts(ready: Ready) -> None:
    from huoye.render.charts import problems

    found = [p for chart in ready.issue.charts for p in problems(chart)]
    if found:
        raise HuoyeError(found)


@check("fonts")
def _fonts(ready: Ready) -> None:
    from huoye.fonts import check_deck_fonts, check_fonts

    if "pdf" in ready.formats:
        check_fonts(ready.issue)
    if "pptx" in ready.formats:
        check_deck_fonts(ready.issue)


@check("document")
def _document(ready: Ready) -> None:
    from huoye.fonts import check_fonts
    from huoye.render import html, pdf

    issue, options = ready.issue, ready.options
    if "pdf" in ready.formats:
        ready.print_html = pdf.document_html(issue, options)
        faces = check_fonts(issue)  # found, and checked, by document_html
        _labels_have_glyphs(issue, _document_text(ready.print_html)
                            + _stylesheet_labels(Path(options.templates) / "briefing.css"),
                            list(faces.values()),
                            Path(options.templates) / "briefing.html.j2")
        if ready.on_print_html is not None:
            ready.on_print_html(ready.print_html)
    if "html" in ready.formats:
        ready.web_html = html.build_html(issue, options, "screen")


@check("deck")
def _deck(ready: Ready) -> None:
    if "pptx" not in ready.formats:
        return
    from huoye.errors import RenderError
    from huoye.fonts import check_deck_fonts
    from huoye.render import deck
    from huoye.render.deck.measure import TextDoesNotFitError

    try:
        ready.deck = deck.draw(ready.issue, ready.options)
    except RenderError as err:
        raise RenderError([_at_content(ready.issue, err, p) for p in err.problems]) from None
    except TextDoesNotFitError as err:
        # a text no slide handler split or sized for its box: never drawn overflowing,
        # never an internal error; refused at the content line the text came from
        problem = _("{path}: the text {start}… needs {need} pt of height on its slide, and its "
                    "box has {room} pt; shorten it in the content, or split it into several "
                    "paragraphs or points").format(
            path=deck.outline_name(ready.options), start=repr(err.start),
            need=f"{err.need:.0f}", room=f"{err.room:.0f}")
        raise RenderError([_at_content(ready.issue, err, problem)]) from None
    _labels_have_glyphs(ready.issue, deck.drawn_text(ready.deck), [check_deck_fonts(ready.issue)],
                        deck.outline_name(ready.options))


# ------------------------------------------------------------ places in the content


_QUOTED = re.compile(r"'([^']+)'|\"([^\"]+)\"")


def _at_content(issue: Issue, err: Exception, problem: Problem | str) -> Problem | str:
    """`problem`, raised while laying out the deck, moved to the content line its text came
    from (the outline template only puts content on slides); left where it is when the
    text is the template's own."""
    message = problem.message if isinstance(problem, Problem) else str(problem)
    source = _content_source(issue, _needles(message, getattr(err, "entry", None)))
    if source is None:
        return problem
    what = re.sub(r"^\S*deck\.yaml\.j2(?::\d+)?: ", "", message)
    slide = getattr(err, "slide", None)
    field_ = _("slide {n}").format(n=slide) if slide else _("deck")
    return Problem(source.path, source.line, field_,
                   _("{what} (the slide's text comes from here)").format(what=what))


def _needles(message: str, entry: object) -> list[str]:
    """Texts that may have come from the content: quoted in the message first, then the
    outline entry's own strings (its notes aside: they are never laid out on a slide)."""
    out = [a or b for a, b in _QUOTED.findall(message)]

    def walk(value: object, key: str = "") -> None:
        if isinstance(value, str) and key not in ("kind", "notes"):
            out.append(value)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, str(k))
        elif isinstance(value, list):
            for v in value:
                walk(v, key)

    walk(entry)
    return [n.removesuffix("（续）").strip() for n in out if len(n.strip()) >= 2]


def _content_source(issue: Issue, needles: list[str]) -> Source | None:
    """The source of the content text a needle is, or holds, or is part of (first needle
    first; among texts, an equal one first, then the longest)."""
    from huoye.fonts import deck_texts

    # texts placed by the issue as a whole (contents, masthead) are looked at last: the
    # section or point they repeat has the line to fix
    texts = sorted(((t, s) for t, s, _what in deck_texts(issue) if len(t) >= 2),
                   key=lambda ts: ts[1] == issue.source)
    for needle in needles:
        equal = [s for t, s in texts if t == needle]
        if equal:
            return equal[0]
        within = sorted(((t, s) for t, s in texts if t in needle), key=lambda ts: -len(ts[0]))
        if within:
            return within[0][1]
        around = [s for t, s in texts if needle in t]
        if around:
            return around[0]
    return None


# ------------------------------------------------------------------- fixed labels


class _Text(HTMLParser):
    """The text a browser or WeasyPrint draws from a document: the body's character data,
    not <head>, <style>, <script> or accessibility-only <title> elements."""

    SKIP = {"head", "style", "script", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skipping.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def _document_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def _stylesheet_labels(path: Path) -> str:
    """What the stylesheet's `content:` declarations draw: their strings, and digits for
    the counters and target-counters (page numbers)."""
    try:
        css = path.read_text(encoding="utf-8")
    except OSError:
        return ""  # the document check has reported the unreadable stylesheet
    out = []
    for value in re.findall(r"content:\s*([^;}]*)", css):
        out += [a or b for a, b in _QUOTED.findall(value)]
        if "counter(" in value:
            out.append("0123456789")
    return "".join(out)


def _labels_have_glyphs(issue: Issue, drawn: str, fonts: list[FontFile],
                        template: Path | str) -> None:
    """Every character of `drawn` that the content does not supply (the template's fixed
    labels, numbers it formats) has a glyph in each of `fonts`: which face draws a label is
    the stylesheet's business, so a label must be drawable in all of them."""
    from huoye.errors import RenderError
    from huoye.fonts import deck_texts, missing_characters

    content = {c for t, _s, _w in deck_texts(issue) for c in t}
    labels = "".join(dict.fromkeys(c for c in drawn if c not in content))
    problems: list[Problem | str] = []
    for font in fonts:
        for char in missing_characters(labels, font):
            path, line = _written_at(Path(template), char)
            problems.append(Problem(path, line, _("fixed label"), _(
                "“{char}” (U+{code}) has no glyph in {family} ({file}); change the label in "
                "the template or choose a font that has it in brand.fonts").format(
                    char=char, code=f"{ord(char):04X}", family=font.family, file=font.path.name)))
    if problems:
        raise RenderError(problems)


def _written_at(template: Path, char: str) -> tuple[Path, int | None]:
    """The template file and line that write `char` (the template itself, or a block or
    stylesheet beside it), else the template."""
    for path in [template, *sorted(template.parent.rglob("*")), ]:
        if not path.is_file() or path.suffix not in (".j2", ".css"):
            continue
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for n, text in enumerate(lines, start=1):
            if char in text and not _in_head(lines, n):
                return path, n
    return template, None


def _in_head(lines: list[str], n: int) -> bool:
    """Whether line `n` is a <head> line (a <title> or <meta> the page does not draw)."""
    text = lines[n - 1]
    return "<meta" in text or "<title" in text
