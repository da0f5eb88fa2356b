"""Render step support: import WeasyPrint with its C declarations pre-parsed.

``import weasyprint`` spends about 0.3 s (half of its import time) in one call:
``weasyprint.text.ffi`` hands ~450 lines of C declarations for Pango, HarfBuzz and
fontconfig to ``cffi.FFI.cdef``, which parses them with pycparser in Python, in every
new process. cffi's *out-of-line ABI mode* stores the parsed result as a small Python
module whose FFI object loads in about a millisecond; it needs no C compiler and it
calls the same shared libraries through the same ``ffi.dlopen``.

``install()`` puts an import hook in front of ``sys.meta_path``. When
``weasyprint.text.ffi`` is imported, the hook runs that module's own source with two
statements replaced, ``ffi = cffi.FFI()`` and ``ffi.cdef(DECLARATIONS)``, by the
pre-parsed FFI for exactly those DECLARATIONS. The pre-parsed module is written once to
``$XDG_CACHE_HOME/huoye/wpffi_<hash>.py`` (``huoye.cache.user_cache_folder``), keyed by
the declarations and the cffi version, like fontconfig's own cache, with the SHA-256 of
its bytes beside it (``wpffi_<hash>.sha256``). The cache runs code, so it is guarded:

* it is used only while the cache folder is private to the user (owned by them, not
  writable by group or others, and the same for the two files); otherwise it is off;
* a module is run only if its bytes have the hash written when huoye wrote them, and
  the bytes that were hashed are the bytes run (read once, compiled from memory);
  a file that fails the check is written again.

Anything unexpected (another module layout, an unwritable or shared cache) falls back to
WeasyPrint's ordinary import, with a debug log line; ``HUOYE_PREPARSED_FFI=0`` in the
environment turns the hook off.
"""
from __future__ import annotations

import ast
import contextlib
import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import io
import logging
import os
import stat
import sys
import types
from pathlib import Path

from huoye.cache import user_cache_folder

LOG = logging.getLogger("huoye.render")
TARGET = "weasyprint.text.ffi"
_NAME = "__huoye_preparsed_ffi__"


def install() -> bool:
    """Make a later ``import weasyprint`` use pre-parsed C declarations. Idempotent;
    returns False when WeasyPrint's FFI module is already imported (nothing to gain) or
    HUOYE_PREPARSED_FFI=0 turns it off."""
    if TARGET in sys.modules or os.environ.get("HUOYE_PREPARSED_FFI") == "0":
        return False
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
    return True


def uninstall() -> None:
    """Remove the import hook (modules already imported stay as they are)."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _Finder)]


class _Finder(importlib.abc.MetaPathFinder):
    """Answers for weasyprint.text.ffi only; every other import goes on as usual."""

    def find_spec(self, fullname, path, target=None):
        if fullname != TARGET:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            return spec
        return importlib.util.spec_from_file_location(fullname, spec.origin,
                                                      loader=_Loader(fullname, spec.origin))


class _Loader(importlib.machinery.SourceFileLoader):
    """Runs weasyprint/text/ffi.py with its cdef call replaced by a pre-parsed FFI."""

    def exec_module(self, module):
        source = Path(self.path).read_text(encoding="utf-8")
        try:
            tree, declarations = split_declarations(source)
            module.__dict__[_NAME] = preparsed_ffi(declarations)
        except (ValueError, OSError, ImportError) as err:
            LOG.debug("pre-parsed WeasyPrint FFI unavailable (%s); ordinary import", err)
            return super().exec_module(module)
        exec(compile(tree, self.path, "exec"), module.__dict__)  # noqa: S102
        del module.__dict__[_NAME]


def split_declarations(source: str) -> tuple[ast.Module, str]:
    """The module's syntax tree with ``ffi = cffi.FFI()`` bound to the pre-parsed FFI
    instead and its ``ffi.cdef("...")`` removed, and the declarations that call held.
    ValueError if the module does not have exactly that shape."""
    tree = ast.parse(source)
    create = [i for i, node in enumerate(tree.body)
              if isinstance(node, ast.Assign) and ast.unparse(node) == "ffi = cffi.FFI()"]
    cdefs = [i for i, node in enumerate(tree.body)
             if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
             and ast.unparse(node.value.func) == "ffi.cdef"]
    if len(create) != 1 or len(cdefs) != 1 or cdefs[0] != create[0] + 1:
        raise ValueError("weasyprint.text.ffi does not create one FFI with one cdef call")
    call = tree.body[cdefs[0]].value  # type: ignore[attr-defined]  # an ast.Expr, checked above
    if (len(call.args) != 1 or call.keywords or not isinstance(call.args[0], ast.Constant)
            or not isinstance(call.args[0].value, str)):
        raise ValueError("weasyprint.text.ffi's cdef call is not a single string")
    declarations = call.args[0].value
    bind = ast.parse(f"ffi = {_NAME}").body[0]
    ast.copy_location(bind, tree.body[create[0]])
    tree.body[create[0]:cdefs[0] + 1] = [bind]
    ast.fix_missing_locations(tree)
    return tree, declarations


def preparsed_ffi(declarations: str):
    """The FFI object for `declarations`, from the cache, written there on first use.
    OSError when the cache folder is not private to the user (the caller then imports
    WeasyPrint the ordinary way)."""
    import cffi

    key = hashlib.sha256(f"{cffi.__version__}\0{declarations}".encode()).hexdigest()[:16]
    module_name = f"wpffi_{key}"
    folder = user_cache_folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    require_private(folder)
    path = folder / f"{module_name}.py"
    code = _verified(path)
    if code is None:
        _write_module(declarations, module_name, path)
        code = _verified(path)
        if code is None:
            raise OSError(f"{path} does not match the hash written with it")
    module = types.ModuleType(module_name)
    module.__file__ = str(path)
    try:
        exec(compile(code, str(path), "exec"), module.__dict__)  # noqa: S102 (verified above)
        return module.ffi
    except Exception as err:  # a module whose hash matches but does not run: write it again
        LOG.debug("rewriting %s (%s)", path, err)
        _write_module(declarations, module_name, path)
        code = _verified(path)
        if code is None:
            raise OSError(f"{path} does not match the hash written with it") from err
        exec(compile(code, str(path), "exec"), module.__dict__)  # noqa: S102
        return module.ffi


def require_private(path: Path) -> None:
    """OSError unless `path` belongs to this user and no one else may write to it."""
    info = os.stat(path, follow_symlinks=False)
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise OSError(f"{path} belongs to another user")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise OSError(f"{path} may be written by other users")
    if stat.S_ISLNK(info.st_mode):
        raise OSError(f"{path} is a symbolic link")


def _hash_path(path: Path) -> Path:
    return path.with_suffix(".sha256")


def _verified(path: Path) -> bytes | None:
    """The module's bytes if they have the hash huoye wrote beside them, else None."""
    try:
        for file in (path, _hash_path(path)):
            require_private(file)
        code = path.read_bytes()
        written = _hash_path(path).read_text(encoding="ascii").strip()
    except (OSError, UnicodeError):
        return None
    if hashlib.sha256(code).hexdigest() != written:
        LOG.debug("%s does not match its hash; writing it again", path)
        return None
    return code


def _write_module(declarations: str, module_name: str, path: Path) -> None:
    import cffi

    ffi = cffi.FFI()
    ffi.cdef(declarations)
    ffi.set_source(module_name, None)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # cffi prints "generating ..."
            ffi.emit_python_code(str(temporary))
        os.chmod(temporary, 0o600)
        code = temporary.read_bytes()
        _write_private(_hash_path(path), hashlib.sha256(code).hexdigest().encode() + b"\n")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically, readable and writable by this user only."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
