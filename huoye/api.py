"""The library's entry point: `huoye.build(...)`, what `python build.py` does, from Python.

    import huoye

    results = huoye.build("content", out="output", formats=("pdf", "html"))
    for r in results:
        print(r.slug, "failed: " + r.error if r.error else [str(p) for p in r.outputs])

Content that cannot be loaded raises `huoye.errors.HuoyeError` (its `problems` are
`path:line: field: message` items) and nothing is written; an issue that fails to
render is reported in its result and the others are built. Progress goes to the
`huoye.progress` logger (silent unless logging is configured).
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from huoye.build import BuildRequest, IssueResult, select
from huoye.build import build as run_build
from huoye.project import project_templates
from huoye.render import FORMATS


def build(content: str | Path | Iterable[str | Path] = "content", out: str | Path = "output", *,
          formats: Iterable[str] = FORMATS, templates: str | Path | None = None,
          force: bool = False, jobs: int = 1, pdf_variant: str | None = None,
          site: bool = True) -> list[IssueResult]:
    """Build issues into `out`/<issue>/ and, with `site`, `out`/index.html and feed.xml.

    content: the content folder (or issue folders, or a list of them)
    formats: any of "pdf", "pptx", "html"
    templates: a templates folder (default: the project's templates/ if it has one,
               else huoye's own)
    force: rebuild issues whose outputs are up to date
    jobs: issues built in parallel worker processes
    pdf_variant: "pdf/a-3u" or "pdf/ua-1" (default: series.yaml's, else plain PDF)
    Returns one `IssueResult` per issue (slug, built, outputs, error), in issue order.
    """
    paths = [Path(content)] if isinstance(content, (str, Path)) else [Path(p) for p in content]
    formats = tuple(formats)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ValueError(f"formats: {unknown or formats!r}; choose from {', '.join(FORMATS)}")
    root, _ = select(paths)
    chosen = Path(templates).resolve() if templates is not None else project_templates(root)
    return run_build(BuildRequest(paths=paths, formats=formats, out_dir=Path(out),
                                  templates=chosen, force=force, jobs=jobs,
                                  pdf_variant=pdf_variant, site=site))
