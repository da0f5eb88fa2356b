"""Load step: the image files an issue shows, checked before any renderer opens them.

content files ──load (body.check_references)──▶ **inspect_image** ──▶ model

WeasyPrint decodes every image it is given, and the web edition inlines them;
a renamed text file, a decompression bomb (a small PNG claiming 50 megapixels)
or an SVG that declares entities or pulls in other files must be refused here,
with the content file and line, rather than crash, swell or fetch mid-render.

* raster images: the type is read from the magic bytes (PNG, JPEG, GIF, WebP)
  and must agree with what Pillow finds; only the header is read, so the pixel
  count is known before anything is decoded;
* SVG: no DOCTYPE or ENTITY declarations (entity expansion, external
  entities), no XInclude, and no reference to anything but a fragment of the
  same file (`#id`) or a `data:` URI: no other files, no network.
"""
from __future__ import annotations

import base64
import binascii
import io
import re
import warnings
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote_to_bytes

from huoye.i18n import N_, _, language

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000  # an A4 page at 300 dpi is 2480 × 3508 ≈ 8.7 megapixels
MAGIC = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
}
SUFFIXES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WEBP",
            ".svg": "SVG"}
_SVG_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)|@import\s+['\"]?([^'\";\s]+)", re.IGNORECASE)
_LOCAL_REF = re.compile(r"^(#|data:)", re.IGNORECASE)
RESIZE = N_("resize it to at most 4000 pixels on its longer side (a full A4 page at 300 dpi "
            "is 2480 × 3508) and save it again")


def sniff(head: bytes) -> str | None:
    """The image type its first bytes declare, or None."""
    for magic, kind in MAGIC.items():
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")) and b"<svg" in head.lower():
        return "SVG"
    return None


def inspect_image(path: Path) -> str | None:
    """What is wrong with the image file at `path` (a sentence with the fix), or None."""
    st = path.stat()
    return _inspect(path, st.st_size, st.st_mtime_ns, language())


@lru_cache(maxsize=256)
def _inspect(path: Path, size: int, mtime: int, lang: str) -> str | None:
    """(`lang`: the answer is a message in the interface's language, cached per language.)"""
    name = path.name
    if size == 0:
        return _("'{name}' is an empty file; export the image again").format(name=name)
    if size > MAX_BYTES:
        return _("'{name}' is {size} MB (at most {most} MB); {resize}").format(
            name=name, size=f"{size / 2**20:.0f}", most=MAX_BYTES // 2**20, resize=_(RESIZE))
    with path.open("rb") as f:
        head = f.read(4096)
    kind = sniff(head)
    expected = SUFFIXES.get(path.suffix.lower())
    if expected is None:
        return _("'{name}' is not a kind of image the bulletin uses; save it as PNG, JPEG, "
                 "GIF, WebP or SVG").format(name=name)
    if kind is None:
        return _("'{name}' is not an image (its first bytes are not those of a {expected} "
                 "file); export the image again, or check that the right file was copied").format(
            name=name, expected=expected)
    if kind != expected:
        return _("'{name}' is named {suffix} but holds a {kind} image; rename it to "
                 "{right} or export it as {expected}").format(
            name=name, suffix=path.suffix, kind=kind, right=_suffix(kind), expected=expected)
    if kind == "SVG":
        return _inspect_svg(path)
    return _inspect_raster(path, kind)


def _suffix(kind: str) -> str:
    return {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp", "SVG": ".svg"}[kind]


def _inspect_raster(path: Path, kind: str) -> str | None:
    from PIL import Image, UnidentifiedImageError

    name = path.name
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as img:  # reads the header only; pixels are not decoded
                width, height = img.size
                if width * height <= MAX_PIXELS:
                    img.verify()
    except Image.DecompressionBombError as err:
        size = re.search(r"\((\d+) pixels\)", str(err))
        most = MAX_PIXELS // 1_000_000
        if size:
            return _("'{name}' has {megapixels} megapixels (at most {most}); {resize}").format(
                name=name, megapixels=f"{int(size.group(1)) / 1e6:.0f}", most=most, resize=_(RESIZE))
        return _("'{name}' has too many pixels (at most {most} megapixels); {resize}").format(
            name=name, most=most, resize=_(RESIZE))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        # Pillow's reason names the file again, in its words: the editor needs only the fix
        return _("'{name}' is a damaged {kind} file; export the image again").format(name=name, kind=kind)
    if width * height > MAX_PIXELS:
        return _("'{name}' is {width} × {height} pixels ({megapixels} megapixels, "
                 "at most {most}); {resize}").format(
            name=name, width=width, height=height, megapixels=f"{width * height / 1e6:.0f}",
            most=MAX_PIXELS // 1_000_000, resize=_(RESIZE))
    return None


def _inspect_svg(path: Path) -> str | None:
    name = path.name
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return _("'{name}' is not UTF-8 text; save the SVG as UTF-8").format(name=name)
    return _inspect_svg_text(name, text, [0], 0)


def _embedded_pixels(data: bytes) -> int | None:
    """The pixel count a raster image's header declares (nothing decoded), or None."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                return img.size[0] * img.size[1]
    except Image.DecompressionBombError as err:
        size = re.search(r"\((\d+) pixels\)", str(err))
        return int(size.group(1)) if size else MAX_PIXELS + 1
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None


def _inspect_data_uri(name: str, ref: str, pixels: list[int], depth: int) -> str | None:
    """An image embedded in an SVG as a data: URI counts against the same pixel budget as
    the SVG's other images, however deep it is nested (SVG in SVG in …)."""
    header, _comma, payload = ref.partition(",")
    try:
        data = (base64.b64decode("".join(payload.split()), validate=True) if ";base64" in header.lower()
                else unquote_to_bytes(payload))
    except (ValueError, binascii.Error):
        return _("'{name}' holds an embedded image that cannot be decoded; export the SVG "
                 "again").format(name=name)
    kind = sniff(data[:4096])
    if kind == "SVG":
        if depth >= 3:
            return _("'{name}' nests SVG images more than 3 deep; export it again as one "
                     "plain SVG").format(name=name)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return _("'{name}' holds an embedded SVG that is not UTF-8; export it again").format(
                name=name)
        return _inspect_svg_text(name, text, pixels, depth + 1)
    if kind is None:
        return None if not header.lower().startswith("data:image/") else _(
            "'{name}' holds an embedded image of an unknown kind; embed it as PNG, JPEG, GIF or "
            "WebP").format(name=name)
    count = _embedded_pixels(data)
    if count is None:
        return _("'{name}' holds a damaged embedded {kind} image; export the SVG again").format(
            name=name, kind=kind)
    pixels[0] += count
    if pixels[0] > MAX_PIXELS:
        return _("'{name}' embeds images of {pixels} megapixels in all (at most {limit}); "
                 "{fix}").format(name=name, pixels=f"{pixels[0] / 1e6:.0f}",
                                 limit=MAX_PIXELS // 1_000_000, fix=_(RESIZE))
    return None


def _inspect_svg_text(name: str, text: str, pixels: list[int], depth: int) -> str | None:
    m = _SVG_DECLARATION.search(text)
    if m:
        return _("'{name}' declares a {declaration} (entities can read other files or "
                 "expand without end); delete the <!DOCTYPE …> part, or export the SVG again "
                 "as plain SVG").format(name=name, declaration=m.group(1).upper())
    try:
        root = ET.fromstring(text)
    except ET.ParseError as err:
        return _("'{name}' is not a well-formed SVG ({reason}); export the image again").format(
            name=name, reason=err)
    if not root.tag.endswith("svg"):
        return _("'{name}' is not an SVG image (its root element is <{element}>); export it again").format(
            name=name, element=root.tag)
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "include" or "XInclude" in element.tag:
            return _("'{name}' includes another file (XInclude); export the SVG again as plain SVG").format(
                name=name)
        if tag in ("script", "foreignObject") or any(k.startswith("on") for k in element.attrib):
            return _("'{name}' holds a script or embedded HTML (<{element}>); an image must be "
                     "plain graphics: export the SVG again without it").format(name=name, element=tag)
        refs = [v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] in ("href", "src")]
        css = (element.text or "") if tag == "style" else ""
        css += element.attrib.get("style", "")
        refs += [a or b for a, b in _CSS_URL.findall(css)]
        for ref in refs:
            ref = ref.strip()
            if ref and not _LOCAL_REF.match(ref):
                return _("'{name}' refers to '{ref}' outside the image; the bulletin is built "
                         "offline from the issue folder: embed that part in the SVG, or export "
                         "it as PNG").format(name=name, ref=ref)
            if ref[:5].lower() == "data:":
                trouble = _inspect_data_uri(name, ref, pixels, depth)
                if trouble:
                    return trouble
    return None
