"""render step: PDF layout adapter: pages that end short before a heading are filled.

The stylesheet keeps a heading with what follows it (``break-after: avoid``) and a
paragraph's first and last two lines together (``orphans``/``widows``), so WeasyPrint
moves a heading to the next page when it and two lines of its text do not fit at the
foot of a page, and the page ends short, sometimes by four or five lines: the hole a
trained eye sees at once. A typesetter fills such a page rather than leave it short:
the space above its headings grows a little (vertical justification, 撑行), so that its
last line sits on the page's last line like every other page's.

While installed, this adapter wraps ``layout_document`` as ``weasyprint.document`` calls
it: once WeasyPrint has laid out and paginated the document, every page that ends more
than ``LIMITS.short_page_from`` body lines above the foot of its text area, and whose
next page begins with a heading that a page break did not force there, is filled by
moving down the blocks below each heading on it (not the first thing on the page), an
equal share each, at most ``LIMITS.heading_space_growth`` body lines per heading. Nothing
moves from one page to another, so page numbers, links and the contents stay as they
were. A page that ends short before a figure, table or key-figure block that cannot be
split, or at the end of an article, stays as it is (that is where a short page belongs);
one that the limits cannot fill is reported with a warning naming the page.

Pinned, like ``huoye.render.weasyprint.justify`` (which holds ``LIMITS``), to
``SUPPORTED_WEASYPRINT``; use ``with balanced_pages(): ...`` (idempotent, nestable).
"""
from __future__ import annotations

import collections
import logging

from huoye.i18n import _
from huoye.render.weasyprint.pinned import SUPPORTED_WEASYPRINT, Adapter, UnsupportedWeasyPrint

__all__ = ["SUPPORTED_WEASYPRINT", "UnsupportedWeasyPrint", "balanced_pages", "install",
           "installed", "uninstall"]

LOG = logging.getLogger("huoye.render")
_FORCED = ("page", "left", "right", "recto", "verso")


def _replacements():
    from weasyprint import document

    stock = document.layout_document

    from weasyprint.layout.background import layout_backgrounds

    def layout_document(html, root_box, context, *args, **kwargs):
        pages = list(stock(html, root_box, context, *args, **kwargs))
        for number in fill_short_pages(pages):  # their backgrounds placed again
            layout_backgrounds(pages[number - 1], context.get_image_from_uri)
        return pages

    return [(document, "layout_document", layout_document)]


ADAPTER = Adapter("huoye.render.weasyprint.balance",
                  "document.py Document._render (layout_document, then Page(page_box)), "
                  "formatting_structure/boxes.py (translate, border_box_y, LineBox)", _replacements)
installed, install, uninstall = ADAPTER.installed, ADAPTER.install, ADAPTER.uninstall


def balanced_pages():
    """Context manager: the adapter installed for the block (nestable; see pinned.Adapter)."""
    return ADAPTER.active()


# --------------------------------------------------------------------------- the page tree


def _flow_root(page):
    """The page's box of the document's flow (not its margin boxes: running heads, folio)."""
    from weasyprint.formatting_structure import boxes

    for child in page.children:
        if not isinstance(child, boxes.MarginBox):
            return child
    return None


def _leaves(box, path=()):
    """(leaf, its ancestors) in document order: a leaf is a block holding lines, or a block
    that is not split (break-inside: avoid: a chart, key figures, an image), or a replaced box."""
    from weasyprint.formatting_structure import boxes

    if not isinstance(box, boxes.ParentBox) or box.style["break_inside"] in ("avoid", "avoid-page"):
        yield box, path
        return
    children = [child for child in box.children if child.is_in_normal_flow()]
    if not children or any(isinstance(child, boxes.LineBox) for child in children):
        yield box, path
        return
    for child in children:
        if isinstance(child, boxes.BlockLevelBox) or isinstance(child, boxes.ParentBox):
            yield from _leaves(child, (*path, box))


def _foot(page) -> float:
    """Where the page's flow may end: its content box's foot, or its footnotes' top."""
    from weasyprint.formatting_structure import boxes

    foot = page.content_box_y() + page.height
    for child in page.children:
        if isinstance(child, boxes.FootnoteAreaBox):
            foot = min(foot, child.position_y)
    return foot


def _bottom(box) -> float:
    return box.border_box_y() + box.border_height()


def _is_heading(box) -> bool:
    return box.style["break_after"] in ("avoid", "avoid-page") and bool(
        getattr(box, "children", None))


def _line_height(leaves) -> float | None:
    """The page's body line height: the most common height of its line boxes."""
    from weasyprint.formatting_structure import boxes

    heights = collections.Counter(round(line.height, 2) for leaf, _ in leaves
                                  for line in getattr(leaf, "children", ())
                                  if isinstance(line, boxes.LineBox))
    return heights.most_common(1)[0][0] if heights else None


# --------------------------------------------------------------------------- filling


def fill_short_pages(pages) -> list[int]:
    """Fill the short pages of laid-out `pages` (see the module doc); return the numbers
    (1-based) of the pages changed. Those the limits cannot fill are warned about."""
    from huoye.render.weasyprint.justify import LIMITS

    unfilled, changed = [], []
    laid = []
    for page in pages:
        root = _flow_root(page)
        leaves = list(_leaves(root)) if root is not None else []
        laid.append((page, root, leaves))
    for number, ((page, root, leaves), following) in enumerate(zip(laid, laid[1:]), start=1):
        if root is None or not leaves or not following[2]:
            continue
        line = _line_height(leaves)
        if not line:
            continue
        first, first_path = following[2][0]
        if not _is_heading(first) or _forced_before(first, first_path, leaves):
            continue  # an article's end, or before a block that cannot be split
        foot = _foot(page)
        short = foot - max(_bottom(leaf) for leaf, _ in leaves)
        if short <= LIMITS.short_page_from * line:
            continue
        gaps = [leaf for i, (leaf, _) in enumerate(leaves)
                if i and _is_heading(leaf) and not _is_heading(leaves[i - 1][0])]
        if not gaps:
            unfilled.append((number, short / line))
            continue
        share = min(short / len(gaps), LIMITS.heading_space_growth * line)
        _move_down(root, {id(gap): share for gap in gaps}, _ancestors(leaves, gaps))
        changed.append(number)
        left = short - share * len(gaps)
        if left > 2 * line:
            unfilled.append((number, left / line))
    for number, lines in unfilled:
        LOG.warning(_("page {page} ends {lines:.1f} lines short before a heading that cannot "
                      "come up with two lines of its text; shorten or lengthen the text "
                      "before it").format(page=number, lines=lines))
    return changed


def _forced_before(first, path, previous_leaves) -> bool:
    """Tell whether a page break was forced before `first` (by it or by a box that starts
    with it on its page: one of whose element nothing was on the previous page)."""
    before = {id(box.element) for leaf, ancestors in previous_leaves for box in (leaf, *ancestors)
              if box.element is not None}
    return any(box.style["break_before"] in _FORCED and id(box.element) not in before
               for box in (*path, first) if box.element is not None)


def _ancestors(leaves, gaps) -> set[int]:
    """The boxes that hold a gap's heading (they move their children one by one)."""
    wanted = {id(gap) for gap in gaps}
    return {id(box) for leaf, path in leaves if id(leaf) in wanted for box in path}


def _move_down(box, gaps: dict[int, float], holders: set[int], shift: float = 0.0) -> float:
    """Move the children of `box` (which holds a gap) down: each gap's share from its heading
    on, `shift` for all; `box` grows by what it gained inside. Returns the shift after it."""
    box.position_y += shift
    start = shift
    for child in box.children:
        shift += gaps.get(id(child), 0.0)
        if id(child) in holders:
            shift = _move_down(child, gaps, holders, shift)
        elif shift:
            child.translate(0, shift)
    box.height += shift - start
    return shift
