"""render step: PowerPoint — one drawing function per slide kind.

outline entry (a mapping from templates/deck.yaml.j2) ──DRAW[kind]──▶ one or more slides

Each handler takes the :class:`Deck` and one checked outline entry and adds
its slides.  Layout is measured, never guessed: every text is measured with
:mod:`.measure` before its box is placed, lists that do not fit one slide go
on as many continuation slides (titled "标题（续）") as they need, split into
even parts, and no text is ever set below its size.  Handlers place boxes
through :class:`Deck`, which goes through :mod:`.pptxkit`; nothing here
touches python-pptx shapes or XML.

Every slide is named ``kind:<kind>`` (e.g. ``kind:points``, python-pptx's
``slide.name``) so tests and tools can read the outline back from the file; its
title is in its title placeholder, its body text in body placeholders of the
layouts in ``pptxkit.LAYOUTS`` (or of an editor's master).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from huoye.errors import RenderError
from huoye.i18n import _
from huoye.model import Chart, Issue, label_value, qualifier_comes_first
from huoye.summarise import speaker_notes, talking_points

from . import pptxkit as kit
from .measure import (
    DEFAULT_FRAME,
    FontSpec,
    FrameSpec,
    Para,
    ParaStyle,
    layout_height,
    split_to_fit,
    styled_height,
    text_width,
    wrap,
)
from .pptxkit import SLIDE_H_PT, SLIDE_W_PT, Box, DeckTheme, add_band, labels_clear_of_bars
from .theme import RULE_GREY, SIZES

OUTLINE = "templates/deck.yaml.j2"
CONTINUED = "（续）"
#: slide kind → the layout of huoye's master (pptxkit.LAYOUTS) it is drawn on
LAYOUT_OF: dict[str, str] = {
    "title": "Title",
    "divider": "Section Header",
    "message": "Title and Content",
    "agenda": "Title and Content",
    "points": "Title and Content",
    "recommendations": "Title and Content",
    "actions": "Title and Content",
    "figures": "Title and Content",
    "chart": "Chart",
    "table": "Table",
    "closing": "Closing",
}
EPS = 0.5  # pt of slack added to measured boxes against float rounding


# --------------------------------------------------------------------------- deck


@dataclass
class SlideRecord:
    """What one slide says, in plain values, as drawn (for the handout): its kind,
    title, texts (shape name, paragraphs), talking points, and a chart's sentence or a
    table's rows."""

    kind: str
    title: str = ""
    texts: list[tuple[str, list[str]]] = field(default_factory=list)
    talking: list[str] = field(default_factory=list)
    chart: str = ""
    table: tuple[list[str], list[list[str]]] | None = None


@dataclass
class Deck:
    """The presentation being drawn, its theme, and the slides made so far.

    ``layouts`` maps a slide kind (or "title" / "content") to a layout name of an
    editor's master; ``decorate`` is False when such a master supplies the design,
    so only text, charts and footers are drawn on its layouts.
    """

    prs: Any  # a python-pptx Presentation
    theme: DeckTheme
    issue: Issue
    layouts: dict[str, str] = field(default_factory=dict)
    decorate: bool = True
    outline: str = OUTLINE  # the outline template, as errors name it
    slides: list[tuple[object, str]] = field(default_factory=list)
    _unnamed: set[int] = field(default_factory=set)
    _titles: dict[int, str] = field(default_factory=dict)
    records: list[SlideRecord] = field(default_factory=list)
    fallback_font: object = None  # the installed CJK face (huoye.fonts.FontFile) measured for
    _record: dict[int, SlideRecord] = field(default_factory=dict)

    # ------------------------------------------------------------------ slides

    def new_slide(self, kind: str, notes: str = "", talking: Sequence[str] = ()):
        """A new slide for ``kind`` from its layout: the master's layout named for it in
        series.yaml ``deck.layouts`` (by kind, or by "title"/"content"), else the layout
        called as in :data:`LAYOUT_OF`; an editor's master without that layout gives its
        emptiest layout (text then goes in text boxes where it has no placeholder)."""
        role = "title" if kind in ("title", "closing") else "content"
        layout = self.layouts.get(kind) or self.layouts.get(role)
        if layout is None and (self.decorate or kit.has_layout(self.prs, LAYOUT_OF[kind])):
            layout = LAYOUT_OF[kind]
        try:
            slide = (kit.add_slide(self.prs, layout) if layout is not None
                     else kit.add_blank_slide(self.prs))
        except KeyError as err:
            raise RenderError(_(
                "{where}: deck.layouts: the master has no layout {layout!r} for the {kind} "
                "slides ({names}); name one of its layouts, or add that layout to the master"
            ).format(where=self.issue.series.source, layout=layout, kind=kind,
                     names=str(err.args[0]).split("; ", 1)[-1])) from None
        kit.set_slide_name(slide, f"kind:{kind}")
        self.slides.append((slide, kind))
        self._unnamed.add(id(slide))
        record = SlideRecord(kind, talking=talking_points([str(t) for t in talking], notes))
        self.records.append(record)
        self._record[id(slide)] = record
        if notes or talking:
            # three to five talking points, a rule, the full text (huoye.summarise)
            kit.add_notes(slide, speaker_notes([str(t) for t in talking], notes), self.theme)
        return slide

    def titles(self) -> list[str]:
        """Each slide's title, in order (as the outline view shows them)."""
        return [self._titles.get(id(slide), "") for slide, _kind in self.slides]

    def _name(self, slide, name: str | None) -> str | None:
        self._unnamed.discard(id(slide))  # something is drawn on it
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
            kit.drop_empty_placeholders(slide)

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
        texts = [p.text if isinstance(p, Para) else str(p) for p in paras]
        record = self._record.get(id(slide))
        if kw.get("placeholder") == "title":
            self._titles[id(slide)] = "".join(texts)
            if record is not None:
                record.title = "".join(texts)
        elif record is not None:
            record.texts.append((name or "", texts))
        return kit.add_text(slide, box, paras, self.font(bold), size, colour, bold=bold,
                            line_spacing=spacing, name=self._name(slide, name), **kw)

    def band(self, slide, box: Box, colour: str, name: str = "Band"):
        if self.decorate:
            add_band(slide, box, colour, self._name(slide, name) or name)

    def chart(self, slide, box: Box, chart: Chart) -> None:
        """A native chart: ticks without the unit, the unit once as the value axis's
        title, data labels with it; its alt text a sentence with all its data."""
        fmt = chart.number_format
        labels = fmt
        if chart.unit:
            labels += '"' + chart.unit.replace('"', "") + '"'
        drawn = kit.add_native_chart(
            slide, box, chart.kind, chart.categories,  # type: ignore[arg-type]
            [(s.name, s.values) for s in chart.series], fmt,
            font=self.font(), size=SIZES.chart, colour=self.ink, label_format=labels,
            value_axis_title=f"单位：{chart.unit}" if chart.unit and chart.kind != "pie" else None,
            alt_text=chart_alt_text(chart),
            point_labels={
                (si, pi): said_value(v, fmt, chart.unit, s.qualifier(pi))
                for si, s in enumerate(chart.series) for pi, v in enumerate(s.values)
                if v is not None and s.qualifier(pi)
            },
        )
        labels_clear_of_bars(drawn)
        record = self._record.get(id(slide))
        if record is not None:
            record.chart = chart_alt_text(chart)

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
                  spacing=SIZES.title_spacing, name="Title", placeholder="title")
        # the brand bar left of the title is on the layout (pptxkit.LAYOUTS)
        return y + h + SIZES.below_title


CHART_KIND_NAMES = {"bar": "条形图", "column": "柱形图", "line": "折线图", "pie": "饼图"}


def _number(v: float | None) -> str:
    if v is None:
        return "无数据"
    return f"{v:g}"


def said_value(value: float, number_format: str, unit: str, qualifier: str) -> str:
    """A value as said, its qualifier in its place: "大约5%", "20%以上", "3150亿元"."""
    text = label_value(value, number_format)
    if qualifier and qualifier_comes_first(qualifier):
        return qualifier + text + unit
    return text + unit + qualifier


def chart_alt_text(chart: Chart) -> str:
    """The chart as a sentence a screen reader reads: kind, title, every value with its
    category and unit, and the data source."""
    unit = chart.unit or ""
    parts = []
    for series in chart.series:
        values = "，".join(
            c + (_number(v) if v is None
                 else said_value(v, chart.number_format, unit, series.qualifier(i)))
            for i, (c, v) in enumerate(zip(chart.categories, series.values)))
        parts.append((f"{series.name}：" if len(chart.series) > 1 else "") + values)
    text = f"{CHART_KIND_NAMES.get(chart.kind, '图表')}「{chart.title}」：" + "；".join(parts) + "。"
    if chart.data_source:
        text += f"数据来源：{chart.data_source}。"
    return text


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
    # best[k][j]: least possible fullest-slide load putting items 0..j-1 on k slides (inf
    # when they need more room than a slide has: such a grouping is never the answer)
    best = [[inf] * (n + 1) for _ in range(n + 1)]
    cut = [[0] * (n + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for k in range(1, n + 1):
        for j in range(1, n + 1):
            # the last slide holds items i..j-1, from one item up: its load only grows, so
            # the first i whose load is over the room ends the search (linear in the items
            # a slide can hold, not in all the items; ties keep the smallest i)
            for i in range(j - 1, k - 2, -1):
                last = load(i, j)
                if last > room:
                    break
                cand = max(best[k - 1][i], last)
                if cand <= best[k][j]:
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
    slides as they need, in the slide's body placeholder (one paragraph each, so
    PowerPoint's outline view lists them); each slide's notes hold the full text of
    its items."""
    size = headline_size
    if numbered:
        indent = text_width("00.", deck.font(True), size) + 14.0
    else:
        indent = DEFAULT_FRAME.left_margin(size, 0, True)
    x, w = deck.left, deck.width

    def styles(item: Item, number: int, gap: float) -> list[ParaStyle]:
        head = ParaStyle(size, deck.ink, headline_bold, "number" if numbered else "bullet",
                         deck.brand, number, indent, indent, gap, SIZES.body_spacing)
        out = [head]
        if item.fact:
            out.append(ParaStyle(SIZES.body, deck.muted, False, indent=indent,
                                 space_before=2.0, spacing=SIZES.body_spacing))
        return out

    def texts(item: Item) -> list[str]:
        return [item.headline] + ([item.fact] if item.fact else [])

    def height(item: Item) -> float:
        return styled_height(texts(item), styles(item, 1, 0.0), deck.font(), w)

    top = deck_body_top(deck, title)
    insets = DEFAULT_FRAME.inset_top + DEFAULT_FRAME.inset_bottom + EPS
    room = deck.bottom - top - insets
    heights = [height(it) for it in items]
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
        own = "\n\n".join(items[i].notes for i in group if items[i].notes)
        lead = slide_notes if (n == 0 or not own) else ""
        notes = "\n\n".join(t for t in (lead, own) if t) or \
            "\n\n".join(_visible(items[i]) for i in group)
        slide = deck.new_slide(kind, notes, [_visible(items[i]).replace("\n", "：")
                                             for i in group])
        y = deck.title(slide, continued(title, n))
        used = sum(heights[i] for i in group)
        gap = SIZES.item_gap
        if len(group) > 1:
            gap = min(SIZES.max_item_gap, max(gap, (room - used) / len(group)))
        paras: list[str] = []
        paragraph_styles: list[ParaStyle] = []
        for i in group:
            paras += texts(items[i])
            paragraph_styles += styles(items[i], i + 1, gap)
        h = styled_height(paras, paragraph_styles, deck.font(), w) + insets
        deck.text(slide, Box(x, y, w, h), paras, size, deck.ink, name="List",
                  placeholder="body1", styles=paragraph_styles)


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
    slide = deck.new_slide("title", e.get("notes", ""),
                           [e["title"], e.get("subtitle") or "", *(e.get("lines") or [])])
    w = deck.width
    x = deck.left + (SIZES.bar_w + 22 if deck.decorate else 0)
    wx = deck.left + w - x
    # the top band in brand colour is on the layout (pptxkit.LAYOUTS)
    y = top = 140.0
    h = deck.height_of([e["title"]], SIZES.cover, wx, bold=True, spacing=1.15)
    deck.text(slide, Box(x, y, wx, h), [e["title"]], SIZES.cover, deck.brand, bold=True,
              spacing=1.15, name="Bulletin", placeholder="title")
    y += h + 8
    if e.get("subtitle"):
        h = deck.height_of([e["subtitle"]], SIZES.cover_theme, wx, bold=True, spacing=1.2)
        deck.text(slide, Box(x, y, wx, h), [e["subtitle"]], SIZES.cover_theme, deck.ink,
                  bold=True, spacing=1.2, name="Theme", placeholder="subtitle")
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
        deck.text(slide, Box(x, y, wx, h), lines, SIZES.body, deck.muted, name="Lines",
                  placeholder="body2")


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
        slide = deck.new_slide("message", e.get("notes", ""), [p.text for p in box_paras])
        y = deck.title(slide, continued(title, n))
        h = deck.height_of(box_paras, size, w, spacing=1.5)
        deck.band(slide, Box(deck.left, y + 4, SIZES.bar_w / 2, h - 8), deck.theme.accent,
                  "Quote Rule")
        deck.text(slide, Box(x, y, w, h), box_paras, size, deck.ink, spacing=1.5,
                  name="Message", placeholder="body1")


def draw_agenda(deck: Deck, e: dict) -> None:
    """The sections, numbered 01, 02 … in brand red."""
    items = [Item(str(t["headline"]), str(t.get("fact") or ""), marker=f"{i:02d}")
             if isinstance(t, dict) else Item(str(t), marker=f"{i:02d}")
             for i, t in enumerate(e["items"], start=1)]
    _draw_list(deck, "agenda", e["title"], items, numbered=True, headline_size=SIZES.headline,
               headline_bold=False, slide_notes=e.get("notes", ""))


def draw_divider(deck: Deck, e: dict) -> None:
    """A section or article opener: its number large in brand red (if any), a gold rule,
    its title, then the optional ``lines`` (an article's authors with their
    affiliations) and ``bullets`` (a short message the divider carries, so that no
    slide of a few words follows it)."""
    slide = deck.new_slide("divider", e.get("notes", "") or e["title"],
                           [e["title"], *(e.get("lines") or []), *(e.get("bullets") or [])])
    x = deck.left + 40
    w = deck.left + deck.width - x
    number = e.get("number")
    label = ""
    if number not in (None, ""):
        label = f"{int(number):02d}" if str(number).isdigit() else str(number)
    lines = [str(t) for t in e.get("lines") or [] if str(t).strip()]
    bullets = [str(t) for t in e.get("bullets") or [] if str(t).strip()]
    nh = deck.height_of([label], SIZES.divider_number, w, bold=True, spacing=1.05) if label else 0.0
    th = deck.height_of([e["title"]], SIZES.divider, w, bold=True, spacing=1.2)
    lh = deck.height_of(lines, SIZES.body, w) if lines else 0.0
    bh = deck.height_of(bullets, SIZES.body, w) if bullets else 0.0
    total = (nh + 6 if label else 0.0) + 20 + th + (12 + lh if lines else 0.0) \
        + (16 + bh if bullets else 0.0)
    y = 120.0 if label else 200.0
    y = max(deck.theme.margin, min(y, deck.bottom - total))
    if y + total > deck.bottom:
        raise RenderError(_("{outline}: divider {title!r}: the title and what it carries are "
                            "too long for a slide; shorten them").format(
            outline=deck.outline, title=e["title"]))
    if label:
        deck.text(slide, Box(x, y, w, nh), [label], SIZES.divider_number, deck.brand, bold=True,
                  spacing=1.05, name="Section Number", placeholder="body1")
        y += nh + 6
    deck.band(slide, Box(x + 7, y, 80, 3), deck.theme.accent, "Rule")
    y += 20
    deck.text(slide, Box(x, y, w, th), [e["title"]], SIZES.divider, deck.ink, bold=True,
              spacing=1.2, name="Section Title", placeholder="title")
    y += th
    if lines:
        y += 12
        deck.text(slide, Box(x, y, w, lh), lines, SIZES.body, deck.muted, name="Byline",
                  placeholder=None if label else "body1")
        y += lh
    if bullets:
        y += 16
        deck.text(slide, Box(x, y, w, bh), bullets, SIZES.body, deck.ink, name="Message",
                  placeholder=None if label or lines else "body1")


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
               headline_size=SIZES.headline, max_per_slide=e.get("per_slide"),
               slide_notes=e.get("notes") or "")


def draw_recommendations(deck: Deck, e: dict) -> None:
    """The recommendations, numbered in brand red, over as many slides as they need."""
    _draw_list(deck, "recommendations", e["title"], _items(e, True), numbered=True,
               headline_size=SIZES.headline, max_per_slide=e.get("per_slide"),
               slide_notes=e.get("notes") or "")


def draw_chart(deck: Deck, e: dict) -> None:
    """A native, editable chart of the issue's data, with its source and unit below."""
    chart = next((c for c in deck.issue.charts if c.id == e["chart"]), None)
    if chart is None:
        ids = ", ".join(c.id for c in deck.issue.charts) or "-"
        raise RenderError(_("{path}: chart {chart} is not in the issue's charts "
                            "(it has: {ids})").format(path=deck.outline, chart=repr(e["chart"]), ids=ids))
    title = e.get("title") or chart.title
    slide = deck.new_slide("chart", e.get("notes", "") or chart.title, [chart_alt_text(chart)])
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
                  SIZES.small, deck.muted, name="Source", placeholder="body1")


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
        slide = deck.new_slide("figures", notes,
                               [f"{_value(items[i])}：{items[i]['label']}" for i in shown])
        y = deck.title(slide, continued(title, n))
        for g in group:
            for col, i in enumerate(rows[g]):
                _draw_figure(deck, slide, items[i], parts[i],
                             deck.left + col * (cell_w + col_gap), y, cell_w)
            y += row_h[g] + row_gap


def _value(it: dict) -> str:
    """The value as said: qualifier, number, unit ("近3150亿元", "70%以上")."""
    return f"{_number_text(it)}{_unit_text(it)}"


def _number_text(it: dict) -> str:
    return f"{it.get('before') or ''}{it['value']}"


def _unit_text(it: dict) -> str:
    return f"{it.get('unit') or ''}{it.get('after') or ''}"


#: the value's box ends right after its digits and the unit's box starts there: no overlap
VALUE_FRAME = FrameSpec(inset_right=0.0)
UNIT_FRAME = FrameSpec(inset_left=3.0)


def _draw_figure(deck: Deck, slide, it: dict, part, x: float, y: float, w: float) -> None:
    vh, lh, sh = part
    value, unit = _number_text(it), _unit_text(it)
    font = deck.font(True)
    vw = VALUE_FRAME.inset_left + text_width(value, font, SIZES.figure) / (
        1 - VALUE_FRAME.width_safety) + 2
    if unit:
        vw = min(vw, w * 0.7)
    else:
        vw = min(vw, w)
    deck.text(slide, Box(x, y, vw, vh), [value], SIZES.figure, deck.brand, bold=True,
              spacing=1.1, name="Figure Value", anchor="bottom", frame=VALUE_FRAME)
    if unit:
        deck.text(slide, Box(x + vw, y, w - vw, vh - 9), [unit], SIZES.figure_unit, deck.brand,
                  bold=True, spacing=1.1, name="Figure Unit", anchor="bottom", frame=UNIT_FRAME)
    deck.band(slide, Box(x + 7, y + vh + 2, w - 14, 1), RULE_GREY, "Rule")
    y += vh + 6
    deck.text(slide, Box(x, y, w, lh), [str(it["label"])], SIZES.body, deck.ink, bold=True,
              name="Figure Label")
    if it.get("source"):
        deck.text(slide, Box(x, y + lh, w, sh), [str(it["source"])], SIZES.small, deck.muted,
                  name="Figure Source")


TABLE_SIZE = SIZES.small  # table cells: the floor, so that tables keep their columns
#: table cell lines: LibreOffice lays a cell's lines at no less than the CJK face's own
#: height (~1.45 em) whatever the exact spacing says; 1.5 em holds in both renderers
TABLE_SPACING = 1.5


def _cell_height(deck: Deck, text: str, width: float, bold: bool) -> float:
    usable = (width - 2 * kit.CELL_MARGIN_X - TABLE_SIZE) * (1 - DEFAULT_FRAME.width_safety)
    lines = len(wrap(text, deck.font(bold), TABLE_SIZE, usable)) if text else 1
    return lines * TABLE_SIZE * TABLE_SPACING + 2 * kit.CELL_MARGIN_Y + 1.0


def _column_widths(deck: Deck, header: list[str], rows: list[list[str]], total: float) -> list[float]:
    """Widths in proportion to each column's longest line (header bold), each at least
    three characters wide: narrow columns of numbers, wide columns of words."""
    # one em of slack: a renderer may space "（%）" wider than measured (LibreOffice's
    # Asian/Western autospace around a sign between full-width brackets)
    pad = 2 * kit.CELL_MARGIN_X + 4 + TABLE_SIZE
    natural = []
    for c, head in enumerate(header):
        widest = text_width(head, deck.font(True), TABLE_SIZE)
        for r in rows:
            if c < len(r):
                widest = max(widest, text_width(r[c], deck.font(), TABLE_SIZE))
        natural.append(widest / (1 - DEFAULT_FRAME.width_safety) + pad)
    floor = 3 * TABLE_SIZE + pad
    if sum(natural) <= total:
        return natural
    widths = [max(floor, w) for w in natural]
    # shrink the widest columns first until the table fits the slide's width
    while sum(widths) > total + 0.01:
        excess = sum(widths) - total
        widest = max(widths)
        wide = [i for i, w in enumerate(widths) if w >= widest - 0.01]
        others = [w for w in widths if w < widest - 0.01]
        step = min(excess / len(wide), widest - (max(others) if others else floor))
        if step <= 0.01:
            step = excess / len(wide)
        for i in wide:
            widths[i] -= step
        if min(widths) < floor - 0.01:
            raise ValueError("too many columns")
    return widths


def draw_table(deck: Deck, e: dict) -> None:
    """A native PowerPoint table of the issue, its header repeated on as many （续）
    slides as its rows need; its source and unit below it."""
    table = next((t for t in deck.issue.tables if t.id == e["table"]), None)
    if table is None:
        ids = ", ".join(t.id for t in deck.issue.tables) or "none"
        raise RenderError(_("{outline}: table {table!r} is not in the issue (it has: {ids})")
                          .format(outline=deck.outline, table=e["table"], ids=ids))
    title = e.get("title") or table.caption
    header = [c.text for c in table.header]
    rows = [[c.text for c in r] for r in table.rows]
    align = ["right" if dec else (a or "left") for dec, a in zip(table.decimal_columns, table.align)]
    caption = e.get("source")
    if caption is None:
        parts = []
        if table.data_source:
            parts.append(f"{table.data_source_label}：{table.data_source}")
        if table.unit:
            parts.append(f"单位：{table.unit}")
        caption = "　".join(parts)
    try:
        widths = _column_widths(deck, header, rows, deck.width)
    except ValueError:
        raise RenderError(_("{outline}: table {caption!r} has too many columns for a slide at "
                            "{size:g} pt; split it in the content").format(
            outline=deck.outline, caption=table.caption, size=TABLE_SIZE)) from None
    head_h = max(_cell_height(deck, t, w, True) for t, w in zip(header, widths))
    row_h = [max(_cell_height(deck, r[c] if c < len(r) else "", w, False)
                 for c, w in enumerate(widths)) for r in rows]
    top = deck_body_top(deck, title)
    ch = deck.height_of([caption], SIZES.small, deck.width) if caption else 0.0
    room = deck.bottom - top - ch - 6 - head_h
    try:
        groups = even_chunks(row_h, room, 0.0)
    except ValueError:
        raise RenderError(_("{outline}: a row of table {caption!r} is taller than a slide; "
                            "shorten its cells").format(outline=deck.outline,
                                                        caption=table.caption)) from None
    for n, group in enumerate(groups):
        slide = deck.new_slide("table", e.get("notes") or table.text, [table.caption])
        y = deck.title(slide, continued(title, n))
        y = max(y, top)
        heights = [head_h] + [row_h[i] for i in group]
        box = Box(deck.left, y, sum(widths), sum(heights))
        deck._record[id(slide)].table = (header, [rows[i] for i in group])
        kit.add_table(slide, box, header, [rows[i] for i in group], widths, heights,
                      deck.font(), TABLE_SIZE, ink=deck.ink, align=align,
                      line_spacing=TABLE_SPACING,
                      name=deck._name(slide, "Table") or "Table",
                      alt_text=f"{table.caption}" + (f"（单位：{table.unit}）" if table.unit else "")
                      + "，" + "、".join(header) + f"，共{len(rows)}行"
                      + (f"，本页第{group[0] + 1}至{group[-1] + 1}行" if len(groups) > 1 else ""))
        if caption:
            deck.text(slide, Box(deck.left, deck.bottom - ch, deck.width, ch), [caption],
                      SIZES.small, deck.muted, name="Source", placeholder="body1")


def draw_closing(deck: Deck, e: dict) -> None:
    """Thanks, and the colophon's contact details in two columns."""
    slide = deck.new_slide("closing", e.get("notes", ""), [e["title"], *(e.get("lines") or [])])
    x = deck.left + 40
    w = deck.left + deck.width - x
    y = 110.0
    h = deck.height_of([e["title"]], SIZES.cover, w, bold=True, spacing=1.15)
    deck.text(slide, Box(x, y, w, h), [e["title"]], SIZES.cover, deck.brand, bold=True,
              spacing=1.15, name="Closing Title", placeholder="title")
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
                  spacing=1.4, name="Contact", placeholder="body1" if c == 0 else None)


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
    "table": draw_table,
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
    "table": {"table": str},
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
