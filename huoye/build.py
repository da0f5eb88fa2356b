"""The orchestrator: plan → load → preflight → render → write.

- plan: which issues, and which of them are up to date (`huoye.plan`: raw bytes hashed
  once per build, nothing parsed; when all are, nothing else happens);
- load: the content folder → validated models (`huoye.load`);
- preflight: every check that can refuse an issue (`huoye.preflight`);
- render: each format in memory (`huoye.render`);
- write: all of an issue's outputs replaced as one set, then its stamp (`huoye.output`);
  then, if no issue failed, the series' archive page and feed (`huoye.site`).

Where each step runs — worker processes for an archive, an early PDF process for
one cold issue, a forked render for one warm issue — is `huoye.processes`; what the
editor sees as it goes is `huoye.progress`.
"""
from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path
from typing import Any

from huoye import cache, processes, progress
from huoye.content import series_name
from huoye.errors import HuoyeError, os_error_message
from huoye.i18n import _
from huoye.output import check_targets, commit
from huoye.plan import DEFAULT_TEMPLATES, BuildRequest, IssueResult, Plan, plan, select
from huoye.processes import default_jobs
from huoye.render import RenderOptions, output_name

__all__ = ["DEFAULT_TEMPLATES", "BuildRequest", "IssueResult", "build", "build_issue",
           "default_jobs", "select"]


def build(request: BuildRequest) -> list[IssueResult]:
    """Build the requested issues, then, if none failed, the series' archive page and feed
    (`huoye.site`); returns one result per issue (errors included), in issue order."""
    todo = plan(request)
    results = build_issues(request, todo)
    if request.site and not any(r.error for r in results):
        from huoye import site

        for path in site.publish(todo.root, request.out_dir, request.templates,
                                 series_name(todo.root), todo.fronts):
            progress.log.info(_("{path}: updated").format(path=progress.shown(path)))
    return results


def build_issues(request: BuildRequest, todo: Plan | None = None) -> list[IssueResult]:
    """Build the requested issues (`todo`: their plan, if made); one result per issue
    (errors included), in issue order."""
    todo = plan(request) if todo is None else todo
    results = list(todo.up_to_date)
    for n, result in enumerate(results, start=1):
        progress.report(result, n, len(todo.folders))
    if not todo.stale:
        return results
    def calls() -> list[tuple[Any, str, BuildRequest]]:
        from huoye.load import load_archive  # parsing is needed: something will be built

        issues = [i for i in load_archive(todo.root, todo.only) if i.folder.resolve() in todo.stale]
        return [(issue, todo.keys[issue.folder.resolve()], request) for issue in issues]

    early = processes.early_pdf_pays(request.jobs, len(todo.stale), request.formats, request.warm)
    with processes.EarlyPdf() if early else contextlib.nullcontext() as early_pdf:
        if request.jobs > 1 and len(todo.stale) > 1:  # the workers start before the parsing
            done = processes.parallel(_build_guarded, calls, request.jobs, len(todo.stale))
        else:
            done = (_build_guarded(*call, split=request.jobs > 1, early_pdf=early_pdf)
                    for call in calls())
        for n, result in enumerate(done, start=len(results) + 1):
            progress.report(result, n, len(todo.folders))
            results.append(result)
    return sorted(results, key=lambda r: r.slug)


def build_issue(issue, key: str, request: BuildRequest, split: bool = False,
                early_pdf: processes.EarlyPdf | None = None) -> IssueResult:
    """Preflight, render and write one issue that `build` found stale (`key`: its build key)."""
    from huoye.preflight import preflight

    start = time.perf_counter()
    out_dir = request.out_dir / issue.slug
    options = RenderOptions(templates=request.templates,
                            pdf_variant=request.pdf_variant or issue.series.pdf_variant)
    wanted = {fmt: output_name(issue, fmt) for fmt in request.formats}
    names = list(wanted.values())
    check_targets(out_dir, names)  # an odd target (a folder, a link) is refused before rendering
    # A cold one-issue build starts the PDF as soon as its document has passed the checks
    # (it is kept only if the rest of the preflight passes too).
    def start_pdf(html: str) -> None:
        assert early_pdf is not None
        early_pdf.send(issue, options, html)

    starts_early = early_pdf is not None and "pdf" in wanted and len(wanted) > 1
    with processes.collector_paused():  # (laying out the deck makes objects by the million)
        ready = preflight(issue, options, request.formats, start_pdf if starts_early else None)
    fonts = _font_files(issue)
    if request.html_first and "html" in wanted and len(wanted) > 1:  # watch mode: HTML first
        wanted = {"html": wanted.pop("html"), **wanted}
    rendered = processes.render_formats(issue, options, wanted, split, early_pdf, _prepared(ready))
    # All formats are rendered: now, and only now, the set replaces the earlier outputs.
    with cache.output_lock(out_dir):
        commit(out_dir, {name: rendered[name] for name in names})
        cache.write_stamp(out_dir, key, names, fonts)
    return IssueResult(issue.slug, True, time.perf_counter() - start, [out_dir / n for n in names])


def _prepared(ready) -> dict:
    """How each format renders from what the preflight made (see `processes.render_formats`)."""
    from huoye.render import deck, pdf

    issue, options = ready.issue, ready.options
    return {"pdf": lambda: pdf.render(issue, options, ready.print_html),
            "pdf_html": lambda: ready.print_html,
            "pptx": lambda: deck.render(issue, options, ready.deck),
            "html": lambda: ready.web_html.encode("utf-8")}


def _build_guarded(issue, key: str, request: BuildRequest, split: bool = False,
                   early_pdf: processes.EarlyPdf | None = None) -> IssueResult:
    """`build_issue`, its failure turned into the result (one issue's failure does not stop
    the others); an error that is not the content's or the machine's is a bug."""
    start = time.perf_counter()
    try:
        result = build_issue(issue, key, request, split, early_pdf)
    except HuoyeError as err:
        result = IssueResult(issue.slug, False, time.perf_counter() - start, error=str(err))
    except Exception as err:
        if os.environ.get("HUOYE_DEBUG"):
            raise
        internal = not isinstance(err, OSError)
        what = (os_error_message(err).strip() if isinstance(err, OSError)
                else _("internal error ({error}); this is a bug in huoye, not a mistake in your "
                       "content; run with HUOYE_DEBUG=1 for the details").format(
                    error=f"{type(err).__name__}: {err}"))
        result = IssueResult(issue.slug, False, time.perf_counter() - start, error=what,
                             internal=internal)
    import resource

    result.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result.worker = os.getpid()
    return result


def _font_files(issue) -> list[Path]:
    from huoye.fonts import font_files

    return font_files(issue.series.brand)



class _CallableModule(type(sys)):  # type: ignore[misc]
    """`huoye.build(...)` is the library's entry point (`huoye.api.build`), and `huoye.build`
    is also this module: calling the module calls that function."""

    def __call__(self, *args: Any, **kwargs: Any) -> list[IssueResult]:
        from huoye.api import build as build_series

        return build_series(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
