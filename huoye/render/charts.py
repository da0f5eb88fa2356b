"""Render step, shared by the PDF and HTML editions: a `Chart` of the model → inline SVG.

model ──▶ **charts.svg(chart, brand)** ──▶ briefing.html.j2 (figure) ──▶ pdf / html

Vector graphics written by hand (no matplotlib): every label is a real SVG
<text> element, so the words stay searchable and extractable in the PDF and
are drawn in the brand's serif family (the body face: no extra font to embed).
Kinds: "column" (vertical bars),
"bar" (horizontal bars, negative values to the left of the zero line),
"line" and "pie". The chart's title and source line are set by the template
around the SVG; the unit is printed in the SVG's corner.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from huoye.errors import Problem, RenderError
from huoye.i18n import _
from huoye.model import label_value

GRID = "#d9d4cc"
AXIS = "#6e675d"  # axis labels: 5.6:1 on white (WCAG 2 AA asks 4.5:1)
TEXT = "#333333"


@dataclass(frozen=True)
class Frame:
    """The drawing's width and base font size, in SVG units. The label sizes derive from
    `font` (axis ticks are the smallest, `font` - 1.5)."""

    width: float
    font: float


# The PDF: 480 units drawn 118 mm wide (10.5-unit labels are 7.3 pt).
PRINT = Frame(480, 10.5)
# The web: 340 units, drawn at 340-480 CSS px (screen.css), so that on a 390 px phone,
# where the chart is about 350 px wide, the smallest label (12 units) is >= 12 CSS px.
SCREEN = Frame(340, 13.5)


def _text_width(text: str, size: float) -> float:
    """Rough width of a label: full-width characters 1em, others 0.56em."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.56 for ch in text)


def fmt(value: float, number_format: str) -> str:
    """A value as printed on the chart, with the chart's number format ("0" or "0.0")."""
    return f"{value:.1f}" if number_format == "0.0" else f"{value:.0f}"


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / ticks if span > 0 else 1
    mag = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 2.5, 5, 10):
        if raw <= mult * mag:
            return mult * mag
    return 10 * mag


def _scale(values: list[float]) -> tuple[float, float, float]:
    """(low, high, step) of a value axis that includes zero and all values."""
    low, high = min(0.0, *values), max(0.0, *values)
    if high == low:  # every value is zero: an axis from 0 to 1
        high = 1.0
    step = _nice_step(high - low)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _t(x: float, y: float, text: str, anchor: str, size: float,
       fill: str = TEXT, weight: str | None = None) -> str:
    w = f' font-weight="{weight}"' if weight else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f'fill="{fill}"{w}>{escape(text)}</text>')


def _colours(brand) -> list[str]:
    return [brand.colour, brand.accent, "#5b6770", "#a8a29a", "#3f6e8c"]


def _legend(chart, colours: list[str], y: float, f: Frame) -> list[str]:
    out, x = [], 0.0
    for i, s in enumerate(chart.series):
        c = colours[i % len(colours)]
        out.append(f'<rect x="{x:.1f}" y="{y - 8:.1f}" width="9" height="9" fill="{c}"/>')
        out.append(_t(x + 13, y, s.name, "start", f.font - 1))
        x += 13 + _text_width(s.name, f.font - 1) + 16
    return out


def _heading(chart, colours: list[str], f: Frame) -> list[str]:
    """The legend along the top, and the unit in the top right corner."""
    return [*_legend(chart, colours, 12, f),
            _t(f.width - 2, 12, f"单位：{chart.unit}", "end", f.font - 1)]


def _ticks(low: float, high: float, step: float):
    """(value, label) of each value-axis tick from `low` to `high`."""
    label_format = "0.0" if step % 1 else "0"
    tick = low
    while tick <= high + step / 1000:
        yield tick, fmt(tick, label_format)
        tick += step


def _column(chart, colours, f: Frame) -> tuple[list[str], float]:
    values = [v for s in chart.series for v in s.values]
    low, high, step = _scale(values)
    top, height = 34.0, 150.0
    left, right = 44.0, f.width - 8
    ypos = lambda v: top + (high - v) / (high - low) * height
    out = _heading(chart, colours, f)
    for tick, label in _ticks(low, high, step):
        y = ypos(tick)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" '
                   f'stroke="{AXIS if tick == 0 else GRID}" stroke-width="{0.9 if tick == 0 else 0.5}"/>')
        out.append(_t(left - 6, y + 3.5, label, "end", f.font - 1.5, AXIS))
    n, k = len(chart.categories), len(chart.series)
    band = (right - left) / n
    bar = min(46.0, band * 0.6 / k)
    for ci, cat in enumerate(chart.categories):
        x0 = left + band * ci + (band - bar * k) / 2
        for si, s in enumerate(chart.series):
            v = s.values[ci]
            y1, y0 = sorted((ypos(v), ypos(0)))
            x = x0 + si * bar
            out.append(f'<rect x="{x:.1f}" y="{y1:.1f}" width="{bar - 2:.1f}" '
                       f'height="{max(y0 - y1, 0.5):.1f}" fill="{colours[si % len(colours)]}"/>')
            ly = y1 - 4 if v >= 0 else y0 + 12
            out.append(_t(x + (bar - 2) / 2, ly, label_value(v, chart.number_format, s.qualifier(ci)),
                          "middle", f.font - 0.5))
        out.append(_t(left + band * ci + band / 2, top + height + 16, cat, "middle", f.font))
    return out, top + height + 24


def _bar(chart, colours, f: Frame) -> tuple[list[str], float]:
    values = [v for s in chart.series for v in s.values]
    low, high, step = _scale(values)
    label_w = max(_text_width(c, f.font) for c in chart.categories) + 10
    # Room for the labels of negative values, drawn left of their bars.
    negative_w = max((_text_width(fmt(v, chart.number_format), f.font - 0.5) + 4
                      for v in values if v < 0), default=0)
    left, right = label_w + negative_w, f.width - 34
    top = 30.0
    k = len(chart.series)
    bar = max(18.0, f.font + 7)
    row = bar * k + 16
    height = row * len(chart.categories)
    xpos = lambda v: left + (v - low) / (high - low) * (right - left)
    out = _heading(chart, colours, f)
    for tick, label in _ticks(low, high, step):
        x = xpos(tick)
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + height:.1f}" '
                   f'stroke="{AXIS if tick == 0 else GRID}" stroke-width="{0.9 if tick == 0 else 0.5}"/>')
        out.append(_t(x, top + height + f.font + 2.5, label, "middle", f.font - 1.5, AXIS))
    for ci, cat in enumerate(chart.categories):
        y0 = top + row * ci + 8
        out.append(_t(left - 8, y0 + row / 2 - 4, cat, "end", f.font))
        for si, s in enumerate(chart.series):
            v = s.values[ci]
            x1, x2 = sorted((xpos(0), xpos(v)))
            y = y0 + si * bar
            out.append(f'<rect x="{x1:.1f}" y="{y:.1f}" width="{max(x2 - x1, 0.5):.1f}" '
                       f'height="{bar - 3}" fill="{colours[si % len(colours)]}"/>')
            lx, anchor = (x2 + 4, "start") if v >= 0 else (x1 - 4, "end")
            ly = y + bar / 2 + 1.5 + (f.font - PRINT.font) / 2
            out.append(_t(lx, ly, label_value(v, chart.number_format, s.qualifier(ci)), anchor,
                          f.font - 0.5))
    return out, top + height + f.font + 9.5


def _line(chart, colours, f: Frame) -> tuple[list[str], float]:
    values = [v for s in chart.series for v in s.values]
    low, high, step = _scale(values)
    top, height, left, right = 34.0, 150.0, 44.0, f.width - 16
    ypos = lambda v: top + (high - v) / (high - low) * height
    n = len(chart.categories)
    xpos = lambda i: left + (right - left) * (i + 0.5) / n
    out = _heading(chart, colours, f)
    for tick, label in _ticks(low, high, step):
        y = ypos(tick)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{GRID}" '
                   'stroke-width="0.5"/>')
        out.append(_t(left - 6, y + 3.5, label, "end", f.font - 1.5, AXIS))
    for si, s in enumerate(chart.series):
        c = colours[si % len(colours)]
        pts = " ".join(f"{xpos(i):.1f},{ypos(v):.1f}" for i, v in enumerate(s.values))
        out.append(f'<polyline points="{pts}" fill="none" stroke="{c}" stroke-width="1.6"/>')
        for i, v in enumerate(s.values):
            out.append(f'<circle cx="{xpos(i):.1f}" cy="{ypos(v):.1f}" r="2.4" fill="{c}"/>')
            out.append(_t(xpos(i), ypos(v) - 6, label_value(v, chart.number_format, s.qualifier(i)),
                          "middle", f.font - 1))
    for i, cat in enumerate(chart.categories):
        out.append(_t(xpos(i), top + height + 16, cat, "middle", f.font))
    return out, top + height + 24


def _pie(chart, colours, f: Frame) -> tuple[list[str], float]:
    values = chart.series[0].values
    total = sum(values)
    cx, cy, r = 110.0, 95.0, 75.0
    labels = [f"{cat}  {label_value(v, chart.number_format, chart.series[0].qualifier(i))}{chart.unit}"
              for i, (cat, v) in enumerate(zip(chart.categories, values))]
    # The legend beside the pie where it fits, else under it.
    beside = 246 + max(_text_width(label, f.font) for label in labels) <= f.width
    lx, ly0, line = (230.0, 30.0, 20.0) if beside else (20.0, cy + r + 12 + f.font, f.font + 8)
    out, angle = [], -math.pi / 2
    for i, (v, label) in enumerate(zip(values, labels)):
        sweep = 2 * math.pi * v / total
        a2 = angle + sweep
        x1, y1 = cx + r * math.cos(angle), cy + r * math.sin(angle)
        x2, y2 = cx + r * math.cos(a2), cy + r * math.sin(a2)
        large = 1 if sweep > math.pi else 0
        out.append(f'<path d="M{cx},{cy} L{x1:.1f},{y1:.1f} A{r},{r} 0 {large} 1 {x2:.1f},{y2:.1f} Z" '
                   f'fill="{colours[i % len(colours)]}" stroke="#fff" stroke-width="1"/>')
        ly = ly0 + i * line
        out.append(f'<rect x="{lx:g}" y="{ly - 9:g}" width="10" height="10" '
                   f'fill="{colours[i % len(colours)]}"/>')
        out.append(_t(lx + 16, ly, label, "start", f.font))
        angle = a2
    height = 190.0 if beside else ly0 + (len(values) - 1) * line + 10
    return out, max(190.0, height)


KINDS = {"column": _column, "bar": _bar, "line": _line, "pie": _pie}


def problems(chart) -> list[Problem]:
    """What keeps `chart` from being drawn, at its content line (the preflight asks before
    anything is rendered; `svg` refuses the same charts)."""
    where, field = chart.source, _("chart '{id}'").format(id=chart.id)
    if chart.kind not in KINDS:
        return [Problem(where.path, where.line, field,
                        _("unknown kind '{kind}'; use one of {kinds}").format(
                            kind=chart.kind, kinds=", ".join(KINDS)))]
    if chart.kind == "pie":
        if len(chart.series) != 1:
            return [Problem(where.path, where.line, field,
                            _("a pie shows one series, this chart has {n}; give it one series "
                              "or use kind: bar").format(n=len(chart.series)))]
        values = chart.series[0].values
        if sum(values) <= 0 or any(v < 0 for v in values):
            return [Problem(where.path, where.line, field,
                            _("a pie needs positive values; use kind: bar"))]
    return []


def svg(chart, brand, frame: Frame = PRINT) -> str:
    """The chart as an inline <svg> element (no XML declaration), labelled for screen readers;
    `frame` SCREEN draws it narrower with larger labels, for the web edition."""
    refused = problems(chart)
    if refused:
        raise RenderError(refused)
    draw = KINDS[chart.kind]
    body, height = draw(chart, _colours(brand), frame)
    label = quoteattr(f"{chart.title}（单位：{chart.unit}）")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img" '
            f'aria-label={label} viewBox="0 0 {frame.width:g} {height:.0f}" '
            f'width="{frame.width:g}" height="{height:.0f}" '
            f'font-family={quoteattr(brand.serif + ", serif")}>'
            f"<title>{escape(chart.title)}</title>" + "".join(body) + "</svg>")
