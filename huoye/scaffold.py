"""`huoye init` and `huoye new`: start a bulletin project, then each issue.

    huoye init [DIR]   DIR/content/series.yaml (name, publishers, contact, staff, brand,
                       first serial number), DIR/content/, DIR/.gitignore; with
                       --templates a copy of huoye's templates in DIR/templates/ to restyle
    huoye new          content/<year>-<number>/issue.md for the next issue

An issue's number and serial number follow the latest issue in content/ (the number
restarts at 1 in a new year); in a project with no issue yet, the first is number 1
of its year with series.yaml's `first_serial`. The date is today unless given.

The series.yaml `init` writes is validated before it is written. An issue's skeleton is
valid YAML and Markdown; its placeholders (【待填：…】) are reported by `huoye check`
until the editor replaces them, so that no skeleton text is ever published.
"""
from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from huoye.content import ISSUE_FILE, SERIES_FILE, find_content_root
from huoye.errors import ContentError, Problems
from huoye.i18n import N_, _, language
from huoye.load import keys, load_archive
from huoye.model import Brand
from huoye.project import DEFAULT_TEMPLATES

HEAD = N_("# Fill in the theme and the editor's note (按).\n"
          "# Key figures and charts are optional: see docs/content.md for their keys.\n")
NOTE = "【待填：编者按】\n"  # huoye's own text, written as the block the editor extends
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
    data, never pasted into YAML), its keys in the interface's language (年份, 期号 … under
    Chinese), then the body with its placeholders."""
    front = keys.front_matter({"year": year, "number": number, "serial": serial, "date": date,
                               "theme": theme, "note": keys.Block(NOTE)}, language())
    return "---\n" + _(HEAD) + front + BODY


@dataclass
class SeriesSettings:
    """What `huoye init` writes into series.yaml: the bulletin's identity and look."""

    name: str
    publishers: list[str]
    address: str = "（地址）"
    postcode: str = "000000"
    telephone: str = "（电话）"
    staff: list[tuple[str, str]] = field(default_factory=list)  # (role, name)
    colour: str = Brand.colour
    accent: str = Brand.accent
    serif: str = Brand.serif
    sans: str = Brand.sans
    kai: str = Brand.kai
    first_serial: int = 1
    base_url: str | None = None


def series_yaml(s: SeriesSettings) -> str:
    """The text of series.yaml for `s`, commented for the editor who will change it: each
    setting serialised by the YAML library, its keys in the interface's language."""
    lang = language()
    k = keys.keys_in(lang, "series")
    brand, fonts = keys.keys_in(lang, "series.brand"), keys.keys_in(lang, "series.brand.fonts")
    role, name = keys.keys_in(lang, "series.staff")["role"], keys.keys_in(lang, "series.staff")["name"]

    def comment(text: str) -> str:
        return "".join(f"# {line}\n" for line in text.splitlines())

    return (
        comment(_("{name}: what every issue shares. See docs/content.md.").format(
            name=" ".join(s.name.split())))
        + keys.dump({k["name"]: s.name, k["publishers"]: list(s.publishers), k["address"]: s.address,
                     k["postcode"]: s.postcode, k["telephone"]: s.telephone})
        + comment(_("The colophon, in print order."))
        + keys.dump({k["staff"]: [{role: r, name: n} for r, n in s.staff]})
        + comment(_("Colours: the masthead, rules and call-outs. Fonts: body text, headings, "
                    "the editor's note (按)."))
        + keys.dump({k["brand"]: {brand["colour"]: s.colour, brand["accent"]: s.accent,
                                  brand["fonts"]: {fonts["serif"]: s.serif, fonts["sans"]: s.sans,
                                                   fonts["kai"]: s.kai}}})
        + comment(_("Themes of earlier issues that are not in content/, newest first (back page)."))
        + keys.dump({k["past_themes"]: []})
        + comment(_("总第N期 of the first issue 'huoye new' starts."))
        + keys.dump({k["first_serial"]: int(s.first_serial)})
        + (keys.dump({k["base_url"]: s.base_url}) if s.base_url else comment(
            _("Where output/ is published (the feed's links), like:") + "\n"
            + keys.dump({k["base_url"]: "https://example.org/bulletin/"})))
    )


def init_project(folder: Path, settings: SeriesSettings, templates: bool = False) -> list[Path]:
    """Create a bulletin project in `folder` (made if missing); returns what was written.
    The series.yaml written is validated before anything is left on disk."""
    content = folder / "content"
    if (content / SERIES_FILE).exists():
        raise ContentError(_("{path}: a bulletin project is already here; edit its {file}, "
                             "or choose another folder").format(path=content, file=SERIES_FILE))
    text = series_yaml(settings)
    _check_series(text, folder)
    written = []
    content.mkdir(parents=True, exist_ok=True)
    (content / SERIES_FILE).write_text(text, encoding="utf-8")
    written.append(content / SERIES_FILE)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("output/\n.huoye-cache/\n", encoding="utf-8")
        written.append(ignore)
    if templates:
        own = folder / "templates"
        if own.exists():
            raise ContentError(_("{path}: already exists; remove it, or leave out --templates to "
                                 "keep it").format(path=own))
        shutil.copytree(DEFAULT_TEMPLATES, own, ignore=shutil.ignore_patterns("__pycache__"))
        written.append(own)
    return written


def _check_series(text: str, folder: Path) -> None:
    """Validate series.yaml text the way a build will, in a scratch folder."""
    import tempfile

    from huoye.load.archive import load_series

    with tempfile.TemporaryDirectory(prefix=".huoye-init-") as scratch:
        path = Path(scratch) / SERIES_FILE
        path.write_text(text, encoding="utf-8")
        problems = Problems()
        load_series(path, problems)
        if problems:
            raise ContentError([str(p).replace(str(path), SERIES_FILE) for p in problems.items])


def new_issue(content: Path, theme: str, date: dt.date) -> Path:
    """Write content/<year>-<number>/issue.md for the issue after the latest one (or the
    first issue: number 1 of `date`'s year, serial number from series.yaml)."""
    root = find_content_root(content)
    issues = load_archive(root)
    latest = max(issues, key=lambda i: (i.date, i.serial), default=None)
    if latest is None:
        series = _series(root)
        number, serial = 1, series.first_serial
    else:
        number = latest.number + 1 if date.year == latest.year else 1
        serial = latest.serial + 1
    folder = root / f"{date.year}-{number:02d}"
    if folder.exists():
        raise ContentError(_("{folder}: already exists; edit it, or remove it to start "
                             "again").format(folder=folder))
    folder.mkdir()
    path = folder / ISSUE_FILE
    try:
        path.write_text(skeleton(date.year, number, serial, date, theme), encoding="utf-8")
        _check_issue(root, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return path


def _check_issue(root: Path, folder: Path) -> None:
    """The new issue is checked as any issue is; only its placeholders may be reported."""
    try:
        load_archive(root, [folder])
    except ContentError as err:
        others = [p for p in err.problems if p.field != "placeholder"]
        if others:
            raise ContentError(others) from None


def _series(root: Path):
    from huoye.load.archive import load_series

    problems = Problems()
    series = load_series(root / SERIES_FILE, problems)
    problems.raise_if_any()
    return series
