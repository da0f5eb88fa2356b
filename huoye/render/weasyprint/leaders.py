"""render step: PDF layout adapter: one text box per CSS leader in the pinned WeasyPrint.

The contents page draws its dotted leaders with ``content: leader(dotted)``.
The pinned WeasyPrint (``VERSION``) fills a leader with one copy of the leader's text
box (". ") per repetition, right-aligned from the end of the line (``handle_leader`` in
``weasyprint.layout.leader``), and draws every copy as a text box of its own,
re-creating its Pango layout each time: on the sample issue that is 1,593 of the
PDF's 2,013 text boxes and about a tenth of its rendering time.

While installed, this adapter wraps ``weasyprint.layout.inline.handle_leader``: after
WeasyPrint has placed the copies, it puts one text box in their place, at the leftmost
copy's position, whose text is the repetitions in one string and whose width is
theirs. The copies abut, so the dots land where they did, still as text. Nothing else
changes. Pinned, like ``huoye.render.weasyprint.justify``, to ``SUPPORTED_WEASYPRINT``; use
``with single_box_leaders(): ...`` (idempotent, nestable).
"""
from __future__ import annotations

import copy

from huoye.render.weasyprint.pinned import SUPPORTED_WEASYPRINT, Adapter, UnsupportedWeasyPrint

__all__ = ["SUPPORTED_WEASYPRINT", "UnsupportedWeasyPrint", "install", "installed",
           "single_box_leaders", "uninstall"]


def _replacements():
    from weasyprint.layout import inline, leader

    handle_leader, leader_index = inline.handle_leader, leader.leader_index

    def one_box_leader(context, line, containing_block):
        handle_leader(context, line, containing_block)
        _merge(leader_index(line)[1])

    return [(inline, "handle_leader", one_box_leader)]


ADAPTER = Adapter("huoye.render.weasyprint.leaders",
                  "layout/leader.py handle_leader and its call in layout/inline.py", _replacements)
installed, install, uninstall = ADAPTER.installed, ADAPTER.install, ADAPTER.uninstall


def single_box_leaders():
    """Context manager: the adapter installed for the block (nestable; see pinned.Adapter)."""
    return ADAPTER.active()


def _merge(leader_box) -> None:
    """Replace the abutting copies of a leader's text box by one box holding them all."""
    if leader_box is None or len(leader_box.children) < 2:
        return
    copies = sorted(leader_box.children, key=lambda box: box.position_x)
    merged = copies[0].copy()
    merged.text = copies[0].text * len(copies)
    merged.width = copies[-1].position_x + copies[-1].width - copies[0].position_x
    # The copies share one (deactivated) Pango layout; drawing re-creates it from .text.
    merged.pango_layout = copy.copy(copies[0].pango_layout)
    merged.pango_layout.text = merged.text
    leader_box.children = (merged,)
