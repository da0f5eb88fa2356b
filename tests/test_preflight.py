"""The preflight (huoye.preflight): `huoye check` and the build refuse the same issues,
before anything is rendered, each problem at its content file:line; once it passes,
rendering does not refuse the issue."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from huoye.build import BuildRequest, build
from huoye.cli import main
from huoye.errors import HuoyeError
from huoye.load import load_archive
from huoye.preflight import preflight
from huoye.render import FORMATS, RenderOptions, renderer
from tests.conftest import ROOT

TEMPLATES = ROOT / "templates"
OPTIONS = RenderOptions(templates=TEMPLATES)
RARE = "𪛖"  # U+2A6D6: in none of the default faces


def edit(content: Path, old: str, new: str, count: int = 1) -> int:
    """Replace `old` in the sample issue; returns the 1-based line where `new` begins."""
    path = content / "2020-03" / "issue.md"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    text = text.replace(old, new, count)
    path.write_text(text, encoding="utf-8")
    return text[:text.index(new)].count("\n") + 1


def check(content: Path, capsys, *extra: str) -> tuple[int, str]:
    status = main(["check", str(content), *extra])
    return status, capsys.readouterr().err


def build_all(content: Path, out: Path, **kw) -> str | None:
    [result] = build(BuildRequest(paths=[content], out_dir=out, force=True, **kw))
    return result.error


# 60 characters: two lines too many for a slide title at 34 pt (the PDF sets it on two lines)
LONG_TITLE = ("当前我国产业链现代化面临的三大挑战及其在国际经贸格局深刻调整背景下的具体表现与成因分析" * 2)[:60]


def test_a_character_no_font_has_is_refused_by_check_and_build_alike(content_copy, capsys, tmp_path):
    line = edit(content_copy, "产业链的本质是", f"产业链的本质{RARE}是")
    status, err = check(content_copy, capsys)
    assert status == 2, err
    assert f"content/2020-03/issue.md:{line}" in err.replace(str(content_copy.parent) + "/", "")
    assert "U+2A6D6" in err and "has no glyph" in err
    error = build_all(content_copy, tmp_path / "out")
    assert error is not None and "U+2A6D6" in error and f"issue.md:{line}" in error
    assert not (tmp_path / "out" / "2020-03").exists(), "something was written"


def test_a_title_too_long_for_its_slide_is_reported_at_its_content_line(content_copy, capsys,
                                                                       tmp_path):
    line = edit(content_copy, "## 当前我国产业链现代化面临三大挑战", f"## {LONG_TITLE}")
    status, err = check(content_copy, capsys)
    assert status == 2, err
    assert f"issue.md:{line}: slide " in err, err
    assert "deck.yaml.j2" not in err, err
    assert "shorten" in err
    # watch mode writes the HTML edition first: not for an issue the deck refuses
    error = build_all(content_copy, tmp_path / "out", html_first=True)
    assert error is not None and f"issue.md:{line}" in error
    assert not (tmp_path / "out" / "2020-03").exists(), "the HTML edition was written"
    # the PDF alone has no slides: the same issue builds
    assert build_all(content_copy, tmp_path / "pdf-only", formats=("html",)) is None


def test_a_pie_that_cannot_be_drawn_is_refused_at_the_chart(content_copy, capsys):
    path = content_copy / "2020-03" / "issue.md"
    text = path.read_text(encoding="utf-8")
    start = text.index("id: us-imports")  # a bar chart with a negative value
    kind_at = text.index("kind: ", start)
    end = text.index("\n", kind_at)
    path.write_text(text[:kind_at] + "kind: pie" + text[end:], encoding="utf-8")
    [issue] = load_archive(content_copy)
    [chart] = [c for c in issue.charts if c.id.startswith("us-imports")]
    assert chart.kind == "pie" and any(v < 0 for s in chart.series for v in s.values) or len(chart.series) != 1, \
        "the sample's first chart became a drawable pie; pick another edit"
    status, err = check(content_copy, capsys)
    assert status == 2, err
    assert f"issue.md:{chart.source.line}: chart '{chart.id}'" in err, err


def test_a_fixed_label_no_face_has_is_read_back_from_the_rendered_document(content_copy, capsys,
                                                                          tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    # in the page's <head> only: not drawn, not refused
    page = templates / "briefing.html.j2"
    text = page.read_text(encoding="utf-8")
    assert '<meta name="description"' in text
    page.write_text(text.replace('<meta name="description"',
                                 f'<meta name="keywords" content="本期{RARE}主题">\n'
                                 '<meta name="description"', 1), encoding="utf-8")
    assert check(content_copy, capsys, "--templates", str(templates))[0] == 0
    # drawn on the cover
    cover = templates / "blocks" / "cover.html.j2"
    text = cover.read_text(encoding="utf-8")
    label = '<span class="theme-label">本期主题：</span>'
    assert label in text
    cover.write_text(text.replace(label, label.replace("本期", f"本期{RARE}")), encoding="utf-8")
    line = cover.read_text(encoding="utf-8")[:cover.read_text(encoding="utf-8").index(RARE)].count("\n") + 1
    status, err = check(content_copy, capsys, "--templates", str(templates))
    assert status == 2, err
    assert f"blocks/cover.html.j2:{line}: fixed label" in err and "U+2A6D6" in err, err


def test_a_fixed_label_of_the_deck_is_checked_in_the_deck_face(content_copy, capsys, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    outline = templates / "deck.yaml.j2"
    text = outline.read_text(encoding="utf-8")
    assert 'title: "编者按"' in text
    outline.write_text(text.replace('title: "编者按"', f'title: "编者按{RARE}"'), encoding="utf-8")
    status, err = check(content_copy, capsys, "--templates", str(templates))
    assert status == 2, err
    assert "deck.yaml.j2" in err and "U+2A6D6" in err, err


def test_check_passes_the_sample(capsys):
    status, err = check(ROOT / "content", capsys)
    assert status == 0, err


# --------------------------------------------------------------------- the corpus

def _variants(content: Path) -> dict[str, dict[str, str]]:
    """Edits of the sample towards the limits a preflight must judge: titles of growing
    length (some fit a slide, some do not), a point headline that fills a slide, a pie."""
    titles = {f"title-{n}": {"## 当前我国产业链现代化面临三大挑战": "## " + LONG_TITLE[:n]}
              for n in (12, 30, 44, 52, 60)}
    return {"sample": {}, **titles,
            "long-headline": {"### 二、协同创新不足": "### 二、" + "产业基础高级化和产业链现代化" * 8 + "协同创新不足"},
            "rare-char": {"产业链的本质是": f"产业链的本质{RARE}是"}}


def test_once_preflight_passes_rendering_does_not_refuse(tmp_path):
    """Over a corpus of issues near the limits, the renderers (called on their own, as
    before the preflight existed) refuse exactly the issues the preflight refuses, and
    the preflight reports every refusal at a content or template file, never elsewhere."""
    passed = refused = 0
    for name, edits in _variants(ROOT / "content").items():
        content = tmp_path / name
        shutil.copytree(ROOT / "content", content)
        path = content / "2020-03" / "issue.md"
        text = path.read_text(encoding="utf-8")
        for old, new in edits.items():
            if old not in text:
                pytest.skip(f"the sample no longer has {old!r}")
            text = text.replace(old, new, 1)
        path.write_text(text, encoding="utf-8")
        [issue] = load_archive(content)
        try:
            preflight(issue, OPTIONS, FORMATS)
        except HuoyeError as err:
            refused += 1
            places = {str(getattr(p, "path", "")) for p in err.problems}
            assert all(p.endswith(("issue.md", "series.yaml", ".j2")) for p in places), \
                (name, places)
            with pytest.raises(HuoyeError):
                for fmt in FORMATS:
                    renderer(fmt).render(issue, OPTIONS)
            continue
        passed += 1
        for fmt in FORMATS:
            data = renderer(fmt).render(issue, OPTIONS)
            assert data, (name, fmt)
    assert passed >= 3 and refused >= 2, (passed, refused)


def test_an_outline_value_that_breaks_the_outline_is_reported_at_its_content_line(
        content_copy, capsys, tmp_path):
    """A template that forgets `tojson` lets a section title with ': ' break the outline's
    YAML; the editor is sent to the title, not to the rendered outline's line."""
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    outline = templates / "deck.yaml.j2"
    text = outline.read_text(encoding="utf-8")
    marked = "- kind: divider\n  number: {{ section.number }}\n  title: {{ section.title | tojson }}"
    assert marked in text
    outline.write_text(text.replace(marked, marked.replace(" | tojson }}", " }}")), encoding="utf-8")
    line = edit(content_copy, "## 当前我国产业链的发展情况", "## 当前我国产业链: 发展情况")
    status, err = check(content_copy, capsys, "--templates", str(templates))
    assert status == 2, err
    assert f"issue.md:{line}: deck: the rendered outline is not valid YAML" in err, err


def test_the_test_corpus_passes_preflight_and_then_renders():
    """The test issues (tests/fixtures/issues): each passes the preflight, and then every
    renderer makes its format."""
    corpus = ROOT / "tests" / "fixtures" / "issues"
    issues = load_archive(corpus)
    assert len(issues) >= 4
    for issue in issues:
        ready = preflight(issue, OPTIONS, FORMATS)
        assert ready.print_html and ready.web_html and ready.deck is not None, issue.slug
        for fmt in FORMATS:
            assert renderer(fmt).render(issue, OPTIONS), (issue.slug, fmt)


def test_a_text_no_slide_handler_fitted_is_refused_at_its_content_line(content_copy, capsys,
                                                                       monkeypatch):
    """A slide handler that puts a text in a box too small for it (the deck's own measure
    raises TextDoesNotFitError) makes the preflight refuse the issue at the content line of
    that text, exit 2: never an internal error, never a slide drawn overflowing."""
    from huoye.render.deck import pptxkit, slides

    drawn: list[str] = []

    def cramped(deck, entry):
        slide = deck.new_slide("points")
        drawn.append(entry["title"])  # a section's title, from the content
        deck.text(slide, pptxkit.Box(deck.left, 120, 60, 12), [entry["title"]], 20, deck.ink)

    monkeypatch.setitem(slides.DRAW, "points", cramped)
    status, err = check(content_copy, capsys)
    assert status == 2, err
    lines = (content_copy / "2020-03" / "issue.md").read_text(encoding="utf-8").splitlines()
    line = lines.index(f"## {drawn[0]}") + 1
    assert f"issue.md:{line}: slide " in err, err
    assert "needs" in err and "shorten it" in err and "internal error" not in err, err


def _largest_issue(content: Path) -> int:
    """The sample's issue.md with its sections before the recommendations repeated up to
    just under the loader's 1 MB limit (as bench/run.py --largest makes it); its size."""
    from huoye.load.text import MAX_TEXT_BYTES

    path = content / "2020-03" / "issue.md"
    text = path.read_text(encoding="utf-8")
    head, body = text.split("\n---\n", 1)
    at = body.rindex("\n## ", 0, body.index("{.recommendations}")) + 1
    sections, recommendations = body[:at], body[at:]
    middle = sections
    while len((head + "\n---\n" + middle + sections + recommendations).encode()) < MAX_TEXT_BYTES - 1024:
        middle += sections
    path.write_text(head + "\n---\n" + middle + recommendations, encoding="utf-8")
    return path.stat().st_size


LARGEST_PREFLIGHT = """
import json, sys
from pathlib import Path
from huoye.errors import HuoyeError
from huoye.load import load_archive
from huoye.preflight import preflight
from huoye.render import FORMATS, RenderOptions
content = Path(sys.argv[1])
[issue] = load_archive(content, [content / "2020-03"])
try:
    ready = preflight(issue, RenderOptions(templates=Path(sys.argv[2])), FORMATS)
except HuoyeError as err:
    print(json.dumps({"refused": str(err)}))
else:
    print(json.dumps({"slides": len(ready.deck.slides), "sections": len(issue.sections),
                      "print_html": len(ready.print_html), "web_html": len(ready.web_html)}))
"""


def test_the_largest_issue_the_limits_allow_passes_the_preflight_or_is_refused(content_copy):
    """An issue.md just under the 1 MB limit goes through the whole preflight (both
    documents made and checked, every slide of the deck laid out and measured) in a
    separate process with a hang guard, and either passes or is refused as content (never
    an internal error). Its time and memory, PDF included, are bench/run.py --largest's."""
    import json
    import subprocess
    import sys

    size = _largest_issue(content_copy)
    assert 1_000_000 < size <= 1 << 20, size
    run = subprocess.run([sys.executable, "-c", LARGEST_PREFLIGHT, str(content_copy), str(TEMPLATES)],
                         capture_output=True, text=True, timeout=900, check=False,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0, run.stderr[-3000:]
    outcome = json.loads(run.stdout.strip().splitlines()[-1])
    if "refused" in outcome:  # a refusal names the issue's file and line
        assert "issue.md:" in outcome["refused"], outcome
        return
    # the deck holds every section: a divider and at least one points slide each
    assert outcome["sections"] > 50 and outcome["slides"] > 2 * outcome["sections"], outcome
    chars = len((content_copy / "2020-03" / "issue.md").read_text(encoding="utf-8"))
    assert outcome["print_html"] > chars and outcome["web_html"] > chars, (chars, outcome)
