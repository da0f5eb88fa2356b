"""Write step, before rendering: is an issue's output already up to date?

The build key is a SHA-256 over everything that can change the output: the
issue folder's files, series.yaml, the templates, huoye's version and source,
the font files in use, the recent themes derived from other issues, and the
build options. It is stored beside the outputs; a build whose key matches and
whose outputs all exist is skipped.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
from functools import lru_cache
from pathlib import Path

import huoye
from huoye.model import Issue

STAMP = ".huoye-build.json"


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


@lru_cache(maxsize=32)
def _font_file(family: str) -> Path | None:
    out = subprocess.run(["fc-match", "-f", "%{file}", family], capture_output=True, text=True)
    return Path(out.stdout) if out.returncode == 0 and out.stdout else None


def _font_digest(issue: Issue) -> str:
    b = issue.series.brand
    h = hashlib.sha256()
    for family in (b.serif, b.sans, b.kai, b.deck_east_asian, b.deck_fallback):
        path = _font_file(family)
        if path is None or not path.is_file():
            continue
        st = path.stat()
        h.update(f"{path}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()


def build_key(issue: Issue, templates: Path, options: dict) -> str:
    h = hashlib.sha256()
    _hash_tree(h, issue.folder, issue.folder)
    h.update(issue.series.source.path.read_bytes())
    _hash_tree(h, templates, templates)
    h.update(_engine_digest().encode())
    h.update(_font_digest(issue).encode())
    h.update(json.dumps(issue.recent_themes, ensure_ascii=False).encode())
    h.update(json.dumps(options, sort_keys=True, default=str).encode())
    return h.hexdigest()


def up_to_date(out_dir: Path, key: str, names: list[str]) -> bool:
    try:
        stamp = json.loads((out_dir / STAMP).read_text())
    except (OSError, ValueError):
        return False
    return stamp.get("key") == key and all((out_dir / n).is_file() for n in names) and \
        set(names) <= set(stamp.get("outputs", []))


def stamp_bytes(key: str, names: list[str]) -> bytes:
    return json.dumps({"key": key, "outputs": names, "version": huoye.__version__}).encode()
