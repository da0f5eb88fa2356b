"""User-facing errors: one base class, each problem with its place and its fix.

Every stage (loading, validation, rendering, writing) raises `HuoyeError`
subclasses; the command line turns them into `path:line: field: message`
lines and exit status 2, never a traceback.
"""
from __future__ import annotations

import errno
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where, which field, what, and how to fix it."""

    path: Path | str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{display_path(self.path)}:{self.line}" if self.line else display_path(self.path)
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


def display_path(path: Path | str) -> str:
    """A path as the editor typed it: relative to the working folder when inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


class HuoyeError(Exception):
    """Base of every error meant for the editor rather than the programmer."""

    exit_status = 2

    def __init__(self, problems: Sequence[Problem | str] | Problem | str):
        if isinstance(problems, (Problem, str)):
            problems = [problems]
        self.problems: list[Problem | str] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ContentError(HuoyeError):
    """The content files are invalid; nothing has been written."""


class RenderError(HuoyeError):
    """An output could not be made (missing font, glyph, fetch outside the issue...)."""


class SetupError(HuoyeError):
    """The machine lacks something huoye needs (a font, a system library)."""


class Problems:
    """Collects problems so that validation reports all of them at once."""

    def __init__(self) -> None:
        self.items: list[Problem | str] = []

    def add(self, path, line, field, message) -> None:
        self.items.append(Problem(path, line, field, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self, cls: type[HuoyeError] = ContentError) -> None:
        if self.items:
            unique = list(dict.fromkeys(self.items))
            unique.sort(key=lambda p: (str(getattr(p, "path", "")), getattr(p, "line", 0) or 0))
            raise cls(unique)


def os_error_message(err: OSError) -> str:
    """' PATH: what the system said; how to fix it' for a failing disk or folder."""
    where = f" {err.filename}:" if err.filename else ""
    fix = {
        errno.ENOSPC: "free some disk space and build again",
        errno.EACCES: "choose an output folder you may write to (--out) or fix its permissions",
        errno.EPERM: "choose an output folder you may write to (--out) or fix its permissions",
        errno.EROFS: "the disk is read-only; choose another output folder with --out",
        errno.ENOENT: "check that the folder still exists",
    }.get(err.errno or 0, "check the folder and the disk, then build again")
    return f"{where} {err.strerror or err}; {fix}"
