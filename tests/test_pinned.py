"""The shared mechanics of huoye's WeasyPrint adapters (huoye.render.weasyprint.pinned.Adapter)."""
from __future__ import annotations

import types

import pytest

from huoye.render.weasyprint.pinned import Adapter, UnsupportedWeasyPrint


def _target():
    return types.SimpleNamespace(first=lambda: "stock first", second=lambda: "stock second")


def test_replacements_are_made_and_undone_together():
    target = _target()
    stock_first = target.first
    adapter = Adapter("test adapter", "nothing", lambda: [(target, "first", lambda: "ours"),
                                                         (target, "second", lambda: "ours too")])
    with adapter.active():
        assert (target.first(), target.second()) == ("ours", "ours too")
        assert adapter.original("first") is stock_first
    assert (target.first(), target.second()) == ("stock first", "stock second")
    assert adapter.original("first", "gone") == "gone"


def test_a_missing_attribute_refuses_the_whole_adapter():
    target = _target()
    adapter = Adapter("test adapter", "nothing", lambda: [(target, "first", lambda: "ours"),
                                                         (target, "third", lambda: "ours")])
    with pytest.raises(UnsupportedWeasyPrint, match="no third"):
        adapter.install()
    assert not adapter.installed() and target.first() == "stock first"


def test_another_weasyprint_version_is_refused(monkeypatch):
    import weasyprint

    target = _target()
    monkeypatch.setattr(weasyprint, "__version__", "99.0")
    adapter = Adapter("test adapter", "the thing it patches",
                      lambda: [(target, "first", lambda: "ours")])
    with pytest.raises(UnsupportedWeasyPrint, match="found 99.0. Re-check the thing it patches"):
        adapter.install()
    assert target.first() == "stock first"


def test_optional_runs_the_block_without_the_adapter_and_says_so(monkeypatch, caplog):
    import weasyprint

    target = _target()
    monkeypatch.setattr(weasyprint, "__version__", "99.0")
    adapter = Adapter("test adapter", "nothing", lambda: [(target, "first", lambda: "ours")])
    with adapter.optional("the test feature", "things look plainer"):
        assert target.first() == "stock first" and not adapter.installed()
    assert "the test feature unavailable (test adapter patches" in caplog.text
    assert "things look plainer" in caplog.text


def test_a_pdf_is_still_made_on_a_weasyprint_the_adapters_do_not_know(sample_issue, monkeypatch, caplog):
    import weasyprint

    from huoye.render import RenderOptions, pdf
    from tests.conftest import ROOT

    monkeypatch.setattr(weasyprint, "__version__", "99.0")
    data = pdf.render(sample_issue, RenderOptions(templates=ROOT / "templates"))
    assert data.startswith(b"%PDF")
    for what in ("CJK justification", "single-box leaders", "compact CJK font subsets"):
        assert f"{what} unavailable" in caplog.text
