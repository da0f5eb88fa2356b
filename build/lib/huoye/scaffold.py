"""`huoye new`: start the next issue from a skeleton that is valid YAML and Markdown.

Its placeholders (【待填：…】) are reported by `huoye check` until the editor replaces
them, so that no skeleton text is ever published.

Number and serial number follow the latest issue in content/ (the number
restarts at 1 in a new year); the date is today unless given.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from huoye.content import ISSUE_FILE, find_content_root
from huoye.errors import ContentError
from huoye.i18n import _
from huoye.load import load_archive

SKELETON = """\
---
# {name} {year}年第{number}期 — fill in the theme and the editor's note (按).
# Key figures and charts are optional: see docs/content.md for their keys.
year: {year}
number: {number}
serial: {serial}
date: {date}
theme: {theme}
note: |
  【待填：编者按】
---

## 【待填：第一部分标题】

【待填：本部分的导语段落】

### 一、【待填：第一个要点】

【待填：要点正文】

## 对策建议 {{.recommendations}}

1.【待填：第一条建议的标题句】。【待填：建议正文】
"""


def new_issue(content: Path, theme: str, date: dt.date) -> Path:
    """Write content/<year>-<number>/issue.md for the issue after the latest one."""
    root = find_content_root(content)
    issues = load_archive(root)
    latest = max(issues, key=lambda i: (i.date, i.serial), default=None)
    if latest is None:
        raise ContentError(_("{path}: no issue to follow; copy content/2020-03 as a model").format(
            path=root))
    number = latest.number + 1 if date.year == latest.year else 1
    folder = root / f"{date.year}-{number:02d}"
    if folder.exists():
        raise ContentError(_("{path}: already exists; edit it, or remove it to start again").format(
            path=folder))
    folder.mkdir()
    path = folder / ISSUE_FILE
    path.write_text(SKELETON.format(name=latest.series.name, year=date.year, number=number,
                                    serial=latest.serial + 1, date=date.isoformat(), theme=theme),
                    encoding="utf-8")
    return path
