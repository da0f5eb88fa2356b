"""Safe by construction (issue 13): escaping, links, all-or-nothing outputs, clean output
folders, reproducible bytes, process trees, confinement, resource limits, characters,
scaffolding. docs/reliability.md lists each property with these tests and their counts.

The oracles are independent of the code under test: lxml parses the HTML edition and
every XML part of the deck, qpdf uncompresses the PDF and pdftotext reads its text,
Chromium opens the HTML edition behind a recording proxy, the kernel (a real tmpfs, real
signals, /proc) supplies the faults.
"""
from __future__ import annotations

import http.server
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
import unicodedata
import zipfile
import zlib
from pathlib import Path

import pytest
import yaml
from lxml import etree
from lxml import html as lhtml

from huoye import output
from huoye.cli import main
from huoye.errors import HuoyeError
from huoye.load.body import MARKDOWN
from huoye.render.html import render_tokens, split_first_sentence

ISSUE = "2020-03/issue.md"
NAME = "财经活页-2020-03"
FORMATS = ("pdf", "pptx", "html")
THEME = "theme: 产业链现代化"
BODY_AT = "### 一、什么是产业链\n\n"  # a new paragraph goes here
CODE_SPAN_POINT = "6.尖端设计能力`不强。[点此](javascript:alert(document.domain))`"
UNIT = "<injected xmlns='urn:pwn'>X</injected>项R&D]]>"
HOSTILE_PARAGRAPH = ("链接[甲](java\nscript:alert(1))与`]]><b onclick=x>`及&amp;、&lt;、"
                     "`<i onmouseover=alert(1)>斜</i>`结束。")
TIMEOUT = 180  # hang guard for one build


def edit(content: Path, old: str, new: str, name: str = ISSUE) -> None:
    path = content / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def body_line(content: Path) -> int:
    """The line of issue.md where a paragraph added at BODY_AT is."""
    text = (content / ISSUE).read_text(encoding="utf-8")
    return text[: text.index(BODY_AT)].count("\n") + 3


def set_chart_unit(content: Path, unit: str) -> None:
    path = content / ISSUE
    text = path.read_text(encoding="utf-8")
    start = text.index("\ncharts:")
    at = text.index("    unit: ", start)
    end = text.index("\n", at)
    path.write_text(text[:at] + "    unit: " + _yaml_quoted(unit) + text[end:], encoding="utf-8")


def _yaml_quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def build_cmd(content: Path, out: Path, formats=FORMATS, *extra) -> list[str]:
    return [sys.executable, "-m", "huoye", "build", str(content), "--out", str(out), "--force",
            "--format", ",".join(formats), *extra]


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and not p.is_symlink()}


def png(width: int, height: int) -> bytes:
    """A valid PNG header claiming width × height (a decompression bomb when large)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    pixels = zlib.compress(row * min(height, 64), 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))


def pdf_uncompressed(path: Path) -> bytes:
    return subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(path), "-"],
                          capture_output=True, check=True).stdout


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


# ---------------------------------------------------------------- one hostile-but-valid build

@pytest.fixture(scope="session")
def hostile_build(tmp_path_factory):
    """The sample with the issue's two examples and more markup-looking text, built once
    (PDF, PPTX, HTML) into a fresh output folder: {format: path}, and the folders."""
    root = tmp_path_factory.mktemp("hostile")
    content = root / "content"
    shutil.copytree(Path(__file__).resolve().parent.parent / "content", content)
    edit(content, "6.尖端设计能力不强。", CODE_SPAN_POINT)
    edit(content, BODY_AT, BODY_AT + HOSTILE_PARAGRAPH + "\n\n")
    set_chart_unit(content, UNIT)
    out = root / "out"
    run = subprocess.run(build_cmd(content, out), capture_output=True, text=True, timeout=TIMEOUT,
                         check=False)
    assert run.returncode == 0, run.stderr
    return {"content": content, "out": out,
            **{fmt: out / "2020-03" / f"{NAME}.{fmt}" for fmt in FORMATS}}


def test_the_code_span_stays_a_code_span_in_the_html_edition(hostile_build):
    page = lhtml.fromstring(hostile_build["html"].read_bytes())
    codes = [c.text_content() for c in page.iter("code")]
    assert "不强。[点此](javascript:alert(document.domain))" in codes
    headline = [s for s in page.iter("strong") if "尖端设计能力" in s.text_content()]
    assert headline and headline[0].find("code") is not None  # the sentence is not cut inside it


def test_the_html_edition_links_only_to_the_web_mail_and_its_own_places(hostile_build):
    page = lhtml.fromstring(hostile_build["html"].read_bytes())
    for el in page.iter():
        if not isinstance(el.tag, str):
            continue
        for attr, value in el.attrib.items():
            assert not attr.lower().startswith("on"), (el.tag, attr)
            if attr in ("href", "src", "action", "formaction", "xlink:href"):
                ok = value.startswith(("#", "data:image/", "data:,", "https://", "http://", "mailto:"))
                assert ok, (el.tag, attr, value)
    assert not list(page.iter("script", "iframe", "object", "embed", "injected", "b", "i"))
    assert "javascript:" not in "".join(a.get("href", "") for a in page.iter("a"))


def test_markup_looking_text_is_shown_literally_in_the_html_edition(hostile_build):
    text = lhtml.fromstring(hostile_build["html"].read_bytes()).text_content()
    # (&amp; and &lt; are Markdown's entity references: the reader sees & and <)
    for shown in ("]]><b onclick=x>", "&、<、<i onmouseover=alert(1)>斜</i>结束。",
                  "[点此](javascript:alert(document.domain))", f"单位：{UNIT}"):
        assert shown in text, shown


def test_the_pdf_has_no_action_and_no_link_but_the_allowed_schemes(hostile_build):
    raw = pdf_uncompressed(hostile_build["pdf"])
    assert b"/JavaScript" not in raw and b"/JS " not in raw and b"/Launch" not in raw
    uris = re.findall(rb"/URI\s*\(([^)]*)\)", raw)
    assert all(u.startswith((b"http://", b"https://", b"mailto:")) for u in uris), uris


def test_the_pdf_prints_the_hostile_text_literally(hostile_build):
    flat = re.sub(r"\s+", "", pdf_text(hostile_build["pdf"]))
    assert "尖端设计能力不强。[点此](javascript:alert(document.domain))" in flat
    assert "]]><bonclick=x>" in flat and "&、<、<ionmouseover=alert(1)>斜</i>结束。" in flat


def test_every_xml_part_of_the_deck_parses_and_carries_no_foreign_element(hostile_build):
    with zipfile.ZipFile(hostile_build["pptx"]) as deck:
        parts = [n for n in deck.namelist() if n.endswith((".xml", ".rels"))]
        assert parts
        for name in parts:
            root = etree.fromstring(deck.read(name))  # raises on a broken part
            assert not [e for e in root.iter() if isinstance(e.tag, str) and "urn:pwn" in e.tag], name
            if name.endswith(".rels"):
                for rel in root:
                    if rel.get("TargetMode") == "External":
                        assert rel.get("Target", "").startswith(("http://", "https://", "mailto:"))
        chart = etree.fromstring(deck.read("ppt/charts/chart1.xml"))
    # the unit is there as data (a number format, the axis title), not as markup
    held = [e.text or "" for e in chart.iter()] + [v for e in chart.iter() for v in e.attrib.values()]
    assert any(UNIT.replace('"', "") in h for h in held)


def test_an_ordinary_unit_with_an_ampersand_builds_the_deck(content_copy, tmp_path):
    set_chart_unit(content_copy, "项R&D")
    status = main(["build", str(content_copy), "--out", str(tmp_path / "o"), "--force",
                   "--format", "pptx", "--jobs", "1"])
    assert status == 0
    with zipfile.ZipFile(tmp_path / "o" / "2020-03" / f"{NAME}.pptx") as deck:
        chart = etree.fromstring(deck.read("ppt/charts/chart1.xml"))
    held = [e.text or "" for e in chart.iter()] + [v for e in chart.iter() for v in e.attrib.values()]
    assert any("项R&D" in h for h in held)


# ---------------------------------------------------------------- the inline renderer, unit by unit

def tokens(markdown: str):
    return MARKDOWN.parseInline(markdown)[0].children


@pytest.mark.parametrize("href", [
    "javascript:alert(1)", "JAVASCRIPT:alert(1)", "JavaScript:alert(1)", "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>", "file:///etc/passwd", "ftp://example.com/x",
    "blob:https://example.com/x", "../../etc/passwd", "chrome://settings", "about:blank",
])
def test_a_link_outside_the_allowed_schemes_prints_its_text_only(href):
    html = str(render_tokens(tokens(f"看[这里]({href})。")))
    assert "<a" not in html and "看这里。" in html


@pytest.mark.parametrize("href", ["https://www.mof.gov.cn/", "http://example.com/a?b=1&c=2",
                                  "mailto:editor@example.com", "#s1"])
def test_a_web_mail_or_same_page_link_is_a_link(href):
    page = lhtml.fragment_fromstring(str(render_tokens(tokens(f"看[这里]({href})。"))), create_parent="p")
    [a] = page.iter("a")
    assert a.get("href") == href and a.text == "这里"


@pytest.mark.parametrize("markdown, head, rest", [
    ("甲`乙。丙`丁。戊", "甲乙。丙", "丁。戊"),  # a code span is never split: cut after it
    ("甲[乙。丙](https://a.example/)丁。戊", "甲乙。丙", "丁。戊"),  # nor is a link: cut after it
    ("**甲。乙**丙。", "甲。乙", "丙。"),  # nor emphasis
    ("没有句号的标题", "没有句号的标题", ""),
    ("问题？答案。", "问题？", "答案。"),
])
def test_the_first_sentence_is_cut_among_tokens(markdown, head, rest):
    first, after = split_first_sentence(tokens(markdown))

    def text(part):
        return lhtml.fragment_fromstring(str(render_tokens(part)) or "<span></span>",
                                         create_parent="p").text_content()
    assert (text(first), text(after)) == (head, rest)


@pytest.mark.parametrize("lead, headline_html", [
    ("1.`代码。`的标题。正文。", "1.<code>代码。</code>"),
    ("1、**加粗**标题。正文。", "1、加粗"),  # a bold opening is the headline
    ("1.**粗体开头**。正文。", "1.粗体开头。"),  # with the sentence mark after it
    ("1.**句号在内。**正文。", "1.句号在内。"),  # stars CommonMark leaves as text, cut as tokens
    ("1．全角点的`[x](javascript:y)`标题。正文。", "1．全角点的<code>[x](javascript:y)</code>标题。"),
])
def test_a_points_number_is_cut_from_its_tokens(content_copy, lead, headline_html, tmp_path):
    first = "1.应用科学工具，优化规划与空间布局。"
    path = content_copy / ISSUE
    text = path.read_text(encoding="utf-8")
    at = text.index(first)
    end = text.index("\n", at)
    path.write_text(text[:at] + lead + text[end:], encoding="utf-8")
    status = main(["build", str(content_copy), "--out", str(tmp_path / "o"), "--force",
                   "--format", "html", "--jobs", "1"])
    assert status == 0
    page = (tmp_path / "o" / "2020-03" / f"{NAME}.html").read_text(encoding="utf-8")
    assert f'<strong class="point-headline">{headline_html}</strong>' in page


# ---------------------------------------------------------------- links and resources: Chromium

class _RecordingProxy(http.server.BaseHTTPRequestHandler):
    """Every request Chromium makes goes through here (it is Chromium's proxy); the
    edition is served as http://edition.test/e.html."""

    page = b""
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        type(self).requests.append(self.path)
        if self.path == "http://edition.test/e.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(self.page)))
            self.end_headers()
            self.wfile.write(self.page)
        else:
            self.send_response(404)
            self.end_headers()

    do_POST = do_HEAD = do_GET

    def do_CONNECT(self):  # noqa: N802
        type(self).requests.append("CONNECT " + self.path)
        self.send_response(403)
        self.end_headers()

    def log_message(self, *args):
        pass


# Chromium's own services (updates, time, accounts), not the page's requests.
CHROMIUM_OWN = re.compile(r"(google|googleapis|gstatic|gvt1|gvt2)\.com")


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_chromium_opens_the_html_edition_without_a_single_request(hostile_build):
    _RecordingProxy.page = hostile_build["html"].read_bytes()
    _RecordingProxy.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RecordingProxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        shown = subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             f"--proxy-server=http://127.0.0.1:{port}", "--proxy-bypass-list=<-loopback>",
             "--virtual-time-budget=3000", "--dump-dom", "http://edition.test/e.html"],
            capture_output=True, text=True, timeout=120, check=False)
    finally:
        server.shutdown()
        server.server_close()
    assert "尖端设计能力" in shown.stdout, shown.stderr[-2000:]  # the page was opened and shown
    page_requests = [r for r in _RecordingProxy.requests if not CHROMIUM_OWN.search(r)]
    assert page_requests == ["http://edition.test/e.html"]


# ---------------------------------------------------------------- all or nothing

def earlier_set(out: Path) -> dict[str, bytes]:
    folder = out / "2020-03"
    folder.mkdir(parents=True)
    earlier = {f"{NAME}.pdf": b"%PDF-1.7 earlier\n%%EOF\n", f"{NAME}.pptx": b"PK earlier",
               f"{NAME}.html": b"<html>earlier</html>", "notes.txt": b"the editor's own file"}
    for name, data in earlier.items():
        (folder / name).write_bytes(data)
    return earlier


def test_commit_replaces_the_whole_set_and_keeps_other_files(tmp_path):
    folder = tmp_path / "o"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(b"old a")
    (folder / "notes.txt").write_bytes(b"mine")
    output.commit(folder, {"a.pdf": b"new a", "b.html": b"new b"})
    assert files(folder) == {"a.pdf": b"new a", "b.html": b"new b", "notes.txt": b"mine"}
    assert sorted(p.name for p in folder.iterdir()) == ["a.pdf", "b.html", "notes.txt"]


def test_a_failure_while_staging_leaves_every_earlier_output(tmp_path, monkeypatch):
    folder = tmp_path / "o"
    folder.mkdir()
    for n in ("a", "b", "c"):
        (folder / n).write_bytes(b"old " + n.encode())
    calls = []
    real = output._write_new

    def failing(path, data):
        calls.append(path.name)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(output, "_write_new", failing)
    with pytest.raises(OSError):
        output.commit(folder, {"a": b"new a", "b": b"new b", "c": b"new c"})
    assert files(folder) == {"a": b"old a", "b": b"old b", "c": b"old c"}
    assert not (folder / output.STAGING).exists()


@pytest.mark.parametrize("renamed", [0, 1, 2])
def test_a_commit_stopped_between_renames_is_completed_by_the_next_run(tmp_path, monkeypatch, renamed):
    """A crash after `renamed` of 3 renames (simulated: os.replace fails there); recovery
    then finishes the set."""
    folder = tmp_path / "o"
    folder.mkdir()
    for n in ("a", "b", "c"):
        (folder / n).write_bytes(b"old " + n.encode())
    real, count = os.replace, []

    def crashing(src, dst):
        if Path(src).parent.name == output.STAGING and Path(dst).parent == folder:
            if len(count) == renamed:
                raise KeyboardInterrupt  # anything at all stops the process here
            count.append(dst)
        real(src, dst)

    monkeypatch.setattr(output.os, "replace", crashing)
    with pytest.raises(KeyboardInterrupt):
        output.commit(folder, {"a": b"new a", "b": b"new b", "c": b"new c"})
    monkeypatch.setattr(output.os, "replace", real)
    assert (folder / output.STAGING / output.JOURNAL).is_file()
    output.recover(folder)
    assert files(folder) == {"a": b"new a", "b": b"new b", "c": b"new c"}
    assert not (folder / output.STAGING).exists()


def test_commit_itself_refuses_a_target_that_became_odd_while_rendering(tmp_path):
    folder = tmp_path / "o"
    folder.mkdir()
    (folder / "a").write_bytes(b"old a")
    (folder / "b").mkdir()
    with pytest.raises(HuoyeError, match="is a folder"):
        output.commit(folder, {"a": b"new a", "b": b"new b"})
    assert files(folder) == {"a": b"old a"} and not (folder / output.STAGING).exists()


def test_an_uncommitted_staging_folder_is_undone(tmp_path):
    folder = tmp_path / "o"
    (folder / output.STAGING).mkdir(parents=True)
    (folder / "a").write_bytes(b"old")
    (folder / output.STAGING / "a").write_bytes(b"half-written")
    output.recover(folder)
    assert files(folder) == {"a": b"old"} and not (folder / output.STAGING).exists()


def test_recovery_follows_no_link_and_no_name_out_of_the_folder(tmp_path):
    folder, elsewhere = tmp_path / "o", tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep").write_bytes(b"keep")
    folder.mkdir()
    (folder / output.STAGING).symlink_to(elsewhere)
    output.recover(folder)
    assert (elsewhere / "keep").read_bytes() == b"keep" and not (folder / output.STAGING).exists()
    (folder / output.STAGING).mkdir()
    (folder / output.STAGING / output.JOURNAL).write_text("../escaped\n.hidden\n", encoding="utf-8")
    output.recover(folder)
    assert not (tmp_path / "escaped").exists() and list(folder.iterdir()) == []


KILL_AT_RENAME = """
import os, signal, sys
from huoye import output
k, real, seen = int(sys.argv[1]), os.replace, []

def replace(src, dst):
    if os.path.basename(os.path.dirname(src)) == output.STAGING and not str(dst).endswith("COMMIT"):
        if len(seen) == k:
            os.kill(os.getpid(), signal.SIGKILL)
        seen.append(dst)
    real(src, dst)

output.os.replace = replace
from huoye.cli import main
from huoye.errors import HuoyeError
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("k", [2])  # (every rename index: the in-process test above)
def test_a_build_killed_between_two_renames_is_completed_by_the_next_build(content_copy, tmp_path, k):
    out = tmp_path / "out"
    earlier = earlier_set(out)
    edit(content_copy, THEME, "theme: 新主题")
    killed = subprocess.run([sys.executable, "-c", KILL_AT_RENAME, str(k),
                             *build_cmd(content_copy, out, FORMATS, "--jobs", "1")[3:]],
                            capture_output=True, timeout=TIMEOUT, check=False)
    assert killed.returncode == -signal.SIGKILL
    folder = out / "2020-03"
    changed = [n for n, d in files(folder).items() if d != earlier[n]]
    assert len(changed) == k  # a mixed set, as the kill left it
    staged = {n: (folder / output.STAGING / n).read_bytes() for n in earlier if
              (folder / output.STAGING / n).is_file()}
    again = subprocess.run(build_cmd(content_copy, out, ("html",), "--jobs", "1"), capture_output=True,
                           text=True, timeout=TIMEOUT, check=False)
    assert again.returncode == 0, again.stderr
    now = files(folder)
    assert all(now[n] == data for n, data in staged.items())  # the killed commit was completed
    assert all(now[n] != earlier[n] for n in earlier if n != "notes.txt")
    assert now["notes.txt"] == earlier["notes.txt"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(earlier)


@pytest.mark.parametrize("odd", ["a folder", "a link to a file", "a dangling link", "a fifo"])
@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_an_odd_target_is_refused_before_anything_is_written(content_copy, tmp_path, capsys, odd, fmt):
    out = tmp_path / "out"
    earlier = earlier_set(out)
    target = out / "2020-03" / f"{NAME}.{fmt}"
    target.unlink()
    victim = tmp_path / "victim"
    victim.write_bytes(b"not huoye's")
    if odd == "a folder":
        target.mkdir()
    elif odd == "a link to a file":
        target.symlink_to(victim)
    elif odd == "a dangling link":
        target.symlink_to(tmp_path / "nowhere")
    else:
        os.mkfifo(target)
    status = main(["build", str(content_copy), "--out", str(out), "--force", "--format", "pdf,html",
                   "--jobs", "1"])
    err = capsys.readouterr().err
    assert status == 2 and f"{NAME}.{fmt}" in err and "Traceback" not in err, err
    assert victim.read_bytes() == b"not huoye's" and not (tmp_path / "nowhere").exists()
    del earlier[f"{NAME}.{fmt}"]
    assert files(out / "2020-03") == earlier
    assert not (out / "2020-03" / output.STAGING).exists()


@pytest.mark.parametrize("odd", ["a link", "a file"])
def test_an_issue_output_folder_that_is_a_link_or_a_file_is_refused(content_copy, tmp_path, capsys, odd):
    out, real = tmp_path / "out", tmp_path / "real"
    out.mkdir()
    real.mkdir()
    if odd == "a link":
        (out / "2020-03").symlink_to(real)
    else:
        (out / "2020-03").write_bytes(b"a file")
    status = main(["build", str(content_copy), "--out", str(out), "--force", "--format", "html",
                   "--jobs", "1"])
    err = capsys.readouterr().err
    assert status == 2 and "Traceback" not in err, err
    assert list(real.iterdir()) == []


@pytest.fixture
def tmpfs(tmp_path):
    """A 2 MB tmpfs (root only; skipped where mounting is not allowed)."""
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                          capture_output=True, check=False)
    if made.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_tmpfs_as_the_output_folder_keeps_every_earlier_output(content_copy, tmpfs):
    """The earlier set fits; the new set (a 0.4 MB PDF, a 0.15 MB deck, …) does not, once
    the disk is filled up to 0.3 MB of its end: the HTML edition and the deck are staged,
    the PDF is not, and nothing is replaced."""
    earlier = earlier_set(tmpfs)
    filler = tmpfs / "filler"
    free = os.statvfs(tmpfs).f_bavail * os.statvfs(tmpfs).f_frsize
    filler.write_bytes(b"\0" * (free - 300_000))
    run = subprocess.run(build_cmd(content_copy, tmpfs, FORMATS, "--jobs", "1"), capture_output=True,
                         text=True, timeout=TIMEOUT, check=False)
    assert run.returncode == 2, run.stderr
    assert "free some disk space" in run.stderr and "Traceback" not in run.stderr
    assert files(tmpfs / "2020-03") == earlier
    assert sorted(p.name for p in (tmpfs / "2020-03").iterdir()) == sorted(earlier)


# ---------------------------------------------------------------- clean output folders, no paths

def test_the_output_folder_holds_only_the_editions(hostile_build):
    assert sorted(p.name for p in (hostile_build["out"] / "2020-03").iterdir()) == \
        sorted(f"{NAME}.{fmt}" for fmt in FORMATS)
    # beside the issue folders, the series' archive page and feed: nothing of huoye's own
    assert sorted(p.name for p in hostile_build["out"].iterdir()) == ["2020-03", "feed.xml", "index.html"]


def test_no_machine_path_is_in_any_output(hostile_build):
    from huoye.cache import build_state

    paths = {str(hostile_build["content"]), str(hostile_build["out"]), str(Path.home()),
             str(Path(__file__).resolve().parent.parent),
             str(build_state(hostile_build["out"] / "2020-03"))}
    paths |= {p.replace("/", "%2F") for p in paths} | {Path(p).as_uri() for p in paths}
    blobs = {"html": hostile_build["html"].read_bytes(), "pdf": pdf_uncompressed(hostile_build["pdf"])}
    with zipfile.ZipFile(hostile_build["pptx"]) as deck:
        blobs.update({f"pptx:{n}": deck.read(n) for n in deck.namelist()})
    for name, data in blobs.items():
        for p in paths:
            assert p.encode() not in data, (name, p)


def test_the_build_stamp_and_lock_live_in_the_cache_keyed_by_the_output_path(content_copy, tmp_path,
                                                                           capsys):
    from huoye.cache import STAMP, build_state

    one, two = tmp_path / "one", tmp_path / "two"
    for out in (one, two):
        assert main(["build", str(content_copy), "--out", str(out), "--format", "html", "--jobs", "1"]) == 0
    state = build_state(one / "2020-03")  # keyed by the issue's output folder
    assert state != build_state(two / "2020-03")
    assert (state / STAMP).is_file() and (state / "lock").is_file()
    assert main(["build", str(content_copy), "--out", str(one), "--format", "html", "--jobs", "1"]) == 0
    assert "up to date" in capsys.readouterr().err
    assert sorted(p.name for p in (one / "2020-03").iterdir()) == [f"{NAME}.html"]


# ---------------------------------------------------------------- reproducible bytes

def test_two_builds_a_second_apart_into_different_folders_are_byte_identical(hostile_build, tmp_path):
    """PDF, deck and HTML edition, from a copy of the content in another folder."""
    time.sleep(1.1)
    again, content = tmp_path / "again", tmp_path / "content"
    shutil.copytree(hostile_build["content"], content)
    run = subprocess.run(build_cmd(content, again), capture_output=True, text=True, timeout=TIMEOUT,
                         check=False)
    assert run.returncode == 0, run.stderr
    for fmt in FORMATS:
        assert (again / "2020-03" / f"{NAME}.{fmt}").read_bytes() == hostile_build[fmt].read_bytes(), fmt


def test_the_pdfs_dates_are_the_issue_date(hostile_build):
    info = subprocess.run(["pdfinfo", "-isodates", str(hostile_build["pdf"])], capture_output=True,
                          text=True, check=True).stdout
    assert re.search(r"CreationDate:\s+2020-04-25T00:00:00", info), info
    assert re.search(r"ModDate:\s+2020-04-25T00:00:00", info), info


# ---------------------------------------------------------------- process trees

def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            pass
    return found


@pytest.mark.parametrize("signum, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143),
                                            (signal.SIGHUP, 129)])
def test_a_signal_to_the_main_process_ends_the_whole_tree(content_copy, tmp_path, signum, status):
    out = tmp_path / "out"
    earlier = earlier_set(out)
    build = subprocess.Popen(build_cmd(content_copy, out, FORMATS, "--jobs", "2"),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60  # hang guard
    while not _children(build.pid) and time.monotonic() < deadline and build.poll() is None:
        time.sleep(0.02)
    helpers = _children(build.pid)
    assert helpers, "the build started no helper process"
    time.sleep(0.3)  # inside the work, not at its start
    helpers |= _children(build.pid)
    os.kill(build.pid, signum)  # the main process only, not its group
    stdout, stderr = build.communicate(timeout=60)  # reading its pipes must not hang
    assert build.returncode == status, stderr
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert lines == [f"stopped by {signal.Signals(signum).name}; nothing more was written"], stderr
    for pid in helpers:
        state = Path(f"/proc/{pid}/status")
        assert not state.exists() or "State:\tZ" in state.read_text(), f"helper {pid} outlived the build"
    assert files(out / "2020-03") == earlier
    assert not (out / "2020-03" / output.STAGING).exists()


def test_a_helper_killed_by_the_stop_reads_as_the_stop_even_if_its_exception_was_lost():
    """Seen once under load: the signal handler killed the PDF process, its `Stopped`
    never reached the build (raised where Python only reports exceptions), and the dead
    helper was then reported as a crash with exit 2 instead of 128 + the signal."""
    import multiprocessing

    from huoye import processes, signals

    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe()
    helper = context.Process(target=time.sleep, args=(60,), daemon=True)
    with signals.installed():
        helper.start()
        theirs.close()
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler runs here; hang guard only
        except signals.Stopped:
            pass  # lost, as inside a finalizer
        assert not helper.is_alive()
        with pytest.raises(signals.Stopped) as stopped:
            processes._received(ours, helper, "the helper ended ({status})")
    assert stopped.value.exit_status == 143
    with signals.installed():  # a new build starts without the old stop
        signals.raise_if_stopping()


# ---------------------------------------------------------------- confinement

def _outside(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("---\nsecret: 机密\n---\n", encoding="utf-8")
    return outside


@pytest.mark.parametrize("what", ["issue.md", "series.yaml", "the issue folder"])
def test_a_content_file_linked_from_outside_is_refused_unread(content_copy, tmp_path, capsys, what):
    outside = _outside(tmp_path)
    if what == "issue.md":
        shutil.copy(content_copy / ISSUE, outside / "issue.md")
        (content_copy / ISSUE).unlink()
        (content_copy / ISSUE).symlink_to(outside / "issue.md")
    elif what == "series.yaml":
        shutil.move(content_copy / "series.yaml", outside / "series.yaml")
        (content_copy / "series.yaml").symlink_to(outside / "series.yaml")
    else:
        shutil.move(content_copy / "2020-03", outside / "2020-03")
        (content_copy / "2020-03").symlink_to(outside / "2020-03")
    before = os.stat(outside).st_atime_ns
    status = main(["check", str(content_copy)])
    err = capsys.readouterr().err
    assert status == 2 and "outside the content folder" in err and "Traceback" not in err, err
    assert os.stat(outside).st_atime_ns >= before


def test_a_link_to_an_endless_file_in_the_issue_folder_is_not_read(content_copy, tmp_path, capsys):
    """The up-to-date check once read every file of the issue folder through links:
    /dev/zero never ends. Now a link out of the content folder is hashed by name only."""
    (content_copy / "2020-03" / "zero.png").symlink_to("/dev/zero")
    run = subprocess.run(build_cmd(content_copy, tmp_path / "o", ("html",)), capture_output=True,
                         text=True, timeout=TIMEOUT, check=False)
    assert run.returncode == 0, run.stderr  # zero.png is not used by the issue


def test_an_issue_md_over_one_megabyte_is_refused_with_the_limit(content_copy, capsys):
    path = content_copy / ISSUE
    path.write_text(path.read_text(encoding="utf-8") + "\n" + "长" * 400_000 + "\n", encoding="utf-8")
    status = main(["check", str(content_copy)])
    err = capsys.readouterr().err
    assert status == 2 and "larger than 1 MB" in err, err


def test_an_image_linked_from_outside_is_refused(content_copy, tmp_path, capsys):
    outside = _outside(tmp_path)
    (outside / "logo.png").write_bytes(png(10, 10))
    (content_copy / "2020-03" / "logo.png").symlink_to(outside / "logo.png")
    edit(content_copy, BODY_AT, BODY_AT + "![标志](logo.png)\n\n")
    status = main(["check", str(content_copy)])
    err = capsys.readouterr().err
    assert status == 2 and f"issue.md:{body_line(content_copy)}:" in err, err
    assert "outside the issue folder" in err, err


def test_an_image_linked_inside_the_issue_folder_is_used(content_copy, tmp_path):
    (content_copy / "2020-03" / "real.png").write_bytes(png(10, 10))
    (content_copy / "2020-03" / "logo.png").symlink_to("real.png")
    edit(content_copy, BODY_AT, BODY_AT + "![标志](logo.png)\n\n")
    assert main(["build", str(content_copy), "--out", str(tmp_path / "o"), "--format", "html",
                 "--force", "--jobs", "1"]) == 0
    assert "data:image/png;base64," in (tmp_path / "o" / "2020-03" / f"{NAME}.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------- pixel budget, however embedded

def svg_with(href: str) -> bytes:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'width="100" height="60"><image width="100" height="60" xlink:href="{href}"/></svg>').encode()


def data_uri(mime: str, data: bytes) -> str:
    import base64

    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


BOMB = png(10_000, 5_000)  # 50 megapixels declared, a few KB
SVG_CASES = {
    "a bomb PNG inside an SVG": (svg_with(data_uri("image/png", BOMB)), "megapixels"),
    "a bomb PNG in an SVG in an SVG": (
        svg_with(data_uri("image/svg+xml", svg_with(data_uri("image/png", BOMB)))), "megapixels"),
    "two 25-megapixel PNGs in one SVG": (
        svg_with(data_uri("image/png", png(5_000, 5_000))).replace(
            b"</svg>", b'<image xlink:href="' + data_uri("image/png", png(5_000, 5_000)).encode()
            + b'"/></svg>'), "in all"),
    "an embedded image that does not decode": (svg_with("data:image/png;base64,@@@@"), "cannot be decoded"),
    "SVGs nested four deep": (None, "more than 3 deep"),
}


def nested_svg(depth: int) -> bytes:
    data = svg_with("#x")
    for _ in range(depth):
        data = svg_with(data_uri("image/svg+xml", data))
    return data


@pytest.mark.parametrize("name", list(SVG_CASES))
def test_an_svgs_embedded_images_count_against_the_pixel_budget(content_copy, capsys, name):
    data, says = SVG_CASES[name]
    data = data if data is not None else nested_svg(5)
    (content_copy / "2020-03" / "figure.svg").write_bytes(data)
    edit(content_copy, BODY_AT, BODY_AT + "![图](figure.svg)\n\n")
    status = main(["check", str(content_copy)])
    err = capsys.readouterr().err
    assert status == 2 and f"issue.md:{body_line(content_copy)}:" in err and says in err, err


def test_an_svg_with_a_small_embedded_image_is_accepted(content_copy, capsys):
    (content_copy / "2020-03" / "figure.svg").write_bytes(svg_with(data_uri("image/png", png(40, 30))))
    edit(content_copy, BODY_AT, BODY_AT + "![图](figure.svg)\n\n")
    assert main(["check", str(content_copy)]) == 0, capsys.readouterr().err


# ---------------------------------------------------------------- characters: named, line and column

REFUSED = ["\x07", "\x1b", "\x7f", "\x80", "\x85", "\x9f", "\u2028", "\u2029", "\u202e", "\u2066",
           "\u200f", "\uffff"]


@pytest.mark.parametrize("char", REFUSED, ids=[f"U+{ord(c):04X}" for c in REFUSED])
@pytest.mark.parametrize("where", ["body", "front matter"])
def test_a_refused_character_is_named_at_its_line_and_column(content_copy, capsys, char, where):
    if where == "body":
        edit(content_copy, BODY_AT, BODY_AT + "预算执行" + char + "情况。\n\n")
        marker, column = "预算执行", 5
    else:
        edit(content_copy, THEME, THEME + char)
        marker, column = THEME, len(THEME) + 1
    text = (content_copy / ISSUE).read_text(encoding="utf-8")
    line = text[: text.index(marker)].count("\n") + 1
    status = main(["check", str(content_copy)])
    err = capsys.readouterr().err
    name = unicodedata.name(char, "")
    assert status == 2, err
    assert f"issue.md:{line}: text: column {column}: character U+{ord(char):04X} {name}".rstrip() in err, err


def test_line_numbers_stay_right_after_line_separators(content_copy, capsys):
    """YAML and Python count U+2028, U+2029 and U+0085 as line breaks; huoye reports each at
    the line an editor sees."""
    edit(content_copy, THEME, THEME + "\u2028")
    edit(content_copy, BODY_AT, BODY_AT + "甲\u0085乙\u2029丙。\n\n")
    text = (content_copy / ISSUE).read_text(encoding="utf-8")
    theme_line = text[: text.index(THEME)].count("\n") + 1
    body_line = text[: text.index("甲")].count("\n") + 1
    status = main(["check", str(content_copy)])
    err = capsys.readouterr().err
    assert status == 2
    assert f"issue.md:{theme_line}: text: column {len(THEME) + 1}: character U+2028" in err, err
    assert f"issue.md:{body_line}: text: column 2: character U+0085" in err, err
    assert f"issue.md:{body_line}: text: column 4: character U+2029" in err, err


# ---------------------------------------------------------------- scaffolding

THEMES = ["a: b", "#注释", "'单引号", '"双引号', "- 列表", "{花括号}", "[方括号]", "!标签", "&锚", "*别名",
          "| 竖线", "> 大于", "%百分", "@符号", "`反引号", "null", "true", "1e3", "2020-01-01",
          "主题: 副题 # 不是注释", "多\n行", "  前后空格  "]


@pytest.mark.parametrize("theme", THEMES)
def test_huoye_new_writes_valid_yaml_whatever_the_theme(content_copy, capsys, theme):
    assert main(["new", "--content", str(content_copy), "--theme", theme, "--date", "2020-06-01"]) == 0
    text = (content_copy / "2020-04" / "issue.md").read_text(encoding="utf-8")
    assert yaml.safe_load(text.split("---\n")[1])["theme"] == theme  # a YAML parser reads it back
    capsys.readouterr()
    assert main(["check", str(content_copy)]) == 2  # the skeleton's placeholders, and only they
    problems = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("error: ")
                and "problems; nothing was written" not in ln]
    assert problems and all(" placeholder: " in ln for ln in problems), problems


def test_huoye_new_refuses_a_theme_the_loader_would_refuse_and_leaves_nothing(content_copy, capsys):
    status = main(["new", "--content", str(content_copy), "--theme", "主题\x07", "--date", "2020-06-01"])
    err = capsys.readouterr().err
    assert status == 2 and "U+0007" in err, err
    assert not (content_copy / "2020-04").exists()
