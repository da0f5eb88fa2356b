"""A corpus of broken and hostile content: each is refused with its place and its fix.

Every case breaks a copy of the sample content one way, runs `huoye build` (in
process, a handful as a subprocess too) into an output folder that already
holds earlier outputs, and checks what the editor sees and what is left:

* exit status 2 and no traceback;
* a message naming the file and line (`issue.md:97:`) and saying how to fix it;
* the earlier outputs byte-identical, and nothing new written.

The cases are grouped by class (`yaml/…`, `schema/…`, `encoding/…`, `content/…`,
`hostile/…`); docs/reliability.md counts them. Inputs that must *succeed*
safely (BOM, CRLF, GBK, <script>, Jinja syntax, a local web server that must
get no request) are tested after the corpus.
"""
from __future__ import annotations

import http.server
import re
import struct
import subprocess
import sys
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest

from huoye.cli import main
from huoye.load import load_archive

ISSUE = "2020-03/issue.md"
SERIES = "series.yaml"
OUTPUT = "2020-03/财经活页-2020-03"
THEME = "theme: 产业链现代化"
BODY_AT = "### 一、什么是产业链\n\n"  # a new paragraph here is line 97 of issue.md
RECS = "## 提升我国产业链现代化水平的对策建议 {.recommendations}"


# ---------------------------------------------------------------- how a case breaks content

@dataclass
class Case:
    """One broken input: how to make it, where the message must point, what it must say."""

    make: Callable[[Path], None]
    file: str  # the file the message names, relative to content/
    at: str | bytes | int  # the line: a number, or text whose first line is the one
    says: str  # part of the message that tells the fix
    formats: str = "html"


def edit(name: str, change: Callable[[str], str]) -> Callable[[Path], None]:
    def make(content: Path) -> None:
        path = content / name
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    return make


def edit_bytes(name: str, change: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def make(content: Path) -> None:
        path = content / name
        path.write_bytes(change(path.read_bytes()))
    return make


def sub(old: str, new: str, name: str = ISSUE) -> Callable[[Path], None]:
    def change(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return edit(name, change)


def front(lines: str) -> Callable[[Path], None]:
    """Add lines to the issue's front matter (after the theme)."""
    return sub(THEME, THEME + "\n" + lines)


def body(paragraph: str) -> Callable[[Path], None]:
    """Add a paragraph to the body (it is line 97 of issue.md)."""
    return sub(BODY_AT, BODY_AT + paragraph + "\n\n")


def with_files(files: dict[str, bytes], then: Callable[[Path], None]) -> Callable[[Path], None]:
    def make(content: Path) -> None:
        for name, data in files.items():
            (content / name).write_bytes(data)
        then(content)
    return make


def second_issue(change: Callable[[str], str]) -> Callable[[Path], None]:
    def make(content: Path) -> None:
        folder = content / "2020-04"
        folder.mkdir()
        text = (content / ISSUE).read_text(encoding="utf-8")
        (folder / "issue.md").write_text(change(text), encoding="utf-8")
    return make


def png(width: int, height: int) -> bytes:
    """A valid PNG header claiming width × height (a decompression bomb when large)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    pixels = zlib.compress(row * min(height, 64), 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))


SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="60">{}</svg>'
XXE = (b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
       + SVG.format("<text y='20'>&xxe;</text>").encode())
LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY a "lol">'
          + b"".join(b'<!ENTITY %c "%s">' % (98 + i, (b"&%c;" % (97 + i)) * 10) for i in range(9))
          + b"]>\n" + SVG.format("<text y='20'>&j;</text>").encode())
ALIAS_BOMB = "bomb: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"bomb{i}: &a{i} [{', '.join([f'*a{i - 1}' if i > 1 else '*a'] * 9)}]\n" for i in range(1, 10))
NESTED_LIST = "\n".join("   " * i + "1. 嵌套" for i in range(60))


CASES: dict[str, Case] = {
    # YAML: the syntax of the front matter and series.yaml
    "yaml/unclosed quote in series.yaml": Case(
        sub("name: 财经活页", 'name: "财经活页', SERIES), SERIES, 'name: "财经活页', "add the closing quote"),
    "yaml/unclosed single quote in a figure": Case(
        sub("label: 工业中类", "label: '工业中类"), ISSUE, "label: '工业中类", "add the closing quote"),
    "yaml/tab indentation in series.yaml": Case(
        sub("  colour:", "\tcolour:", SERIES), SERIES, "\tcolour:", "replace tabs by spaces"),
    "yaml/duplicate key in series.yaml brand": Case(
        sub('  ink: "#1f1f1f"', '  ink: "#1f1f1f"\n  ink: "#000000"', SERIES), SERIES,
        '  ink: "#000000"', "duplicate key (first given on line 19); keep one of them"),
    "yaml/duplicate key inside a chart": Case(
        sub("    kind: column", "    kind: column\n    kind: bar"), ISSUE, "    kind: bar",
        "duplicate key"),
    "yaml/full-width colon in series.yaml": Case(
        sub("telephone: ", "telephone：", SERIES), SERIES, "telephone：",
        "YAML needs an ASCII colon and a space: write 'telephone: …'"),
    "yaml/full-width colon in a list item": Case(
        sub("  - value: 41", "  - value：41"), ISSUE, "value：41", "value: …'"),
    "yaml/colon without a space": Case(
        sub("serial: 328", "serial:328"), ISSUE, "serial:328", "write 'serial: …'"),
    "yaml/front matter is a list": Case(
        edit(ISSUE, lambda t: "---\n- year: 2020\n- number: 3\n---\n" + t.split("\n---\n", 1)[1]),
        ISSUE, "- year", "expected a group of 'key: value' lines, found a list"),
    "yaml/front matter is one word": Case(
        edit(ISSUE, lambda t: "---\n产业链\n---\n" + t.split("\n---\n", 1)[1]), ISSUE, 1,
        "expected a group of 'key: value' lines"),
    "yaml/alias bomb (billion laughs)": Case(
        front(ALIAS_BOMB), ISSUE, "bomb1:", "write the value out in full"),
    "yaml/recursive alias": Case(
        front("loop: &loop [*loop]"), ISSUE, "loop:", "anchors and aliases"),
    "yaml/nested 5000 levels deep": Case(
        front("deep: " + "[" * 5000 + "]" * 5000), ISSUE, "deep:", "nested more than 32 levels"),
    "yaml/python object tag": Case(
        sub("theme: 产业链现代化", "theme: !!python/object/apply:os.system ['touch /tmp/huoye-pwned']"),
        ISSUE, "!!python", "remove it and write the value itself"),
    "yaml/key that is a list": Case(front("? [a, b]\n: c"), ISSUE, "? [a, b]", "a key must be a plain word"),
    "yaml/empty series.yaml": Case(edit(SERIES, lambda t: ""), SERIES, 1, "restore series.yaml"),

    # Schema: the values and the keys
    "schema/issue number in Chinese": Case(sub("number: 3", "number: 三"), ISSUE, "number: 三",
                                           "write it as e.g. 'number: 3'"),
    "schema/serial as a float": Case(sub("serial: 328", "serial: 328.5"), ISSUE, "serial: 328.5",
                                     "a whole number written in digits"),
    "schema/impossible date": Case(sub("date: 2020-04-25", "date: 2020-13-45"), ISSUE, "date: 2020-13",
                                   "dates are written YYYY-MM-DD"),
    "schema/30 February": Case(sub("date: 2020-04-25", "date: 2020-02-30"), ISSUE, "date: 2020-02-30",
                               "dates are written YYYY-MM-DD"),
    "schema/date in words": Case(sub("date: 2020-04-25", "date: 2020年4月25日"), ISSUE, "date: 2020年",
                                 "write it as e.g. 'date: 2020-04-25'"),
    "schema/date not in the issue's year": Case(sub("date: 2020-04-25", "date: 2021-04-25"), ISSUE,
                                                "date: 2021", "fix one of them"),
    "schema/missing theme": Case(sub(THEME + "\n", ""), ISSUE, 1, "missing; add it e.g. 'theme: 产业链现代化'"),
    "schema/missing publishers in series.yaml": Case(
        sub("publishers:\n  - 辽宁省财政科学研究所\n  - 辽宁省财政学会\n", "", SERIES), SERIES, 1,
        "missing; add it e.g. 'publishers:"),
    "schema/typo in a key gets a hint": Case(sub("    unit: 个\n", "    unti: 个\n"), ISSUE, "unti:",
                                              "did you mean 'unit'?"),
    "schema/typo in series.yaml brand": Case(sub("  accent:", "  accnet:", SERIES), SERIES, "accnet",
                                             "did you mean 'accent'?"),
    "schema/unknown pdf_variant": Case(sub("recent_themes: 12", "recent_themes: 12\npdf_variant: pdf/x", SERIES),
                                       SERIES, "pdf_variant", "use one of pdf/a-3u, pdf/ua-1"),
    "schema/chart values as text": Case(sub("values: [41, 207, 666]", "values: [41, 207, 六百]"), ISSUE,
                                        "values: [41, 207, 六百]", "found a list holding '六百'"),
    "schema/chart value infinite": Case(sub("values: [41, 207, 666]", "values: [41, 207, .inf]"), ISSUE,
                                        "values: [41, 207, .inf]", "not .inf or .nan"),
    "schema/key figure value NaN": Case(sub("  - value: 41", "  - value: .nan"), ISSUE, "value: .nan",
                                        "not .inf or .nan"),
    "schema/chart with no categories": Case(
        edit(ISSUE, lambda t: t.replace("categories: [大类, 中类, 小类]", "categories: []")
             .replace("values: [41, 207, 666]", "values: []")), ISSUE, "categories: []",
        "a chart needs at least one category"),
    "schema/chart series longer than categories": Case(
        sub("values: [-13.5, 37.2]", "values: [-13.5, 37.2, 5]"), ISSUE, "values: [-13.5, 37.2, 5]",
        "give one value per category"),
    "schema/unknown chart kind": Case(sub("kind: bar", "kind: donut"), ISSUE, "kind: donut",
                                      "use one of bar, column, line, pie"),
    "schema/pie of zeros": Case(
        edit(ISSUE, lambda t: t.replace("kind: column", "kind: pie", 1)
             .replace("values: [41, 207, 666]", "values: [0, 0, 0]")), ISSUE, "id: industrial-categories",
        "a pie needs positive values; use kind: bar"),
    "schema/two issues with the same number": Case(
        second_issue(lambda t: t.replace("serial: 328", "serial: 329")), "2020-04/issue.md", 1,
        "give each issue its own number"),
    "schema/two issues with the same serial": Case(
        second_issue(lambda t: t.replace("number: 3", "number: 4")), "2020-04/issue.md", 1,
        "总第328期 is also 2020-03/issue.md"),
    "schema/series name with a slash": Case(sub("name: 财经活页", "name: ../../pwned", SERIES), SERIES,
                                            "name: ../../pwned", "write the bulletin's name without them"),
    "schema/deck template outside the content folder": Case(
        edit(SERIES, lambda t: t + "deck:\n  template: ../../../../etc/passwd\n"), SERIES, "template:",
        "copy the template next to series.yaml"),

    # Files and encodings
    "encoding/empty issue.md": Case(edit(ISSUE, lambda t: ""), ISSUE, 1, "start from 'huoye new'"),
    "encoding/only blank lines": Case(edit(ISSUE, lambda t: "\n\n  \n"), ISSUE, 1, "start from 'huoye new'"),
    "encoding/no front matter": Case(edit(ISSUE, lambda t: t.split("\n---\n", 1)[1]), ISSUE, 1,
                                     "the file must begin with a '---' line"),
    "encoding/front matter not closed": Case(edit(ISSUE, lambda t: t.replace("\n---\n", "\n", 1)), ISSUE, 1,
                                             "add one after the last key"),
    "encoding/front matter only": Case(edit(ISSUE, lambda t: t[: t.index("\n---\n") + 5]), ISSUE, 92,
                                       "add '## 标题' headings"),
    "encoding/invalid bytes on line 97": Case(
        edit_bytes(ISSUE, lambda b: b.replace(BODY_AT.encode(), BODY_AT.encode() + b"caf\xe9 au lait\n\n", 1)),
        ISSUE, b"caf\xe9", "save the file as UTF-8"),
    "encoding/UTF-16 (Notepad 'Unicode')": Case(
        edit_bytes(ISSUE, lambda b: b"\xff\xfe" + b.decode("utf-8").encode("utf-16-le")), ISSUE, 1,
        "save it as UTF-8"),
    "encoding/UTF-16 without a BOM": Case(
        edit_bytes(SERIES, lambda b: b.decode("utf-8").encode("utf-16-be")), SERIES, 1, "save it as UTF-8"),

    # Content: characters and structure of the body
    "content/control character BEL": Case(body("预算\x07执行。"), ISSUE, "预算", "column 3: character U+0007"),
    "content/U+FFFE in the theme": Case(sub(THEME, THEME + "\ufffe"), ISSUE, THEME, "U+FFFE"),
    "content/NUL byte in a paragraph": Case(body("预算\x00执行。"), ISSUE, "预算", "U+0000"),
    "content/lone surrogate escape in YAML": Case(sub(THEME, 'theme: "产业链\\ud800"'), ISSUE, "theme:",
                                                  "U+D800"),
    "content/character no font has (U+2A6D6) in a paragraph": Case(
        body("这是𪛖字。"), ISSUE, "这是", "replace the character", "pdf"),
    "content/character no font has in the theme": Case(
        sub(THEME, THEME + "𪛖"), ISSUE, 1, "“𪛖” (U+2A6D6) has no glyph", "html,pdf"),
    "content/deeply nested lists": Case(
        edit(ISSUE, lambda t: t + "\n" + NESTED_LIST + "\n"), ISSUE, NESTED_LIST.split("\n")[1],
        "a list item holds text only"),
    "content/a list inside a list": Case(body("- 第一\n  - 第二"), ISSUE, "  - 第二",
                                         "a list item holds text only"),
    "content/raw HTML": Case(body("正文<b>加粗</b>。"), ISSUE, "正文<b>", "raw HTML '<b>' is not part of the format"),
    "content/footnote without text": Case(body("正文[^9]。"), ISSUE, "正文[^9]", "the footnote [^9] has no text"),
    "content/code block": Case(body("```\ncode\n```"), ISSUE, "```", "remove the ``` lines"),
    "content/level-1 heading": Case(body("# 大标题"), ISSUE, "# 大标题",
                                    "text comes before the first article title"),
    "content/points numbered twice": Case(sub("2.关键基础材料", "1.关键基础材料"), ISSUE, "1.关键基础材料",
                                          "numbered '1.' after '1.'; expected '2.'"),
    "content/empty section": Case(sub("## 当前我国产业链的发展情况", "## 空的部分\n\n## 当前我国产业链的发展情况"),
                                  ISSUE, "## 空的部分", "is empty; add its text"),

    # Hostile: references that leave the issue folder, images that attack the renderer
    "hostile/image ../../etc/passwd via %2e%2e": Case(body("![x](%2e%2e/%2e%2e/etc/passwd)"), ISSUE,
                                                      "![x]", "points outside the issue folder"),
    "hostile/image by absolute path": Case(body("![x](/etc/passwd)"), ISSUE, "![x]",
                                           "copy the file into 2020-03/"),
    "hostile/image file:// URL": Case(body("![x](file:///etc/passwd)"), ISSUE, "![x]",
                                      "copy the file into 2020-03/"),
    "hostile/image through a symlink out of the folder": Case(
        lambda c: ((c / "2020-03/link.png").symlink_to("/etc/passwd"), body("![x](link.png)")(c)),
        ISSUE, "![x]", "points outside the issue folder"),
    "hostile/link file:// URL": Case(body("[密码](file:///etc/passwd)"), ISSUE, "[密码]",
                                     "nor a file of the issue folder"),
    "hostile/link javascript:": Case(body("[点我](javascript:alert(1))"), ISSUE, "[点我]",
                                     "write the web address, or remove the link"),
    "hostile/link ../../ outside": Case(body("[x](../../secret.txt)"), ISSUE, "[x]",
                                        "points outside the issue folder"),
    "hostile/image data: URI": Case(body("![x](data:image/png;base64,iVBORw0KGgo=)"), ISSUE, "![x]",
                                    "copy the file into 2020-03/"),
    "hostile/SVG with an external entity": Case(
        with_files({"2020-03/xxe.svg": XXE}, body("![x](xxe.svg)")), ISSUE, "![x]",
        "delete the <!DOCTYPE …> part", "html,pdf"),
    "hostile/SVG entity-expansion bomb": Case(
        with_files({"2020-03/lol.svg": LAUGHS}, body("![x](lol.svg)")), ISSUE, "![x]",
        "delete the <!DOCTYPE …> part", "html,pdf"),
    "hostile/SVG pulling a file": Case(
        with_files({"2020-03/p.svg": SVG.format('<image href="file:///etc/hosts" width="9" height="9"/>').encode()},
                   body("![x](p.svg)")), ISSUE, "![x]", "embed that part in the SVG", "html,pdf"),
    "hostile/SVG with a script": Case(
        with_files({"2020-03/s.svg": SVG.format("<script>alert(1)</script>").encode()}, body("![x](s.svg)")),
        ISSUE, "![x]", "export the SVG again without it"),
    "hostile/50-megapixel PNG (decompression bomb)": Case(
        with_files({"2020-03/bomb.png": png(10_000, 5_000)}, body("![x](bomb.png)")), ISSUE, "![x]",
        "resize it to at most 4000 pixels", "html,pdf"),
    "hostile/10-gigapixel PNG": Case(
        with_files({"2020-03/bomb.png": png(100_000, 100_000)}, body("![x](bomb.png)")), ISSUE, "![x]",
        "resize it to at most 4000 pixels", "pdf"),
    "hostile/text file named .png": Case(
        with_files({"2020-03/fake.png": b"GIF89a? no: just text"}, body("![x](fake.png)")), ISSUE, "![x]",
        "rename it to .gif"),
    "hostile/truncated PNG": Case(
        with_files({"2020-03/cut.png": png(40, 40)[:40]}, body("![x](cut.png)")), ISSUE, "![x]",
        "export the image again", "html,pdf"),
    "hostile/image that does not exist": Case(body("![x](missing.png)"), ISSUE, "![x]", "check the name"),
    "hostile/font family with CSS in it": Case(
        sub("serif: Noto Serif CJK SC", 'serif: "x\\"; src: url(http://127.0.0.1:9/f.woff)"', SERIES), SERIES,
        "serif:", "write the family as fc-list shows it"),
}


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _line(content: Path, case: Case) -> int | None:
    if isinstance(case.at, int) or case.at is None:
        return case.at
    data = (content / case.file).read_bytes()
    needle = case.at if isinstance(case.at, bytes) else case.at.encode("utf-8")
    assert needle in data, f"{case.at!r} not in {case.file}"
    return data[: data.index(needle)].count(b"\n") + 1


@pytest.fixture
def earlier_output(tmp_path) -> Path:
    """An output folder holding earlier outputs (sentinel bytes) that a failed build must not touch."""
    out = tmp_path / "out"
    (out / "2020-03").mkdir(parents=True)
    (out / f"{OUTPUT}.pdf").write_bytes(b"%PDF-1.7 earlier briefing\n%%EOF\n")
    (out / f"{OUTPUT}.html").write_bytes(b"<html>earlier edition</html>")
    (out / f"{OUTPUT}.pptx").write_bytes(b"PK earlier deck")
    (out / "notes.txt").write_bytes(b"an editor's own file")
    return out


def check_refused(content: Path, out: Path, case: Case, stderr: str, status: int) -> None:
    assert status == 2, stderr
    assert "Traceback" not in stderr and "Error:" not in stderr.replace("error:", ""), stderr
    line = _line(content, case)
    where = f"{case.file.rsplit('/', 1)[-1] if case.file != ISSUE else 'issue.md'}"
    place = f"{where}:{line}:" if line else f"{where}:"
    assert any(place in ln for ln in stderr.splitlines()), f"expected {place} in:\n{stderr}"
    assert case.says in stderr, stderr


@pytest.mark.parametrize("name", list(CASES))
def test_broken_content_is_refused_with_its_place_and_fix(name, content_copy, earlier_output, capsys):
    case = CASES[name]
    case.make(content_copy)
    before = _files(earlier_output)
    status = main(["build", str(content_copy), "--out", str(earlier_output), "--force",
                   "--format", case.formats, "--jobs", "1"])
    err = capsys.readouterr().err
    check_refused(content_copy, earlier_output, case, err, status)
    assert _files(earlier_output) == before, "a failed build changed the output folder"
    assert not Path("/tmp/huoye-pwned").exists()


SUBPROCESS = ["yaml/tab indentation in series.yaml", "encoding/invalid bytes on line 97",
              "hostile/50-megapixel PNG (decompression bomb)", "schema/two issues with the same number"]


@pytest.mark.parametrize("name", SUBPROCESS)
def test_the_command_line_refuses_it_too(name, content_copy, earlier_output):
    case = CASES[name]
    case.make(content_copy)
    before = _files(earlier_output)
    run = subprocess.run([sys.executable, "-m", "huoye", "build", str(content_copy), "--out",
                          str(earlier_output), "--force", "--format", "pdf,html"],
                         capture_output=True, text=True, timeout=120, cwd=content_copy.parent,
                         check=False)
    check_refused(content_copy, earlier_output, case, run.stderr, run.returncode)
    assert _files(earlier_output) == before


# ---------------------------------------------------------------- the network must stay silent

class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self):
        self.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(png(2, 2))

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def web_server():
    """A web server on 127.0.0.1 that records every request made to it."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.requests
    server.shutdown()
    server.server_close()


NETWORK = {
    "hostile/network image": lambda url: body(f"![x]({url}/image.png)"),
    "hostile/network image in an SVG": lambda url: with_files(
        {"2020-03/n.svg": SVG.format(f'<image href="{url}/svg.png" width="9" height="9"/>').encode()},
        body("![x](n.svg)")),
    "hostile/network stylesheet in an SVG": lambda url: with_files(
        {"2020-03/c.svg": SVG.format(f"<style>@import url({url}/svg.css);</style>").encode()},
        body("![x](c.svg)")),
    "hostile/network file as a link target": lambda url: body(f"[x](ftp://127.0.0.1/{url[-5:]})"),
}


@pytest.mark.parametrize("name", list(NETWORK))
def test_network_references_are_refused_without_a_request(name, web_server, content_copy,
                                                           earlier_output, capsys):
    url, requests = web_server
    requests.clear()
    NETWORK[name](url)(content_copy)
    before = _files(earlier_output)
    status = main(["build", str(content_copy), "--out", str(earlier_output), "--force",
                   "--format", "pdf,html", "--jobs", "1"])
    check_refused(content_copy, earlier_output, Case(lambda c: None, ISSUE, "![x]" if "image" in name
                                                     or "SVG" in name else "[x]", "issue folder"),
                  capsys.readouterr().err, status)
    assert _files(earlier_output) == before
    assert requests == []


HOSTILE_HTML = (
    "<script>alert(1)</script>敏感<iframe src='{url}/frame'></iframe>"
    "<img src='{url}/raw.png'><link rel=stylesheet href='{url}/x.css'>"
    "<style>@import url({url}/i.css);</style><object data='{url}/o'></object>"
)
HOSTILE_MARKUP = (
    "模板{{{{ 7*7 }}}}与{{% include '/etc/passwd' %}}和{{# comment #}}。"
    "自动链接<{url}/auto>，网页[链接]({url}/link)。"
)


def test_raw_html_in_the_body_is_refused_and_fetches_nothing(web_server, content_copy, tmp_path,
                                                             capsys):
    """Raw HTML has no place in the model: an error at its line (never run, never dropped)."""
    url, requests = web_server
    requests.clear()
    body(HOSTILE_HTML.format(url=url))(content_copy)
    out = tmp_path / "out"
    status = main(["build", str(content_copy), "--out", str(out), "--force", "--format", "pdf,html",
                   "--jobs", "1"])
    err = capsys.readouterr().err
    assert status == 2 and "issue.md:97: body: raw HTML is not part of the format" in err
    assert requests == [] and not out.exists()


def test_markup_and_template_syntax_in_content_print_literally_and_fetch_nothing(
        web_server, content_copy, tmp_path, capsys):
    """<script> and Jinja in front-matter text and Jinja in the body are text: escaped in HTML,
    printed in the PDF."""
    url, requests = web_server
    requests.clear()
    paragraph = HOSTILE_MARKUP.format(url=url)
    body(paragraph)(content_copy)
    sub(THEME, 'theme: "产业链{{ 7*7 }}<b>"')(content_copy)
    sub("title: 我国工业门类：大类、中类、小类", "title: <script>图</script>{{ 7*7 }}")(content_copy)
    out = tmp_path / "out"
    status = main(["build", str(content_copy), "--out", str(out), "--force", "--format", "pdf,html",
                   "--jobs", "1"])
    assert status == 0, capsys.readouterr().err
    assert requests == []
    html = (out / f"{OUTPUT}.html").read_text(encoding="utf-8")
    assert "<script>图" not in html and "&lt;script&gt;图&lt;/script&gt;" in html
    assert "模板{{ 7*7 }}与{% include &#39;/etc/passwd&#39; %}和{# comment #}。" in html.replace(
        "'", "&#39;")
    # No {{ 7*7 }} was evaluated: "49" appears nowhere but in the test server's random port.
    assert "产业链{{ 7*7 }}&lt;b&gt;" in html and "49" not in html.replace(url, "").replace("1049", "")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out / f"{OUTPUT}.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    assert "<script>图</script>" in flat
    assert "模板{{7*7}}与{%include'/etc/passwd'%}" in flat
    assert "产业链{{7*7}}<b>" in flat


# ---------------------------------------------------------------- inputs that must simply work

def _loaded(content: Path):
    [issue] = load_archive(content)
    return issue


def test_bom_and_crlf_are_normal(content_copy, sample_issue, capsys):
    for name in (ISSUE, SERIES):
        path = content_copy / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert main(["check", str(content_copy)]) == 0, capsys.readouterr().err
    assert "warning" not in capsys.readouterr().err
    issue = _loaded(content_copy)
    assert [p.text for p in issue.paragraphs] == [p.text for p in sample_issue.paragraphs]
    assert issue.note == sample_issue.note and issue.series.name == "财经活页"


def test_old_mac_line_ends_are_normal(content_copy, sample_issue, capsys):
    path = content_copy / ISSUE
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    assert main(["check", str(content_copy)]) == 0, capsys.readouterr().err
    assert _loaded(content_copy).theme == sample_issue.theme


def test_a_gbk_file_from_notepad_is_read_with_a_notice(content_copy, sample_issue, capsys):
    for name in (ISSUE, SERIES):
        path = content_copy / name
        path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    assert main(["check", str(content_copy)]) == 0
    err = capsys.readouterr().err
    assert "issue.md: this file is saved as GBK/GB18030" in err and "save it as UTF-8" in err
    issue = _loaded(content_copy)
    assert [p.text for p in issue.paragraphs] == [p.text for p in sample_issue.paragraphs]


def test_a_gbk_series_builds_without_force(content_copy, tmp_path, capsys):
    path = content_copy / SERIES
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    assert main(["build", str(content_copy), "--out", str(tmp_path / "out"), "--format", "html"]) == 0


def test_zero_width_characters_are_dropped(content_copy, capsys):
    sub(THEME, "theme: 产业\u200b链现\u2060代化")(content_copy)
    body("零\u200d宽\ufeff字符\u200c。")(content_copy)
    assert main(["check", str(content_copy)]) == 0, capsys.readouterr().err
    issue = _loaded(content_copy)
    assert issue.theme == "产业链现代化"
    assert any(p.text == "零宽字符。" for p in issue.paragraphs)


@pytest.mark.parametrize("kind", ["column", "bar", "line"])
def test_a_chart_of_zeros_is_drawn(kind, content_copy, tmp_path, capsys):
    edit(ISSUE, lambda t: t.replace("kind: column", f"kind: {kind}", 1)
         .replace("values: [41, 207, 666]", "values: [0, 0, 0]"))(content_copy)
    assert main(["build", str(content_copy), "--out", str(tmp_path / "o"), "--format", "html"]) == 0, \
        capsys.readouterr().err


def test_thousands_of_points_build(content_copy, tmp_path, capsys):
    points = "\n\n".join(f"{n}. 第{n}条要点。说明文字。" for n in range(1, 2001))
    sub(RECS, f"## 两千条要点\n\n{points}\n\n{RECS}")(content_copy)
    out = tmp_path / "out"
    assert main(["build", str(content_copy), "--out", str(out), "--format", "html"]) == 0, \
        capsys.readouterr().err
    html = (out / f"{OUTPUT}.html").read_text(encoding="utf-8")
    assert "第1条要点" in html and "第2000条要点" in html


def test_a_100000_character_paragraph_builds_in_bounded_time(content_copy, tmp_path):
    paragraph = ("产业链现代化是一个长期过程，需要持续投入resources与耐心。" * 4000)[:100_000]
    body(paragraph)(content_copy)
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "huoye", "build", str(content_copy), "--out", str(out),
                          "--format", "pdf,html", "--force"], capture_output=True, text=True,
                         timeout=120, cwd=tmp_path, check=False)
    assert run.returncode == 0, run.stderr
    assert (out / f"{OUTPUT}.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    info = subprocess.run(["pdfinfo", str(out / f"{OUTPUT}.pdf")], capture_output=True, text=True,
                          check=False)
    assert info.returncode == 0 and int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1)) > 20
