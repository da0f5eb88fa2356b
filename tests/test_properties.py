"""Properties over generated content (hypothesis).

* Any valid issue builds, every paragraph reaches the PDF's text, and every
  point headline reaches the deck.
* Any mutation of valid content (lines deleted, doubled or swapped; stray
  colons, tabs, quotes, braces inserted) either loads or is refused with a
  user error (HuoyeError, exit 2): never another exception.
"""
from __future__ import annotations

import os
import re
import subprocess
import tempfile
import unicodedata
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from huoye.cli import main
from huoye.errors import HuoyeError
from huoye.load import load_archive

ROOT = Path(__file__).resolve().parent.parent
SERIES = (ROOT / "content" / "series.yaml").read_text(encoding="utf-8")
SAMPLE = (ROOT / "content" / "2020-03" / "issue.md").read_text(encoding="utf-8")
# Characters the sample already prints (so the brand fonts have them), punctuation, Latin.
HAN = sorted({c for c in SAMPLE if "\u4e00" <= c <= "\u9fff"})
LATIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
PUNCT = "，、；：“”（）《》"

# Building is slow: few examples, and no shrinking (a failure prints its whole example).
FAST = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck),
                derandomize=True, phases=[Phase.explicit, Phase.generate])


@contextmanager
def content_folder(series: str, issues: dict[str, str]):
    with tempfile.TemporaryDirectory(prefix="huoye-prop-") as tmp:
        content = Path(tmp) / "content"
        content.mkdir()
        (content / "series.yaml").write_text(series, encoding="utf-8")
        for slug, text in issues.items():
            (content / slug).mkdir()
            (content / slug / "issue.md").write_text(text, encoding="utf-8")
        yield content


# ---------------------------------------------------------------- valid issues

han = st.sampled_from(HAN)
word = st.one_of(st.text(han, min_size=1, max_size=6),
                 st.text(st.sampled_from(LATIN), min_size=2, max_size=8).map(lambda w: f" {w} "))


@st.composite
def clause(draw, max_words=6) -> str:
    words = draw(st.lists(word, min_size=1, max_size=max_words))
    text = re.sub(r"\s+", " ", "".join(words)).strip()
    return draw(han) + text + draw(han)


@st.composite
def sentence(draw) -> str:
    parts = draw(st.lists(clause(), min_size=1, max_size=3))
    glue = draw(st.lists(st.sampled_from(PUNCT[:3]), min_size=len(parts) - 1, max_size=len(parts) - 1))
    out = parts[0]
    for g, p in zip(glue, parts[1:]):
        out += g + p
    return out + "。"


paragraph = st.lists(sentence(), min_size=1, max_size=4).map("".join)


@st.composite
def point(draw, n: int) -> tuple[str, str]:
    """(markdown, headline) of a numbered lead point."""
    headline = draw(clause(max_words=2))
    rest = draw(paragraph)
    return f"{n}.{headline}。{rest}", headline


@st.composite
def issue_text(draw) -> tuple[str, list[str], list[str]]:
    """(issue.md, every paragraph's text, every point headline)."""
    sections = draw(st.integers(1, 7))
    lines, paragraphs, headlines = [], [], []
    figures = []
    for s in range(1, sections + 1):
        recommendations = s == sections
        title = draw(clause(max_words=2))
        lines.append(f"## {title}" + (" {.recommendations}" if recommendations else ""))
        intro = draw(st.lists(paragraph, min_size=0 if recommendations else 1, max_size=2))
        for p in intro:
            lines.append(p)
            paragraphs.append(p)
        # at least one point per section: a section of intro text only breaks the deck (see
        # test_a_section_without_points_builds_a_deck below)
        for n in range(1, draw(st.integers(1, 3)) + 1):
            md, headline = draw(point(n))
            lines.append(md)
            paragraphs.append(md.split(".", 1)[1])
            headlines.append(headline)
        if draw(st.booleans()) and len(figures) < 2:
            value = draw(st.integers(2, 9999))
            fact = f"共有{value}家企业参与。"
            lines.append(fact)
            paragraphs.append(fact)
            figures.append(f"  - value: {value}\n    unit: 家\n    label: 参与企业\n    sentence: {fact}")
    theme = draw(clause(max_words=2))
    note = draw(paragraph)
    front = ["year: 2020", "number: 5", "serial: 330", "date: 2020-06-25", f"theme: {theme}",
             f"note: {note}"]
    if figures:
        front.append("figures:\n" + "\n".join(figures))
    text = "---\n" + "\n".join(front) + "\n---\n\n" + "\n\n".join(lines) + "\n"
    return text, paragraphs, headlines


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def pdf_body_text(pdf: Path, header: list[str]) -> str:
    """The PDF's text in reading order, without the running header and the page numbers."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    furniture = [_flat(h) for h in header]
    pages = []
    for page in text.split("\f"):
        lines = [ln for ln in page.split("\n") if ln.strip()]
        while lines and re.fullmatch(r"\s*—\s*\d+\s*—\s*", lines[-1]):
            lines.pop()
        flat = _flat("".join(lines))
        for part in furniture:  # the running header opens every page after the first
            flat = flat.removeprefix(part)
        pages.append(flat)
    return "".join(pages)


def deck_text(pptx: Path) -> str:
    from pptx import Presentation

    out = []
    for slide in Presentation(str(pptx)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                out.append(shape.text_frame.text)
    return _flat("".join(out))


@FAST
@given(issue_text())
def test_any_valid_issue_builds_with_all_its_text(generated):
    text, paragraphs, headlines = generated
    with content_folder(SERIES, {"2020-05": text}) as content:
        out = content.parent / "out"
        status = main(["build", str(content), "--out", str(out), "--force", "--jobs", "1", "-q",
                       "--format", "pdf,pptx,html"])
        assert status == 0
        [pdf] = out.glob("2020-05/*.pdf")
        theme = re.search(r"^theme: (.*)$", text, re.MULTILINE).group(1)
        body = pdf_body_text(pdf, ["财经活页　2020年第5期（总第330期）", f"本期主题：{theme}"])
        for p in paragraphs:
            flat = _flat(p)
            at = body.find(flat[:6])
            assert flat in body, \
                f"paragraph {flat!r}\nPDF text there: {body[at:at + len(flat) + 40]!r}"
        [pptx] = out.glob("2020-05/*.pptx")
        slides = deck_text(pptx)
        for h in headlines:
            assert _flat(h) in slides, h


# ---------------------------------------------------------------- mutated content

NOISE = st.text(st.sampled_from(list("：:、\t \"'{}[]#&*!|>-%@`，。\n") + HAN[:20] + list("aZ9")),
                min_size=1, max_size=6)


@st.composite
def mutated(draw, text: str) -> str:
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "insert"]))
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            col = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:col] + draw(NOISE) + lines[i][col:]
    return "\n".join(lines)


FRONT_END = SAMPLE.index("\n---\n", 4) + 5
MANY = int(os.environ.get("HUOYE_PROPERTY_EXAMPLES", "120"))


@settings(max_examples=MANY, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(st.one_of(
    st.tuples(mutated(SAMPLE[:FRONT_END]), st.just(SAMPLE[FRONT_END:]), st.just(SERIES)),
    st.tuples(st.just(SAMPLE[:FRONT_END]), mutated(SAMPLE[FRONT_END:]), st.just(SERIES)),
    st.tuples(st.just(SAMPLE[:FRONT_END]), st.just(SAMPLE[FRONT_END:]), mutated(SERIES)),
))
def test_mutated_content_loads_or_is_refused_cleanly(parts):
    front, body, series = parts
    with content_folder(series, {"2020-03": front + body}) as content:
        try:
            load_archive(content)
        except HuoyeError as err:
            assert err.problems and all(str(p) for p in err.problems)


@settings(max_examples=max(10, MANY // 12), deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(mutated(SAMPLE))
def test_mutated_content_builds_or_exits_2(text):
    with content_folder(SERIES, {"2020-03": text}) as content:
        status = main(["build", str(content), "--out", str(content.parent / "out"), "--force",
                       "--jobs", "1", "-q", "--format", "html"])
        assert status in (0, 2)


def test_a_section_without_points_builds_a_deck(tmp_path):
    text = ("---\nyear: 2020\nnumber: 5\nserial: 330\ndate: 2020-06-25\ntheme: 产业\nnote: 按语。\n---\n\n"
            "## 背景\n\n只有导语的部分。\n\n## 对策建议 {.recommendations}\n\n1.加强合作。具体做法。\n")
    with content_folder(SERIES, {"2020-05": text}) as content:
        assert main(["build", str(content), "--out", str(tmp_path / "out"), "--force", "--jobs", "1",
                     "--format", "pptx"]) == 0
