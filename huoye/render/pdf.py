"""Render step: the issue → PDF briefing (A4 portrait) with WeasyPrint (huoye.render.weasyprint).

model ──check fonts──▶ html.build_html(media="print") ──WeasyPrint──▶ **PDF bytes**

Before any layout, `huoye.fonts.check_fonts` proves that the brand's families
are installed and cover every character (errors name the content file:line).
The HTML for print comes from the same templates as the web edition, with
templates/briefing.css (paged media: running header, "— 3 —" page numbers,
contents page numbers by target-counter, bookmarks by bookmark-level).

WeasyPrint fetches resources only through `GuardedFetcher`: files inside the
issue folder and the templates folder, and data: URIs; anything else (other
files, http, ...) stops the build with a RenderError naming the reference.

The PDF is tagged (`pdf_tags=True`); metadata (title, authors, subject,
keywords, creation date = issue date, language zh-CN) comes from the <head>.
`options.pdf_variant` or `series.pdf_variant` "pdf/a-3u" makes a PDF/A-3u.
Justification between CJK characters comes from `huoye.render.weasyprint.justify`; contents leaders
are drawn as one text box per line by `huoye.render.weasyprint.leaders`. `huoye.render.weasyprint.tagging`
makes running heads, page numbers and leaders artifacts and every link printable, so that the
PDF/UA variant (and the default PDF, whose structure is the same) passes a PDF/UA checker.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from huoye.errors import RenderError
from huoye.fonts import check_fonts, warn_if_slow_subsetting
from huoye.i18n import N_, _
from huoye.render import PDF_VARIANTS, RenderOptions
from huoye.render.weasyprint import preparsed
from huoye.render.weasyprint.tagging import print_links

preparsed.install()  # WeasyPrint, imported below on first use, loads 0.2 s faster


class RefusedReference(RenderError):
    """WeasyPrint was asked for a resource outside the issue and templates folders."""


@lru_cache(maxsize=1)
def _fetcher_class():
    """GuardedFetcher, built on first use (importing WeasyPrint is slow)."""
    from weasyprint import URLFetcher

    class GuardedFetcher(URLFetcher):
        """Fetches file: URLs inside the allowed folders and data: URIs; refuses the rest."""

        def __init__(self, allowed: tuple[Path, ...], where: str):
            # fail_on_errors: WeasyPrint turns our RenderError into a FatalURLFetchingError
            # (which stops the rendering) instead of a logged warning.
            super().__init__(allowed_protocols=("file", "data"), fail_on_errors=True)
            self.allowed = tuple(p.resolve() for p in allowed)
            self.where = where

        def fetch(self, url, headers=None):
            check_reference(url, self.allowed, self.where)
            return super().fetch(url, headers)

    return GuardedFetcher


def check_reference(url: str, allowed: tuple[Path, ...], where: str) -> None:
    """Raise RefusedReference unless `url` is a data: URI or a file inside `allowed`."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return
    if scheme == "file" and parts.netloc in ("", "localhost"):
        path = Path(unquote(parts.path)).resolve()
        if any(path.is_relative_to(folder) for folder in allowed):
            return
        folders = " or ".join(str(f) for f in allowed)
        raise RefusedReference(f"{where}: refused to read '{url}': only files inside {folders} "
                               "may be used; copy the file into the issue folder")
    raise RefusedReference(f"{where}: refused to fetch '{url}': the PDF is built offline from "
                           "the issue folder; download the file into the issue folder and "
                           "link it relatively")


def url_fetcher(issue, options: RenderOptions):
    """The fetcher WeasyPrint uses for this issue: the issue and templates folders only."""
    return _fetcher_class()((Path(issue.folder), Path(options.templates)), str(issue.source))


def pdf_variant(issue, options: RenderOptions) -> str | None:
    variant = options.pdf_variant or issue.series.pdf_variant
    if variant is not None:
        variant = variant.lower()
    if variant is not None and variant not in PDF_VARIANTS:
        raise RenderError(_("{path}: pdf_variant '{variant}' is not supported; "
                            "use one of {choices}").format(
            path=issue.series.source, variant=variant, choices=", ".join(PDF_VARIANTS)))
    return variant


def _justification():
    """huoye.render.weasyprint.justify (lines of Chinese end flush), if this WeasyPrint supports it."""
    from huoye.render.weasyprint import justify

    return justify.ADAPTER.optional(N_("CJK justification"), N_("lines of Chinese stay ragged"))


def _leaders():
    """huoye.render.weasyprint.leaders (contents leaders drawn as one text box per line), if supported."""
    from huoye.render.weasyprint import leaders

    return leaders.ADAPTER.optional(N_("single-box leaders"), N_("the PDF takes longer"))


def _balance():
    """huoye.render.weasyprint.balance (pages short before a heading filled), if supported."""
    from huoye.render.weasyprint import balance

    return balance.ADAPTER.optional(N_("page balance"),
                                    N_("pages may end short before a heading"))


def _tagging():
    """huoye.render.weasyprint.tagging (running heads and leaders as artifacts), if supported."""
    from huoye.render.weasyprint import tagging

    return tagging.ADAPTER.optional(N_("PDF/UA tagging"),
                                    N_("running heads and contents leaders are tagged as text"))


def _compact_fonts():
    """huoye.render.weasyprint.subset (CJK fonts ~300 KB smaller), if this WeasyPrint supports it."""
    from huoye.render.weasyprint import subset

    return subset.ADAPTER.optional(N_("compact CJK font subsets"), N_("the PDF will be larger"))


@lru_cache(maxsize=1)
def _font_config():
    """One WeasyPrint font configuration per process: configured once, reused by every
    document a warm process renders (watch mode, archive workers)."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def prepare() -> None:
    """Import WeasyPrint and configure its fonts now, so that a later `render` starts at
    once (the build calls this in a process that waits for the content to be parsed).
    Only what renders a document made elsewhere is loaded: the early PDF process is sent
    `document_html`'s result, and its imports delay the PDF (the HTML templating and the
    Markdown parser would add ~0.13 s)."""
    _fetcher_class()
    _font_config()
    from weasyprint import HTML  # noqa: F401
    from weasyprint.urls import FatalURLFetchingError  # noqa: F401


def document_html(issue, options: RenderOptions) -> str:
    """The HTML WeasyPrint lays out, once the fonts and the PDF variant are checked: all the
    work before WeasyPrint (a cold build does it while WeasyPrint is still loading)."""
    from huoye.render.html import build_html  # (not in the early PDF process: see `prepare`)

    check_fonts(issue)
    pdf_variant(issue, options)
    return build_html(issue, options, "print")


def preparse(html: str):
    """`html` (`document_html`'s) parsed as WeasyPrint parses it, for `render` in another
    process (`huoye.render.weasyprint.tree`)."""
    from huoye.render.weasyprint import tree

    return tree.parse(html)


def render(issue, options: RenderOptions, html: str | None = None, tree=None) -> bytes:
    """The PDF briefing of `issue` as bytes (the orchestrator writes the file); `html`, if
    given, is `document_html(issue, options)` made beforehand, and `tree`, if given, its
    `preparse`."""
    if html is None:
        html = document_html(issue, options)
    variant = pdf_variant(issue, options)
    warn_if_slow_subsetting()
    from weasyprint.urls import FatalURLFetchingError

    from huoye.render.weasyprint.tree import document as parsed_document

    base = Path(issue.folder).resolve().as_uri() + "/"
    document = parsed_document(html, tree, base, url_fetcher(issue, options))
    try:
        with _justification(), _balance(), _leaders(), _tagging(), _compact_fonts():
            return document.write_pdf(pdf_tags=True, pdf_variant=variant, attachments=None,
                                      uncompressed_pdf=False, font_config=_font_config(),
                                      finisher=print_links)
    except FatalURLFetchingError as err:
        cause = err.__cause__
        if isinstance(cause, RenderError):
            raise cause from None
        raise RenderError(_("{path}: {error} ({reason}); check the reference").format(
            path=issue.source, error=err, reason=cause)) from None
