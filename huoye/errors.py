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

from huoye.i18n import N_, _

# The fields of a problem that name a part of the content rather than a key (the loader
# of the body says "heading", "point" …): said in the editor's language. A key name
# (theme, brand.colour, figures[2].value) is shown as it is written.
FIELD_LABELS = {
    "article": N_("article"), "body": N_("body"), "footnote": N_("footnote"),
    "heading": N_("heading"), "image": N_("image"), "link": N_("link"), "point": N_("point"),
    "placeholder": N_("placeholder"), "references": N_("references"), "section": N_("section"),
    "table": N_("table"),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where, which field, what, and how to fix it."""

    path: Path | str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        """`path:line: field: message` in English; the translation may order it otherwise
        (Chinese: `path 第8行，field：message`). Path, line and field stay as they are."""
        if self.line and self.field:
            text = _("{path}:{line}: {field}: {message}")
        elif self.line:
            text = _("{path}:{line}: {message}")
        elif self.field:
            text = _("{path}: {field}: {message}")
        else:
            text = _("{path}: {message}")
        field = _(FIELD_LABELS[self.field]) if self.field in FIELD_LABELS else self.field
        return text.format(path=display_path(self.path), line=self.line, field=field,
                           message=self.message)


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


# What the system says (the C library's words, kept in English), translated for the
# errors a build meets on a disk: huoye never calls setlocale, so strerror is English.
_SYSTEM_SAYS = {
    errno.ENOSPC: N_("No space left on device"),
    errno.EACCES: N_("Permission denied"),
    errno.EPERM: N_("Operation not permitted"),
    errno.EROFS: N_("Read-only file system"),
    errno.ENOENT: N_("No such file or directory"),
    errno.ENOTDIR: N_("Not a directory"),
    errno.EISDIR: N_("Is a directory"),
    errno.EIO: N_("Input/output error"),
    errno.EEXIST: N_("File exists"),
}
_FIXES = {
    errno.ENOSPC: N_("free some disk space and build again"),
    errno.EACCES: N_("choose an output folder you may write to (--out) or fix its permissions"),
    errno.EPERM: N_("choose an output folder you may write to (--out) or fix its permissions"),
    errno.EROFS: N_("the disk is read-only; choose another output folder with --out"),
    errno.ENOENT: N_("check that the folder still exists"),
}


def system_says(err: OSError) -> str:
    """What the system said about `err`, translated when it is a common disk error."""
    said = _SYSTEM_SAYS.get(err.errno or 0)
    return _(said) if said else str(err.strerror or err)


def os_error_message(err: OSError) -> str:
    """'PATH: what the system said; how to fix it' for a failing disk or folder."""
    fix = _(_FIXES.get(err.errno or 0, N_("check the folder and the disk, then build again")))
    if err.filename:
        return _("{path}: {reason}; {fix}").format(path=err.filename, reason=system_says(err), fix=fix)
    return _("{reason}; {fix}").format(reason=system_says(err), fix=fix)
