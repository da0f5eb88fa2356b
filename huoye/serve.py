"""`huoye serve`: a local preview of the series in the browser, reloaded on every save.

    content/ or templates/ saved ──watchfiles──▶ load + HTML edition, in memory ──▶ the
    browser reloads (server-sent event) ──▶ PDF and deck rendered ──▶ output/ written

Pages: `/` the series' archive page (`huoye.site`), `/<issue>/<name>.html` each issue's
HTML edition, rendered in memory and served from there (no disk write stands between a
save and the page), `/<issue>/<name>.pdf|.pptx` and `/feed.xml` from the output folder.
After the HTML edition, the full build (`huoye.build.build`, all formats, in a warm
process of its own, `Publishing`) renders every format in memory and writes the output
folder only when all have rendered; the page's corner says when the PDF and deck followed.

A content error does not stop the server: every page shows the problems, each with its
`file:line`, over the last good version, until the next save fixes them.

The server is the standard library's `http.server` (one thread per connection) with
server-sent events: one page, one browser, one editor, on 127.0.0.1 by default. An
EventSource needs no client library, reconnects by itself, and carries the version of
the pages, so a reload missed during a reconnect is caught up; a WebSocket or an ASGI
server would add a dependency and an event loop for nothing more.
"""
from __future__ import annotations

import html
import http.server
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from huoye.build import BuildRequest, build, select
from huoye.content import series_name
from huoye.errors import HuoyeError
from huoye.i18n import _
from huoye.render import RenderOptions, file_name, renderer

log = logging.getLogger("huoye.progress")
EVENTS = "/__huoye/events"
KEEPALIVE_S = 15
MEDIA = {".pdf": "application/pdf", ".xml": "application/atom+xml; charset=utf-8",
         ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation"}

# Added to every served page (never to the files in output/): reload when the pages'
# version changes, show the state of the PDF and deck in a corner.
CLIENT = """<script>(function () {
  var shown = %(version)d, outputs = %(outputs)d, index = %(index)s;
  var es = new EventSource("%(events)s");
  es.addEventListener("version", function (e) {
    var v = JSON.parse(e.data);
    if (v.pages !== shown || (index && v.outputs !== outputs)) { es.close(); location.reload(); }
  });
  es.addEventListener("status", function (e) {
    var box = document.getElementById("huoye-status");
    if (!box) {
      box = document.createElement("div"); box.id = "huoye-status"; box.setAttribute("role", "status");
      box.style.cssText = "position:fixed;right:1em;bottom:1em;z-index:2147483647;padding:.4em .8em;" +
        "font:13px/1.4 sans-serif;background:#333;color:#fff;border-radius:4px;opacity:.85";
      document.body.appendChild(box);
    }
    box.textContent = JSON.parse(e.data);
  });
})();</script>
"""
PROBLEMS = """<div id="huoye-problems" role="alert" style="position:fixed;top:0;left:0;right:0;\
z-index:2147483647;max-height:60vh;overflow:auto;margin:0;padding:1em 1.5em;background:#fff4f2;\
color:#5a0000;border-bottom:3px solid #b00020;font:14px/1.5 monospace;white-space:pre-wrap;\
text-align:left;box-shadow:0 2px 8px rgba(0,0,0,.25)"><strong>%(title)s</strong>
%(problems)s</div>"""


EMPTY_PAGE = b"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'></head><body></body></html>"


@dataclass
class State:
    """What the server shows: the pages' HTML, the problems, and their versions."""

    pages: dict[str, bytes] = field(default_factory=dict)  # issue slug -> HTML edition
    problems: list[str] = field(default_factory=list)  # content problems, file:line first
    output_problems: list[str] = field(default_factory=list)  # the last full build's failures
    series: str = ""
    version: int = 0  # of the pages: the browser reloads when it changes
    outputs: int = 0  # of the output folder: the archive page reloads when it changes
    status: str = ""
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, **changes) -> None:
        with self.changed:
            for key, value in changes.items():
                setattr(self, key, value)
            self.changed.notify_all()


class Preview:
    """The previewed series: renders the HTML editions in memory on every change, then
    hands the full build to a publisher thread."""

    def __init__(self, request: BuildRequest):
        self.request = request
        self.root, _only = select(request.paths)
        self.state = State(series=series_name(self.root))
        self._build_wanted = threading.Event()
        self._stop = threading.Event()
        self._keys: dict[str, str] = {}
        self.publishing: Publishing | None = None  # set by `serve` before any thread starts

    # -- the HTML editions, in memory ------------------------------------------------
    def refresh(self) -> None:
        """Load the content and render the HTML edition of each changed issue."""
        from huoye import cache
        from huoye.load import load_archive

        start = time.perf_counter()
        root, only = select(self.request.paths)
        try:
            issues = load_archive(root, only)
            pages, keys = dict(self.state.pages), {}
            for issue in issues:
                key = cache.build_key(issue.folder, root, self.request.templates, {"preview": 1})
                keys[issue.slug] = key
                if key != self._keys.get(issue.slug) or issue.slug not in pages:
                    options = RenderOptions(templates=self.request.templates,
                                            pdf_variant=self.request.pdf_variant)
                    pages[issue.slug] = renderer("html").render(issue, options)
        except HuoyeError as err:
            problems = [str(p) for p in err.problems]
            for problem in problems:
                log.error("%s", problem)
            self.state.publish(problems=problems, version=self.state.version + 1,
                               status=_("the content has errors: see the page"))
            return
        self._keys = keys
        for slug in set(pages) - set(keys):
            del pages[slug]
        self.state.publish(pages=pages, problems=[], series=series_name(root),
                           version=self.state.version + 1,
                           status=_("HTML edition updated; the PDF and the deck follow…"))
        log.info(_("HTML edition updated in {seconds:.2f} s").format(seconds=time.perf_counter() - start))
        self._build_wanted.set()

    # -- every format, then the output folder ------------------------------------------
    def publisher(self) -> None:
        """Build all formats whenever the HTML editions changed, in the publishing process;
        it writes output/ (all or nothing per issue: `huoye.build`), then the archive page."""
        while not self._stop.is_set():
            if not self._build_wanted.wait(timeout=0.5):
                continue
            self._build_wanted.clear()
            start = time.perf_counter()
            try:
                outcome, value = self.publishing.build(self.request)
            except (EOFError, OSError):  # the process is gone: stopping, or it crashed
                if not self._stop.is_set():
                    self.state.publish(output_problems=[_("the process writing the PDF and the deck "
                                                          "stopped; restart huoye serve")])
                return
            if outcome == "problems":  # content problems: the preview shows them already
                continue
            if outcome == "bug":
                failed = [value]
            else:
                failed = [f"{r.slug}: {r.error}" for r in value if r.error]
            if failed:
                status = _("the PDF or the deck could not be made: see the page")
            elif any(r.built for r in value):
                status = _("PDF and deck written to {folder} in {seconds:.1f} s").format(
                    folder=self.request.out_dir, seconds=time.perf_counter() - start)
            else:
                status = _("PDF and deck up to date in {folder}").format(folder=self.request.out_dir)
            self.state.publish(output_problems=failed, outputs=self.state.outputs + 1, status=status)

    def watch(self) -> None:
        import watchfiles

        watched = [self.root, self.request.templates]
        for changes in watchfiles.watch(*watched, debounce=100, step=10, rust_timeout=250,
                                        stop_event=self._stop, raise_interrupt=False,
                                        watch_filter=_relevant):
            names = sorted({Path(p).name for _, p in changes})
            log.info(_("changed: {names}").format(names=", ".join(names)))
            self.refresh()

    def stop(self) -> None:
        self._stop.set()
        with self.state.changed:
            self.state.changed.notify_all()

    # -- what a request gets ------------------------------------------------------------
    def page(self, path: str) -> tuple[int, str, bytes] | None:
        """(status, content type, body) for a URL path, or None to 404."""
        s = self.state
        if path in ("/", "/index.html"):
            return 200, "text/html; charset=utf-8", self._decorate(self._index(), index=True)
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if len(parts) == 2 and parts[1] == file_name(s.series, parts[0], "html"):
            page = s.pages.get(parts[0])
            if page is None and not s.problems:
                return None
            if page is None:
                page = (f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>"
                        f"{html.escape(parts[0])}</title></head><body></body></html>").encode()
            return 200, "text/html; charset=utf-8", self._decorate(page)
        if parts == ["feed.xml"] or (len(parts) == 2 and Path(parts[1]).suffix in (".pdf", ".pptx")):
            out = self.request.out_dir.resolve()
            file = out.joinpath(*parts).resolve()
            if any(p in ("", ".", "..") or "/" in p or "\\" in p for p in parts) \
                    or not file.is_relative_to(out) or not file.is_file():
                return None  # only files of the output folder
            return 200, MEDIA[file.suffix], file.read_bytes()
        return None

    def _index(self) -> bytes:
        from huoye import site

        s = self.state
        if not s.pages:
            return EMPTY_PAGE
        out = self.request.out_dir

        def present(slug: str, fmt: str) -> bool:
            if fmt == "html":
                return slug in s.pages
            return (out / slug / file_name(s.series, slug, fmt)).is_file()

        try:
            series = site.load_series(self.root)
            items = site.entries(self.root, out, s.series, present)
            return site.index_html(series, items, self.request.templates,
                                   feed=(out / site.FEED).is_file()).encode("utf-8")
        except HuoyeError as err:
            return (f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body><pre>"
                    f"{html.escape(str(err))}</pre></body></html>").encode()

    def _decorate(self, page: bytes, index: bool = False) -> bytes:
        s = self.state
        client = CLIENT % {"version": s.version, "outputs": s.outputs, "events": EVENTS,
                           "index": "true" if index else "false"}
        problems = s.problems + s.output_problems
        banner = ""
        if problems:
            title = (_("The content has errors; this page shows the last version that built.")
                     if s.problems else _("The PDF or the deck could not be made."))
            banner = PROBLEMS % {"title": html.escape(title),
                                 "problems": "\n".join(html.escape(p) for p in problems)}
        text = page.decode("utf-8")
        head, sep, rest = text.partition("<body")
        if sep:
            tag_end = rest.index(">") + 1
            text = head + sep + rest[:tag_end] + banner + rest[tag_end:]
        at = text.rfind("</body>")
        at = at if at >= 0 else len(text)
        return (text[:at] + client + text[at:]).encode("utf-8")


def _relevant(change, path: str) -> bool:
    name = Path(path).name
    return not (name.startswith(".") or name.endswith(("~", ".tmp", ".swp")))


class Publishing:
    """The process that renders every format and writes the output folder, one build at a
    time, warm from one build to the next (WeasyPrint stays loaded). A process of its own,
    not a thread: the ~1 s PDF render would otherwise hold the interpreter lock while the
    preview renders the next HTML edition. Forked before the server starts any thread."""

    def __init__(self):
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_publishing_main, args=(child,), daemon=True,
                                        name="huoye-publish")
        self._process.start()
        child.close()

    def build(self, request: BuildRequest) -> tuple[str, object]:
        """("ok", results) | ("problems", [text]) | ("bug", text)."""
        self._conn.send(request)
        return self._conn.recv()

    def stop(self) -> None:
        self._conn.close()
        if self._process.is_alive():
            self._process.terminate()  # outputs are replaced atomically: never half written
        self._process.join(timeout=30)


def _publishing_main(conn) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops this
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer = ("ok", build(request))
        except HuoyeError as err:
            answer = ("problems", [str(p) for p in err.problems])
        except Exception as err:  # noqa: BLE001 (a bug: said in the page, the server goes on)
            answer = ("bug", _("internal error ({error}); this is a bug in huoye").format(
                error=f"{type(err).__name__}: {err}"))
        try:
            conn.send(answer)
        except (BrokenPipeError, OSError):
            return


class Handler(http.server.BaseHTTPRequestHandler):
    preview: Preview  # set on the subclass made by `serve`
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = urlsplit(self.path).path
        if path == EVENTS:
            return self._events()
        answer = self.preview.page(path)
        if answer is None:
            body = _("Not found: {path}").format(path=path).encode("utf-8")
            answer = (404, "text/plain; charset=utf-8", body)
        status, kind, body = answer
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _events(self) -> None:
        """Server-sent events: the pages' version now and on every change, the status."""
        import json

        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        state = self.preview.state
        seen = None
        try:
            while not self.preview._stop.is_set():
                with state.changed:
                    now = (state.version, state.outputs, state.status)
                    if now == seen:
                        state.changed.wait(timeout=KEEPALIVE_S)
                        now = (state.version, state.outputs, state.status)
                if now == seen:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    version = json.dumps({"pages": now[0], "outputs": now[1]})
                    status = json.dumps(now[2], ensure_ascii=False)
                    self.wfile.write(f"event: version\ndata: {version}\n\n"
                                     f"event: status\ndata: {status}\n\n".encode())
                    seen = now
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (http.server's signature)
        logging.getLogger("huoye.serve").debug(format, *args)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


def serve(request: BuildRequest, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Serve the preview until Ctrl-C."""
    preview = Preview(request)
    preview.publishing = Publishing()  # forked first, while this process has one thread
    handler = type("PreviewHandler", (Handler,), {"preview": preview})
    try:
        server = Server((host, port), handler)
    except OSError:
        preview.publishing.stop()
        raise
    preview.refresh()
    threads = [threading.Thread(target=preview.publisher, name="huoye-publish", daemon=True),
               threading.Thread(target=preview.watch, name="huoye-watch", daemon=True)]
    for t in threads:
        t.start()
    shown_host = f"[{host}]" if ":" in host else host
    log.info(_("serving http://{host}:{port}/ — press Ctrl-C to stop").format(
        host=shown_host, port=server.server_address[1]))
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        preview.stop()
        preview.publishing.stop()
        server.server_close()
        for t in threads:
            t.join(timeout=30)
    log.info(_("stopped serving"))
    return 0
