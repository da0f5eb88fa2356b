"""Write step, before rendering: is an issue's output already up to date?

The build key is a SHA-256 over the raw bytes of everything that can change
the output: the issue folder, series.yaml, the front matter of the other issues
(their dates and themes make this issue's back page), the templates, huoye's
version and source, and the build options. It needs no parsing, so an
up-to-date check is fast. The stamp beside the outputs also records the font
files the build used (size and time) and the state of fontconfig's cache: a
font upgrade or a newly installed font rebuilds too.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from functools import lru_cache
from pathlib import Path

import huoye
from huoye.content import ISSUE_FILE, SERIES_FILE

STAMP = ".huoye-build.json"
FONTCONFIG_CACHES = ("/var/cache/fontconfig", "~/.cache/fontconfig", "~/.fonts", "~/.local/share/fonts")


def user_cache_folder() -> Path:
    """Where huoye keeps what it derives from this machine's files, to be reused by later
    processes (font metrics, pre-parsed WeasyPrint declarations): $XDG_CACHE_HOME/huoye."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "huoye"
_FRONT_MATTER = re.compile(rb"\A(?:\xef\xbb\xbf)?---.*?\n---", re.S)


def _hash_tree(h, folder: Path, root: Path) -> None:
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if "__pycache__" in path.parts or path.name.startswith("."):
            continue
        h.update(str(path.relative_to(root)).encode() + b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")


@lru_cache(maxsize=1)
def _engine_digest() -> str:
    """huoye's version and source: a change to the engine rebuilds."""
    h = hashlib.sha256(huoye.__version__.encode())
    package = Path(huoye.__file__).parent
    _hash_tree(h, package, package)
    return h.hexdigest()


@lru_cache(maxsize=8)
def _templates_digest(templates: Path, _mtimes: tuple) -> str:
    h = hashlib.sha256()
    _hash_tree(h, templates, templates)
    return h.hexdigest()


def _tree_mtimes(folder: Path) -> tuple:
    return tuple(sorted((str(p), p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()))


def build_key(folder: Path, root: Path, templates: Path, options: dict) -> str:
    """The key of one issue folder's build, from raw inputs (nothing is parsed)."""
    h = hashlib.sha256()
    _hash_tree(h, folder, folder)
    h.update((root / SERIES_FILE).read_bytes())
    for other in sorted(root.iterdir()):
        path = other / ISSUE_FILE
        if other != folder and path.is_file():
            m = _FRONT_MATTER.match(path.read_bytes())
            h.update(other.name.encode() + b"\0" + (m.group(0) if m else b"") + b"\0")
    h.update(_templates_digest(templates, _tree_mtimes(templates)).encode())
    h.update(_engine_digest().encode())
    h.update(json.dumps(options, sort_keys=True, default=str).encode())
    return h.hexdigest()


def _stat(path: Path) -> str:
    try:
        st = path.stat()
    except OSError:
        return "missing"
    return f"{st.st_size}:{st.st_mtime_ns}"


def fontconfig_state() -> str:
    """Times of fontconfig's caches and font folders: they change when fonts are installed."""
    return "|".join(_stat(Path(p).expanduser()) for p in FONTCONFIG_CACHES)


def font_files(brand) -> list[Path]:
    """The font files a build of this brand draws with (PDF roles and the deck's measure)."""
    from huoye.fonts import find_font

    out = []
    for family, bold in ((brand.serif, False), (brand.sans, True), (brand.kai, False),
                         (brand.deck_fallback, False), (brand.deck_fallback, True)):
        path = find_font(family, bold).path
        if path not in out:
            out.append(path)
    return out


def up_to_date(out_dir: Path, key: str, names: list[str]) -> bool:
    try:
        stamp = json.loads((out_dir / STAMP).read_text())
    except (OSError, ValueError):
        return False
    return (stamp.get("key") == key
            and set(names) <= set(stamp.get("outputs", []))
            and all((out_dir / n).is_file() for n in names)
            and stamp.get("fontconfig") == fontconfig_state()
            and all(_stat(Path(p)) == s for p, s in stamp.get("fonts", {}).items()))


def stamp_bytes(key: str, names: list[str], fonts: list[Path]) -> bytes:
    return json.dumps({"key": key, "outputs": names, "version": huoye.__version__,
                       "fonts": {str(p): _stat(p) for p in fonts},
                       "fontconfig": fontconfig_state(), "pid": os.getpid()},
                      ensure_ascii=False, indent=1).encode()
