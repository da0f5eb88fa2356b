"""Load step: the Markdown body of an issue → sections and numbered points.

The format (docs/content.md): `## ` starts a section; `### 一、…` is a point
written as a numbered sub-heading; a paragraph beginning `1.` (or a Markdown
numbered list) is a point whose headline is its first sentence; other
paragraphs are the section's introduction or continue the current point. The
recommendations section is marked `{.recommendations}` after its heading.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt

from huoye.errors import Problems
from huoye.load.media import inspect_image
from huoye.model import Paragraph, Point, Section, Source, first_sentence

MARKDOWN = MarkdownIt("commonmark", {"html": False})
# The loader sees every reference as written, even those the renderers would print as
# plain text (file:, javascript:), so that check_references can report them.
MARKDOWN.validateLink = lambda url: True

CHINESE_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九", start=0)}
HEADING_NUMBER = re.compile(r"^([一二三四五六七八九十]+)、\s*(.+)$")
LEAD_NUMBER = re.compile(r"^(\d{1,3})[.．、]\s*(\S.*)$", re.DOTALL)
MARKER = re.compile(r"\s*\{([^{}]*)\}\s*$")
MARKERS = {".recommendations"}


def chinese_number(text: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十三 → 23."""
    if text == "十":
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (CHINESE_DIGITS[tens] if tens else 1) * 10 + (CHINESE_DIGITS[ones] if ones else 0)
    return CHINESE_DIGITS[text]


def parse_body(text: str, path: Path, first_line: int, problems: Problems) -> list[Section]:
    """Parse the body (its first line is line `first_line` of `path`) into sections."""
    tokens = MARKDOWN.parse(text)
    offset = first_line - 1
    sections: list[Section] = []
    point: Point | None = None
    i = 0

    def line(tok) -> int:
        return (tok.map[0] if tok.map else 0) + 1 + offset

    def add_paragraph(inline, ln: int, allow_lead: bool = True, label: str | None = None):
        nonlocal point
        plain = plain_text(inline)
        md = inline.content.replace("\n", "")
        plain = plain.replace("\n", "")
        src = Source(path, ln)
        if not sections:
            problems.add(path, ln, "body",
                         "text before the first section heading; start the body with '## 标题'")
            return
        section = sections[-1]
        check_references(inline, path, ln, problems)
        m = LEAD_NUMBER.match(plain) if allow_lead and label is None else None
        if label is not None or m:
            if m:
                number, plain = int(m.group(1)), m.group(2)
                md = LEAD_NUMBER.match(md).group(2) if LEAD_NUMBER.match(md) else md
            else:
                number = int(label)
            para = Paragraph(plain, src, md)
            headline = first_sentence(plain)[0].rstrip("。！？")
            point = Point(number, f"{number}.", headline, [para], "lead", src)
            _append_point(section, point, path, problems)
        elif point is not None:
            point.paragraphs.append(Paragraph(plain, src, md))
        else:
            section.intro.append(Paragraph(plain, src, md))

    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            inline = tokens[i + 1]
            title, marker = _split_marker(inline.content.strip())
            ln = line(tok)
            if marker is not None and marker not in MARKERS:
                problems.add(path, ln, "heading",
                             f"unknown marker '{{{marker}}}'; the only marker is '{{.recommendations}}'")
            if tok.tag == "h2":
                sections.append(Section(len(sections) + 1, title, [], [], Source(path, ln),
                                        is_recommendations=marker == ".recommendations"))
                point = None
            elif tok.tag == "h3":
                if not sections:
                    problems.add(path, ln, "heading", "a '###' point comes before any '##' section")
                else:
                    if marker:
                        problems.add(path, ln, "heading",
                                     "'{.recommendations}' marks a '##' section heading, not a point")
                    m = HEADING_NUMBER.match(title) or LEAD_NUMBER.match(title)
                    if not m:
                        problems.add(path, ln, "heading",
                                     "a '###' heading is a numbered point; begin it with its number, "
                                     "like '### 一、什么是产业链'")
                    else:
                        num = m.group(1)
                        number = int(num) if num.isdigit() else chinese_number(num)
                        label = f"{num}、" if not num.isdigit() else f"{num}."
                        point = Point(number, label, m.group(2).strip(), [], "heading", Source(path, ln))
                        _append_point(sections[-1], point, path, problems)
            elif tok.tag == "h1":
                problems.add(path, ln, "heading",
                             "'#' is not used; the issue's title is its theme in the front matter. "
                             "Write sections as '## 标题'")
            else:
                problems.add(path, ln, "heading",
                             f"'{'#' * int(tok.tag[1])}' is too deep; use '##' for sections and "
                             "'###' for numbered points")
            i += 3
            continue
        if tok.type == "paragraph_open":
            add_paragraph(tokens[i + 1], line(tok))
            i += 3
            continue
        if tok.type == "ordered_list_open":
            i = _ordered_list(tokens, i, line, add_paragraph, path, problems)
            continue
        kind = {
            "bullet_list_open": "a '-' list; write each item as its own paragraph, or number the "
                                "points '1.' '2.'",
            "blockquote_open": "a '>' quotation; the editor's note goes in the front matter as 'note:'",
            "fence": "a code block; remove the ``` lines",
            "code_block": "an indented code block; remove the indentation at the start of the lines",
            "hr": "a '---' rule; remove it (a second '---' block is not allowed after the front matter)",
        }.get(tok.type)
        if kind:
            problems.add(path, line(tok), "body", f"{kind}")
            i = _skip_block(tokens, i)
            continue
        i += 1
    _number_and_check(sections, path, first_line, problems)
    return sections


def _ordered_list(tokens, i, line, add_paragraph, path, problems) -> int:
    """A Markdown numbered list at the top level: each item is a numbered point."""
    start = int(tokens[i].attrGet("start") or 1)
    depth, n, i = 0, start - 1, i + 1
    while i < len(tokens):
        tok = tokens[i]
        if tok.type in ("ordered_list_open", "bullet_list_open"):
            problems.add(path, line(tok), "body",
                         "a list inside a list; points are not nested: write sub-points as paragraphs")
            i = _skip_block(tokens, i)
            continue
        if tok.type == "ordered_list_close" and depth == 0:
            return i + 1
        if tok.type == "list_item_open":
            n += 1
            first = True
        elif tok.type == "paragraph_open":
            add_paragraph(tokens[i + 1], line(tok), label=str(n) if first else None,
                          allow_lead=False)
            first = False
            i += 3
            continue
        i += 1
    return i


def _skip_block(tokens, i) -> int:
    """Index after the block that starts at tokens[i]."""
    tok = tokens[i]
    if tok.nesting != 1:
        return i + 1
    level = tok.level
    i += 1
    while i < len(tokens) and not (tokens[i].nesting == -1 and tokens[i].level == level):
        i += 1
    return i + 1


def _split_marker(title: str) -> tuple[str, str | None]:
    m = MARKER.search(title)
    if not m:
        return title, None
    return title[: m.start()].strip(), m.group(1).strip()


def _append_point(section: Section, point: Point, path: Path, problems: Problems) -> None:
    expected = len(section.points) + 1
    if point.number != expected:
        problems.add(path, point.source.line, "point",
                     f"point numbered {point.label} but it is point {expected} of section "
                     f"'{section.title}'; renumber the points 1, 2, 3 … in order")
    section.points.append(point)


def _number_and_check(sections: list[Section], path: Path, first_line: int, problems: Problems) -> None:
    n = 0
    for s in sections:
        s.id = f"s{s.number}"
        for p in s.intro:
            n += 1
            p.id = f"p{n}"
        for k, pt in enumerate(s.points, start=1):
            pt.id = f"s{s.number}-{k}"
            if pt.style == "heading" and not pt.paragraphs:
                problems.add(path, pt.source.line, "point",
                             f"point '{pt.label}{pt.headline}' has no text; add its paragraphs below it")
            for p in pt.paragraphs:
                n += 1
                p.id = f"p{n}"
        if not s.intro and not s.points:
            problems.add(path, s.source.line, "section", f"section '{s.title}' is empty; add its text")
    if not sections:
        problems.add(path, first_line, "body", "the body has no sections; add '## 标题' headings "
                     "with their text below the front matter")
    marked = [s for s in sections if s.is_recommendations]
    if sections and not marked:
        problems.add(path, first_line, "body",
                     "no recommendations section; mark its heading like "
                     "'## 对策建议 {.recommendations}'")
    for extra in marked[1:]:
        problems.add(path, extra.source.line, "heading",
                     "a second '{.recommendations}' section; only one section holds the recommendations")
    for s in marked:
        if not s.points:
            problems.add(path, s.source.line, "section",
                         "the recommendations section has no numbered points; begin each with '1.' '2.' …")


def plain_text(inline) -> str:
    """The text of an inline token as a reader sees it (markup removed)."""
    out = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("")
        elif child.type == "image":
            out.append(plain_text(child) if child.children else "")
    return "".join(out)


def check_references(inline, path: Path, ln: int, problems: Problems) -> None:
    """Images and links may only name files inside the issue folder; no network, no file://."""
    folder = path.parent.resolve()
    for child in inline.children or []:
        if child.type == "image":
            ref, what = child.attrGet("src") or "", "image"
        elif child.type == "link_open":
            ref, what = child.attrGet("href") or "", "link"
            if re.match(r"^(https?|mailto):", ref, re.IGNORECASE):
                continue  # a web link is text for the reader; nothing is fetched
        else:
            continue
        if what == "link" and re.match(r"^[a-z][a-z0-9+.-]*:", ref, re.IGNORECASE):
            problems.add(path, ln, what,
                         f"'{ref}' is neither a web address (https://…) nor a file of the issue "
                         "folder; write the web address, or remove the link")
            continue
        if re.match(r"^[a-z][a-z0-9+.-]*:", ref, re.IGNORECASE) or ref.startswith(("/", "\\")):
            problems.add(path, ln, what,
                         f"'{ref}' is outside the issue folder; copy the file into "
                         f"{path.parent.name}/ and refer to it by its name")
            continue
        name = unquote(urlsplit(ref).path)
        if what == "link" and not name:
            continue  # a link to a place on the same page (#…)
        target = (folder / name).resolve()
        if folder not in target.parents:
            problems.add(path, ln, what,
                         f"'{ref}' points outside the issue folder; copy the file into "
                         f"{path.parent.name}/ and refer to it by its name")
        elif what == "image" and not target.is_file():
            problems.add(path, ln, what, f"'{ref}' does not exist in {path.parent.name}/; check the name")
        elif what == "image":
            trouble = inspect_image(target)
            if trouble:
                problems.add(path, ln, what, trouble)
