"""Word's automatic numbering (numbering.xml), written out as the numbers a reader sees.

python-docx gives a paragraph's numbering reference (w:numPr: numId, ilvl, on the
paragraph or its style) and the numbering part's XML, but not the numbers. This module
counts them the way Word does for the formats policy manuscripts use: 一、 (chineseCounting),
（一）, 1. (decimal), （1）, ① (decimalEnclosedCircle), from each level's w:lvlText and
w:start. A level's counter restarts when a level above it advances. Bullets are not
numbers (None); a format not listed here is reported by the caller.
"""
from __future__ import annotations

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
Q = f"{{{W}}}"
DIGITS = "零一二三四五六七八九"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def chinese(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (numbering rarely goes beyond)."""
    if n < 10:
        return DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")


def formatted(fmt: str, n: int) -> str | None:
    if fmt == "decimal":
        return str(n)
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographTraditional",
               "taiwaneseCounting", "japaneseCounting") and 0 < n < 100:
        return chinese(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 0 < n <= 20:
        return CIRCLED[n - 1]
    if fmt == "lowerLetter" and 0 < n <= 26:
        return chr(ord("a") + n - 1)
    if fmt == "upperLetter" and 0 < n <= 26:
        return chr(ord("A") + n - 1)
    return None


class Numbering:
    """The counters of one document's automatic numbering."""

    def __init__(self, document):
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}   # numId → ilvl → fmt, text, start
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for a in root.iterchildren(f"{Q}abstractNum"):
            levels = {}
            for lvl in a.iterchildren(f"{Q}lvl"):
                fmt = _val(lvl, "numFmt") or "decimal"
                levels[int(lvl.get(f"{Q}ilvl", "0"))] = (fmt, _val(lvl, "lvlText") or "",
                                                         int(_val(lvl, "start") or 1))
            abstract[str(a.get(f"{Q}abstractNumId"))] = levels
        for num in root.iterchildren(f"{Q}num"):
            ref = _val(num, "abstractNumId")
            if ref in abstract:
                self.levels[str(num.get(f"{Q}numId"))] = abstract[ref]

    def reference(self, paragraph) -> tuple[str, int] | None:
        """(numId, ilvl) of the paragraph's automatic numbering, on it or on its style."""
        ppr = paragraph._p.pPr
        num_pr = ppr.numPr if ppr is not None else None
        style, depth = paragraph.style, 0
        while num_pr is None and style is not None and depth < 10:
            sp = style.element.pPr
            num_pr = sp.numPr if sp is not None else None
            style, depth = style.base_style, depth + 1
        if num_pr is None or num_pr.numId is None:
            return None
        ilvl = num_pr.ilvl.val if num_pr.ilvl is not None else 0
        return str(num_pr.numId.val), int(ilvl)

    def label(self, ref: tuple[str, int]) -> tuple[str | None, str]:
        """(the label this paragraph shows, the level's format); advances the counters.
        None for a bullet, an unknown list, or a format not read."""
        num_id, ilvl = ref
        levels = self.levels.get(num_id)
        if num_id == "0" or not levels or ilvl not in levels:
            return None, "none"
        fmt, text, _start = levels[ilvl]
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, levels[ilvl][2] - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if fmt in ("bullet", "none"):
            return None, fmt
        out = text
        for k in range(ilvl, -1, -1):
            if f"%{k + 1}" not in out:
                continue
            kfmt = levels.get(k, (fmt, "", 1))[0]
            value = formatted(kfmt, counters.get(k, levels.get(k, ("", "", 1))[2]))
            if value is None:
                return None, kfmt
            out = out.replace(f"%{k + 1}", value)
        return out, fmt


def _val(el, child: str) -> str | None:
    c = el.find(f"{Q}{child}")
    return None if c is None else c.get(f"{Q}val")
