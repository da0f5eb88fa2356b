"""A cold single-issue build renders the PDF in a process started before the content is
parsed (huoye.processes.EarlyPdf): same bytes, errors reported, nothing left running."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from huoye.errors import HuoyeError, RenderError
from huoye.processes import EarlyPdf
from huoye.render import RenderOptions
from tests.conftest import CONTENT, CORPUS, ROOT, SAMPLE

OPTIONS = RenderOptions(templates=ROOT / "templates")


def test_the_early_process_renders_the_same_pdf(sample_issue, built_sample):
    with EarlyPdf() as early:
        early.send(sample_issue, OPTIONS)
        data = early.receive()
    assert data == built_sample["pdf"].read_bytes()


def test_a_render_error_in_the_early_process_is_raised_in_the_build(sample_issue, monkeypatch):
    from huoye.render import pdf

    def refuse(issue, options, html=None, tree=None):
        raise RenderError(f"{issue.source}: refused to fetch 'http://example.org/x.png'")

    monkeypatch.setattr(pdf, "render", refuse)  # the forked process inherits the patch
    with EarlyPdf() as early:
        early.send(sample_issue, OPTIONS)
        with pytest.raises(RenderError, match="refused to fetch 'http://example.org/x.png'"):
            early.receive()


def test_an_early_process_that_dies_is_reported_not_waited_for(sample_issue):
    with EarlyPdf() as early:
        early._process.kill()
        early._process.join()
        early.send(sample_issue, OPTIONS)  # does not raise: receive() says what happened
        with pytest.raises(HuoyeError, match="ended unexpectedly .*exit status -9"):
            early.receive()


def test_leaving_stops_an_unused_process():
    with EarlyPdf() as early:
        process = early._process
        assert process.is_alive()
    assert not process.is_alive()


def _cold_build(content: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "build.py", str(content), "--out", str(out), "--jobs", "2"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_a_cold_build_makes_the_same_files(built_sample, tmp_path):
    done = _cold_build(SAMPLE, tmp_path)
    assert done.returncode == 0, done.stderr
    for fmt in ("pdf", "html"):
        assert (tmp_path / "2020-03" / built_sample[fmt].name).read_bytes() == built_sample[fmt].read_bytes()


def test_a_cold_build_of_another_issue_makes_the_same_pdf(built_corpus, tmp_path):
    """The early process lays out the document parsed in the build's process (its pictures
    found from the issue folder as before): the same PDF as the archive build, which parses
    it where it renders it."""
    done = _cold_build(CORPUS / "2021-04", tmp_path)
    assert done.returncode == 0, done.stderr
    made = built_corpus["2021-04"]["pdf"]
    assert (tmp_path / "2021-04" / made.name).read_bytes() == made.read_bytes()


SENT = """
import sys
from pathlib import Path
from huoye.processes import EarlyPdf
from huoye.render import RenderOptions, pdf

def seen(issue, options, html=None, tree=None):  # the early process's render, replaced
    loaded = [m for m in ("markdown_it", "jinja2", "huoye.render.html") if m in sys.modules]
    tokens = [p.tokens for p in issue.paragraphs]
    return (loaded, type(tree).__name__, html.count("<p"), {str(t) for t in tokens})

pdf.render = seen
with EarlyPdf() as early:
    from huoye.load import load_archive
    [issue] = load_archive(Path(sys.argv[1]))
    options = RenderOptions(templates=Path(sys.argv[2]))
    early.send(issue, options, pdf.document_html(issue, options))
    print(early.receive())
"""


def test_the_early_process_gets_the_document_parsed_and_loads_no_markdown_or_templates():
    """What the early process imports and parses delays the PDF: it is sent the parsed
    document, and the issue without the Markdown tokens (it never renders Markdown)."""
    done = subprocess.run([sys.executable, "-c", SENT, str(CONTENT), str(ROOT / "templates")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    loaded, tree, paragraphs, tokens = eval(done.stdout)  # noqa: S307 (our own repr)
    assert loaded == [] and tree == "Element" and paragraphs > 20 and tokens == {"None"}


def test_a_content_error_in_a_cold_build_is_reported_at_once(content_copy, tmp_path):
    issue = content_copy / "2020-03" / "issue.md"
    issue.write_text(issue.read_text(encoding="utf-8").replace("\ntheme: ", "\nthem: ", 1),
                     encoding="utf-8")
    done = _cold_build(content_copy / "2020-03", tmp_path)
    assert done.returncode == 2
    assert "issue.md:" in done.stderr and "them" in done.stderr
    assert not (tmp_path / "2020-03").exists()


ROUTE = """
import sys
from pathlib import Path
from huoye.build import BuildRequest, build
[result] = build(BuildRequest(paths=[Path(sys.argv[1])], out_dir=Path(sys.argv[2]), force=True,
                              jobs=2, warm=sys.argv[3] == "warm"))
assert result.error is None, result.error
print("weasyprint" in sys.modules)
"""


@pytest.mark.parametrize("mode, loaded_here", [("cold", "False"), ("warm", "True")])
def test_a_watching_process_keeps_weasyprint_a_one_off_build_does_not_load_it(mode, loaded_here, tmp_path):
    """One-off build: the PDF renders in the early process. Watch mode (warm): here, so that
    WeasyPrint stays loaded for the next rebuild."""
    done = subprocess.run([sys.executable, "-c", ROUTE, str(SAMPLE), str(tmp_path), mode], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [loaded_here]


def test_a_bug_in_the_early_process_keeps_its_traceback_for_developers(sample_issue, monkeypatch):
    from huoye.render import pdf

    def broken(issue, options, html=None, tree=None):
        return {}["no such key"]

    monkeypatch.setattr(pdf, "render", broken)
    with EarlyPdf() as early:
        early.send(sample_issue, OPTIONS)
        with pytest.raises(KeyError) as raised:
            early.receive()
    [note] = raised.value.__notes__
    assert "raised in the PDF process" in note and "in broken" in note
