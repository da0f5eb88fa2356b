"""The message catalogues' tooling (needs Babel, from the `test` extra; huoye itself does not).

    python scripts/messages.py update    extract the messages from the sources into every .po
                                         (new ones come untranslated, removed ones are dropped)
    python scripts/messages.py compile   compile every .po into the .mo that huoye reads
    python scripts/messages.py check     exit 1, listing them, if a message lacks a translation

`make messages` runs update then compile; `make test` runs compile then the tests,
which run `problems()` (tests/test_i18n.py).

Two catalogues per language, in huoye/locale/<lang>/LC_MESSAGES/:
  huoye.po     huoye's own messages: `_()`, `ngettext()` and `N_()` in huoye/**.py
               (babel.cfg says which files; `pybabel extract -F babel.cfg` sees the same)
  argparse.po  the standard library argparse's words ("usage: ", "options", its errors),
               extracted from the running Python's argparse.py. Entries are kept when a
               newer Python drops them, so one catalogue serves 3.11 and later alike.
"""
from __future__ import annotations

import argparse
import io
import re
import string
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "huoye" / "locale"
BABEL_CFG = ROOT / "babel.cfg"
TRANSLATED = ("zh",)  # the languages with catalogues; English is the messages themselves
KEYWORDS = {"_": None, "ngettext": (1, 2), "N_": None}
ARGPARSE_KEYWORDS = {"_": None, "ngettext": (1, 2)}
WIDTH = 100


def po_path(domain: str, lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


def _template(project: str) -> Catalog:
    return Catalog(project=project, version=None, copyright_holder="huoye", charset="utf-8",
                   fuzzy=False, msgid_bugs_address="", last_translator="huoye",
                   language_team="huoye")


def extract_huoye() -> Catalog:
    """Every message of huoye's sources, as babel.cfg maps them."""
    with BABEL_CFG.open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    catalog = _template("huoye")
    for filename, _lineno, message, comments, context in extract_from_dir(
            ROOT, method_map, options_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
            strip_comment_tags=True):
        # files without line numbers: the catalogue does not change when code moves
        catalog.add(message, None, [(filename, None)], auto_comments=comments, context=context)
    return catalog


def extract_argparse() -> Catalog:
    """argparse's own words, from this Python's standard library."""
    catalog = _template("argparse")
    for _lineno, message, comments, context in extract_from_file(
            "python", argparse.__file__, keywords=ARGPARSE_KEYWORDS):
        catalog.add(message, None, [("argparse.py", None)], auto_comments=comments,
                    context=context)
    return catalog


EXTRACTORS = {"huoye": extract_huoye, "argparse": extract_argparse}


def read(domain: str, lang: str) -> Catalog:
    path = po_path(domain, lang)
    if not path.exists():
        catalog = _template(domain)
        catalog.locale, catalog.domain = lang, domain
        return catalog
    with path.open("rb") as f:
        return read_po(f, locale=lang, domain=domain)


def _po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=WIDTH, sort_output=True, ignore_obsolete=True, include_previous=False)
    return out.getvalue()


def update(domain: str, lang: str) -> Path:
    """Merge the extracted messages into the .po: translations kept, new entries empty."""
    template = EXTRACTORS[domain]()
    catalog = read(domain, lang)
    before = _po_bytes(catalog)
    keep = [m for m in catalog if m.id and m.id not in template] if domain == "argparse" else []
    template.creation_date = catalog.creation_date
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
    for m in keep:  # argparse: an older Python's words stay translated
        catalog[m.id] = m
    path = po_path(domain, lang)
    data = _po_bytes(catalog)
    if data != before or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return path


def compile_mo(domain: str, lang: str) -> Path:
    """Write the .mo next to the .po (only when its bytes change)."""
    out = io.BytesIO()
    write_mo(out, read(domain, lang), use_fuzzy=False)
    path = po_path(domain, lang).with_suffix(".mo")
    if not path.exists() or path.read_bytes() != out.getvalue():
        path.write_bytes(out.getvalue())
    return path


# ------------------------------------------------------------------ checks ---

_FIELD_NAME = re.compile(r"[A-Za-z_]\w*|\d*")
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdrifgexXoc%]")


def placeholders(text: str) -> list[str]:
    """The format fields of a message, sorted: `{name}`/`{name:spec}` and `%(name)s`/`%s`."""
    fields = []
    try:
        for _, name, spec, conv in string.Formatter().parse(text):
            # a field names an argument; "a '{' is not closed by '}'" holds no field
            if name is not None and _FIELD_NAME.fullmatch(name):
                fields.append("{" + name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "")
                              + "}")
    except ValueError:  # not a str.format string (a lone brace): only the %-fields count
        pass
    fields += [m for m in _PERCENT.findall(text) if m != "%%"]
    return sorted(fields)


def problems(domain: str, lang: str, template: Catalog | None = None,
             catalog: Catalog | None = None) -> list[str]:
    """What is wrong with a language's catalogue against the sources: a message missing
    from it, untranslated, fuzzy, or translated with other placeholders."""
    template = EXTRACTORS[domain]() if template is None else template
    catalog = read(domain, lang) if catalog is None else catalog
    found = []
    for m in template:
        if not m.id:
            continue
        entry = catalog.get(m.id, context=m.context)
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        name = ids[0]
        if entry is None:
            found.append(f"{domain}.po ({lang}): missing: {name!r}")
            continue
        if entry.fuzzy:
            found.append(f"{domain}.po ({lang}): fuzzy: {name!r}")
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(strings):
            found.append(f"{domain}.po ({lang}): untranslated: {name!r}")
            continue
        for s in strings:
            if any(placeholders(s) != placeholders(i) for i in ids[:1]) and not (
                    len(ids) > 1 and placeholders(s) == placeholders(ids[1])):
                found.append(f"{domain}.po ({lang}): placeholders {placeholders(s)} in the "
                             f"translation of {name!r}, which has {placeholders(name)}")
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in ("update", "compile", "check"):
        print(__doc__, file=sys.stderr)
        return 2
    command = argv[0]
    found = []
    for lang in TRANSLATED:
        for domain in EXTRACTORS:
            if command == "update":
                print(f"messages: updated {update(domain, lang).relative_to(ROOT)}")
            elif command == "compile":
                print(f"messages: compiled {compile_mo(domain, lang).relative_to(ROOT)}")
            else:
                found += problems(domain, lang)
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
