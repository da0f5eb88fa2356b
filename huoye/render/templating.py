"""Render step, shared: the Jinja2 environment every template runs in.

Autoescaped for HTML (content is data, never template code) and
`StrictUndefined` (a missing variable is an error naming the template and
line). Filters from `huoye.summarise` are registered for the deck outline.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from huoye.errors import RenderError
from huoye.i18n import _


@lru_cache(maxsize=8)
def environment(templates: Path) -> jinja2.Environment:
    """One environment per templates folder, compiled templates cached."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=jinja2.select_autoescape(["html", "html.j2", "xml", "svg.j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
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
