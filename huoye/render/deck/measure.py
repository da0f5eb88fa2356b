"""render step: PowerPoint — text measurement with metrics fixed by huoye.

The deck layer never shrinks text to make it fit: it measures, wraps and, when a
list of bullets is too long for one box, spreads it over several boxes
(continuation slides).  Everything here is in points (1 pt = 1/72 in = 12700 EMU).

How a width is measured
    With metrics fixed by huoye, never with the fonts the build machine happens to
    have, so the same input gives the same deck everywhere.  The deck names
    Microsoft YaHei and Arial, which cannot be installed here: a Han character,
    kana, hangul or full-width form is 1 em (true of YaHei and Noto Sans CJK
    alike); any other character takes its advance in Liberation Sans, Arial's
    metric twin, from the width table shipped in ``data/`` (written by
    ``scripts/liberation_widths.py``), plus ``LATIN_SAFETY``; a character
    Liberation Sans lacks is 1 em.  Characters whose font depends on the renderer
    (curly quotes, …, —, ·) are 1 em, the wider of both.  PowerPoint applies no
    kerning unless a run asks for it (we never do) and CJK needs no shaping, so
    summed advances are what the renderers lay out.

How a box is laid out
    The caller passes the *outer* box (the shape's width and height).  The text
    frame insets, bullet indents, exact line spacing and paragraph spacing are
    described by :class:`FrameSpec`; ``pptxkit`` writes exactly those values
    into the XML, so measure and file agree.  Line spacing is written as an
    *exact* point value (``a:spcPts``) = ``line_spacing × size``, which makes line
    height independent of each font's ascent/descent and of the renderer.
"""

from __future__ import annotations

import contextvars
import functools
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from huoye.render.spacing import cjk_latin_gaps

__all__ = [
    "NO_LINE_END",
    "NO_LINE_START",
    "FontSpec",
    "FrameSpec",
    "Para",
    "ParaStyle",
    "TextDoesNotFitError",
    "fits",
    "has_east_asian",
    "is_east_asian_char",
    "layout_height",
    "line_height",
    "split_to_fit",
    "styled_height",
    "text_width",
    "wrap",
]

EMU_PER_PT = 12700

# --- Chinese line-breaking rules (GB/T 15834 practice, PowerPoint's kinsoku defaults) ---
#: characters that must not begin a line (closing punctuation)
NO_LINE_START = frozenset("，。、；：？！）》〉」』】〗〕］｝”’…‥%％,.;:?!)]}·～〜ー—–")
#: characters that must not end a line (opening punctuation)
NO_LINE_END = frozenset("（《〈「『【〖〔［｛“‘([{")

#: characters whose glyph comes from the Latin or the East Asian font depending on
#: the renderer and the run language; measured as the widest of both.
_AMBIGUOUS = frozenset("“”‘’…—–·•※°")


class TextDoesNotFitError(ValueError):
    """Raised when text cannot be laid out in the box it was given (``start``: the
    beginning of its text; ``need`` and ``room``: the height it needs and the box's, pt)."""

    start: str = ""
    need: float = 0.0
    room: float = 0.0


@dataclass(frozen=True)
class FontSpec:
    """The faces a run names, plus the fallback used when they are not installed.

    ``latin`` and ``east_asian`` are written into the file (``a:latin``/``a:ea``);
    ``fallback_east_asian`` is the installed CJK face used to measure (and the one
    LibreOffice substitutes on a machine without 微软雅黑).
    """

    latin: str = "Arial"
    east_asian: str = "Microsoft YaHei"
    fallback_east_asian: str = "Noto Sans CJK SC"
    bold: bool = False

    def with_bold(self, bold: bool = True) -> FontSpec:
        return FontSpec(self.latin, self.east_asian, self.fallback_east_asian, bold)


@dataclass(frozen=True)
class FrameSpec:
    """Geometry of a text frame, in points.  Defaults = python-pptx/PowerPoint defaults.

    ``bullet_indent_em``: left margin of bulleted text per level, in ems of the
    font size (the bullet hangs in that margin).  ``space_before_em``: extra
    space above every paragraph but the first, in ems.
    """

    inset_left: float = 7.2  # 0.1 in
    inset_right: float = 7.2
    inset_top: float = 3.6  # 0.05 in
    inset_bottom: float = 3.6
    bullet_indent_em: float = 1.2
    space_before_em: float = 0.4
    #: fraction of the usable width kept free, against renderer rounding
    width_safety: float = 0.02

    def text_width(self, box_w_pt: float, size_pt: float, level: int, bullets: bool) -> float:
        w = box_w_pt - self.inset_left - self.inset_right
        w -= self.left_margin(size_pt, level, bullets)
        return w * (1.0 - self.width_safety)

    def text_height(self, box_h_pt: float) -> float:
        return box_h_pt - self.inset_top - self.inset_bottom

    def left_margin(self, size_pt: float, level: int, bullets: bool) -> float:
        steps = level + 1 if bullets else level
        return steps * self.bullet_indent_em * size_pt

    def space_before(self, size_pt: float) -> float:
        return self.space_before_em * size_pt


DEFAULT_FRAME = FrameSpec()


@dataclass(frozen=True)
class Para:
    """One paragraph.  ``continued`` marks the tail of a paragraph that was split
    over two boxes: it is indented like a bullet but shows no bullet."""

    text: str
    level: int = 0
    continued: bool = False


def _as_para(p: str | Para) -> Para:
    return p if isinstance(p, Para) else Para(str(p))


# --------------------------------------------------------------------------- fonts

#: the shipped advance widths of Liberation Sans Regular and Bold
WIDTH_TABLE = Path(__file__).with_name("data") / "liberation-sans-widths.json"
#: Latin text is measured this much wider than Liberation Sans draws it, against
#: renderer rounding and hinting
LATIN_SAFETY = 0.04


@functools.lru_cache(maxsize=2)
def _latin_table(bold: bool) -> dict[int, float]:
    """Em advance of every character of Liberation Sans (Regular or Bold)."""
    data = json.loads(WIDTH_TABLE.read_text(encoding="utf-8"))
    upem = data["units_per_em"]
    out: dict[int, float] = {}
    for first, widths in data["bold" if bold else "regular"].items():
        for offset, width in enumerate(widths):
            out[int(first) + offset] = width / upem
    return out


# --------------------------------------------------------------------- characters


#: the characters PowerPoint draws with the run's East Asian (``a:ea``) font
_EAST_ASIAN = re.compile(
    "["
    "\u2e80-\u2fdf"  # CJK radicals, Kangxi
    "\u3000-\u30ff"  # CJK symbols & punctuation, kana
    "\u3100-\u31ff"  # bopomofo, kanbun, strokes
    "\u3200-\u4dbf"  # enclosed CJK, CJK ext A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uac00-\ud7af"  # hangul
    "\uf900-\ufaff"  # compatibility ideographs
    "\ufe30-\ufe4f"  # CJK compatibility forms
    "\uff00-\uffef"  # halfwidth & fullwidth forms
    "\U00020000-\U0003ffff"  # ext B–
    "]"
)


def is_east_asian_char(ch: str) -> bool:
    """True when PowerPoint draws ``ch`` with the run's East Asian (``a:ea``) font."""
    return _EAST_ASIAN.fullmatch(ch) is not None


def has_east_asian(text: str) -> bool:
    return _EAST_ASIAN.search(text) is not None


class _PerChar(dict):
    """``compute(ch)`` for every character, each worked out once when first met
    (a text has few distinct characters and is measured many times while wrapping)."""

    #: characters remembered at most; the memo starts afresh beyond (hostile input)
    LIMIT = 65536

    def __init__(self, compute) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, ch: str):
        if len(self) >= self.LIMIT:
            self.clear()
        value = self[ch] = self.compute(ch)
        return value


def _char_width_em(ch: str, font: FontSpec) -> float:
    if ch == "\t":
        return 2.0  # rare in body text; a tab stop is at most ~1 in at 36 pt
    if unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0.0
    if is_east_asian_char(ch) or ch in _AMBIGUOUS:
        return 1.0
    width = _latin_table(font.bold).get(ord(ch))
    if width is None:
        return 1.0  # the renderer falls back to some other face: assume a full em
    return width * (1.0 + LATIN_SAFETY)


@functools.lru_cache(maxsize=64)
def _widths(font: FontSpec) -> _PerChar:
    """Em width of each character in ``font``, as :func:`_char_width_em` measures it."""
    return _PerChar(functools.partial(_char_width_em, font=font))


#: LibreOffice puts this much space (measured: 0.238 em) wherever Asian and Western
#: script meet ("2024年", "GDP同比"); PowerPoint does not.  Counted, to stay safe.
ASIAN_WESTERN_GAP_EM = 0.25

# the script of a character for LibreOffice's autospacing
_SPACE, _ASIAN, _WESTERN, _NEUTRAL = "space", "asian", "western", "neutral"


def _script_of(ch: str) -> str:
    """Letters and digits are Western, CJK is Asian, a space ends a script run; other
    marks are neutral (they take the script before them)."""
    if ch.isspace():
        return _SPACE
    if is_east_asian_char(ch):
        return _ASIAN
    return _WESTERN if ch.isalnum() else _NEUTRAL


_SCRIPT = _PerChar(_script_of)


def _script_changes(text: str) -> int:
    """How many Asian/Western boundaries LibreOffice's autospacing sees.  Letters and
    digits are Western, CJK is Asian, other marks take the script before them."""
    return _script_run(text)[0]


def _script_run(text: str, prev: str | None = None) -> tuple[int, str | None]:
    """`_script_changes` of `text` after a text whose last script was `prev` (None: a
    start or a space), and the script `text` ends in."""
    changes = 0
    for script in map(_SCRIPT.__getitem__, text):
        if script == _SPACE:
            prev = None
            continue
        if script == _NEUTRAL:
            script = prev or _WESTERN
        if prev is not None and script != prev:
            changes += 1
        prev = script
    return changes, prev


#: series.yaml ``cjk_latin_spacing``: a quarter em between Han characters and Latin
#: letters or digits (clreq), written by pptxkit as character spacing on the character
#: before the gap (``huoye.render.spacing.cjk_latin_gaps``). Set while a deck is drawn.
CJK_LATIN_SPACING: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "cjk_latin_spacing", default=False)
CJK_LATIN_GAP_EM = 0.25


def _width(text: str, widths: _PerChar, size_pt: float) -> float:
    """:func:`text_width` with the font's width table already looked up."""
    em = sum(map(widths.__getitem__, text))
    em += ASIAN_WESTERN_GAP_EM * _script_changes(text)
    if CJK_LATIN_SPACING.get():
        em += CJK_LATIN_GAP_EM * len(cjk_latin_gaps(text))
    return em * size_pt


def text_width(text: str, font: FontSpec, size_pt: float) -> float:
    """Width of ``text`` on one line, in points (conservative; see module doc).

    A CJK ideograph is exactly 1 em; Latin takes the widest candidate font; each
    Asian/Western boundary adds ``ASIAN_WESTERN_GAP_EM``.
    """
    return _width(text, _widths(font), size_pt)


def line_height(size_pt: float, line_spacing: float) -> float:
    """Height of one line: exact spacing of ``line_spacing`` × size (as pptxkit writes it)."""
    return size_pt * line_spacing


# ------------------------------------------------------------------------ wrapping


def _is_word_char(ch: str) -> bool:
    """Part of a Latin word or number that must not be broken."""
    if is_east_asian_char(ch) or ch.isspace():
        return False
    return ch.isalnum() or ch in "._-'/+&@#$€£¥%:,’"


def _tokens(text: str) -> list[str]:
    """Split into unbreakable units: a CJK char, a Latin word/number, a space run, a
    punctuation mark.  Numbers like 3.5%、1,234.5 and words like COVID-19 stay whole."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            j = i
            while j < n and text[j].isspace():
                j += 1
        elif _is_word_char(ch) and ch.isalnum():
            j = i
            while j < n and _is_word_char(text[j]):
                j += 1
            # trailing punctuation like "," "." ":" belongs to the next break decision
            while j - 1 > i and text[j - 1] in ".,:’'-/":
                j -= 1
        else:
            j = i + 1
        out.append(text[i:j])
        i = j
    return out


def _glue(tokens: list[str]) -> list[str]:
    """Merge tokens across forbidden break points, so no unit starts with a
    no-line-start char or ends with a no-line-end char."""
    units: list[str] = []
    for tok in tokens:
        if units and not tok.isspace():
            if not units[-1].isspace():
                prev = units[-1]
                if tok[0] in NO_LINE_START or prev[-1] in NO_LINE_END:
                    units[-1] = prev + tok
                    continue
            elif len(units) >= 2 and (tok[0] in NO_LINE_START or units[-2][-1] in NO_LINE_END):
                # "word ’" / "（ word": the space is no legal break either
                space = units.pop()
                units[-1] = units[-1] + space + tok
                continue
        units.append(tok)
    return units


def _split_long(unit: str, widths: _PerChar, size_pt: float, width_pt: float) -> list[str]:
    """A unit wider than the whole line (a long URL, a glued punctuation run): break it
    by characters, still at a legal place when there is one."""
    pieces: list[str] = []
    rest = unit
    while len(rest) > 1 and _width(rest, widths, size_pt) > width_pt:
        k = 1
        while k < len(rest) and _width(rest[: k + 1], widths, size_pt) <= width_pt:
            k += 1
        j = k
        while j > 1 and (rest[j] in NO_LINE_START or rest[j - 1] in NO_LINE_END):
            j -= 1
        if rest[j] in NO_LINE_START or rest[j - 1] in NO_LINE_END:
            j = k  # no legal place: break where the line is full
        pieces.append(rest[:j])
        rest = rest[j:]
    pieces.append(rest)
    return pieces


class _Run:
    """The width of a line as it grows unit by unit, kept as `_width` works it out (the
    widths summed in order, the script changes counted), so that trying one more unit on
    the line costs that unit, not the whole line again."""

    __slots__ = ("em", "changes", "script", "text")

    def __init__(self) -> None:
        self.em, self.changes, self.script, self.text = 0.0, 0, None, ""

    def with_(self, unit: str, widths: _PerChar) -> _Run:
        """This run with `unit` appended (a new run; this one is left as it is)."""
        run = _Run()
        em = self.em
        for ch in unit:
            em += widths[ch]
        changes, script = _script_run(unit, self.script)
        run.em, run.changes, run.script = em, self.changes + changes, script
        run.text = self.text + unit
        return run

    def width(self, size_pt: float) -> float:
        """`_width(self.text, …)`, to the last bit."""
        em = self.em + ASIAN_WESTERN_GAP_EM * self.changes
        if CJK_LATIN_SPACING.get():
            em += CJK_LATIN_GAP_EM * len(cjk_latin_gaps(self.text))
        return em * size_pt


def _wrap_line(text: str, font: FontSpec, size_pt: float, width_pt: float) -> list[str]:
    units = _glue(_tokens(text))
    widths = _widths(font)
    lines: list[str] = []
    cur = _Run()
    for u in units:
        if u.isspace():
            if cur.text:  # a space at a line end hangs; inside a line it takes width
                cur = cur.with_(u, widths)
            continue
        if cur.text:
            longer = cur.with_(u, widths)
            if longer.width(size_pt) <= width_pt:
                cur = longer
                continue
            lines.append(cur.text.rstrip())
            cur = _Run()
        if _width(u, widths, size_pt) > width_pt:
            pieces = _split_long(u, widths, size_pt, width_pt)
            lines.extend(pieces[:-1])
            u = pieces[-1]
        cur = cur.with_(u, widths)
    if cur.text.rstrip() or not lines:
        lines.append(cur.text.rstrip())
    return lines


def wrap(text: str, font: FontSpec, size_pt: float, width_pt: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width_pt``.

    Chinese breaks between any two characters; Latin words and numbers stay
    whole; no line starts with closing punctuation (``NO_LINE_START``) and none
    ends with opening punctuation (``NO_LINE_END``); ``\\n`` forces a break.
    ``width_pt`` is the width available to the text itself (insets already off).
    """
    if width_pt <= 0:
        raise TextDoesNotFitError(f"no room for text: width {width_pt:.1f} pt")
    lines: list[str] = []
    for hard in text.split("\n"):
        lines.extend(_wrap_line(hard, font, size_pt, width_pt))
    return lines


# ------------------------------------------------------------------- boxes & fitting


def _para_lines(
    p: Para, font: FontSpec, size_pt: float, box_w_pt: float, bullets: bool, frame: FrameSpec
) -> list[str]:
    return wrap(p.text, font, size_pt, frame.text_width(box_w_pt, size_pt, p.level, bullets))


def layout_height(
    paragraphs: Iterable[str | Para],
    font: FontSpec,
    size_pt: float,
    box_w_pt: float,
    line_spacing: float = 1.3,
    *,
    bullets: bool = False,
    frame: FrameSpec = DEFAULT_FRAME,
) -> float:
    """Height in points the paragraphs take inside the text frame (insets excluded)."""
    lh = line_height(size_pt, line_spacing)
    total = 0.0
    for i, p in enumerate(map(_as_para, paragraphs)):
        n = len(_para_lines(p, font, size_pt, box_w_pt, bullets, frame))
        total += n * lh + (frame.space_before(size_pt) if i else 0.0)
    return total


@dataclass(frozen=True)
class ParaStyle:
    """How one paragraph of a mixed text frame is set: a headline and the fact under it
    in one body placeholder.  Sizes and distances in points; ``indent`` is the left
    margin of the text, ``hang`` how far left of it the marker ("bullet" or "number",
    numbered from ``number``) hangs; ``space_before`` is ignored on the first paragraph."""

    size: float
    colour: str
    bold: bool = False
    marker: str = "none"
    marker_colour: str | None = None
    number: int = 1
    indent: float = 0.0
    hang: float = 0.0
    space_before: float = 0.0
    spacing: float = 1.3


def styled_height(texts: Sequence[str], styles: Sequence[ParaStyle], font: FontSpec,
                  box_w_pt: float, frame: FrameSpec = DEFAULT_FRAME) -> float:
    """Height in points (insets excluded) of paragraphs set each in its own style."""
    total = 0.0
    for i, (text, st) in enumerate(zip(texts, styles)):
        usable = (box_w_pt - frame.inset_left - frame.inset_right - st.indent)
        width = usable * (1.0 - frame.width_safety)
        n = len(wrap(text, font.with_bold(st.bold), st.size, width))
        total += n * line_height(st.size, st.spacing) + (st.space_before if i else 0.0)
    return total


def fits(
    paragraphs: Iterable[str | Para],
    font: FontSpec,
    size_pt: float,
    box_w_pt: float,
    box_h_pt: float,
    line_spacing: float = 1.3,
    *,
    bullets: bool = False,
    frame: FrameSpec = DEFAULT_FRAME,
) -> bool:
    """True when the paragraphs fit a shape of ``box_w_pt`` × ``box_h_pt`` (outer size)."""
    h = layout_height(
        paragraphs, font, size_pt, box_w_pt, line_spacing, bullets=bullets, frame=frame
    )
    return h <= frame.text_height(box_h_pt) + 0.01


def split_to_fit(
    paragraphs: Sequence[str | Para],
    font: FontSpec,
    size_pt: float,
    box_w_pt: float,
    box_h_pt: float,
    line_spacing: float = 1.3,
    *,
    bullets: bool = False,
    frame: FrameSpec = DEFAULT_FRAME,
) -> list[list[Para]]:
    """Spread paragraphs over as many boxes as needed, never shrinking the text.

    Whole paragraphs are kept together; a paragraph is split (at a line break)
    only when it would leave the current box more than a third empty, or when it
    is taller than a whole box.  The tail of a split paragraph is returned as
    ``Para(..., continued=True)`` (indented, no bullet).  Each returned list fits.
    """
    lh = line_height(size_pt, line_spacing)
    avail = frame.text_height(box_h_pt)
    gap = frame.space_before(size_pt)
    if avail + 0.01 < lh:
        raise TextDoesNotFitError(
            f"box {box_w_pt:.0f}×{box_h_pt:.0f} pt cannot hold one {size_pt:g} pt line"
        )
    boxes: list[list[Para]] = []
    cur: list[Para] = []
    used = 0.0

    def close() -> None:
        nonlocal cur, used
        if cur:
            boxes.append(cur)
        cur, used = [], 0.0

    queue = [_as_para(p) for p in paragraphs]
    while queue:
        p = queue.pop(0)
        lines = _para_lines(p, font, size_pt, box_w_pt, bullets, frame)
        need = len(lines) * lh + (gap if cur else 0.0)
        if used + need <= avail + 0.01:
            cur.append(p)
            used += need
            continue
        room = int((avail + 0.01 - used - (gap if cur else 0.0)) // lh)
        whole_box_lines = int((avail + 0.01) // lh)
        too_tall = len(lines) > whole_box_lines
        wasteful = cur and room >= 2 and (avail - used) > avail / 3
        if room >= 1 and (too_tall or wasteful):
            head, tail = _split_para_text(p.text, lines, room)
            cur.append(Para(head, p.level, p.continued))
            queue.insert(0, Para(tail, p.level, True))
            close()
            continue
        if not cur:  # empty box and not even one line: cannot happen (checked above)
            raise TextDoesNotFitError(f"cannot place paragraph {p.text[:20]!r}")
        close()
        queue.insert(0, p)
    close()
    return boxes


def _split_para_text(text: str, lines: list[str], n: int) -> tuple[str, str]:
    """Cut ``text`` after the first ``n`` wrapped lines (lines are rstripped slices)."""
    pos = 0
    for line in lines[:n]:
        idx = text.find(line, pos) if line else pos
        if idx < 0:  # pragma: no cover - defensive: fall back to character count
            idx = pos
        pos = idx + len(line)
    head = text[:pos].rstrip()
    tail = text[pos:].lstrip(" \n")
    return head, tail
