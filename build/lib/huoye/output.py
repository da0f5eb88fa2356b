"""Write step: put rendered bytes in place atomically, one build of an issue at a time.

Every output goes to a temporary file in the same folder, is flushed to disk,
and is renamed over the old one: a reader (or a killed build) sees either the
old file or the complete new one, never half of it. A lock file per issue
folder keeps two builds of the same issue from interleaving.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` by `data` in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@contextlib.contextmanager
def issue_lock(folder: Path):
    """Hold an exclusive lock on an output folder while its files are replaced."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".huoye.lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def clean_stale_temporaries(folder: Path) -> None:
    """Remove temporary files left by a build that was killed mid-write."""
    if folder.is_dir():
        for tmp in folder.glob(".*.tmp"):
            with contextlib.suppress(OSError):
                tmp.unlink()
