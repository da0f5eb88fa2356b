"""`huoye watch`: rebuild the issues whose inputs changed, on every save, in one warm process.

Templates stay compiled and fonts configured between builds (the process
lives on); the build cache decides which issues actually need rendering. A
content error is printed with its `path:line` and the watcher keeps going;
Ctrl-C exits cleanly.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

from huoye.build import DEFAULT_TEMPLATES, BuildRequest, build, default_jobs, select
from huoye.errors import HuoyeError
from huoye.i18n import _, ngettext

log = logging.getLogger("huoye.progress")


def rebuild(request: BuildRequest) -> None:
    """One round: build what changed; print errors instead of raising them."""
    start = time.perf_counter()
    try:
        results = build(request)
    except HuoyeError as err:
        for problem in err.problems:
            log.error("%s", problem)
        log.info("%s", _("waiting for the next save…"))
        return
    built = [r for r in results if r.built]
    if built:
        log.info("%s", ngettext("rebuilt {count} issue in {seconds} s",
                                "rebuilt {count} issues in {seconds} s", len(built)).format(
            count=len(built), seconds=f"{time.perf_counter() - start:.2f}"))


def watch(args) -> int:
    import watchfiles

    # watchfiles says "KeyboardInterrupt caught, stopping watch" in English; huoye says
    # that it stopped watching, in the editor's language
    logging.getLogger("watchfiles").setLevel(logging.ERROR)
    templates = (args.templates or DEFAULT_TEMPLATES).resolve()
    request = BuildRequest(paths=args.paths, formats=args.formats, out_dir=args.out,
                           templates=templates, jobs=default_jobs(), pdf_variant=args.pdf_variant,
                           html_first=True, warm=True)
    root, _only = select(args.paths)
    watched = [root, templates]
    ready = False
    try:
        # yield_on_timeout: the first (empty) yield comes once the watcher is listening, so a
        # save made during the first build is seen too.
        for changes in watchfiles.watch(*watched, debounce=100, step=20, rust_timeout=250,
                                        yield_on_timeout=True, raise_interrupt=False,
                                        watch_filter=_relevant):
            if not ready:
                rebuild(request)
                log.info("%s", _("watching {folders} — press Ctrl-C to stop").format(
                    folders=", ".join(str(p) for p in watched)))
                ready = True
            if not changes:
                continue
            names = sorted({Path(p).name for _change, p in changes})
            log.info("%s", _("changed: {files}").format(files=", ".join(names)))
            rebuild(request)
    except KeyboardInterrupt:
        pass
    log.info("%s", _("stopped watching"))
    return 0


def _relevant(change, path: str) -> bool:
    name = Path(path).name
    return not (name.startswith(".") or name.endswith(("~", ".tmp", ".swp")))
