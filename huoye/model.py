"""The model in the middle: one typed picture of an issue that every renderer reads.

content files ──load──▶ **model** ──derive──▶ render (html / pdf / pptx)

An issue holds one or more articles (each: title, authors with affiliations,
内容提要, 关键词, a preamble, sections, 参考文献); a section holds body blocks
(paragraphs, block quotes, lists, tables, images with captions, unnumbered
sub-headings) and numbered points, which nest up to three levels with their
labels as the author wrote them (一、 （一） 1. （1） ①). Footnotes belong to
the inline text that cites them. Each part knows where it came from (`Source`:
file and line). Derived facts (point headlines, the table of contents, the
recent themes for the back page) live here too, so no renderer re-parses content.

Every block has `kind` (which template draws it), `text` (its plain text, for
the deck's speaker notes and the completeness test) and `inlines()` (its
pieces of inline text, each a `Paragraph`, for font checks).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from huoye.content import PDF_VARIANTS as PDF_VARIANTS  # series.yaml pdf_variant (re-exported)
from huoye.errors import display_path


@dataclass(frozen=True)
class Source:
    """Where a part of the model was written: file and line."""

    path: Path
    line: int

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}"


@dataclass
class Footnote:
    """A Markdown footnote (`[^label]: text`), numbered in citing order within the issue."""

    label: str
    number: int
    text: str
    markdown: str
    source: Source
    id: str = ""
    tokens: list[Any] | None = field(default=None, repr=False, compare=False)  # as Paragraph.tokens


@dataclass
class Paragraph:
    """One piece of inline text (a paragraph, a list item, a table cell, …) with its place
    in the file and the footnotes it cites, in order."""

    text: str
    source: Source
    markdown: str = ""
    id: str = ""
    notes: list[Footnote] = field(default_factory=list)
    # The inline Markdown tokens the loader parsed (markdown-it), which the editions render:
    # content is parsed once, never again from a string derived from it.
    tokens: list[Any] | None = field(default=None, repr=False, compare=False)

    kind = "paragraph"

    def __post_init__(self) -> None:
        if not self.markdown:
            self.markdown = self.text

    def inlines(self) -> Iterator[Paragraph]:
        yield self

    @property
    def notes_text(self) -> str:
        """The text of the footnotes this paragraph cites (for speaker notes)."""
        return "\n".join(f"注{n.number}：{n.text}" for n in self.notes)


def first_sentence(text: str) -> tuple[str, str]:
    """Split text after its first sentence (ending in 。！？); return (sentence, rest)."""
    m = re.search(r"[。！？]", text)
    if not m:
        return text, ""
    return text[: m.end()], text[m.end():]


def sentences(text: str) -> list[str]:
    """The sentences of a paragraph, each with its closing mark."""
    parts = re.findall(r"[^。！？]+[。！？]?[”’」』）]?", text)
    return [p for p in (s.strip() for s in parts) if p]


@dataclass
class Quote:
    """A block quotation (引文, `> …`), set in 楷体."""

    paragraphs: list[Paragraph]
    source: Source
    id: str = ""

    kind = "quote"

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)

    def inlines(self) -> Iterator[Paragraph]:
        yield from self.paragraphs


@dataclass
class ListBlock:
    """A bulleted (`- …`) or numbered (`1. …`) list; numbers printed as written."""

    items: list[Paragraph]
    ordered: bool
    source: Source
    start: int = 1
    id: str = ""

    kind = "list"

    @property
    def labels(self) -> list[str]:
        if not self.ordered:
            return ["•"] * len(self.items)
        return [f"{self.start + i}." for i in range(len(self.items))]

    @property
    def text(self) -> str:
        return "\n".join(f"{lab}{it.text}" if self.ordered else it.text
                         for lab, it in zip(self.labels, self.items))

    def inlines(self) -> Iterator[Paragraph]:
        yield from self.items


NUMBER_CELL = re.compile(r"^[-−+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?$")


@dataclass
class Table:
    """A pipe table with its caption (表N …), unit (单位：…) and source (数据来源：…).

    `align` has one entry per column: "left", "center", "right" or "" (as written in the
    delimiter row); columns whose body cells are all numbers are aligned on the decimal
    point (`decimal_columns`)."""

    label: str
    number: int
    title: str
    header: list[Paragraph]
    rows: list[list[Paragraph]]
    align: list[str]
    source: Source
    unit: str = ""
    data_source: str = ""
    data_source_label: str = "数据来源"
    id: str = ""

    kind = "table"

    @property
    def caption(self) -> str:
        return f"{self.label}　{self.title}" if self.title else self.label

    @property
    def decimal_columns(self) -> list[bool]:
        out = []
        for c in range(len(self.header)):
            cells = [r[c].text.strip() for r in self.rows if r[c].text.strip() not in ("", "—", "-")]
            out.append(bool(cells) and all(NUMBER_CELL.match(x) for x in cells))
        return out

    def decimals(self, column: int) -> int:
        """The most digits after the decimal point in a numeric column."""
        most = 0
        for r in self.rows:
            t = r[column].text.strip().rstrip("%")
            if "." in t:
                most = max(most, len(t.split(".", 1)[1]))
        return most

    @property
    def text(self) -> str:
        lines = [self.caption + (f"（单位：{self.unit}）" if self.unit else "")]
        lines.append("\t".join(c.text for c in self.header))
        lines += ["\t".join(c.text for c in r) for r in self.rows]
        if self.data_source:
            lines.append(f"{self.data_source_label}：{self.data_source}")
        return "\n".join(lines)

    def inlines(self) -> Iterator[Paragraph]:
        yield from self.header
        for r in self.rows:
            yield from r


@dataclass
class Image:
    """An image of the issue folder shown as a figure: caption (图N …) and source line."""

    src: str
    alt: str
    label: str
    number: int
    title: str
    source: Source
    data_source: str = ""
    data_source_label: str = "资料来源"
    id: str = ""

    kind = "image"

    @property
    def caption(self) -> str:
        return f"{self.label}　{self.title}" if self.title else self.label

    @property
    def text(self) -> str:
        out = self.caption
        if self.data_source:
            out += f"\n{self.data_source_label}：{self.data_source}"
        return out

    def inlines(self) -> Iterator[Paragraph]:
        yield Paragraph(self.text.replace("\n", ""), self.source)


@dataclass
class Heading:
    """An unnumbered sub-heading inside a section (`### 标题`)."""

    title: str
    source: Source
    level: int = 3
    id: str = ""

    kind = "heading"

    @property
    def text(self) -> str:
        return self.title

    def inlines(self) -> Iterator[Paragraph]:
        yield Paragraph(self.title, self.source)


Block = Paragraph | Quote | ListBlock | Table | Image | Heading

#: numbering styles of Chinese policy writing, outermost first: their rank orders the levels
NUMBERING_STYLES = ("一、", "（一）", "1.", "（1）", "①")


@dataclass
class Point:
    """A numbered point: "1.核心基础元器件……", "一、什么是产业链", "（一）规模持续扩大。".

    `style` is "heading" when the point was written as a numbered sub-heading
    (its headline is the heading) and "lead" when its first paragraph begins
    with the number (its headline is that paragraph's first sentence).
    `label` is the number as the author wrote it ("（一）", "1．", "①");
    `numbering` the style it belongs to (one of NUMBERING_STYLES); `level` 1–3
    below the section. `blocks` is the point's own text (for a "lead" point the
    first block is its numbered paragraph), `points` its sub-points.
    """

    number: int
    label: str
    headline: str
    blocks: list[Block]
    style: str
    source: Source
    id: str = ""
    summary_headline: str | None = None
    summary_fact: str | None = None
    numbering: str = "1."
    level: int = 1
    points: list[Point] = field(default_factory=list)

    @property
    def lead_paragraph(self) -> Paragraph | None:
        if self.style == "lead" and self.blocks and isinstance(self.blocks[0], Paragraph):
            return self.blocks[0]
        return None

    @property
    def lead_rest(self) -> str:
        """For a "lead" point: the first paragraph after its headline sentence."""
        lead = self.lead_paragraph
        return first_sentence(lead.text)[1] if lead else ""

    @property
    def body_blocks(self) -> list[Block]:
        """The point's blocks after its numbered paragraph ("lead"); all of them ("heading")."""
        return self.blocks[1:] if self.lead_paragraph is not None else self.blocks

    @property
    def paragraphs(self) -> list[Paragraph]:
        """Every top-level paragraph of the point and its sub-points, in reading order
        (key figures and charts are placed after these)."""
        out = [b for b in self.blocks if isinstance(b, Paragraph)]
        for p in self.points:
            out += p.paragraphs
        return out

    @property
    def body_paragraphs(self) -> list[Paragraph]:
        return [b for b in self.body_blocks if isinstance(b, Paragraph)]

    @property
    def all_blocks(self) -> list[Block]:
        out = list(self.blocks)
        for p in self.points:
            out += p.all_blocks
        return out

    @property
    def full_text(self) -> str:
        """The point's text and its sub-points' (labels included), without its own label."""
        parts = [b.text for b in self.blocks]
        for p in self.points:
            parts.append(p.labelled_text)
        return "\n".join(parts)

    @property
    def labelled_text(self) -> str:
        if self.style == "lead":
            return self.label + self.full_text
        return self.label + self.headline + ("\n" + self.full_text if self.full_text else "")

    @property
    def notes_text(self) -> str:
        """The text of every footnote cited in the point, in order."""
        return "\n".join(f"注{n.number}：{n.text}" for n in self.footnotes)

    @property
    def footnotes(self) -> list[Footnote]:
        return [n for b in self.all_blocks for p in b.inlines() for n in getattr(p, "notes", [])]


@dataclass
class Section:
    """A section of an article: heading, introductory blocks, numbered points."""

    number: int
    title: str
    intro: list[Block]
    points: list[Point]
    source: Source
    is_recommendations: bool = False
    id: str = ""

    @property
    def intro_paragraphs(self) -> list[Paragraph]:
        return [b for b in self.intro if isinstance(b, Paragraph)]

    @property
    def intro_text(self) -> str:
        return "\n".join(b.text for b in self.intro)

    @property
    def paragraphs(self) -> list[Paragraph]:
        out = list(self.intro_paragraphs)
        for p in self.points:
            out += p.paragraphs
        return out

    @property
    def all_blocks(self) -> list[Block]:
        out = list(self.intro)
        for p in self.points:
            out += p.all_blocks
        return out

    @property
    def all_points(self) -> list[Point]:
        """Every point of the section at every level, in reading order."""
        out: list[Point] = []

        def walk(points: list[Point]) -> None:
            for p in points:
                out.append(p)
                walk(p.points)
        walk(self.points)
        return out


@dataclass
class Author:
    name: str
    affiliation: str = ""


@dataclass
class Reference:
    """One entry of a 参考文献 list: its label as written ("[1]") and its text."""

    label: str
    paragraph: Paragraph

    @property
    def text(self) -> str:
        return f"{self.label}{self.paragraph.text}"


@dataclass
class Article:
    """One article of an issue: title (`# 标题`), byline, 内容提要, 关键词, preamble,
    sections and 参考文献. The sample's single untitled article has only sections."""

    number: int
    title: str
    authors: list[Author]
    sections: list[Section]
    source: Source
    abstract: Paragraph | None = None
    abstract_label: str = "内容提要"
    keywords: list[str] = field(default_factory=list)
    keywords_label: str = "关键词"
    preamble: list[Block] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    references_title: str = "参考文献"
    byline: str = ""
    id: str = ""

    @property
    def affiliations(self) -> list[str]:
        """Distinct affiliations in byline order."""
        return list(dict.fromkeys(a.affiliation for a in self.authors if a.affiliation))

    @property
    def author_names(self) -> str:
        return "　".join(a.name for a in self.authors)

    @property
    def recommendations(self) -> Section | None:
        return next((s for s in self.sections if s.is_recommendations), None)

    @property
    def all_blocks(self) -> list[Block]:
        out = list(self.preamble)
        for s in self.sections:
            out += s.all_blocks
        return out

    @property
    def footnotes(self) -> list[Footnote]:
        """The footnotes cited in the article, in citing order, each once."""
        inlines: list[Paragraph] = [self.abstract] if self.abstract else []
        for b in self.all_blocks:
            inlines += list(b.inlines())
        inlines += [r.paragraph for r in self.references]
        seen: dict[str, Footnote] = {}
        for p in inlines:
            for n in getattr(p, "notes", []):
                seen.setdefault(n.id, n)
        return list(seen.values())

    @property
    def front_text(self) -> str:
        """Title, byline, 内容提要 and 关键词 as printed (for speaker notes)."""
        parts = [self.title] if self.title else []
        if self.byline:
            parts.append(self.byline)
        if self.abstract:
            parts.append(f"{self.abstract_label}：{self.abstract.text}")
        if self.keywords:
            parts.append(f"{self.keywords_label}：" + "；".join(self.keywords))
        return "\n".join(parts)


@dataclass
class KeyFigure:
    """A number worth showing large: value, unit, label, and the sentence it comes from.

    `qualifier` (以上, 左右, 约, 近 …) is printed with the value: before it for words that
    come first in Chinese (约, 近, 超过 …), after the unit for the others. `data_source`
    says where the number comes from."""

    value: str
    unit: str
    label: str
    sentence: str
    source: Source
    paragraph_id: str = ""
    qualifier: str = ""
    data_source: str = ""

    @property
    def qualifier_before(self) -> str:
        return self.qualifier if qualifier_comes_first(self.qualifier) else ""

    @property
    def qualifier_after(self) -> str:
        return "" if qualifier_comes_first(self.qualifier) else self.qualifier


#: qualifiers written before the number (约5%); the others follow the unit (20%以上)
QUALIFIERS_BEFORE = ("约", "近", "超过", "逾", "超", "不足", "将近", "大约", "接近", "仅")


def qualifier_comes_first(qualifier: str) -> bool:
    return qualifier in QUALIFIERS_BEFORE


@dataclass
class ChartSeries:
    """One series of a chart; `qualifiers` has one entry per value ("" for none)."""

    name: str
    values: list[float]
    qualifiers: list[str] = field(default_factory=list)

    def qualifier(self, i: int) -> str:
        return self.qualifiers[i] if i < len(self.qualifiers) else ""


@dataclass
class Chart:
    """Chart data from the front matter, anchored to the sentence it illustrates."""

    id: str
    title: str
    kind: str
    categories: list[str]
    series: list[ChartSeries]
    unit: str
    data_source: str
    anchor: str
    source: Source
    paragraph_id: str = ""
    number: int = 0

    @property
    def number_format(self) -> str:
        """Excel-style format: one decimal place only where the data has one."""
        decimals = any(v != int(v) for s in self.series for v in s.values)
        return "0.0" if decimals else "0"

    @property
    def text(self) -> str:
        """Title, values (with their qualifiers) and source, for speaker notes."""
        rows = []
        for s in self.series:
            vals = "，".join(
                f"{c}{label_value(v, self.number_format, s.qualifier(i))}{self.unit}"
                for i, (c, v) in enumerate(zip(self.categories, s.values)))
            rows.append(f"{s.name}：{vals}")
        return "\n".join([self.title, *rows, f"数据来源：{self.data_source}"])


def label_value(value: float, number_format: str, qualifier: str = "") -> str:
    """A chart value as a label: '约5', '20以上' (the unit follows, outside)."""
    text = f"{value:.1f}" if number_format == "0.0" else f"{value:.0f}"
    if not qualifier:
        return text
    return qualifier + text if qualifier_comes_first(qualifier) else text + qualifier


@dataclass
class StaffMember:
    role: str
    name: str


@dataclass
class Brand:
    """Colours and typefaces of a bulletin; renderers take them from here, not from code."""

    colour: str = "#9e1b1b"
    accent: str = "#c8a15a"
    ink: str = "#222222"
    serif: str = "Noto Serif CJK SC"
    sans: str = "Noto Sans CJK SC"
    kai: str = "LXGW WenKai"
    deck_east_asian: str = "Microsoft YaHei"
    deck_fallback: str = "Noto Sans CJK SC"


@dataclass
class Series:
    """What all issues of a bulletin share (content/series.yaml)."""

    name: str
    publishers: list[str]
    address: str
    postcode: str
    telephone: str
    staff: list[StaffMember]
    brand: Brand
    past_themes: list[str]
    source: Source
    recent_themes_count: int = 12
    pdf_variant: str | None = None
    deck_template: Path | None = None
    deck_layouts: dict[str, str] = field(default_factory=dict)
    first_serial: int = 1  # 总第N期 of the first issue ('huoye new' in an empty content folder)
    base_url: str | None = None  # where the series is published (the feed's absolute links)
    # A quarter em between Han characters and Latin letters or digits (clreq 3.2.2); off
    # by default: the bulletin's house style sets them side by side.
    cjk_latin_spacing: bool = False


@dataclass
class TocEntry:
    """A line of the contents: level 0 an article (with its authors), 1 a section, 2 a point."""

    level: int
    title: str
    id: str
    byline: str = ""


@dataclass
class Issue:
    """One issue of the bulletin, complete: masthead, note, articles, figures, charts."""

    slug: str
    folder: Path
    year: int
    number: int
    serial: int
    date: dt.date
    theme: str
    note: str
    articles: list[Article]
    figures: list[KeyFigure]
    charts: list[Chart]
    series: Series
    source: Source
    summary_note: list[str] | None = None
    recent_themes: list[str] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)

    @property
    def issue_line(self) -> str:
        """"2020年第3期（总第328期）" as printed on the masthead."""
        return f"{self.year}年第{self.number}期（总第{self.serial}期）"

    @property
    def short_line(self) -> str:
        return f"{self.year}年第{self.number}期"

    @property
    def date_line(self) -> str:
        return f"{self.date.year}年{self.date.month:02d}月{self.date.day:02d}日"

    @property
    def title(self) -> str:
        return f"{self.series.name} {self.short_line}：{self.theme}"

    @property
    def sections(self) -> list[Section]:
        """Every section of every article, in reading order."""
        return [s for a in self.articles for s in a.sections]

    @property
    def titled_articles(self) -> bool:
        """True when the articles have their own titles (written as `# 标题`)."""
        return any(a.title for a in self.articles)

    @property
    def recommendations(self) -> Section:
        """The first recommendations section (each article may have its own)."""
        return next(s for s in self.sections if s.is_recommendations)

    @property
    def recommendation_sections(self) -> list[Section]:
        return [s for s in self.sections if s.is_recommendations]

    @property
    def contents(self) -> list[TocEntry]:
        """The table of contents: article titles (when written), sections, and the points
        written as sub-headings at the first level below a section."""
        toc = []
        for a in self.articles:
            if a.title:
                toc.append(TocEntry(0, a.title, a.id, a.author_names))
            for s in a.sections:
                toc.append(TocEntry(1, s.title, s.id))
                toc += [TocEntry(2, p.label + p.headline, p.id)
                        for p in s.points if p.style == "heading"]
            if a.references:
                toc.append(TocEntry(1, a.references_title, f"{a.id}-refs"))
        return toc

    @property
    def paragraphs(self) -> list[Paragraph]:
        """Every top-level body paragraph in reading order (where figures and charts go)."""
        out = []
        for a in self.articles:
            out += [b for b in a.preamble if isinstance(b, Paragraph)]
            for s in a.sections:
                out += s.paragraphs
        return out

    @property
    def all_blocks(self) -> list[Block]:
        return [b for a in self.articles for b in a.all_blocks]

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.all_blocks if isinstance(b, Table)]

    def charts_after(self, paragraph_id: str) -> list[Chart]:
        return [c for c in self.charts if c.paragraph_id == paragraph_id]

    def figures_after(self, paragraph_id: str) -> list[KeyFigure]:
        return [f for f in self.figures if f.paragraph_id == paragraph_id]
