"""Write step, after the issues: the series as a static web site.

    output/index.html   every issue newest first (serial number, date, theme, links to
                        its HTML edition, PDF and deck) and the list of themes;
                        templates/index.html.j2, styles inlined: one self-contained page
    output/feed.xml     an Atom feed, one entry per issue, ids as tag: URIs; links are
                        absolute when series.yaml gives `base_url`, relative otherwise

Links are relative, so output/ works from file:// and from any static host. The
pages are made from each issue's front matter (year, number, serial, date, theme,
note) and the outputs present in output/, not from the parsed body: after a build
of one issue the whole archive is listed again without parsing the others. Nothing
is rewritten when nothing they show has changed (a key in huoye's cache folder).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit
from xml.etree import ElementTree as ET

import huoye
from huoye.cache import front_matter
from huoye.content import ISSUE_FILE, SERIES_FILE, issue_folders
from huoye.errors import ContentError, Problems
from huoye.i18n import _
from huoye.output import write_atomic
from huoye.project import DEFAULT_TEMPLATES
from huoye.render import FORMATS, file_name

log = logging.getLogger("huoye.site")
INDEX, FEED = "index.html", "feed.xml"


def _stamp(out_dir: Path) -> Path:
    """The archive page's key, kept in huoye's cache folder (the output folder holds only
    what is published)."""
    from huoye.cache import build_state

    return build_state(out_dir) / "site.json"
INDEX_TEMPLATE = "index.html.j2"
ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPES = {"html": "text/html", "pdf": "application/pdf",
               "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
_FRONT_MATTER = re.compile(rb"\A(?:\xef\xbb\xbf)?---[ \t]*\r?\n(.*?)\r?\n---", re.S)


@dataclass
class Entry:
    """One issue as the archive shows it: masthead facts and its outputs (relative links)."""

    slug: str
    year: int
    number: int
    serial: int
    date: dt.date
    theme: str
    note: str
    links: dict[str, str] = field(default_factory=dict)  # format -> link relative to output/

    @property
    def issue_line(self) -> str:
        return f"{self.year}年第{self.number}期（总第{self.serial}期）"

    @property
    def main_link(self) -> str:
        return next(self.links[f] for f in ("html", "pdf", "pptx") if f in self.links)


def _front_matter(folder: Path) -> dict | None:
    """The issue's front matter as data, or None when it cannot be read (reported by check)."""
    import yaml

    m = _FRONT_MATTER.match((folder / ISSUE_FILE).read_bytes())
    if not m:
        return None
    try:
        data = yaml.safe_load(m.group(1).decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return None
    keys = ("year", "number", "serial", "date", "theme")
    if not isinstance(data, dict):
        return None
    from huoye.load.keys import ENGLISH

    data = {ENGLISH["issue"].get(str(k), str(k)): v for k, v in data.items()}  # 年份 is year
    if not all(k in data for k in keys):
        return None
    if not isinstance(data["date"], dt.date):
        return None
    return data


def entries(root: Path, out_dir: Path, series_name: str, present=None) -> list[Entry]:
    """The issues of `root` that have an output in `out_dir`, newest first. `present(slug,
    fmt)` says whether an output exists (default: its file is in out_dir)."""
    if present is None:
        def present(slug: str, fmt: str) -> bool:
            return (out_dir / slug / file_name(series_name, slug, fmt)).is_file()
    from huoye.load.archive import join_lines

    found = []
    for folder in issue_folders(root):
        links = {fmt: f"{quote(folder.name)}/{quote(file_name(series_name, folder.name, fmt))}"
                 for fmt in ("html", "pdf", "pptx") if present(folder.name, fmt)}
        if not links:
            continue
        data = _front_matter(folder)
        if data is None:
            log.warning(_("{path}: not listed in the archive: its front matter cannot be read; "
                          "run 'huoye check'").format(path=folder / ISSUE_FILE))
            continue
        found.append(Entry(folder.name, int(data["year"]), int(data["number"]), int(data["serial"]),
                           data["date"], str(data["theme"]), join_lines(str(data.get("note") or "")),
                           links))
    found.sort(key=lambda e: (e.date, e.serial), reverse=True)
    return found


def load_series(root: Path):
    from huoye.load.archive import load_series as load

    problems = Problems()
    series = load(root / SERIES_FILE, problems)
    problems.raise_if_any(ContentError)
    return series


def index_templates(templates: Path) -> Path:
    """A project's templates may predate the archive page: then huoye's own is used."""
    return templates if (templates / INDEX_TEMPLATE).is_file() else DEFAULT_TEMPLATES


def index_html(series, items: list[Entry], templates: Path, feed: bool = True) -> str:
    """The archive page: issues newest first, then every theme."""
    from huoye.render.html import brand_css
    from huoye.render.templating import render_template

    themes = list(dict.fromkeys(e.theme for e in items))
    earlier = [t for t in dict.fromkeys(series.past_themes) if t not in themes]
    by_theme = {}
    for e in items:
        by_theme.setdefault(e.theme, e)
    return render_template(index_templates(templates), INDEX_TEMPLATE, series=series,
                           issues=items, themes=[(t, by_theme[t]) for t in themes],
                           earlier_themes=earlier, brand_css=brand_css(series),
                           feed=FEED if feed else None, generator=f"huoye {huoye.__version__}")


def tag_uri(series, when: dt.date, specific: str) -> str:
    """A tag: URI (RFC 4151): the site's host (series.yaml base_url), a date, a name.
    Without a base URL the host is 'huoye.invalid' (a reserved name, never anyone's)."""
    host = urlsplit(series.base_url).hostname if series.base_url else "huoye.invalid"
    return f"tag:{host},{when.isoformat()}:{quote(specific, safe='/')}"


def feed_xml(series, items: list[Entry]) -> bytes:
    """The Atom feed of the series: one entry per issue, newest first."""
    def link(rel: str) -> str:
        return urljoin(series.base_url, rel) if series.base_url else rel

    def stamp(day: dt.date) -> str:
        return f"{day.isoformat()}T00:00:00Z"

    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")

    def sub(parent, tag: str, text: str | None = None, **attrs) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    oldest = min((e.date for e in items), default=dt.date(2000, 1, 1))
    sub(feed, "id", tag_uri(series, oldest, series.name))
    sub(feed, "title", series.name)
    sub(feed, "updated", stamp(max((e.date for e in items), default=oldest)))
    sub(feed, "link", rel="self", type="application/atom+xml", href=link(FEED))
    sub(feed, "link", rel="alternate", type="text/html", href=link(INDEX))
    for publisher in series.publishers:
        sub(sub(feed, "author"), "name", publisher)
    sub(feed, "generator", "huoye", version=huoye.__version__)
    for e in items:
        entry = sub(feed, "entry")
        sub(entry, "id", tag_uri(series, e.date, f"{series.name}/{e.slug}"))
        sub(entry, "title", f"{series.name} {e.issue_line}：{e.theme}")
        sub(entry, "published", stamp(e.date))
        sub(entry, "updated", stamp(e.date))
        for fmt, rel in e.links.items():
            kind = "alternate" if fmt == "html" else "enclosure" if fmt == "pdf" else "related"
            sub(entry, "link", rel=kind, type=MEDIA_TYPES[fmt], href=link(rel))
        sub(entry, "summary", e.note or e.theme)
    ET.indent(feed)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8",
                                                                       xml_declaration=False) + b"\n"


def _key(root: Path, out_dir: Path, name: str, templates: Path,
         fronts: dict[str, bytes] | None = None) -> str:
    """What the site pages show, from raw bytes: nothing is parsed to see it is unchanged.
    `fronts`: each issue folder's raw front matter, if the build has read it already."""
    h = hashlib.sha256(huoye.__version__.encode())
    h.update((root / SERIES_FILE).read_bytes())
    page = index_templates(templates) / INDEX_TEMPLATE
    h.update(page.read_bytes() if page.is_file() else b"")
    h.update(Path(__file__).read_bytes())
    for folder in issue_folders(root):
        if fronts is not None and folder.name in fronts:
            front = fronts[folder.name]
        else:
            front = front_matter((folder / ISSUE_FILE).read_bytes())
        present = [fmt for fmt in FORMATS
                   if os.path.isfile(os.path.join(out_dir, folder.name, file_name(name, folder.name, fmt)))]
        h.update(folder.name.encode() + b"\0" + front + b"\0"
                 + ",".join(present).encode() + b"\0")
    return h.hexdigest()


def publish(root: Path, out_dir: Path, templates: Path, series_name: str,
            fronts: dict[str, bytes] | None = None) -> list[Path]:
    """Write output/index.html and output/feed.xml for what output/ holds now; returns
    the files written (none when they are up to date). `fronts`: the issues' raw front
    matter, as the build's plan read it (else read here)."""
    key = _key(root, out_dir, series_name, templates, fronts)
    try:
        if json.loads(_stamp(out_dir).read_text()).get("key") == key and \
                (out_dir / INDEX).is_file() and (out_dir / FEED).is_file():
            return []
    except (OSError, ValueError):
        pass
    series = load_series(root)
    items = entries(root, out_dir, series.name)
    write_atomic(out_dir / INDEX, index_html(series, items, templates).encode("utf-8"))
    write_atomic(out_dir / FEED, feed_xml(series, items))
    write_atomic(_stamp(out_dir), json.dumps({"key": key}).encode())
    return [out_dir / INDEX, out_dir / FEED]
