"""render step: PDF font adapter: compact CID-keyed CFF subsets in the pinned WeasyPrint.

The pinned WeasyPrint (``VERSION``) subsets each embedded font with HarfBuzz in
``weasyprint.pdf.fonts.Font._harfbuzz_subset`` using ``HB_SUBSET_FLAGS_RETAIN_GIDS``
and embeds the result as an OpenType program (FontFile3 /OpenType, CIDFontType0,
Identity-H), its content streams writing each glyph's original glyph id as the CID.
For the CID-keyed CFF CJK collections we use (Noto Serif CJK SC, Noto Sans CJK SC
Bold: 65,535 glyphs, identity charset) retaining the gids keeps every glyph slot
(CharStrings offsets, hmtx, vmtx ...), so the programs cost 2-4x what the used
glyphs need. Dropping RETAIN_GIDS alone garbles the text: the glyphs are
renumbered, and for an OpenType-wrapped CFF program poppler (through FreeType)
takes the CID as the glyph index whatever the CFF charset says.

While installed, this adapter, for a font whose face has a CID-keyed (``ROS``)
``CFF `` table and no ``CFF2``/``fvar``/``glyf`` or colour/bitmap tables:

1. subsets with HarfBuzz *without* ``RETAIN_GIDS`` (otherwise WeasyPrint's flags
   and drop list) through an ``hb_subset_plan_t``, so that HarfBuzz itself reports
   the new gid -> old gid mapping. Nothing is assumed about which glyphs it keeps
   or in which order: even with GSUB dropped, HarfBuzz 6.0 keeps a few glyphs
   more than asked (e.g. the GSUB variant of ":" in Noto Sans CJK);
2. takes the subset's ``CFF `` table alone and, with fontTools (on that small
   table only), rewrites its ``charset`` so that new gid i is CID = old gid of i
   (``cid09502`` ...) -- exactly the CID WeasyPrint writes in the content streams,
   the ``/W`` widths and the ToUnicode map -- and sets ``CIDCount`` to cover them;
3. reads the compiled table back (ROS first, charset as written) and embeds it as
   a bare CID-keyed CFF program: FontFile3 with ``/Subtype /CIDFontType0C`` (PDF
   1.3+), for which PDF readers map each CID to its glyph through the charset.

For that it patches four names, together, while installed:
``Font._harfbuzz_subset`` (steps 1-3), ``Font.type`` (a compact program still
counts as 'otf': FontFile3, CIDFontType0), ``weasyprint.pdf.build_fonts_dictionary``
(relabels the compact programs' streams ``/CIDFontType0C`` instead of
``/OpenType``; compaction only happens inside it, so no program goes unlabelled)
and ``Font.__init__``: WeasyPrint copies each whole font file into ``file_content``
(a 20-26 MB CJK collection each, all held until the PDF is written), which step 1
never reads; a CFF font's copy is therefore made lazily, only if something asks.

Any other font (TrueType ``glyf`` fonts such as LXGW WenKai, name-keyed CFF,
variable or colour fonts), and any font for which a step fails or a check does
not hold, goes through WeasyPrint's own subsetting unchanged, with a debug log
line on ``huoye.render.weasyprint.subset``: the adapter never embeds a font it has not
verified.

The patch is pinned to the WeasyPrint versions in ``SUPPORTED_WEASYPRINT`` and
raises ``UnsupportedWeasyPrint`` on any other, since it relies on private code.
Use ``with compact_cff_subsets(): ...`` around ``write_pdf`` (subsetting happens
while the PDF is written) or ``install()`` / ``uninstall()``; both are idempotent
and ``uninstall()`` restores the originals.
"""

from __future__ import annotations

import io
import itertools
import logging
import struct
import threading
from functools import lru_cache

from huoye.i18n import _
from huoye.render.weasyprint.pinned import SUPPORTED_WEASYPRINT, Adapter, UnsupportedWeasyPrint

__all__ = [
    "SUPPORTED_WEASYPRINT",
    "UnsupportedWeasyPrint",
    "compact_cff_subsets",
    "install",
    "installed",
    "uninstall",
]

LOG = logging.getLogger("huoye.render.weasyprint.subset")

# The tables the pinned WeasyPrint drops (GSUB among them, yet HarfBuzz 6.0 still keeps
# a few glyphs more than asked: the gid mapping is read from the plan, never assumed).
# All other tables but CFF and maxp are dropped too: only the CFF table is embedded.
_DROP_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF",
                b"LTSH", b"PCLT", b"SVG ")
# Tables that disqualify a face: variations, colour or bitmap glyphs (WeasyPrint
# post-processes those with fontTools on the subset and expects retained gids).
_REFUSED_TABLES = frozenset({"CFF2", "fvar", "gvar", "COLR", "CPAL", "CBDT", "CBLC",
                             "sbix", "SVG ", "EBDT", "glyf"})
_DEFAULT_CID_COUNT = 8720  # CFF spec default for the CIDCount operator

class _Refused(Exception):
    """The font is not one this adapter handles (or a check failed): use WeasyPrint's way."""


# --------------------------------------------------------------------------- install


def _replacements():
    from weasyprint import pdf
    from weasyprint.pdf import fonts

    if not isinstance(getattr(fonts.Font, "type", None), property):
        raise UnsupportedWeasyPrint(_("WeasyPrint's Font.type is not a property; cannot patch it"))
    return [(fonts.Font, "__init__", _font_init),
            (fonts.Font, "_harfbuzz_subset", _harfbuzz_subset),
            (fonts.Font, "type", property(_font_type, doc=fonts.Font.type.__doc__)),
            (pdf, "build_fonts_dictionary", _build_fonts_dictionary)]


ADAPTER = Adapter("huoye.render.weasyprint.subset",
                  "pdf/fonts.py Font._harfbuzz_subset and _build_vector_font_dictionary "
                  "(Identity-H, CIDFontType0)", _replacements)
installed, install, uninstall = ADAPTER.installed, ADAPTER.install, ADAPTER.uninstall


def compact_cff_subsets():
    """Context manager: the adapter installed for the block (nestable; see pinned.Adapter)."""
    return ADAPTER.active()


# --------------------------------------------------------------------------- subsetting


# Per thread, while our build_fonts_dictionary runs: {font hash: compact CFF program}.
# Compaction happens only then, so every compact program gets its stream relabelled.
_state = threading.local()


def _font_init(self, *args, **kwargs):
    """Replacement for ``Font.__init__``: a CFF font's file copy is made only when read."""
    (ADAPTER.original("__init__") or _lazy_base().__init__)(self, *args, **kwargs)
    if "CFF " in self.tables and not {"CFF2", "fvar", "glyf"} & set(self.tables) and not (
            self.png or self.svg or getattr(self, "colr", False) or self.bitmap):
        del self.file_content  # 20-26 MB for a CJK collection: read again only if asked
        self.__class__ = _lazy_class(type(self))  # type: ignore[arg-type]


def _lazy_base():
    from weasyprint.pdf.fonts import Font

    return Font


@lru_cache(maxsize=4)
def _lazy_class(base: type) -> type:
    """``base`` whose ``file_content`` is read from the HarfBuzz face on first use."""

    def get(self):
        content = self.__dict__.get("_file_content")
        if content is None:
            from weasyprint.text.fonts import get_hb_object_data

            content = self.__dict__["_file_content"] = get_hb_object_data(self.hb_face)
        return content

    def set_(self, value):
        self.__dict__["_file_content"] = value

    return type(f"Lazy{base.__name__}", (base,), {"file_content": property(get, set_)})


def _harfbuzz_subset(self, to_unicode, hinting):
    """Replacement for ``Font._harfbuzz_subset``: compact bare CFF for CID-keyed CFF fonts."""
    original = ADAPTER.original("_harfbuzz_subset")
    if original is None:  # uninstalled while a document was being written
        from weasyprint.pdf.fonts import Font

        return Font._harfbuzz_subset(self, to_unicode, hinting)
    compacted = getattr(_state, "compacted", None)
    if compacted is None:  # not called from build_fonts_dictionary: nobody would relabel
        return original(self, to_unicode, hinting)
    try:
        content = _compact_subset(self, to_unicode, hinting)
    except _Refused as reason:
        LOG.debug("%s: WeasyPrint's own subsetting (%s)", self.family, reason)
    except Exception as error:  # never embed a font we have not verified
        LOG.debug("%s: compact CFF subset failed, WeasyPrint's own subsetting instead",
                  self.family, exc_info=error)
    else:
        self.file_content = content
        compacted[self.hash] = content
        return None
    return original(self, to_unicode, hinting)


def _font_type(self):
    """Replacement for ``Font.type``: a bare CFF program is embedded like an 'otf' one.

    That gives FontFile3 and CIDFontType0, also for the other Font objects that share
    the program (same ``hash``); ``_build_fonts_dictionary`` then fixes the stream's
    Subtype.
    """
    if self.hash in getattr(_state, "compacted", ()):
        return "otf"
    original = ADAPTER.original("type")
    if original is None:
        from weasyprint.pdf.fonts import Font

        original = Font.type
    return original.fget(self)


def _build_fonts_dictionary(pdf, fonts, compress, subset, options):
    """Replacement for ``build_fonts_dictionary``: label bare CFF programs CIDFontType0C."""
    original = ADAPTER.original("build_fonts_dictionary")
    if original is None:
        from weasyprint.pdf.fonts import build_fonts_dictionary as original  # type: ignore[no-redef]
    if getattr(_state, "compacted", None) is not None:  # re-entered: leave it to the outer
        return original(pdf, fonts, compress, subset, options)
    compacted: dict = {}
    _state.compacted = compacted
    try:
        result = original(pdf, fonts, compress, subset, options)
        programs = {id(content): content for content in compacted.values()}
        for pdf_object in pdf.objects:
            stream = getattr(pdf_object, "stream", None)
            extra = getattr(pdf_object, "extra", None)
            if (isinstance(stream, list) and len(stream) == 1 and extra is not None
                    and programs.get(id(stream[0])) is stream[0]):
                extra["Subtype"] = "/CIDFontType0C"
                del programs[id(stream[0])]
        if programs:
            # Not with the pinned WeasyPrint. A bare CFF program labelled /OpenType would not
            # display, so refuse to write such a PDF.
            raise RuntimeError(f"huoye.render.weasyprint.subset: {len(programs)} compact CFF font "
                               "program(s) not found among the PDF objects")
        return result
    finally:
        del _state.compacted


_HB_DECLARATIONS = """
    typedef ... hb_face_t; typedef ... hb_blob_t; typedef ... hb_set_t;
    typedef ... hb_map_t; typedef ... hb_subset_input_t; typedef ... hb_subset_plan_t;
    typedef uint32_t hb_codepoint_t; typedef uint32_t hb_tag_t;
    hb_tag_t hb_tag_from_string (const char *str, int len);
    hb_blob_t * hb_face_reference_table (const hb_face_t *face, hb_tag_t tag);
    hb_blob_t * hb_face_reference_blob (hb_face_t *face);
    const char * hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
    void hb_blob_destroy (hb_blob_t *blob);
    void hb_face_destroy (hb_face_t *face);
    unsigned int hb_face_get_glyph_count (const hb_face_t *face);
    void hb_set_add (hb_set_t *set, hb_codepoint_t codepoint);
    hb_codepoint_t hb_map_get (const hb_map_t *map, hb_codepoint_t key);
    int hb_map_has (const hb_map_t *map, hb_codepoint_t key);
    unsigned int hb_map_get_population (const hb_map_t *map);
    /* libharfbuzz-subset */
    hb_subset_input_t * hb_subset_input_create_or_fail (void);
    void hb_subset_input_destroy (hb_subset_input_t *input);
    hb_set_t * hb_subset_input_glyph_set (hb_subset_input_t *input);
    hb_set_t * hb_subset_input_set (hb_subset_input_t *input, int set_type);
    void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned value);
    hb_subset_plan_t * hb_subset_plan_create_or_fail (
        hb_face_t *face, const hb_subset_input_t *input);
    void hb_subset_plan_destroy (hb_subset_plan_t *plan);
    hb_face_t * hb_subset_plan_execute_or_fail (hb_subset_plan_t *plan);
    const hb_map_t * hb_subset_plan_new_to_old_glyph_mapping (
        const hb_subset_plan_t *plan);
"""


@lru_cache(maxsize=1)
def _hb():
    """A cffi view of the HarfBuzz (subset) plan API, which WeasyPrint's ffi does not declare
    (pre-parsed once and cached, like WeasyPrint's own declarations: huoye.render.weasyprint.preparsed)."""
    from huoye.render.weasyprint.preparsed import preparsed_ffi

    try:
        ffi = preparsed_ffi(_HB_DECLARATIONS)
    except (OSError, ImportError):  # no writable cache: parse them here
        import cffi

        ffi = cffi.FFI()
        ffi.cdef(_HB_DECLARATIONS)
    libs = []
    for names in (("libharfbuzz.so.0", "libharfbuzz.0.dylib", "libharfbuzz-0.dll", "harfbuzz"),
                  ("libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib",
                   "libharfbuzz-subset-0.dll", "harfbuzz-subset")):
        for name in names:
            try:
                libs.append(ffi.dlopen(name))
                break
            except OSError:
                continue
        else:
            raise _Refused(f"cannot load {names[0]}")
    harfbuzz, subset = libs
    # Fail now (AttributeError) if the library predates the plan API (HarfBuzz < 4.0).
    subset.hb_subset_plan_new_to_old_glyph_mapping  # noqa: B018
    return ffi, harfbuzz, subset


def _blob_bytes(ffi, harfbuzz, blob) -> bytes:
    length = ffi.new("unsigned int *")
    data = harfbuzz.hb_blob_get_data(blob, length)
    return ffi.buffer(data, length[0])[:] if length[0] else b""


def _compact_subset(font, to_unicode, hinting) -> bytes:
    """The compact subset of ``font`` (a WeasyPrint ``Font``), or raise ``_Refused``."""
    from weasyprint.text.ffi import ffi as wp_ffi
    from weasyprint.text.ffi import harfbuzz_subset as wp_subset

    if "CFF " not in font.tables:
        raise _Refused("no CFF table")
    if refused := _REFUSED_TABLES.intersection(font.tables):
        raise _Refused(f"has {', '.join(sorted(refused))}")
    if font.bitmap or font.png or font.svg or font.colr:
        raise _Refused("bitmap or colour glyphs")
    if wp_subset is None:
        raise _Refused("no HarfBuzz-Subset")

    ffi, harfbuzz, subset = _hb()
    face = ffi.cast("hb_face_t *", int(wp_ffi.cast("uintptr_t", font.hb_face)))
    glyph_count = harfbuzz.hb_face_get_glyph_count(face)

    # The original Top DICT: CID-keyed? and its CIDCount.
    blob = harfbuzz.hb_face_reference_table(face, harfbuzz.hb_tag_from_string(b"CFF ", -1))
    try:
        length = ffi.new("unsigned int *")
        data = harfbuzz.hb_blob_get_data(blob, length)
        top = _top_dict(memoryview(ffi.buffer(data, length[0])))
    finally:
        harfbuzz.hb_blob_destroy(blob)
    if (12, 30) not in top:
        raise _Refused("name-keyed CFF (no ROS)")
    cid_count = int(top.get((12, 34), [_DEFAULT_CID_COUNT])[0])

    # Missing characters get ids >= glyph_count (drawn as .notdef through the
    # PDF's Encoding CMap); they are not glyphs of the font.
    wanted = sorted({0, *(gid for gid in to_unicode if gid < glyph_count)})

    flags = (wp_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED
             | wp_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE)
    if not hinting:
        flags |= wp_subset.HB_SUBSET_FLAGS_NO_HINTING
    if font.missing:
        flags |= wp_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE

    hb_input = subset.hb_subset_input_create_or_fail()
    if hb_input == ffi.NULL:
        raise _Refused("hb_subset_input_create_or_fail failed")
    plan = ffi.NULL
    new_face = ffi.NULL
    try:
        glyphs = subset.hb_subset_input_glyph_set(hb_input)
        for gid in wanted:
            harfbuzz.hb_set_add(glyphs, gid)
        subset.hb_subset_input_set_flags(hb_input, flags)
        # Only the CFF table is embedded (maxp kept for the glyph count check below).
        drop = subset.hb_subset_input_set(hb_input, wp_subset.HB_SUBSET_SETS_DROP_TABLE_TAG)
        for tag in {*_DROP_TABLES, *(t.encode("latin-1") for t in font.tables)} - {b"CFF ", b"maxp"}:
            harfbuzz.hb_set_add(drop, harfbuzz.hb_tag_from_string(tag, -1))
        plan = subset.hb_subset_plan_create_or_fail(face, hb_input)
        if plan == ffi.NULL:
            raise _Refused("hb_subset_plan_create_or_fail failed")
        mapping = subset.hb_subset_plan_new_to_old_glyph_mapping(plan)
        population = harfbuzz.hb_map_get_population(mapping)
        new_to_old = []
        for new in range(population):
            if not harfbuzz.hb_map_has(mapping, new):
                raise _Refused(f"new gid {new} has no old gid")
            new_to_old.append(harfbuzz.hb_map_get(mapping, new))
        if new_to_old != wanted:
            # A closure added glyphs, or HarfBuzz reordered them: still correct below
            # (the charset follows the mapping), but say so.
            LOG.debug("%s: HarfBuzz retained %d glyphs for %d requested (extra: %s)",
                      font.family, len(new_to_old), len(wanted),
                      sorted(set(new_to_old) - set(wanted))[:20])
        if not new_to_old or new_to_old[0] != 0 or len(set(new_to_old)) != len(new_to_old):
            raise _Refused("unexpected glyph mapping")
        new_face = subset.hb_subset_plan_execute_or_fail(plan)
        if new_face == ffi.NULL:
            raise _Refused("hb_subset_plan_execute_or_fail failed")
        if harfbuzz.hb_face_get_glyph_count(new_face) != len(new_to_old):
            raise _Refused("subset glyph count differs from the plan")
        blob = harfbuzz.hb_face_reference_table(
            new_face, harfbuzz.hb_tag_from_string(b"CFF ", -1))
        try:
            compact = _blob_bytes(ffi, harfbuzz, blob)
        finally:
            harfbuzz.hb_blob_destroy(blob)
    finally:
        if new_face != ffi.NULL:
            harfbuzz.hb_face_destroy(new_face)
        if plan != ffi.NULL:
            subset.hb_subset_plan_destroy(plan)
        subset.hb_subset_input_destroy(hb_input)
    if not compact:
        raise _Refused("HarfBuzz returned no CFF table")
    result = _rename_cids(compact, new_to_old, max(cid_count, max(new_to_old) + 1))
    LOG.debug("%s: compact CFF subset, %d glyphs, %d bytes", font.family, len(new_to_old),
              len(result))
    return result


def _rename_cids(table: bytes, new_to_old: list[int], cid_count: int) -> bytes:
    """The CFF ``table`` recompiled with a charset giving new gid i the CID ``new_to_old[i]``."""
    from fontTools.cffLib import CFFFontSet
    from fontTools.ttLib import TTFont

    names = [".notdef", *(f"cid{old:05d}" for old in new_to_old[1:])]
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(table), None, isCFF2=False)
    if len(cff.fontNames) != 1:
        raise _Refused("CFF with several fonts")
    top = cff.topDictIndex[0]
    if not hasattr(top, "ROS"):
        raise _Refused("HarfBuzz output is not CID-keyed")
    char_strings = top.CharStrings
    if (len(top.charset) != len(names) or char_strings.charStringsIndex is None
            or len(char_strings.charStringsIndex) != len(names)):
        raise _Refused("subset CFF glyph count differs from the plan")
    top.charset = names
    char_strings.charStrings = {name: gid for gid, name in enumerate(names)}
    top.CIDCount = cid_count
    out = io.BytesIO()
    cff.compile(out, TTFont(recalcBBoxes=False), isCFF2=False)
    result = out.getvalue()

    # Read back: CID-keyed (ROS first, which poppler requires), and the charset names
    # exactly the CIDs the PDF uses, in gid order.
    if next(iter(_top_dict(memoryview(result))), None) != (12, 30):
        raise _Refused("compiled CFF Top DICT does not start with ROS")
    check = CFFFontSet()
    check.decompile(io.BytesIO(result), None, isCFF2=False)
    if list(check.topDictIndex[0].charset) != names:
        raise _Refused("charset did not read back as written")
    if len(check.topDictIndex[0].CharStrings.charStringsIndex) != len(names):
        raise _Refused("glyph count did not read back as written")
    return result


# --------------------------------------------------------------------------- CFF DICT


def _index(data, offset: int) -> tuple[list[tuple[int, int]], int]:
    """Parse a CFF INDEX at ``offset``: [(start, end)] of its items, and the offset after it."""
    (count,) = struct.unpack(">H", data[offset:offset + 2])
    if count == 0:
        return [], offset + 2
    off_size = data[offset + 2]
    if not 1 <= off_size <= 4:
        raise _Refused("bad CFF INDEX offSize")
    raw = data[offset + 3:offset + 3 + (count + 1) * off_size]
    offsets = [int.from_bytes(raw[i * off_size:(i + 1) * off_size], "big")
               for i in range(count + 1)]
    base = offset + 2 + (count + 1) * off_size
    return [(base + a, base + b) for a, b in itertools.pairwise(offsets)], base + offsets[-1]


def _top_dict(data) -> dict:
    """The first Top DICT of the CFF table ``data``: {operator: [operands]}."""
    header_size = data[2]
    _names, after = _index(data, header_size)
    tops, _end = _index(data, after)
    if not tops:
        raise _Refused("CFF without Top DICT")
    start, end = tops[0]
    return _parse_dict(bytes(data[start:end]))


def _parse_dict(raw: bytes) -> dict:
    """Parse CFF DICT data (CFF spec, Table 3): {operator: [operands]}; ops 12 x -> (12, x)."""
    result: dict = {}
    operands: list = []
    i = 0
    while i < len(raw):
        b0 = raw[i]
        if b0 <= 21:
            op: int | tuple[int, int]
            if b0 == 12:
                op = (12, raw[i + 1])
                i += 2
            else:
                op = b0
                i += 1
            result[op] = operands
            operands = []
        elif b0 == 28:
            operands.append(struct.unpack(">h", raw[i + 1:i + 3])[0])
            i += 3
        elif b0 == 29:
            operands.append(struct.unpack(">i", raw[i + 1:i + 5])[0])
            i += 5
        elif b0 == 30:  # real number: nibbles up to 0xf
            i += 1
            while True:
                byte = raw[i]
                i += 1
                if (byte >> 4) == 0xF or (byte & 0xF) == 0xF:
                    break
            operands.append(0.0)  # value not needed here
        elif 32 <= b0 <= 246:
            operands.append(b0 - 139)
            i += 1
        elif 247 <= b0 <= 250:
            operands.append((b0 - 247) * 256 + raw[i + 1] + 108)
            i += 2
        elif 251 <= b0 <= 254:
            operands.append(-(b0 - 251) * 256 - raw[i + 1] - 108)
            i += 2
        else:
            raise _Refused(f"reserved byte {b0} in CFF DICT")
    return result
