"""Where a bulletin project's parts are: its content folder, its templates, huoye's defaults.

    <project>/content/series.yaml    what all issues share (huoye.content)
    <project>/templates/             optional: the project's own copy of the templates
                                     (`huoye init --templates`), used when present
    huoye's default templates        the `templates/` folder at the top of huoye's
                                     repository, shipped inside the wheel as the
                                     package data `huoye/templates/`

The default templates are a real folder in both cases (a source checkout or an
editable install reads `templates/` itself; an installed wheel reads
`site-packages/huoye/templates/`): WeasyPrint's fetcher and the build key need paths.
"""
from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
# Installed from a wheel: setuptools maps the package `huoye.templates` to the repository's
# templates/ (pyproject.toml), so the files sit inside the package. From a checkout: beside it.
DEFAULT_TEMPLATES = (_PACKAGE / "templates" if (_PACKAGE / "templates" / "briefing.html.j2").is_file()
                     else _PACKAGE.parent / "templates")
TEMPLATE_MARKER = "briefing.html.j2"


def project_templates(content_root: Path) -> Path:
    """The templates a project's builds use: <project>/templates when it holds a page
    template (a copy made by `huoye init --templates`), else huoye's defaults."""
    own = content_root.resolve().parent / "templates"
    return own if (own / TEMPLATE_MARKER).is_file() else DEFAULT_TEMPLATES
