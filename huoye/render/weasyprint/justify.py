"""render step: PDF layout adapter: CJK justification in the pinned WeasyPrint.

The pinned WeasyPrint (``VERSION``) justifies a line only by widening spaces
(``justify_line`` in ``weasyprint.layout.inline``), so with ``text-align: justify`` a line of Chinese,
which has no spaces, stays ragged. While installed, this adapter replaces that one
function:

* ``weasyprint.layout.inline.justify_line`` -- counts the gaps between two
  characters of which at least one is CJK (ideograph, kana, CJK or full-width
  punctuation) as justification opportunities besides spaces, and shares the
  line's extra width equally among them (a space counts as one opportunity, as
  in CSS Text 3 ``text-justify: auto``). Latin words and numbers stay intact.
  Last lines are never touched: WeasyPrint calls ``justify_line`` only for lines
  whose ``text-align-last`` resolves to ``justify``.
* and the Pango layout of each text box it stretches is switched to a subclass of
  ``weasyprint.text.line_break.Layout`` whose ``set_text`` (run again when the
  box is drawn) sets one Pango letter-spacing value per character so that each
  gap gets its share (see ``_letter_spacings``). Nothing is inserted into the
  text, so text extraction from the PDF stays clean, and a document laid out
  with the adapter draws correctly even if ``write_pdf`` runs after uninstall.

* ``weasyprint.text.line_break.Layout.set_text`` -- after WeasyPrint's own, switches
  OpenType ``halt`` on for the full-width punctuation marks that give up half an em in
  an adjacent pair (clreq 3.1.6: a pair takes 1.5 em; ``compressed_marks``). Every line
  is measured through ``set_text``, so line breaking sees the compressed widths.
* ``weasyprint.layout.block.iter_line_boxes`` -- a block whose last line would hold one
  character (with or without punctuation) is laid out again with its gaps widened in
  small steps, within ``LIMITS``; where that cannot work a warning names the page and
  the paragraph (``_lines_without_lone_last``).

Pango's UAX #14 breaking keeps closing punctuation (，。、；：？！）》” … %) off line
starts and opening punctuation off line ends; ``bad_line_starts`` checks the first.

The patch is pinned to the WeasyPrint versions in ``SUPPORTED_WEASYPRINT`` and
raises ``UnsupportedWeasyPrint`` on any other, since it relies on private code.
Use ``with cjk_justification(): ...`` or ``install()`` / ``uninstall()``; both are
idempotent and ``uninstall()`` restores the original function.
"""

from __future__ import annotations

import functools
import itertools
import logging
import operator
import re
from dataclasses import dataclass

from huoye.i18n import _
from huoye.render.weasyprint.pinned import SUPPORTED_WEASYPRINT, Adapter, UnsupportedWeasyPrint

__all__ = [
    "SUPPORTED_WEASYPRINT",
    "UnsupportedWeasyPrint",
    "bad_line_starts",
    "cjk_justification",
    "install",
    "installed",
    "is_opportunity",
    "uninstall",
]

SPACES = " \u00a0"
# Characters that must not begin a line (GB/T 15834, clreq); used by bad_line_starts.
CLOSING = set("，。、；：？！）》」』”’】〕…%．,.;:?!)]}")
# Punctuation that is full width in Chinese text but "ambiguous" in Unicode.
_AMBIGUOUS = set("‘’“”…—–·•※")
# Doubled marks that must not be split by spacing: ——, ……, ⸺.
_UNBROKEN = set("—…―–⋯⸺")
_CJK_RANGES = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x2E80, 0x2FFF),  # CJK radicals, Kangxi radicals, ideographic description
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。〈〉《》「」…)
    (0x3040, 0x9FFF),  # kana, bopomofo, Hangul compat., CJK strokes, ext. A, unified
    (0xA960, 0xA97F),
    (0xAC00, 0xD7FF),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE10, 0xFE1F),  # vertical forms
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFF60),  # full-width forms (，：；？！（）０-９Ａ-Ｚ)
    (0xFFE0, 0xFFE6),
    (0x20000, 0x3FFFF),  # supplementary ideographic planes
)


def _char_class(ranges, extra: str = "") -> str:
    """A regular-expression character class of the code point ``ranges`` and ``extra``."""
    spans = "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in ranges)
    return f"[{spans}{re.escape(extra)}]"


def _gap_pattern(cjk: str) -> re.Pattern:
    """Matches (empty) before each character whose gap to the next one is an opportunity.

    Same rule as ``is_opportunity``, for a whole string at once: neither side is a
    space or a newline, the two are not a doubled mark of ``_UNBROKEN``, and at
    least one of them is in the class ``cjk``.
    """
    unbroken = re.escape("".join(sorted(_UNBROKEN)))
    other = f"[^{re.escape(SPACES)}\\n]"
    return re.compile(f"(?!([{unbroken}])\\1)(?={cjk}{other}|{other}{cjk})")


_CJK = _char_class(_CJK_RANGES)
_CJK_OR_AMBIGUOUS = _char_class(_CJK_RANGES, "".join(sorted(_AMBIGUOUS)))
_CJK_CHAR = {False: re.compile(_CJK), True: re.compile(_CJK_OR_AMBIGUOUS)}  # by ``ambiguous``
_GAPS = {False: _gap_pattern(_CJK), True: _gap_pattern(_CJK_OR_AMBIGUOUS)}
_SPACE = re.compile(f"[{re.escape(SPACES)}]")


def is_cjk(char: str, ambiguous: bool = True) -> bool:
    """Tell whether ``char`` is a CJK character (``ambiguous``: count “”‘’…— as CJK)."""
    return _CJK_CHAR[bool(ambiguous)].fullmatch(char) is not None


def is_opportunity(before: str, after: str, ambiguous: bool = True) -> bool:
    """Tell whether the gap between two non-space characters may take justification space."""
    if before in SPACES or after in SPACES or not before or not after:
        return False
    if before == "\n" or after == "\n":
        return False
    if before == after and before in _UNBROKEN:  # keep —— and …… in one piece
        return False
    return is_cjk(before, ambiguous) or is_cjk(after, ambiguous)


def bad_line_starts(lines: list[str]) -> list[str]:
    """Return the lines (e.g. from pdftotext) that begin with closing punctuation."""
    return [line for line in lines if line.strip() and line.strip()[0] in CLOSING]


# --------------------------------------------------------------------------- install


def _replacements():
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    for owner, name in ((inline, "add_word_spacing"), (line_break.Layout, "set_text")):
        if not callable(getattr(owner, name, None)):  # what _apply and _layout_class build on
            raise UnsupportedWeasyPrint(_("WeasyPrint has no {name}; cannot patch it").format(name=name))
    _layout_class()  # fail now, not in the middle of a layout
    stock_set_text = line_break.Layout.set_text

    def set_text(self, text, justify=False):
        stock_set_text(self, text, justify)
        _compress_punctuation(self)

    from weasyprint.layout import block

    if not callable(getattr(block, "iter_line_boxes", None)):
        raise UnsupportedWeasyPrint(_("WeasyPrint has no {name}; cannot patch it").format(
            name="layout.block.iter_line_boxes"))
    stock_lines = block.iter_line_boxes

    def iter_line_boxes(context, box, position_y, bottom_space, skip_stack, *args):
        return _lines_without_lone_last(stock_lines, context, box, position_y, bottom_space,
                                        skip_stack, *args)

    return [(inline, "justify_line", _justify_line), (line_break.Layout, "set_text", set_text),
            (block, "iter_line_boxes", iter_line_boxes)]


# --------------------------------------------------------------------------- punctuation
#
# clreq 3.1.6 / GB/T 15834: two adjacent full-width punctuation marks take 1.5 em, not 2.
# A closing mark (its glyph in the left half of its em) followed by any mark gives up
# its right half; otherwise an opening mark (glyph in the right half) preceded by any
# mark gives up its left half. The font does the compression: OpenType ``halt`` (half-
# width alternates, GPOS), switched on for exactly those characters by a Pango
# font-features attribute. Nothing is inserted in the text; line breaking sees the
# compressed widths, since WeasyPrint measures every line with this same ``set_text``.

COMPRESSIBLE_CLOSING = "，。、；：？！）》」』”’】〕〉"
COMPRESSIBLE_OPENING = "（《「『“‘【〔〈"
_MARKS = re.escape(COMPRESSIBLE_CLOSING + COMPRESSIBLE_OPENING)
# A closing mark before any mark; or an opening mark after any mark (that is not itself a
# closing mark, which already gave up its half).
_PAIR = re.compile(f"[{re.escape(COMPRESSIBLE_CLOSING)}](?=[{_MARKS}])"
                   f"|(?<=[{re.escape(COMPRESSIBLE_OPENING)}])[{re.escape(COMPRESSIBLE_OPENING)}]")


def compressed_marks(text: str) -> list[int]:
    """Indexes of the characters of `text` that take half an em (adjacent-pair rule)."""
    return [match.start() for match in _PAIR.finditer(text)]


def _compress_punctuation(layout) -> None:
    """Switch ``halt`` on for the marks of the layout's text that ``compressed_marks`` finds."""
    text = layout.text
    if not text or _PAIR.search(text) is None:
        return
    from weasyprint.text.ffi import ffi, pango

    attr_list = pango.pango_layout_get_attributes(layout.layout)
    if attr_list == ffi.NULL:
        attr_list = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    for index in compressed_marks(text):
        start = len(text[:index].encode())
        attr = pango.pango_attr_font_features_new(b"halt")  # the list owns it
        attr.start_index, attr.end_index = start, start + len(text[index].encode())
        pango.pango_attr_list_insert(attr_list, attr)
    pango.pango_layout_set_attributes(layout.layout, attr_list)


ADAPTER = Adapter("huoye.render.weasyprint.justify",
                  "layout/inline.py justify_line, layout/block.py iter_line_boxes (and its caller "
                  "_linebox_layout), text/line_break.py Layout.set_text and "
                  "draw/text.py", _replacements)
installed, install, uninstall = ADAPTER.installed, ADAPTER.install, ADAPTER.uninstall


def cjk_justification():
    """Context manager: the adapter installed for the block (nestable; see pinned.Adapter)."""
    return ADAPTER.active()


# --------------------------------------------------------------------------- lone last lines
#
# No paragraph, heading, caption or label ends with a line of one character (with or
# without its punctuation). When the stock line breaking leaves one, the block is laid
# out again with its character gaps widened a little (CSS letter-spacing on its text,
# in steps), so that the lines above give the last one a second character; the smallest
# widening that works is kept, and only within LIMITS. Where none works, a warning names
# the page and the paragraph.


@dataclass(frozen=True)
class Limits:
    """How far huoye may go from the font's natural spacing to set a block well (em)."""

    gap_widening: float = 0.25  # a gap between two characters grows by at most this
    punctuation_compression: float = 0.5  # a full-width mark gives up at most this
    step: float = 0.01  # the widening tried first, and the step between tries


LIMITS = Limits()
LONE_LAST_LINE = re.compile(f"^[{re.escape(COMPRESSIBLE_CLOSING + COMPRESSIBLE_OPENING)}…—]*"
                            f"{_CJK}[{re.escape(COMPRESSIBLE_CLOSING)}…—]*$")
LOG = logging.getLogger("huoye.render")


def is_lone(text: str) -> bool:
    """Tell whether a last line's text is a single CJK character with its punctuation."""
    return LONE_LAST_LINE.match(text.strip()) is not None


def _line_text(line) -> str:
    text_box, _ = _box_types()
    return "".join(box.text for box in _flatten(line) if isinstance(box, text_box))


def _text_boxes(box):
    """The text boxes of an inline formatting context, or None if it holds anything that
    laying it out twice could disturb (atomic, absolutely positioned or leader boxes)."""
    text_box, containers = _box_types()
    found, pending = [], [box]
    while pending:
        current = pending.pop()
        if isinstance(current, text_box):
            found.append(current)
        elif isinstance(current, containers):
            if getattr(current, "is_leader", False):
                return None
            for child in current.children:
                if not child.is_in_normal_flow():
                    return None
                pending.append(child)
        else:
            return None
    return found


def _lines_without_lone_last(stock_lines, context, box, position_y, bottom_space, skip_stack,
                             *args):
    """``iter_line_boxes`` that lays out a block again, a little looser, if its last line
    would hold one character; a block resumed on a new page keeps what was decided."""
    if skip_stack is not None:
        yield from stock_lines(context, box, position_y, bottom_space, skip_stack, *args)
        return
    texts = _text_boxes(box)
    if not texts or not any(_CJK_CHAR[False].search(t.text or "") for t in texts):
        yield from stock_lines(context, box, position_y, bottom_space, skip_stack, *args)
        return
    lines = list(stock_lines(context, box, position_y, bottom_space, skip_stack, *args))
    if len(lines) < 2 or not is_lone(_line_text(lines[-1][0])):
        yield from lines
        return
    originals = [(text, text.style) for text in texts]
    widening = LIMITS.step
    while widening <= LIMITS.gap_widening + 1e-9:
        for text, style in originals:
            text.style = style.copy()
            base = style["letter_spacing"]
            base = 0 if base == "normal" else base
            text.style["letter_spacing"] = base + widening * style["font_size"]
        tried = list(stock_lines(context, box, position_y, bottom_space, skip_stack, *args))
        widest = max((getattr(line, "huoye_gap_share", 0.0) / line.style["font_size"]
                      for line, _ in tried[:-1]), default=0.0)
        if widening + widest > LIMITS.gap_widening + 1e-9:
            break
        if len(tried) >= 2 and not is_lone(_line_text(tried[-1][0])):
            yield from tried
            return
        widening += LIMITS.step
    for text, style in originals:
        text.style = style
    lines = list(stock_lines(context, box, position_y, bottom_space, skip_stack, *args))
    paragraph = "".join(t.text for t in texts)[:24]
    warned = context.__dict__.setdefault("huoye_lone_warned", set())  # once per document
    if paragraph not in warned:  # (the contents pages are laid out more than once)
        warned.add(paragraph)
        from huoye.i18n import _

        LOG.warning(_("page {page}: the paragraph beginning '{paragraph}' ends with a line of one "
                      "character, which widening its gaps by up to {limit} em does not avoid; "
                      "reword it or shorten it by a few characters").format(
                          page=getattr(context, "current_page", "?"), paragraph=paragraph,
                          limit=LIMITS.gap_widening))
    yield from lines


# --------------------------------------------------------------------------- layout
#
# _plan, _apply and _set_text run for every justified line and every box drawn, deep
# in WeasyPrint's recursive layout and drawing, so their per-character loops make no
# Python-level calls (in CPython 3.11 comprehensions and generator expressions are
# calls too): a call that crosses a 16 KiB chunk of the interpreter's frame stack maps
# and unmaps a chunk every time (python/cpython#142183, fixed in 3.13+), and one such
# call site (is_opportunity) cost ~10,000 mmap/munmap pairs, ~0.08 s, per sample issue.

_CJK_LANGUAGES = ("zh", "ja", "ko", "yue", "cmn", "wuu")


@functools.cache
def _box_types():
    """WeasyPrint's ``TextBox`` and the boxes whose children sit on the line."""
    from weasyprint.formatting_structure import boxes

    return boxes.TextBox, (boxes.LineBox, boxes.InlineBox)


def _ambiguous_is_cjk(style, text: str) -> bool:
    """Tell whether “”‘’…— count as CJK in a box: by its language, else by its text."""
    lang = (style["lang"] or "").lower()
    if lang:
        return lang.split("-")[0] in _CJK_LANGUAGES
    return _CJK_CHAR[False].search(text) is not None


def _flatten(line) -> list:
    """The line's text boxes in visual order; None marks an atomic box."""
    text_box, containers = _box_types()
    items: list = []
    pending = [line]  # boxes still to visit, the next one last
    while pending:
        box = pending.pop()
        if isinstance(box, text_box):
            items.append(box)
        elif isinstance(box, containers):
            for child in reversed(box.children):
                if child.is_in_normal_flow():
                    pending.append(child)
        else:
            items.append(None)
    return items


def _plan(line):
    """Return ``{id(box): (gap_weights, space_weight, trailing_weight)}`` and the total weight.

    ``gap_weights[i]`` is the number of opportunities in the gap after character i
    of the box (a space gives half to each side), ``space_weight`` the weight that
    cannot be put on an internal gap (a text box that is a lone space), and
    ``trailing_weight`` 1 if the gap between this box and the next text box on the
    line is an opportunity.
    """
    items = _flatten(line)
    plan = {}
    total = 0.0
    for box, following in zip(items, [*items[1:], None]):
        if box is None or not box.text:
            continue
        text = box.text
        opportunities = _GAPS[_ambiguous_is_cjk(box.style, text)]
        weights = [0.0] * max(len(text) - 1, 0)
        loose = 0.0
        for gap in opportunities.finditer(text):
            weights[gap.start()] += 1
        for space in _SPACE.finditer(text):
            i = space.start()
            sides = range(max(i - 1, 0), min(i + 1, len(weights)))  # the gaps beside it
            if not sides:
                loose += 1
            for j in sides:
                weights[j] += 1 / len(sides)
        trailing = 0.0
        if (following is not None and following.text
                and opportunities.match(text[-1] + following.text[0])):
            trailing = 1.0
        plan[id(box)] = (weights, loose, trailing)
        total += sum(weights) + loose + trailing
    return plan, total


def _justify_line(context, line, extra_width):
    """Replacement for WeasyPrint's ``justify_line``: spread over spaces and CJK gaps."""
    if line.style["direction"] == "rtl":
        original = ADAPTER.original("justify_line")
        if original is None:  # uninstalled while a document was being laid out
            from weasyprint.layout.inline import justify_line as original  # type: ignore[no-redef]
        return original(context, line, extra_width)
    plan, total = _plan(line)
    if not total or extra_width <= 0:
        return None
    line.huoye_gap_share = extra_width / total  # what each gap grows by (lone-line limits)
    _apply(context, line, extra_width / total, plan, 0.0)
    return None


def _apply(context, box, spacing, plan, x_advance):
    """Move and widen boxes like WeasyPrint's ``add_word_spacing``, with per-gap spacing."""
    from weasyprint.text.line_break import create_layout

    text_box, containers = _box_types()
    if isinstance(box, text_box):
        box.position_x += x_advance
        weights, loose, trailing = plan.get(id(box), ((), 0.0, 0.0))
        gaps = list(map(operator.mul, weights, itertools.repeat(spacing)))
        inner = sum(gaps)
        if inner:
            layout = create_layout(
                box.text, box.style, context, max_width=None, justification_spacing=0)
            layout.__class__ = _layout_class()
            layout.cjk_gaps = (box.text, gaps)
            layout.deactivate()
            box.pango_layout = layout
        box.width += inner + loose * spacing
        return x_advance + inner + (loose + trailing) * spacing
    if isinstance(box, containers):
        box.position_x += x_advance
        previous_x_advance = x_advance
        for child in box.children:
            if child.is_in_normal_flow():
                x_advance = _apply(context, child, spacing, plan, x_advance)
        box.width += x_advance - previous_x_advance
        return x_advance
    box.translate(x_advance, 0)  # atomic inline-level box
    return x_advance


# --------------------------------------------------------------------------- drawing


def _letter_spacings(gaps: list[float], base: float = 0.0) -> list[float]:
    """Per-character Pango letter-spacing values that give gap i (about) ``gaps[i]``.

    Pango puts half of a character's letter-spacing before it and half after it
    and drops the halves at the two ends of the layout, so gap i gets
    ``(v[i] + v[i+1]) / 2``. Characters next to a gap that takes nothing (inside a
    Latin word or a number) keep 0: different values would split the Pango item
    and lose the kerning between them. Each stretch of free characters between
    those is solved on its own (``_solve_segment``). ``base`` (CSS
    letter-spacing) is added to every character.
    """
    count = len(gaps) + 1
    fixed = [False] * count
    for i, gap in enumerate(gaps):
        if -1e-9 < gap < 1e-9:
            fixed[i] = fixed[i + 1] = True
    values = [0.0] * count
    i = 0  # first character of the stretch
    for stretch_is_fixed, stretch in itertools.groupby(fixed):
        j = i + len(list(stretch))  # one past its last character
        if not stretch_is_fixed:
            left = gaps[i - 1] if i > 0 else None  # gap to a fixed neighbour
            right = gaps[j - 1] if j < count else None
            values[i:j] = _solve_segment(gaps[i:j - 1], left, right)
        i = j
    return list(map(operator.add, values, itertools.repeat(base)))


def _solve_segment(inner: list[float], left: float | None, right: float | None) -> list[float]:
    """Values for a stretch of free characters (see ``_letter_spacings``).

    ``inner`` are the wanted gaps between them; ``left``/``right`` the wanted gaps
    to a zero-valued neighbour, or None at a layout edge (where Pango drops the
    half anyway). With zero or one such neighbour the solution is exact; with two
    the system has one equation too many, and the least-squares gaps that keep
    the total width are used (the error per gap is a fraction of one gap's share).
    """
    if left is not None and right is not None:
        wanted = [left, *inner, right]
        # Achievable gaps have an alternating sum of zero; correct by
        # e_j = lam + mu * (-1)**j with sum(e) = 0 and altsum(e) = -altsum(wanted).
        altsum = sum(map(operator.mul, wanted, itertools.cycle((1, -1))))  # g0 - g1 + g2 ...
        m = len(wanted)
        even, odd = (m + 1) // 2, m // 2
        # (even + odd) lam + (even - odd) mu = 0 ; (even - odd) lam + (even + odd) mu = -altsum
        det = (even + odd) ** 2 - (even - odd) ** 2
        lam = (even - odd) * altsum / det
        mu = -(even + odd) * altsum / det
        achieved = []
        for j, gap in enumerate(wanted):
            achieved.append(gap + lam + (mu if j % 2 == 0 else -mu))
        values = [2 * achieved[0]]
        for gap in achieved[1:-1]:
            values.append(2 * gap - values[-1])
        return values
    if left is not None or right is not None:
        if left is None:  # solve from the right end
            return _solve_segment(inner[::-1], right, None)[::-1]
        values = [2 * left]
        for gap in inner:
            values.append(2 * gap - values[-1])
        return values
    # Layout edges on both sides: one free value; keep the values small.
    signs, consts, offsets = [1.0], [0.0], [-0.0]  # offsets: -sign * const
    for gap in inner:
        signs.append(-signs[-1])
        consts.append(2 * gap - consts[-1])
        offsets.append(-signs[-1] * consts[-1])
    offsets.sort()  # their median (as statistics.median) is the first value
    half = len(offsets) // 2
    first = offsets[half] if len(offsets) % 2 else (offsets[half - 1] + offsets[half]) / 2
    values = []
    for sign, const in zip(signs, consts):
        values.append(sign * first + const)
    return values


@functools.cache
def _layout_class():
    """The ``Layout`` subclass given to text boxes the adapter stretched (made once)."""
    from weasyprint.text import line_break

    class CJKJustifiedLayout(line_break.Layout):
        """Pango layout of a justified text box: per-character spacing when drawn."""

        cjk_gaps = None  # (text, [extra width of the gap after character i, ...])

        def set_text(self, text, justify=False):
            _set_text(self, super().set_text, text, justify)

    return CJKJustifiedLayout


def _set_text(self, original, text, justify):
    """``set_text`` of a stretched box: WeasyPrint's, then one letter-spacing per character."""
    planned = self.cjk_gaps
    if not justify or planned is None or planned[0] != text or "\n" in text:
        return original(text, justify)

    from weasyprint.text.ffi import TO_UNITS, ffi, pango

    # Lay out without justification (keeps tabs, overflow-wrap, font features), then
    # replace the letter-spacing of every character.
    style = self.style
    word_spacing = style["word_spacing"]
    letter_spacing = style["letter_spacing"]
    letter_spacing = 0 if letter_spacing == "normal" else letter_spacing
    original(text, False)
    gaps = list(planned[1])
    if word_spacing:
        for space in _SPACE.finditer(text):
            i = space.start()
            sides = range(max(i - 1, 0), min(i + 1, len(gaps)))  # the gaps beside it
            for j in sides:
                gaps[j] += word_spacing / len(sides)
    units = []
    for value in _letter_spacings(gaps, letter_spacing):
        unit = round(value * TO_UNITS)
        if unit % 1024 == 0 and unit:
            unit += 1  # Pango rounds whole-point spacing unevenly (hinting)
        units.append(unit)

    attr_list = pango.pango_layout_get_attributes(self.layout)
    if attr_list == ffi.NULL:
        attr_list = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    # One attribute per run of characters with equal spacing: the list Pango makes of
    # one attribute per character, as pango_attr_list_change merges equal neighbours.
    index = start = 0  # in characters and in UTF-8 bytes
    for unit, run in itertools.groupby(units):
        count = len(list(run))
        end = start + len(text[index:index + count].encode())
        if unit or letter_spacing:  # an explicit 0 would still split Pango items
            attr = pango.pango_attr_letter_spacing_new(unit)
            attr.start_index, attr.end_index = start, end
            pango.pango_attr_list_change(attr_list, attr)
        index, start = index + count, end
    pango.pango_layout_set_attributes(self.layout, attr_list)
    return None
