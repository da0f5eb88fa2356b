"""Watch mode: rebuilds on save, survives content errors, stops cleanly on Ctrl-C."""
from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
import time

import pytest

from huoye.output import STAGING

TIMEOUT = 300  # hang guard (a shared, loaded machine renders a PDF in minutes), not a speed limit


class Watcher:
    """`huoye watch` in a subprocess, with its stderr lines readable as they come."""

    def __init__(self, content, out, formats="html", *options, preexec_fn=None):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "huoye", "watch", str(content), "--format", formats, "-o", str(out),
             *options],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, preexec_fn=preexec_fn)
        self.lines: queue.Queue[str] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stderr:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str) -> list[str]:
        seen, deadline = [], time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                assert self.proc.poll() is None, f"watcher exited: {seen}"
                continue
            seen.append(line)
            if text in line:
                return seen
        raise AssertionError(f"no line with {text!r} within {TIMEOUT} s; saw {seen}")

    def stop(self) -> list[str]:
        """Ctrl-C: the watcher must end with exit 0; the lines it said since the last wait."""
        self.proc.send_signal(signal.SIGINT)
        assert self.proc.wait(timeout=TIMEOUT) == 0
        self.reader.join(timeout=10)
        rest = []
        while not self.lines.empty():
            rest.append(self.lines.get())
        return rest


@pytest.fixture
def watcher(content_copy, tmp_path):
    w = Watcher(content_copy, tmp_path / "out")
    yield w
    if w.proc.poll() is None:
        w.proc.kill()
    w.proc.wait()
    w.reader.join(timeout=10)
    w.proc.stderr.close()


def test_watch_rebuilds_on_save_reports_errors_and_stops_cleanly(watcher, content_copy, tmp_path):
    issue = content_copy / "2020-03" / "issue.md"
    html = tmp_path / "out" / "2020-03" / "财经活页-2020-03.html"
    watcher.wait_for("rebuilt 1 issue")  # the first build, before any save
    watcher.wait_for("watching")
    assert html.is_file()

    text = issue.read_text(encoding="utf-8")
    issue.write_text(text.replace("产业链的本质是", "产业链的实质是"), encoding="utf-8")
    watcher.wait_for("changed: issue.md")
    watcher.wait_for("rebuilt 1 issue")
    assert "产业链的实质是" in html.read_text(encoding="utf-8")

    issue.write_text(text.replace("theme:", "themee:"), encoding="utf-8")
    seen = watcher.wait_for("waiting for the next save")
    assert any("issue.md:8: themee: unknown key; did you mean 'theme'?" in line for line in seen), seen
    assert not any("Traceback" in line for line in seen)
    assert watcher.proc.poll() is None

    issue.write_text(text, encoding="utf-8")
    watcher.wait_for("changed: issue.md")
    watcher.wait_for("rebuilt 1 issue")
    assert "产业链的本质是" in html.read_text(encoding="utf-8")

    rest = watcher.stop()
    assert "stopped watching" in rest[-1] and not any("Traceback" in line for line in rest), rest


def test_watch_writes_nothing_of_an_issue_until_every_format_has_rendered(content_copy, tmp_path):
    """The HTML edition renders first but is written with the PDF, as one set. While the
    watcher rebuilds, the output folder is looked at over and over (no timing is asserted):
    outside the commit of a set (its staging folder present), it is never seen holding the
    new HTML edition beside the old PDF, as it would be for the whole of the PDF's render
    if the HTML edition were written when it is ready."""
    w = Watcher(content_copy, tmp_path / "out", formats="html,pdf")
    try:
        issue = content_copy / "2020-03" / "issue.md"
        html = tmp_path / "out" / "2020-03" / "财经活页-2020-03.html"
        pdf = tmp_path / "out" / "2020-03" / "财经活页-2020-03.pdf"
        w.wait_for("rebuilt 1 issue")
        w.wait_for("watching")
        pdf_before, html_before = pdf.stat().st_mtime_ns, html.stat().st_mtime_ns
        text = issue.read_text(encoding="utf-8")
        seen: set[tuple[bool, bool]] = set()  # (HTML new, PDF new), outside a commit
        done = threading.Event()
        staging = html.parent / STAGING  # there from the staging of the new set to its end

        def look() -> None:
            while not done.is_set():
                committing = staging.exists()
                try:
                    state = (html.stat().st_mtime_ns != html_before, pdf.stat().st_mtime_ns != pdf_before)
                except FileNotFoundError:  # between two renames of the commit
                    continue
                if not (committing or staging.exists()):  # the renames of one set follow
                    seen.add(state)                       # each other within the commit
                time.sleep(0.002)

        looker = threading.Thread(target=look, daemon=True)
        looker.start()
        issue.write_text(text.replace("产业链的本质是", "产业链的实质是"), encoding="utf-8")
        try:
            w.wait_for("rebuilt 1 issue")
        finally:
            done.set()
            looker.join(timeout=10)
        assert "产业链的实质是" in html.read_text(encoding="utf-8")
        assert html.stat().st_mtime_ns > html_before and pdf.stat().st_mtime_ns > pdf_before
        assert (False, False) in seen, seen  # it looked while the new set was rendering
        assert (True, False) not in seen, "the HTML edition was written before the PDF rendered"
        assert sorted(p.name for p in html.parent.iterdir()) == sorted([html.name, pdf.name])
    finally:
        w.proc.kill()
        w.proc.wait()
        w.reader.join(timeout=10)
        w.proc.stderr.close()


def test_ctrl_c_stops_the_watcher_even_when_its_parent_left_sigint_ignored(content_copy, tmp_path):
    """An ignored SIGINT is inherited (a shell's background job, a test runner that once
    ignored it): Python then never raises KeyboardInterrupt, and watch mode, which ends on
    Ctrl-C, could not be stopped by it (seen in a full test run: three watchers and servers
    hung after Ctrl-C)."""
    w = Watcher(content_copy, tmp_path / "out",
                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        w.wait_for("watching")
        rest = w.stop()
        assert rest and "stopped watching" in rest[-1], rest
    finally:
        if w.proc.poll() is None:
            w.proc.kill()
        w.proc.wait()
        w.proc.stderr.close()
