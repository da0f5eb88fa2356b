"""Render step support: what huoye's WeasyPrint adapters share.

The PDF renderer runs WeasyPrint with small adapters (``justify``: CJK
justification, ``leaders``: one text box per contents leader,
``subset``: compact CJK font subsets). Each replaces a few private WeasyPrint
attributes, so each is an ``Adapter`` pinned to the one WeasyPrint version it was
written and tested for (``SUPPORTED_WEASYPRINT``, made of ``huoye.render.weasyprint.VERSION``):
on any other it raises ``UnsupportedWeasyPrint``, and the renderer goes on without it, with a warning
(``with adapter.optional(what, consequence): ...``). An adapter is installed for a
block (``with adapter.active(): ...``), nestably, and its replacements are undone
together on leaving.
"""
from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator

from huoye.i18n import _
from huoye.render.weasyprint import VERSION

SUPPORTED_WEASYPRINT = frozenset({VERSION})
LOG = logging.getLogger("huoye.render")

# What an adapter replaces: (owner, attribute name, replacement), owner a module or class.
Replacements = list[tuple[object, str, object]]


class UnsupportedWeasyPrint(RuntimeError):
    """The installed WeasyPrint is not a version this adapter was written and tested for."""


class Adapter:
    """Replacements of WeasyPrint attributes, made and undone together, thread-safely."""

    def __init__(self, name: str, recheck: str, replacements: Callable[[], Replacements]):
        self.name = name  # e.g. "huoye.render.weasyprint.justify"
        self.recheck = recheck  # what to read again in a new WeasyPrint
        self._replacements = replacements  # imports WeasyPrint; UnsupportedWeasyPrint if amiss
        self._lock = threading.RLock()
        self._originals: list[tuple[object, str, object]] = []

    def installed(self) -> bool:
        """Tell whether the adapter is currently installed."""
        return bool(self._originals)

    def install(self) -> None:
        """Make the replacements (idempotent); UnsupportedWeasyPrint on another version."""
        with self._lock:
            if self._originals:
                return
            self._require_supported()
            replacements = self._replacements()
            for owner, attribute, _replacement in replacements:
                if getattr(owner, attribute, None) is None:
                    raise UnsupportedWeasyPrint(_("WeasyPrint has no {attribute}; {adapter} "
                                                  "cannot patch it").format(
                        attribute=attribute, adapter=self.name))
            for owner, attribute, replacement in replacements:
                self._originals.append((owner, attribute, getattr(owner, attribute)))
                setattr(owner, attribute, replacement)

    def uninstall(self) -> None:
        """Restore WeasyPrint's own attributes. Idempotent."""
        with self._lock:
            while self._originals:
                owner, attribute, original = self._originals.pop()
                setattr(owner, attribute, original)

    def original(self, attribute: str, default=None):
        """WeasyPrint's own value of an attribute the adapter replaced; `default` when the
        adapter is not installed (e.g. uninstalled while a document was being written)."""
        for _owner, name, original in self._originals:
            if name == attribute:
                return original
        return default

    def active(self):
        """Context manager: installed for the block; only the outermost block that installed
        it uninstalls it. UnsupportedWeasyPrint on another WeasyPrint."""
        return self._installed_for_block(None)

    def optional(self, what: str, consequence: str):
        """Context manager: `active()` where this WeasyPrint is supported; elsewhere the block
        runs without the adapter, after a warning "<what> unavailable (<why>); <consequence>"."""
        return self._installed_for_block((what, consequence))

    @contextlib.contextmanager
    def _installed_for_block(self, fallback: tuple[str, str] | None) -> Iterator[None]:
        with self._lock:
            undo = not self.installed()
            try:
                self.install()
            except UnsupportedWeasyPrint as err:
                if fallback is None:
                    raise
                LOG.warning("%s", _("{what} unavailable ({reason}); {consequence}").format(
                    what=_(fallback[0]), reason=err, consequence=_(fallback[1])))
                undo = False
        try:
            yield
        finally:
            if undo:
                self.uninstall()

    def _require_supported(self) -> None:
        import weasyprint

        if weasyprint.__version__ not in SUPPORTED_WEASYPRINT:
            raise UnsupportedWeasyPrint(
                _("{adapter} patches WeasyPrint internals and was tested with WeasyPrint "
                  "{versions}; found {found}. Re-check {recheck}, then extend "
                  "SUPPORTED_WEASYPRINT.").format(
                    adapter=self.name, versions=", ".join(sorted(SUPPORTED_WEASYPRINT)),
                    found=weasyprint.__version__, recheck=self.recheck))
