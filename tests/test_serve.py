"""`huoye serve` in a real browser: Debian's Chromium (headless, Selenium) opens the
preview, the test saves an edited paragraph and the page shows it; the PDF and the
deck follow in the output folder; a content error shows in the page with file:line and
leaves the output folder alone; the fix brings the page back. Waits are hang guards."""
from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import BROWSER_TIMEOUT

pytestmark = pytest.mark.slow
NAME = "测试财经周报"


class Server:
    """`huoye serve --port 0` in a subprocess, its stderr lines readable as they come."""

    def __init__(self, project: Path):
        self.proc = subprocess.Popen([sys.executable, "-m", "huoye", "serve", "--port", "0"],
                                     cwd=project, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                     text=True, env={**os.environ, "HUOYE_LANG": "en"})
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        m = re.search(r"serving (http://127\.0\.0\.1:\d+/)", self.wait_for("serving http://"))
        self.url = m.group(1)

    def _read(self):
        for line in self.proc.stderr:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str) -> str:
        deadline = time.monotonic() + BROWSER_TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                assert self.proc.poll() is None, f"server exited: {self.seen}"
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r}; saw {self.seen}")

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=BROWSER_TIMEOUT)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def served(scaffolded, tmp_path):
    project = tmp_path / "bulletin"
    shutil.copytree(scaffolded, project, ignore=shutil.ignore_patterns("output"))
    server = Server(project)
    yield project, server
    if server.proc.poll() is None:
        server.proc.kill()
        server.proc.wait()
    server.reader.join(timeout=10)
    server.proc.stderr.close()


def until(driver, condition, what: str):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # the page may be reloading while it is looked at: look again
    ignored = (NoSuchElementException, StaleElementReferenceException)
    return WebDriverWait(driver, BROWSER_TIMEOUT, poll_frequency=0.05,
                         ignored_exceptions=ignored).until(condition, what)


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_the_page_shows_a_saved_edit_then_the_pdf_and_deck_follow(served, chromium):
    from pptx import Presentation
    from selenium.webdriver.common.by import By

    project, server = served
    issue = project / "content" / "2026-01" / "issue.md"
    out = project / "output" / "2026-01"
    pdf, deck = out / f"{NAME}-2026-01.pdf", out / f"{NAME}-2026-01.pptx"

    chromium.get(server.url)
    issues = [li.get_attribute("id") for li in chromium.find_elements(By.CSS_SELECTOR, "li.issue")]
    assert issues == ["issue-2026-01", "issue-2025-02", "issue-2025-01"]  # newest first
    chromium.find_element(By.CSS_SELECTOR, "#issue-2026-01 a.edition-html").click()
    until(chromium, lambda d: "入表将改善部分企业" in d.find_element(By.TAG_NAME, "main").text,
          "the served HTML edition")
    assert chromium.current_url == f"{server.url}2026-01/{NAME}-2026-01.html".replace(
        NAME, "%E6%B5%8B%E8%AF%95%E8%B4%A2%E7%BB%8F%E5%91%A8%E6%8A%A5")
    until(chromium, lambda d: "written to" in d.find_element(By.ID, "huoye-status").text
          or "up to date" in d.find_element(By.ID, "huoye-status").text, "the first full build")
    edition = chromium.current_url

    # The archive page links the PDF and the deck once written; the server gives them.
    chromium.get(server.url)
    links = {kind: chromium.find_element(By.CSS_SELECTOR, f"#issue-2026-01 a.edition-{kind}")
             .get_attribute("href") for kind in ("pdf", "pptx")}
    fetch = ("const done = arguments[arguments.length - 1];"
             "fetch(arguments[0]).then(r => r.arrayBuffer().then(b => done("
             "[r.status, r.headers.get('content-type'), new Uint8Array(b.slice(0, 4)).join(',')])));")
    assert chromium.execute_async_script(fetch, links["pdf"]) == [200, "application/pdf", "37,80,68,70"]
    status, kind, magic = chromium.execute_async_script(fetch, links["pptx"])
    assert (status, magic) == (200, "80,75,3,4") and kind.endswith("presentationml.presentation")
    chromium.get(edition)
    marker = chromium.execute_script("window.huoyeMarker = 1; return window.huoyeMarker")
    assert marker == 1

    text = issue.read_text(encoding="utf-8")
    issue.write_text(text.replace("入表将改善部分企业的资产负债结构。",
                                  "入表将明显改善部分地方国企的资产负债结构。"), encoding="utf-8")
    until(chromium, lambda d: "明显改善部分地方国企" in d.find_element(By.TAG_NAME, "main").text,
          "the edited paragraph in the page")
    assert chromium.execute_script("return window.huoyeMarker") is None  # a reload, not a patch
    if os.environ.get("HUOYE_SCREENSHOTS"):
        chromium.save_screenshot(os.path.join(os.environ["HUOYE_SCREENSHOTS"], "serve-edited.png"))

    # The PDF and the deck follow: the output folder gets all three formats of the edit.
    until(chromium, lambda d: "written to" in d.find_element(By.ID, "huoye-status").text,
          "the PDF and the deck written")
    assert "明显改善部分地方国企" in pdf_text(pdf).replace("\n", "").replace(" ", "")
    notes = "".join(s.notes_slide.notes_text_frame.text for s in Presentation(str(deck)).slides
                    if s.has_notes_slide)
    assert "明显改善部分地方国企" in notes
    assert "明显改善部分地方国企" in (out / f"{NAME}-2026-01.html").read_text(encoding="utf-8")
    written = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}

    # A content error: shown in the page with file:line; the output folder is left alone.
    broken = issue.read_text(encoding="utf-8").replace("theme:", "themee:")
    issue.write_text(broken, encoding="utf-8")
    banner = until(chromium, lambda d: d.find_elements(By.ID, "huoye-problems"), "the problems")[0]
    assert "content/2026-01/issue.md:8: themee: unknown key; did you mean 'theme'?" in banner.text
    assert "明显改善部分地方国企" in chromium.find_element(By.TAG_NAME, "main").text  # last good page
    if os.environ.get("HUOYE_SCREENSHOTS"):
        chromium.save_screenshot(os.path.join(os.environ["HUOYE_SCREENSHOTS"], "serve-error.png"))
    server.wait_for("themee: unknown key")
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == written

    issue.write_text(broken.replace("themee:", "theme:").replace("明显改善", "显著改善"), encoding="utf-8")
    until(chromium, lambda d: "显著改善部分地方国企" in d.find_element(By.TAG_NAME, "main").text
          and not d.find_elements(By.ID, "huoye-problems"), "the fixed page")
    assert server.stop() == 0
    assert "stopped serving" in "\n".join(server.seen + list(server.lines.queue))


def test_the_server_gives_only_files_of_the_output_folder(tmp_path):
    from huoye.build import BuildRequest
    from huoye.project import DEFAULT_TEMPLATES
    from huoye.serve import Preview
    from tests.conftest import CONTENT

    out = tmp_path / "out"
    (out / "2020-03").mkdir(parents=True)
    (out / "2020-03" / "a.pdf").write_bytes(b"%PDF-1.7 ours")
    (tmp_path / "secret.pdf").write_bytes(b"%PDF-1.7 not ours")
    preview = Preview(BuildRequest(paths=[CONTENT], templates=DEFAULT_TEMPLATES, out_dir=out))
    assert preview.page("/2020-03/a.pdf") == (200, "application/pdf", b"%PDF-1.7 ours")
    for path in ("/2020-03/..%2F..%2Fsecret.pdf", "/../secret.pdf", "/2020-03/%2e%2e/secret.pdf",
                 "/2020-03/b.pdf", "/2020-03/财经活页-2020-03.html", "/x.pptx"):
        assert preview.page(path) is None, path
