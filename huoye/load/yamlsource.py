"""Load step: YAML → plain Python values that remember their source lines.

Mappings come back as `LMap` (a dict with `.line` and `.lines[key]`), lists as
`LList` (`.line`, `.lines[i]`). Duplicate keys, tabs, full-width colons and
bad dates are reported as `Problem`s with the line, not swallowed.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from huoye.errors import ContentError, Problem


class LMap(dict):
    """A YAML mapping with the line of itself and of each key."""

    line: int = 0
    lines: dict


class LList(list):
    """A YAML sequence with the line of itself and of each item."""

    line: int = 0
    lines: list


def line_of(value, key=None, default: int = 0) -> int:
    """The source line of `value` (or of `value[key]`), if known."""
    if key is not None and isinstance(value, (LMap, LList)):
        try:
            return value.lines[key]
        except (KeyError, IndexError, TypeError):
            return value.line
    return getattr(value, "line", default)


_FULLWIDTH_COLON = re.compile(r"^(\s*)([^\s:：#][^:：]*?)：")


def parse_yaml(text: str, path: Path, first_line: int = 1) -> object:
    """Parse YAML text whose first line is line `first_line` of `path`."""
    offset = first_line - 1
    _check_fullwidth_colons(text, path, offset)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        if err.context_mark and "end of stream" in (err.problem or ""):
            mark = err.context_mark  # an unclosed quote: point at where it opened
        line = mark.line + 1 + offset if mark else first_line
        msg = err.problem or str(err)
        if "\t" in text and ("tab" in msg or "found character '\\t'" in msg):
            msg = "a tab character is used for indentation; YAML needs spaces: replace tabs by spaces"
        else:
            msg = f"this is not valid YAML ({msg}); check quotes, colons and indentation"
        raise ContentError(Problem(path, line, "yaml", msg)) from None
    if node is None:
        return None
    problems: list[Problem] = []
    value = _convert(node, path, offset, problems)
    if problems:
        raise ContentError(problems)
    return value


def _check_fullwidth_colons(text: str, path: Path, offset: int) -> None:
    problems = []
    for n, raw in enumerate(text.split("\n"), start=1):
        m = _FULLWIDTH_COLON.match(raw)
        if m and ":" not in raw.split("：", 1)[0] and " " not in m.group(2).strip():
            key = m.group(2).strip()
            if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_\-]*|- [A-Za-z_][A-Za-z0-9_\-]*", key):
                problems.append(Problem(
                    path, n + offset, key.lstrip("- "),
                    f"full-width colon '：' after the key; YAML needs an ASCII colon and a "
                    f"space: write '{key}: …'"))
    if problems:
        raise ContentError(problems)


_constructor = yaml.SafeLoader("")


def _convert(node, path: Path, offset: int, problems: list[Problem]):
    line = node.start_mark.line + 1 + offset
    if isinstance(node, yaml.MappingNode):
        result = LMap()
        result.line, result.lines = line, {}
        for key_node, value_node in node.value:
            key = _convert(key_node, path, offset, problems)
            key_line = key_node.start_mark.line + 1 + offset
            if not isinstance(key, (str, int)):
                problems.append(Problem(path, key_line, "yaml", "a key must be a plain word"))
                continue
            key = str(key)
            if key in result:
                problems.append(Problem(
                    path, key_line, key,
                    f"duplicate key (first given on line {result.lines[key]}); keep one of them"))
                continue
            result[key] = _convert(value_node, path, offset, problems)
            result.lines[key] = key_line
        return result
    if isinstance(node, yaml.SequenceNode):
        result = LList()
        result.line, result.lines = line, []
        for item in node.value:
            result.append(_convert(item, path, offset, problems))
            result.lines.append(item.start_mark.line + 1 + offset)
        return result
    try:
        return _constructor.construct_object(node, deep=True)
    except (ValueError, yaml.constructor.ConstructorError) as err:
        problems.append(Problem(
            path, line, "yaml",
            f"'{node.value}' is not a valid value ({err}); dates are written YYYY-MM-DD"))
        return node.value
