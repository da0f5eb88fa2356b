"""Fonts, checked before rendering: every family is installed, every character has a glyph.

content files ──load──▶ model ──▶ **check fonts** ──▶ render (pdf / html)

WeasyPrint quietly falls back to another font, or draws empty boxes, when a
family is missing or a character has no glyph. A bulletin must not go out like
that, so the PDF renderer calls `check_fonts(issue)` first:

* each family named in `series.brand` is looked up with fontconfig
  (in-process through libfontconfig; `fc-match` where that cannot be loaded);
  a family that fontconfig replaces by another one is an error
  naming the Debian package to install;
* the code points of every piece of text are checked against the cmap of the
  font that will draw it (body → serif, headings, figures and charts → sans,
  the editor's note → kai); a character without a glyph is an error naming
  the content file and line.

Cmaps and advance widths (`metrics`, also used by the deck to measure text) are
read with fontTools once and cached on disk (`$XDG_CACHE_HOME/huoye/metrics-*.bin`,
keyed by file, face, size and mtime), since reading a CJK collection's tables
takes ~0.15 s and ~15 MB a face.

`harfbuzz_subset_available()` tells whether WeasyPrint can subset fonts with
HarfBuzz; without it WeasyPrint falls back to fontTools, about 15x slower.
"""
from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import shutil
import subprocess
import unicodedata
from array import array
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from huoye.cache import user_cache_folder
from huoye.errors import Problem, RenderError, SetupError
from huoye.faces import DECK, DOCUMENT_ROLES, ROLES, family
from huoye.i18n import N_, _
from huoye.model import Issue, Source

LOG = logging.getLogger("huoye.render")

# Which Debian package provides a family (for the error message).
PACKAGES = {
    "noto serif cjk": "fonts-noto-cjk",
    "noto sans cjk": "fonts-noto-cjk",
    "lxgw wenkai": "fonts-lxgw-wenkai",
}

# Characters that are layout, not glyphs: never checked.
_IGNORED = set(" \t\n\r\u00a0\u200b\ufeff")


@dataclass(frozen=True)
class FontFile:
    """A font as fontconfig resolved it: family name, file and face index in a collection."""

    family: str
    path: Path
    index: int


def package_for(family: str) -> str:
    """The Debian package that installs `family`, or a generic hint."""
    low = family.lower()
    for prefix, package in PACKAGES.items():
        if low.startswith(prefix):
            return package
    return _("the package that provides it")


class _Fontconfig:
    """fontconfig's matcher called in-process (a `fc-match` subprocess costs ~15 ms a call)."""

    def __init__(self) -> None:
        c = ctypes
        lib = c.CDLL("libfontconfig.so.1")
        lib.FcInitLoadConfigAndFonts.restype = c.c_void_p
        lib.FcNameParse.restype, lib.FcNameParse.argtypes = c.c_void_p, [c.c_char_p]
        lib.FcConfigSubstitute.argtypes = [c.c_void_p, c.c_void_p, c.c_int]
        lib.FcDefaultSubstitute.argtypes = [c.c_void_p]
        lib.FcFontMatch.restype = c.c_void_p
        lib.FcFontMatch.argtypes = [c.c_void_p, c.c_void_p, c.POINTER(c.c_int)]
        lib.FcPatternGetString.argtypes = [c.c_void_p, c.c_char_p, c.c_int, c.POINTER(c.c_char_p)]
        lib.FcPatternGetInteger.argtypes = [c.c_void_p, c.c_char_p, c.c_int, c.POINTER(c.c_int)]
        lib.FcPatternDestroy.argtypes = [c.c_void_p]
        self.lib, self.config = lib, lib.FcInitLoadConfigAndFonts()

    def match(self, pattern: str) -> tuple[list[str], str, int]:
        """(family names, file, face index) of the font fontconfig picks for `pattern`."""
        c, lib = ctypes, self.lib
        pat = lib.FcNameParse(pattern.encode())
        lib.FcConfigSubstitute(self.config, pat, 0)
        lib.FcDefaultSubstitute(pat)
        result = c.c_int()
        font = lib.FcFontMatch(self.config, pat, c.byref(result))
        lib.FcPatternDestroy(pat)
        if not font:
            return [], "", 0
        names: list[str] = []
        value, index = c.c_char_p(), c.c_int()
        while lib.FcPatternGetString(font, b"family", len(names), c.byref(value)) == 0:
            names.append((value.value or b"").decode())
        found = lib.FcPatternGetString(font, b"file", 0, c.byref(value)) == 0
        path = (value.value or b"").decode() if found else ""
        lib.FcPatternGetInteger(font, b"index", 0, c.byref(index))
        lib.FcPatternDestroy(font)
        return names, path, index.value


@lru_cache(maxsize=1)
def _fontconfig() -> _Fontconfig | None:
    try:
        return _Fontconfig()
    except (OSError, AttributeError):
        return None


def _fc_match(pattern: str) -> tuple[list[str], str, int]:
    fc = _fontconfig()
    if fc is not None:
        return fc.match(pattern)
    if shutil.which("fc-match") is None:
        raise SetupError(_("fontconfig not found: install it with `apt install fontconfig`"))
    out = subprocess.run(["fc-match", "-f", "%{family}|%{file}|%{index}", pattern],
                         capture_output=True, text=True, check=False).stdout
    names, _bar, rest = out.partition("|")
    path, _bar, index = rest.partition("|")
    return [n.strip() for n in names.split(",")], path, int(index or 0)


@lru_cache(maxsize=32)
def find_font(family: str, bold: bool = False) -> FontFile:
    """The font file fontconfig uses for `family`; RenderError if the family is not installed."""
    names, path, index = _fc_match(family + (":weight=bold" if bold else ""))
    if family.lower() not in {n.lower() for n in names} or not path:
        raise RenderError(
            _("font family '{family}' is not installed (fontconfig offers '{offered}' instead); "
              "install it with `apt install {package}` or change brand.fonts in "
              "content/series.yaml").format(family=family, offered=names[0] if names else "-",
                                            package=package_for(family))
        )
    return FontFile(family, Path(path), index)


def match_font(family: str, bold: bool = False) -> tuple[Path, int, list[str]]:
    """(file, face index, family names of that file) fontconfig picks for `family`.

    Unlike `find_font` this does not insist on the family: callers that measure text
    with whatever font a renderer would fall back to use it.
    """
    names, path, index = _fc_match(family + (":weight=bold" if bold else ""))
    if not path:
        raise SetupError(_("fontconfig found no font at all for '{family}': install "
                           "{package} (apt install fonts-noto-cjk)").format(
            family=family, package=package_for(family)))
    return Path(path), index, names


@dataclass(frozen=True)
class FontMetrics:
    """What huoye needs of a font file: units per em and each code point's advance width."""

    upem: int
    notdef: int
    advances: dict[int, int]


def _cache_file(font: FontFile) -> Path | None:
    try:
        st = font.path.stat()
    except OSError:
        return None
    key = f"{font.path}|{font.index}|{st.st_size}|{st.st_mtime_ns}".encode()
    return user_cache_folder() / f"metrics-{hashlib.sha1(key).hexdigest()[:16]}.bin"


@lru_cache(maxsize=16)
def metrics(font: FontFile) -> FontMetrics:
    """The font's cmap and advance widths, read with fontTools once and cached on disk.

    Reading a CJK collection's tables takes ~0.15 s and ~15 MB per face; the cache file
    (keyed by file, face, size and time) loads in about a millisecond.
    """
    cache = _cache_file(font)
    if cache is not None and cache.exists():
        try:
            return _read_metrics(cache.read_bytes())
        except ValueError:
            pass  # a truncated or foreign cache file: rebuild it
    from fontTools.ttLib import TTFont, TTLibError  # only when the cache is cold

    try:
        tt = TTFont(str(font.path), fontNumber=font.index, lazy=True)
        cmap = tt.getBestCmap() or {}
        hmtx = tt["hmtx"].metrics
        upem = tt["head"].unitsPerEm
        notdef = hmtx[".notdef"][0] if ".notdef" in hmtx else upem
        advances = {cp: hmtx[name][0] if name in hmtx else notdef for cp, name in cmap.items()}
        tt.close()
    except (OSError, TTLibError, KeyError, ValueError) as err:  # broken font: a setup problem
        raise SetupError(_("{path}: cannot read the font's tables ({reason}); "
                           "reinstall {package}").format(
            path=font.path, reason=err, package=package_for(font.family))) from None
    result = FontMetrics(upem, notdef, advances)
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(_write_metrics(result))
            tmp.replace(cache)
        except OSError:
            pass  # a read-only cache folder only costs time
    return result


def _write_metrics(m: FontMetrics) -> bytes:
    codes = array("I", sorted(m.advances))
    widths = array("I", (m.advances[c] for c in codes))
    head = array("I", [0x68796D31, m.upem, m.notdef, len(codes)])
    return head.tobytes() + codes.tobytes() + widths.tobytes()


def _read_metrics(data: bytes) -> FontMetrics:
    head = array("I")
    head.frombytes(data[:16])
    magic, upem, notdef, n = head
    if magic != 0x68796D31 or len(data) != 16 + 8 * n:
        raise ValueError("not a huoye metrics cache")
    codes, widths = array("I"), array("I")
    codes.frombytes(data[16:16 + 4 * n])
    widths.frombytes(data[16 + 4 * n:])
    return FontMetrics(upem, notdef, dict(zip(codes, widths)))


def coverage(font: FontFile) -> Collection[int]:
    """The code points `font` has glyphs for."""
    return metrics(font).advances


def missing_characters(text: str, font: FontFile) -> list[str]:
    """Characters of `text` that `font` has no glyph for (in order, each once)."""
    covered = coverage(font)
    seen: dict[str, None] = {}
    for ch in text:
        if ch not in _IGNORED and ord(ch) not in covered and unicodedata.category(ch) != "Cc":
            seen.setdefault(ch)
    return list(seen)


def _describe(chars: list[str]) -> str:
    return "、".join(f"“{c}” (U+{ord(c):04X})" for c in chars)


def texts_by_role(issue: Issue) -> dict[str, list[tuple[str, Source, str]]]:
    """Every piece of the issue's content text, grouped by the typography role that draws
    it (`huoye.faces`): {role name: [(text, source, what)]}.

    The templates' fixed labels (本期主题, 要目, 数据来源 …) are not content: the preflight
    checks them in the rendered document (`huoye.preflight`).
    Returns {role: [(text, source, what)]}, role one of "serif" (body and all regular
    text: contents, call-outs, charts, header, back page), "sans_bold" (headings and
    emphasis, 黑体: titles, captions, table headers) and "kai" (the editor's note, quotations,
    bylines, 内容提要 and 关键词).
    """
    s = issue.series
    points = [p for sec in issue.sections for p in sec.all_points]
    serif = [(p.text, p.source, N_("paragraph")) for p in issue.paragraphs]
    kai = [(issue.note, issue.source, N_("editor's note"))]
    sans_bold = []
    for b in issue.all_blocks:  # every block's own text: lists, table cells, captions …
        b = cast(Any, b)  # told apart by `kind`
        if b.kind == "quote":
            kai += [(p.text, p.source, N_("quotation")) for p in b.inlines()]
        elif b.kind in ("heading", "image"):
            sans_bold += [(p.text, p.source, b.kind) for p in b.inlines()]
        elif b.kind == "table":
            serif += [(p.text, p.source, N_("table cell")) for p in b.inlines()]
            sans_bold += [(b.caption + "".join(c.text for c in b.header), b.source, N_("table"))]
            serif += [(f"单位：{b.unit}{b.data_source_label}：{b.data_source}", b.source, N_("table"))]
        elif b.kind != "paragraph":  # a list (its items)
            serif += [(p.text, p.source, N_("list") if b.kind == "list" else b.kind)
                      for p in b.inlines()]
    serif += [(n.text + "0123456789", n.source, N_("footnote")) for n in issue.footnotes]
    for a in issue.articles:
        sans_bold += [(a.title + a.abstract_label + a.keywords_label + "：", a.source, N_("article"))]
        kai += [(a.byline + (a.abstract.text if a.abstract else "") + "；".join(a.keywords),
                 a.source, N_("byline, 内容提要, 关键词"))]
        serif += [(r.text, r.paragraph.source, N_("reference")) for r in a.references]
        sans_bold += [(a.references_title, a.source, N_("references"))] if a.references else []
    serif += [(p.label, p.source, N_("point label")) for p in points]
    serif += [(f"{f.unit}{f.qualifier}{f.label}来源：{f.data_source}", f.source, N_("key figure"))
              for f in issue.figures]
    for c in issue.charts:
        words = [c.title, c.unit, c.data_source, *c.categories, *(x.name for x in c.series),
                 *(q for x in c.series for q in x.qualifiers)]
        serif.append(("".join(words) + "0123456789.-%数据来源：单位图", c.source, N_("chart")))
    serif += [(issue.issue_line + issue.date_line + "".join(s.publishers) + issue.theme,
               issue.source, N_("masthead"))]
    serif += [(e.title, issue.source, N_("contents")) for e in issue.contents]
    serif += [("".join(issue.recent_themes), s.source, N_("recent themes"))]
    serif += [("".join(m.role + m.name for m in s.staff) + s.address + s.postcode + s.telephone
               + "地址邮编电话—0123456789", s.source, N_("colophon"))]
    sans_bold += [(sec.title, sec.source, N_("section title")) for sec in issue.sections]
    sans_bold += [(p.label + p.headline, p.source, N_("point heading")) for p in points]
    sans_bold += [(p.label + p.headline + "。！？", p.source, N_("point headline"))
                  for p in points if p.style == "lead"]
    sans_bold += [(s.name, s.source, N_("bulletin name")), (issue.theme, issue.source, N_("theme")),
                  ("本期主题：要目近期一览按图", issue.source, N_("fixed labels"))]
    sans_bold += [(f.value, f.source, N_("key figure")) for f in issue.figures]
    return {"serif": serif, "sans_bold": sans_bold, "kai": kai}


def check_fonts(issue) -> dict[str, FontFile]:
    """Check that the PDF's families are installed and cover all the issue's text.

    Returns the fonts by role (`huoye.faces.DOCUMENT_ROLES`). Raises RenderError
    listing every missing family (with the package to install) or every paragraph with
    a character the font cannot draw (with its content file:line).
    """
    brand = issue.series.brand
    return _check(texts_by_role(issue), {r.name: (family(brand, r), r.bold) for r in DOCUMENT_ROLES})


def deck_texts(issue: Issue) -> list[tuple[str, Source, str]]:
    """Every piece of content text the deck may draw, with its source: all of the
    document's texts and the summaries (`huoye.summarise.summary_texts`)."""
    from huoye.summarise import summary_texts

    texts = [item for items in texts_by_role(issue).values() for item in items]
    return texts + summary_texts(issue)


def check_deck_fonts(issue) -> FontFile:
    """Check that the deck's fallback East Asian face (what LibreOffice and machines without
    the preferred face draw with) is installed and covers all the issue's text."""
    brand = issue.series.brand
    return _check({DECK.name: deck_texts(issue)}, {DECK.name: (family(brand, DECK), False)})[DECK.name]


def font_files(brand) -> list[Path]:
    """The font files a build of this brand draws with: every typography role's face (the
    build's stamp records them, so that a font upgrade rebuilds)."""
    out: list[Path] = []
    for role in ROLES.values():
        path = find_font(family(brand, role), role.bold).path
        if path not in out:
            out.append(path)
    return out


def _check(texts: dict[str, list], families: dict[str, tuple[str, bool]]) -> dict[str, FontFile]:
    fonts: dict[str, FontFile] = {}
    problems: list[Problem | str] = []
    for role, (name, bold) in families.items():
        try:
            fonts[role] = find_font(name, bold)
        except RenderError as err:
            if str(err) not in map(str, problems):
                problems.append(str(err))
    if problems:
        raise RenderError(problems)
    for role, items in texts.items():
        font = fonts[role]
        for text, source, what in items:
            missing = missing_characters(text, font)
            if missing:
                problems.append(Problem(
                    source.path, source.line, _(what),
                    _("{characters} has no glyph in {family} ({file}); "
                      "replace the character (e.g. with a common variant) or choose a font "
                      "that has it in brand.fonts").format(
                        characters=_describe(missing), family=font.family, file=font.path.name)))
    if problems:
        raise RenderError(problems)
    return fonts


@lru_cache(maxsize=1)
def harfbuzz_subset_available() -> bool:
    """Whether libharfbuzz-subset can be loaded (WeasyPrint then subsets fonts quickly)."""
    for name in ("libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib",
                 "libharfbuzz-subset-0.dll"):
        try:
            ctypes.CDLL(name)
        except OSError:
            continue
        return True
    return False


def warn_if_slow_subsetting() -> None:
    """Log a loud warning when WeasyPrint will have to subset fonts with fontTools."""
    if not harfbuzz_subset_available():
        LOG.warning("%s", _(
            "HarfBuzz subsetting (libharfbuzz-subset.so.0) is not available: WeasyPrint "
            "will subset the CJK fonts with fontTools, about 15x slower. Install it with "
            "`apt install libharfbuzz-subset0`."))
