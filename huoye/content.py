"""Where content lives: the layout of a content folder, known without parsing anything.

    content/series.yaml          what all issues share
    content/<issue>/issue.md     one issue (front matter + body), with its images

Used by the loader, the build cache and the orchestrator (whose up-to-date
check must stay cheap: no YAML or Markdown parser is imported here).
"""
from __future__ import annotations

import os
from pathlib import Path

from huoye.errors import ContentError
from huoye.i18n import _

ISSUE_FILE = "issue.md"
SERIES_FILE = "series.yaml"
#: PDF variants a series may ask for (series.yaml pdf_variant, --pdf-variant), besides plain
#: PDF; here, not in huoye.model, so that the command line starts without the model
PDF_VARIANTS = ("pdf/a-3u", "pdf/ua-1")


def inside(path: Path, root: Path) -> bool:
    """Whether `path`, every symbolic link on the way followed, is inside the folder `root`:
    huoye reads nothing else on behalf of content."""
    return path.resolve().is_relative_to(root.resolve())


def find_content_root(start: Path) -> Path:
    """The content folder holding series.yaml for `start` (a content or issue folder)."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / SERIES_FILE).is_file():
            return folder
    raise ContentError(_("{path}: no {file} here or above; run huoye from the project "
                         "folder, or point it at content/ or content/<issue>").format(
        path=start, file=SERIES_FILE))


def issue_folders(root: Path) -> list[Path]:
    """Every issue folder of a content root, in name order."""
    with os.scandir(root) as entries:
        names = sorted(e.name for e in entries
                       if e.is_dir() and os.path.isfile(os.path.join(e.path, ISSUE_FILE)))
    return [root / name for name in names]


def series_name(root: Path) -> str:
    """The bulletin's name from series.yaml's `name:` line, read without a YAML parser.

    "" when the file cannot be read as UTF-8: the up-to-date check then misses, and the
    loader reports (or accepts, with a notice) the file's encoding.
    """
    path = root / SERIES_FILE
    try:
        if not inside(path, root) or path.stat().st_size > 1 << 20:
            return ""  # the loader refuses it, with the reason
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return ""
    for line in text.splitlines():
        if line.startswith("name:"):
            return line[5:].split("#")[0].strip().strip("\"'")
    return ""
