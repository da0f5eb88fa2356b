"""The orchestrator: plan → load → preflight → render → write.

- plan: which issues, and which of them are up to date (`huoye.plan`: raw bytes hashed
  once per build, nothing parsed; when all are, nothing else happens);
- load: the content folder → validated models (`huoye.load`);
- preflight: every check that can refuse an issue (`huoye.preflight`);
- render: each format in memory (`huoye.render`);
- write: all of an issue's outputs and its stamp replaced atomically (`huoye.output`).

Where each step runs — worker processes for an archive, an early PDF process for
one cold issue, a forked render for one warm issue — is `huoye.processes`; what the
editor sees as it goes is `huoye.progress`.
"""
from __future__ import annotations

import contextlib
import os
import resource
import time
from pathlib import Path

from huoye import cache, processes, progress
from huoye.errors import HuoyeError, os_error_message
from huoye.output import clean_stale_temporaries, issue_lock, write_atomic
from huoye.plan import DEFAULT_TEMPLATES, BuildRequest, IssueResult, plan, select
from huoye.processes import default_jobs
from huoye.render import RenderOptions, output_name

__all__ = ["DEFAULT_TEMPLATES", "BuildRequest", "IssueResult", "build", "build_issue",
           "default_jobs", "select"]


def build(request: BuildRequest) -> list[IssueResult]:
    """Build the requested issues; one result per issue (errors included), in issue order."""
    todo = plan(request)
    results = list(todo.up_to_date)
    for n, result in enumerate(results, start=1):
        progress.report(result, n, len(todo.folders))
    if not todo.stale:
        return results
    early = processes.early_pdf_pays(request.jobs, len(todo.stale), request.formats, request.warm)
    with processes.EarlyPdf() if early else contextlib.nullcontext() as early_pdf:
        from huoye.load import load_archive  # parsing is needed: something will be built

        issues = [i for i in load_archive(todo.root, todo.only) if i.folder.resolve() in todo.stale]
        calls = [(issue, todo.keys[issue.folder.resolve()], request) for issue in issues]
        if request.jobs > 1 and len(calls) > 1:
            done = processes.parallel(_build_guarded, calls, request.jobs)
        else:
            done = (_build_guarded(*call, split=request.jobs > 1, early_pdf=early_pdf)
                    for call in calls)
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
    ready = preflight(issue, options, request.formats)
    fonts = _font_files(issue)
    prepared = _prepared(ready)
    if request.html_first and "html" in wanted and len(wanted) > 1:
        # watch mode: the HTML edition at once (~0.1 s), the PDF (~1 s) and the deck after
        _write(out_dir, {wanted.pop("html"): prepared["html"]()})
        progress.log.info("%s: HTML edition updated in %.2f s; PDF and deck follow",
                          issue.slug, time.perf_counter() - start)
    rendered = processes.render_formats(issue, options, wanted, split, early_pdf, prepared)
    names = [output_name(issue, fmt) for fmt in request.formats]
    _write(out_dir, rendered, (cache.STAMP, cache.stamp_bytes(key, names, fonts)))
    return IssueResult(issue.slug, True, time.perf_counter() - start, [out_dir / n for n in names])


def _prepared(ready) -> dict:
    """How each format renders from what the preflight made (see `processes.render_formats`)."""
    from huoye.render import deck, pdf

    issue, options = ready.issue, ready.options
    return {"pdf": lambda: pdf.render(issue, options, ready.print_html),
            "pdf_html": lambda: ready.print_html,
            "pptx": lambda: deck.render(issue, options, ready.deck),
            "html": lambda: ready.web_html.encode("utf-8")}


def _write(out_dir: Path, files: dict[str, bytes], stamp: tuple[str, bytes] | None = None) -> None:
    """Replace `files` in `out_dir`, then the stamp that says they are up to date."""
    with issue_lock(out_dir):
        clean_stale_temporaries(out_dir)
        for name, data in files.items():
            write_atomic(out_dir / name, data)
        if stamp:
            write_atomic(out_dir / stamp[0], stamp[1])


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
                else f"internal error ({type(err).__name__}: {err}); this is a bug in huoye, not a "
                     "mistake in your content; run with HUOYE_DEBUG=1 for the details")
        result = IssueResult(issue.slug, False, time.perf_counter() - start, error=what,
                             internal=internal)
    result.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result.worker = os.getpid()
    return result


def _font_files(issue) -> list[Path]:
    from huoye.fonts import font_files

    return font_files(issue.series.brand)

