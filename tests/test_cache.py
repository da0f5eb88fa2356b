"""Build cache: an unchanged issue is skipped; an edit to any input rebuilds it."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

import huoye
from huoye import cache, fonts
from huoye.build import DEFAULT_TEMPLATES, BuildRequest, build


@pytest.fixture
def site(content_copy, tmp_path):
    """A content copy, a templates copy, an output folder, and a build function (HTML only: fast)."""
    templates = tmp_path / "templates"
    shutil.copytree(DEFAULT_TEMPLATES, templates)
    out = tmp_path / "out"

    def run(**kw) -> bool:
        request = BuildRequest(paths=[content_copy], out_dir=out, templates=templates,
                               formats=kw.pop("formats", ("html",)), **kw)
        [result] = build(request)
        assert result.error is None, result.error
        return result.built

    assert run() is True
    return content_copy, templates, out, run


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_unchanged_issue_is_skipped_and_force_rebuilds(site):
    _, _, out, run = site
    html = next((out / "2020-03").glob("*.html"))
    before = html.stat().st_mtime_ns
    assert run() is False
    assert html.stat().st_mtime_ns == before
    assert run(force=True) is True


def test_editing_the_issue_rebuilds(site):
    content, _, _, run = site
    edit(content / "2020-03/issue.md", "产业链的本质是", "产业链的实质是")
    assert run() is True and run() is False


def test_adding_a_file_to_the_issue_folder_rebuilds(site):
    content, _, _, run = site
    (content / "2020-03/figure.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert run() is True


def test_editing_series_yaml_rebuilds(site):
    content, _, _, run = site
    edit(content / "series.yaml", "孟宪民", "孟宪明")
    assert run() is True


def test_another_issue_changing_the_back_page_rebuilds_only_when_its_front_matter_changes(site):
    content, templates, out, _ = site
    other = content / "2019-12"
    other.mkdir()
    text = (content / "2020-03/issue.md").read_text(encoding="utf-8")
    (other / "issue.md").write_text(
        text.replace("year: 2020", "year: 2019").replace("number: 3", "number: 12")
        .replace("serial: 328", "serial: 325").replace("date: 2020-04-25", "date: 2019-12-25")
        .replace("theme: 产业链现代化", "theme: 财政政策"), encoding="utf-8")

    def built() -> dict[str, bool]:
        request = BuildRequest(paths=[content], out_dir=out, templates=templates, formats=("html",))
        return {r.slug: r.built for r in build(request)}

    assert built() == {"2019-12": True, "2020-03": True}
    assert "财政政策" in next((out / "2020-03").glob("*.html")).read_text(encoding="utf-8")
    edit(other / "issue.md", "产业链的本质是", "产业链的实质是")  # its body: not on our back page
    assert built() == {"2019-12": True, "2020-03": False}
    edit(other / "issue.md", "theme: 财政政策", "theme: 财税政策")  # its theme: on our back page
    assert built() == {"2019-12": True, "2020-03": True}


def test_editing_a_template_rebuilds(site):
    _, templates, _, run = site
    with open(templates / "screen.css", "a", encoding="utf-8") as f:
        f.write("\n/* a new rule */\n")
    assert run() is True


def test_a_new_huoye_version_rebuilds(site, monkeypatch):
    _, _, _, run = site
    monkeypatch.setattr(huoye, "__version__", "99.0")
    cache._engine_digest.cache_clear()
    try:
        assert run() is True
    finally:
        cache._engine_digest.cache_clear()


def test_changing_an_option_rebuilds(site):
    _, _, _, run = site
    assert run(formats=("html",), pdf_variant="pdf/a-3u") is True


def test_a_changed_font_file_rebuilds(site, monkeypatch, tmp_path):
    content, _, out, run = site
    font = tmp_path / "font.ttf"
    font.write_bytes(b"font v1")
    monkeypatch.setattr(fonts, "font_files", lambda brand: [font])
    assert run(force=True) is True and run() is False
    font.write_bytes(b"font v2, a different size")
    assert run() is True


def test_newly_installed_fonts_rebuild(site, monkeypatch, tmp_path):
    _, _, _, run = site
    fc_cache = tmp_path / "fontconfig-cache"
    fc_cache.mkdir()
    monkeypatch.setattr(cache, "FONTCONFIG_CACHES", (str(fc_cache),))
    assert run(force=True) is True and run() is False
    later = time.time() + 5
    os.utime(fc_cache, (later, later))
    assert run() is True


def test_a_deleted_output_rebuilds(site):
    _, _, out, run = site
    next((out / "2020-03").glob("*.html")).unlink()
    assert run() is True


def test_an_issue_file_read_by_the_last_build_is_not_read_again_until_it_changes(site, monkeypatch):
    """Issue #11 (nothing changed, 330 issues: 9 MB read for the same hashes): an issue.md
    whose size, times and inode are what the last build recorded is not read; an edit of
    the same size with its modification time put back (its change time cannot be) is read,
    and rebuilds. Entries are trusted at once here (RACY_NS 0; see the next test)."""
    from tests.test_build import recording_opens

    content, _templates, _out, run = site
    monkeypatch.setattr(cache._IssueIndex, "RACY_NS", 0)
    issue = content / "2020-03" / "issue.md"
    before = issue.stat()
    time.sleep(0.01)
    assert run() is False  # (the fixture's build recorded the file)
    with recording_opens() as seen:
        assert run() is False
    assert str(issue) not in seen
    edit(issue, "产业链的本质是", "产业链的本质乃")  # the same number of bytes
    os.utime(issue, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (issue.stat().st_size, issue.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    with recording_opens() as seen:
        assert run() is True
    assert str(issue) in seen


def test_a_file_modified_as_its_entry_was_written_is_read_again(tmp_path, monkeypatch):
    """As git's index: an entry is trusted only for a file whose modification and change
    times are well before the entry was written. Simulated: the entry's signature keeps
    the size and modification time only, as on a file system whose times cannot tell an
    edit (the same size, its modification time put back); the edit is still seen."""
    monkeypatch.setattr(cache._IssueIndex, "_signature",
                        staticmethod(lambda st: [st.st_size, st.st_mtime_ns]))
    root = tmp_path / "content"
    (root / "2020-01").mkdir(parents=True)
    issue = root / "2020-01" / "issue.md"
    issue.write_text("---\nyear: 2020\n---\n正文\n", encoding="utf-8")
    old = issue.stat()
    first = cache.read_issue_files(root.resolve())
    issue.write_text("---\nyear: 2020\n---\n改文\n", encoding="utf-8")  # the same size
    os.utime(issue, ns=(old.st_atime_ns, old.st_mtime_ns))  # and modification time
    again = cache.read_issue_files(root.resolve())
    assert again["2020-01"].hashed != first["2020-01"].hashed


def test_the_index_keeps_any_bytes_of_a_front_matter(tmp_path, monkeypatch):
    """A front matter that is not UTF-8 (the loader refuses it later, at its line) comes
    back from the index byte for byte, and does not stop the build that writes it."""
    monkeypatch.setattr(cache._IssueIndex, "RACY_NS", 0)
    root = tmp_path / "content"
    (root / "2020-01").mkdir(parents=True)
    (root / "2020-01" / "issue.md").write_bytes(b"---\nyear: 20\xb1\xff20\n---\n\xe6\xad\xa3\n")
    time.sleep(0.01)
    first = cache.read_issue_files(root.resolve())
    again = cache.read_issue_files(root.resolve())
    assert again == first and first["2020-01"].front == b"---\nyear: 20\xb1\xff20\n---"
