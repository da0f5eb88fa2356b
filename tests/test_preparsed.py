"""WeasyPrint imported with pre-parsed C declarations (huoye.render.weasyprint.preparsed)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import types

import pytest

from huoye.render.weasyprint import preparsed
from tests.conftest import ROOT, SAMPLE

RENDER = textwrap.dedent(f"""
    import hashlib, sys
    from pathlib import Path
    from huoye.load.archive import load_issue
    from huoye.render import RenderOptions, pdf
    data = pdf.render(load_issue(Path({str(SAMPLE)!r})), RenderOptions(templates=Path({str(ROOT / "templates")!r})))
    import weasyprint.text.ffi as wp
    print(type(wp.ffi).__module__, hashlib.sha256(data).hexdigest())
""")


def _run(code: str, tmp_path, **env) -> str:
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), **env}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_same_pdf_with_and_without_preparsed_declarations(tmp_path):
    """The hook changes how fast WeasyPrint loads, not a byte of the PDF."""
    stock_kind, stock = _run(RENDER, tmp_path, HUOYE_PREPARSED_FFI="0").split()
    first_kind, first = _run(RENDER, tmp_path).split()  # writes the cache
    again_kind, again = _run(RENDER, tmp_path).split()  # reads it
    assert stock_kind == "cffi.api" and first_kind == again_kind == "_cffi_backend"
    assert stock == first == again
    # one for WeasyPrint's declarations, one for huoye.render.weasyprint.subset's HarfBuzz plan API
    assert len(list((tmp_path / "cache" / "huoye").glob("wpffi_*.py"))) == 2


def test_damaged_cache_is_written_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    declarations = "typedef struct { int x, y; } point_t; int abs(int);"
    ffi = preparsed.preparsed_ffi(declarations)
    assert ffi.sizeof("point_t") == 8
    [cached] = (tmp_path / "huoye").glob("wpffi_*.py")
    cached.write_text("ffi = this is not python\n")
    assert preparsed.preparsed_ffi(declarations).sizeof("point_t") == 8
    assert "_cffi_backend" in cached.read_text()


def test_declarations_are_taken_from_the_module_source():
    source = 'import cffi\nffi = cffi.FFI()\nffi.cdef("""int abs(int);""")\nx = ffi.NULL\n'
    tree, declarations = preparsed.split_declarations(source)
    assert declarations == "int abs(int);"
    stand_in = types.SimpleNamespace(NULL="null of the pre-parsed ffi")
    namespace = {preparsed._NAME: stand_in}
    exec(compile(tree, "<test>", "exec"), namespace)
    assert namespace["ffi"] is stand_in and namespace["x"] == "null of the pre-parsed ffi"


@pytest.mark.parametrize("source", [
    "import cffi\nffi = cffi.FFI()\n",  # no cdef
    'import cffi\nffi = cffi.FFI()\nffi.cdef("int a;")\nffi.cdef("int b;")\n',  # two
    'import cffi\nffi = cffi.FFI()\nffi.cdef(DECLARATIONS)\n',  # not a literal
    'import cffi\nffi = cffi.FFI()\nx = 1\nffi.cdef("int a;")\n',  # not right after
])
def test_an_unexpected_module_shape_is_refused(source):
    with pytest.raises(ValueError):
        preparsed.split_declarations(source)


def test_unwritable_cache_falls_back_to_the_ordinary_import(tmp_path):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")
    # huoye.render.pdf installs the hook when it is imported, before WeasyPrint is.
    code = "from huoye.render import pdf\nimport weasyprint.text.ffi as wp\nprint(type(wp.ffi).__module__)"
    environment = {**os.environ, "XDG_CACHE_HOME": str(blocked)}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["cffi.api"]


def test_cache_key_follows_the_declarations(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    preparsed.preparsed_ffi("int abs(int);")
    preparsed.preparsed_ffi("long labs(long);")
    names = {p.name for p in (tmp_path / "huoye").glob("wpffi_*.py")}
    assert len(names) == 2


def test_a_module_without_the_hash_huoye_wrote_is_never_run(tmp_path, monkeypatch):
    """Someone else's code in the cache file (hash not matching) is replaced, not executed."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    declarations = "int abs(int);"
    preparsed.preparsed_ffi(declarations)
    [cached] = (tmp_path / "huoye").glob("wpffi_*.py")
    marker = tmp_path / "ran"
    cached.write_text(f"open({str(marker)!r}, 'w').close()\nffi = None\n")
    assert preparsed.preparsed_ffi(declarations).sizeof("int") == 4
    assert not marker.exists()
    assert "_cffi_backend" in cached.read_text()
    # a hash file rewritten to match foreign code is refused as well once it is not private
    (cached.with_suffix(".sha256")).chmod(0o666)
    with pytest.raises(OSError, match="may be written by other users"):
        preparsed.require_private(cached.with_suffix(".sha256"))


def test_a_cache_folder_others_may_write_turns_the_cache_off(tmp_path, monkeypatch):
    shared = tmp_path / "cache"
    (shared / "huoye").mkdir(parents=True)
    (shared / "huoye").chmod(0o777)
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared))
    with pytest.raises(OSError, match="may be written by other users"):
        preparsed.preparsed_ffi("int abs(int);")
    assert not list((shared / "huoye").iterdir())  # nothing written, nothing run
    # and WeasyPrint is then imported the ordinary way
    code = "from huoye.render import pdf\nimport weasyprint.text.ffi as wp\nprint(type(wp.ffi).__module__)"
    environment = {**os.environ, "XDG_CACHE_HOME": str(shared)}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["cffi.api"]


def test_cache_files_are_private(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    preparsed.preparsed_ffi("int abs(int);")
    for path in (tmp_path / "huoye").iterdir():
        assert path.stat().st_mode & 0o077 == 0, path
