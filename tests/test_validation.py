"""Validation: each kind of bad content is reported as `path:line: field: message`, all at once."""
from __future__ import annotations

import subprocess
import sys

import pytest

from huoye.errors import ContentError
from huoye.load import load_archive

ISSUE = "2020-03/issue.md"


def problems_for(content, edit=None, series_edit=None) -> list[str]:
    if edit:
        path = content / ISSUE
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    if series_edit:
        path = content / "series.yaml"
        path.write_text(series_edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_archive(content)
    return [f"{p.path.name if hasattr(p.path, 'name') else p.path}:{p.line}: {p.field}: {p.message}"
            for p in err.value.problems]


def sub(old, new, count=1):
    def edit(text):
        assert old in text, old
        return text.replace(old, new, count)
    return edit


CASES = {
    "unknown key with a hint": (sub("theme: 产业链现代化", "themee: 产业链现代化"), None, [
        "issue.md:1: theme: missing; add it e.g. 'theme: 产业链现代化'",
        "issue.md:8: themee: unknown key; did you mean 'theme'?"]),
    "issue number in Chinese": (sub("number: 3", "number: 三"), None, [
        "issue.md:5: number: expected a whole number written in digits, found '三'; "
        "write it as e.g. 'number: 3'"]),
    "impossible date": (sub("date: 2020-04-25", "date: 2020-13-45"), None, [
        "issue.md:7: yaml: '2020-13-45' is not a valid value (month must be in 1..12); "
        "dates are written YYYY-MM-DD"]),
    "duplicate key": (sub("serial: 328", "serial: 328\nserial: 329"), None, [
        "issue.md:7: serial: duplicate key (first given on line 6); keep one of them"]),
    "full-width colon": (sub("theme: 产业链现代化", "theme：产业链现代化"), None, [
        "issue.md:8: theme: full-width colon '：' after the key; YAML needs an ASCII colon "
        "and a space: write 'theme: …'"]),
    "tab indentation": (sub("  - value: 41", "\t- value: 41"), None, [
        "issue.md:18: yaml: a tab character is used for indentation; YAML needs spaces: "
        "replace tabs by spaces"]),
    "unclosed quote": (sub('unit: "%"', 'unit: "%'), None, None),
    "empty file": (lambda t: "", None, [
        "issue.md:1: file: the file is empty; start from 'huoye new' or docs/content.md"]),
    "no front matter": (lambda t: t[t.index("\n---\n") + 5:], None, [
        "issue.md:1: front matter: no front matter; the file must begin with a '---' line, the "
        "masthead keys (year, number, serial, date, theme, note), and another '---' line"]),
    "front matter only": (lambda t: t[: t.index("\n---\n") + 5], None, [
        "issue.md:92: body: the body has no sections; add '## 标题' headings with their text "
        "below the front matter"]),
    "points out of order": (sub("2.关键基础材料相对缺失", "3.关键基础材料相对缺失"), None, [
        "issue.md:113: point: numbered '3.' after '1.'; expected '2.'"]),
    "no recommendations marker": (sub(" {.recommendations}", ""), None, [
        "issue.md:92: body: no recommendations section; mark its heading like "
        "'## 对策建议 {.recommendations}'"]),
    "unknown heading marker": (sub("{.recommendations}", "{.recommendation}"), None, [
        "issue.md:92: body: no recommendations section; mark its heading like "
        "'## 对策建议 {.recommendations}'",
        "issue.md:195: heading: unknown marker '{.recommendation}'; the only marker is "
        "'{.recommendations}'"]),
    "figure sentence not in the body": (sub("自产比例占12%左右。\n", "自产比例占13%左右。\n"), None, [
        "issue.md:30: figures.sentence: this sentence is not in the body; copy it exactly from "
        "the paragraph the figure comes from"]),
    "chart series shorter than categories": (sub("values: [41, 207, 666]", "values: [41, 207]"), None, [
        "issue.md:57: charts[1].series[1].values: 2 values for 3 categories; give one value "
        "per category"]),
    "text before the first article title": (
        sub("---\n\n## 产业链与", "---\n\n导语。\n\n# 第一篇\n\n## 产业链与"), None, [
            "issue.md:95: heading: text comes before the first article title; move it below a "
            "'# 标题' line, or remove the '#' headings for an issue of one untitled article"]),
    "image outside the issue folder": (sub("什么是产业链\n\n", "什么是产业链\n\n![x](../../etc/passwd)\n\n"), None, [
        "issue.md:97: image: '../../etc/passwd' points outside the issue folder; copy the file "
        "into 2020-03/ and refer to it by its name"]),
    "series: bad colour and unknown key": (None, lambda t: t.replace('colour: "#9e1b1b"', "colour: red")
                                           .replace("address:", "adress:"), [
        "series.yaml:1: address: missing; add it e.g. 'address: 沈阳市和平区南京北街103号'",
        "series.yaml:6: adress: unknown key; did you mean 'address'?",
        "series.yaml:17: brand.colour: 'red' is not a colour; write it as '#RRGGBB' in quotes"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_content_is_reported_with_its_place_and_fix(content_copy, name):
    edit, series_edit, expected = CASES[name]
    got = problems_for(content_copy, edit, series_edit)
    if expected is None:  # the exact wording is PyYAML's; the place and the field are ours
        assert len(got) == 1 and got[0].startswith("issue.md:") and ": yaml: this is not valid YAML" in got[0]
    else:
        assert got == expected


def test_all_problems_are_reported_at_once(content_copy):
    got = problems_for(content_copy, lambda t: t.replace("number: 3", "number: 三")
                       .replace("2.关键基础材料", "9.关键基础材料"))
    assert len(got) == 2
    assert got[0].startswith("issue.md:5: number:") and got[1].startswith("issue.md:113: point:")


def test_check_exits_2_with_the_message_and_writes_nothing(content_copy, tmp_path):
    path = content_copy / ISSUE
    path.write_text(path.read_text(encoding="utf-8").replace("theme:", "themee:"), encoding="utf-8")
    out = tmp_path / "out"
    for cmd in (["check", str(content_copy)], ["build", str(content_copy), "--out", str(out)]):
        run = subprocess.run([sys.executable, "-m", "huoye", *cmd], capture_output=True, text=True,
                             cwd=tmp_path)
        assert run.returncode == 2, run.stderr
        assert "issue.md:8: themee: unknown key; did you mean 'theme'?" in run.stderr
        assert "Traceback" not in run.stderr
    assert not out.exists()
