"""Render step, shared: the Jinja2 environment every template runs in.

Autoescaped for HTML (content is data, never template code) and
`StrictUndefined` (a missing variable is an error naming the template and
line). Filters from `huoye.summarise` are registered for the deck outline.

Compiled templates are kept in huoye's cache folder (`TemplateCodeCache`), as Python
keeps its bytecode: a cold build no longer compiles every template again (~0.1 s).
"""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import lru_cache
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket, BytecodeCache

from huoye.errors import RenderError
from huoye.i18n import _

#: what the compiled code depends on besides a template's source (its name, file and
#: source are Jinja's own key and checksum): change one, and the cache folder changes
_AUTOESCAPED = ("html", "html.j2", "xml", "svg.j2")
_SYNTAX = {"trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True}


class TemplateCodeCache(BytecodeCache):
    """Jinja's compiled templates in huoye's cache folder (``templates-<key>/``, the key
    covering Jinja's version and the environment's options), each file checked against
    its template's source by Jinja. The files are code that this process runs: as for
    the pre-parsed WeasyPrint declarations (`preparsed.require_private`), they are read
    only from folders and files of this user that no one else may write, and written
    private. A cache that cannot be used is skipped: the template is compiled as without
    it."""

    def __init__(self) -> None:
        from huoye.cache import user_cache_folder

        key = hashlib.sha256(repr((jinja2.__version__, _AUTOESCAPED, sorted(_SYNTAX.items())))
                             .encode()).hexdigest()[:16]
        self.folder = user_cache_folder() / f"templates-{key}"

    def _private(self, *paths: Path) -> None:
        from huoye.render.weasyprint.preparsed import require_private

        for path in (self.folder.parent, self.folder, *paths):
            require_private(path)

    def load_bytecode(self, bucket: Bucket) -> None:
        path = self.folder / bucket.key
        try:
            self._private(path)
            with open(path, "rb") as f:
                bucket.load_bytecode(f)
        except (OSError, EOFError, ValueError, pickle.UnpicklingError):  # absent or damaged
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._private()
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")  # mode 0600
            try:
                with os.fdopen(fd, "wb") as f:
                    bucket.write_bytecode(f)
                os.replace(tmp, self.folder / bucket.key)  # whole, or not at all
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError:  # a read-only, full or shared cache folder: compiled again next time
            pass


@lru_cache(maxsize=8)
def environment(templates: Path) -> jinja2.Environment:
    """One environment per templates folder, compiled templates cached (in memory, and
    on disk by `TemplateCodeCache`)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=jinja2.select_autoescape(list(_AUTOESCAPED)),
        undefined=jinja2.StrictUndefined,
        bytecode_cache=TemplateCodeCache(),
        **_SYNTAX,
    )
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
    try:
        from huoye import summarise
    except ImportError:  # the deck filters are optional for the HTML/PDF renderers
        pass
    else:
        env.filters.update(summarise.FILTERS)
    return env


def render_template(templates: Path, name: str, **context) -> str:
    """Render template `name`; template mistakes become a RenderError with file:line."""
    env = environment(templates)
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as err:
        raise RenderError(_("{path}:{line}: template: {message}").format(
            path=err.filename or name, line=err.lineno, message=err.message)) from None
    except jinja2.UndefinedError as err:
        raise RenderError(_("{place}: template: {message}; check the variable's name in the "
                            "template").format(place=_template_place(err, templates, name),
                                               message=err.message)) from None
    except jinja2.TemplateNotFound as err:
        raise RenderError(_("{path}: template '{name}' is missing; restore it from "
                            "huoye's templates/ folder").format(path=templates, name=err.name)) from None


def _template_place(err: Exception, templates: Path, name: str) -> str:
    """templates/x.html.j2:LINE from the traceback of a template error."""
    tb = err.__traceback__
    place = f"{templates / name}"
    while tb is not None:
        fname = tb.tb_frame.f_code.co_filename
        if fname.startswith(str(templates)):
            place = f"{fname}:{tb.tb_lineno}"
        tb = tb.tb_next
    return place
