"""Tests for huoye.render.weasyprint.subset: compact CID-keyed CFF subsets in PDFs of the pinned WeasyPrint.

The sample issue's PDF is rendered twice per module, with WeasyPrint's own font
subsetting and inside ``compact_cff_subsets()``, and the two are compared as a
reader sees them: every page rasterised by poppler must be pixel-identical (this
is what catches glyphs addressed by the wrong CID), the text identical, the file
smaller, qpdf clean, the fonts still embedded as subsets.
"""
from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
from pathlib import Path
from unittest import mock

import pytest

weasyprint = pytest.importorskip("weasyprint")

from huoye.render.weasyprint import subset
from huoye.render.weasyprint.justify import UnsupportedWeasyPrint

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ("pdftoppm", "pdftotext", "pdffonts", "qpdf")
pytestmark = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in TOOLS),
    reason="needs poppler-utils and qpdf")
NO_GLYPH = "\U0002a6d6"  # 𪛖: in none of the installed fonts, drawn as .notdef


def _run(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    """{"plain": path, "compact": path}: the sample PDF without and with the adapter."""
    from huoye.load import load_archive
    from huoye.render import RenderOptions, pdf

    [issue] = load_archive(ROOT / "content")
    options = RenderOptions(templates=(ROOT / "templates").resolve())
    out = tmp_path_factory.mktemp("subset")
    paths = {"plain": out / "plain.pdf", "compact": out / "compact.pdf"}
    assert not subset.installed()
    with mock.patch.object(pdf, "_compact_fonts", contextlib.nullcontext):  # WeasyPrint's own
        paths["plain"].write_bytes(pdf.render(issue, options))
    paths["compact"].write_bytes(pdf.render(issue, options))  # as huoye renders: adapter on
    assert not subset.installed()
    return paths


def _pages(pdf: Path, folder: Path) -> list[Path]:
    folder.mkdir()
    _run("pdftoppm", "-r", "50", "-png", pdf, folder / "p")
    return sorted(folder.glob("p-*.png"))


def _fonts(pdf: Path) -> dict[str, dict]:
    """pdffonts rows by font name without the subset tag, plus the embedded program."""
    rows = {}
    for line in _run("pdffonts", pdf).splitlines()[2:]:
        parts = line.split()
        name, (emb, sub, uni, obj, _gen) = parts[0], parts[-5:]
        rows[name.split("+", 1)[1]] = {
            "type": " ".join(parts[1:-6]), "emb": emb, "sub": sub, "uni": uni,
            "tagged": bool(re.fullmatch(r"[A-Z]{6}\+.+", name)), "object": obj}
    for row in rows.values():
        font = _run("qpdf", f"--show-object={row['object']}", pdf)
        [descendant] = re.findall(r"/DescendantFonts \[ (\d+) 0 R", font)
        cid_font = _run("qpdf", f"--show-object={descendant}", pdf)
        [descriptor] = re.findall(r"/FontDescriptor (\d+) 0 R", cid_font)
        [(key, program)] = re.findall(r"/(FontFile\d?) (\d+) 0 R",
                                      _run("qpdf", f"--show-object={descriptor}", pdf))
        stream = subprocess.run(["qpdf", f"--show-object={program}", "--raw-stream-data",
                                 str(pdf)], check=True, capture_output=True).stdout
        subtype = re.findall(r"/Subtype /(\w+)", _run("qpdf", f"--show-object={program}", pdf))
        row.update(file_key=key, size=len(stream), subtype=subtype[0] if subtype else None,
                   cid_subtype=re.findall(r"/Subtype /(\w+)", cid_font)[0])
    return rows


def test_pages_are_pixel_identical(pdfs, tmp_path):
    from PIL import Image, ImageChops

    plain = _pages(pdfs["plain"], tmp_path / "plain")
    compact = _pages(pdfs["compact"], tmp_path / "compact")
    assert len(plain) == len(compact) > 1
    different = []
    for a, b in zip(plain, compact):
        with Image.open(a) as image_a, Image.open(b) as image_b:
            box = ImageChops.difference(image_a.convert("RGB"), image_b.convert("RGB")).getbbox()
        if box is not None:
            different.append(f"{a.name}: {box}")
    assert not different, f"pages differ (garbled glyphs?): {different}"


def test_text_is_identical(pdfs):
    plain = _run("pdftotext", "-layout", pdfs["plain"], "-")
    compact = _run("pdftotext", "-layout", pdfs["compact"], "-")
    assert "产业链" in plain
    assert compact == plain


def test_pdf_is_much_smaller(pdfs):
    plain, compact = (pdfs[k].stat().st_size for k in ("plain", "compact"))
    assert plain - compact >= 150_000, (plain, compact)


def test_qpdf_check_is_clean(pdfs):
    result = subprocess.run(["qpdf", "--check", str(pdfs["compact"])], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_fonts_stay_embedded_subsets(pdfs):
    plain, compact = _fonts(pdfs["plain"]), _fonts(pdfs["compact"])
    assert set(compact) == set(plain)
    assert {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC-Bold", "LXGW-WenKai"} <= set(compact)
    for name, row in compact.items():
        assert (row["emb"], row["sub"], row["uni"], row["tagged"]) == ("yes", "yes", "yes",
                                                                       True), (name, row)
    for name in ("Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC-Bold"):
        # Bare CID-keyed CFF, smaller than WeasyPrint's gid-retaining OpenType program.
        assert plain[name]["subtype"] == "OpenType"
        assert compact[name]["type"] == "CID Type 0C"
        assert (compact[name]["file_key"], compact[name]["subtype"],
                compact[name]["cid_subtype"]) == ("FontFile3", "CIDFontType0C", "CIDFontType0")
        assert compact[name]["size"] < plain[name]["size"] / 1.5, (name, plain[name],
                                                                    compact[name])


def test_truetype_font_is_untouched(pdfs):
    plain, compact = _fonts(pdfs["plain"]), _fonts(pdfs["compact"])
    kai = "LXGW-WenKai"
    assert compact[kai]["type"] == plain[kai]["type"] == "CID TrueType"
    assert compact[kai]["file_key"] == "FontFile2"
    assert compact[kai]["size"] == plain[kai]["size"]


def test_patch_is_reverted_and_idempotent():
    from weasyprint import pdf
    from weasyprint.pdf import fonts

    originals = (fonts.Font._harfbuzz_subset, fonts.Font.__dict__["type"],
                 pdf.build_fonts_dictionary)
    with subset.compact_cff_subsets():
        assert subset.installed()
        assert fonts.Font._harfbuzz_subset is not originals[0]
        assert pdf.build_fonts_dictionary is not originals[2]
        subset.install()  # idempotent
        with subset.compact_cff_subsets():  # nested: the outer block uninstalls
            pass
        assert subset.installed()
    assert not subset.installed()
    assert (fonts.Font._harfbuzz_subset, fonts.Font.__dict__["type"],
            pdf.build_fonts_dictionary) == originals
    subset.uninstall()  # idempotent
    assert fonts.Font._harfbuzz_subset is originals[0]


def test_unsupported_weasyprint_is_refused(monkeypatch):
    from weasyprint.pdf import fonts

    original = fonts.Font._harfbuzz_subset
    monkeypatch.setattr(weasyprint, "__version__", "99.0")
    with pytest.raises(UnsupportedWeasyPrint, match="99.0"):
        subset.install()
    with pytest.raises(UnsupportedWeasyPrint), subset.compact_cff_subsets():
        pass
    assert not subset.installed()
    assert fonts.Font._harfbuzz_subset is original


def test_missing_glyph_still_renders_notdef(tmp_path, caplog):
    """A character no font has (.notdef, WeasyPrint's Encoding CMap) renders the same."""
    from PIL import Image, ImageChops

    html = ('<html lang="zh-CN"><body style="font: 24pt \'Noto Serif CJK SC\'">'
            f'<p>产业链{NO_GLYPH}供应链</p><p style="font-weight: bold; '
            f'font-family: \'Noto Sans CJK SC\'">核心{NO_GLYPH}技术</p></body></html>')
    plain = weasyprint.HTML(string=html).write_pdf()
    caplog.set_level("DEBUG", logger="huoye.render.weasyprint.subset")
    with subset.compact_cff_subsets():
        compact = weasyprint.HTML(string=html).write_pdf()
    assert any(".notdef glyph rendered" in r.getMessage() for r in caplog.records)
    compacted = [r.getMessage() for r in caplog.records if "compact CFF subset," in r.getMessage()]
    assert len(compacted) == 2, caplog.text
    images = []
    for name, data in (("plain", plain), ("compact", compact)):
        (tmp_path / f"{name}.pdf").write_bytes(data)
        images.append(_pages(tmp_path / f"{name}.pdf", tmp_path / name))
    assert len(compact) < len(plain)
    assert len(images[0]) == len(images[1]) == 1
    with Image.open(images[0][0]) as a, Image.open(images[1][0]) as b:
        assert ImageChops.difference(a.convert("RGB"), b.convert("RGB")).getbbox() is None
    assert _run("pdftotext", tmp_path / "compact.pdf", "-") == _run(
        "pdftotext", tmp_path / "plain.pdf", "-")


def test_subsetting_outside_write_pdf_is_weasyprints(monkeypatch):
    """Compaction happens only inside build_fonts_dictionary, which relabels the stream."""
    calls = []
    monkeypatch.setattr(subset, "_compact_subset", lambda *a: calls.append(a) or b"")
    sentinel, real = [], subset.ADAPTER.original

    def original(name, default=None):  # WeasyPrint's own _harfbuzz_subset, recorded
        return (lambda *a: sentinel.append(a)) if name == "_harfbuzz_subset" else real(name, default)

    with subset.compact_cff_subsets():
        monkeypatch.setattr(subset.ADAPTER, "original", original)
        subset._harfbuzz_subset(object(), {1: "a"}, False)
    assert not calls and len(sentinel) == 1


def test_parse_dict():
    # ROS 391 392 0 (12 30), CIDCount 65535 (12 34, 5-byte int), charset 432 (15)
    raw = bytes([0x1C, 0x01, 0x87, 0x1C, 0x01, 0x88, 0x8B, 12, 30,
                 0x1D, 0, 0, 0xFF, 0xFF, 12, 34, 0xF8, 0x44, 15])
    assert subset._parse_dict(raw) == {(12, 30): [391, 392, 0], (12, 34): [65535], 15: [432]}


def test_a_font_that_falls_back_reads_its_file_lazily_and_renders_the_same(pdfs, tmp_path, monkeypatch):
    """While installed, CFF fonts keep no copy of their 20 MB file; if compaction then
    refuses one, WeasyPrint's own subsetting must still get the real file."""
    from PIL import Image, ImageChops

    from huoye.load import load_archive
    from huoye.render import RenderOptions, pdf

    refused = []

    def refuse(font, to_unicode, hinting):
        assert "file_content" not in font.__dict__, "the file copy was made eagerly"
        refused.append(font.family)
        raise subset._Refused("forced by the test")

    monkeypatch.setattr(subset, "_compact_subset", refuse)
    [issue] = load_archive(ROOT / "content")
    fallback = tmp_path / "fallback.pdf"
    fallback.write_bytes(pdf.render(issue, RenderOptions(templates=(ROOT / "templates").resolve())))
    assert sorted(set(refused)) == ["Noto Sans CJK SC", "Noto Serif CJK SC"]
    assert _run("qpdf", "--check", fallback)
    assert fallback.stat().st_size == pytest.approx(pdfs["plain"].stat().st_size, rel=0.01)
    for a, b in zip(_pages(pdfs["plain"], tmp_path / "a"), _pages(fallback, tmp_path / "b")):
        with Image.open(a) as image_a, Image.open(b) as image_b:
            assert ImageChops.difference(image_a.convert("RGB"), image_b.convert("RGB")).getbbox() is None
