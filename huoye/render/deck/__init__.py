"""render step: PowerPoint — builds the slide deck.

    issue ──templates/deck.yaml.j2──▶ outline (YAML list of slides) ──check──▶
    ──slides.DRAW[kind]──▶ presentation ──save──▶ bytes

The outline says which slides, in what order, saying what; editors change it by
editing the template (summaries come from the Jinja filters in
``huoye.summarise``).  ``slides`` holds one drawing function per slide kind;
``theme`` turns the bulletin's brand into the deck's design; ``measure``
measures and wraps text with the real font metrics; ``pptxkit`` is the thin
python-pptx layer.  Content logic never touches python-pptx shapes or XML: it
goes through ``pptxkit``.

An editor's own master (series.yaml ``deck: {template, layouts}``) replaces the
code-made design: its sample slides are removed and slides use its layouts by
name.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from zipfile import BadZipFile

import yaml
from pptx.exc import PackageNotFoundError

from huoye.errors import Problem, RenderError, display_path
from huoye.fonts import check_deck_fonts
from huoye.i18n import _
from huoye.render.templating import render_template

from . import package
from . import pptxkit as kit
from .slides import DRAW, ITEM_KEYS, OUTLINE, REQUIRED, Deck
from .theme import deck_theme

__all__ = ["check", "draw", "drawn_text", "outline", "render"]

TEMPLATE = "deck.yaml.j2"

#: libyaml's safe loader when PyYAML was built with it (several times faster), else the
#: pure-Python one: the same Python values (libyaml words some syntax errors differently)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def draw(issue, options) -> Deck:
    """The deck of ``issue`` drawn in memory (its slides, and a plain record of each for
    the handout); template, outline and layout problems are a :class:`RenderError`
    naming templates/deck.yaml.j2; a character the deck's fallback East Asian face
    cannot draw is one naming its content file:line.

    A slide that cannot be drawn (a title too long for it, a label that does not fit)
    raises the handler's :class:`RenderError` with the outline entry it came from as
    ``err.entry`` (and its number as ``err.slide``), so that the preflight can name the
    content line behind it; so does a text that a handler failed to split or size for
    its box (:class:`~.measure.TextDoesNotFitError`, which the preflight refuses too)."""
    cjk = check_deck_fonts(issue)
    entries = outline(issue, options)
    deck = _open(issue)
    deck.outline = outline_name(options)
    deck.fallback_font = cjk
    with kit.drawing(deck.prs):
        for n, entry in enumerate(entries, start=1):
            try:
                DRAW[entry["kind"]](deck, entry)
            except (RenderError, kit.TextDoesNotFitError) as err:
                err.entry, err.slide = entry, n  # type: ignore[attr-defined]
                raise
        deck.finish()
    return deck


def drawn_text(deck: Deck) -> str:
    """Every character drawn on the deck's slides (text, footers; not the charts' own
    labels, which are the issue's data, nor bullets, drawn in the Latin face): what the
    deck's face must have glyphs for."""
    return "".join(kit.slide_text(slide) for slide, _ in deck.slides)


def render(issue, options, deck: Deck | None = None) -> bytes:
    """The deck of ``issue`` as .pptx bytes, the same for the same inputs (``deck``: its
    :func:`draw`, if the preflight made it; see :func:`draw` for the errors)."""
    deck = deck if deck is not None else draw(issue, options)
    cjk = deck.fallback_font
    when = package.build_time(issue.date)
    created = dt.datetime(issue.date.year, issue.date.month, issue.date.day, tzinfo=dt.UTC)
    package.finish_package(deck.prs, package.Properties(
        title=issue.title,
        subject=f"本期主题：{issue.theme}",
        authors=tuple(issue.series.publishers),
        keywords=tuple(dict.fromkeys((issue.theme, *(k for a in issue.articles for k in a.keywords),
                                      *(s.title for s in issue.sections)))),
        when=created,
        brand=deck.theme.brand,
        thumbnail_font=cjk.path,
        thumbnail_font_index=cjk.index,
    ), deck.titles())
    return package.save(deck.prs, when)


def outline_name(options) -> str:
    """The outline template as errors name it: the one in use (``--templates``), shown
    relative to the working folder."""
    return display_path(Path(options.templates) / TEMPLATE)


def outline(issue, options) -> list[dict]:
    """Render the outline template, parse it and check every slide entry."""
    where = outline_name(options)
    text = render_template(options.templates, TEMPLATE, issue=issue)
    try:
        entries = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as err:
        raise RenderError(Problem(where, None, "", _yaml_message(err, text))) from None
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise RenderError(_("{path}: the outline must be a YAML list of slides "
                            "(\"- kind: title\" …)").format(path=where))
    check(entries, where)
    return entries


def _yaml_message(err: yaml.YAMLError, text: str) -> str:
    """Where the rendered outline stops being YAML, with the text of that line."""
    lines = text.splitlines()

    def at(mark) -> str:
        if mark is None:
            return ""
        shown = (repr(lines[mark.line].strip()[:60]) if mark.line < len(lines)
                 else _("(end of outline)"))
        if shown:
            return _("line {line} ({text})").format(line=mark.line + 1, text=shown)
        return _("line {line}").format(line=mark.line + 1)

    context = getattr(err, "context", None)
    problem = getattr(err, "problem", None) or str(err)
    where = at(getattr(err, "problem_mark", None))
    start = at(getattr(err, "context_mark", None))
    said = _("{problem} at {place}").format(problem=problem, place=where) if where else problem
    if context and start:
        said = _("{context} at {place}").format(context=context, place=start) + ": " + said
    return _("the rendered outline is not valid YAML: {reason}; check the quoting there "
             "(pass every string through `tojson`)").format(reason=said)


def check(entries: list, where: str = OUTLINE) -> None:
    """Every entry a mapping with a known ``kind`` and the keys that kind needs;
    all problems reported at once."""
    problems: list[Problem] = []
    kinds = ", ".join(DRAW)

    def add(n: int, kind: str, message: str) -> None:
        field = (_("slide {number} ({kind})") if kind else _("slide {number}")).format(number=n, kind=kind)
        problems.append(Problem(where, None, field, message))

    for n, e in enumerate(entries, start=1):
        if not isinstance(e, dict):
            add(n, "", _("expected a mapping with a `kind`, got {type}").format(type=type(e).__name__))
            continue
        kind = e.get("kind")
        if kind not in DRAW:
            add(n, "", _("unknown kind {kind}; use one of: {choices}").format(kind=repr(kind), choices=kinds))
            continue
        for key, typ in REQUIRED[kind].items():
            if key not in e:
                add(n, kind, _("missing `{key}`").format(key=key))
            elif not isinstance(e[key], typ):
                add(n, kind, _("`{key}` must be a {type}, got {found}").format(
                    key=key, type=typ.__name__, found=type(e[key]).__name__))
        items = e.get("items")
        if isinstance(items, list) and kind in ITEM_KEYS:
            for i, it in enumerate(items, start=1):
                if not isinstance(it, dict):
                    add(n, kind, _("items[{number}] must be a mapping").format(number=i))
                    continue
                for key in ITEM_KEYS[kind]:
                    if key not in it or it[key] in (None, ""):
                        add(n, kind, _("items[{number}] has no `{key}`").format(number=i, key=key))
        per_slide = e.get("per_slide")
        if per_slide is not None and (not isinstance(per_slide, int) or per_slide < 1):
            add(n, kind, _("`per_slide` must be a whole number of items, got {value}").format(
                value=repr(per_slide)))
        if "notes" in e and not isinstance(e["notes"], (str, type(None))):
            add(n, kind, _("`notes` must be a string"))
    if problems:
        raise RenderError(problems)


def _open(issue) -> Deck:
    """A new presentation in the brand's default design, or the editor's master."""
    series = issue.series
    theme = deck_theme(series.brand, str(series.source))
    if series.deck_template is None:
        return Deck(kit.new_presentation(theme), theme, issue)
    try:
        prs = kit.open_template(series.deck_template, theme)
    except (OSError, ValueError, KeyError, BadZipFile, PackageNotFoundError) as err:
        raise RenderError(_("{path}: deck.template: cannot open "
                            "{template}: {reason}; save it again from PowerPoint "
                            "as a .pptx").format(path=series.source, template=series.deck_template,
                                                 reason=err)) from None
    w, h = prs.slide_width, prs.slide_height
    if abs(w * 9 - h * 16) > w // 100 or abs(w - kit.SLIDE_W_EMU) > kit.SLIDE_W_EMU // 100:
        raise RenderError(
            _("{path}: deck.template: {template} is {size} in; the deck is 16:9 widescreen "
              "(13.33×7.5 in): set Design › Slide Size › Widescreen in PowerPoint and save it").format(
                path=series.source, template=series.deck_template.name,
                size=f"{w / 914400:.2f}×{h / 914400:.2f}")
        )
    return Deck(prs, theme, issue, layouts=dict(series.deck_layouts), decorate=False)
