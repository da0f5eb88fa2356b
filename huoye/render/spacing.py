"""Render step support: a quarter em between Han characters and Latin letters or digits.

clreq (3.2.2) sets a quarter em between Han characters and Western letters or numerals
written without a space; the bulletin's house style sets them side by side, so this is
a series.yaml option (``cjk_latin_spacing: true``), off by default. No character is
inserted (the text a reader copies stays the text written): ``space_cjk_latin`` wraps,
in the text of an HTML document's body,

* a Han character followed by a Latin letter or digit in ``<span class="cjk-latin">``
  (the stylesheets give it ``letter-spacing: 0.25em``: its space falls after it), and
* a run of Latin letters or digits followed by a Han character in
  ``<span class="latin-cjk">`` (``margin-right: 0.25em``),

so the space sits in the gap and never at a line start; at a line end it is blank
space inside the justified line. Text inside ``<head>``, ``<svg>``, ``<script>`` and
``<style>`` and inside tags is left alone, as are character references.

The deck follows the same option with ``cjk_latin_gaps``: the characters after which
the quarter em goes, the same ones (``huoye.render.deck``: character spacing on them).
"""
from __future__ import annotations

import re

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
_LATIN = "A-Za-z0-9"
_PIECES = re.compile(r"(<!--.*?-->|<[^>]*>)", re.S)
_SKIPPED = ("head", "svg", "script", "style", "title")
_TEXT = re.compile(f"(&#?\\w+;)|([{_HAN}])(?=[{_LATIN}])|([{_LATIN}][{_LATIN}.%]*)(?=[{_HAN}])")


def _wrap(match: re.Match) -> str:
    if match.group(1):  # a character reference: as it is
        return match.group(1)
    if match.group(2):
        return f'<span class="cjk-latin">{match.group(2)}</span>'
    return f'<span class="latin-cjk">{match.group(3)}</span>'


def space_cjk_latin(html: str) -> str:
    """`html` with the Han/Latin boundaries of its body text wrapped (see the module doc)."""
    pieces = _PIECES.split(html)
    skipping: list[str] = []
    for i, piece in enumerate(pieces):
        if i % 2:  # a tag or a comment
            tag = re.match(r"<(/?)([a-zA-Z0-9]+)", piece)
            if tag and tag.group(2).lower() in _SKIPPED and not piece.endswith("/>"):
                if tag.group(1):
                    if skipping and skipping[-1] == tag.group(2).lower():
                        skipping.pop()
                else:
                    skipping.append(tag.group(2).lower())
        elif piece and not skipping:
            pieces[i] = _TEXT.sub(_wrap, piece)
    return "".join(pieces)


def cjk_latin_gaps(text: str) -> list[int]:
    """Indexes of the characters of plain `text` after which the option puts a quarter em:
    a Han character before a Latin letter or digit, the last character of a run of Latin
    letters or digits before a Han character (as ``space_cjk_latin`` wraps them)."""
    gaps = []
    for match in _TEXT.finditer(text):
        if match.group(2):
            gaps.append(match.start(2))
        elif match.group(3):
            gaps.append(match.end(3) - 1)
    return gaps
