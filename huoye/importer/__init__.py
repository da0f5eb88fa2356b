"""`huoye import`: from the author's Word manuscript (.docx) to an issue's issue.md.

Where it stands in the pipeline: before everything else. It writes the content format
(docs/content.md) that `huoye check` and the loader (`huoye.load`) then judge; the
import itself decides nothing the editor must decide (the 按, the theme): those are
left as the 【待填：…】 placeholders `huoye new` writes, which `huoye check` reports at
their lines.

    package.py   opening the .docx safely (zip bombs, external targets, entities,
                 macros refused), footnotes/endnotes read from their parts; .doc, .wps,
                 .odt, .rtf saved as .docx by LibreOffice Writer (headless) first
    revisions.py tracked changes (修订) accepted in the XML read, as Word's 接受所有修订
                 does (or, with --tracked-changes refuse, the file refused)
    mapping.py   the body: headings, numbered points, bold run-in headlines, byline,
                 内容提要/关键词, tables, footnotes and endnotes, pictures (kept as files
                 beside issue.md), quotations → Markdown, with a report of what was not
                 mapped (text boxes and comments with their text, charts, objects)

Reading Word files: python-docx (maintained, MIT, lxml-based). It gives paragraphs with
their styles and runs with their bold, tables with their merged cells, and its
package/part API reaches the parts it does not model (footnotes.xml), so nothing is
parsed by hand beyond the notes. mammoth converts to HTML and drops the styles and
numbering we map from; docx2python flattens runs and loses the paragraph/table order.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from huoye.content import ISSUE_FILE, SERIES_FILE, find_content_root
from huoye.errors import ContentError, display_path
from huoye.i18n import _, language
from huoye.importer import revisions
from huoye.importer.mapping import Mapper, Report
from huoye.importer.package import CONVERTED, convert, inspect, notes
from huoye.load import keys

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NOTE = "【待填：编者按】\n"  # the editor's note (按), written as a block to extend


@dataclass
class Imported:
    path: Path
    report: Report


@dataclass
class Manuscript:
    """What was read: the body in the content format, its pictures (file name, bytes),
    and the report."""

    body: str
    images: list[tuple[str, bytes]]
    report: Report


def read_manuscript(path: Path, changes: str = "accept") -> Manuscript:
    """The body Markdown of a .docx manuscript and the report of its mapping."""
    if path.suffix.lower() in CONVERTED:
        with tempfile.TemporaryDirectory(prefix="huoye-import-") as scratch:
            return _read_docx(convert(path, Path(scratch)), shown=path, changes=changes)
    if path.suffix.lower() != ".docx":
        raise ContentError(_("{path}: not a manuscript huoye reads (.docx, .doc, .wps, .odt, "
                             ".rtf); nothing was written").format(path=path))
    return _read_docx(path, shown=path, changes=changes)


def _read_docx(path: Path, shown: Path, changes: str = "accept") -> Manuscript:
    import docx

    if not path.is_file():
        raise ContentError(_("{path}: no such file; nothing was written").format(path=shown))
    inspect(path, shown)
    try:
        document = docx.Document(str(path))
    except Exception as err:  # python-docx raises many kinds on a broken package
        raise ContentError(_("{path}: Word cannot have written this file ({error}); open and "
                             "save it again in Word").format(path=shown, error=err)) from None
    body = document.element.body
    footnotes, endnotes = notes(document, "footnotes"), notes(document, "endnotes")
    parts = [body, *footnotes.values(), *endnotes.values()]
    report = Report()
    if any(revisions.has_changes(part) for part in parts):
        if changes == "refuse":
            raise ContentError(_("{path}: the manuscript has tracked changes (修订), and "
                                 "--tracked-changes refuse was given; accept or reject them in "
                                 "Word (审阅 → 接受所有修订) and save, or import without "
                                 "--tracked-changes refuse to accept them all; nothing was "
                                 "written").format(path=shown))
        count: Counter[str] = Counter()
        for part in parts:
            count += revisions.accept(part)
        report.notices.append(_(
            "tracked changes (修订) accepted: {insertions} insertions kept, {deletions} "
            "deletions dropped, {moves} moves made, {paragraphs} paragraph marks and {rows} "
            "table rows changed, {formats} formatting changes kept; read the text again, or "
            "import with --tracked-changes refuse to be stopped instead").format(
                insertions=count["insertion"], deletions=count["deletion"], moves=count["move"],
                paragraphs=count["paragraph"], rows=count["row"], formats=count["format"]))
    mapper = Mapper(document, footnotes, endnotes, report)
    body = mapper.run()
    return Manuscript(body, mapper.images, report)


def _next_issue(root: Path, year: int | None, number: int | None) -> tuple[int, int, int]:
    """(year, number, serial) of the issue to write: as `huoye new` counts them."""
    from huoye.errors import Problems
    from huoye.load import load_archive
    from huoye.load.archive import load_series

    issues = load_archive(root)
    latest = max(issues, key=lambda i: (i.date, i.serial), default=None)
    today = dt.date.today()
    if latest is None:
        problems = Problems()
        series = load_series(root / SERIES_FILE, problems)
        problems.raise_if_any()
        serial = series.first_serial
        return year or today.year, number or 1, serial
    y = year or today.year
    n = number or (latest.number + 1 if y == latest.year else 1)
    return y, n, latest.serial + 1


def import_manuscript(manuscript: Path, content: Path, issue: str | None = None,
                      article: bool = False, changes: str = "accept") -> Imported:
    """Write content/<issue>/issue.md from `manuscript` (or, with `article`, append its
    body to that existing issue). Nothing is written when the manuscript is refused.
    `changes`: 'accept' tracked changes (counted in the report) or 'refuse' the file."""
    read = read_manuscript(manuscript, changes)
    body, report = read.body, read.report
    root = find_content_root(content)
    year = number = None
    if issue is not None:
        m = re.fullmatch(r"(\d{4})-(\d{1,2})", issue)
        if not m:
            raise ContentError(_("--issue {issue}: write the issue as YEAR-NUMBER, like "
                                 "2021-05").format(issue=issue))
        year, number = int(m.group(1)), int(m.group(2))
    if article:
        if issue is None:
            raise ContentError(_("--article needs --issue YEAR-NUMBER: the issue to add the "
                                 "article to"))
        path = root / f"{year}-{number:02d}" / ISSUE_FILE
        if not path.exists():
            raise ContentError(_("{path}: no such issue to add an article to; leave out "
                                 "--article to start it").format(path=path))
        if not body.lstrip().startswith("# "):
            raise ContentError(_("{path}: the manuscript has no title line, so it cannot be added "
                                 "as a further article; give it a title (style 标题)").format(
                                     path=manuscript))
        images, body = _free_names(path.parent, read.images, body)
        old = path.read_text(encoding="utf-8")
        written = _write_images(path.parent, images)
        try:
            path.write_text(old.rstrip("\n") + "\n\n" + body, encoding="utf-8")
        except BaseException:
            for f in written:
                f.unlink(missing_ok=True)
            raise
        return Imported(path, report)
    year, number, serial = _next_issue(root, year, number)
    folder = root / f"{year}-{number:02d}"
    if folder.exists():
        raise ContentError(_("{folder}: already exists; import with --article to add the "
                             "manuscript to it, or choose another --issue").format(folder=folder))
    today = dt.date.today()
    front: dict[str, object] = {"year": year, "number": number, "serial": serial}
    said = keys.keys_in(language(), "issue")  # the keys are written in the editor's language
    if today.year == year:
        front["date"] = today
        report.decisions.append(_("{key}: today's date was written; change it to the "
                                  "publication date").format(key=said["date"]))
    else:
        front["date"] = "【待填：出版日期 YYYY-MM-DD】"
        report.decisions.append(_("{key}: the publication date").format(key=said["date"]))
    front["theme"] = "【待填：本期主题】"
    front["note"] = keys.Block(NOTE)
    report.decisions.append(_("{key}: 本期主题").format(key=said["theme"]))
    report.decisions.append(_("{key}: the editor's note (按)").format(key=said["note"]))
    if "{.recommendations}" not in body:
        report.decisions.append(_("no section was recognised as 对策建议: mark one heading with "
                                  "{.recommendations}"))
    text = "---\n" + keys.front_matter(front, language()) + "---\n\n" + body
    folder.mkdir()
    try:
        _write_images(folder, read.images)
        (folder / ISSUE_FILE).write_text(text, encoding="utf-8")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Imported(folder / ISSUE_FILE, report)


def _free_names(folder: Path, images: list[tuple[str, bytes]],
                body: str) -> tuple[list[tuple[str, bytes]], str]:
    """The pictures renamed where a file of that name is already in `folder` (a further
    article), with the body's references renamed too."""
    out, taken = [], {p.name for p in folder.iterdir()}
    renames = {}
    for name, data in images:
        stem, suffix = name.rsplit(".", 1)
        new, k = name, 2
        while new in taken:
            new, k = f"{stem}-{k}.{suffix}", k + 1
        taken.add(new)
        renames[name] = new
        out.append((new, data))
    # placeholders first, so that image-1 → image-2 does not meet image-2 → image-3
    for k, name in enumerate(renames):
        body = body.replace(f"]({name})", f"](\x00{k}\x00)")
    for k, new in enumerate(renames.values()):
        body = body.replace(f"](\x00{k}\x00)", f"]({new})")
    return out, body


def _write_images(folder: Path, images: list[tuple[str, bytes]]) -> list[Path]:
    written = []
    try:
        for name, data in images:
            target = folder / name
            with target.open("xb") as f:   # never over a file already there
                written.append(target)
                f.write(data)
    except BaseException:
        for f in written:
            f.unlink(missing_ok=True)
        raise
    return written


def report_lines(imported: Imported, manuscript: Path) -> list[str]:
    """The terminal report: what was mapped, what was not, what the editor must decide."""
    r = imported.report
    out = [_("{manuscript} → {path}").format(manuscript=manuscript, path=display_path(imported.path))]
    for n, what in r.mapped:
        out.append(_("  ¶{n}: {what}").format(n=n, what=what))
    for n, what in r.warnings:
        out.append(_("  warning: ¶{n}: {what}").format(n=n, what=what))
    for n, what in r.unmapped:
        out.append(_("  not mapped: ¶{n}: {what}").format(n=n, what=what))
    for what, count in sorted(r.normalised.items()):
        out.append(_("  whitespace: {what}: {count}").format(what=what, count=count))
    for what in r.notices:
        out.append(_("  note: {what}").format(what=what))
    for what in r.decisions:
        out.append(_("  to decide: {what}").format(what=what))
    out.append(_("next: fill in what is to decide, then run 'huoye check'"))
    return out
