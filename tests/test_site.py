"""The series web archive: output/index.html (issues newest first, their three editions,
the themes) and output/feed.xml (Atom, tag: ids), self-contained with relative links.
Opened in Debian's Chromium from file:// and from a static web server; the feed read by
feedparser."""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

import huoye

NAME = "测试财经周报"
SLUGS_NEWEST_FIRST = ["2026-01", "2025-02", "2025-01"]


@pytest.fixture(scope="session")
def published(scaffolded, tmp_path_factory):
    """The scaffolded project built with the library API, every format: its output folder."""
    out = tmp_path_factory.mktemp("site") / "output"
    results = huoye.build(scaffolded / "content", out=out, jobs=2)
    assert [r.error for r in results] == [None, None, None]
    return out


def links_and_resources(driver) -> tuple[list[str], list[str]]:
    """Every link's resolved URL, and every resource the page loaded (should be none)."""
    return (driver.execute_script("return [...document.querySelectorAll('a[href], link[href]')]"
                                  ".map(a => a.href)"),
            driver.execute_script("return performance.getEntriesByType('resource').map(r => r.name)"))


@pytest.mark.slow
def test_archive_page_works_from_file_and_from_a_static_host(published, chromium):
    from selenium.webdriver.common.by import By

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(published)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for base in (published.as_uri() + "/", f"http://127.0.0.1:{server.server_address[1]}/"):
            chromium.get(base + "index.html")
            items = chromium.find_elements(By.CSS_SELECTOR, "li.issue")
            assert [li.get_attribute("id") for li in items] == [f"issue-{s}" for s in SLUGS_NEWEST_FIRST]
            assert "2026年第1期（总第43期）" in items[0].text and "2026年01月22日" in items[0].text
            assert "数据要素" in items[0].text and "2025年第1期（总第41期）" in items[2].text
            assert [a.text for a in items[1].find_elements(By.TAG_NAME, "a")] == [
                "养老金融", "网页版", "PDF 简报", "演示文稿（PPTX）"]
            themes = chromium.find_element(By.CLASS_NAME, "themes").text.splitlines()
            assert [t.split("（")[0] for t in themes] == ["数据要素", "养老金融", "城市更新"]

            links, loaded = links_and_resources(chromium)
            assert loaded == []  # self-contained: no stylesheet, script, font or image fetched
            assert links[0] == "data:,"  # the icon: none, rather than a request for favicon.ico
            links = links[1:]
            assert len(links) == 1 + 3 * 4 + 3 + 1  # feed, 3 × (theme + 3 editions), themes, feed
            for url in links:
                assert url.startswith(base), url  # relative links only
                assert (published / unquote(url[len(base):])).is_file(), url

            chromium.find_element(By.CSS_SELECTOR, "#issue-2025-02 a.edition-html").click()
            assert chromium.title == f"{NAME} 2025年第2期：养老金融"
            assert "第三支柱个人养老金制度已在全国推开" in chromium.find_element(By.TAG_NAME, "main").text
            # the edition is self-contained too (but for the icon a browser asks a server for)
            assert [u for u in links_and_resources(chromium)[1] if not u.endswith("/favicon.ico")] == []
    finally:
        server.shutdown()
        server.server_close()
    if os.environ.get("HUOYE_SCREENSHOTS"):
        chromium.get(published.as_uri() + "/index.html")
        chromium.save_screenshot(os.path.join(os.environ["HUOYE_SCREENSHOTS"], "index.png"))


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def test_feed_is_atom_with_tag_ids_and_relative_links(published):
    feedparser = pytest.importorskip("feedparser")

    feed = feedparser.parse((published / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10" and feed.feed.title == NAME
    assert feed.feed.id.startswith("tag:huoye.invalid,2025-11-20:")
    assert [e.title for e in feed.entries] == [
        f"{NAME} 2026年第1期（总第43期）：数据要素", f"{NAME} 2025年第2期（总第42期）：养老金融",
        f"{NAME} 2025年第1期（总第41期）：城市更新"]
    ids = [e.id for e in feed.entries]
    assert len(set(ids)) == 3 and all(i.startswith("tag:huoye.invalid,") for i in ids)
    assert ids[0] == f"tag:huoye.invalid,2026-01-22:{quote_name()}/2026-01"
    assert feed.entries[0].published == "2026-01-22T00:00:00Z"
    assert feed.entries[1].summary == "人口老龄化对养老金融提出了新的要求。"
    for entry in feed.entries:
        kinds = {link.type: link.href for link in entry.links}
        assert set(kinds) == {"text/html", "application/pdf",
                              "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
        for href in kinds.values():
            assert not urlsplit(href).scheme and (published / unquote(href)).is_file(), href


def quote_name() -> str:
    from urllib.parse import quote

    return quote(NAME)


def test_with_a_base_url_the_feed_links_are_absolute_and_ids_use_its_host(scaffolded, tmp_path):
    feedparser = pytest.importorskip("feedparser")

    project = tmp_path / "bulletin"
    shutil.copytree(scaffolded, project, ignore=shutil.ignore_patterns("output"))
    series = project / "content" / "series.yaml"
    series.write_text(series.read_text(encoding="utf-8").replace(
        "# base_url: https://example.org/bulletin/", "base_url: https://zhoubao.example.cn/archive"),
        encoding="utf-8")
    out = tmp_path / "output"
    huoye.build(project / "content", out=out, formats=["html"])
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.id.startswith("tag:zhoubao.example.cn,2025-11-20:")
    self_link = next(link.href for link in feed.feed.links if link.rel == "self")
    assert self_link == "https://zhoubao.example.cn/archive/feed.xml"
    for entry in feed.entries:
        assert entry.id.startswith("tag:zhoubao.example.cn,")
        [link] = entry.links  # only the HTML edition was built
        assert link.href.startswith("https://zhoubao.example.cn/archive/20")
        assert (out / unquote(link.href.removeprefix("https://zhoubao.example.cn/archive/"))).is_file()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "https://" not in index  # the page itself stays relative: it works anywhere


def test_the_archive_follows_the_outputs_and_is_not_rewritten_when_nothing_changed(scaffolded, tmp_path):
    project = tmp_path / "bulletin"
    shutil.copytree(scaffolded, project, ignore=shutil.ignore_patterns("output"))
    out = tmp_path / "output"
    huoye.build(project / "content" / "2025-01", out=out, formats=["html"])
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "城市更新" in index and "养老金融" not in index  # only what output/ holds is listed
    assert "PDF 简报" not in index  # and only the editions that exist

    huoye.build(project / "content", out=out, formats=["html"])
    before = {p: p.stat().st_mtime_ns for p in (out / "index.html", out / "feed.xml")}
    assert "养老金融" in (out / "index.html").read_text(encoding="utf-8")
    huoye.build(project / "content", out=out, formats=["html"])
    assert {p: p.stat().st_mtime_ns for p in before} == before

    issue = project / "content" / "2025-02" / "issue.md"
    issue.write_text(issue.read_text(encoding="utf-8").replace("theme: 养老金融", "theme: 银发金融"),
                     encoding="utf-8")
    huoye.build(project / "content", out=out, formats=["html"])
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "银发金融" in index and "养老金融" not in index


def test_the_site_can_be_left_out(scaffolded, tmp_path):
    out = tmp_path / "output"
    huoye.build(scaffolded / "content", out=out, formats=["html"], site=False)
    assert sorted(p.name for p in out.iterdir()) == ["2025-01", "2025-02", "2026-01"]
    assert Path(out / "2025-01").is_dir()
