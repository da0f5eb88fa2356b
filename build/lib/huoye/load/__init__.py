"""Load step: content files → the typed model (`huoye.model`).

`load_archive` reads `content/series.yaml` and every issue folder, validates
all of it, reports every problem at once (`ContentError`), and derives the
facts that need more than one file (recent themes).
"""
from huoye.load.archive import load_archive, load_issue

__all__ = ["load_archive", "load_issue"]
