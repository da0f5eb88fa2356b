"""Plan step: what the editor asked for, and which issues need building.

    paths, options ──▶ content folder and issue folders ──build keys──▶ stale / up to date

Decided from raw bytes only (`huoye.cache`): nothing is parsed, so a rebuild with
nothing changed ends here. Each issue's inputs are hashed once; the keys travel
with the stale issues to the stamp their build writes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from huoye import cache
from huoye.content import find_content_root, issue_folders, series_name
from huoye.errors import HuoyeError
from huoye.i18n import _
from huoye.project import DEFAULT_TEMPLATES
from huoye.render import FORMATS, file_name


@dataclass
class BuildRequest:
    """What the editor asked for: which issues, which formats, where, how."""

    paths: list[Path]
    formats: tuple[str, ...] = FORMATS
    out_dir: Path = Path("output")
    templates: Path = DEFAULT_TEMPLATES
    force: bool = False
    jobs: int = 1
    pdf_variant: str | None = None
    html_first: bool = False  # watch mode: render the HTML edition before the slower formats
    warm: bool = False  # watch mode: this process builds again; keep WeasyPrint loaded in it
    site: bool = True  # then write the series' archive page and feed (huoye.site)

    def options(self) -> dict[str, object]:
        """The options that change the output (part of the build key)."""
        return {"formats": sorted(self.formats), "pdf_variant": self.pdf_variant}


@dataclass
class IssueResult:
    """What became of one issue: built, up to date, or failed (and why)."""

    slug: str
    built: bool
    seconds: float
    outputs: list[Path] = field(default_factory=list)
    error: str | None = None
    peak_rss_mb: float = 0.0
    worker: int = 0
    internal: bool = False  # the error is a bug in huoye, not in the content or the machine


@dataclass
class Plan:
    """The content folder, the issues asked for, and which of them are stale."""

    root: Path
    only: list[Path] | None
    folders: list[Path]
    keys: dict[Path, str]
    stale: list[Path]
    up_to_date: list[IssueResult]
    fronts: dict[str, bytes] = field(default_factory=dict)  # folder name → raw front matter


def plan(request: BuildRequest) -> Plan:
    """Which issues `request` names, and which of them need building."""
    root, only = select(request.paths)
    # root is resolved (select): a folder that is no link needs no resolving
    folders = [f.resolve() if f.is_symlink() else f for f in (only or issue_folders(root))]
    if not folders:
        raise HuoyeError(_("{path}: no issues to build; create one with 'huoye new'").format(path=root))
    name = series_name(root)
    files = cache.read_issue_files(root)  # each issue.md read once per build
    keys = cache.build_keys(folders, root, request.templates, request.options(), files)
    stale, fresh = [], []
    seen: dict[str, str] = {}
    for folder in folders:
        outputs = outputs_of(folder, name, request)
        out_dir = request.out_dir / folder.name
        if request.force or not cache.up_to_date(out_dir, keys[folder], [p.name for p in outputs],
                                                 seen):
            stale.append(folder)
        else:
            fresh.append(IssueResult(folder.name, False, 0.0, outputs))
    return Plan(root, only, folders, keys, stale, fresh,
                {name: f.front for name, f in files.items()})


def select(paths: list[Path]) -> tuple[Path, list[Path] | None]:
    """The content root and the issue folders the paths name (None: all of them)."""
    roots, only = set(), []
    for p in paths or [Path("content")]:
        p = p.resolve()
        if not p.exists():
            raise HuoyeError(_("{path}: no such folder; name content/ or an issue folder like "
                               "content/2020-03").format(path=p))
        p = p.parent if p.is_file() else p
        root = find_content_root(p)
        roots.add(root)
        if p != root:
            only.append(p)
    if len(roots) > 1:
        raise HuoyeError(_("the paths belong to different content folders; build one at a time"))
    return roots.pop(), (only or None)


def outputs_of(folder: Path, series: str, request: BuildRequest) -> list[Path]:
    """Output paths of an issue folder, named as `output_name` names them, unparsed."""
    return [request.out_dir / folder.name / file_name(series, folder.name, fmt)
            for fmt in request.formats]
