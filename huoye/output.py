"""Write step: replace an issue's outputs as one set, all or nothing.

    rendered bytes ──▶ **commit(folder, files)** ──▶ output/<issue>/

A build's new files are first written, flushed and synced into a staging folder
beside the outputs (`.huoye-staging`, in the output folder itself, so every
rename stays on one file system). Only when the whole set is staged is the
journal written (`.huoye-staging/COMMIT`, the names to move); that is the
moment the build commits. Then each staged file is renamed over its output.

* Anything that stops the build before the journal exists (a content error, a
  full disk, a kill) leaves the outputs byte-identical; the next run removes
  the staging folder.
* A build stopped between two renames has a journal: the next run (of any
  build of that folder) completes the renames first, so the set is replaced
  as a whole. Signals are held back during the renames themselves.

Targets must be regular files or absent: a folder, a symbolic link or a device
where an output goes is refused before anything is staged, and huoye never
writes through a link. Locks and build stamps are not kept here (see
`huoye.cache`): the output folder holds only the editions.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
from pathlib import Path

from huoye.errors import HuoyeError
from huoye.i18n import _

STAGING = ".huoye-staging"
JOURNAL = "COMMIT"
_HELD = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet (O_EXCL, no link followed), synced to disk."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def check_targets(folder: Path, names: list[str]) -> None:
    """The issue's output folder must be a folder (or nothing yet) and every output path a
    regular file or nothing: checked before rendering, and again before staging."""
    with contextlib.suppress(FileNotFoundError):
        st = folder.lstat()
        if stat.S_ISLNK(st.st_mode):
            raise HuoyeError(_("{path}: the output folder is a symbolic link; huoye does not "
                               "write through links: remove the link, or build with --out "
                               "pointing at the real folder").format(path=folder))
        if not stat.S_ISDIR(st.st_mode):
            raise HuoyeError(_("{path}: is not a folder, but the issue's outputs go there; "
                               "move that file away").format(path=folder))
    for name in names:
        path = folder / name
        try:
            st = path.lstat()
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(st.st_mode):
            what = _("a symbolic link")
        elif stat.S_ISDIR(st.st_mode):
            what = _("a folder")
        elif not stat.S_ISREG(st.st_mode):
            what = _("not a regular file")
        else:
            continue
        raise HuoyeError(_("{path}: is {what}, where the build writes an output; remove or "
                           "rename it, then build again").format(path=path, what=what))


def recover(folder: Path) -> None:
    """Finish or undo what a stopped build left in `folder`: a committed set (journal
    present) is renamed into place; an uncommitted one is removed. Also removes the
    temporaries of earlier huoye versions (`.name.*.tmp`)."""
    staging = folder / STAGING
    if staging.is_symlink() or (staging.exists() and not staging.is_dir()):
        staging.unlink()
    elif staging.is_dir():
        journal = staging / JOURNAL
        if journal.is_file():
            names = [n for n in journal.read_text(encoding="utf-8").split("\n") if n]
            for name in names:
                if "/" in name or name.startswith("."):
                    continue
                staged = staging / name
                if staged.is_file() and not staged.is_symlink():
                    os.replace(staged, folder / name)
            _fsync_dir(folder)
        shutil.rmtree(staging)
    for tmp in folder.glob(".*.tmp") if folder.is_dir() else ():
        with contextlib.suppress(OSError):
            tmp.unlink()


def commit(folder: Path, files: dict[str, bytes]) -> None:
    """Replace the outputs named in `files` by their new bytes, as one set."""
    check_targets(folder, [])
    folder.mkdir(parents=True, exist_ok=True)
    recover(folder)
    check_targets(folder, list(files))
    staging = folder / STAGING
    staging.mkdir()
    try:
        for name, data in files.items():
            _write_new(staging / name, data)
        _write_new(staging / (JOURNAL + ".new"), "\n".join(files).encode("utf-8"))
        _fsync_dir(staging)
        os.replace(staging / (JOURNAL + ".new"), staging / JOURNAL)  # the commit point
        _fsync_dir(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        recover(folder)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace one file by `data` in one step (a temporary beside it, renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    check_targets(path.parent, [path.name])
    tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"
    try:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        _write_new(tmp, data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)
