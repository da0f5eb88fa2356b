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


def test_on_a_weasyprint_the_adapters_do_not_know_the_pdf_is_plainer_but_sound(
        sample_issue, built_sample, monkeypatch, caplog, tmp_path):
    """The stock-WeasyPrint fallback's consequences, measured: a valid PDF with all the text,
    ragged Chinese lines, loose punctuation, a larger file, and one warning per adapter
    saying what is lost."""
    import subprocess

    import weasyprint

    from huoye import typography
    from huoye.render import RenderOptions, pdf
    from tests.conftest import ROOT

    monkeypatch.setattr(weasyprint, "__version__", "99.0")
    data = pdf.render(sample_issue, RenderOptions(templates=ROOT / "templates"))
    stock = tmp_path / "stock.pdf"
    stock.write_bytes(data)
    check = subprocess.run(["qpdf", "--check", str(stock)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr

    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    for what, consequence in (("CJK justification", "lines of Chinese stay ragged"),
                              ("single-box leaders", "the PDF takes longer"),
                              ("page balance", "pages may end short before a heading"),
                              ("compact CJK font subsets", "the PDF will be larger")):
        [message] = [m for m in warnings if m.startswith(f"{what} unavailable")]
        assert "found 99.0" in message and message.endswith(consequence)

    ours = typography.measure(str(built_sample["pdf"]))
    plain = typography.measure(str(stock))
    assert abs(plain.continued - ours.continued) <= 0.1 * ours.continued  # the same text, set
    assert plain.flush_share < 0.8 and ours.flush_share >= 0.99, (plain.summary(), ours.summary())
    assert plain.lone and not ours.lone
    assert plain.compressed < plain.pairs and ours.compressed == ours.pairs
    assert not plain.bad_starts  # Pango's own line breaking still keeps these rules
    size, our_size = len(data), built_sample["pdf"].stat().st_size
    assert size > 1.3 * our_size, (size, our_size)
    text = subprocess.run(["pdftotext", str(stock), "-"], capture_output=True, text=True).stdout
    assert sample_issue.theme in text.replace("\n", "")
