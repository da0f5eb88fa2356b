"""The build pauses the cyclic garbage collector while an issue renders
(huoye.processes.collector_paused) and frees the render's cyclic garbage right after."""
from __future__ import annotations

import gc
import os
import weakref
from pathlib import Path

from huoye.processes import collector_paused


class Node:
    pass


def test_paused_during_the_render_and_its_cycles_freed_after():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle: only the cyclic collector frees it
        alive = weakref.ref(a)
        del a, b
        assert alive() is not None  # nothing collects it while paused
    assert gc.isenabled()
    assert alive() is None


def test_a_collector_switched_off_by_the_caller_stays_off():
    gc.disable()
    try:
        with collector_paused():
            a = Node()
            a.me = a
            alive = weakref.ref(a)
            del a
        assert not gc.isenabled()
        assert alive() is not None
    finally:
        gc.enable()
        gc.collect()


def test_an_error_in_the_render_still_resumes_the_collector():
    try:
        with collector_paused():
            raise ValueError("a render failed")
    except ValueError:
        pass
    assert gc.isenabled()


# ------------------------------------------------------------- an archive worker


def _worker_probe(k: int, issue, key: str, request, build: bool) -> tuple[int, int, int, str | None]:
    """In the worker: what the issues built before this call left alive there (objects of
    python-pptx's classes; every object the collector tracks, frozen ones included), then
    this call's issue built as a worker builds it."""
    from huoye.build import _build_guarded

    tracked = gc.get_objects()
    decks = sum(1 for o in tracked if str(getattr(type(o), "__module__", "")).startswith("pptx."))
    total = len(tracked) + gc.get_freeze_count()
    del tracked
    error = _build_guarded(issue, key, request).error if build else None
    return k, decks, total, error


def test_an_archive_worker_keeps_nothing_of_the_issues_it_built(tmp_path):
    """Issue #11: a worker building issue after issue kept each issue's deck (cycles the
    preflight made, in the collector's oldest generation). The worker, as `parallel` runs
    it, is asked after each issue what is still alive there: no python-pptx object, and
    as many tracked objects after 8 issues as after 4 (the test issues twice over)."""
    from huoye.build import BuildRequest
    from huoye.load import load_archive
    from huoye.plan import plan
    from huoye.processes import parallel

    root = Path(__file__).parent / "fixtures" / "issues"
    request = BuildRequest(paths=[root], out_dir=tmp_path, force=True, jobs=1, site=False)
    todo = plan(request)
    issues = list(load_archive(todo.root, todo.only))
    assert len(issues) >= 4
    calls = [(k, issues[k % 4], todo.keys[issues[k % 4].folder.resolve()], request, k < 8)
             for k in range(9)]
    seen = sorted(parallel(_worker_probe, calls, 1))
    assert [error for *_, error in seen] == [None] * 9
    decks = {k: n for k, n, _, _ in seen}
    total = {k: n for k, _, n, _ in seen}
    assert all(decks[k] == 0 for k in range(1, 9)), decks  # k issues built before call k
    assert total[8] - total[4] <= 100, total


LOADED: list[str] = []  # what the test's "loading" adds in the process that runs parallel


def _load_calls() -> list[tuple]:
    LOADED.append("an archive's parsed issues")
    return [(k,) for k in range(4)]


def _worker_sees(k: int) -> tuple[int, int, list[str]]:
    return k, os.getpid(), list(LOADED)


def test_archive_workers_start_before_the_archive_is_loaded():
    """Issue #11: workers forked after the whole archive was parsed each held a copy of it
    (330 issues: +56 MB per worker before its first issue). Given a function that makes
    the calls, `parallel` starts the workers first: none of them has what it loaded, each
    is sent its own calls, and every call is made once."""
    from huoye.processes import parallel

    LOADED.clear()
    seen = sorted(parallel(_worker_sees, _load_calls, 2, 4))
    assert LOADED == ["an archive's parsed issues"]  # loaded here, once
    assert [k for k, _, _ in seen] == [0, 1, 2, 3]
    assert all(loaded == [] for _, _, loaded in seen), seen
    assert os.getpid() not in {pid for _, pid, _ in seen}
