"""The shortcuts taken for speed give what the slow way gives: the deck's grouping of
list items (checked against an exhaustive search), python-pptx with its XPath compiled
once and its part names counted (checked against python-pptx's own results), and Jinja's
compiled templates kept in huoye's cache folder (an edited template is compiled again;
an unusable cache folder is no error)."""
from __future__ import annotations

import itertools
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from pptx import Presentation
from pptx.oxml.ns import _nsmap
from pptx.oxml.xmlchemy import BaseOxmlElement

from huoye.render.deck import pptxkit
from huoye.render.deck.slides import even_chunks
from huoye.render.templating import environment, render_template


def _groupings(n: int):
    """Every split of items 0..n-1, in order, into consecutive non-empty groups."""
    for cuts in itertools.product((False, True), repeat=max(n - 1, 0)):
        groups, start = [], 0
        for i, cut in enumerate(cuts, start=1):
            if cut:
                groups.append(list(range(start, i)))
                start = i
        yield [*groups, list(range(start, n))]


@settings(max_examples=150, deadline=None)
@given(heights=st.lists(st.integers(5, 120).map(float), max_size=9),
       room=st.sampled_from([100.0, 150.0, 240.0]), gap=st.sampled_from([0.0, 6.0]),
       most=st.sampled_from([None, 2, 3]))
def test_even_chunks_finds_the_fewest_slides_and_the_least_full_fullest_one(heights, room, gap,
                                                                           most):
    if any(h > room for h in heights):
        return  # refused with ValueError(i), as documented
    def load(group):
        return sum(heights[i] for i in group) + gap * (len(group) - 1)

    fitting = [g for g in _groupings(len(heights)) if heights or g == [[]]]
    fitting = [g for g in fitting if all(load(x) <= room and (not most or len(x) <= most)
                                         for x in g if x)]
    got = even_chunks(heights, room, gap, most)
    if not heights:
        assert got == []
        return
    assert [i for g in got for i in g] == list(range(len(heights)))
    assert all(load(g) <= room and (not most or len(g) <= most) for g in got)
    fewest = min(len(g) for g in fitting)
    assert len(got) == fewest
    least = min(max(load(x) for x in g) for g in fitting if len(g) == fewest)
    assert abs(max(load(g) for g in got) - least) < 1e-9


def test_pptx_xpath_compiled_once_gives_lxml_s_own_results():
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[1])
    elements = [el for el in slide._element.iter() if isinstance(el, BaseOxmlElement)]
    assert len(elements) > 10
    for el in elements:
        for expr in ("./*[1]/p:nvPr/p:ph", ".//a:t", "./p:cSld/p:spTree/p:sp", "@name"):
            assert el.xpath(expr) == etree._Element.xpath(el, expr, namespaces=_nsmap)


def test_parts_made_while_drawing_are_python_pptx_s_parts():
    """Notes slides made while drawing (part names counted, notes slides copied from the
    first) get the names, relationships and XML python-pptx gives them."""
    theme = pptxkit.DeckTheme()

    def names(counted: bool) -> list:
        prs = Presentation()
        def draw():
            for _ in range(5):
                slide = pptxkit._new_slide(prs, prs.slide_layouts[6])
                pptxkit.add_notes(slide, "备注\n第二行", theme)
        if counted:
            with pptxkit.drawing(prs):
                draw()
        else:
            draw()
        return sorted((str(p.partname), p.blob,
                       sorted((r.rId, r.reltype, str(r.target_partname)) for r in p.rels.values()))
                      for p in prs.part.package.iter_parts())

    made = names(True)
    assert made == names(False)
    assert len(made) > 10
    assert "/ppt/notesSlides/notesSlide5.xml" in [name for name, _blob, _rels in made]


@pytest.fixture
def templates(tmp_path):
    """A templates folder with one template, the process's compiled templates forgotten
    before and after (each test sets the cache folder, XDG_CACHE_HOME, itself)."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "t.html.j2").write_text("<p>{{ x }}</p>", encoding="utf-8")
    environment.cache_clear()
    yield folder
    environment.cache_clear()


def test_compiled_templates_are_kept_and_an_edited_template_is_compiled_again(templates, tmp_path,
                                                                            monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert render_template(templates, "t.html.j2", x="<甲>") == "<p>&lt;甲&gt;</p>"
    kept = [p for p in (tmp_path / "cache" / "huoye").glob("templates-*/*")]
    assert len(kept) == 1 and kept[0].stat().st_size > 0, kept
    environment.cache_clear()  # a new process: the compiled code comes from the cache
    assert render_template(templates, "t.html.j2", x="乙") == "<p>乙</p>"
    (templates / "t.html.j2").write_text("<div>{{ x }}</div>", encoding="utf-8")
    os.utime(templates / "t.html.j2", (1, 1))
    environment.cache_clear()
    assert render_template(templates, "t.html.j2", x="丙") == "<div>丙</div>"


def test_an_unusable_template_cache_is_no_error(templates, tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert render_template(templates, "t.html.j2", x="丁") == "<p>丁</p>"


def test_compiled_templates_are_not_read_from_a_cache_others_may_write(templates, tmp_path,
                                                                       monkeypatch):
    """The cached templates are code this process runs: a cache folder another user may
    write is not used (as for the pre-parsed WeasyPrint declarations), and the files
    written are this user's alone."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert render_template(templates, "t.html.j2", x="戊") == "<p>戊</p>"
    [kept] = (tmp_path / "cache" / "huoye").glob("templates-*/*")
    assert kept.stat().st_mode & 0o077 == 0 and kept.parent.stat().st_mode & 0o077 == 0
    # someone else's code in its place, in a folder others may write: not run
    source = "<p>{{ x }}</p>"
    evil = environment(templates).compile(source.replace("<p>", "<p>EVIL"), "t.html.j2",
                                          str(templates / "t.html.j2"))
    from jinja2.bccache import Bucket
    bucket = Bucket(environment(templates), kept.name, environment(templates)
                    .bytecode_cache.get_source_checksum(source))
    bucket.code = evil
    with open(kept, "wb") as f:
        bucket.write_bytecode(f)
    kept.parent.chmod(0o777)
    environment.cache_clear()
    assert render_template(templates, "t.html.j2", x="己") == "<p>己</p>"
    kept.parent.chmod(0o700)  # the same file in a private folder is used: the test's bait works
    environment.cache_clear()
    assert render_template(templates, "t.html.j2", x="庚") == "<p>EVIL庚</p>"
