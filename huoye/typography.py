"""Quality check after the write step: Chinese typesetting measured on a PDF, read back.

huoye's own measure of what a trained typesetter looks at in the briefing, computed
from the PDF file alone (character and line positions as a PDF reader sees them), so
that it is an independent oracle for the renderer (``huoye.render.pdf`` and its
adapters in ``huoye.render.weasyprint``). The tests check the sample and the test
issues with it; bench/run.py reports it.

Lines come from poppler's ``pdftotext -bbox-layout``, characters from pdfplumber
(pdfminer): both read the file as any reader would. Definitions (the first two are
those of the user's own measure, kept the same on purpose):

* **flush**: among body lines that a paragraph continues after (the next body line
  starts at the body's left edge, not indented), the share whose right end is within
  0.6 em of the page's body right edge. A body line is a line of the most common line
  height; the user's tool allows 10 % around it, which also takes in the 11-pt point
  titles, so that a paragraph's last line followed by a title counts as a "continued"
  line that is not flush. huoye allows 4 % (titles are then not body lines) and reports
  both: ``flush``/``continued`` (4 %, body pages only: not the cover and contents, not
  the back page) and ``flush_loose``/``continued_loose`` (10 %, the
  user's tool's own figure). huoye also joins the pieces of one line that pdftotext gives
  apart (at a change of font, say), which the user's tool counts as lines of their own.
  The body line height is the one of the lines holding the
  most characters (the user's tool takes the median line, which a long table can make
  a table row's);
* **bad starts / bad ends**: body lines that begin with closing punctuation or end
  with opening punctuation (GB/T 15834, clreq "line-start/line-end prohibition");
* **pairs / compressed**: adjacent full-width punctuation marks on one line of body
  text, and how many pairs take at most 1.5 em (1.6 em with measuring slack, or the
  second mark starting within 0.6 em of the first) as clreq asks;
* **line ends / starts compressed**: body lines ending with a closing mark whose em
  reaches half an em past the text's right edge (its blank half compressed away), or
  starting with an opening mark half an em left of it. A line's ends are taken where the
  reader sees them: a full-width closing mark at a line's end ends it half an em early,
  a compressed opening mark at its start begins it half an em late (``_edges``);
* **lone**: lines, of any text size (paragraphs, headings, captions, key-figure
  labels), holding a single Han character with or without punctuation, that continue
  the line above them (same size, just above, overlapping it);
* **short pages**: body pages whose text (of any size, the page number aside) ends more
  than two body lines above the lowest text of the document's body pages, with the text
  that starts the next page; not the last body page, and not a page before one that
  begins with a block that cannot be split or a new article (``_starts_unbreakable``:
  a figure's or table's caption or an image first, a key-figure block's or an article
  title's large type), where a short page belongs;
* **widows / orphans**: a paragraph's last line alone at the top of a page, its first
  line alone at the foot of one (``_widows_and_orphans``).
"""
from __future__ import annotations

import collections
import re
import statistics
import subprocess
from dataclasses import dataclass, field
from xml.etree import ElementTree

# Characters that must not begin or end a line (GB/T 15834; clreq 3.1.7).
CLOSING = set("，。、；：？！）》」』”’】〕…%")
OPENING = set("（《「『“‘【〔")
# Full-width punctuation marks whose pairs clreq compresses (cjk-punctuation's set).
PUNCTUATION = set("，。、；：？！“”‘’（）《》〈〉【】「」『』")
HAN = re.compile(r"[\u3400-\u9fff\U00020000-\U0003ffff]")
_PURE_CJK = re.compile(r"^[\u3400-\u9fff，。、；：？！（）《》“”]+$")
_XHTML = "{http://www.w3.org/1999/xhtml}"
_FOLIO = re.compile(r"^[—–-]\s*\d+\s*[—–-]$")  # the page number "— 3 —", not text


@dataclass
class Line:
    page: int  # 0-based
    text: str
    box: tuple[float, float, float, float]  # x0, top, x1, bottom
    gap: float = 0.0  # the widest blank between two of its words (a table row's cells)


@dataclass
class Figures:
    """What the measure found in one PDF."""

    continued: int = 0  # continued body lines
    flush: int = 0  # of which end within 0.6 em of the measure
    continued_loose: int = 0  # the same with the user's tool's 10 % line-height tolerance
    flush_loose: int = 0
    bad_starts: list[Line] = field(default_factory=list)
    bad_ends: list[Line] = field(default_factory=list)
    pairs: int = 0
    compressed: int = 0
    loose_pairs: list[str] = field(default_factory=list)  # the pairs not compressed, in context
    lone: list[tuple[int, str]] = field(default_factory=list)  # (page, 1-based; the line above + it)
    short_pages: list[tuple[int, float, str]] = field(default_factory=list)  # (page, lines, next)
    end_compressed: int = 0  # body lines ending with a closing mark set in half an em
    widows: list[Line] = field(default_factory=list)  # a paragraph's last line alone atop a page
    orphans: list[Line] = field(default_factory=list)  # its first line alone at a page's foot
    shortfalls: list[tuple[int, float]] = field(default_factory=list)  # (page, lines) all body pages
    start_compressed: int = 0  # body lines starting with an opening mark set in half an em

    @property
    def flush_share(self) -> float:
        return self.flush / self.continued if self.continued else 1.0

    def summary(self) -> dict:
        """The figures as plain numbers (bench/run.py and test messages print these)."""
        loose = self.flush_loose / self.continued_loose if self.continued_loose else 1.0
        return {"continued lines": self.continued, "flush": self.flush,
                "flush share": round(self.flush_share, 4),
                "flush share (user's tool)": round(loose, 4), "bad starts": len(self.bad_starts),
                "bad ends": len(self.bad_ends), "pairs": self.pairs, "compressed": self.compressed,
                "lone": len(self.lone), "short pages": len(self.short_pages),
                "line ends compressed": self.end_compressed,
                "line starts compressed": self.start_compressed,
                "widows": len(self.widows), "orphans": len(self.orphans),
                "most lines short": max((lines for _, lines in self.shortfalls), default=0.0)}


def measure(pdf: str, body_pages: range | None = None) -> Figures:
    """All figures for the PDF at path `pdf`. `body_pages` (0-based) limits the short-page
    check to the pages that hold running text (default: all but the first and the last)."""
    figures = Figures()
    lines = list(pdf_lines(pdf))
    last = max((line.page for line in lines), default=0)
    pages = body_pages if body_pages is not None else range(1, last)
    # huoye's figures: the running text of the body pages (not the contents, the colophon)
    _flush_and_edges([line for line in lines if line.page in pages] or lines, figures, 0.04)
    loose = Figures()
    _flush_and_edges(lines, loose, 0.1, by_characters=False)
    figures.continued_loose, figures.flush_loose = loose.continued, loose.flush
    _characters(pdf, figures, body_pages)
    return figures


def pdf_lines(pdf: str):
    """(page, text, [x0, top, x1, bottom]) of every text line, as pdftotext -bbox-layout reads it."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", pdf, "-"], capture_output=True,
                         text=True, check=True).stdout
    root = ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", xml))
    for number, page in enumerate(root.iter(_XHTML + "page")):
        for line in page.iter(_XHTML + "line"):
            words = list(line.iter(_XHTML + "word"))
            text = "".join(word.text or "" for word in words)
            box = tuple(float(line.get(k)) for k in ("xMin", "yMin", "xMax", "yMax"))
            gap = max((float(b.get("xMin")) - float(a.get("xMax")) for a, b in zip(words, words[1:])),
                      default=0.0)
            yield Line(number, text, box, gap)


def _flush_and_edges(lines: list[Line], figures: Figures, tolerance: float,
                     by_characters: bool = True) -> None:
    if not lines:
        return
    if by_characters:
        lines = _merged(lines)
        # a line of the same text on several pages is a running head, not body text
        pages_of = collections.defaultdict(set)
        for line in lines:
            pages_of[line.text].add(line.page)
        lines = [line for line in lines if len(pages_of[line.text]) < 2]
        # nor is a row of a table (cells apart by more than a line's height)
        lines = [line for line in lines if line.gap < line.box[3] - line.box[1]]
        # the height of the lines that hold the most text (tables have many short rows)
        heights = sorted({round(line.box[3] - line.box[1], 2) for line in lines})
        height = max(heights, key=lambda h: sum(len(line.text) for line in lines
                                                if abs(line.box[3] - line.box[1] - h) <= tolerance * h))
    else:  # the user's tool: the median line
        height = statistics.median(line.box[3] - line.box[1] for line in lines)
    body = [line for line in lines
            if abs((line.box[3] - line.box[1]) - height) <= tolerance * height and len(line.text) >= 4]
    ems = [(line.box[2] - line.box[0]) / len(line.text) for line in body if _PURE_CJK.match(line.text)]
    em = statistics.median(ems) if ems else height / 1.4
    figures.bad_starts = [line for line in body if line.text[0] in CLOSING]
    pages: dict[int, list[Line]] = {}
    for line in body:
        pages.setdefault(line.page, []).append(line)
    for page_lines in pages.values():
        page_lines.sort(key=lambda line: line.box[1])
        if by_characters:  # where the reader sees the lines begin and end (see _edges)
            page_lines[:] = _edges(page_lines, em, figures)
    # huoye: the text column's left edge is the document's (a page of list items or
    # indented paragraphs alone has no line at it); the user's tool: the page's own
    column = min((line.box[0] for page_lines in pages.values() for line in page_lines), default=0)
    for page_lines in pages.values():
        left = column if by_characters else min(line.box[0] for line in page_lines)
        right = max(line.box[2] for line in page_lines)
        for above, below in zip(page_lines, page_lines[1:]):
            continues = (abs(below.box[0] - left) < 0.3 * em
                         and 0 < below.box[1] - above.box[3] < 2 * height)
            if continues and above.text[-1] in OPENING:
                figures.bad_ends.append(above)
            if continues and above.box[0] - left < 3 * em:
                figures.continued += 1
                figures.flush += right - above.box[2] <= 0.6 * em
    if by_characters:
        _widows_and_orphans(pages, column, em, height, figures)


def _widows_and_orphans(pages: dict[int, list[Line]], left: float, em: float, height: float,
                        figures: Figures) -> None:
    """A page's last body line that begins a paragraph (indented) which the next page's
    first body line continues (at the margin) is an orphan; that continuing line is a widow
    if the paragraph ends with it (the next line on its page does not continue it)."""
    numbers = sorted(pages)
    for this, following in zip(numbers, numbers[1:]):
        if following != this + 1:
            continue
        last, top = pages[this][-1], pages[following][0]
        right = max(line.box[2] for line in pages[this])
        if abs(top.box[0] - left) >= 0.3 * em or right - last.box[2] > 0.6 * em:
            continue  # the next page starts a paragraph, or this one ended one
        if last.box[0] - left > 1.5 * em:
            figures.orphans.append(last)
        lines = pages[following]
        after = lines[1] if len(lines) > 1 else None
        if after is None or abs(after.box[0] - left) >= 0.3 * em or (
                after.box[1] - top.box[3] >= 2 * height):
            figures.widows.append(top)


def _edges(lines: list[Line], em: float, figures: Figures) -> list[Line]:
    """The lines with their ends where the reader sees them, counting the marks compressed
    at line edges. A full-width closing mark's ink is in the left half of its em, an opening
    mark's in the right half; a PDF reader gives a mark its whole em even where the font
    compressed it (OpenType halt changes the advance, not the width a reader takes). So a
    line ending with a closing mark ends half an em before its last box, and a line that
    starts with an opening mark half an em left of the others starts half an em later."""
    full_width_closing = CLOSING - {"…", "%"}
    plain = [line.box[0] for line in lines if line.text[0] not in OPENING]
    margin = min(plain) if plain else min(line.box[0] for line in lines)
    right = max((line.box[2] for line in lines if line.text[-1] not in full_width_closing),
                default=max(line.box[2] for line in lines))
    seen = []
    for line in lines:
        x0, top, x1, bottom = line.box
        if line.text[-1] in full_width_closing:
            if x1 - right > 0.3 * em:
                figures.end_compressed += 1
            x1 -= 0.5 * em
        if line.text[0] in OPENING and margin - x0 > 0.3 * em:
            figures.start_compressed += 1
            x0 += 0.5 * em
        seen.append(Line(line.page, line.text, (x0, top, x1, bottom)))
    return seen


def _merged(lines: list[Line]) -> list[Line]:
    """Pieces of one line that pdftotext gives apart (a bold run, a font change) made one."""
    rows: dict[tuple[int, float], list[Line]] = {}
    for line in lines:
        rows.setdefault((line.page, round(line.box[3])), []).append(line)
    merged = []
    for (page, _), pieces in sorted(rows.items()):
        pieces.sort(key=lambda line: line.box[0])
        gaps = [b.box[0] - a.box[2] for a, b in zip(pieces, pieces[1:])]
        merged.append(Line(page, "".join(p.text for p in pieces),
                           (pieces[0].box[0], min(p.box[1] for p in pieces),
                            max(p.box[2] for p in pieces), max(p.box[3] for p in pieces)),
                           max([*gaps, *(p.gap for p in pieces)])))
    return merged


def _rows(chars) -> list[list[dict]]:
    """Characters grouped into lines: same size, same baseline (to a fifth of the size)."""
    rows: dict[tuple, list[dict]] = collections.defaultdict(list)
    for char in chars:
        if char["text"].strip():
            size = round(char["size"], 1)
            rows[(size, round(char["bottom"] / max(size / 5, 0.5)))].append(char)
    return [sorted(row, key=lambda c: c["x0"]) for _, row in sorted(rows.items(), key=lambda kv: (
        kv[1][0]["bottom"], kv[1][0]["x0"]))]


def _characters(pdf: str, figures: Figures, body_pages: range | None) -> None:
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        sizes = collections.Counter(round(c["size"], 1) for page in document.pages for c in page.chars)
        if not sizes:
            return
        body_size = sizes.most_common(1)[0][0]
        bottoms: list[tuple[int, float, str]] = []  # (page, lowest body line bottom, first text)
        starts: list[bool] = []  # the page begins with what may leave the page before short
        for number, page in enumerate(document.pages):
            rows = [row for row in _rows(page.chars)
                    if not _FOLIO.match("".join(c["text"] for c in row))]
            for row in rows:
                if abs(row[0]["size"] - body_size) < 0.5:
                    _pairs(row, body_size, figures)
            _lone(number, rows, figures)
            texts = [row for row in rows if row[0]["size"] >= body_size - 0.5]  # not the header
            first = "".join(c["text"] for c in texts[0]) if texts else ""
            # the page's text ends where its lowest line of any kind does (a chart's source line)
            bottoms.append((number, max((r[0]["bottom"] for r in rows), default=0.0), first))
            starts.append(_starts_unbreakable(page, texts, body_size))
        pages = body_pages if body_pages is not None else range(1, len(document.pages) - 1)
        lowest = max((bottoms[n][1] for n in pages if n < len(bottoms)), default=0.0)
        line_height = body_size * 1.8
        for n in pages:
            if n + 1 >= len(bottoms) or n + 1 not in pages:
                continue  # the last body page may end where its text ends
            short = (lowest - bottoms[n][1]) / line_height
            if starts[n + 1]:
                continue  # before a block that cannot be split, or a new article
            figures.shortfalls.append((n + 1, round(short, 1)))
            if bottoms[n][1] and short > 2:
                figures.short_pages.append((n + 1, round(short, 1), bottoms[n + 1][2][:20]))


_CAPTION = re.compile(r"^[图表]\s*\d")


def _starts_unbreakable(page, texts: list[list[dict]], body_size: float) -> bool:
    """Tell whether a page begins with what the page before may end short for: a figure or
    table (its caption 图 N / 表 N first, or an image above the first text), a key-figure
    block or an article's title after a forced page break (a first line of text at least
    1.5 times the body size; headings are smaller)."""
    if not texts:
        return False
    first = texts[0]
    text = "".join(c["text"] for c in first)
    if _CAPTION.match(text) or first[0]["size"] >= 1.5 * body_size:
        return True
    return any(image["top"] < first[0]["top"] and image["bottom"] > first[0]["top"] - 4 * body_size
               for image in page.images)


def _pairs(row: list[dict], size: float, figures: Figures) -> None:
    for i, (a, b) in enumerate(zip(row, row[1:])):
        if a["text"] in PUNCTUATION and b["text"] in PUNCTUATION:
            figures.pairs += 1
            if b["x1"] - a["x0"] <= 1.6 * size + 0.5 or b["x0"] - a["x0"] <= 0.6 * size:
                figures.compressed += 1
            else:
                figures.loose_pairs.append("".join(c["text"] for c in row[max(i - 3, 0):i + 5]))


def _lone(page: int, rows: list[list[dict]], figures: Figures) -> None:
    for row in rows[1:]:
        text = "".join(c["text"] for c in row)
        if len(HAN.findall(text)) != 1 or any(not (HAN.match(c) or c in PUNCTUATION or c in CLOSING)
                                              for c in text):
            continue
        size = row[0]["size"]
        for candidate in rows:  # the nearest line of the same size just above, overlapping
            if candidate is row or abs(candidate[0]["size"] - size) > 0.05:
                continue
            gap = row[0]["top"] - candidate[0]["bottom"]
            overlaps = candidate[0]["x0"] <= row[-1]["x1"] and row[0]["x0"] <= candidate[-1]["x1"]
            if 0 <= gap < 1.5 * size and overlaps and len(candidate) > 2:
                figures.lone.append((page + 1, "".join(c["text"] for c in candidate) + "⏎" + text))
                break


def report(figures: Figures) -> str:
    """One paragraph a person reads: the figures and where the faults are."""
    lines = [", ".join(f"{k}: {v}" for k, v in figures.summary().items())]
    lines += [f"  lone character, page {page}: {text}" for page, text in figures.lone]
    lines += [f"  short page {page}: {short} lines short before «{after}»"
              for page, short, after in figures.short_pages]
    lines += [f"  loose pair: {text}" for text in figures.loose_pairs]
    lines += [f"  bad start, page {line.page + 1}: {line.text}" for line in figures.bad_starts]
    lines += [f"  bad end, page {line.page + 1}: {line.text}" for line in figures.bad_ends]
    lines += [f"  widow, page {line.page + 1}: {line.text}" for line in figures.widows]
    lines += [f"  orphan, page {line.page + 1}: {line.text}" for line in figures.orphans]
    lines += ["  lines short per page (pages that may end short left out): " + ", ".join(
        f"p. {page}: {lines}" for page, lines in figures.shortfalls)]
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    print(report(measure(sys.argv[1])))
