"""Load step: the Chinese names of the content keys, and reading them as the English ones.

`KEYS` is the one table: for each group of keys (a mapping of the front matter or of
series.yaml) the English key and the Chinese name an editor may write instead. The guides
(docs/content.md, docs/zh/编辑指南.md) show the same table; `tests/test_keys.py` checks
it covers every key of every schema and that each name is read as its English key.

`front_matter` is the other way: the YAML text of a front matter, its keys in the
language of the user (what `huoye new` and `huoye import` write).

`to_english` renames the Chinese keys of one located mapping to the English ones, in
place, and remembers how each key was written (`said`), so that a message names the key
as the editor wrote it. Writing the same key both ways in one mapping is a problem naming
both lines.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from huoye.errors import Problems
from huoye.i18n import _, language
from huoye.load.yamlsource import LMap

# group → {English key: Chinese key}, in the order the guides list them
KEYS: dict[str, dict[str, str]] = {
    # the front matter of content/<issue>/issue.md
    "issue": {
        "year": "年份", "number": "期号", "serial": "总期号", "date": "日期", "theme": "主题",
        "note": "按", "figures": "关键数据", "charts": "图表", "summaries": "摘要",
    },
    "issue.figures": {
        "value": "数值", "unit": "单位", "label": "说明", "sentence": "原句",
        "qualifier": "限定词", "source": "来源",
    },
    "issue.charts": {
        "id": "编号", "title": "标题", "kind": "类型", "categories": "类别",
        "series": "数据系列", "unit": "单位", "source": "来源", "anchor": "锚句",
    },
    "issue.charts.series": {"name": "名称", "values": "数值", "qualifiers": "限定词"},
    "issue.summaries": {"note": "按语摘要", "points": "要点"},
    "issue.summaries.points.*": {"headline": "标题", "fact": "事实"},
    # content/series.yaml
    "series": {
        "name": "刊名", "publishers": "编印单位", "address": "地址", "postcode": "邮编",
        "telephone": "电话", "staff": "编辑人员", "brand": "品牌", "past_themes": "往期主题",
        "recent_themes": "近期主题数", "pdf_variant": "PDF版本",
        "cjk_latin_spacing": "中西文间距", "deck": "幻灯片", "first_serial": "起始总期号",
        "base_url": "网址",
    },
    "series.staff": {"role": "职务", "name": "姓名"},
    "series.brand": {"colour": "主色", "accent": "辅色", "ink": "文字色", "fonts": "字体"},
    "series.brand.fonts": {
        "serif": "正文字体", "sans": "标题字体", "kai": "楷体",
        "deck_east_asian": "幻灯片中文字体", "deck_fallback": "幻灯片备用字体",
    },
    "series.deck": {"template": "模板", "layouts": "版式"},
    "series.deck.layouts": {
        "title": "标题页", "content": "内容页", "divider": "分隔页", "message": "要旨页",
        "agenda": "目录页", "points": "要点页", "recommendations": "建议页",
        "actions": "行动页", "figures": "数据页", "chart": "图表页", "table": "表格页",
        "closing": "结束页",
    },
}

# group → {Chinese key: English key}
ENGLISH: dict[str, dict[str, str]] = {
    group: {zh: en for en, zh in names.items()} for group, names in KEYS.items()}
# every Chinese key name, of any group
CHINESE_NAMES: frozenset[str] = frozenset(zh for names in KEYS.values() for zh in names.values())

_HAN = re.compile(r"[\u3400-\u9fff]")


def is_chinese(key: str) -> bool:
    """Whether `key` is written in Chinese (holds a Han character)."""
    return _HAN.search(key) is not None


def to_english(mapping: LMap, group: str, path: Path, where: str, problems: Problems) -> None:
    """Rename `mapping`'s Chinese keys of `group` to their English keys, in place.

    The key as written is kept in `mapping.said`; a key written both ways (年份 and year)
    is reported with both lines and the second is dropped."""
    names = ENGLISH.get(group)
    said: dict[str, str] = dict(getattr(mapping, "said", {}))
    if not names or not any(k in names for k in mapping):
        mapping.said = said
        return
    entries = [(k, mapping[k], mapping.lines.get(k, mapping.line)) for k in mapping]
    mapping.clear()
    lines: dict[str, int] = {}
    for key, value, line in entries:
        english = names.get(key, key)
        if english in mapping:
            first = said.get(english, english)
            problems.add(path, line, _join(where, key), _(
                "'{key}' and '{other}' are the same key, written twice ({other} at "
                "{file}:{line}); keep one of them").format(
                    key=key, other=first, file=path.name, line=lines[english]))
            continue
        mapping[english] = value
        lines[english] = line
        if english != key:
            said[english] = key
    mapping.lines = lines
    mapping.said = said


def said(mapping: object, key: str) -> str:
    """`key` of `mapping` as the editor wrote it (its Chinese name if written so)."""
    return str(getattr(mapping, "said", {}).get(key, key))


def writes_chinese(mapping: object) -> bool:
    """Whether a key missing from `mapping` is best named in Chinese: most of its keys are
    written in Chinese, or it has none and the interface speaks Chinese."""
    if not isinstance(mapping, dict) or not mapping:
        return language() == "zh"
    chinese = len(getattr(mapping, "said", {}))
    return chinese * 2 >= len(mapping)


def name_for(mapping: object, group: str, key: str) -> str:
    """How to name `key` of `group` in a message about `mapping`: as written when it is
    there, else in the language the mapping is written in."""
    if isinstance(mapping, dict) and key in mapping:
        return said(mapping, key)
    if writes_chinese(mapping):
        return KEYS.get(group, {}).get(key, key)
    return key


def keys_in(language_of: str, group: str) -> dict[str, str]:
    """{English key: the key in `language_of`} for `group` ("zh" or "en")."""
    names = KEYS[group]
    return {en: (names[en] if language_of == "zh" else en) for en in names}


class Block(str):
    """A text written as a YAML literal block (`按: |` and its lines below), the form an
    editor extends line by line."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    Block, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", str(text), style="|"))


def dump(data: dict[str, Any]) -> str:
    """`data` serialised as block YAML, keys in the order given, Chinese as it is."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000,
                     default_flow_style=False)


def front_matter(fields: dict[str, Any], language_of: str) -> str:
    """The YAML of a front matter holding `fields` (English keys of the group "issue"), its
    keys written in `language_of` ("zh": Chinese, else English)."""
    names = keys_in(language_of, "issue")
    return dump({names[key]: value for key, value in fields.items()})


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key
