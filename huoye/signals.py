"""Process tree: a build stopped by a signal ends all its helper processes, cleanly.

    cli ──install()──▶ build (helpers: the early PDF process, forked renderers, workers)

SIGINT, SIGTERM or SIGHUP to huoye's main process (not only to its process group)
kills every helper process at once, then raises `Stopped` in the main process:
whatever was being staged is removed on the way out (`huoye.output.commit`), the
command line prints one line, and the process exits 128 + the signal's number
(130, 143, 129). A helper process that gets the signal itself (Ctrl-C reaches the
whole group) leaves silently. Helpers also die with the main process, even when it
is killed outright (Linux's parent-death signal), so no helper outlives the build
holding the caller's pipes open.
"""
from __future__ import annotations

import contextlib
import os
import signal
import sys

HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_PR_SET_PDEATHSIG = 1
_main_pid: int | None = None
_stopping: int | None = None  # the signal that is stopping this build, once one came


class Stopped(BaseException):  # noqa: N818 (not an error: the user asked huoye to stop)
    """The build was stopped by a signal; `exit_status` is 128 + its number."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.exit_status = 128 + signum


def end_helpers() -> None:
    """Kill every helper process of this one now, and reap them."""
    multiprocessing = sys.modules.get("multiprocessing")  # (none without it: not imported here,
    children = multiprocessing.active_children() if multiprocessing else []  # ~14 ms a command)
    for child in children:
        child.kill()
    for child in children:
        child.join(timeout=5)


def _handler(signum, frame) -> None:
    global _stopping
    if os.getpid() != _main_pid:  # a helper, forked with this handler: leave quietly
        os._exit(128 + signum)
    _stopping = signum
    end_helpers()
    raise Stopped(signum)


def raise_if_stopping() -> None:
    """Raise `Stopped` if a signal is stopping the build. A helper found dead is then
    the handler's doing, not a crash, even where the handler's own `Stopped` was lost
    (raised inside a finalizer, which Python only reports and ignores)."""
    if _stopping is not None:
        raise Stopped(_stopping)


_prctl = None  # libc's prctl, found before the first fork (ctypes is not loaded before)


def _before_fork() -> None:
    global _prctl
    if _prctl is None:
        import ctypes

        try:
            _prctl = ctypes.CDLL(None, use_errno=True).prctl
        except (OSError, AttributeError):  # not Linux: the handler above still ends helpers
            _prctl = False


def _in_helper() -> None:
    """In each forked helper: die with the main process."""
    if _prctl:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


@contextlib.contextmanager
def installed(signals=HANDLED, interrupt: bool = False):
    """Within: this process is the main process of a build (the command line's `main`);
    the earlier handlers come back on leaving (tests call `main` in process).

    `interrupt`: Ctrl-C (SIGINT, not in `signals`) raises KeyboardInterrupt, the way
    watch mode and the preview server end, also when the process that started huoye left
    SIGINT ignored (an ignored signal is inherited; Python then never raises it)."""
    global _main_pid, _stopping
    _stopping = None
    if _main_pid is None:
        os.register_at_fork(before=_before_fork, after_in_child=_in_helper)
    _main_pid = os.getpid()
    earlier = {signum: signal.signal(signum, _handler) for signum in signals}
    if interrupt and signal.SIGINT not in earlier:
        earlier[signal.SIGINT] = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        for signum, handler in earlier.items():
            signal.signal(signum, handler)
