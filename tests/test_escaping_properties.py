"""Escaping by construction, over generated inputs (hypothesis; issue 13, property 1).

Arbitrary text — markup-looking strings, `&`, `]]>`, `javascript:`, Markdown link and image
syntax inside code spans, C0/C1 controls, U+2028/2029/0085, Extension B characters, and any
Unicode hypothesis draws — goes into one text field of the front matter or the body of a
copy of the sample issue (or invalid UTF-8 into the file). For each input the build exits
0 or 2, never 1; on 2 the message names `file:line`; on 0:

* the HTML edition (parsed by lxml) shows the text: the front matter field exactly as
  written, a body field as Markdown reads it (whitespace ignored), and holds no element,
  attribute or link the editor did not write: only the page's own elements, no `on…`
  attribute, no link but `#…`, data: images and the one web link the inputs may contain;
* with all three formats: every XML part of the deck parses and has no foreign element,
  the deck's and the PDF's links are only that web link, the PDF has no action, and the
  theme is in the PDF's text (pdftotext) and on the deck's slides.

Profiles: the default (`make test`) is small and derandomized, so runs repeat; the long
one is for running by hand: `HUOYE_HYPOTHESIS_PROFILE=long pytest tests/test_escaping_properties.py`.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lhtml

from huoye.cli import main
from huoye.load import load_archive

ROOT = Path(__file__).resolve().parent.parent
NAME = "财经活页-2020-03"
SAMPLE = (ROOT / "content" / "2020-03" / "issue.md").read_text(encoding="utf-8")
PROFILES = {  # examples for (the HTML edition, all three formats)
    "default": (40, 5),
    "long": (1500, 120),
}
PROFILE = os.environ.get("HUOYE_HYPOTHESIS_PROFILE", "default")
HTML_EXAMPLES, FULL_EXAMPLES = PROFILES[PROFILE]


def profile(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck),
                    derandomize=PROFILE == "default", phases=[Phase.explicit, Phase.generate],
                    print_blob=True)


WEB_LINK = "https://example.com/"
PIECES = [
    "<", ">", "&", '"', "'", "]]>", "<![CDATA[x", "javascript:alert(1)", "JaVaScRiPt:alert(1)",
    "[点](javascript:alert(1))", "`[码](javascript:x)`", "`![图](http://127.0.0.1:9/x.png)`",
    "![图](http://127.0.0.1:9/x.png)", f"[网]({WEB_LINK})", "<script>alert(1)</script>",
    "<b onclick=x>", "<a href=javascript:x>", "&amp;", "&#106;", "&lt;", "{{ 7*7 }}", "{% x %}",
    "*", "**", "_", "`", "\\", "#", "|", "-", ":", "{", "}", "[", "]", "(", ")", "\u200b",
    "\ufeff", "\U00020000", "产业", "链", "abc", " ", "\t", "\n", "。", "1.",
]
# What the loader refuses (with its place) or the fonts lack: a few of these in the mix.
REFUSED = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f", "\u2028", "\u2029", "\u202e",
           "\U0002A6D6"]
markup = st.sampled_from(PIECES)
anything = st.text(st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp", "Cf")), max_size=2)


@st.composite
def text(draw, printable=anything) -> str:
    """Markup-looking pieces and `printable` text (any printable Unicode); one value in four
    also holds a character the loader refuses, somewhere."""
    parts = draw(st.lists(st.one_of(markup, markup, printable), min_size=1, max_size=8))
    if draw(st.integers(0, 3)) == 0:
        parts.insert(draw(st.integers(0, len(parts))), draw(st.sampled_from(REFUSED)))
    return "".join(parts)


THEME = "theme: 产业链现代化"
BODY_AT = "### 一、什么是产业链\n\n"
NOTE = re.compile(r"^note: \|\n(?:  .*\n)+", re.M)
# front matter fields: (the line as written in the sample, how the new value replaces it)
FRONT = {
    "theme": THEME,
    "figure label": "    label: 工业大类，全部联合国工业门类齐全",
    "chart title": "    title: 我国工业门类：大类、中类、小类",
    "chart unit": "    unit: 个\n    source: 本期正文",
    "chart category": "    categories: [大类, 中类, 小类]",
    "series name": "      - name: 工业门类数",
    "chart source": "    source: 本期正文，据联合国产业分类",
}
BODY = ("paragraph", "point", "section title")


def put(field: str, value: str, issue: str) -> str:
    """issue.md with `value` in `field`: YAML values serialised (json is YAML), body raw."""
    quoted = json.dumps(value, ensure_ascii=False)
    if field == "note":
        return NOTE.sub(lambda m: f"note: {quoted}\n", issue, count=1)
    if field == "chart category":
        return issue.replace(FRONT[field], f"    categories: [{quoted}, 中类, 小类]", 1)
    if field == "chart unit":
        return issue.replace(FRONT[field], f"    unit: {quoted}\n    source: 本期正文", 1)
    if field in FRONT:
        key = FRONT[field].split(":")[0]
        return issue.replace(FRONT[field], f"{key}: {quoted}", 1)
    if field == "paragraph":
        return issue.replace(BODY_AT, BODY_AT + value + "\n\n", 1)
    if field == "point":
        return issue.replace("6.尖端设计能力不强。", "6." + value + "。", 1)
    assert field == "section title"
    return issue.replace("## 产业链与产业链现代化", "## " + value, 1)


@contextmanager
def content_with(issue: str | bytes):
    with tempfile.TemporaryDirectory(prefix="huoye-esc-") as tmp:
        content = Path(tmp) / "content"
        shutil.copytree(ROOT / "content", content)
        path = content / "2020-03" / "issue.md"
        if isinstance(issue, bytes):
            path.write_bytes(issue)
        else:
            path.write_text(issue, encoding="utf-8")
        yield content, Path(tmp) / "out"


def build(content: Path, out: Path, formats: str, capsys) -> tuple[int, str]:
    capsys.readouterr()
    status = main(["build", str(content), "--out", str(out), "--force", "--format", formats,
                   "--jobs", "1"])
    return status, capsys.readouterr().err


_DROPPED = re.compile("[\u200b\u200c\u200d\u2060\ufeff\\s]")


def flat(s: str) -> str:
    """Text without whitespace and without the zero-width characters the loader drops."""
    return _DROPPED.sub("", s)


BODY_LINES = {"section title": SAMPLE[: SAMPLE.index("## 产业链与产业链现代化")].count("\n") + 1,
              "paragraph": SAMPLE[: SAMPLE.index(BODY_AT)].count("\n") + 3,
              "point": SAMPLE[: SAMPLE.index("6.尖端设计能力不强。")].count("\n") + 1}


def shown_in_body(content: Path, field: str, value: str) -> str:
    """How the loader read the body field (Markdown), found by its line: what the reader
    must see. "" (structure checked only) when the value made more than one block."""
    if "\n" in value or "\r" in value:
        return ""
    [issue] = load_archive(content)
    line = BODY_LINES[field]
    for section in issue.sections:
        if field == "section title" and section.source.line == line:
            return section.title
        for paragraph in section.intro + [p for pt in section.points for p in pt.paragraphs]:
            if paragraph.source.line == line:
                return paragraph.text
    return ""


def _page_elements() -> set[str]:
    """The elements huoye itself writes: those in the templates and the chart drawing code,
    and those inline Markdown makes."""
    sources = [p.read_text(encoding="utf-8") for p in (ROOT / "templates").rglob("*.j2")]
    sources.append((ROOT / "huoye" / "render" / "charts.py").read_text(encoding="utf-8"))
    written = {t.lower() for src in sources for t in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", src)}
    return written | {"a", "code", "strong", "em", "img", "br", "sup", "span", "p"}


ELEMENTS = _page_elements() - {"script", "iframe", "object", "embed", "form", "input", "base"}


def check_html(page_bytes: bytes, expected: str) -> None:
    page = lhtml.fromstring(page_bytes)
    for el in page.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.rsplit("}", 1)[-1]
        assert tag in ELEMENTS, f"element <{tag}> the editor did not write"
        for attr, value in el.attrib.items():
            assert not attr.lower().startswith("on"), (tag, attr)
            if attr.rsplit("}", 1)[-1] in ("href", "src", "action", "formaction", "srcset", "data"):
                assert value.startswith("#") or value == WEB_LINK or value.startswith(
                    ("data:image/", "data:,")), (tag, attr, value)
    assert flat(expected) in flat(page.text_content()), expected


def check_refused(err: str) -> None:
    assert re.search(r"(issue\.md|series\.yaml):\d+:", err), err
    assert "Traceback" not in err and "internal error" not in err, err


@given(field=st.sampled_from(["note", *FRONT, *BODY]), value=text())
@profile(HTML_EXAMPLES)
def test_any_text_in_any_field_reaches_the_html_edition_literally_or_is_refused(field, value, capsys):
    with content_with(put(field, value, SAMPLE)) as (content, out):
        status, err = build(content, out, "html", capsys)
        event(f"exit {status}")
        assert status in (0, 2), err  # never 1 (a bug)
        if status == 2:
            check_refused(err)
            return
        expected = value if field not in BODY else shown_in_body(content, field, value)
        check_html((out / "2020-03" / f"{NAME}.html").read_bytes(), expected)


@given(at=st.integers(0, len(SAMPLE.encode())), junk=st.binary(min_size=1, max_size=6))
@profile(HTML_EXAMPLES // 2)
def test_invalid_utf8_anywhere_is_refused_at_its_line_or_read(at, junk, capsys):
    data = SAMPLE.encode()
    with content_with(data[:at] + junk + data[at:]) as (content, out):
        status, err = build(content, out, "html", capsys)
        event(f"exit {status}")
        assert status in (0, 2), err
        if status == 2:
            check_refused(err)


def check_deck(path: Path, theme: str | None) -> None:
    slide_text = []
    with zipfile.ZipFile(path) as deck:
        for name in deck.namelist():
            if not name.endswith((".xml", ".rels")):
                continue
            root = etree.fromstring(deck.read(name))
            for e in root.iter():
                if isinstance(e.tag, str):
                    assert "urn:" not in e.tag or "schemas-microsoft" in e.tag, (name, e.tag)
            if name.endswith(".rels"):
                for rel in root:
                    if rel.get("TargetMode") == "External":
                        assert rel.get("Target") == WEB_LINK, rel.get("Target")
            if name.startswith("ppt/slides/slide"):
                slide_text += [t.text or "" for t in root.iter("{*}t")]
    if theme is not None:
        assert flat(theme) in flat("".join(slide_text)), theme


def check_pdf(path: Path, theme: str | None) -> None:
    raw = subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(path), "-"],
                         capture_output=True, check=True).stdout
    assert b"/JavaScript" not in raw and b"/Launch" not in raw
    uris = re.findall(rb"/URI\s*\(([^)]*)\)", raw)
    assert all(u == WEB_LINK.encode() for u in uris), uris
    if theme is not None:
        shown = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                               text=True, check=True).stdout
        assert flat(theme) in flat(shown), theme


# The PDF and the deck refuse a character their fonts lack: printable text from the sample's.
SAMPLE_CHARACTERS = st.text(st.sampled_from(sorted(set(SAMPLE) - set("\n"))), max_size=3)


@given(field=st.sampled_from(["theme", "paragraph", "chart unit", "series name"]),
       value=text(SAMPLE_CHARACTERS))
@profile(FULL_EXAMPLES)
def test_any_text_builds_all_three_formats_safely_or_is_refused(field, value, capsys):
    with content_with(put(field, value, SAMPLE)) as (content, out):
        status, err = build(content, out, "pdf,pptx,html", capsys)
        event(f"exit {status}")
        assert status in (0, 2), err
        if status == 2:
            check_refused(err)
            return
        theme = value if field == "theme" else None
        check_pdf(out / "2020-03" / f"{NAME}.pdf", theme)
        check_deck(out / "2020-03" / f"{NAME}.pptx", theme)
        expected = value if field not in BODY else shown_in_body(content, field, value)
        check_html((out / "2020-03" / f"{NAME}.html").read_bytes(), expected)
