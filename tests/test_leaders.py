"""Contents leaders drawn as one text box per line (huoye.render.weasyprint.leaders)."""
from __future__ import annotations

import subprocess

import pytest

from huoye.render.weasyprint import VERSION, leaders

HTML = """<!DOCTYPE html><html lang="zh-CN"><head><style>
  body { font-family: 'Noto Serif CJK SC'; font-size: 10pt; }
  a::after { content: leader(dotted) " " target-counter(attr(href), page); }
  h2 { break-before: page; }
</style></head><body>
  <p><a href="#one">第一节</a></p><p><a href="#two">第二节：一个更长的标题</a></p>
  <h2 id="one">第一节</h2><h2 id="two">第二节</h2>
</body></html>"""


def _leader_boxes(document):
    from weasyprint.formatting_structure import boxes

    found = []
    for page in document.pages:
        for box in page._page_box.descendants():
            if isinstance(box, boxes.InlineBox) and box.is_leader:
                found.append(box)
    return found


def _render(adapter: bool):
    from weasyprint import HTML as Document

    with leaders.single_box_leaders() if adapter else _stock():
        document = Document(string=HTML).render()
        return document, document.write_pdf()


class _stock:
    def __enter__(self):
        assert not leaders.installed()

    def __exit__(self, *exc):
        return False


def test_each_leader_is_one_text_box_spanning_the_copies_it_replaces():
    stock, _ = _render(adapter=False)
    merged, _ = _render(adapter=True)
    before, after = _leader_boxes(stock), _leader_boxes(merged)
    assert len(before) == len(after) == 2
    for copies, leader in zip(before, after):
        assert len(copies.children) > 20  # WeasyPrint's own: a box per dot
        [box] = leader.children
        assert box.text == copies.children[0].text * len(copies.children)
        left = min(c.position_x for c in copies.children)
        right = max(c.position_x + c.width for c in copies.children)
        assert box.position_x == pytest.approx(left)
        assert box.width == pytest.approx(right - left)


def test_the_pdf_says_the_same(tmp_path):
    texts = []
    for adapter in (False, True):
        _, data = _render(adapter)
        path = tmp_path / f"{adapter}.pdf"
        path.write_bytes(data)
        texts.append(subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True,
                                    text=True, check=True).stdout)
    squashed = ["".join(text.split()) for text in texts]
    assert squashed[0] == squashed[1]
    assert "第一节" + "." * 20 in squashed[1]


def test_install_is_undone_and_nests():
    from weasyprint.layout import inline

    original = inline.handle_leader
    with leaders.single_box_leaders():
        with leaders.single_box_leaders():
            assert inline.handle_leader is not original
        assert leaders.installed()  # the inner block did not uninstall
    assert inline.handle_leader is original and not leaders.installed()


def test_another_weasyprint_is_refused_and_the_pdf_renderer_goes_on_without(monkeypatch, caplog):
    import weasyprint

    from huoye.render import pdf

    monkeypatch.setattr(weasyprint, "__version__", "99.0")
    with pytest.raises(leaders.UnsupportedWeasyPrint, match=f"tested with WeasyPrint {VERSION}"):
        leaders.install()
    with pdf._leaders():
        assert not leaders.installed()
    assert "single-box leaders unavailable" in caplog.text
