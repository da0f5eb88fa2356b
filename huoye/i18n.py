"""The interface's language: every message a user sees goes through `_()`.

Messages are English in the code and translated by gettext catalogues:
`huoye/locale/<lang>/LC_MESSAGES/huoye.po` for huoye's own messages and
`argparse.po` for the standard library's argparse ("usage:", "options",
"the following arguments are required", …), both compiled to `.mo` with Babel
(`make messages`) and shipped in the package. At run time only the standard
library's gettext reads them.

The language is chosen once, by the command line (`--lang`) or the environment
(see `choose_language`); `setlocale` is never called, since the zh_CN locale
is often not generated on servers.

Write a message with named placeholders and format it after translating:

    from huoye.i18n import _
    raise ContentError(_("{key}: unknown key; did you mean '{hint}'?").format(key=k, hint=h))

A message kept in a module-level constant is marked with `N_()` (extracted,
not translated yet) and translated where it is used: `_(TOO_DEEP)`.
"""
from __future__ import annotations

import argparse
import contextlib
import gettext as _gettext
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

DOMAIN = "huoye"
ARGPARSE_DOMAIN = "argparse"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "zh")
ENV_ORDER = ("HUOYE_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_translations: _gettext.NullTranslations = _gettext.NullTranslations()
_argparse_translations: _gettext.NullTranslations = _gettext.NullTranslations()
_language = "en"


def choose_language(option: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """'zh' or 'en': `--lang` first, then HUOYE_LANG, LANGUAGE, LC_ALL, LC_MESSAGES, LANG.

    The first one that is set and not empty decides: Chinese when it starts with
    'zh', English otherwise (so LC_ALL=C wins over LANG=zh_CN.UTF-8, as in gettext).
    """
    env = os.environ if environ is None else environ
    value = option or next((env[k] for k in ENV_ORDER if env.get(k)), "")
    return "zh" if value.strip().lower().startswith("zh") else "en"


def language_option(argv: Sequence[str]) -> str | None:
    """The value of `--lang` in a command line (`--lang zh` or `--lang=zh`), if any.

    The language must be known before the argument parser is built, since its help
    texts are translated as they are added; the parser checks the value itself.
    """
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return None


def _catalogue(domain: str, language: str) -> _gettext.NullTranslations:
    if language == "en":
        return _gettext.NullTranslations()
    # fallback: a wheel built without its catalogues still runs, in English
    return _gettext.translation(domain, LOCALE_DIR, languages=[language], fallback=True)


def set_language(language: str) -> None:
    """Make `_()` (and argparse, inside `argparse_translated`) answer in `language`
    ('zh' or 'en') from now on, in this process."""
    global _translations, _argparse_translations, _language
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    _translations = _catalogue(DOMAIN, language)
    _argparse_translations = _catalogue(ARGPARSE_DOMAIN, language)
    _language = language


def language() -> str:
    """The language `_()` answers in now."""
    return _language


def _(message: str) -> str:
    """`message` in the chosen language (itself when there is no translation)."""
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message for `n`, in the chosen language."""
    return _translations.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message for extraction without translating it yet (module-level constants)."""
    return message


def argparse_words(message: str) -> str:
    """One of argparse's own strings ("usage: ") as argparse shows it in the chosen language."""
    return _argparse_translations.gettext(message)


@contextlib.contextmanager
def argparse_translated() -> Iterator[None]:
    """Within the block, argparse's own words ("usage:", "options", "show this help
    message and exit", its error messages) come from huoye's `argparse` catalogue.

    argparse looks its strings up through the module-level names `_` and `ngettext`
    (bound to `gettext.gettext` and `gettext.ngettext`, which read the process-wide
    domain and the environment). Those two names are rebound for the block only, so
    that `--lang` decides and nothing else in the process (pytest's own parser, a host
    program) is affected. Build *and* use the parser inside the block: the help of
    `-h` and the group titles are translated when the parser is created.
    """
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._ = _argparse_translations.gettext  # type: ignore[attr-defined]
    argparse.ngettext = _argparse_translations.ngettext
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


set_language(choose_language())
