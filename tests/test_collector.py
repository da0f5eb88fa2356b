"""The build pauses the cyclic garbage collector while an issue renders
(huoye.processes.collector_paused) and frees the render's cyclic garbage right after."""
from __future__ import annotations

import gc
import weakref

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
