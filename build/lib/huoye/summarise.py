"""Derive step: summaries for the deck, as Jinja2 filters the outline template calls.

- `headline(point)`: the point's headline (its sub-heading, or the first sentence
  of a numbered paragraph), unless the editor wrote one in `summaries`.
- `supporting_fact(point)`: the first sentence of the point that states a figure
  (a number with a unit such as %、倍、亿、个, not a bare year), trimmed to the
  clauses that carry the figure when it is long; the editor's `fact` wins.
- `key_message(issue)`: the editor's note shortened at sentence boundaries,
  unless the editor wrote `summaries.note`.
- `shorten(text, max_chars)`: leading sentences of `text` within `max_chars`.

Editors change what the deck says by editing `templates/deck.yaml.j2` (which
slides, in what order, with which filters) or `summaries` in the issue, not Python.
"""
from __future__ import annotations

import re

from huoye.model import Issue, Point, first_sentence, sentences

FIGURE = re.compile(
    r"\d+(?:\.\d+)?\s*(?:余|多)?(?:%|％|倍|亿|万|千|百|个|家|项|名|人|国|种|层|美元|元|日元|吨|纳米|小时|天)"
)
FACT_MAX_CHARS = 48


def headline(point: Point) -> str:
    return point.summary_headline or point.headline


def has_figure(sentence: str) -> bool:
    return bool(FIGURE.search(sentence))


def supporting_fact(point: Point, max_chars: int = FACT_MAX_CHARS) -> str:
    """One sentence with a figure from the point's text, or "" where there is none."""
    if point.summary_fact:
        return point.summary_fact
    text = point.full_text
    if point.style == "lead":
        text = text[len(first_sentence(text)[0]):]
    for s in sentences(text):
        if has_figure(s):
            return trim_to_figures(s, max_chars)
    return ""


def trim_to_figures(sentence: str, max_chars: int = FACT_MAX_CHARS) -> str:
    """A long sentence cut down to its clauses that carry a figure (and the first clause)."""
    if len(sentence) <= max_chars:
        return sentence
    body = sentence.rstrip("。！？")
    clauses = [c for c in re.split(r"[，；]", body) if c]
    kept = [c for c in clauses if has_figure(c)]
    if clauses and clauses[0] not in kept and len(clauses[0]) + sum(map(len, kept)) < max_chars:
        kept.insert(0, clauses[0])
    out = "，".join(kept)
    if len(out) > max_chars:
        out = kept[0] if kept else body
    return out + "。"


def shorten(text: str, max_chars: int = 120) -> list[str]:
    """Leading sentences of `text` whose total length stays within `max_chars` (at least one)."""
    out: list[str] = []
    total = 0
    for s in sentences(text):
        if out and total + len(s) > max_chars:
            break
        out.append(s)
        total += len(s)
    return out


def key_message(issue: Issue, max_chars: int = 120) -> list[str]:
    return issue.summary_note or shorten(issue.note, max_chars)


def point_text(point: Point) -> str:
    """The full text of a point for speaker notes: label, headline and paragraphs."""
    head = point.label + point.headline
    if point.style == "lead":
        return point.label + point.full_text
    return head + "\n" + point.full_text


FILTERS = {
    "headline": headline,
    "supporting_fact": supporting_fact,
    "key_message": key_message,
    "shorten": shorten,
    "point_text": point_text,
}
