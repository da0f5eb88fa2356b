"""The orchestrator: load → validate → derive → render each format → write.

Nothing is written until everything has been loaded and checked; an issue's
outputs are all rendered in memory before any is written, then replaced
atomically. An issue whose outputs are up to date (`huoye.cache`) is skipped
without even parsing the content; with several jobs, issues are built in
parallel worker processes and one failure does not stop the others.
"""
from __future__ import annotations

import contextlib
import gc
import logging
import os
import resource
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from huoye import cache
from huoye.content import find_content_root, issue_folders, series_name
from huoye.errors import HuoyeError, os_error_message
from huoye.i18n import _, language, set_language
from huoye.output import check_targets, commit
from huoye.project import DEFAULT_TEMPLATES
from huoye.render import FORMATS, RenderOptions, file_name, output_name, renderer

log = logging.getLogger("huoye.build")
progress_log = logging.getLogger("huoye.progress")


@dataclass
class BuildRequest:
    """What the editor asked for: which issues, which formats, where, how."""

    paths: list[Path]
    formats: tuple[str, ...] = FORMATS
    out_dir: Path = Path("output")
    templates: Path = DEFAULT_TEMPLATES
    force: bool = False
    jobs: int = 1
    pdf_variant: str | None = None
    html_first: bool = False  # watch mode: render the HTML edition before the slower formats
    warm: bool = False  # watch mode: this process builds again; keep WeasyPrint loaded in it
    site: bool = True  # then write the series' archive page and feed (huoye.site)

    def options(self) -> dict:
        """The options that change the output (part of the build key)."""
        return {"formats": sorted(self.formats), "pdf_variant": self.pdf_variant}


@dataclass
class IssueResult:
    slug: str
    built: bool
    seconds: float
    outputs: list[Path] = field(default_factory=list)
    error: str | None = None
    peak_rss_mb: float = 0.0
    worker: int = 0
    internal: bool = False  # the error is a bug in huoye, not in the content or the machine


def select(paths: list[Path]) -> tuple[Path, list[Path] | None]:
    """The content root and the issue folders the paths name (None: all of them)."""
    if not paths:
        paths = [Path("content")]
    roots, only = set(), []
    for p in paths:
        p = p.resolve()
        if not p.exists():
            raise HuoyeError(_("{path}: no such folder; name content/ or an issue folder like "
                               "content/2020-03").format(path=p))
        if p.is_file():
            p = p.parent
        root = find_content_root(p)
        roots.add(root)
        if p != root:
            only.append(p)
    if len(roots) > 1:
        raise HuoyeError(_("the paths belong to different content folders; build one at a time"))
    return roots.pop(), (only or None)


def build(request: BuildRequest) -> list[IssueResult]:
    """Build the requested issues, then, if none failed, the series' archive page and feed
    (`huoye.site`); returns one result per issue (errors included), in issue order."""
    results = build_issues(request)
    if request.site and not any(r.error for r in results):
        from huoye import site
        from huoye.i18n import _

        root, _only = select(request.paths)
        for path in site.publish(root, request.out_dir, request.templates, series_name(root)):
            progress_log.info(_("{path}: updated").format(path=_shown(path)))
    return results


def build_issues(request: BuildRequest) -> list[IssueResult]:
    """Build the requested issues; returns one result per issue (errors included), in
    issue order. Freshness is decided once, from raw inputs: an up-to-date issue is
    reported without being rendered (and when all are, without parsing anything)."""
    root, only = select(request.paths)
    folders = [f.resolve() for f in (only or issue_folders(root))]
    name = series_name(root)
    fresh: dict[Path, list[Path]] = {}  # up-to-date issue folder -> its outputs
    for folder in folders if not request.force else []:
        outputs = _outputs_of(folder, name, request)
        if _fresh(folder, outputs, root, request):
            fresh[folder] = outputs
    results = [IssueResult(f.name, False, 0.0, fresh[f]) for f in folders if f in fresh]
    for n, r in enumerate(results, start=1):
        _report(r, n, len(folders))
    if len(fresh) == len(folders) and folders:
        return results
    # One issue, in a cold process that builds once, on several cores: start the PDF's
    # process now, so that it imports WeasyPrint while this one parses the content.
    early = (request.jobs > 1 and len(folders) - len(fresh) == 1 and "pdf" in request.formats
             and len(request.formats) > 1 and not request.warm and "weasyprint" not in sys.modules)
    with EarlyPdf() if early else contextlib.nullcontext() as early_pdf:
        from huoye.load import load_archive  # parsing is needed: something will be built

        issues = load_archive(root, only)
        if not issues:
            raise HuoyeError(_("{path}: no issues to build; create one with 'huoye new'").format(path=root))
        todo = [i for i in issues if i.folder.resolve() not in fresh]
        done, total = len(results), len(results) + len(todo)
        if request.jobs > 1 and len(todo) > 1:
            results += _build_parallel(todo, root, request, done, total)
        else:
            for n, issue in enumerate(todo, start=done + 1):
                result = _build_guarded(issue, root, request, split_formats=request.jobs > 1,
                                        early_pdf=early_pdf)
                _report(result, n, total)
                results.append(result)
    return sorted(results, key=lambda r: r.slug)


def _fresh(folder: Path, outputs: list[Path], root: Path, request: BuildRequest) -> bool:
    key = cache.build_key(folder, root, request.templates, request.options())
    return cache.up_to_date(request.out_dir / folder.name, key, [p.name for p in outputs])


def _outputs_of(folder: Path, series: str, request: BuildRequest) -> list[Path]:
    """Output paths of an issue folder, named as `output_name` names them, unparsed."""
    return [request.out_dir / folder.name / file_name(series, folder.name, fmt)
            for fmt in request.formats]


def _build_parallel(issues, root: Path, request: BuildRequest, done: int = 0,
                    total: int | None = None) -> list[IssueResult]:
    from concurrent.futures import ProcessPoolExecutor, as_completed

    results = []
    with ProcessPoolExecutor(max_workers=min(request.jobs, len(issues)),
                             initializer=_worker_init, initargs=(language(),)) as pool:
        futures = [pool.submit(_build_guarded, issue, root, request) for issue in issues]
        for n, future in enumerate(as_completed(futures), start=done + 1):
            result = future.result()
            _report(result, n, total or len(issues))
            results.append(result)
    return results


def _worker_init(lang: str) -> None:
    """A worker speaks the build's language (`--lang`, which a spawned worker would not
    see in its environment) and leaves progress lines to the build's process."""
    set_language(lang)
    logging.getLogger("huoye.progress").disabled = True


def _build_guarded(issue, root: Path, request: BuildRequest, split_formats: bool = False,
                   early_pdf: EarlyPdf | None = None) -> IssueResult:
    start = time.perf_counter()
    try:
        result = build_issue(issue, root, request, split_formats, early_pdf)
    except HuoyeError as err:
        result = IssueResult(issue.slug, False, time.perf_counter() - start, error=str(err))
    except Exception as err:  # a bug or a failing disk: this issue fails, the others go on
        if os.environ.get("HUOYE_DEBUG"):
            raise
        internal = not isinstance(err, OSError)
        what = (os_error_message(err).strip() if not internal
                else _("internal error ({error}); this is a bug in huoye, not a mistake in your "
                       "content; run with HUOYE_DEBUG=1 for the details").format(
                    error=f"{type(err).__name__}: {err}"))
        result = IssueResult(issue.slug, False, time.perf_counter() - start, error=what,
                             internal=internal)
    result.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result.worker = os.getpid()
    return result


def build_issue(issue, root: Path, request: BuildRequest, split_formats: bool = False,
                early_pdf: EarlyPdf | None = None) -> IssueResult:
    """Render every requested format of one issue in memory, then write them all (and the
    stamp). `build` has decided the issue is stale; this does not check again.

    With `split_formats` (a single issue and more than one core), the other formats
    render in a forked worker while this process renders the PDF; with `early_pdf`, the
    PDF renders in that process while this one renders the other formats.
    """
    start = time.perf_counter()
    out_dir = request.out_dir / issue.slug
    names = [output_name(issue, fmt) for fmt in request.formats]
    key = cache.build_key(issue.folder, root, request.templates, request.options())
    options = RenderOptions(templates=request.templates,
                            pdf_variant=request.pdf_variant or issue.series.pdf_variant)
    fonts = cache.font_files(issue.series.brand)
    check_targets(out_dir, names)  # an odd target (a folder, a link) is refused before rendering
    wanted = dict(zip(request.formats, names))
    if request.html_first and "html" in wanted and len(wanted) > 1:
        wanted = {"html": wanted.pop("html"), **wanted}
    with collector_paused():
        rendered = render_formats(issue, options, wanted, split_formats, early_pdf)
    # All formats are rendered: now, and only now, the set replaces the earlier outputs.
    with cache.output_lock(out_dir):
        commit(out_dir, {name: rendered[name] for name in names})
        cache.write_stamp(out_dir, key, names, fonts)
    return IssueResult(issue.slug, True, time.perf_counter() - start, [out_dir / n for n in names])


def render_formats(issue, options: RenderOptions, names: dict[str, str], split: bool,
                   early_pdf: EarlyPdf | None = None) -> dict[str, bytes]:
    """{file name: bytes} for each format; the PDF here, the rest in a worker when `split`
    (or the PDF in `early_pdf`'s process and the rest here)."""
    if "pdf" not in names or len(names) < 2 or not (split or early_pdf):
        return _render_some(issue, options, names)
    others = {fmt: name for fmt, name in names.items() if fmt != "pdf"}
    if early_pdf is not None:
        early_pdf.send(issue, options, renderer("pdf").document_html(issue, options))
        rendered = _render_some(issue, options, others)
        return {names["pdf"]: early_pdf.receive(), **rendered}
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        future = pool.submit(_render_some, issue, options, others)
        pdf = renderer("pdf").render(issue, options)
        rendered = future.result()
    return {names["pdf"]: pdf, **rendered}


class EarlyPdf:
    """A forked process that imports WeasyPrint and configures its fonts while this one
    parses the content, then renders the one issue's PDF as this one renders the deck
    and the HTML edition: a cold single-issue build no longer waits ~0.3 s for WeasyPrint
    to load before the PDF, the longest format, can start.

    A context manager: on leaving, an unused or unfinished process is stopped at once (a
    content error is reported without waiting for WeasyPrint to load).
    """

    def __init__(self):
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_early_pdf_main, args=(child,), daemon=True,
                                        name="huoye-pdf")
        self._process.start()
        child.close()

    def __enter__(self) -> EarlyPdf:
        return self

    def __exit__(self, *exc) -> None:
        self._conn.close()
        if self._process.is_alive():
            self._process.kill()
        self._process.join()

    def send(self, issue, options: RenderOptions, html: str | None = None) -> None:
        """Render `issue` (`html`: its `pdf.document_html`, if already made)."""
        try:
            self._conn.send((issue, options, html))
        except OSError:  # the process is gone: receive() says how it ended
            pass

    def receive(self) -> bytes:
        """The PDF bytes, or the renderer's exception raised here."""
        try:
            outcome, value = self._conn.recv()
        except EOFError:
            self._process.join()
            raise HuoyeError(_("the process rendering the PDF ended unexpectedly (exit status "
                               "{status}); build again").format(status=self._process.exitcode)) from None
        if outcome == "error":
            raise value
        return value


def _early_pdf_main(conn) -> None:
    """EarlyPdf's process: load the PDF renderer, wait for the issue, send back its PDF."""
    try:
        renderer("pdf").prepare()
    except Exception:  # noqa: BLE001 (render, below, meets the same problem and reports it)
        pass
    try:
        issue, options, html = conn.recv()
    except EOFError:  # the build stopped before the issue was parsed
        return
    gc.disable()  # a one-off process: see collector_paused
    try:
        conn.send(("ok", renderer("pdf").render(issue, options, html)))
    except BaseException as err:  # noqa: BLE001 (sent to the build, which reports it)
        if not isinstance(err, HuoyeError):  # a bug: keep where it happened for HUOYE_DEBUG
            err.add_note("raised in the PDF process:\n" + traceback.format_exc())
        try:
            conn.send(("error", err))
        except Exception:  # an exception that does not pickle: send what it said
            conn.send(("error", RuntimeError(f"{type(err).__name__}: {err}")))


@contextlib.contextmanager
def collector_paused():
    """Pause Python's cyclic garbage collector while an issue renders, then collect the
    youngest generation once.

    A PDF render makes a few million objects; with the collector running, it walks them,
    and every long-lived object (WeasyPrint's modules and caches), again and again: about
    0.1 s of each issue. Paused, everything the render makes stays in generation 0, so
    one collection of that generation afterwards frees the render's cyclic garbage
    (~45,000 objects, 0.02-0.04 s). Memory stays flat over an archive: 207 MB after 8
    renders in one process, against 214 MB with the collector running.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)


def _render_some(issue, options: RenderOptions, names: dict[str, str]) -> dict[str, bytes]:
    return {name: renderer(fmt).render(issue, options) for fmt, name in names.items()}


def _report(result: IssueResult, n: int, total: int) -> None:
    """One line per issue; on a terminal a multi-issue build also redraws a progress bar."""
    prefix = f"[{n}/{total}] " if total > 1 else ""
    if result.error:
        _clear_bar()
        progress_log.error("%s", _("{prefix}{slug}: failed\n{error}").format(
            prefix=prefix, slug=result.slug, error=result.error))
    elif result.built:
        files = ", ".join(_shown(p) for p in result.outputs)
        _clear_bar()
        progress_log.info("%s", _("{prefix}{slug}: built {files} in {seconds} s").format(
            prefix=prefix, slug=result.slug, files=files, seconds=f"{result.seconds:.2f}"))
    else:
        _clear_bar()
        progress_log.info("%s", _("{prefix}{slug}: up to date (use --force to rebuild)").format(
            prefix=prefix, slug=result.slug))
    if total > 1 and n < total:
        _draw_bar(n, total)


def _bar_enabled() -> bool:
    return (sys.stderr.isatty() and not progress_log.disabled
            and progress_log.isEnabledFor(logging.INFO))


def _draw_bar(n: int, total: int, width: int = 30) -> None:
    if _bar_enabled():
        done = round(width * n / total)
        sys.stderr.write(f"\r[{'█' * done}{'░' * (width - done)}] "
                         + _("{done}/{total} issues").format(done=n, total=total))
        sys.stderr.flush()


def _clear_bar() -> None:
    if _bar_enabled():
        sys.stderr.write("\r\033[K")


def _shown(p: Path) -> str:
    try:
        return str(p.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(p)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class _CallableModule(type(sys)):
    """`huoye.build(...)` is the library's entry point (`huoye.api.build`), and `huoye.build`
    is also this module: calling the module calls that function."""

    def __call__(self, *args, **kwargs) -> list[IssueResult]:
        from huoye.api import build as build_series

        return build_series(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
