"""The content of a test written with Chinese keys: a YAML text's keys renamed through
`huoye.load.keys.KEYS` in place (same lines, same comments), so that what loads from it can
be compared with what loads from the English-keyed original."""
from __future__ import annotations

import re

import yaml

from huoye.load.keys import ENGLISH, KEYS

FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.DOTALL)


def child(group: str | None, key: str) -> str | None:
    """The group of the mapping(s) under `key` of a mapping of `group`."""
    if group is None:
        return None
    for candidate in (f"{group}.{key}", f"{group}.{key}.*"):
        if candidate in KEYS:
            return f"{group}.{key}"
    if f"{group}.*" in KEYS:  # summaries.points: its keys are point numbers
        return f"{group}.*"
    return None


def _renames(node: yaml.Node, group: str | None, out: list[tuple[int, int, int, str]],
             only: set[tuple[str, str]] | None, table: dict[str, dict[str, str]]) -> None:
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _renames(item, group, out, only, table)
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            names = table.get(group or "", {})
            english = ENGLISH.get(group or "", {}).get(key, key)
            if key in names and (only is None or (group, english) in only):
                mark, end = key_node.start_mark, key_node.end_mark
                assert mark.line == end.line and key_node.style is None, "a plain one-line key"
                out.append((mark.line, mark.column, end.column, names[key]))
            _renames(value_node, child(group, english), out, only, table)


def pairs(text: str, group: str) -> set[tuple[str, str]]:
    """The (group, English key) pairs of the table that `text` (YAML) writes, either way."""
    found: set[tuple[str, str]] = set()

    def walk(node: yaml.Node, g: str | None) -> None:
        if isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item, g)
        elif isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                english = ENGLISH.get(g or "", {}).get(key_node.value, key_node.value)
                if english in KEYS.get(g or "", {}):
                    found.add((g or "", english))
                walk(value_node, child(g, english))

    walk(yaml.compose(text, Loader=yaml.SafeLoader), group)
    return found


def to_chinese(text: str, group: str, only: set[tuple[str, str]] | None = None,
               table: dict[str, dict[str, str]] = KEYS) -> str:
    """`text` (YAML) with every key of `group` and below written in Chinese (or only the
    (group, English key) pairs in `only`), nothing else changed. With `table=ENGLISH`, the
    other way round."""
    renames: list[tuple[int, int, int, str]] = []
    _renames(yaml.compose(text, Loader=yaml.SafeLoader), group, renames, only, table)
    lines = text.split("\n")
    for line, start, end, name in sorted(renames, reverse=True):
        lines[line] = lines[line][:start] + name + lines[line][end:]
    return "\n".join(lines)


def issue_to_chinese(text: str, only: set[tuple[str, str]] | None = None,
                     table: dict[str, dict[str, str]] = KEYS) -> str:
    """An issue.md with its front matter's keys in Chinese (`table=ENGLISH`: in English)."""
    m = FRONT.match(text)
    assert m, "no front matter"
    return "---\n" + to_chinese(m.group(1), "issue", only, table) + text[m.end(1):]


def front_matter(text: str) -> str:
    m = FRONT.match(text)
    assert m, "no front matter"
    return m.group(1)
