"""Progress: what a build tells the editor as it goes, one line per issue.

On a terminal a multi-issue build also redraws a progress bar under those lines
(on stderr; never in a pipe or a log file, never in worker processes).
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path

from huoye.i18n import _

log = logging.getLogger("huoye.progress")


def report(result, n: int, total: int) -> None:
    """One line for `result` (a `huoye.build.IssueResult`), the `n`th of `total`."""
    prefix = f"[{n}/{total}] " if total > 1 else ""
    _clear_bar()
    if result.error:
        log.error("%s", _("{prefix}{slug}: failed\n{error}").format(
            prefix=prefix, slug=result.slug, error=result.error))
    elif result.built:
        files = ", ".join(shown(p) for p in result.outputs)
        log.info("%s", _("{prefix}{slug}: built {files} in {seconds} s").format(
            prefix=prefix, slug=result.slug, files=files, seconds=f"{result.seconds:.2f}"))
    else:
        log.info("%s", _("{prefix}{slug}: up to date (use --force to rebuild)").format(
            prefix=prefix, slug=result.slug))
    if total > 1 and n < total:
        _draw_bar(n, total)


def _bar_enabled() -> bool:
    return sys.stderr.isatty() and not log.disabled and log.isEnabledFor(logging.INFO)


def _draw_bar(n: int, total: int, width: int = 30) -> None:
    if _bar_enabled():
        done = round(width * n / total)
        sys.stderr.write(f"\r[{'█' * done}{'░' * (width - done)}] "
                         + _("{done}/{total} issues").format(done=n, total=total))
        sys.stderr.flush()


def _clear_bar() -> None:
    if _bar_enabled():
        sys.stderr.write("\r\033[K")


def shown(p: Path) -> str:
    """A path as the editor reads it: relative to the working folder when inside it."""
    try:
        return str(p.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(p)
