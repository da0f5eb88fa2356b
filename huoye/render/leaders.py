"""render step: PDF layout adapter: one text box per CSS leader in WeasyPrint 70.0.

The contents page draws its dotted leaders with ``content: leader(dotted)``.
WeasyPrint 70.0 fills a leader with one copy of the leader's text box (". ") per
repetition, right-aligned from the end of the line (``handle_leader`` in
``weasyprint.layout.leader``), and draws every copy as a text box of its own,
re-creating its Pango layout each time: on the sample issue that is 1,593 of the
PDF's 2,013 text boxes and about a tenth of its rendering time.

While installed, this adapter wraps ``weasyprint.layout.inline.handle_leader``: after
WeasyPrint has placed the copies, it puts one text box in their place, at the leftmost
copy's position, whose text is the repetitions in one string and whose width is
theirs. The copies abut, so the dots land where they did, still as text. Nothing else
changes. Pinned, like ``huoye.render.justify``, to ``SUPPORTED_WEASYPRINT``; use
``with single_box_leaders(): ...`` (idempotent, nestable).
"""
from __future__ import annotations

import contextlib
import copy
import threading
from collections.abc import Iterator

from huoye.render.justify import SUPPORTED_WEASYPRINT, UnsupportedWeasyPrint

__all__ = ["install", "installed", "single_box_leaders", "uninstall"]

_lock = threading.RLock()
_originals: dict[str, object] = {}


def _modules():
    import weasyprint

    if weasyprint.__version__ not in SUPPORTED_WEASYPRINT:
        raise UnsupportedWeasyPrint(
            f"huoye.render.leaders patches WeasyPrint internals and was tested with WeasyPrint "
            f"{', '.join(sorted(SUPPORTED_WEASYPRINT))}; found {weasyprint.__version__}. "
            "Re-check layout/leader.py handle_leader and its call in layout/inline.py.")
    from weasyprint.layout import inline, leader

    if not callable(getattr(inline, "handle_leader", None)) or not callable(
            getattr(leader, "leader_index", None)):
        raise UnsupportedWeasyPrint("WeasyPrint has no handle_leader/leader_index; cannot patch it")
    return inline, leader


def installed() -> bool:
    return bool(_originals)


def install() -> None:
    """Wrap WeasyPrint's leader handling (idempotent; UnsupportedWeasyPrint on another version)."""
    with _lock:
        if _originals:
            return
        inline, leader = _modules()
        original = inline.handle_leader

        def handle_leader(context, line, containing_block):
            original(context, line, containing_block)
            _merge(leader.leader_index(line)[1])

        _originals["handle_leader"] = original
        inline.handle_leader = handle_leader


def uninstall() -> None:
    """Restore WeasyPrint's own leader handling. Idempotent."""
    with _lock:
        if _originals:
            from weasyprint.layout import inline

            inline.handle_leader = _originals.pop("handle_leader")


@contextlib.contextmanager
def single_box_leaders() -> Iterator[None]:
    """Install the adapter for the block; only the outermost block uninstalls it."""
    with _lock:
        was_installed = installed()
        install()
    try:
        yield
    finally:
        if not was_installed:
            uninstall()


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
