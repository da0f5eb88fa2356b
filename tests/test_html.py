"""The web edition: one self-contained HTML file, content printed literally, never executed."""
from __future__ import annotations

import copy
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from huoye.errors import RenderError
from huoye.load import load_archive
from huoye.render import RenderOptions, html

ROOT = Path(__file__).resolve().parents[1]
OPTIONS = RenderOptions(templates=ROOT / "templates")
# A 1×1 PNG.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d4944415478da63f8cfc0f01f0005000201a3e1a0b60000000049454e44ae426082")


class Links(HTMLParser):
    """Collects (tag, attribute, value) of every src/href and the text of the page."""

    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.refs += [(tag, k, v or "") for k, v in attrs if k in ("src", "href")]

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> Links:
    links = Links()
    links.feed(page)
    return links


@pytest.fixture(scope="module")
def issue():
    [issue] = load_archive(ROOT / "content")
    return issue


@pytest.fixture(scope="module")
def page(issue) -> str:
    return html.render(issue, OPTIONS).decode("utf-8")


def test_is_a_chinese_html_page(page, issue):
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in page
    assert f"<title>{issue.title}</title>" in page


def test_has_every_paragraph_heading_and_chart(page, issue):
    text = re.sub(r"\s+", "", "".join(parse(page).text))
    pos = 0
    for paragraph in issue.paragraphs:
        found = text.find(re.sub(r"\s+", "", paragraph.text), pos)
        assert found >= 0, f"{paragraph.source}: paragraph missing or out of order"
        pos = found
    for entry in issue.contents:
        assert f'id="{entry.id}"' in page and f'href="#{entry.id}"' in page
    assert page.count("<svg") == len(issue.charts)
    for chart in issue.charts:
        assert chart.title in page


def test_is_self_contained(page):
    links = parse(page)
    assert "script" not in links.tags
    assert [r for r in links.refs if r[0] == "link"] == [("link", "href", "data:,")]  # the empty icon
    for tag, attr, value in links.refs:
        if value.startswith(("#", "data:")):
            continue
        assert tag == "a" and attr == "href" and re.match(r"https?://", value), (tag, attr, value)
    assert "<style>" in page and "--brand: #9e1b1b" in page


def test_content_is_printed_literally(issue):
    tricky = copy.deepcopy(issue)
    tricky.paragraphs[0].text = tricky.paragraphs[0].markdown = "{{ 7*7 }} <script>alert(1)</script> 结束。"
    tricky.paragraphs[0].tokens = None  # rendered from its markdown, as if made by hand
    tricky.sections[0].title = "{% if true %}<b>标题</b>{% endif %}"
    page = html.render(tricky, OPTIONS).decode("utf-8")
    assert "{{ 7*7 }} &lt;script&gt;alert(1)&lt;/script&gt; 结束。" in page
    assert "{% if true %}&lt;b&gt;标题&lt;/b&gt;{% endif %}" in page
    assert "<script>" not in page and "<b>标题" not in page


def test_markdown_of_paragraphs_is_rendered(issue):
    rich = copy.deepcopy(issue)
    rich.paragraphs[0].markdown = "**加粗** 与 *强调* 及 [链接](https://www.mof.gov.cn/)。"
    rich.paragraphs[0].tokens = None  # rendered from its markdown, as if made by hand
    page = html.render(rich, OPTIONS).decode("utf-8")
    assert "<strong>加粗</strong> 与 <em>强调</em>" in page
    assert '<a href="https://www.mof.gov.cn/">链接</a>' in page


def test_images_become_data_uris(issue, tmp_path):
    pictured = copy.deepcopy(issue)
    (tmp_path / "chart.png").write_bytes(PNG)
    pictured.folder = tmp_path
    pictured.paragraphs[1].markdown = "![产业链示意](chart.png)" + pictured.paragraphs[1].markdown
    pictured.paragraphs[1].tokens = None  # rendered from its markdown, as if made by hand
    page = html.render(pictured, OPTIONS).decode("utf-8")
    assert 'src="data:image/png;base64,iVBORw0KGgo' in page


def test_image_outside_the_issue_folder_is_refused(issue):
    bad = copy.deepcopy(issue)
    bad.paragraphs[1].markdown = "![x](../../../etc/hostname)"
    bad.paragraphs[1].tokens = None  # rendered from its markdown, as if made by hand
    with pytest.raises(RenderError, match=re.escape(str(bad.paragraphs[1].source))):
        html.render(bad, OPTIONS)


def test_bad_brand_colour_is_an_error_naming_series_yaml(issue):
    bad = copy.deepcopy(issue)
    bad.series.brand.colour = "red; } body { display: none"
    with pytest.raises(RenderError, match="series.yaml"):
        html.render(bad, OPTIONS)
