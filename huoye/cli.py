"""Command line: a thin layer over `huoye.build` and `huoye.load`.

    huoye init  [DIR] [--name 名称] [--publisher 单位] [--templates]
    huoye new   [--theme 主题] [--date YYYY-MM-DD]
    huoye check [ISSUE…]
    huoye build [ISSUE…] [--format pdf,pptx,html] [--jobs N] [--force]
    huoye serve [ISSUE…] [--port 8000]
    huoye watch [ISSUE…]
    huoye import MANUSCRIPT [--issue YEAR-NUMBER] [--article]

`huoye PATH…` (no command) builds; a word that is neither a command nor an existing
path is refused with the nearest command (`huoye serv` → did you mean 'serve'?).
Every command takes `--lang zh|en` (see `huoye.i18n` for the order in which the
environment decides otherwise); help, progress and errors are translated.

Errors meant for the editor (HuoyeError) print as `path:line: field: message`
and exit with status 2; nothing is written. A failing disk or folder (OSError)
also exits 2 with the path and the fix. Anything else is a bug in huoye: one
plain line and exit status 1 (HUOYE_DEBUG=1 shows the traceback).
"""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import logging
import os
import re
import sys
from pathlib import Path
from typing import NoReturn

from huoye import __version__
from huoye.errors import HuoyeError, display_path, os_error_message
from huoye.i18n import (
    LANGUAGES,
    N_,
    _,
    argparse_translated,
    argparse_words,
    choose_language,
    language_option,
    ngettext,
    set_language,
)
from huoye.render import PDF_VARIANTS

EXAMPLES_BUILD = N_("""examples:
  python build.py                         build every issue in content/ into output/
  python build.py content/2020-03         build one issue
  python build.py --format pdf            only the PDF briefing
  python build.py --jobs 2 --force        rebuild everything on two cores
  python build.py --pdf-variant pdf/a-3u  PDF/A-3u for the archive
  python build.py --lang zh               messages in Chinese
""")
EXAMPLES_CHECK = N_("""examples:
  huoye check                  validate every issue in content/
  huoye check content/2020-03  validate one issue
""")
EXAMPLES_NEW = N_("""examples:
  huoye new                         the issue after the latest one: number +1 (1 in a new
                                    year), serial +1, today's date
  huoye new --theme 数字财政 --date 2020-05-25   content/2020-04/issue.md, 总第329期
  huoye new --theme 创刊                 in a project with no issue yet: number 1 of this
                                        year, serial number series.yaml's first_serial
""")
EXAMPLES_INIT = N_("""examples:
  huoye init 简报 --name 财经简报 --publisher 某市财政局 --first-serial 1
                               a project in the folder 简报: content/series.yaml, content/
  huoye init                   start a project in this folder (asks for the name and publishers)
  huoye init --templates       also copy the default templates into templates/ to restyle
  huoye init x --name 周报 --publisher 甲 --publisher 乙 --staff 主编=张三 --colour "#1f4e79"
""")
EXAMPLES_SERVE = N_("""examples:
  huoye serve                  preview at http://127.0.0.1:8000/; the page reloads on save
  huoye serve --port 8080      another port
  huoye serve content/2020-03  only one issue
  huoye serve --host 0.0.0.0   let other machines of the network see the preview
""")
EXAMPLES_IMPORT = N_("""examples:
  huoye import 稿件.docx                     the next issue, content/<year>-<number>/issue.md
  huoye import 稿件.docx --issue 2021-05     that issue
  huoye import 第二篇.docx --issue 2021-05 --article   a further article of 2021-05
  huoye import 修订稿.docx --tracked-changes refuse   stop if it has tracked changes
""")
EXAMPLES_WATCH = N_("""examples:
  huoye watch                  rebuild the issues whose files change, on every save
  huoye watch --format pdf     only the PDF, for quick proofreading
""")


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help with lines wrapped by terminal columns, where a Chinese character
    takes two (argparse counts characters, so Chinese help ran twice as wide as the
    terminal). Chinese wraps between any two characters, never before closing punctuation.
    Metavars and option names stay ASCII so that the help column lines up."""

    def _format_usage(self, usage, actions, groups, prefix) -> str:
        # argparse indents the usage's continuation lines by the characters of "usage: ";
        # "用法：" takes more columns than characters
        text = super()._format_usage(usage, actions, groups, prefix)
        said = argparse_words("usage: ") if prefix is None else prefix
        shift = " " * (columns(said) - len(said))
        return re.sub(r"(?m)^(?=  )", shift, text) if shift else text

    def start_section(self, heading: str | None) -> None:
        self._headings = [*getattr(self, "_headings", []), heading]
        super().start_section(heading)

    def format_help(self) -> str:
        # argparse writes "heading:"; the language may want its own colon ("选项：")
        text = super().format_help()
        for heading in filter(None, getattr(self, "_headings", [])):
            text = re.sub(rf"(?m)^(\s*){re.escape(heading)}:$",
                          lambda m, h=heading: m.group(1) + _("{heading}:").format(heading=h), text)
        return text

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap_columns(" ".join(text.split()), width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap_columns(" ".join(text.split()),
                                                               width - columns(indent)))


class RawDescriptionHelpFormatter(HelpFormatter):
    """HelpFormatter keeping text of several lines (the examples) as written; a one-line
    description is wrapped like the rest."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text.strip():
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


_WIDE = (r"\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60"
         r"\uffe0-\uffe6")
_NO_LINE_START = set("，。、；：！？）》」』】…—")


@functools.cache
def _wide_and_tokens() -> tuple[re.Pattern, re.Pattern]:
    """The wide characters, and the tokens `wrap_columns` breaks between: compiled when
    first needed (~13 ms, which every build would otherwise pay before its first step)."""
    return re.compile(f"[{_WIDE}]"), re.compile(rf"\s+|[{_WIDE}]|[^\s{_WIDE}]+")


def columns(text: str) -> int:
    """How many terminal columns `text` takes (CJK characters and full-width forms: two)."""
    if text.isascii():  # (every build measures "usage: ", making its parser)
        return len(text)
    return len(text) + len(_wide_and_tokens()[0].findall(text))


def wrap_columns(text: str, width: int) -> list[str]:
    """`text` wrapped into lines of at most `width` columns (a longer word stays whole)."""
    lines, line, space = [], "", False
    for token in _wide_and_tokens()[1].findall(text):
        if token.isspace():
            space = bool(line)
            continue
        candidate = line + (" " if space else "") + token
        if line and columns(candidate) > width and token[0] not in _NO_LINE_START:
            lines.append(line)
            candidate = token
        line, space = candidate, False
    return lines + [line] if line else lines


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        msg = record.getMessage()
        if record.name == "huoye.progress" and record.levelno < logging.ERROR:
            return msg
        if record.levelno >= logging.ERROR:
            return _("error: {message}").format(message=msg)
        if record.levelno >= logging.WARNING:
            return _("warning: {message}").format(message=msg)
        return msg


def setup_logging(quiet: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    root = logging.getLogger("huoye")
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING if quiet else logging.INFO)
    root.propagate = False


def parser() -> argparse.ArgumentParser:
    """The command line's parser, in the current language (build and use it inside
    `huoye.i18n.argparse_translated()` for argparse's own words to be translated too)."""
    p = argparse.ArgumentParser(
        prog="huoye", formatter_class=HelpFormatter,
        description=_("活页 huoye — build a policy bulletin issue into a PDF briefing, "
                      "a PowerPoint deck and an HTML edition."),
        epilog=_("Run 'huoye COMMAND --help' for a command's options and examples."))
    p.add_argument("--version", action="version", version=f"huoye {__version__}",
                   help=_("show huoye's version number and exit"))
    add_language_option(p)
    sub = p.add_subparsers(dest="command", metavar=_("COMMAND"), title=_("commands"))

    b = sub.add_parser("build", help=_("build issues into output/"), epilog=_(EXAMPLES_BUILD),
                       formatter_class=RawDescriptionHelpFormatter,
                       description=_("Build issues into output/<issue>/ (PDF, PPTX, HTML)."))
    add_build_options(b)

    c = sub.add_parser("check", help=_("validate content without writing anything"),
                       epilog=_(EXAMPLES_CHECK), formatter_class=RawDescriptionHelpFormatter,
                       description=_("Validate the content files and report every problem: "
                                     "the build's own checks (fonts, slides, charts), before "
                                     "anything is rendered."))
    c.add_argument("paths", nargs="*", type=Path, metavar="ISSUE",
                   help=_("content/ or issue folders (default: content)"))
    c.add_argument("--templates", type=Path, default=None, metavar="TEMPLATES",
                   help=_("templates folder (default: huoye's templates/)"))
    add_language_option(c)

    n = sub.add_parser("new", help=_("start the next issue from a skeleton to fill in"),
                       epilog=_(EXAMPLES_NEW), formatter_class=RawDescriptionHelpFormatter,
                       description=_("Create content/<year>-<number>/issue.md for the next issue."))
    n.add_argument("--content", type=Path, default=Path("content"), metavar="CONTENT",
                   help=_("content folder (default: content)"))
    n.add_argument("--theme", default="（本期主题）", metavar="THEME",
                   help=_("the new issue's theme (本期主题)"))
    n.add_argument("--date", type=_date, default=None, metavar="DATE",
                   help=_("publication date YYYY-MM-DD (default: today)"))
    add_language_option(n)

    i = sub.add_parser("init", help=_("start a bulletin project in a folder"), epilog=_(EXAMPLES_INIT),
                       formatter_class=RawDescriptionHelpFormatter,
                       description=_("Create DIR/content/series.yaml and DIR/content/. Options not "
                                     "given are asked for on a terminal, or take defaults."))
    i.add_argument("dir", nargs="?", type=Path, default=Path("."), metavar="DIR",
                   help=_("the project folder (default: this folder; made if missing)"))
    i.add_argument("--name", help=_("the bulletin's name, e.g. 财经活页"))
    i.add_argument("--publisher", dest="publishers", action="append",
                   help=_("a publishing body (repeat for several)"))
    i.add_argument("--address", help=_("postal address"))
    i.add_argument("--postcode", help=_("postcode"))
    i.add_argument("--telephone", help=_("telephone"))
    i.add_argument("--staff", action="append", type=_staff, metavar="ROLE=NAME",
                   help=_("a colophon line, e.g. 主编=张三 (repeat for several)"))
    i.add_argument("--colour", help=_("brand colour #rrggbb (masthead)"))
    i.add_argument("--accent", help=_("accent colour #rrggbb (rules and call-outs)"))
    i.add_argument("--serif", help=_("body font family (default: Noto Serif CJK SC)"))
    i.add_argument("--sans", help=_("heading font family (default: Noto Sans CJK SC)"))
    i.add_argument("--kai", help=_("editor's note font family (default: LXGW WenKai)"))
    i.add_argument("--first-serial", type=int, help=_("总第N期 of the first issue (default: 1)"))
    i.add_argument("--base-url", help=_("where output/ will be published, for the feed's links"))
    i.add_argument("--templates", action="store_true",
                   help=_("copy the default templates into DIR/templates/ to restyle them"))
    add_language_option(i)

    v = sub.add_parser("serve", help=_("preview in the browser, reloaded on every save"),
                       epilog=_(EXAMPLES_SERVE), formatter_class=RawDescriptionHelpFormatter,
                       description=_("Serve the series' archive page and each issue's HTML edition; "
                                     "on save the page reloads, then the PDF and the deck are "
                                     "written to the output folder."))
    add_build_options(v, watch=True)
    v.add_argument("--host", default="127.0.0.1", help=_("address to listen on (default: 127.0.0.1)"))
    v.add_argument("--port", type=int, default=8000, help=_("port (default: 8000; 0: any free port)"))

    m = sub.add_parser("import", help=_("turn an author's Word manuscript (.docx) into an issue"),
                       epilog=_(EXAMPLES_IMPORT), formatter_class=RawDescriptionHelpFormatter,
                       description=_("Read a .docx manuscript and write content/<issue>/issue.md in "
                                     "the content format, with a report of what was mapped and "
                                     "what was not."))
    m.add_argument("manuscript", type=Path, metavar="MANUSCRIPT", help=_("the .docx file"))
    m.add_argument("--issue", default=None, metavar="YEAR-NUMBER",
                   help=_("the issue to write, like 2021-05 (default: the next issue)"))
    m.add_argument("--article", action="store_true",
                   help=_("add the manuscript as a further article of the existing --issue"))
    m.add_argument("--tracked-changes", choices=("accept", "refuse"), default="accept",
                   dest="tracked_changes",
                   help=_("tracked changes (修订) in the manuscript: accept them all, as Word's "
                          "Accept All Changes does, and count them in the report (default), or "
                          "refuse the file"))
    m.add_argument("--content", type=Path, default=Path("content"),
                   help=_("content folder (default: content)"))
    add_language_option(m)

    w = sub.add_parser("watch", help=_("rebuild on every save"), epilog=_(EXAMPLES_WATCH),
                       formatter_class=RawDescriptionHelpFormatter,
                       description=_("Watch content/ and templates/ and rebuild changed issues."))
    add_build_options(w, watch=True)
    return p


def add_language_option(p: argparse.ArgumentParser) -> None:
    # read before parsing (huoye.i18n.language_option); declared so that help shows it and
    # the parser checks the value. SUPPRESS: a subcommand's default must not hide the
    # value given before the command.
    p.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS,
                   help=_("language of the messages: zh (中文) or en (English); default: "
                          "HUOYE_LANG, then LANGUAGE, LC_ALL, LC_MESSAGES, LANG"))


def add_build_options(p: argparse.ArgumentParser, watch: bool = False) -> None:
    from huoye.render import FORMATS, ON_REQUEST

    p.add_argument("paths", nargs="*", type=Path, metavar="ISSUE",
                   help=_("content/ or issue folders such as content/2020-03 (default: content)"))
    p.add_argument("--format", dest="formats", type=_formats, default=FORMATS, metavar="FORMATS",
                   help=_("outputs to make, comma-separated from {formats} (default: {default}; "
                          "handout: the deck as an A4 PDF for the audience, three slides a page with "
                          "their talking points)").format(formats=",".join(FORMATS + ON_REQUEST),
                                                          default=",".join(FORMATS)))
    p.add_argument("-o", "--out", type=Path, default=Path("output"), metavar="OUT",
                   help=_("output folder (default: output)"))
    p.add_argument("--templates", type=Path, default=None, metavar="TEMPLATES",
                   help=_("templates folder (default: the project's templates/ if it has one, "
                          "else huoye's own)"))
    p.add_argument("--pdf-variant", choices=PDF_VARIANTS, default=None,
                   help=_("PDF variant for archiving (default: series.yaml's pdf_variant, else plain PDF)"))
    p.add_argument("-q", "--quiet", action="store_true", help=_("print only warnings and errors"))
    if not watch:
        p.add_argument("--force", action="store_true",
                       help=_("rebuild even when the outputs are up to date"))
        p.add_argument("-j", "--jobs", type=int, default=None, metavar="JOBS",
                       help=_("issues built in parallel (default: the number of cores)"))
    add_language_option(p)


def _formats(text: str) -> tuple[str, ...]:
    from huoye.render import FORMATS, ON_REQUEST

    wanted = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    bad = [f for f in wanted if f not in FORMATS + ON_REQUEST]
    if bad or not wanted:
        raise argparse.ArgumentTypeError(_("unknown format {format}; choose from {choices}").format(
            format=repr(", ".join(bad) or text), choices=", ".join(FORMATS + ON_REQUEST)))
    return wanted


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{text} is not a date; write YYYY-MM-DD").format(text=repr(text))) from None


def _staff(text: str) -> tuple[str, str]:
    role, sep, name = text.partition("=")
    if not sep or not role.strip() or not name.strip():
        raise argparse.ArgumentTypeError(_("{text!r}: write ROLE=NAME, like 主编=张三").format(text=text))
    return role.strip(), name.strip()


def run(argv: list[str] | None = None) -> NoReturn:
    """The process's entry point (build.py, `python -m huoye`, the `huoye` command): `main`,
    then `huoye.processes.leave`: out at once, without the interpreter's teardown."""
    from huoye.processes import leave

    leave(main(argv))


def _command_index(argv: list[str]) -> int:
    """Where the command word is (or would be): the first argument that is not `--lang`."""
    i = 0
    while i < len(argv):
        if argv[i] == "--lang":
            i += 2
        elif argv[i].startswith("--lang="):
            i += 1
        else:
            break
    return min(i, len(argv))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    set_language(choose_language(language_option(argv)))
    i = _command_index(argv)
    if i < len(argv) and argv[i] not in (*COMMANDS, "-h", "--help", "--version"):
        if not argv[i].startswith("-") and not Path(argv[i]).exists():
            return _unknown_command(argv[i])
    if i == len(argv) or argv[i] not in (*COMMANDS, "-h", "--help", "--version"):
        argv.insert(i, "build")
    with argparse_translated():
        args = parser().parse_args(argv)
    setup_logging(getattr(args, "quiet", False))
    from huoye import signals
    from huoye.i18n import _

    # Watch mode and the preview server stop on Ctrl-C as their way of ending (exit 0); other
    # signals stop them as a build.
    ends_on_ctrl_c = args.command in ("watch", "serve")
    try:
        with (signals.installed(signals.HANDLED[1:], interrupt=True) if ends_on_ctrl_c
              else signals.installed()):
            return COMMANDS[args.command](args)
    except signals.Stopped as stop:
        print(_("stopped by {signal}; nothing more was written").format(signal=str(stop)),
              file=sys.stderr)
        return stop.exit_status
    except HuoyeError as err:
        print(_error_text(err), file=sys.stderr)
        return err.exit_status
    except KeyboardInterrupt:
        print(_("interrupted"), file=sys.stderr)
        return 130
    except OSError as err:  # the machine: a full disk, a read-only or vanished folder
        print(_("error: {message}").format(message=os_error_message(err)), file=sys.stderr)
        return 2
    except Exception as err:  # a bug in huoye: say so plainly, keep the traceback for developers
        if os.environ.get("HUOYE_DEBUG"):
            raise
        print(_("error: huoye stopped on an internal error ({error}).\n"
                "This is a bug in huoye, not a mistake in your content; nothing more was written. "
                "Please report it with the content folder; run with HUOYE_DEBUG=1 to see the "
                "details.").format(error=f"{type(err).__name__}: {err}"), file=sys.stderr)
        return 1


def _error_text(err: HuoyeError) -> str:
    lines = [_("error: {message}").format(message=p) for p in err.problems]
    if len(lines) > 1:
        lines.append(ngettext("{count} problem; nothing was written.",
                              "{count} problems; nothing was written.", len(lines)).format(count=len(lines)))
    return "\n".join(lines)


def _unknown_command(word: str) -> int:
    """`huoye serv`: not a command, not a path: say so, with the nearest command; status 2."""
    import difflib

    near = difflib.get_close_matches(word, list(COMMANDS), n=1, cutoff=0.5)
    if near:
        print(_("huoye: unknown command '{word}'; did you mean '{near}'?").format(word=word, near=near[0]),
              file=sys.stderr)
    else:
        print(_("huoye: '{word}' is neither a command ({commands}) nor an existing folder").format(
            word=word, commands=", ".join(sorted(COMMANDS))), file=sys.stderr)
    print(_("Run 'huoye --help' for the commands."), file=sys.stderr)
    return 2


def _templates(args) -> Path:
    """--templates, or the project's own templates/, or huoye's defaults."""
    from huoye.build import select
    from huoye.project import project_templates

    if args.templates is not None:
        return args.templates.resolve()
    root, _only = select(args.paths)
    return project_templates(root)


def cmd_build(args) -> int:
    from huoye.build import BuildRequest, build, default_jobs

    request = BuildRequest(paths=args.paths, formats=args.formats, out_dir=args.out,
                           templates=_templates(args),
                           force=args.force, jobs=args.jobs or default_jobs(),
                           pdf_variant=args.pdf_variant)
    results = build(request)
    failed = [r for r in results if r.error]
    if failed:
        print(_("error: {failed} of {total} issues failed: {slugs}").format(
            failed=len(failed), total=len(results), slugs=", ".join(r.slug for r in failed)),
            file=sys.stderr)
        return 1 if any(r.internal for r in failed) else 2
    return 0


def cmd_check(args) -> int:
    """Load every issue and run the build's own preflight on each (`huoye.preflight`): what
    passes here builds; every problem of every issue is reported, nothing is written."""
    from huoye.build import DEFAULT_TEMPLATES, select
    from huoye.load import load_archive
    from huoye.preflight import preflight
    from huoye.render import RenderOptions

    root, only = select(args.paths)
    issues = load_archive(root, only)
    templates = (getattr(args, "templates", None) or DEFAULT_TEMPLATES).resolve()
    problems: list = []
    for issue in issues:
        options = RenderOptions(templates=templates, pdf_variant=issue.series.pdf_variant)
        try:
            preflight(issue, options)
        except HuoyeError as err:
            problems += err.problems
            continue
        logging.getLogger("huoye.progress").info("%s", _(
            "{slug}: ok — {issue_line}, {sections} sections, {points} points, {figures} figures, "
            "{charts} charts").format(
            slug=issue.slug, issue_line=issue.issue_line, sections=len(issue.sections),
            points=sum(len(s.points) for s in issue.sections), figures=len(issue.figures),
            charts=len(issue.charts)))
    if problems:
        raise HuoyeError(problems)
    return 0


def cmd_new(args) -> int:
    from huoye.scaffold import new_issue

    path = new_issue(args.content, theme=args.theme, date=args.date or dt.date.today())
    logging.getLogger("huoye.progress").info("%s", _(
        "created {path} — fill in the theme, the note and the sections, then run 'huoye check'"
    ).format(path=display_path(path)))
    return 0


def cmd_init(args) -> int:
    from huoye.scaffold import SeriesSettings, init_project

    ask = sys.stdin.isatty()
    name = args.name or (_prompt(_("Bulletin name (e.g. 财经活页)"), "") if ask else "")
    if not name:
        raise HuoyeError(_("init: the bulletin needs a name: give --name 名称 (and --publisher "
                           "单位), or run 'huoye init' in a terminal to be asked"))
    publishers = args.publishers or ([p.strip() for p in _prompt(
        _("Publishers, separated by commas"), name).replace("，", ",").split(",") if p.strip()]
        if ask else [name])
    first = args.first_serial
    if first is None:
        first = int(_prompt(_("总第N期 of the first issue"), "1")) if ask else 1
    if first < 1:
        raise HuoyeError(_("init: --first-serial must be 1 or more"))
    given = {k: getattr(args, k) for k in ("address", "postcode", "telephone", "colour", "accent",
                                            "serif", "sans", "kai") if getattr(args, k)}
    settings = SeriesSettings(name=name, publishers=publishers, staff=args.staff or [],
                              first_serial=first, base_url=args.base_url, **given)
    written = init_project(args.dir, settings, templates=args.templates)
    progress = logging.getLogger("huoye.progress")
    for path in written:
        progress.info(_("created {path}").format(path=path))
    progress.info(_("next: cd {dir} && huoye new --theme 本期主题, then huoye serve").format(dir=args.dir))
    return 0


def _prompt(question: str, default: str) -> str:
    answer = input(f"{question} [{default}]: " if default else f"{question}: ").strip()
    return answer or default


def cmd_serve(args) -> int:
    from huoye.build import BuildRequest
    from huoye.serve import serve

    request = BuildRequest(paths=args.paths, formats=args.formats, out_dir=args.out,
                           templates=_templates(args), jobs=1, pdf_variant=args.pdf_variant,
                           warm=True)
    return serve(request, host=args.host, port=args.port)


def cmd_import(args) -> int:
    from huoye.importer import import_manuscript, report_lines

    imported = import_manuscript(args.manuscript, args.content, issue=args.issue,
                                 article=args.article, changes=args.tracked_changes)
    for line in report_lines(imported, args.manuscript):
        print(line)
    return 0


def cmd_watch(args) -> int:
    from huoye.watch import watch

    args.templates = _templates(args)
    return watch(args)


COMMANDS = {"build": cmd_build, "check": cmd_check, "import": cmd_import, "init": cmd_init,
            "new": cmd_new,
            "serve": cmd_serve, "watch": cmd_watch}
