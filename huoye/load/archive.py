"""Load step: the content folder → validated `Issue` models.

Reads `content/series.yaml` and `content/<issue>/issue.md` (YAML front matter
and Markdown body), checks everything against the schemas, anchors key
figures and charts to the paragraphs they quote, and derives the recent
themes for each issue's back page. All problems are reported at once.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

from huoye.content import ISSUE_FILE, SERIES_FILE, find_content_root, issue_folders
from huoye.errors import ContentError, Problems
from huoye.i18n import N_, _
from huoye.load.body import PLACEHOLDER, parse_body
from huoye.load.keys import said
from huoye.load.schema import Field, Schema, check, fits, items
from huoye.load.text import read_text
from huoye.load.yamlsource import LMap, line_of, parse_yaml
from huoye.model import (
    PDF_VARIANTS,
    Brand,
    Chart,
    ChartSeries,
    Image,
    Issue,
    KeyFigure,
    Paragraph,
    Series,
    Source,
    StaffMember,
)

SERIES_SCHEMA = Schema("series", {
    "name": Field("str", example="财经活页"),
    "publishers": Field("str-list", example="[辽宁省财政科学研究所, 辽宁省财政学会]"),
    "address": Field("str", example="沈阳市和平区南京北街103号"),
    "postcode": Field("str", example='"110002"'),
    "telephone": Field("str", example="(024)22706630"),
    "staff": Field("list", example="[{role: 策划, name: 连家明}]"),
    "brand": Field("map", example="{colour: '#9e1b1b'}"),
    "past_themes": Field("str-list", example="[新基建, 数字经济]"),
    "recent_themes": Field("int", required=False, example="12"),
    "pdf_variant": Field("str", required=False, example="pdf/a-3u"),
    "cjk_latin_spacing": Field("bool", required=False, example="true"),
    "deck": Field("map", required=False, example="{template: master.pptx}"),
    "first_serial": Field("int", required=False, example="1",
                          help="总第N期 of the first issue, for 'huoye new' in an empty content folder"),
    "base_url": Field("str", required=False, example="https://example.org/huoye/",
                      help="where the series is published; makes the feed's links absolute"),
})
STAFF_SCHEMA = Schema("series.staff", {"role": Field("str", example="策划"),
                                       "name": Field("str", example="连家明")})
BRAND_SCHEMA = Schema("series.brand", {
    "colour": Field("str", example="'#9e1b1b'"),
    "accent": Field("str", required=False, example="'#c8a15a'"),
    "ink": Field("str", required=False, example="'#222222'"),
    "fonts": Field("map", required=False, example="{serif: Noto Serif CJK SC}"),
})
FONT_SCHEMA = Schema("series.brand.fonts", {k: Field("str", required=False, example="Noto Sans CJK SC")
               for k in ("serif", "sans", "kai", "deck_east_asian", "deck_fallback")})
# the slide kinds (and the roles title, content) that may name a layout of the editor's master;
# tests/test_keys.py checks they are the deck's (huoye.render.deck.slides.LAYOUT_OF)
LAYOUTS_SCHEMA = Schema("series.deck.layouts", {
    kind: Field("str", required=False, example="Title and Content")
    for kind in ("title", "content", "divider", "message", "agenda", "points", "recommendations",
                 "actions", "figures", "chart", "table", "closing")})
DECK_SCHEMA = Schema("series.deck", {
    "template": Field("str", required=False, example="master.pptx"),
    "layouts": Field("map", required=False, example="{title: 标题幻灯片}"),
})

ISSUE_SCHEMA = Schema("issue", {
    "year": Field("int", example="2020"),
    "number": Field("int", example="3", help="issue number within the year"),
    "serial": Field("int", example="328", help="总第N期"),
    "date": Field("date", example="2020-04-25"),
    "theme": Field("str", example="产业链现代化"),
    "note": Field("str", example="|\n  产业是经济发展的关键……"),
    "figures": Field("list", required=False),
    "charts": Field("list", required=False),
    "summaries": Field("map", required=False),
})
FIGURE_SCHEMA = Schema("issue.figures", {
    "value": Field("number", example="41"),
    "unit": Field("str", example="个"),
    "label": Field("str", example="工业大类"),
    "sentence": Field("str", example="拥有41个大类、207个中类、666个小类"),
    "qualifier": Field("str", required=False, example="以上"),
    "source": Field("str", required=False, example="国家统计局"),
})
CHART_SCHEMA = Schema("issue.charts", {
    "id": Field("str", example="us-imports"),
    "title": Field("str", example="2019年一季度美国进口变化"),
    "kind": Field("str", example="bar"),
    "categories": Field("str-list", example="[自中国, 自越南]"),
    "series": Field("list", example="[{name: 同比, values: [-13.5, 37.2]}]"),
    "unit": Field("str", example="'%'"),
    "source": Field("str", example="世界银行"),
    "anchor": Field("str", example="美国从我国进口在2019年第一个季度已经下降了13.5%"),
})
SERIES_DATA_SCHEMA = Schema("issue.charts.series", {"name": Field("str", example="同比变化"),
                      "values": Field("number-list", example="[-13.5, 37.2]"),
                      "qualifiers": Field("list", required=False, example='["", 以上]')})
SUMMARIES_SCHEMA = Schema("issue.summaries", {
    "note": Field("str-list", required=False, example="[产业链现代化是……]"),
    "points": Field("map", required=False, example="{'2.1': {headline: …}}"),
})
POINT_SUMMARY_SCHEMA = Schema("issue.summaries.points.*", {
    "headline": Field("str", required=False, example="核心元器件依赖进口"),
    "fact": Field("str", required=False, example="芯片自产比例约12%"),
})
CHART_KINDS = ("bar", "column", "line", "pie")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
FAMILY = re.compile(r"[^\"\\<>;{}\n\r]+")  # safe inside a quoted CSS string
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)


def load_archive(root: Path, only: list[Path] | None = None) -> list[Issue]:
    """Load every issue under `root` (or only those in `only`), all validated together."""
    problems = Problems()
    series = load_series(root / SERIES_FILE, problems)
    issues = []
    written: dict[int, LMap] = {}
    for folder in issue_folders(root):
        try:
            issue = _load_issue(folder, series, problems, written)
        except ContentError as err:
            problems.items += err.problems
            continue
        if issue is not None:
            issues.append(issue)
    _check_unique(issues, problems, written)
    problems.raise_if_any()
    for issue in issues:
        issue.recent_themes = recent_themes(issue, issues, issue.series)
    if only is not None:
        wanted = {p.resolve() for p in only}
        issues = [i for i in issues if i.folder.resolve() in wanted]
    return issues


def load_issue(folder: Path) -> Issue:
    """Load one issue folder (with its series and sibling issues for the back page)."""
    folder = folder.resolve()
    if not (folder / ISSUE_FILE).is_file():
        raise ContentError(_("{path}: no {file} in this folder; an issue folder holds "
                             "{file} (see docs/content.md), or run 'huoye new'").format(
            path=folder, file=ISSUE_FILE))
    root = find_content_root(folder.parent)
    found = load_archive(root, only=[folder])
    return found[0]


def load_series(path: Path, problems: Problems) -> Series | None:
    if not path.is_file():
        problems.add(path, None, _("file"), _("missing; create {file} (see docs/content.md)").format(
            file=SERIES_FILE))
        return None
    try:
        data = parse_yaml(read_text(path, path.parent), path)
    except ContentError as err:
        problems.items += err.problems
        return None
    if data is None:
        problems.add(path, 1, _("file"), _("the file is empty; restore {file} (its keys are "
                                           "listed in docs/content.md)").format(file=SERIES_FILE))
        return None
    data = check(data, SERIES_SCHEMA, path, "", problems, line=1)
    staff = []
    for _i, ln, item in items(data.get("staff", []), path, said(data, "staff"), problems):
        item = check(item, STAFF_SCHEMA, path, said(data, "staff"), problems, line=ln)
        if "role" in item and "name" in item:
            staff.append(StaffMember(str(item["role"]), str(item["name"])))
    brand = Brand()
    b = data.get("brand")
    if isinstance(b, dict):
        where = said(data, "brand")
        check(b, BRAND_SCHEMA, path, where, problems)
        for key in ("colour", "accent", "ink"):
            if key in b:
                if not COLOUR.match(str(b[key])):
                    problems.add(path, line_of(b, key), f"{where}.{said(b, key)}",
                                 _("'{value}' is not a colour; write it as '#RRGGBB' in quotes").format(
                                     value=b[key]))
                else:
                    setattr(brand, key, str(b[key]))
        fonts = b.get("fonts")
        if isinstance(fonts, dict):
            where = f"{where}.{said(b, 'fonts')}"
            check(fonts, FONT_SCHEMA, path, where, problems)
            for key, value in fonts.items():
                if key in FONT_SCHEMA and not FAMILY.fullmatch(str(value)):
                    problems.add(path, line_of(fonts, key), f"{where}.{said(fonts, key)}",
                                 _("'{value}' is not a font family name (no quotes, \\ < > ; "
                                   "{{ }} or line breaks); write the family as fc-list shows it, "
                                   "like Noto Serif CJK SC").format(value=value))
                elif key in FONT_SCHEMA:
                    setattr(brand, key, str(value))
    if fits(data.get("name"), "str"):
        trouble = file_name_trouble(str(data["name"]))
        if trouble:
            problems.add(path, line_of(data, "name"), said(data, "name"),
                         _("'{name}' {trouble}; the name begins every output file's name "
                           "(财经活页-2020-03.pdf): write the bulletin's name without them").format(
                             name=data["name"], trouble=trouble))
    variant = data.get("pdf_variant")
    if variant is not None and str(variant).lower() not in PDF_VARIANTS:
        problems.add(path, line_of(data, "pdf_variant"), said(data, "pdf_variant"),
                     _("'{value}' is not known; use one of {choices}").format(
                         value=variant, choices=", ".join(PDF_VARIANTS)))
    deck = data.get("deck") or {}
    template = None
    layouts = {}
    if isinstance(deck, dict) and deck:
        where = said(data, "deck")
        check(deck, DECK_SCHEMA, path, where, problems)
        template_key = f"{where}.{said(deck, 'template')}"
        if "template" in deck:
            template = (path.parent / str(deck["template"])).resolve()
            if not template.is_relative_to(path.parent.resolve()):
                problems.add(path, line_of(deck, "template"), template_key,
                             _("'{template}' is outside the content folder; copy the "
                               "template next to {file} and give its name").format(
                                 template=deck["template"], file=SERIES_FILE))
            elif not template.is_file():
                problems.add(path, line_of(deck, "template"), template_key,
                             _("'{template}' does not exist next to {file}").format(
                                 template=deck["template"], file=SERIES_FILE))
        if isinstance(deck.get("layouts"), dict):
            check(deck["layouts"], LAYOUTS_SCHEMA, path, f"{where}.{said(deck, 'layouts')}", problems)
            layouts = {str(k): str(v) for k, v in deck["layouts"].items()}
    if problems:
        if not all(k in data for k in SERIES_SCHEMA if SERIES_SCHEMA[k].required):
            return None
    try:
        return Series(
            name=str(data["name"]), publishers=[str(p) for p in data["publishers"]],
            address=str(data["address"]), postcode=str(data["postcode"]),
            telephone=str(data["telephone"]), staff=staff, brand=brand,
            past_themes=[str(t) for t in data["past_themes"]], source=Source(path, 1),
            recent_themes_count=int(data.get("recent_themes", 12)),
            pdf_variant=str(variant).lower() if variant else None,
            deck_template=template, deck_layouts=layouts,
            first_serial=int(data.get("first_serial") or 1), base_url=_base_url(data, path, problems),
            cjk_latin_spacing=data.get("cjk_latin_spacing") is True,
        )
    except (KeyError, TypeError, ValueError):
        return None


def _base_url(data: LMap, path: Path, problems: Problems) -> str | None:
    """series.yaml's base_url, ending with '/', or None; an unusable one is a problem."""
    from urllib.parse import urlsplit

    from huoye.i18n import _

    value = data.get("base_url")
    if not value:
        return None
    parts = urlsplit(str(value).strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        problems.add(path, line_of(data, "base_url"), said(data, "base_url"),
                     _("'{url}' is not the address of a web site; write it like "
                       "https://example.org/huoye/").format(url=value))
        return None
    return str(value).strip().rstrip("/") + "/"


_NOT_IN_FILE_NAMES = re.compile(r'[/\\:*?"<>|\x00-\x1f\x7f]')


def file_name_trouble(name: str) -> str | None:
    """Why `name` cannot begin a file name on Linux, Windows and macOS alike, or None."""
    bad = _NOT_IN_FILE_NAMES.findall(name)
    if bad:
        return _("contains {characters}").format(characters=" ".join(
            f"'{c}'" if c.isprintable() else f"U+{ord(c):04X}" for c in dict.fromkeys(bad)))
    if name.strip() != name or name.startswith("."):
        return _("begins with a dot or a space, or ends with a space")
    if len(name.encode("utf-8")) > 150:
        return _("is too long")
    return None


def split_front_matter(text: str, path: Path, problems: Problems) -> tuple[str, str, int] | None:
    """(front matter, body, first line of body) or None with a problem reported."""
    if not text.strip():
        problems.add(path, 1, _("file"), _("the file is empty; start from 'huoye new' or docs/content.md"))
        return None
    m = FRONT_MATTER.match(text)
    if not m:
        if text.startswith("---"):
            problems.add(path, 1, _("front matter"),
                         _("the front matter has no closing '---' line; add one after the last key"))
        else:
            problems.add(path, 1, _("front matter"),
                         _("no front matter; the file must begin with a '---' line, the masthead "
                           "keys (year, number, serial, date, theme, note), and another '---' line"))
        return None
    body_line = text.count("\n", 0, m.end()) + 1
    return m.group(1) or "", text[m.end():], body_line


def _load_issue(folder: Path, series: Series | None, problems: Problems,
                written: dict[int, LMap]) -> Issue | None:
    """The issue in `folder`, or None when it cannot be made; its mappings as written (for
    messages naming keys as the editor wrote them) go in `written`, by id of the issue,
    of each key figure and of each chart."""
    path = folder / ISSUE_FILE
    parts = split_front_matter(read_text(path, folder.parent), path, problems)
    if parts is None:
        return None
    front, body, body_line = parts
    data = parse_yaml(front, path, first_line=2)
    data = check(data, ISSUE_SCHEMA, path, "", problems, line=1)
    _check_placeholders(front, 2, path, problems)
    _check_placeholders(body, body_line, path, problems)
    parsed = parse_body(body, path, body_line, problems)
    if not body.strip():
        return None
    figures = _figures(data.get("figures") or [], path, said(data, "figures"), problems, written)
    charts = _charts(data.get("charts") or [], path, said(data, "charts"), problems, written)
    required = [k for k, f in ISSUE_SCHEMA.items() if f.required]
    if series is None or any(k not in data for k in required):
        return None
    whole = ("year", "number", "serial")
    if not all(isinstance(data[k], int) and not isinstance(data[k], bool) for k in whole):
        return None
    if not isinstance(data["date"], dt.date):
        return None
    issue = Issue(
        slug=folder.name, folder=folder, year=data["year"], number=data["number"],
        serial=data["serial"], date=data["date"], theme=str(data["theme"]),
        note=join_lines(str(data["note"])), articles=parsed.articles, figures=figures,
        charts=charts, series=series, source=Source(path, 1), footnotes=parsed.footnotes,
    )
    _check_masthead(issue, data, path, problems)
    _anchor(issue, data, path, problems, written)
    _number_figures(issue, path, problems)
    _summaries(issue, data.get("summaries"), path, said(data, "summaries"), problems)
    written[id(issue)] = data
    return issue


def join_lines(text: str) -> str:
    """Join wrapped lines of a YAML block: no space between Chinese, one between Latin words."""
    out = ""
    for line in (x.strip() for x in text.splitlines()):
        if not line:
            continue
        if out and re.match(r"[A-Za-z0-9]", line[0]) and re.match(r"[A-Za-z0-9.,;:!?]", out[-1]):
            out += " "
        out += line
    return out


def _check_masthead(issue: Issue, data: LMap, path: Path, problems: Problems) -> None:
    if not 1 <= issue.number <= 366:
        problems.add(path, line_of(data, "number"), said(data, "number"),
                     _("{number} is not an issue number within a year; write 1, 2, 3 …").format(
                         number=issue.number))
    if issue.serial < 1:
        problems.add(path, line_of(data, "serial"), said(data, "serial"),
                     _("总第N期 must be a positive number"))
    if issue.date.year != issue.year:
        problems.add(path, line_of(data, "date"), said(data, "date"),
                     _("the date {date} is not in the issue's year {year}; fix one of them").format(
                         date=issue.date, year=issue.year))


def _figures(value: object, path: Path, name: str, problems: Problems,
             written: dict[int, LMap]) -> list[KeyFigure]:
    out = []
    for i, ln, item in items(value, path, name, problems):
        where = f"{name}[{i + 1}]"
        item = check(item, FIGURE_SCHEMA, path, where, problems, line=ln)
        if "value" in item and fits(item["value"], "number") and not _ordinary(item["value"]):
            problems.add(path, line_of(item, "value"), f"{where}.{said(item, 'value')}",
                         unordinary())
            continue
        if all(k in item for k, f in FIGURE_SCHEMA.items() if f.required) and isinstance(
                item["value"], (int, float)):
            v = item["value"]
            qualifier = str(item.get("qualifier") or "").strip()
            if qualifier and not _qualifier_ok(qualifier):
                problems.add(path, line_of(item, "qualifier"), f"{where}.{said(item, 'qualifier')}",
                             _bad_qualifier(qualifier))
            out.append(KeyFigure(_number(v), str(item["unit"]), str(item["label"]),
                                 str(item["sentence"]).strip(), Source(path, ln),
                                 qualifier=qualifier,
                                 data_source=str(item.get("source") or "").strip()))
            written[id(out[-1])] = item
    return out


LARGEST = 1e15
UNORDINARY = N_("only ordinary numbers (at most {largest} in size) can be shown; "
               "write the number in digits, like 13.5, not .inf or .nan")


def unordinary() -> str:
    return _(UNORDINARY).format(largest=f"{LARGEST:.0e}")


def _ordinary(v: float) -> bool:
    return math.isfinite(v) and abs(v) <= LARGEST


def _number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def _charts(value: object, path: Path, name: str, problems: Problems,
            written: dict[int, LMap]) -> list[Chart]:
    out = []
    for i, ln, item in items(value, path, name, problems):
        where = f"{name}[{i + 1}]"
        item = check(item, CHART_SCHEMA, path, where, problems, line=ln)
        if not all(k in item for k in CHART_SCHEMA):
            continue
        if item["kind"] not in CHART_KINDS:
            problems.add(path, line_of(item, "kind"), f"{where}.{said(item, 'kind')}",
                         _("'{kind}' is not a chart kind; use one of {choices}").format(
                             kind=item["kind"], choices=", ".join(CHART_KINDS)))
        if isinstance(item["categories"], list) and not item["categories"]:
            problems.add(path, line_of(item, "categories"), f"{where}.{said(item, 'categories')}",
                         _("a chart needs at least one category, like [2019年, 2020年]"))
            continue
        series = []
        series_name = f"{where}.{said(item, 'series')}"
        for j, sln, s in items(item["series"], path, series_name, problems):
            s = check(s, SERIES_DATA_SCHEMA, path, f"{series_name}[{j + 1}]", problems, line=sln)
            if "values" in s and "name" in s and isinstance(s["values"], list):
                values_name = f"{series_name}[{j + 1}].{said(s, 'values')}"
                if fits(s["values"], "number-list") and not all(map(_ordinary, s["values"])):
                    problems.add(path, line_of(s, "values"), values_name, unordinary())
                if len(s["values"]) != len(item["categories"] or []):
                    problems.add(path, line_of(s, "values"), values_name,
                                 _("{values} values for {categories} categories; "
                                   "give one value per category").format(
                                     values=len(s["values"]), categories=len(item["categories"])))
                qualifiers = _qualifiers(s, len(s["values"]), path,
                                         f"{series_name}[{j + 1}].{said(s, 'qualifiers')}",
                                         problems)
                series.append(ChartSeries(str(s["name"]), [float(v) for v in s["values"]
                                                           if isinstance(v, (int, float))],
                                          qualifiers))
        if not series:
            problems.add(path, line_of(item, "series"), series_name,
                         _("a chart needs at least one series"))
        out.append(Chart(str(item["id"]), str(item["title"]), str(item["kind"]),
                         [str(c) for c in item["categories"]], series, str(item["unit"]),
                         str(item["source"]), str(item["anchor"]).strip(), Source(path, ln)))
        written[id(out[-1])] = item
    ids = [c.id for c in out]
    for c in out:
        if ids.count(c.id) > 1:
            problems.add(path, c.source.line, f"{name}.{said(written.get(id(c)), 'id')}",
                         _("chart id '{id}' is used twice; make each unique").format(id=c.id))
    return out


def _bad_qualifier(q: str) -> str:
    return _("'{q}' is not a qualifier of a number; write one word such as 以上, 左右, 约, 近, "
             "超过 (or leave it out)").format(q=q)


def _qualifier_ok(q: str) -> bool:
    return len(q) <= 4 and not re.search(r"[\d\s。，,.;；%]", q)


def _qualifiers(s: LMap, count: int, path: Path, where: str, problems: Problems) -> list[str]:
    """The `qualifiers` of a chart series: one per value ("" for none)."""
    value = s.get("qualifiers")
    if value is None:
        return []
    if not isinstance(value, list) or len(value) != count:
        problems.add(path, line_of(s, "qualifiers"), where,
                     _("give one qualifier per value, \"\" where there is none, like "
                       "[\"\", 以上] for two values"))
        return []
    out = []
    for q in value:
        q = "" if q is None else str(q).strip()
        if q and not _qualifier_ok(q):
            problems.add(path, line_of(s, "qualifiers"), where, _bad_qualifier(q))
        out.append(q)
    return out


def _check_placeholders(text: str, first_line: int, path: Path, problems: Problems) -> None:
    """Text that `huoye new` wrote as a placeholder (【待填：…】) and nobody replaced."""
    for n, raw in enumerate(text.split("\n"), start=first_line):
        if PLACEHOLDER in raw:
            what = raw[raw.index(PLACEHOLDER):].split("】")[0] + "】"
            problems.add(path, n, "placeholder",
                         _("'{what}' was written by 'huoye new' as a placeholder; replace it "
                           "with your text").format(what=what))


def _number_figures(issue: Issue, path: Path, problems: Problems) -> None:
    """Charts and images share one sequence 图1, 图2 … in reading order; an image's written
    label must be its place in that sequence."""
    order = {p.id: k for k, p in enumerate(issue.paragraphs)}
    items: list[tuple[tuple[int, int, int], Image | Chart]] = []
    for block_index, b in enumerate(issue.all_blocks):
        if isinstance(b, Image):
            # an image sits after the paragraph before it
            before = [p for p in issue.all_blocks[:block_index] if isinstance(p, Paragraph) and p.id]
            key = order.get(before[-1].id, -1) if before else -1
            items.append(((key, 1, block_index), b))
    for k, c in enumerate(issue.charts):
        items.append(((order.get(c.paragraph_id, 10**9), 0, k), c))
    n = 0
    for _key, item in sorted(items, key=lambda t: t[0]):
        n += 1
        if isinstance(item, Image):
            if item.label and item.number != n:
                problems.add(path, item.source.line, "image",
                             _("the image is captioned '{label}' but it is figure {n} of the "
                               "issue (charts count too); number it 图{n}").format(
                                   label=item.label, n=n))
                n = item.number
        else:
            item.number = n


def _anchor(issue: Issue, data: LMap, path: Path, problems: Problems,
            written: dict[int, LMap]) -> None:
    """Place each figure and chart after the paragraph that holds its sentence."""
    paragraphs = issue.paragraphs
    figures, charts = said(data, "figures"), said(data, "charts")
    for fig in issue.figures:
        item = written.get(id(fig))
        para = next((p for p in paragraphs if fig.sentence in p.text), None)
        if para is None:
            problems.add(path, fig.source.line, f"{figures}.{said(item, 'sentence')}",
                         _("this sentence is not in the body; copy it exactly from the paragraph "
                           "the figure comes from"))
            continue
        fig.paragraph_id = para.id
        digits = fig.value.lstrip("-")
        if digits not in fig.sentence.replace(",", ""):
            problems.add(path, fig.source.line, f"{figures}.{said(item, 'value')}",
                         _("the value {value} does not appear in its sentence; check the number").format(
                             value=fig.value))
    for chart in issue.charts:
        para = next((p for p in paragraphs if chart.anchor in p.text), None)
        if para is None:
            problems.add(path, chart.source.line,
                         f"{charts}[{chart.id}].{said(written.get(id(chart)), 'anchor')}",
                         _("this text is not in the body; copy a phrase exactly from the paragraph "
                           "the chart illustrates"))
        else:
            chart.paragraph_id = para.id


def _summaries(issue: Issue, value: object, path: Path, name: str, problems: Problems) -> None:
    if not value:
        return
    value = check(value, SUMMARIES_SCHEMA, path, name, problems)
    if "note" in value and isinstance(value["note"], list):
        issue.summary_note = [str(s) for s in value["note"]]
    points = value.get("points") or {}
    if not isinstance(points, dict):
        return
    name = f"{name}.{said(value, 'points')}"
    for key, item in points.items():
        ln = line_of(points, key)
        m = re.fullmatch(r"(\d+)\.(\d+)", str(key))
        point = issue.sections[int(m.group(1)) - 1].points[int(m.group(2)) - 1] if (
            m and 0 < int(m.group(1)) <= len(issue.sections)
            and 0 < int(m.group(2)) <= len(issue.sections[int(m.group(1)) - 1].points)) else None
        if point is None:
            problems.add(path, ln, f"{name}.{key}",
                         _("no such point; name it 'section.point' like '2.1' (section 2, point 1)"))
            continue
        item = check(item, POINT_SUMMARY_SCHEMA, path, f"{name}.{key}", problems, line=ln)
        if "headline" in item:
            point.summary_headline = str(item["headline"])
        if "fact" in item:
            point.summary_fact = str(item["fact"])


def _check_unique(issues: list[Issue], problems: Problems, written: dict[int, LMap]) -> None:
    seen: dict[tuple[int, int], Issue] = {}
    serials: dict[int, Issue] = {}
    for issue in issues:
        key = (issue.year, issue.number)
        if key in seen:
            problems.add(issue.source.path, 1, said(written.get(id(issue)), "number"),
                         _("{issue} is also {other}; give each issue its own number").format(
                             issue=issue.short_line, other=f"{seen[key].folder.name}/{ISSUE_FILE}"))
        seen.setdefault(key, issue)
        if issue.serial in serials:
            problems.add(issue.source.path, 1, said(written.get(id(issue)), "serial"),
                         _("总第{serial}期 is also {other}").format(
                             serial=issue.serial, other=f"{serials[issue.serial].folder.name}/{ISSUE_FILE}"))
        serials.setdefault(issue.serial, issue)


def recent_themes(issue: Issue, issues: list[Issue], series: Series) -> list[str]:
    """Themes of earlier issues in content/ (newest first), then the series' past themes."""
    earlier = sorted((i for i in issues if i.date < issue.date), key=lambda i: i.date, reverse=True)
    themes = [i.theme for i in earlier] + [t for t in series.past_themes]
    out = list(dict.fromkeys(t for t in themes if t != issue.theme))
    return out[: series.recent_themes_count]
