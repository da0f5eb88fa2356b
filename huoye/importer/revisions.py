"""Tracked changes (修订) in a Word manuscript: accepted, as Word's 接受所有修订 does.

Where it stands: between opening the .docx (package.py) and mapping its body
(mapping.py). python-docx reads the XML as it is, tracked changes included: its
paragraph text would hold the deleted words next to the inserted ones. `accept` edits
the in-memory XML of the body (and of the notes) so that mapping sees the text as it
reads once every change is accepted:

- insertions (w:ins) kept, their runs unwrapped; deletions (w:del) dropped;
- moves: the text at its new place (w:moveTo) kept, at its old place (w:moveFrom) dropped;
- a deleted paragraph mark joins the paragraph to the next one; a deleted table row is
  dropped;
- formatting changes (w:rPrChange, w:pPrChange …): the new formatting kept, the record of
  the old one dropped.

It returns the count of each kind, for the report. Nothing is written to the file.
"""
from __future__ import annotations

from collections import Counter

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
Q = f"{{{W}}}"
FORMAT_CHANGES = ("rPrChange", "pPrChange", "sectPrChange", "tblPrChange", "trPrChange",
                  "tcPrChange", "tblGridChange", "tblPrExChange", "numberingChange")
RANGE_MARKS = ("moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd")


def has_changes(root) -> bool:
    """Whether the XML under `root` records any tracked change."""
    names = ("ins", "del", "moveFrom", "moveTo", *FORMAT_CHANGES)
    return any(True for _ in root.iter(*(Q + n for n in names)))


def accept(root) -> Counter[str]:
    """Accept every tracked change under `root` in place; the counts by kind:
    'insertion', 'deletion', 'move', 'paragraph', 'row', 'format'."""
    count: Counter[str] = Counter()
    # table rows inserted or deleted (w:trPr/w:ins, w:trPr/w:del)
    for row in list(root.iter(f"{Q}tr")):
        trpr = row.find(f"{Q}trPr")
        if trpr is None:
            continue
        if trpr.find(f"{Q}del") is not None:
            row.getparent().remove(row)
            count["row"] += 1
            continue
        for mark in trpr.findall(f"{Q}ins"):
            trpr.remove(mark)
            count["row"] += 1
    # paragraph marks: inserted (the mark stays), deleted (the paragraph joins the next)
    for p in list(root.iter(f"{Q}p")):
        rpr = p.find(f"{Q}pPr/{Q}rPr")
        if rpr is None:
            continue
        for mark in rpr.findall(f"{Q}ins"):
            rpr.remove(mark)
            count["paragraph"] += 1
        deleted = rpr.find(f"{Q}del")
        if deleted is None:
            continue
        rpr.remove(deleted)
        count["paragraph"] += 1
        nxt = p.getnext()
        if nxt is None or nxt.tag != f"{Q}p":
            continue   # the last paragraph of a cell or of the body keeps its mark
        content = [c for c in p if c.tag != f"{Q}pPr"]
        anchor = nxt.find(f"{Q}pPr")
        for k, c in enumerate(content):
            if anchor is None:
                nxt.insert(k, c)
            else:
                anchor.addnext(c)
                anchor = c
        p.getparent().remove(p)
    for name in ("del", "moveFrom"):
        for el in list(root.iter(Q + name)):
            parent = el.getparent()
            if parent is None:
                continue
            parent.remove(el)
            count["deletion" if name == "del" else "move"] += 1
    for name in ("ins", "moveTo"):
        for el in list(root.iter(Q + name)):
            _unwrap(el)
            if name == "ins":
                count["insertion"] += 1
    for name in (*FORMAT_CHANGES, *RANGE_MARKS):
        for el in list(root.iter(Q + name)):
            el.getparent().remove(el)
            if name in FORMAT_CHANGES:
                count["format"] += 1
    return count


def _unwrap(el) -> None:
    """Put `el`'s children in its place, keeping the text order."""
    parent = el.getparent()
    if parent is None:
        return
    index = parent.index(el)
    for k, child in enumerate(list(el)):
        parent.insert(index + k, child)
    parent.remove(el)
