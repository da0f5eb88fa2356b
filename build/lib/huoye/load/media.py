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

import re
import warnings
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

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
RESIZE = ("resize it to at most 4000 pixels on its longer side (a full A4 page at 300 dpi "
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
    return _inspect(path, st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=256)
def _inspect(path: Path, size: int, mtime: int) -> str | None:
    name = path.name
    if size == 0:
        return f"'{name}' is an empty file; export the image again"
    if size > MAX_BYTES:
        return (f"'{name}' is {size / 2**20:.0f} MB (at most {MAX_BYTES // 2**20} MB); "
                f"{RESIZE}")
    with path.open("rb") as f:
        head = f.read(4096)
    kind = sniff(head)
    expected = SUFFIXES.get(path.suffix.lower())
    if expected is None:
        return (f"'{name}' is not a kind of image the bulletin uses; save it as PNG, JPEG, "
                "GIF, WebP or SVG")
    if kind is None:
        return (f"'{name}' is not an image (its first bytes are not those of a {expected} "
                "file); export the image again, or check that the right file was copied")
    if kind != expected:
        return (f"'{name}' is named {path.suffix} but holds a {kind} image; rename it to "
                f"{_suffix(kind)} or export it as {expected}")
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
        pixels = f"{int(size.group(1)) / 1e6:.0f} megapixels" if size else "too many pixels"
        return f"'{name}' has {pixels} (at most {MAX_PIXELS // 1_000_000}); {RESIZE}"
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        return (f"'{name}' is a damaged {kind} file ({err}); export the image again")
    if width * height > MAX_PIXELS:
        return (f"'{name}' is {width} × {height} pixels ({width * height / 1e6:.0f} megapixels, "
                f"at most {MAX_PIXELS // 1_000_000}); {RESIZE}")
    return None


def _inspect_svg(path: Path) -> str | None:
    name = path.name
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return f"'{name}' is not UTF-8 text; save the SVG as UTF-8"
    m = _SVG_DECLARATION.search(text)
    if m:
        return (f"'{name}' declares a {m.group(1).upper()} (entities can read other files or "
                "expand without end); delete the <!DOCTYPE …> part, or export the SVG again "
                "as plain SVG")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as err:
        return f"'{name}' is not a well-formed SVG ({err}); export the image again"
    if not root.tag.endswith("svg"):
        return f"'{name}' is not an SVG image (its root element is <{root.tag}>); export it again"
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "include" or "XInclude" in element.tag:
            return f"'{name}' includes another file (XInclude); export the SVG again as plain SVG"
        if tag in ("script", "foreignObject") or any(k.startswith("on") for k in element.attrib):
            return (f"'{name}' holds a script or embedded HTML (<{tag}>); an image must be "
                    "plain graphics: export the SVG again without it")
        refs = [v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] in ("href", "src")]
        css = (element.text or "") if tag == "style" else ""
        css += element.attrib.get("style", "")
        refs += [a or b for a, b in _CSS_URL.findall(css)]
        for ref in refs:
            ref = ref.strip()
            if ref and not _LOCAL_REF.match(ref):
                return (f"'{name}' refers to '{ref}' outside the image; the bulletin is built "
                        "offline from the issue folder: embed that part in the SVG, or export "
                        "it as PNG")
    return None
