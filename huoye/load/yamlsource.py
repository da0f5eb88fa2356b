"""Load step: YAML → plain Python values that remember their source lines.

Mappings come back as `LMap` (a dict with `.line` and `.lines[key]`), lists as
`LList` (`.line`, `.lines[i]`). Duplicate keys, tabs, full-width colons and
bad dates are reported as `Problem`s with the line, not swallowed.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from huoye.errors import ContentError, Problem
from huoye.i18n import N_, _
from huoye.load.text import illegal_character


class LMap(dict[str, Any]):
    """A YAML mapping with the line of itself and of each key."""

    line: int = 0
    lines: dict[str, int]
    said: dict[str, str]  # English key → the Chinese name it was written as (huoye.load.keys)


class LList(list[Any]):
    """A YAML sequence with the line of itself and of each item."""

    line: int = 0
    lines: list[int]


def line_of(value: object, key: str | int | None = None, default: int = 0) -> int:
    """The source line of `value` (or of `value[key]`), if known."""
    if key is not None and isinstance(value, (LMap, LList)):
        try:
            return int(value.lines[key])  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return value.line
    return int(getattr(value, "line", default))


_FULLWIDTH_COLON = re.compile(r"^(\s*)([^\s:：#][^:：]*?)：")


# libyaml's parser when PyYAML has it (its wheels do): ~10× faster on an issue's front
# matter, which is most of the time of loading an issue (what `huoye serve` does on a save).
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def _compose(text: str) -> Any:
    """The node tree of `text`. On an error, the pure-Python parser parses again, so that
    the messages (and the marks) are PyYAML's own, as the checks below expect."""
    if _FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def parse_yaml(text: str, path: Path, first_line: int = 1) -> object:
    """Parse YAML text whose first line is line `first_line` of `path`."""
    offset = first_line - 1
    _check_fullwidth_colons(text, path, offset)
    _check_nesting(text, path, offset)
    try:
        node = _compose(text)
    except RecursionError:
        raise ContentError(Problem(path, first_line, "yaml", too_deep())) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        if err.context_mark and "end of stream" in (err.problem or ""):
            mark = err.context_mark  # an unclosed quote: point at where it opened
        line = mark.line + 1 + offset if mark else first_line
        msg = err.problem or str(err)
        quote = _unclosed_quote(text, line - offset)
        squeezed = _no_space_after_colon(text, line - offset)
        if "\t" in text and ("tab" in msg or "found character '\\t'" in msg):
            msg = _("a tab character is used for indentation; YAML needs spaces: replace tabs by spaces")
        elif squeezed:
            line, key = squeezed[0] + offset, squeezed[1]
            msg = _("this is not valid YAML: no space after the colon of '{key}:'; YAML needs "
                    "a colon and a space: write '{key}: …'").format(key=key)
        elif quote:
            line = quote + offset
            msg = _("this is not valid YAML: the quote opened on this line is not closed on it "
                    "({reason}); add the closing quote at the end of the value, or remove the "
                    "opening one").format(reason=parser_says(msg))
        else:
            msg = _("this is not valid YAML ({reason}); check quotes, colons and indentation").format(
                reason=parser_says(msg))
        raise ContentError(Problem(path, line, "yaml", msg)) from None
    if node is None:
        return None
    problems: list[Problem] = []
    try:
        value = _convert(node, path, offset, problems, set())
    except RecursionError:
        raise ContentError(Problem(path, first_line, "yaml", too_deep())) from None
    if problems:
        raise ContentError(problems)
    return value


_OPENING_QUOTE = re.compile(r"""^\s*(?:-\s+)?(?:[^\s'"#][^:]*:\s+)?(["'])(.*)$""")


_SQUEEZED_KEY = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][A-Za-z0-9_-]*):(?!//)(?=\S)")


_SQUEEZED_CHINESE_KEY = re.compile(r"^\s*(?:-\s+)?([^\s:：#'\"\[\]{}-][^\s:：]*):(?!//)(?=\S)")


def _no_space_after_colon(text: str, upto: int) -> tuple[int, str] | None:
    """The first line up to `upto` written 'key:value' (no space), as (line, key); the key
    is a plain English word or one of the Chinese key names (huoye.load.keys)."""
    from huoye.load.keys import CHINESE_NAMES

    for n, raw in enumerate(text.split("\n")[:upto], start=1):
        m = _SQUEEZED_KEY.match(raw) or _SQUEEZED_CHINESE_KEY.match(raw)
        if m and (m.re is _SQUEEZED_KEY or m.group(1) in CHINESE_NAMES):
            return n, m.group(1)
    return None


def _unclosed_quote(text: str, upto: int) -> int | None:
    """The first line up to `upto` whose value opens a quote and does not close it."""
    for n, raw in enumerate(text.split("\n")[:upto], start=1):
        m = _OPENING_QUOTE.match(raw)
        if not m:
            continue
        rest = m.group(2)
        if m.group(1) == '"':
            closed = re.search(r'(?<!\\)(?:\\\\)*"', rest) is not None
        else:
            closed = re.search(r"'(?!')", rest.replace("''", "")) is not None
        if not closed:
            return n
    return None


_BLOCK_START = re.compile(r"^(\s*)(?:-\s+)?[^\s#][^#]*:\s+[|>][-+0-9]*\s*(?:#.*)?$")


def _check_fullwidth_colons(text: str, path: Path, offset: int) -> None:
    """A key followed by '：' (typed on a Chinese keyboard): an English key, or one of the
    Chinese key names outside a block of text (`按: |` and its lines)."""
    from huoye.load.keys import CHINESE_NAMES

    problems = []
    block: int | None = None  # the indentation of the key opening a block of text
    for n, raw in enumerate(text.split("\n"), start=1):
        indent = len(raw) - len(raw.lstrip(" "))
        in_block = block is not None and (not raw.strip() or indent > block)
        if not in_block:
            opening = _BLOCK_START.match(raw)
            block = len(opening.group(1)) if opening else None
        m = _FULLWIDTH_COLON.match(raw)
        key = m.group(2).strip() if m else ""
        if m and ":" not in raw.split("：", 1)[0] and " " not in key.removeprefix("- ").strip():
            if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_\-]*|- [A-Za-z_][A-Za-z0-9_\-]*", key) or (
                    not in_block and key.removeprefix("- ") in CHINESE_NAMES):
                problems.append(Problem(
                    path, n + offset, key.lstrip("- "),
                    _("full-width colon '：' after the key; YAML needs an ASCII colon and a "
                      "space: write '{key}: …'").format(key=key)))
    if problems:
        raise ContentError(problems)


MAX_DEPTH = 32
TOO_DEEP = N_("the values are nested more than {depth} levels deep; content needs a few "
              "levels at most: check the brackets and the indentation")


def too_deep() -> str:
    return _(TOO_DEEP).format(depth=MAX_DEPTH)


# PyYAML's (and Python's) own words for the problems an editor meets most, translated;
# others are shown as they are said (inside a translated sentence).
_PARSER_SAYS = {
    "mapping values are not allowed here": N_("a colon is not allowed here"),
    "could not find expected ':'": N_("a colon ':' is missing"),
    "found unexpected end of stream": N_("the text ended unexpectedly"),
    "found undefined alias": N_("an undefined alias"),
    "expected <block end>, but found '-'": N_("a '-' item is not indented like the others"),
    "expected <block end>, but found '<block mapping start>'":
        N_("a key is not indented like the others"),
    "expected <block end>, but found '<scalar>'": N_("a value is not indented like the others"),
    "expected ',' or ']', but got '<stream end>'": N_("a '[' is not closed by ']'"),
    "expected ',' or '}', but got '<stream end>'": N_("a '{' is not closed by '}'"),
    "found unknown escape character": N_("an unknown escape after '\\'"),
    # Python's words for a date that does not exist (YAML reads 2020-02-30 as a date), kept
    # as they are in English
    "day is out of range for month": N_("day is out of range for month"),
    "month must be in 1..12": N_("month must be in 1..12"),
}


def parser_says(problem: str) -> str:
    """PyYAML's description of a problem, in the interface's language when it is a common one."""
    said = _PARSER_SAYS.get(problem)
    return _(said) if said else problem
_FLOW = re.compile(r"""'[^']*'|"(?:[^"\\]|\\.)*"|#.*|[\[\]{}]""")


def _check_nesting(text: str, path: Path, offset: int) -> None:
    """Refuse [[[[…]]]] or {{{{…}}}} nested beyond reason before PyYAML recurses into it."""
    depth = 0
    for n, raw in enumerate(text.split("\n"), start=1):
        for m in _FLOW.finditer(raw):
            token = m.group()
            if token in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    raise ContentError(Problem(path, n + offset, "yaml", too_deep()))
            elif token in "]}":
                depth = max(depth - 1, 0)


_constructor = yaml.SafeLoader("")
ALIAS = N_("'&' and '*' (YAML anchors and aliases) are not used in content; write the value "
           "out in full where it is needed")


def _convert(node: yaml.Node, path: Path, offset: int, problems: list[Problem], seen: set[int]) -> Any:
    line = node.start_mark.line + 1 + offset
    if id(node) in seen:  # an alias: the same node met again (and maybe a loop, or a bomb)
        problems.append(Problem(path, line, "yaml", _(ALIAS)))
        return None
    seen.add(id(node))
    if not node.tag.startswith("tag:yaml.org,2002:") or "python" in node.tag:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        problems.append(Problem(path, line, "yaml",
                                _("the tag '{tag}' is not used in content; remove it and write "
                                  "the value itself").format(tag=tag)))
        return None
    if isinstance(node, yaml.MappingNode):
        mapping = LMap()
        mapping.line, mapping.lines = line, {}
        for key_node, value_node in node.value:
            key = _convert(key_node, path, offset, problems, seen)
            key_line = key_node.start_mark.line + 1 + offset
            if not isinstance(key, (str, int)):
                problems.append(Problem(path, key_line, "yaml", _("a key must be a plain word")))
                continue
            key = str(key)
            if key in mapping:
                problems.append(Problem(
                    path, key_line, key,
                    _("duplicate key (first given on line {line}); keep one of them").format(
                        line=mapping.lines[key])))
                continue
            mapping[key] = _convert(value_node, path, offset, problems, seen)
            mapping.lines[key] = key_line
        return mapping
    if isinstance(node, yaml.SequenceNode):
        sequence = LList()
        sequence.line, sequence.lines = line, []
        for item in node.value:
            sequence.append(_convert(item, path, offset, problems, seen))
            sequence.lines.append(item.start_mark.line + 1 + offset)
        return sequence
    try:
        value = _constructor.construct_object(node, deep=True)
    except (ValueError, yaml.constructor.ConstructorError) as err:
        problems.append(Problem(
            path, line, "yaml",
            _("'{value}' is not a valid value ({reason}); dates are written YYYY-MM-DD").format(
                value=node.value, reason=parser_says(str(err)))))
        return node.value
    bad = illegal_character(value) if isinstance(value, str) else None
    if bad:  # written as an escape ("\x07", "\ud800") in a double-quoted string
        problems.append(Problem(path, line, _("text"), bad))
        return ""
    return value
