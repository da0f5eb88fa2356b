"""The orchestrator's paths: an archive built by parallel workers gives the same files as
one process; one issue's failure stops no other; freshness reads each input once."""
from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections import Counter
from pathlib import Path

from huoye import cache
from huoye.build import DEFAULT_TEMPLATES, BuildRequest, build
from huoye.content import issue_folders
from tests.conftest import CONTENT, SAMPLE


def make_archive(root: Path, n: int, broken: int | None = None) -> Path:
    """A content folder of `n` copies of the sample under their own numbers and dates;
    issue number `broken` (if any) has a character no font has."""
    root.mkdir()
    shutil.copy(CONTENT / "series.yaml", root / "series.yaml")
    text = (SAMPLE / "issue.md").read_text(encoding="utf-8")
    for k in range(1, n + 1):
        issue = (text.replace("number: 3", f"number: {k}").replace("serial: 328", f"serial: {300 + k}")
                 .replace("date: 2020-04-25", f"date: 2020-{k:02d}-25"))
        if k == broken:
            issue = issue.replace("产业链的本质是", "产业链的本质𪛖是", 1)
        (root / f"2020-{k:02d}").mkdir()
        (root / f"2020-{k:02d}" / "issue.md").write_text(issue, encoding="utf-8")
    return root


def test_an_archive_built_by_workers_matches_one_process_and_survives_a_bad_issue(tmp_path,
                                                                                 monkeypatch):
    # this machine's fontconfig caches are shared with other processes, which may touch them
    # mid-test (a rebuild would then be right); the stamps watch a folder of the test's own
    (tmp_path / "fontconfig").mkdir()
    monkeypatch.setattr(cache, "FONTCONFIG_CACHES", (str(tmp_path / "fontconfig"),))
    content = make_archive(tmp_path / "content", 3, broken=2)
    formats = ("pdf", "html")
    parallel = build(BuildRequest(paths=[content], out_dir=tmp_path / "jobs2", formats=formats,
                                  jobs=2))
    assert [r.slug for r in parallel] == ["2020-01", "2020-02", "2020-03"]
    good, bad = [r for r in parallel if r.slug != "2020-02"], parallel[1]
    assert all(r.built and r.error is None for r in good), [r.error for r in good]
    assert not bad.built and "U+2A6D6" in bad.error and "2020-02/issue.md:" in bad.error
    assert os.getpid() not in {r.worker for r in parallel}, "not built in worker processes"
    assert not (tmp_path / "jobs2" / "2020-02").exists()

    serial = build(BuildRequest(paths=[content], out_dir=tmp_path / "jobs1", formats=formats,
                                jobs=1))
    assert {r.worker for r in serial} == {os.getpid()}
    for r in good:
        for path in r.outputs:
            same = tmp_path / "jobs1" / path.relative_to(tmp_path / "jobs2")
            assert path.read_bytes() == same.read_bytes(), path.name
    # and the workers' stamps make the next run a no-op for the good issues
    again = build(BuildRequest(paths=[content], out_dir=tmp_path / "jobs2", formats=formats,
                               jobs=2))
    assert [r.built for r in again] == [False, False, False] and again[1].error


_OPENED: list[str] | None = None  # files opened while recording (the audit hook below)


def _record_open(event: str, args: tuple) -> None:
    if _OPENED is not None and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        _OPENED.append(os.fsdecode(args[0]))


sys.addaudithook(_record_open)  # audit hooks cannot be removed: it records only when asked


@contextlib.contextmanager
def recording_opens():
    """Every file opened meanwhile, through any API (Python's "open" audit event: builtins
    open, Path.read_bytes, io.open_code ...)."""
    global _OPENED
    _OPENED = []
    try:
        yield _OPENED
    finally:
        _OPENED = None


def test_a_rebuild_with_nothing_changed_reads_each_issue_once(tmp_path, monkeypatch):
    """Freshness is linear: a no-change rebuild of an archive (plan, then the series' pages)
    opens each issue.md exactly once, and the files it opens grow by the same count for
    each issue added (counted, not timed: 2, 4 and 8 issues; each key used to read every
    other issue's file, and the series' pages read them all a third time)."""
    (tmp_path / "fontconfig").mkdir()  # the machine's fontconfig caches may change meanwhile
    monkeypatch.setattr(cache, "FONTCONFIG_CACHES", (str(tmp_path / "fontconfig"),))
    opened = {}
    for n in (2, 4, 8):
        content = make_archive(tmp_path / f"content-{n}", n)
        request = BuildRequest(paths=[content], out_dir=tmp_path / f"out-{n}", formats=["html"],
                               jobs=1)
        assert all(r.built and not r.error for r in build(request))
        with recording_opens() as seen:
            again = build(request)
        assert [r.built for r in again] == [False] * n
        mine = [p for p in seen if Path(p).is_relative_to(tmp_path)
                or Path(p).is_relative_to(cache.user_cache_folder())]
        issue_reads = Counter(p for p in mine if p.endswith("/issue.md"))
        assert issue_reads == {str(f / "issue.md"): 1 for f in issue_folders(content)}, issue_reads
        opened[n] = len(mine)
    assert opened[2] > 0 and opened[8] - opened[4] == 2 * (opened[4] - opened[2]), opened


def test_an_earlier_issue_s_theme_changes_a_later_key_and_its_body_does_not(tmp_path):
    """2020-03's back page lists the themes of earlier issues: a new theme in 2020-01
    rebuilds it, an edit to 2020-01's body does not."""
    content = make_archive(tmp_path / "content", 3)
    folders = issue_folders(content)
    earlier, later = content / "2020-01" / "issue.md", folders[2]

    def key() -> str:
        return cache.build_keys(folders, content, DEFAULT_TEMPLATES, {})[later]

    first = key()
    text = earlier.read_text(encoding="utf-8")
    earlier.write_text(text.replace("产业链的本质是", "产业链的本质就是", 1), encoding="utf-8")
    assert key() == first
    earlier.write_text(text.replace("theme: 产业链现代化", "theme: 新主题", 1), encoding="utf-8")
    assert "theme: 新主题" in earlier.read_text(encoding="utf-8")
    assert key() != first
