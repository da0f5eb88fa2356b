"""The interface's language: every message a user sees goes through `_()`.

Messages are English in the code and translated by gettext catalogues
(`huoye/locale/<lang>/LC_MESSAGES/huoye.po`, compiled to `.mo` with Babel).
The language is chosen once, by the command line (`--lang`) or the
environment (see `choose_language`); `setlocale` is never called, since the
zh_CN locale is often not generated on servers.

Write a message with named placeholders and format it after translating:

    from huoye.i18n import _
    raise ContentError(_("{key}: unknown key; did you mean '{hint}'?").format(key=k, hint=h))
"""
from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "huoye"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "zh")
_ENV_ORDER = ("HUOYE_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_translations: _gettext.NullTranslations = _gettext.NullTranslations()
_language = "en"


def choose_language(option: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """'zh' or 'en': `--lang` first, then HUOYE_LANG, LANGUAGE, LC_ALL, LC_MESSAGES, LANG.

    The first one that is set and not empty decides: Chinese when it starts with
    'zh', English otherwise.
    """
    env = os.environ if environ is None else environ
    value = option or next((env[k] for k in _ENV_ORDER if env.get(k)), "")
    return "zh" if value.strip().lower().startswith("zh") else "en"


def set_language(language: str) -> None:
    """Make `_()` answer in `language` ('zh' or 'en') from now on, in this process."""
    global _translations, _language
    if language == "en":
        _translations = _gettext.NullTranslations()
    else:
        _translations = _gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)
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


set_language(choose_language())
