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
from huoye.load.yamlsource import LList, LMap, line_of


@dataclass(frozen=True)
class Field:
    """One key of a mapping: its type, whether it must be there, and an example."""

    kind: str  # "str" | "int" | "number" | "date" | "list" | "map" | "str-list" | "number-list" | "bool"
    required: bool = True
    example: str = ""
    help: str = ""


TYPE_WORDS = {
    "str": "text",
    "int": "a whole number written in digits",
    "number": "a number written in digits",
    "date": "a date YYYY-MM-DD",
    "list": "a list (lines beginning with '- ')",
    "map": "a group of 'key: value' lines",
    "str-list": "a list of texts",
    "number-list": "a list of numbers, like [5, 20]",
    "bool": "true or false",
}


def check(value: object, schema: dict[str, Field], path: Path, where: str, problems: Problems,
          line: int = 0) -> LMap:
    """Check `value` is a mapping fitting `schema`; return it (or an empty LMap)."""
    if not isinstance(value, dict):
        problems.add(path, line_of(value, default=line), where or "yaml",
                     f"expected {TYPE_WORDS['map']}, found {describe(value)}")
        empty = LMap()
        empty.line, empty.lines = line, {}
        return empty
    for key in value:
        if key not in schema:
            hint = difflib.get_close_matches(key, list(schema), n=1, cutoff=0.6)
            fix = f"did you mean '{hint[0]}'?" if hint else f"known keys: {', '.join(schema)}"
            problems.add(path, line_of(value, key), _join(where, key), f"unknown key; {fix}")
    for key, spec in schema.items():
        if key not in value or value[key] is None:
            if spec.required:
                example = f" e.g. '{key}: {spec.example}'" if spec.example else ""
                problems.add(path, line or line_of(value), _join(where, key),
                             f"missing; add it{example}")
            continue
        if not fits(value[key], spec.kind):
            example = f" e.g. '{key}: {spec.example}'" if spec.example else ""
            found = describe(value[key])
            if spec.kind.endswith("-list") and isinstance(value[key], list):
                item_kind = spec.kind.removesuffix("-list")
                bad = next(x for x in value[key] if not fits(x, item_kind))
                found = f"a list holding {describe(bad)}"
            problems.add(path, line_of(value, key), _join(where, key),
                         f"expected {TYPE_WORDS[spec.kind]}, found {found};"
                         f" write it as{example or ' ' + TYPE_WORDS[spec.kind]}")
    return value if isinstance(value, LMap) else _located(value, line)


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
        return "nothing"
    if isinstance(v, bool):
        return f"yes/no value {v}"
    if isinstance(v, dict):
        return "a group of keys"
    if isinstance(v, list):
        return "a list"
    return f"'{v}'"


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def items(value: object, path: Path, where: str,
          problems: Problems) -> Iterator[tuple[int, int, Any]]:
    """Yield (index, line, item) of a list value; report a non-list."""
    if not isinstance(value, list):
        problems.add(path, line_of(value), where, f"expected {TYPE_WORDS['list']}, found {describe(value)}")
        return
    for i, item in enumerate(value):
        yield i, (value.lines[i] if isinstance(value, LList) else line_of(value)), item
