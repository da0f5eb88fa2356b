"""Load step: check YAML values against small declarative schemas.

A schema is a dict of `Field`s. `check` collects every problem (missing,
unknown with a "did you mean" hint, wrong type) into a `Problems`, each with
the line of the key, so the editor sees all of them at once.
"""
from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from huoye.errors import Problems
from huoye.i18n import N_, _
from huoye.load import keys
from huoye.load.yamlsource import LList, LMap, line_of


@dataclass(frozen=True)
class Field:
    """One key of a mapping: its type, whether it must be there, and an example."""

    kind: str  # "str" | "int" | "number" | "date" | "list" | "map" | "str-list" | "number-list" | "bool"
    required: bool = True
    example: str = ""
    help: str = ""


# what each kind is called in messages (translated where used: type_words)
TYPE_WORDS = {
    "str": N_("text"),
    "int": N_("a whole number written in digits"),
    "number": N_("a number written in digits"),
    "date": N_("a date YYYY-MM-DD"),
    "list": N_("a list (lines beginning with '- ')"),
    "map": N_("a group of 'key: value' lines"),
    "str-list": N_("a list of texts"),
    "number-list": N_("a list of numbers, like [5, 20]"),
    "bool": N_("true or false"),
}


def type_words(kind: str) -> str:
    """What a value of `kind` is called, in the interface's language."""
    return _(TYPE_WORDS[kind])


class Schema(dict[str, Field]):
    """The fields of one mapping, and the group of `huoye.load.keys.KEYS` that names its
    keys in Chinese."""

    def __init__(self, group: str, fields: dict[str, Field]):
        super().__init__(fields)
        self.group = group


def check(value: object, schema: dict[str, Field], path: Path, where: str, problems: Problems,
          line: int = 0) -> LMap:
    """Check `value` is a mapping fitting `schema`; return it (or an empty LMap).

    A `Schema`'s Chinese keys are first renamed to its English ones (in place); every
    message names a key as the editor wrote it, and a missing key in the language the
    mapping is written in."""
    if not isinstance(value, dict):
        problems.add(path, line_of(value, default=line), where or "yaml",
                     _("expected {expected}, found {found}").format(
                         expected=type_words("map"), found=describe(value)))
        empty = LMap()
        empty.line, empty.lines = line, {}
        return empty
    group = getattr(schema, "group", "")
    if isinstance(value, LMap) and group:
        keys.to_english(value, group, path, where, problems)
    for key in value:
        if key not in schema:
            chinese = keys.is_chinese(str(key))
            known = [keys.KEYS[group][k] for k in schema] if chinese and group else list(schema)
            hint = (_closest_chinese(str(key), known) if chinese
                    else difflib.get_close_matches(str(key), known, n=1, cutoff=0.6))
            if hint:
                message = _("unknown key; did you mean '{hint}'?").format(hint=hint[0])
            else:
                message = _("unknown key; known keys: {keys}").format(keys=", ".join(known))
            problems.add(path, line_of(value, key), _join(where, key), message)
    for key, spec in schema.items():
        name = keys.name_for(value, group, key) if group else key
        if key not in value or value[key] is None:
            if spec.required:
                message = (_("missing; add it e.g. '{example}'").format(example=f"{name}: {spec.example}")
                           if spec.example else _("missing; add it"))
                problems.add(path, line or line_of(value), _join(where, name), message)
            continue
        if not fits(value[key], spec.kind):
            found = describe(value[key])
            if spec.kind.endswith("-list") and isinstance(value[key], list):
                item_kind = spec.kind.removesuffix("-list")
                bad = next(x for x in value[key] if not fits(x, item_kind))
                found = _("a list holding {found}").format(found=describe(bad))
            if spec.example:
                message = _("expected {expected}, found {found}; write it as e.g. '{example}'")
            else:
                message = _("expected {expected}, found {found}; write it as {expected}")
            problems.add(path, line_of(value, key), _join(where, name), message.format(
                expected=type_words(spec.kind), found=found, example=f"{name}: {spec.example}"))
    return value if isinstance(value, LMap) else _located(value, line)


def _closest_chinese(key: str, known: list[str]) -> list[str]:
    """The Chinese key nearest to `key`, if any is near: difflib's likeness, and among equally
    like ones the one sharing more characters in the same places (图标页 → 图表页, not 标题页)."""
    def score(name: str) -> tuple[float, int]:
        same = sum(a == b for a, b in zip(key, name))
        return difflib.SequenceMatcher(None, key, name).ratio(), same

    scored = sorted(((score(n), n) for n in known), key=lambda t: t[0], reverse=True)
    return [scored[0][1]] if scored and scored[0][0][0] >= 0.5 else []


def _located(value: dict[str, Any], line: int) -> LMap:
    """A plain mapping (made in code, not read from YAML) as an LMap at `line`."""
    out = LMap(value)
    out.line, out.lines = line, {}
    return out


def fits(v: object, kind: str) -> bool:
    if kind == "str":
        return isinstance(v, (str, int, float)) and not isinstance(v, bool) and str(v).strip() != ""
    if kind == "int":
        return isinstance(v, int) and not isinstance(v, bool)
    if kind == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if kind == "date":
        return isinstance(v, dt.date) and not isinstance(v, dt.datetime)
    if kind == "list":
        return isinstance(v, list)
    if kind == "map":
        return isinstance(v, dict)
    if kind == "str-list":
        return isinstance(v, list) and all(fits(x, "str") for x in v)
    if kind == "number-list":
        return isinstance(v, list) and all(fits(x, "number") for x in v)
    if kind == "bool":
        return isinstance(v, bool)
    raise ValueError(kind)


def describe(v: object) -> str:
    if v is None:
        return _("nothing")
    if isinstance(v, bool):
        return _("yes/no value {value}").format(value=v)
    if isinstance(v, dict):
        return _("a group of keys")
    if isinstance(v, list):
        return _("a list")
    return f"'{v}'"


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def items(value: object, path: Path, where: str,
          problems: Problems) -> Iterator[tuple[int, int, Any]]:
    """Yield (index, line, item) of a list value; report a non-list."""
    if not isinstance(value, list):
        problems.add(path, line_of(value), where, _("expected {expected}, found {found}").format(
            expected=type_words("list"), found=describe(value)))
        return
    for i, item in enumerate(value):
        yield i, (value.lines[i] if isinstance(value, LList) else line_of(value)), item
