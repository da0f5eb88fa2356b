"""Load step: the Markdown body of an issue → articles, sections, blocks and numbered points.

The format (docs/content.md): `# 标题` starts an article (optional: without it the
body is one untitled article), followed by its byline (`陈明　刘洋（某大学经济学院）`),
`内容提要：…` and `关键词：…` paragraphs and a preamble; `## ` starts a section
(`{.recommendations}` after the heading marks 对策建议); `## 参考文献` holds the
references. Points are numbered the way Chinese policy writing numbers them —
`一、` `（一）` `1.`/`1．` `（1）` `①` — as sub-headings (`### （一）…`) or as
paragraphs beginning with the number (their headline is the first sentence), up
to three levels below a section; the levels come from the numbering styles and
the labels are kept as written. Body blocks: paragraphs, `>` quotations, `-` and
`1. ` lists, pipe tables with `表N …` captions, images alone in a paragraph with
`图N …` captions, unnumbered `###` sub-headings; Markdown footnotes `[^1]`.

Anything else Markdown can express (raw HTML, code, rules, nested lists, orphan
footnotes, ragged table rows, headings out of place) is reported at file:line
with what to write instead: nothing is dropped silently.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from huoye.errors import Problems
from huoye.i18n import _
from huoye.load.media import inspect_image
from huoye.model import (
    NUMBERING_STYLES,
    Article,
    Author,
    Block,
    Footnote,
    Heading,
    Image,
    ListBlock,
    Paragraph,
    Point,
    Quote,
    Reference,
    Section,
    Source,
    Table,
    first_sentence,
)

# The loader's dialect: CommonMark with pipe tables and footnotes, raw HTML recognised
# (so that it can be reported; the renderers never pass it through).
MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable("table").use(footnote_plugin)
# The loader sees every reference as written, even those the renderers would print as
# plain text (file:, javascript:), so that check_references can report them.
MARKDOWN.validateLink = lambda url: True  # type: ignore[method-assign]

CHINESE_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九", start=0)}
CN = "[一二三四五六七八九十]{1,3}"
#: numbering style → pattern of a label at the start of a text (group 1: the number)
LABELS = {
    "一、": re.compile(rf"^({CN})、"),
    "（一）": re.compile(rf"^[（(]({CN})[)）]"),
    "1.": re.compile(r"^(\d{1,2})(?:[.．](?![\d.．])|、)"),
    "（1）": re.compile(r"^[（(](\d{1,2})[)）]"),
    "①": re.compile(r"^([①-⑳])"),
}
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
MARKER = re.compile(r"\s*\{([^{}]*)\}\s*$")
MARKERS = {".recommendations"}
REFERENCES_TITLES = ("参考文献", "参考资料", "参考书目")
REFERENCE_LABEL = re.compile(r"^\s*(\[\d{1,3}\]|［\d{1,3}］)\s*")
TABLE_CAPTION = re.compile(r"^表\s*(\d{1,3})(?:[　 ：:.．]\s*|(?=[^\d]))(.*)$")
IMAGE_CAPTION = re.compile(r"^图\s*(\d{1,3})(?:[　 ：:.．]\s*|(?=[^\d]))(.*)$")
UNIT = re.compile(r"^(.*?)[（(]?单位[：:]\s*([^）)]+)[）)]?\s*$")
SOURCE_LINE = re.compile(r"^(数据来源|资料来源|来源)[：:]\s*(.+)$")
ABSTRACT = re.compile(r"^[【\[]?(内容提要|摘要|提要)[】\]]?[：:]?\s*(.+)$", re.DOTALL)
KEYWORDS = re.compile(r"^[【\[]?(关键词|关键字)[】\]]?[：:]?\s*(.+)$")
NAME = r"(?:[\u4e00-\u9fff]{2,4}(?:[·•][\u4e00-\u9fff]{1,6})?|[A-Z][A-Za-z.\-]+(?: [A-Z][A-Za-z.\-]+){0,2})"
BYLINE_PART = re.compile(rf"({NAME}(?:[　 、，,]+{NAME})*)\s*(?:[（(]([^（）()]+)[）)])?")
PLACEHOLDER = "【待填"


def chinese_number(text: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十三 → 23."""
    if text == "十":
        return 10
    if "十" in text:
        tens, _sep, ones = text.partition("十")
        return (CHINESE_DIGITS[tens] if tens else 1) * 10 + (CHINESE_DIGITS[ones] if ones else 0)
    return CHINESE_DIGITS[text]


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


@dataclass
class Label:
    """A point's number at the start of a text, as written."""

    style: str
    number: int
    written: str

    @property
    def rank(self) -> int:
        return NUMBERING_STYLES.index(self.style)


def find_label(text: str) -> Label | None:
    for style, pattern in LABELS.items():
        m = pattern.match(text)
        if m:
            num = m.group(1)
            if style == "①":
                number = CIRCLED.index(num) + 1
            elif num.isdigit():
                number = int(num)
            else:
                try:
                    number = chinese_number(num)
                except KeyError:
                    continue
            return Label(style, number, m.group(0))
    return None


def label_for(style: str, number: int, like: str = "") -> str:
    """The label of point `number` in `style`, punctuated like the label `like`."""
    if style == "一、":
        return f"{chinese_numeral(number)}、"
    if style == "（一）":
        return f"（{chinese_numeral(number)}）"
    if style == "1.":
        return f"{number}{like[-1] if like and like[-1] in '.．、' else '.'}"
    if style == "（1）":
        return f"（{number}）"
    return CIRCLED[number - 1] if 0 < number <= len(CIRCLED) else f"({number})"


@dataclass
class Body:
    """What the body holds: its articles and the footnotes they cite (in citing order)."""

    articles: list[Article] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)


class _Parser:
    """One pass over the token stream; state: current article, section and open points."""

    def __init__(self, text: str, path: Path, first_line: int, problems: Problems):
        self.text, self.path, self.problems = text, path, problems
        self.offset = first_line - 1
        self.first_line = first_line
        self.body = Body()
        self.article: Article | None = None
        self.section: Section | None = None
        self.stack: list[tuple[Point, Label]] = []
        self.references = False
        self.definitions: dict[str, Footnote] = {}
        self.cited: dict[str, Footnote] = {}
        self.misnumbered: set[int] = set()
        self.image_paragraphs: dict[int, Paragraph] = {}

    # ------------------------------------------------------------------ helpers
    def line(self, tok: Token) -> int:
        return (tok.map[0] if tok.map else 0) + 1 + self.offset

    def add(self, ln: int, where: str, message: str) -> None:
        self.problems.add(self.path, ln, where, message)

    def ensure_article(self, ln: int) -> Article:
        if self.article is None:
            self.article = Article(len(self.body.articles) + 1, "", [], [], Source(self.path, ln))
            self.body.articles.append(self.article)
        return self.article

    def target(self, ln: int) -> list[Block]:
        """The block list new blocks go to: the open point, the section, or the preamble."""
        if self.stack:
            return self.stack[-1][0].blocks
        if self.section is not None:
            return self.section.intro
        return self.ensure_article(ln).preamble

    def inline(self, inline: Token, ln: int, check_bold: bool = True) -> Paragraph:
        """A piece of inline text as a Paragraph: plain text, Markdown, footnotes cited."""
        self.check_inline(inline, ln)
        plain = plain_text(inline).replace("\n", "")
        md = inline.content.replace("\n", "")
        para = Paragraph(plain, Source(self.path, ln), md, tokens=list(inline.children or []))
        for child in inline.children or []:
            if child.type == "footnote_ref":
                label = child.meta["label"]
                note = self.definitions.get(label)
                if note is None:
                    continue
                if label not in self.cited:
                    note.number = len(self.cited) + 1
                    note.id = f"fn{note.number}"
                    self.cited[label] = note
                    self.body.footnotes.append(note)
                para.notes.append(note)
        if check_bold:
            self.check_bold(para, ln)
        return para

    def check_bold(self, para: Paragraph, ln: int) -> None:
        """'**' left in the text: CommonMark does not close bold after 。 when a Chinese
        character follows ("**加强预算约束。**严格"), and the stars would be printed."""
        m = re.search(r"(\*\*|__)([^*_]+?)([。！？：；，、])\1(?=\w)", para.text)
        if m:
            self.add(ln, "body", _("'{bold}' is not read as bold: CommonMark ends bold after "
                                   "a punctuation mark only before a space or another mark; "
                                   "write '{fix}'").format(
                                       bold=m.group(0), fix=f"{m.group(1)}{m.group(2)}"
                                       f"{m.group(1)}{m.group(3)}"))
        elif re.search(r"\*\*|__", para.text):
            self.add(ln, "body", _("'**' or '__' is printed as it is (bold that is not closed); "
                                   "close it, or remove it"))

    def check_inline(self, inline: Token, ln: int) -> None:
        check_references(inline, self.path, ln, self.problems)
        html_seen = False
        for child in inline.children or []:
            if child.type == "html_inline" and not html_seen:
                html_seen = True
                self.add(ln, "body", _("raw HTML '{html}' is not part of the format; write the "
                                       "text itself, and use **bold** or *emphasis* for "
                                       "markup").format(html=child.content[:40]))
            elif child.type == "text" and (orphan := re.search(r"\[\^[^\]\s]+\]", child.content)):
                mark = orphan.group()
                self.add(ln, "footnote", _("the footnote {mark} has no text; add a line "
                                           "'{mark}: 注释内容' below the paragraph, or remove "
                                           "the mark").format(mark=mark))

    # ------------------------------------------------------------------ footnotes
    def collect_definitions(self, tokens: list[Token], env: dict[str, Any]) -> None:
        """Footnote texts from the footnote block, with the lines they were written on."""
        lines = self.text.split("\n")
        where: dict[str, int] = {}
        for n, raw in enumerate(lines, start=1):
            m = re.match(r"^ {0,3}\[\^([^\]]+)\]:", raw)
            if m and m.group(1) not in where:
                where[m.group(1)] = n + self.offset
        refs = (env.get("footnotes") or {}).get("refs") or {}
        for key, ref_id in refs.items():
            label = key[1:]
            if ref_id == -1:
                self.add(where.get(label, self.first_line), "footnote",
                         _("the footnote [^{label}] is never cited; put '[^{label}]' after the "
                           "words it explains, or remove its text").format(label=label))
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.type == "footnote_open":
                label = tok.meta["label"]
                ln = where.get(label, self.first_line)
                texts: list[str] = []
                mds: list[str] = []
                inline_tokens: list[Token] = []
                j = i + 1
                while tokens[j].type != "footnote_close":
                    t = tokens[j]
                    if t.type == "inline":
                        self.check_inline(t, ln)
                        texts.append(plain_text(t).replace("\n", ""))
                        mds.append(t.content.replace("\n", ""))
                        inline_tokens += t.children or []
                    elif t.type not in ("paragraph_open", "paragraph_close", "footnote_anchor"):
                        self.add(ln, "footnote", _("a footnote holds text only; write its list "
                                                   "or quotation as sentences"))
                    j += 1
                if not "".join(texts).strip():
                    self.add(ln, "footnote", _("the footnote [^{label}] is empty; write its "
                                               "text after the colon").format(label=label))
                self.definitions[label] = Footnote(label, 0, "".join(texts), "".join(mds),
                                                   Source(self.path, ln), tokens=inline_tokens)
                i = j
            i += 1

    # ------------------------------------------------------------------ blocks
    def parse(self) -> Body:
        env: dict[str, Any] = {}
        tokens = MARKDOWN.parse(self.text, env)
        self.collect_definitions(tokens, env)
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.type == "footnote_block_open":
                # to its own close: each footnote_close inside is at the block's level too,
                # so _skip_block would stop at the first one and read the rest as body text
                while i < len(tokens) and tokens[i].type != "footnote_block_close":
                    i += 1
                i += 1
                continue
            if tok.type == "heading_open":
                self.heading(tok, tokens[i + 1])
                i += 3
                continue
            if tok.type == "paragraph_open":
                self.paragraph(tokens[i + 1], self.line(tok))
                i += 3
                continue
            if tok.type in ("bullet_list_open", "ordered_list_open"):
                i = self.list_block(tokens, i)
                continue
            if tok.type == "blockquote_open":
                i = self.quote(tokens, i)
                continue
            if tok.type == "table_open":
                i = self.table(tokens, i)
                continue
            kind = {
                "fence": _("a code block is not part of the format; remove the ``` lines"),
                "code_block": _("an indented code block is not part of the format; remove the "
                                "indentation at the start of the lines"),
                "hr": _("a '---' rule is not part of the format; remove it (a second '---' "
                        "block is not allowed after the front matter)"),
                "html_block": _("raw HTML is not part of the format; write the text itself "
                                "(tables as Markdown pipe tables, see docs/content.md)"),
            }.get(tok.type)
            if kind:
                self.add(self.line(tok), "body", kind)
                i = _skip_block(tokens, i)
                continue
            i += 1
        self.finish()
        return self.body

    def heading(self, tok: Token, inline: Token) -> None:
        ln = self.line(tok)
        title, marker = _split_marker(inline.content.strip())
        self.check_inline(inline, ln)
        plain = _split_marker(plain_text(inline).strip())[0]
        if marker is not None and marker not in MARKERS:
            self.add(ln, "heading", _("unknown marker '{{{marker}}}'; the only marker is "
                                      "'{{.recommendations}}'").format(marker=marker))
        depth = int(tok.tag[1])
        if marker == ".recommendations" and depth != 2:
            self.add(ln, "heading", _("'{.recommendations}' marks a '##' section heading"))
        if depth == 1:
            if self.article is not None and not self.article.title and (
                    self.article.preamble or self.article.sections):
                self.add(ln, "heading", _("text comes before the first article title; move it "
                                          "below a '# 标题' line, or remove the '#' headings "
                                          "for an issue of one untitled article"))
            self.article = Article(len(self.body.articles) + 1, plain, [], [], Source(self.path, ln))
            self.body.articles.append(self.article)
            self.section, self.stack, self.references = None, [], False
            return
        if depth == 2:
            article = self.ensure_article(ln)
            self.stack = []
            if plain in REFERENCES_TITLES:
                self.references = True
                self.section = None
                article.references_title = plain
                if article.references:
                    self.add(ln, "heading", _("a second references list in one article; put "
                                              "every entry under one '## 参考文献'"))
                return
            if self.references:
                self.add(ln, "heading", _("a section after the references; '## {title}' must "
                                          "come before '## 参考文献'").format(title=plain))
            self.references = False
            self.section = Section(0, plain, [], [], Source(self.path, ln),
                                   is_recommendations=marker == ".recommendations")
            article.sections.append(self.section)
            return
        # ### and deeper: a numbered point, or an unnumbered sub-heading
        label = find_label(plain)
        if label is None:
            if depth == 3 and self.section is not None:
                self.target(ln).append(Heading(plain, Source(self.path, ln)))
            elif self.section is None:
                self.add(ln, "heading", _("a '{hashes}' heading comes before any '##' section; "
                                          "add the section heading above it").format(
                                              hashes="#" * depth))
            else:
                self.add(ln, "heading", _("'{hashes}' is too deep for an unnumbered heading; "
                                          "use '###' for a sub-heading, or begin it with its "
                                          "number like '#### （一）标题'").format(hashes="#" * depth))
            return
        if self.section is None:
            self.add(ln, "heading", _("a numbered point comes before any '##' section; add the "
                                      "section heading above it"))
            return
        headline = plain[len(label.written):].strip()
        if not headline:
            self.add(ln, "heading", _("the heading '{label}' has no title; write it after the "
                                      "number").format(label=label.written))
        self.open_point(label, headline, "heading", ln, [])

    def open_point(self, label: Label, headline: str, style: str, ln: int,
                   blocks: list[Block]) -> None:
        while self.stack and self.stack[-1][1].rank >= label.rank:
            self.stack.pop()
        if len(self.stack) >= 3:
            self.add(ln, "point", _("points are numbered at most three levels below a section; "
                                    "write '{label}' as a paragraph of the point "
                                    "'{parent}'").format(label=label.written,
                                                         parent=self.stack[-1][0].label))
            self.target(ln).extend(blocks)
            return
        assert self.section is not None  # the callers open points inside a section only
        siblings = self.stack[-1][0].points if self.stack else self.section.points
        self.check_number(siblings, label, ln)
        point = Point(label.number, label.written, headline, blocks, style, Source(self.path, ln),
                      numbering=label.style, level=len(self.stack) + 1)
        siblings.append(point)
        self.stack.append((point, label))

    def check_number(self, siblings: list[Point], label: Label, ln: int) -> None:
        """The first wrong label of a run of points at one level is the one problem
        reported for the run (the points after it are numbered from it, so they would
        all look wrong)."""
        if id(siblings) in self.misnumbered:
            return
        errors = len(self.problems.items)
        self._check_number(siblings, label, ln)
        if len(self.problems.items) > errors:
            self.misnumbered.add(id(siblings))

    def _check_number(self, siblings: list[Point], label: Label, ln: int) -> None:
        if not siblings:
            expected = label_for(label.style, 1, label.written)
            if label.number != 1:
                self.add(ln, "point", _("numbered '{label}' but it is the first point here; "
                                        "expected '{expected}'").format(label=label.written,
                                                                        expected=expected))
            return
        prev = siblings[-1]
        if prev.numbering != label.style:
            expected = label_for(prev.numbering, prev.number + 1, prev.label)
            self.add(ln, "point", _("numbered '{label}' after '{prev}' at the same level; "
                                    "expected '{expected}' (or number all the points here in "
                                    "one style)").format(label=label.written, prev=prev.label,
                                                         expected=expected))
        elif label.number != prev.number + 1:
            expected = label_for(label.style, prev.number + 1, prev.label)
            self.add(ln, "point", _("numbered '{label}' after '{prev}'; expected "
                                    "'{expected}'").format(label=label.written, prev=prev.label,
                                                           expected=expected))

    def paragraph(self, inline: Token, ln: int) -> None:
        para = self.inline(inline, ln, check_bold=False)
        if self.references:
            self.reference(para, ln)
            return
        image = _only_image(inline)
        if image is not None:
            block = Image(str(image.attrGet("src") or ""), plain_text(image), "", 0, "",
                          Source(self.path, ln))
            self.image_paragraphs[id(block)] = para  # an image without a caption stays inline
            self.target(ln).append(block)
            return
        article = self.ensure_article(ln)
        if self.section is None and not self.stack:
            if (article.title and not article.authors and not article.preamble
                    and not article.abstract and (authors := _byline(para.text)) is not None):
                article.byline = para.text
                article.authors = authors
                return
            m = ABSTRACT.match(para.text)
            if m and article.abstract is None and not article.preamble:
                article.abstract_label = m.group(1)
                md = ABSTRACT.match(para.markdown)
                para.tokens = drop_leading_characters(para.tokens, m.start(2))
                para.text = m.group(2)
                para.markdown = md.group(2) if md else m.group(2)
                article.abstract = para
                return
            m = KEYWORDS.match(para.text)
            if m and not article.keywords and not article.preamble:
                article.keywords_label = m.group(1)
                article.keywords = [k for k in re.split(r"[；;，,、\s]+", m.group(2)) if k]
                return
        label = find_label(para.text)
        if label is not None and self.section is not None and not _is_caption(para.text):
            rest = para.text[len(label.written):].lstrip()
            para.tokens = drop_leading_characters(para.tokens, len(para.text) - len(rest))
            para.text = rest
            para.markdown = _strip_label(para.markdown, label.written)
            head, rest = split_lead(para.markdown)
            if para.markdown.startswith(("**", "__")) and head != para.markdown:
                # a bold headline: its text without the stars CommonMark may have left
                para.text = (plain_text(MARKDOWN.parseInline(head)[0])
                             + plain_text(MARKDOWN.parseInline(rest)[0]))
            self.check_bold(para, ln)
            self.open_point(label, _lead_headline(para), "lead", ln, [para])
            return
        self.check_bold(para, ln)
        self.target(ln).append(para)

    def reference(self, para: Paragraph, ln: int, label: str | None = None) -> None:
        article = self.ensure_article(ln)
        if label is None:
            m = REFERENCE_LABEL.match(para.text)
            if not m:
                self.add(ln, "references", _("an entry of the references list begins with its "
                                             "number, like '[1] 作者. 题名[J]. 刊名, 2019(3).'"))
                return
            label = m.group(1)
            para.tokens = drop_leading_characters(para.tokens, m.end())
            para.text = para.text[m.end():]
            mm = REFERENCE_LABEL.match(para.markdown.replace("\\[", "[").replace("\\]", "]"))
            para.markdown = para.markdown.replace("\\[", "[").replace("\\]", "]")[mm.end():] if mm \
                else para.text
        article.references.append(Reference(label, para))

    def list_block(self, tokens: list[Token], i: int) -> int:
        open_tok = tokens[i]
        ln = self.line(open_tok)
        ordered = open_tok.type == "ordered_list_open"
        start = int(open_tok.attrGet("start") or 1) if ordered else 1
        close = _skip_block(tokens, i)
        items: list[Paragraph] = []
        j = i + 1
        item_paras = 0
        while j < close - 1:
            tok = tokens[j]
            if tok.type == "list_item_open":
                item_paras = 0
            elif tok.type in ("ordered_list_open", "bullet_list_open", "blockquote_open",
                              "table_open", "fence", "code_block", "heading_open",
                              "html_block"):
                self.add(self.line(tok), "body", _("a list item holds text only (no list, "
                                                   "quotation, table or heading inside a list "
                                                   "item); write it as paragraphs after the "
                                                   "list"))
                j = _skip_block(tokens, j)
                continue
            elif tok.type == "paragraph_open":
                item_paras += 1
                para = self.inline(tokens[j + 1], self.line(tok))
                if item_paras > 1:
                    self.add(self.line(tok), "body", _("a list item has a second paragraph; "
                                                       "join it to the item's first line, or "
                                                       "write it after the list"))
                else:
                    items.append(para)
                j += 3
                continue
            j += 1
        if self.references:
            for n, para in enumerate(items, start=start):
                self.reference(para, para.source.line, f"[{n}]" if ordered else "")
            return close
        if items:
            self.target(ln).append(ListBlock(items, ordered, Source(self.path, ln), start))
        return close

    def quote(self, tokens: list[Token], i: int) -> int:
        ln = self.line(tokens[i])
        close = _skip_block(tokens, i)
        paras = []
        j = i + 1
        while j < close - 1:
            tok = tokens[j]
            if tok.type == "paragraph_open":
                paras.append(self.inline(tokens[j + 1], self.line(tok)))
                j += 3
                continue
            if tok.nesting == 1 or tok.type in ("fence", "code_block", "html_block", "hr"):
                self.add(self.line(tok), "body", _("a quotation holds paragraphs only; write "
                                                   "lists, tables and headings outside the "
                                                   "'>' lines"))
                j = _skip_block(tokens, j)
                continue
            j += 1
        if paras:
            self.target(ln).append(Quote(paras, Source(self.path, ln)))
        return close

    def table(self, tokens: list[Token], i: int) -> int:
        open_tok = tokens[i]
        ln = self.line(open_tok)
        close = _skip_block(tokens, i)
        header: list[Paragraph] = []
        rows: list[list[Paragraph]] = []
        align: list[str] = []
        row: list[Paragraph] | None = None
        row_line = ln
        for j in range(i + 1, close):
            tok = tokens[j]
            if tok.type == "tr_open":
                row = []
                row_line = self.line(tok) if tok.map else row_line
            elif tok.type in ("th_open", "td_open"):
                style = tok.attrGet("style") or ""
                m = re.search(r"text-align:(\w+)", str(style))
                if tok.type == "th_open":
                    align.append(m.group(1) if m else "")
            elif tok.type == "inline" and row is not None:
                row.append(self.inline(tok, row_line))
            elif tok.type == "tr_close" and row is not None:
                if not header:
                    header = row
                else:
                    rows.append(row)
                row = None
        # markdown-it pads short rows and drops extra cells: check the rows as written
        lines = self.text.split("\n")
        assert open_tok.map is not None  # markdown-it maps every block token to its lines
        first, last = open_tok.map
        for n in range(first, last):
            if n == first + 1:
                continue  # the delimiter row
            cells = _count_cells(lines[n])
            if cells != len(header):
                self.add(n + 1 + self.offset, "table",
                         _("this row has {cells} cells but the table has {columns} columns; "
                           "give every row {columns} cells (an empty cell is written '| |')")
                         .format(cells=cells, columns=len(header)))
        if not rows:
            self.add(ln, "table", _("the table has a header but no rows; add its rows below "
                                    "the '| --- |' line"))
        self.target(ln).append(Table("", 0, "", header, rows, align, Source(self.path, ln)))
        return close

    # ------------------------------------------------------------------ after the pass
    def finish(self) -> None:
        articles = self.body.articles
        for a in articles:
            a.id = f"a{a.number}"
            _assemble(a.preamble, self)
            for s in a.sections:
                _assemble(s.intro, self)
                for p in _walk(s.points):
                    _assemble(p.blocks, self)
            if a.title and not a.sections:
                self.add(a.source.line, "article", _("the article '{title}' has no sections; add "
                                                     "'## 标题' headings with their text below "
                                                     "it").format(title=a.title))
        _number_and_check(self, articles)


def _walk(points: list[Point]) -> Iterator[Point]:
    for p in points:
        yield p
        yield from _walk(p.points)


def _count_cells(raw: str) -> int:
    """The cells of a pipe-table row as written (escaped pipes \\| are not separators)."""
    s = raw.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    return len(re.split(r"(?<!\\)\|", s))


def _is_caption(text: str) -> bool:
    return bool(TABLE_CAPTION.match(text) or IMAGE_CAPTION.match(text))


def _only_image(inline: Token) -> Token | None:
    """The image token when a paragraph holds an image and nothing else, else None."""
    kids = [c for c in inline.children or []
            if not (c.type in ("softbreak", "hardbreak") or (c.type == "text" and not c.content.strip()))]
    if len(kids) == 1 and kids[0].type == "image":
        return kids[0]
    return None


def _byline(text: str) -> list[Author] | None:
    """Authors and affiliations of a byline ("陈明　刘洋（某大学经济学院）"), or None."""
    text = text.strip()
    if not text or len(text) > 120 or re.search(r"[。！？；：:]", text):
        return None
    authors: list[Author] = []
    pos = 0
    while pos < len(text):
        m = BYLINE_PART.match(text, pos)
        if not m or m.end() == pos:
            return None
        names = [n for n in re.split(r"[　 、，,]+", m.group(1)) if n]
        # Latin names contain spaces: re-split only on the Chinese separators then
        if re.search(r"[A-Za-z]", m.group(1)):
            names = [n.strip() for n in re.split(r"[　、，,]+", m.group(1)) if n.strip()]
        authors += [Author(n, (m.group(2) or "").strip()) for n in names]
        pos = m.end()
        while pos < len(text) and text[pos] in "　 ，,、":
            pos += 1
    return authors or None


def drop_leading_characters(tokens: list[Token] | None, n: int) -> list[Token] | None:
    """The inline tokens without the first `n` characters of their text (a point's label,
    counted in the plain text): cut from the tokens the editions render, so that no part of
    a paragraph is ever parsed again from a string."""
    if tokens is None:
        return None
    out = []
    for tok in tokens:
        if n > 0 and tok.type in ("text", "code_inline"):
            cut = tok.content[:n]
            n -= len(cut)
            if len(cut) == len(tok.content):
                continue
            tok = copy.copy(tok)
            rest = tok.content[len(cut):]
            tok.content = rest.lstrip() if n == 0 and tok.type == "text" else rest
        elif n > 0 and tok.type in ("softbreak", "hardbreak"):
            continue
        out.append(tok)
    return out


def _strip_label(markdown: str, written: str) -> str:
    """The Markdown of a numbered paragraph without its label (bold kept balanced)."""
    m = re.match(r"^(\*\*|__)?\s*" + re.escape(written) + r"\s*", markdown)
    if not m:
        return markdown
    rest = markdown[m.end():]
    bold = m.group(1) or ""
    if bold and rest.startswith(bold):  # "**（一）**规模……": the bold held the label only
        return rest[len(bold):]
    return bold + rest


BOLD_HEAD = re.compile(r"^(\*\*|__)(.+?)\1")


def _lead_headline(para: Paragraph) -> str:
    """The headline of a numbered paragraph: its bold opening, or its first sentence."""
    m = BOLD_HEAD.match(para.markdown)
    if m:
        tokens = MARKDOWN.parseInline(m.group(2))
        return plain_text(tokens[0]).rstrip("。！？ ")
    return first_sentence(para.text)[0].rstrip("。！？")


def split_lead(markdown: str) -> tuple[str, str]:
    """(headline, rest) of a numbered paragraph's Markdown: the bold opening when it has one
    (with a sentence mark right after it kept in the headline), else the first sentence.
    For the plain text of the headline only: the editions split the paragraph's tokens
    (huoye.render.html.split_lead_tokens), never this string."""
    m = BOLD_HEAD.match(markdown)
    if m:
        head, rest = m.group(2), markdown[m.end():]
        if rest[:1] in ("。", "！", "？", "：", ":"):
            head, rest = head + rest[0], rest[1:]
        return head, rest
    return first_sentence(markdown)


def _assemble(blocks: list[Block], parser: _Parser) -> None:
    """Join captions, units and source lines to the table or image they belong to."""
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if isinstance(b, Table):
            prev = blocks[i - 1] if i > 0 else None
            unit = UNIT.match(prev.text) if isinstance(prev, Paragraph) else None
            if unit and not unit.group(1).strip():
                b.unit = unit.group(2).strip()
                blocks.pop(i - 1)
                i -= 1
                prev = blocks[i - 1] if i > 0 else None
            if isinstance(prev, Paragraph) and (m := TABLE_CAPTION.match(prev.text)):
                b.label, b.number, title = prev.text[: m.start(2)].strip(), int(m.group(1)), m.group(2)
                u = UNIT.match(title)
                if u and u.group(1).strip():
                    title, b.unit = u.group(1).strip(), u.group(2).strip()
                b.title = title.strip()
                b.source = prev.source
                blocks.pop(i - 1)
                i -= 1
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            if isinstance(nxt, Paragraph) and (m := SOURCE_LINE.match(nxt.text)):
                b.data_source_label, b.data_source = m.group(1), m.group(2).strip()
                blocks.pop(i + 1)
        elif isinstance(b, Image):
            for j in (i + 1, i - 1):
                near = blocks[j] if 0 <= j < len(blocks) else None
                if isinstance(near, Paragraph) and (m := IMAGE_CAPTION.match(near.text)):
                    b.label, b.number = near.text[: m.start(2)].strip(), int(m.group(1))
                    b.title = m.group(2).strip()
                    blocks.pop(j)
                    if j < i:
                        i -= 1
                    break
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            if isinstance(nxt, Paragraph) and (m := SOURCE_LINE.match(nxt.text)):
                b.data_source_label, b.data_source = m.group(1), m.group(2).strip()
                blocks.pop(i + 1)
            if not b.label and not b.data_source:
                blocks[i] = parser.image_paragraphs[id(b)]
        i += 1


def _split_marker(title: str) -> tuple[str, str | None]:
    m = MARKER.search(title)
    if not m:
        return title, None
    return title[: m.start()].strip(), m.group(1).strip()


def _number_and_check(parser: _Parser, articles: list[Article]) -> None:
    path, problems, first_line = parser.path, parser.problems, parser.first_line
    n = 0
    sec_no = 0
    tables = 0
    for a in articles:
        for b in a.preamble:
            if isinstance(b, Paragraph):
                n += 1
                b.id = f"p{n}"
        for s in a.sections:
            sec_no += 1
            s.number = sec_no
            s.id = f"s{s.number}"
            for b in s.intro:
                if isinstance(b, Paragraph):
                    n += 1
                    b.id = f"p{n}"

            def number_points(points: list[Point], prefix: str) -> None:
                nonlocal n
                for k, pt in enumerate(points, start=1):
                    pt.id = f"{prefix}-{k}"
                    if pt.style == "heading" and not pt.blocks and not pt.points:
                        problems.add(path, pt.source.line, "point",
                                     _("point '{label}{headline}' has no text; add its "
                                       "paragraphs below it").format(label=pt.label,
                                                                     headline=pt.headline))
                    for b in pt.blocks:
                        if isinstance(b, Paragraph):
                            n += 1
                            b.id = f"p{n}"
                    number_points(pt.points, pt.id)
            number_points(s.points, s.id)
            if not s.intro and not s.points:
                problems.add(path, s.source.line, "section",
                             _("section '{title}' is empty; add its text").format(title=s.title))
        for k, b in enumerate(a.all_blocks, start=1):
            if not b.id:
                b.id = f"{a.id}-b{k}"
            if isinstance(b, Table) and b.label:
                tables += 1
                if b.number != tables:
                    problems.add(path, b.source.line, "table",
                                 _("the table is numbered '{label}' but it is table {n} of the "
                                   "issue; number the tables 表1, 表2 … in order")
                                 .format(label=b.label, n=tables))
                    tables = b.number
    if not any(a.sections for a in articles):
        problems.add(path, first_line, "body", _("the body has no sections; add '## 标题' "
                                                 "headings with their text below the front "
                                                 "matter"))
    marked = [s for a in articles for s in a.sections if s.is_recommendations]
    if any(a.sections for a in articles) and not marked:
        problems.add(path, first_line, "body",
                     _("no recommendations section; mark its heading like "
                       "'## 对策建议 {.recommendations}'"))
    for a in articles:
        for extra in [s for s in a.sections if s.is_recommendations][1:]:
            problems.add(path, extra.source.line, "heading",
                         _("a second '{.recommendations}' section in one article; only one "
                           "section of an article holds its recommendations"))
    for s in marked:
        if not s.points:
            problems.add(path, s.source.line, "section",
                         _("the recommendations section has no numbered points; begin each "
                           "with its number, like '1.' or '（一）'"))


def parse_body(text: str, path: Path, first_line: int, problems: Problems) -> Body:
    """Parse the body (its first line is line `first_line` of `path`) into articles."""
    return _Parser(text, path, first_line, problems).parse()


def _skip_block(tokens: list[Token], i: int) -> int:
    """Index after the block that starts at tokens[i]."""
    tok = tokens[i]
    if tok.nesting != 1:
        return i + 1
    level = tok.level
    i += 1
    while i < len(tokens) and not (tokens[i].nesting == -1 and tokens[i].level == level):
        i += 1
    return i + 1


def plain_text(inline: Token) -> str:
    """The text of an inline token as a reader sees it (markup and footnote marks removed)."""
    out = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("")
        elif child.type == "image":
            out.append(plain_text(child) if child.children else "")
    return "".join(out)


def check_references(inline: Token, path: Path, ln: int, problems: Problems) -> None:
    """Images and links may only name files inside the issue folder; no network, no file://."""
    folder = path.parent.resolve()
    for child in inline.children or []:
        if child.type == "image":
            ref, what = str(child.attrGet("src") or ""), "image"
        elif child.type == "link_open":
            ref, what = str(child.attrGet("href") or ""), "link"
            if re.match(r"^(https?|mailto):", ref, re.IGNORECASE):
                continue  # a web link is text for the reader; nothing is fetched
        else:
            continue
        if what == "link" and re.match(r"^[a-z][a-z0-9+.-]*:", ref, re.IGNORECASE):
            problems.add(path, ln, what,
                         _("'{ref}' is neither a web address (https://…) nor a file of the "
                           "issue folder; write the web address, or remove the link").format(ref=ref))
            continue
        if re.match(r"^[a-z][a-z0-9+.-]*:", ref, re.IGNORECASE) or ref.startswith(("/", "\\")):
            problems.add(path, ln, what,
                         _("'{ref}' is outside the issue folder; copy the file into {folder}/ "
                           "and refer to it by its name").format(ref=ref, folder=path.parent.name))
            continue
        name = unquote(urlsplit(ref).path)
        if what == "link" and not name:
            continue  # a link to a place on the same page (#…)
        target = (folder / name).resolve()
        if folder not in target.parents:
            problems.add(path, ln, what,
                         _("'{ref}' points outside the issue folder; copy the file into {folder}/ "
                           "and refer to it by its name").format(ref=ref, folder=path.parent.name))
        elif what == "image" and not target.is_file():
            problems.add(path, ln, what, _("'{ref}' does not exist in {folder}/; check the name").format(
                ref=ref, folder=path.parent.name))
        elif what == "image":
            trouble = inspect_image(target)
            if trouble:
                problems.add(path, ln, what, trouble)
