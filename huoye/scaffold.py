"""`huoye new`: start the next issue from a skeleton that is valid YAML and Markdown.

Its placeholders (【待填：…】) are reported by `huoye check` until the editor replaces
them, so that no skeleton text is ever published.

Number and serial number follow the latest issue in content/ (the number
restarts at 1 in a new year); the date is today unless given.
"""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import yaml

from huoye.content import ISSUE_FILE, find_content_root
from huoye.errors import ContentError
from huoye.load import load_archive

HEAD = """\
---
# Fill in the theme and the editor's note (按).
# Key figures and charts are optional: see docs/content.md for their keys.
"""
BODY = """\
---

## 【待填：第一部分标题】

【待填：本部分的导语段落】

### 一、【待填：第一个要点】

【待填：要点正文】

## 对策建议 {.recommendations}

1.【待填：第一条建议的标题句】。【待填：建议正文】
"""


def skeleton(year: int, number: int, serial: int, date: dt.date, theme: str) -> str:
    """The new issue.md: its front matter serialised by the YAML library (an argument is
    data, never pasted into YAML), then a body that validates."""
    front = yaml.safe_dump({"year": year, "number": number, "serial": serial, "date": date,
                            "theme": theme, "note": "【待填：编者按】"},
                           allow_unicode=True, sort_keys=False, width=1_000_000)
    return HEAD + front + BODY


def new_issue(content: Path, theme: str, date: dt.date) -> Path:
    """Write content/<year>-<number>/issue.md for the issue after the latest one."""
    root = find_content_root(content)
    issues = load_archive(root)
    latest = max(issues, key=lambda i: (i.date, i.serial), default=None)
    if latest is None:
        raise ContentError(f"{root}: no issue to follow; copy content/2020-03 as a model")
    number = latest.number + 1 if date.year == latest.year else 1
    folder = root / f"{date.year}-{number:02d}"
    if folder.exists():
        raise ContentError(f"{folder}: already exists; edit it, or remove it to start again")
    folder.mkdir()
    path = folder / ISSUE_FILE
    try:
        path.write_text(skeleton(date.year, number, latest.serial + 1, date, theme), encoding="utf-8")
        _check(root, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return path


def _check(root: Path, folder: Path) -> None:
    """The new issue is checked as any issue is; only its placeholders may be reported."""
    try:
        load_archive(root, [folder])
    except ContentError as err:
        others = [p for p in err.problems if p.field != "placeholder"]
        if others:
            raise ContentError(others) from None
