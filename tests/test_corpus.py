"""The test corpus (tests/fixtures/issues/: issues unlike the sample) built to all three
formats, and the completeness check: every Han character and every number of an issue's
body reaches the PDF, the HTML and the deck.

- PDF (poppler's pdftotext, page by page): the body without its footnotes is a
  subsequence of the text of all pages in page order (running heads, repeated table
  headers and the contents page are extra text, allowed); each footnote is a subsequence
  of the text of one page, the page that also holds the words just before its mark.
- HTML (lxml's text of <body>, elements apart; aria-hidden padding left out): the body and each footnote are subsequences of it.
- Deck (python-pptx: every slide's shapes, tables included, then its speaker notes, slide
  after slide): the body is a subsequence of the deck's text in slide order, each article's
  参考文献 list aside, which the deck reads with the article's opening slide (its speaker
  notes) and which must be there in order too; each footnote is a subsequence of the deck.
  (That the corpus decks keep their text inside their boxes is checked in LibreOffice by
  tests/test_deck_package.py.)

Run on every issue of the corpus and on the sample; each issue is built once per session.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CONTENT, CORPUS, ROOT, SAMPLE

ISSUES = sorted(p.name for p in CORPUS.iterdir() if (p / "issue.md").is_file())
TOKEN = re.compile(r"[\u4e00-\u9fff]|\d+(?:\.\d+)?")


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def missing_from(needle: list[str], hay: list[str]) -> list[str] | None:
    """None when `needle` is a subsequence of `hay`; else the tokens from the first one
    that could not be matched (for the failure message)."""
    it = 0
    for k, t in enumerate(needle):
        while it < len(hay) and hay[it] != t:
            it += 1
        if it == len(hay):
            return needle[k: k + 30]
        it += 1
    return None


FOOTNOTE_DEF = re.compile(r"^\[\^([^\]]+)\]:\s*(.*)$")


def source_body(issue_md: Path) -> tuple[str, dict[str, str], dict[str, str]]:
    """(body text without footnote definitions, {label: footnote text}, {label: the words
    before its first mark}) with Markdown syntax that is not printed removed."""
    text = issue_md.read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]
    notes, before, lines = {}, {}, []
    for line in body.split("\n"):
        m = FOOTNOTE_DEF.match(line)
        if m:
            notes[m.group(1)] = m.group(2)
            continue
        lines.append(line)
    body = "\n".join(lines)
    for label in notes:
        mark = body.index(f"[^{label}]")
        before[label] = "".join(tokens(re.sub(r"\[\^[^\]]+\]", "", body[:mark]))[-6:])
    body = re.sub(r"\[\^[^\]]+\]", "", body)          # footnote marks (printed as numbers)
    body = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", body)   # images: their alt text is not printed
    body = body.replace("{.recommendations}", "")
    return body, notes, before


REFERENCES = re.compile(r"^## 参考文献[^\n]*\n(.*?)(?=^# |\Z)", re.M | re.S)


def without_references(body: str) -> tuple[str, list[str]]:
    """The body without its articles' 参考文献 lists, and those lists (heading included)."""
    lists = [m.group(0) for m in REFERENCES.finditer(body)]
    return REFERENCES.sub("", body), lists


def pdf_pages(pdf: Path) -> list[str]:
    run = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                         text=True, check=True, timeout=120)
    return run.stdout.split("\f")


def html_text(html: Path) -> str:
    from lxml import html as lxml_html

    tree = lxml_html.fromstring(html.read_bytes())
    body = tree.find("body")
    # hidden padding (zeros that align a table column on the decimal point) is not read
    for hidden in body.xpath('.//*[@aria-hidden="true"]'):
        hidden.drop_tree()
    return " ".join(body.itertext())


def deck_text(pptx: Path) -> str:
    from pptx import Presentation

    prs = Presentation(str(pptx))
    out = []
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                out.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                out += [c.text for row in shape.table.rows for c in row.cells]
        if slide.has_notes_slide:
            out.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(out)


def cases():
    return [pytest.param(("corpus", s), id=s) for s in ISSUES] + [pytest.param(("sample", SAMPLE.name), id="sample")]


@pytest.fixture
def issue_outputs(request, built_corpus, built_sample):
    kind, slug = request.param
    if kind == "sample":
        return CONTENT / slug / "issue.md", built_sample
    return CORPUS / slug / "issue.md", built_corpus[slug]


@pytest.mark.parametrize("issue_outputs", cases(), indirect=True)
def test_every_word_and_number_of_the_body_is_in_every_output(issue_outputs):
    source, outputs = issue_outputs
    body, notes, before = source_body(source)
    want = tokens(body)
    assert len(want) > 200  # the check has something to check

    pages = pdf_pages(outputs["pdf"])
    lost = missing_from(want, tokens("\n".join(pages)))
    assert lost is None, f"PDF lacks (in reading order) from: {''.join(lost)}"
    for label, note in notes.items():
        on = [k for k, page in enumerate(pages)
              if missing_from(tokens(before[label]), tokens(page)) is None
              and missing_from(tokens(note), tokens(page)) is None]
        assert on, f"footnote [^{label}] is not at the foot of the page citing it"

    page = tokens(html_text(outputs["html"]))
    lost = missing_from(want, page)
    assert lost is None, f"HTML lacks (in reading order) from: {''.join(lost)}"
    for label, note in notes.items():
        assert missing_from(tokens(note), page) is None, f"HTML lacks footnote [^{label}]"

    deck = tokens(deck_text(outputs["pptx"]))
    read, references = without_references(body)
    lost = missing_from(tokens(read), deck)
    assert lost is None, f"deck lacks (in slide order) from: {''.join(lost)}"
    for part in [*references, *notes.values()]:
        lost = missing_from(tokens(part), deck)
        assert lost is None, f"deck lacks {part[:40]!r} from: {''.join(lost)}"


def test_the_check_is_not_blind(built_corpus):
    """The subsequence check fails when a word is missing or out of order, and the deck's
    text is read slide after slide, each slide's notes after its shapes."""
    body = tokens("专项债券发行规模1280亿元")
    assert missing_from(body, tokens("专项债券发行规模1280亿元，增长")) is None
    assert missing_from(body, tokens("专项债券发行规模亿元")) is not None
    assert missing_from(body, tokens("1280亿元专项债券发行规模")) is not None
    text, lists = without_references("# 甲\n\n正文一\n\n## 参考文献\n\n[1] 文献\n\n# 乙\n\n正文二\n")
    assert tokens(text) == tokens("甲 正文一 乙 正文二") and tokens("".join(lists)) == tokens("参考文献 1 文献")
    deck = tokens(deck_text(built_corpus["2021-01"]["pptx"]))
    first, second = "地方政府专项债券资金使用效率研究", "基层“三保”支出保障机制的实践与思考"
    assert missing_from(tokens(first + second), deck) is None
    assert missing_from(tokens(second + "提高资金使用效率的对策建议"), deck) is not None  # in order


@pytest.mark.parametrize("slug", ISSUES)
def test_huoye_check_says_ok_for_every_corpus_issue(slug):
    run = subprocess.run([sys.executable, "-m", "huoye", "check", str(CORPUS / slug)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert f"{slug}: ok" in run.stdout + run.stderr


# ---------------------------------------------------------------- what each construct became


def _outline(pdf: Path) -> list[tuple[int, str]]:
    """The PDF's bookmarks as (depth, title), read by qpdf."""
    import json

    run = subprocess.run(["qpdf", "--json", "--json-key=outlines", str(pdf)], capture_output=True,
                         text=True, check=True, timeout=60)
    out: list[tuple[int, str]] = []

    def walk(items, depth):
        for it in items:
            out.append((depth, it["title"]))
            walk(it.get("kids", []), depth + 1)
    walk(json.loads(run.stdout)["outlines"], 0)
    return out


def test_articles_lead_the_bookmarks_contents_and_running_heads(built_corpus):
    pdf = built_corpus["2021-01"]["pdf"]
    outline = _outline(pdf)
    first, second = "地方政府专项债券资金使用效率研究", "基层“三保”支出保障机制的实践与思考"
    assert [t for d, t in outline if d == 0] == [first, second]
    assert (1, "参考文献") in outline and (2, "一、发行节奏前快后慢") in outline
    pages = pdf_pages(pdf)
    contents = pages[0]
    assert contents.index(first) < contents.index("陈明") < contents.index(second)
    # the running head names the article of the page
    assert first in pages[1].split("\n")[0] + pages[1][:200]
    assert second in pages[2][:200]
    assert "内容提要：" in pages[1] and "关键词：" in pages[1] and "摘要：" in pages[2]


def test_tables_are_three_line_tables_within_the_text_width_with_repeated_headers(built_corpus):
    pdf = built_corpus["2021-02"]["pdf"]
    pages = pdf_pages(pdf)
    header = tokens("地区 收入 支出 收入增长（%） 南湖县")  # the header row, then a row of page 2
    first = tokens("地区 收入 支出 收入增长（%） 甲市")
    on = [k for k, p in enumerate(pages) if missing_from(header, tokens(p)) is None
          or missing_from(first, tokens(p)) is None]
    assert len(on) >= 2, "the long table's header row is not repeated on the next page"
    run = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True, timeout=60)
    # a full-width closing mark that ends a line may be set in half an em (its ink is in its
    # left half): a PDF reader still gives it a whole em, half of it past the margin
    right = [float(x) - (5.25 if word[-1] in "，。、；：？！）》」』”’" else 0)
             for x, word in re.findall(r'xMax="([\d.]+)"[^>]*>([^<]+)</word>', run.stdout)]
    assert len(right) > 100 and max(right) <= 595.3 - 24 / 25.4 * 72 + 1  # A4 less the margin
    assert "| 地区" not in "".join(pages) and "---:" not in "".join(pages)


def test_the_web_edition_has_semantic_tables_and_linked_footnotes(built_corpus):
    from lxml import html as lxml_html

    tree = lxml_html.fromstring(built_corpus["2021-02"]["html"].read_bytes())
    tables = tree.xpath("//table[@class='table']")  # the body's tables (not the charts' data tables)
    assert len(tables) == 3
    for t in tables:
        assert t.xpath("caption") and t.xpath("thead/tr/th[@scope='col']")
        assert t.getparent().get("class") == "table-scroll" and t.getparent().get("tabindex") == "0"
    assert tables[0].xpath("string(caption)").startswith("表1") and "单位：亿元" in tables[0].xpath(
        "string(caption)")
    tree = lxml_html.fromstring(built_corpus["2021-01"]["html"].read_bytes())
    refs = tree.xpath("//sup[@class='fn-ref']/a")
    assert [r.text for r in refs] == ["1", "2", "1", "3"]  # note 1 is cited twice
    assert len(tree.xpath("//*[@id='fn1-ref']")) == 1
    for r in refs:
        target = tree.get_element_by_id(r.get("href")[1:])
        assert target.tag == "li" and target.text_content().strip()
    assert [s.text for s in tree.xpath("//sup[@class='cite']")][:2] == ["[1]", "[2]"]


def test_numbering_labels_are_printed_as_written_in_every_output(built_corpus):
    written = ["1．全口径预算体系基本建立", "（1）通用标准", "①评价指标设置偏重产出数量",
               "（三）信息化支撑仍显薄弱", "（一）加强预算约束"]
    outputs = built_corpus["2021-03"]
    pdf = re.sub(r"\s+", "", "".join(pdf_pages(outputs["pdf"])))
    html = re.sub(r"\s+", "", html_text(outputs["html"]))
    deck = re.sub(r"\s+", "", deck_text(outputs["pptx"]))
    for label in written:
        assert label in pdf and label in html and label in deck, label


def test_key_figures_and_chart_values_show_their_qualifiers(built_corpus):
    outputs = built_corpus["2021-02"]
    pdf = re.sub(r"\s+", "", "".join(pdf_pages(outputs["pdf"])))
    html = re.sub(r"\s+", "", html_text(outputs["html"]))
    for text in (pdf, html):
        assert "近3150亿元" in text and "70%以上" in text and "约1.8万亿元" in text
        assert "来源：省财政厅决算报表" in text
        assert "约18" in text and "近9" in text  # chart value labels
