"""render step: a PDF document parsed in one process and laid out in another.

A cold build renders the PDF in an early process (`huoye.processes.EarlyPdf`) that is
still importing WeasyPrint when the build's own process has the PDF's document ready,
and everything the early process does lies on the build's longest path. Parsing the
document's HTML (tinyhtml5, pure Python: ~0.07 s for an issue) is work the build's
process can do in that wait: `parse` makes the element tree there, it crosses the pipe
pickled (a few ms), and `document` gives WeasyPrint that tree instead of the string.

``weasyprint.HTML`` has no public way to take a parsed tree, so `document` does what
its constructor does after parsing (base URL, ``cssselect2`` wrapper), pinned like
the adapters to ``SUPPORTED_WEASYPRINT``; on any other WeasyPrint it parses the string
as before. The PDF is the same byte for byte either way (tests/test_early_pdf.py).
"""
from __future__ import annotations

from typing import Any

from huoye.render.weasyprint.pinned import SUPPORTED_WEASYPRINT

__all__ = ["document", "parse"]

# weasyprint.HTML's own parser options (HTML.__init__)
_PARSE_OPTIONS = {"namespace_html_elements": False}


def parse(html: str) -> Any:
    """The element tree WeasyPrint would parse from `html` (no WeasyPrint import)."""
    import tinyhtml5

    return tinyhtml5.parse(html, **_PARSE_OPTIONS)


def document(html: str, tree: Any | None, base_url: str, url_fetcher) -> Any:
    """A ``weasyprint.HTML`` of `html`, built on `tree` (`parse(html)`) when given and
    this WeasyPrint is the pinned one."""
    import weasyprint

    if tree is None or weasyprint.__version__ not in SUPPORTED_WEASYPRINT:
        return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=url_fetcher)
    import cssselect2
    from weasyprint import _find_base_url

    made = weasyprint.HTML.__new__(weasyprint.HTML)
    made.base_url = _find_base_url(tree, base_url)
    made.url_fetcher = url_fetcher
    made.media_type = "print"
    made.wrapper_element = cssselect2.ElementWrapper.from_html_root(tree, content_language=None)
    made.etree_element = made.wrapper_element.etree_element
    return made
