"""Render step: the checked model → output bytes, one renderer per format.

Each renderer is a module with `render(issue, options) -> bytes`; the build
orchestrator (`huoye.build`) writes the bytes atomically. Renderers read the
model only; none re-parses content.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

from huoye.content import PDF_VARIANTS

__all__ = ["FORMATS", "ON_REQUEST", "PDF_VARIANTS", "RenderOptions", "file_name", "output_name", "renderer"]

FORMATS = ("pdf", "pptx", "html")
#: formats made only when asked for (--format handout): not part of a default build
ON_REQUEST = ("handout",)
EXTENSIONS = {"pdf": "pdf", "pptx": "pptx", "html": "html", "handout": "handout.pdf"}
_MODULES = {"pdf": "huoye.render.pdf", "pptx": "huoye.render.deck", "html": "huoye.render.html",
            "handout": "huoye.render.handout"}


@dataclass(frozen=True)
class RenderOptions:
    """What a build asks of the renderers beyond the content itself."""

    templates: Path
    pdf_variant: str | None = None
    extra: dict = field(default_factory=dict)


def renderer(fmt: str):
    """The module that renders `fmt` (imported on first use: WeasyPrint is slow to import)."""
    return importlib.import_module(_MODULES[fmt])


def file_name(series: str, slug: str, fmt: str) -> str:
    """The one naming rule of outputs: <bulletin name>-<issue folder>.<extension>."""
    return f"{series}-{slug}.{EXTENSIONS[fmt]}"


def output_name(issue, fmt: str) -> str:
    """File name of an output: e.g. 财经活页-2020-03.pdf (never a path: the loader checks the
    series name, and this refuses a separator again, so no output lands outside its folder)."""
    name = file_name(issue.series.name, issue.slug, fmt)
    if "/" in name or "\\" in name or "\0" in name or name.startswith("."):
        from huoye.errors import RenderError
        from huoye.i18n import _

        raise RenderError(_("{path}: name: '{name}' cannot be part of a file name; remove '/', "
                            "'\\' and a leading '.'").format(path=issue.series.source,
                                                            name=issue.series.name))
    return name
