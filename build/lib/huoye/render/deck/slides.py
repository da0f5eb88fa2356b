"""render step: PowerPoint — one drawing function per slide kind.

outline entry (a mapping from templates/deck.yaml.j2) ──DRAW[kind]──▶ one or more slides

Each handler takes the :class:`Deck` and one checked outline entry and adds
its slides.  Layout is measured, never guessed: every text is measured with
:mod:`.measure` before its box is placed, lists that do not fit one slide go
on as many continuation slides (titled "标题（续）") as they need, split into
even parts, and no text is ever set below its size.  Handlers place boxes
through :class:`Deck`, which goes through :mod:`.pptxkit`; nothing here
touches python-pptx shapes or XML.

Every slide's first shape is named ``kind:<kind>`` (e.g. ``kind:points``) so
tests and tools can read the outline back from the file.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from huoye.errors import RenderError
from huoye.i18n import _
from huoye.model import Chart, Issue

from . import pptxkit as kit
from .measure import DEFAULT_FRAME, FontSpec, Para, layout_height, split_to_fit, text_width
from .pptxkit import SLIDE_H_PT, SLIDE_W_PT, Box, DeckTheme, add_band, labels_clear_of_bars
from .theme import RULE_GREY, SIZES

OUTLINE = "templates/deck.yaml.j2"
CONTINUED = "（续）"
EPS = 0.5  # pt of slack added to measured boxes against float rounding


# --------------------------------------------------------------------------- deck


@dataclass
class Deck:
    """The presentation being drawn, its theme, and the slides made so far.

    ``layouts`` maps a slide kind (or "title" / "content") to a layout name of an
    editor's master; ``decorate`` is False when such a master supplies the design,
    so only text, charts and footers are drawn on its layouts.
    """

    prs: object
    theme: DeckTheme
    issue: Issue
    layouts: dict[str, str] = field(default_factory=dict)
    decorate: bool = True
    outline: str = OUTLINE  # the outline template, as errors name it
    slides: list[tuple[object, str]] = field(default_factory=list)
    _unnamed: set[int] = field(default_factory=set)

    # ------------------------------------------------------------------ slides

    def new_slide(self, kind: str, notes: str = ""):
        """A new slide for ``kind`` (from the master's layout for it, if named)."""
        role = "title" if kind in ("title", "closing") else "content"
        layout = self.layouts.get(kind) or self.layouts.get(role)
        try:
            slide = kit.add_blank_slide(self.prs, layout)
        except KeyError as err:
            raise RenderError(
                _("series.yaml: deck.layouts: {reason}; name one of those layouts").format(
                    reason=err.args[0])
            ) from None
        self.slides.append((slide, kind))
        self._unnamed.add(id(slide))
        if notes:
            kit.add_notes(slide, notes, self.theme)
        return slide

    def _name(self, slide, name: str | None) -> str | None:
        if id(slide) in self._unnamed:
            self._unnamed.discard(id(slide))
            kind = next(k for s, k in self.slides if s is slide)
            return f"kind:{kind}"
        return name

    def finish(self) -> None:
        """Footer (bulletin name and issue) and slide number on every slide but the title."""
        footer = f"{self.issue.series.name}　{self.issue.issue_line}"
        for number, (slide, kind) in enumerate(self.slides, start=1):
            if id(slide) in self._unnamed:  # a slide whose handler drew nothing
                raise RenderError(_("{path}: the {kind} slide {number} is empty").format(
                    path=self.outline, kind=kind, number=number))
            if kind != "title":
                kit.add_footer(slide, footer, number, self.theme)

    # ------------------------------------------------------------------- fonts

    def font(self, bold: bool = False) -> FontSpec:
        return self.theme.font(bold)

    @property
    def brand(self) -> str:
        return self.theme.brand

    @property
    def ink(self) -> str:
        return self.theme.text_colour

    @property
    def muted(self) -> str:
        return self.theme.muted_colour

    # ----------------------------------------------------------------- drawing

    def text(self, slide, box: Box, paras, size: float, colour: str, *, bold=False,
             spacing: float = SIZES.body_spacing, name: str | None = None, **kw):
        return kit.add_text(slide, box, paras, self.font(bold), size, colour, bold=bold,
                            line_spacing=spacing, name=self._name(slide, name), **kw)

    def band(self, slide, box: Box, colour: str, name: str = "Band"):
        if self.decorate:
            add_band(slide, box, colour, self._name(slide, name) or name)

    def chart(self, slide, box: Box, chart: Chart) -> None:
        fmt = chart.number_format
        if chart.unit:
            fmt += '"' + chart.unit.replace('"', "") + '"'
        drawn = kit.add_native_chart(
            slide, box, chart.kind, chart.categories,
            [(s.name, s.values) for s in chart.series], fmt,
            font=self.font(), size=SIZES.chart, colour=self.ink,
        )
        labels_clear_of_bars(drawn)

    # ---------------------------------------------------------------- geometry

    @property
    def left(self) -> float:
        return self.theme.margin

    @property
    def width(self) -> float:
        return SLIDE_W_PT - 2 * self.theme.margin

    @property
    def bottom(self) -> float:
        """Lowest y the body may reach: above the footer."""
        return SLIDE_H_PT - self.theme.footer_height - self.theme.margin / 4

    def height_of(self, paras, size: float, w: float, *, bold=False,
                  spacing: float = SIZES.body_spacing, bullets=False) -> float:
        """Outer height of a box of width ``w`` holding ``paras`` at ``size``."""
        inner = layout_height(paras, self.font(bold), size, w, spacing, bullets=bullets,
                              frame=DEFAULT_FRAME)
        return inner + DEFAULT_FRAME.inset_top + DEFAULT_FRAME.inset_bottom + EPS

    def title(self, slide, text: str) -> float:
        """The slide title with its brand bar; returns the y where the body starts."""
        x = self.left + (SIZES.bar_w + SIZES.bar_gap if self.decorate else 0)
        w = self.left + self.width - x
        h = self.height_of([text], SIZES.title, w, bold=True, spacing=SIZES.title_spacing)
        line = SIZES.title * SIZES.title_spacing
        if h > 2 * line + 8:
            raise RenderError(
                _("{path}: slide title {title} needs more than two lines at "
                  "{size} pt; shorten it in the template or the content").format(
                    path=self.outline, title=repr(text), size=f"{SIZES.title:g}")
            )
        y = SIZES.title_top
        self.text(slide, Box(x, y, w, h), [text], SIZES.title, self.ink, bold=True,
                  spacing=SIZES.title_spacing, name="Title")
        self.band(slide, Box(self.left, y + 6, SIZES.bar_w, line - 8), self.brand, "Title Bar")
        return y + h + SIZES.below_title


def continued(title: str, index: int) -> str:
    """"标题" for the first slide of a run, "标题（续）" for the others."""
    return title if index == 0 else f"{title}{CONTINUED}"


def even_chunks(heights: Sequence[float], room: float, gap: float,
                max_per_slide: int | None = None) -> list[list[int]]:
    """Indices of items grouped, in order, into as few slides as fit, and among those
    groupings the one whose fullest slide is least full: 7 items that need two
    slides become 4 + 3 (by height), not 6 + 1.  Raises ValueError(i) when item
    ``i`` alone is taller than ``room``."""
    n = len(heights)
    for i, h in enumerate(heights):
        if h > room:
            raise ValueError(i)
    if n == 0:
        return []

    def load(i: int, j: int) -> float:  # items i..j-1 on one slide
        if max_per_slide and j - i > max_per_slide:
            return float("inf")
        return sum(heights[i:j]) + gap * (j - i - 1)

    inf = float("inf")
    # best[k][j]: least possible fullest-slide load putting items 0..j-1 on k slides
    best = [[inf] * (n + 1) for _ in range(n + 1)]
    cut = [[0] * (n + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for k in range(1, n + 1):
        for j in range(1, n + 1):
            for i in range(k - 1, j):
                cand = max(best[k - 1][i], load(i, j))
                if cand < best[k][j]:
                    best[k][j], cut[k][j] = cand, i
        if best[k][n] <= room:
            groups, j = [], n
            for kk in range(k, 0, -1):
                i = cut[kk][j]
                groups.append(list(range(i, j)))
                j = i
            return groups[::-1]
    return [[i] for i in range(n)]  # pragma: no cover - one item per slide always fits


# ------------------------------------------------------------------------ lists


@dataclass
class Item:
    """One entry of a list slide: an optional marker (a number), headline, fact, notes."""

    headline: str
    fact: str = ""
    notes: str = ""
    marker: str = ""


def _draw_list(deck: Deck, kind: str, title: str, items: list[Item], *, numbered: bool,
               headline_size: float, headline_bold: bool = True,
               max_per_slide: int | None = None, slide_notes: str = "") -> None:
    """Headlines (with a bullet or a number) and facts under them, over as many
    slides as they need; each slide's notes hold the full text of its items."""
    size = headline_size
    marker_w = (text_width("00", deck.font(True), size) + 14.4 + 8) if numbered else 0.0
    x_head = deck.left + marker_w
    w_head = deck.left + deck.width - x_head
    indent = 0.0 if numbered else DEFAULT_FRAME.left_margin(size, 0, True)
    x_fact = x_head + indent
    w_fact = deck.left + deck.width - x_fact

    def parts(item: Item) -> tuple[float, float]:
        hh = deck.height_of([item.headline], size, w_head, bold=headline_bold,
                            bullets=not numbered)
        fh = deck.height_of([item.fact], SIZES.body, w_fact) if item.fact else 0.0
        return hh, fh

    top = deck_body_top(deck, title)
    room = deck.bottom - top
    sizes = [parts(it) for it in items]
    heights = [hh + fh for hh, fh in sizes]
    try:
        groups = even_chunks(heights, room, SIZES.item_gap, max_per_slide)
    except ValueError as err:
        item = items[err.args[0]]
        raise RenderError(
            _("{path}: {kind} slide {title}: the item {item}… is taller "
              "than a whole slide; give it a shorter headline or fact in the issue's "
              "`summaries`").format(path=deck.outline, kind=kind, title=repr(title),
                                    item=repr(item.headline[:20]))
        ) from None

    for n, group in enumerate(groups):
        notes = "\n\n".join(items[i].notes or _visible(items[i]) for i in group)
        if slide_notes and n == 0:
            notes = slide_notes + ("\n\n" + notes if notes else "")
        slide = deck.new_slide(kind, notes)
        y = deck.title(slide, continued(title, n))
        used = sum(heights[i] for i in group)
        gap = SIZES.item_gap
        if len(group) > 1:
            gap = min(SIZES.max_item_gap, max(gap, (room - used) / len(group)))
        for i in group:
            item, (hh, fh) = items[i], sizes[i]
            if numbered:
                deck.text(slide, Box(deck.left, y, marker_w, hh), [item.marker], size,
                          deck.brand, bold=True, name="Number")
                deck.text(slide, Box(x_head, y, w_head, hh), [item.headline], size, deck.ink,
                          bold=headline_bold, name="Headline")
            else:
                deck.text(slide, Box(x_head, y, w_head, hh), [item.headline], size, deck.ink,
                          bold=headline_bold, bullets=True, bullet_colour=deck.brand,
                          name="Headline")
            if item.fact:
                deck.text(slide, Box(x_fact, y + hh, w_fact, fh), [item.fact], SIZES.body,
                          deck.muted, name="Fact")
            y += hh + fh + gap


def _visible(item: Item) -> str:
    return item.headline + ("\n" + item.fact if item.fact else "")


def deck_body_top(deck: Deck, title: str) -> float:
    """Where the body starts under ``title`` (the same on its continuation slides)."""
    x = deck.left + (SIZES.bar_w + SIZES.bar_gap if deck.decorate else 0)
    w = deck.left + deck.width - x
    longest = f"{title}{CONTINUED}"
    h = deck.height_of([longest], SIZES.title, w, bold=True, spacing=SIZES.title_spacing)
    return SIZES.title_top + h + SIZES.below_title


# ----------------------------------------------------------------------- kinds


def draw_title(deck: Deck, e: dict) -> None:
    """Bulletin name large in brand red, the issue's theme, then issue line,
    publishers and date."""
    slide = deck.new_slide("title", e.get("notes", ""))
    w = deck.width
    x = deck.left + (SIZES.bar_w + 22 if deck.decorate else 0)
    wx = deck.left + w - x
    deck.band(slide, Box(0, 0, SLIDE_W_PT, 14), deck.brand, "Top Band")
    y = top = 140.0
    h = deck.height_of([e["title"]], SIZES.cover, wx, bold=True, spacing=1.15)
    deck.text(slide, Box(x, y, wx, h), [e["title"]], SIZES.cover, deck.brand, bold=True,
              spacing=1.15, name="Bulletin")
    y += h + 8
    if e.get("subtitle"):
        h = deck.height_of([e["subtitle"]], SIZES.cover_theme, wx, bold=True, spacing=1.2)
        deck.text(slide, Box(x, y, wx, h), [e["subtitle"]], SIZES.cover_theme, deck.ink,
                  bold=True, spacing=1.2, name="Theme")
        y += h
    deck.band(slide, Box(deck.left, top + 10, SIZES.bar_w, y - top - 18), deck.brand,
              "Cover Bar")
    y = max(y + 44, 330.0)
    deck.band(slide, Box(x + 7, y, 120, 3), deck.theme.accent, "Rule")
    y += 18
    lines = [str(s) for s in e.get("lines") or []]
    if lines:
        h = deck.height_of(lines, SIZES.body, wx, spacing=1.3)
        if y + h > SLIDE_H_PT - 24:
            raise RenderError(_("{path}: title slide: too many lines under the theme").format(
                path=deck.outline))
        deck.text(slide, Box(x, y, wx, h), lines, SIZES.body, deck.muted, name="Lines")


def draw_message(deck: Deck, e: dict) -> None:
    """The key message: a few sentences, large, with a gold rule at their left."""
    title = e["title"]
    paras = [Para(s) for s in e["bullets"]]
    top = deck_body_top(deck, title)
    x = deck.left + (SIZES.bar_w + SIZES.bar_gap if deck.decorate else 0)
    w = deck.left + deck.width - x
    size = SIZES.message
    boxes = split_to_fit(paras, deck.font(), size, w, deck.bottom - top, 1.5)
    for n, box_paras in enumerate(boxes):
        slide = deck.new_slide("message", e.get("notes", ""))
        y = deck.title(slide, continued(title, n))
        h = deck.height_of(box_paras, size, w, spacing=1.5)
        deck.band(slide, Box(deck.left, y + 4, SIZES.bar_w / 2, h - 8), deck.theme.accent,
                  "Quote Rule")
        deck.text(slide, Box(x, y, w, h), box_paras, size, deck.ink, spacing=1.5,
                  name="Message")


def draw_agenda(deck: Deck, e: dict) -> None:
    """The sections, numbered 01, 02 … in brand red."""
    items = [Item(str(t), marker=f"{i:02d}") for i, t in enumerate(e["items"], start=1)]
    _draw_list(deck, "agenda", e["title"], items, numbered=True, headline_size=SIZES.headline,
               headline_bold=False, slide_notes=e.get("notes", ""))


def draw_divider(deck: Deck, e: dict) -> None:
    """A section opener: its number large in brand red, its title, a gold rule."""
    slide = deck.new_slide("divider", e.get("notes", "") or e["title"])
    x = deck.left + 40
    w = deck.left + deck.width - x
    number = e.get("number")
    y = 120.0
    if number not in (None, ""):
        label = f"{int(number):02d}" if str(number).isdigit() else str(number)
        h = deck.height_of([label], SIZES.divider_number, w, bold=True, spacing=1.05)
        deck.text(slide, Box(x, y, w, h), [label], SIZES.divider_number, deck.brand, bold=True,
                  spacing=1.05, name="Section Number")
        y += h + 6
    else:
        y = 200.0
    deck.band(slide, Box(x + 7, y, 80, 3), deck.theme.accent, "Rule")
    y += 20
    h = deck.height_of([e["title"]], SIZES.divider, w, bold=True, spacing=1.2)
    if y + h > deck.bottom:
        raise RenderError(_("{path}: divider title {title} is too long for a slide").format(
            path=deck.outline, title=repr(e["title"])))
    deck.text(slide, Box(x, y, w, h), [e["title"]], SIZES.divider, deck.ink, bold=True,
              spacing=1.2, name="Section Title")


def _items(e: dict, numbered: bool) -> list[Item]:
    out = []
    for i, it in enumerate(e["items"], start=1):
        out.append(Item(str(it["headline"]), str(it.get("fact") or ""),
                        str(it.get("notes") or ""), f"{i:02d}" if numbered else ""))
    return out


def draw_points(deck: Deck, e: dict) -> None:
    """A section's points: headlines with a brand-red bullet, a fact under each
    where there is one; the points' full text in the notes."""
    _draw_list(deck, "points", e["title"], _items(e, False), numbered=False,
               headline_size=SIZES.headline, max_per_slide=e.get("per_slide"))


def draw_recommendations(deck: Deck, e: dict) -> None:
    """The recommendations, numbered in brand red, over as many slides as they need."""
    _draw_list(deck, "recommendations", e["title"], _items(e, True), numbered=True,
               headline_size=SIZES.headline, max_per_slide=e.get("per_slide"))


def draw_chart(deck: Deck, e: dict) -> None:
    """A native, editable chart of the issue's data, with its source and unit below."""
    chart = next((c for c in deck.issue.charts if c.id == e["chart"]), None)
    if chart is None:
        ids = ", ".join(c.id for c in deck.issue.charts) or "-"
        raise RenderError(_("{path}: chart {chart} is not in the issue's charts "
                            "(it has: {ids})").format(path=deck.outline, chart=repr(e["chart"]), ids=ids))
    title = e.get("title") or chart.title
    slide = deck.new_slide("chart", e.get("notes", "") or chart.title)
    y = deck.title(slide, title)
    caption = e.get("source")
    if caption is None:
        caption = f"数据来源：{chart.data_source}"
        if chart.unit:
            caption += f"　单位：{chart.unit}"
    ch = deck.height_of([caption], SIZES.small, deck.width) if caption else 0.0
    box = Box(deck.left, y, deck.width, deck.bottom - y - ch - 6)
    deck.chart(slide, box, chart)
    if caption:
        deck.text(slide, Box(deck.left, deck.bottom - ch, deck.width, ch), [caption],
                  SIZES.small, deck.muted, name="Source")


def draw_figures(deck: Deck, e: dict) -> None:
    """Key figures: value large in brand red with its unit, a short label, a short
    source line; two by two, continued on as many slides as needed."""
    title = e["title"]
    items = e["items"]
    top = deck_body_top(deck, title)
    room = deck.bottom - top
    col_gap, row_gap = 40.0, 22.0
    cell_w = (deck.width - col_gap) / 2

    def cell(it) -> tuple[float, float, float]:
        vh = deck.height_of([_value(it)], SIZES.figure, cell_w, bold=True, spacing=1.1)
        lh = deck.height_of([str(it["label"])], SIZES.body, cell_w, bold=True)
        sh = deck.height_of([str(it.get("source") or "")], SIZES.small, cell_w) \
            if it.get("source") else 0.0
        return vh, lh, sh

    parts = [cell(it) for it in items]
    rows = [list(range(i, min(i + 2, len(items)))) for i in range(0, len(items), 2)]
    row_h = [max(sum(parts[i]) for i in r) for r in rows]
    try:
        groups = even_chunks(row_h, room, row_gap)
    except ValueError:
        raise RenderError(_("{path}: figures: a label is too long for a slide; shorten it "
                            "in the issue's figures").format(path=deck.outline)) from None
    for n, group in enumerate(groups):
        shown = [i for g in group for i in rows[g]]
        notes = "\n\n".join(
            f"{_value(items[i])}：{items[i]['label']}。\n{items[i].get('notes') or ''}".strip()
            for i in shown
        )
        slide = deck.new_slide("figures", notes)
        y = deck.title(slide, continued(title, n))
        for g in group:
            for col, i in enumerate(rows[g]):
                _draw_figure(deck, slide, items[i], parts[i],
                             deck.left + col * (cell_w + col_gap), y, cell_w)
            y += row_h[g] + row_gap


def _value(it: dict) -> str:
    return f"{it['value']}{it.get('unit') or ''}"


def _draw_figure(deck: Deck, slide, it: dict, part, x: float, y: float, w: float) -> None:
    vh, lh, sh = part
    value, unit = str(it["value"]), str(it.get("unit") or "")
    font = deck.font(True)
    vw = min(w, text_width(value, font, SIZES.figure) * 1.02 + 14.4 + 4)
    deck.text(slide, Box(x, y, vw, vh), [value], SIZES.figure, deck.brand, bold=True,
              spacing=1.1, name="Figure Value", anchor="bottom")
    if unit:
        uw = w - vw + 10
        deck.text(slide, Box(x + vw - 10, y, uw, vh - 9), [unit], SIZES.figure_unit, deck.brand,
                  bold=True, spacing=1.1, name="Figure Unit", anchor="bottom")
    deck.band(slide, Box(x + 7, y + vh + 2, w - 14, 1), RULE_GREY, "Rule")
    y += vh + 6
    deck.text(slide, Box(x, y, w, lh), [str(it["label"])], SIZES.body, deck.ink, bold=True,
              name="Figure Label")
    if it.get("source"):
        deck.text(slide, Box(x, y + lh, w, sh), [str(it["source"])], SIZES.small, deck.muted,
                  name="Figure Source")


def draw_closing(deck: Deck, e: dict) -> None:
    """Thanks, and the colophon's contact details in two columns."""
    slide = deck.new_slide("closing", e.get("notes", ""))
    x = deck.left + 40
    w = deck.left + deck.width - x
    y = 110.0
    h = deck.height_of([e["title"]], SIZES.cover, w, bold=True, spacing=1.15)
    deck.text(slide, Box(x, y, w, h), [e["title"]], SIZES.cover, deck.brand, bold=True,
              spacing=1.15, name="Closing Title")
    y += h + 16
    deck.band(slide, Box(x + 7, y, 80, 3), deck.theme.accent, "Rule")
    y += 26
    lines = [str(s) for s in e.get("lines") or []]
    if not lines:
        return
    half = (len(lines) + 1) // 2 if len(lines) > 3 else len(lines)
    cols = [lines[:half], lines[half:]] if half < len(lines) else [lines]
    col_w = (w - 32) / len(cols)
    for c, col in enumerate(cols):
        boxes = split_to_fit(col, deck.font(), SIZES.body, col_w, deck.bottom - y, 1.4)
        if len(boxes) > 1:
            raise RenderError(_("{path}: closing: too many lines for the slide").format(
                path=deck.outline))
        h = deck.height_of(col, SIZES.body, col_w, spacing=1.4)
        deck.text(slide, Box(x + c * (col_w + 32), y, col_w, h), col, SIZES.body, deck.ink,
                  spacing=1.4, name="Contact")


#: slide kind → drawing function (and the keys its outline entry must have)
DRAW: dict[str, Callable[[Deck, dict], None]] = {
    "title": draw_title,
    "message": draw_message,
    "agenda": draw_agenda,
    "divider": draw_divider,
    "points": draw_points,
    "chart": draw_chart,
    "figures": draw_figures,
    "recommendations": draw_recommendations,
    "closing": draw_closing,
}

#: required keys of each kind's outline entry: key → type (list entries are checked too)
REQUIRED: dict[str, dict[str, type]] = {
    "title": {"title": str},
    "message": {"title": str, "bullets": list},
    "agenda": {"title": str, "items": list},
    "divider": {"title": str},
    "points": {"title": str, "items": list},
    "chart": {"chart": str},
    "figures": {"title": str, "items": list},
    "recommendations": {"title": str, "items": list},
    "closing": {"title": str},
}
#: keys each item of an ``items`` list must have
ITEM_KEYS: dict[str, tuple[str, ...]] = {
    "points": ("headline",),
    "recommendations": ("headline",),
    "figures": ("value", "label"),
}
