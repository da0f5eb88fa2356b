"""Process strategies: how a build spreads over processes and cores, in one place.

`huoye.build` says *what* happens to an issue (plan → load → preflight → render →
write); this module says *where* it runs. Every strategy gives the same bytes as
rendering each format in turn in one process (tests/test_early_pdf.py,
tests/test_build.py); they only save time:

- `parallel`: an archive's issues in a pool of worker processes, results as they
  finish (one issue's failure does not stop the others); each worker collects its
  cyclic garbage fully after each issue (`_in_worker`);
- `EarlyPdf`: one issue in a cold process on several cores — a forked process imports
  WeasyPrint while this one parses and checks the content, then renders the PDF while
  this one renders the deck and the HTML edition (`early_pdf_pays`);
- `render_formats(split=True)`: one issue in a warm process on several cores — the
  other formats render in a forked worker while this process renders the PDF;
- `collector_paused`: Python's cyclic garbage collector paused during a preflight
  and during a render;
- `leave`: the command line's exit without the interpreter's teardown.

Signals (SIGTERM, SIGINT to workers) belong here too: anything that decides how
processes start, stop and end lives in this module.
"""
from __future__ import annotations

import atexit
import contextlib
import copy
import dataclasses
import gc
import io
import logging
import os
import pickle
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NoReturn, Self

from huoye import signals
from huoye.errors import HuoyeError
from huoye.i18n import _, language, set_language
from huoye.render import renderer

__all__ = ["EarlyPdf", "collector_paused", "default_jobs", "early_pdf_pays", "leave", "parallel",
           "render_formats"]


def default_jobs() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


# ------------------------------------------------------------------------ archive


def parallel(fn: Callable[..., Any], calls: list[tuple] | Callable[[], list[tuple]], jobs: int,
             count: int | None = None) -> Iterator[Any]:
    """`fn(*args)` for each of `calls` in `jobs` worker processes, yielded as they finish.
    Workers speak the build's language and do not draw progress (the parent reports each
    result).

    `calls` may be a function that makes the list (`count`: how many it will make): it is
    called once the workers have started, so that what it loads (an archive's parsed
    issues, ~0.18 MB each) stays in this process instead of being copied into every worker
    at the fork; each worker is sent only its own issues."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    if count is None:
        count = jobs if callable(calls) else len(calls)
    with ProcessPoolExecutor(max_workers=max(min(jobs, count), 1), initializer=_worker_init,
                             initargs=(language(),),
                             mp_context=multiprocessing.get_context("fork")) as pool:
        pool.submit(_started)  # (with "fork", the first submit starts every worker)
        futures = [pool.submit(_in_worker, fn, *args)
                   for args in (calls() if callable(calls) else calls)]
        for future in as_completed(futures):
            try:
                yield future.result()
            except BrokenProcessPool:  # a worker killed by the stop, not a crash
                signals.raise_if_stopping()
                raise


def _started() -> None:
    """Nothing: the call that starts an archive's workers."""


def _in_worker(fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(*args)` in an archive worker, then every generation of its cyclic garbage freed.

    `collector_paused` frees only the youngest generation after a preflight and after a
    render, but an issue's deck is laid out by the preflight and kept for the render, so
    its python-pptx parts (cycles: each part refers to its package and back, with its lxml
    trees in C memory) are in an older generation by the time they become garbage. Python
    collects the oldest generation only when the objects that reached it since its last
    collection exceed a quarter of all those in it: issue after issue, the decks piled up
    (2 workers, 60 issues, before this: 207 MB after the first issue, 247 MB at the end;
    gc.get_objects() +860 objects per issue). A full collection after each issue keeps a
    worker flat; after the first, what survived (WeasyPrint, its caches) is moved out of
    the collector's sight (`gc.freeze`),
    so the later full collections walk only what an issue leaves (5-7 ms, against 55 ms
    unfrozen). They are handed back before any teardown of the interpreter (a forked
    worker has none; a process torn down with them frozen crashed in C)."""
    try:
        return fn(*args)
    finally:
        gc.collect()
        if not gc.get_freeze_count():
            gc.freeze()
            atexit.register(gc.unfreeze)


def _worker_init(lang: str) -> None:
    """A worker speaks the build's language (`--lang`, which a spawned worker would not
    see in its environment) and leaves progress lines to the build's process."""
    set_language(lang)
    logging.getLogger("huoye.progress").disabled = True


# ---------------------------------------------------------------------- one issue


def early_pdf_pays(jobs: int, to_build: int, formats: Iterable[str], warm: bool) -> bool:
    """Whether a build should start `EarlyPdf` before parsing: one issue to build, with
    the PDF and something else to render in the meantime, on more than one core, in a
    process that builds once (watch mode keeps WeasyPrint loaded instead) and has not
    loaded WeasyPrint yet."""
    formats = set(formats)
    return (jobs > 1 and to_build == 1 and "pdf" in formats and len(formats) > 1
            and not warm and "weasyprint" not in sys.modules)


def render_formats(issue, options, wanted: dict[str, str], split: bool,
                   early_pdf: EarlyPdf | None = None,
                   prepared: dict[str, Callable[[], Any]] | None = None) -> dict[str, bytes]:
    """{file name: bytes} for each format in `wanted` ({format: file name}); the PDF here,
    the rest in a forked worker when `split`, or the PDF in `early_pdf`'s process and the
    rest here. `prepared` gives, per format, how to render it from what the preflight
    made (default: the renderer's `render(issue, options)`); `prepared["pdf_html"]`, the
    PDF's document, is what `early_pdf` is sent."""
    prepared = prepared or {}

    def one(fmt: str) -> bytes:
        make = prepared.get(fmt)
        return make() if make else renderer(fmt).render(issue, options)

    def some(formats: dict[str, str]) -> dict[str, bytes]:
        return {name: one(fmt) for fmt, name in formats.items()}

    with collector_paused():
        if "pdf" not in wanted or len(wanted) < 2 or not (split or early_pdf):
            return some(wanted)
        others = {fmt: name for fmt, name in wanted.items() if fmt != "pdf"}
        if early_pdf is not None:
            if not early_pdf.sent:  # (the preflight may have sent it already)
                early_pdf.send(issue, options, prepared["pdf_html"]() if "pdf_html" in prepared
                               else None)
            rendered = some(others)
            return {wanted["pdf"]: early_pdf.receive(), **rendered}
        with Forked(lambda: some(others)) as worker:
            pdf = one("pdf")
            rendered = worker.result()
        return {wanted["pdf"]: pdf, **rendered}


class _Child:
    """A forked helper process talking to this one through a pipe; a context manager that
    stops it, if still running, on leaving."""

    def __init__(self, target: Callable[..., None], args: tuple, name: str, duplex: bool) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe(duplex=duplex)
        self._process = context.Process(target=target, args=(*args, child), daemon=True,
                                        name=name)
        self._process.start()
        child.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self._conn.close()
        if self._process.is_alive():
            self._process.kill()
        self._process.join()


class Forked(_Child):
    """`fn()` run in a forked copy of this process (nothing is pickled but the result);
    a context manager that stops the copy on leaving."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__(_forked_main, (fn,), "huoye-render", duplex=False)

    def result(self) -> Any:
        """What `fn` returned, or its exception raised here."""
        return _received(self._conn, self._process,
                         _("a process rendering the issue ended unexpectedly (exit status "
                           "{status}); build again"))


def _forked_main(fn: Callable[[], Any], conn) -> None:
    _send_outcome(conn, fn, "the forked render process")


def _send_outcome(conn, fn: Callable[[], Any], where: str) -> None:
    """Send ("ok", fn()) or ("error", what it raised) through `conn`."""
    try:
        conn.send(("ok", fn()))
    except BaseException as err:  # noqa: BLE001 (sent to the build, which reports it)
        if not isinstance(err, HuoyeError):  # a bug: keep where it happened for HUOYE_DEBUG
            import traceback

            err.add_note(f"raised in {where}:\n" + traceback.format_exc())
        try:
            conn.send(("error", err))
        except Exception:  # an exception that does not pickle: send what it said
            conn.send(("error", RuntimeError(f"{type(err).__name__}: {err}")))


class EarlyPdf(_Child):
    """A forked process that imports WeasyPrint and configures its fonts while this one
    parses the content, then renders the one issue's PDF as this one renders the deck
    and the HTML edition: a cold single-issue build no longer waits ~0.3 s for WeasyPrint
    to load before the PDF, the longest format, can start.

    A context manager: on leaving, an unused or unfinished process is stopped at once (a
    content error is reported without waiting for WeasyPrint to load).
    """

    def __init__(self) -> None:
        super().__init__(_early_pdf_main, (), "huoye-pdf", duplex=True)
        self.sent = False

    def send(self, issue, options, html: str | None = None) -> None:
        """Render `issue` (`html`: its `pdf.document_html`, if already made). The process is
        still loading WeasyPrint by then (everything it does is on the build's longest
        path), so the document is parsed here (`pdf.preparse`), and the issue goes without
        its Markdown tokens, which a PDF made from its document never reads (`_lean`)."""
        self.sent = True
        tree = renderer("pdf").preparse(html) if html is not None else None
        try:
            self._conn.send_bytes(_lean((issue, options, html, tree)))
        except OSError:  # the process is gone: receive() says how it ended
            pass

    def receive(self) -> bytes:
        """The PDF bytes, or the renderer's exception raised here."""
        return _received(self._conn, self._process,
                         _("the process rendering the PDF ended unexpectedly (exit status "
                           "{status}); build again"))


def _early_pdf_main(conn) -> None:
    """EarlyPdf's process: load the PDF renderer, wait for the issue, send back its PDF.
    A one-off process, short of memory never: its collector stays paused from the start
    (importing WeasyPrint, it ran ~110 times, 0.06 s, all of it on the build's longest
    path; see also `collector_paused`)."""
    gc.disable()
    try:
        renderer("pdf").prepare()
    except Exception:  # noqa: BLE001 (render, below, meets the same problem and reports it)
        pass
    try:
        issue, options, html, tree = pickle.loads(conn.recv_bytes())
    except EOFError:  # the build stopped before the issue was parsed
        return
    _send_outcome(conn, lambda: renderer("pdf").render(issue, options, html, tree),
                  "the PDF process")


class _LeanPickler(pickle.Pickler):
    """Pickles model objects without the Markdown tokens the loader kept on them (unpickling
    those imports markdown-it: ~0.03 s in a process that renders a document made here)."""

    def reducer_override(self, obj: Any) -> Any:
        if getattr(obj, "tokens", None) is not None and dataclasses.is_dataclass(obj):
            lean: Any = copy.copy(obj)
            lean.tokens = None
            return lean.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
        return NotImplemented


def _lean(value: Any) -> bytes:
    """`value` pickled by `_LeanPickler`."""
    out = io.BytesIO()
    _LeanPickler(out, pickle.HIGHEST_PROTOCOL).dump(value)
    return out.getvalue()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while an issue renders, then collect the
    youngest generation once.

    A PDF render makes a few million objects; with the collector running, it walks them,
    and every long-lived object (WeasyPrint's modules and caches), again and again: about
    0.1 s of each issue. Paused, everything the render makes stays in generation 0, so
    one collection of that generation afterwards frees the render's cyclic garbage
    (~45,000 objects, 0.02-0.04 s): 207 MB after 8 renders in one process, against 214 MB
    with the collector running. The preflight is paused the same way (laying out the
    sample's deck, the collector ran 90 times: 0.06 s). What the preflight made and the
    render uses (the laid-out deck) is in an older generation by the time it is garbage:
    an archive worker collects those too (`_in_worker`).
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


# ------------------------------------------------------------------------ leaving


def leave(code: int) -> NoReturn:
    """End the command-line process with `code` once the output is flushed, at once.

    Every file is written and closed and every worker process joined by then; what is
    skipped is the interpreter's teardown, ~0.1 s of garbage collection and destructors
    after a build (freeing Pango's font map late in that teardown can even crash in C)."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said there
            pass
    os._exit(code)


def _received(conn, process, ended: str) -> Any:
    """What a helper process sent back on `conn` ("ok", value) — its exception ("error",
    exc) raised here — or, if it died first, a HuoyeError saying so (`ended`, with
    {status})."""
    try:
        outcome, value = conn.recv()
    except EOFError:
        process.join()
        signals.raise_if_stopping()
        raise HuoyeError(ended.format(status=process.exitcode)) from None
    if outcome == "error":
        raise value
    return value
