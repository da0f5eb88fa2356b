"""The model in the middle: one typed picture of an issue that every renderer reads.

content files ──load──▶ **model** ──derive──▶ render (html / pdf / pptx)

Each part knows where it came from (`Source`: file and line). Derived facts
(point headlines, the table of contents, the recent themes for the back page)
live here too, so no renderer re-parses content.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from huoye.errors import display_path


@dataclass(frozen=True)
class Source:
    """Where a part of the model was written: file and line."""

    path: Path
    line: int

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}"


@dataclass
class Paragraph:
    """One paragraph of body text (inline Markdown), with its place in the file."""

    text: str
    source: Source
    markdown: str = ""
    id: str = ""

    def __post_init__(self) -> None:
        if not self.markdown:
            self.markdown = self.text


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
class Point:
    """A numbered point of a section: "1.核心基础元器件……" or "一、什么是产业链".

    `style` is "heading" when the point was written as a numbered sub-heading
    (its headline is the heading) and "lead" when its first paragraph begins
    with the number (its headline is that paragraph's first sentence).
    """

    number: int
    label: str
    headline: str
    paragraphs: list[Paragraph]
    style: str
    source: Source
    id: str = ""
    summary_headline: str | None = None
    summary_fact: str | None = None

    @property
    def lead_rest(self) -> str:
        """For a "lead" point: the first paragraph after its headline sentence."""
        if self.style != "lead" or not self.paragraphs:
            return ""
        return first_sentence(self.paragraphs[0].text)[1]

    @property
    def body_paragraphs(self) -> list[Paragraph]:
        """Paragraphs after the first one for "lead" points; all of them for "heading" points."""
        return self.paragraphs[1:] if self.style == "lead" else self.paragraphs

    @property
    def full_text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)


@dataclass
class Section:
    """A section of the issue: heading, introductory paragraphs, numbered points."""

    number: int
    title: str
    intro: list[Paragraph]
    points: list[Point]
    source: Source
    is_recommendations: bool = False
    id: str = ""


@dataclass
class KeyFigure:
    """A number worth showing large: value, unit, label, and the sentence it comes from."""

    value: str
    unit: str
    label: str
    sentence: str
    source: Source
    paragraph_id: str = ""


@dataclass
class ChartSeries:
    name: str
    values: list[float]


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

    @property
    def number_format(self) -> str:
        """Excel-style format: one decimal place only where the data has one."""
        decimals = any(v != int(v) for s in self.series for v in s.values)
        return "0.0" if decimals else "0"


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


@dataclass
class TocEntry:
    level: int
    title: str
    id: str


@dataclass
class Issue:
    """One issue of the bulletin, complete: masthead, note, sections, figures, charts."""

    slug: str
    folder: Path
    year: int
    number: int
    serial: int
    date: dt.date
    theme: str
    note: str
    sections: list[Section]
    figures: list[KeyFigure]
    charts: list[Chart]
    series: Series
    source: Source
    summary_note: list[str] | None = None
    recent_themes: list[str] = field(default_factory=list)

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
    def recommendations(self) -> Section:
        return next(s for s in self.sections if s.is_recommendations)

    @property
    def contents(self) -> list[TocEntry]:
        """The table of contents: sections, and the points written as sub-headings."""
        toc = []
        for s in self.sections:
            toc.append(TocEntry(1, s.title, s.id))
            toc += [TocEntry(2, p.label + p.headline, p.id) for p in s.points if p.style == "heading"]
        return toc

    @property
    def paragraphs(self) -> list[Paragraph]:
        """Every body paragraph in reading order."""
        out = []
        for s in self.sections:
            out += s.intro
            for p in s.points:
                out += p.paragraphs
        return out

    def charts_after(self, paragraph_id: str) -> list[Chart]:
        return [c for c in self.charts if c.paragraph_id == paragraph_id]

    def figures_after(self, paragraph_id: str) -> list[KeyFigure]:
        return [f for f in self.figures if f.paragraph_id == paragraph_id]
