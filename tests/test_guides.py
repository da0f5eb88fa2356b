"""The editor's guides in English (README.md, docs/content.md, docs/publishing.md) and in
Chinese (docs/zh/编辑指南.md) show the same worked examples, and the examples are true.

Every fenced block of a guide is named by the line before it: `<!-- example: NAME -->`, or
`<!-- not-an-example: why -->` (the README's diagram). Both languages must have the same
names, so a guide that gains or loses an example fails. A name may recur within one
language only with the same text. Paired examples are compared by kind:

- `yaml`, and the front matter of a `markdown` issue: the same data once the keys are read
  through the key table (huoye/load/keys.py), so 年份 in the Chinese guide pairs with year;
- `markdown` bodies, `python`: the same text; `sh`: the same commands (comments, which
  are in the guide's language, left out);
- `text`: what a command prints, which differs by language: each is compared with what the
  command really prints in that language (HUOYE_LANG=en / zh), run here on a copy of the
  sample content (numbers of seconds and the port aside).

The YAML examples are also checked to load: the front matter and the summaries against
their schemas, series.yaml with the loader, in both languages.
"""
from __future__ import annotations

import os
import re
import select
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from huoye.errors import Problems
from huoye.load.archive import ISSUE_SCHEMA, SUMMARIES_SCHEMA, load_series
from huoye.load.keys import ENGLISH, KEYS
from huoye.load.schema import check
from huoye.load.yamlsource import parse_yaml
from tests.chinese_keys import issue_to_chinese, to_chinese
from tests.conftest import CONTENT, ROOT

GUIDES = {
    "en": [ROOT / "README.md", ROOT / "docs" / "content.md", ROOT / "docs" / "publishing.md"],
    "zh": [ROOT / "docs" / "zh" / "编辑指南.md"],
}
FENCE = re.compile(r"^```([\w-]*)\n(.*?)^```\n", re.M | re.S)
TAG = re.compile(r"<!-- (example|not-an-example): (.+?) -->\n*\Z")
TIMEOUT = 300


def examples(lang: str, wrong: list[str] | None = None) -> dict[str, tuple[str, str]]:
    """{name: (fence language, text)} of the guides in `lang`; what is wrong with their
    naming goes in `wrong`."""
    wrong = [] if wrong is None else wrong
    found: dict[str, tuple[str, str]] = {}
    for guide in GUIDES[lang]:
        if not guide.is_file():
            wrong.append(f"{guide}: missing")
            continue
        text = guide.read_text(encoding="utf-8")
        for m in FENCE.finditer(text):
            tag = TAG.search(text[:m.start()])
            where = f"{guide.name}:{text.count(chr(10), 0, m.start()) + 1}"
            if not tag:
                wrong.append(f"{where}: a fenced block without <!-- example: NAME --> before it")
                continue
            if tag.group(1) == "not-an-example":
                continue
            name, block = tag.group(2), (m.group(1), m.group(2))
            if found.get(name, block) != block:
                wrong.append(f"{where}: example {name} shown twice, differently")
            found[name] = block
    return found


WRONG: list[str] = []
EN, ZH = examples("en", WRONG), examples("zh", WRONG)


def test_every_fenced_block_is_named():
    assert WRONG == []
    assert sum(text.count("\n```") for text in (
        g.read_text(encoding="utf-8") for g in GUIDES["zh"])) >= 2 * len(ZH)


def test_both_guides_show_the_same_examples():
    assert sorted(EN) == sorted(ZH)
    assert len(EN) >= 20
    for name in EN:
        assert EN[name][0] == ZH[name][0], name


def _group(data: object) -> str:
    """Which part of the key table a YAML example's top level is written with."""
    assert isinstance(data, dict)
    series = set(KEYS["series"]) | set(ENGLISH["series"])
    return "series" if set(map(str, data)) <= series and "summaries" not in data else "issue"


def _english_data(text: str) -> object:
    """A YAML example's data with every key read in English through the key table."""
    group = _group(yaml.safe_load(text))
    return yaml.safe_load(to_chinese(text, group, table=ENGLISH))


def _front_and_body(text: str) -> tuple[object, str]:
    if not text.startswith("---\n"):
        return None, text.strip()
    english = issue_to_chinese(text, table=ENGLISH)
    front, body = english[4:].split("\n---\n", 1)
    return yaml.safe_load(front), body.strip()


def _commands(text: str) -> list[str]:
    return [line for line in (re.sub(r"(^|\s+)#\s.*$", "", raw).rstrip() for raw in text.splitlines())
            if line]


@pytest.mark.parametrize("name", sorted(set(EN) & set(ZH)))
def test_each_example_is_the_same_in_both_languages(name):
    kind, en = EN[name]
    zh = ZH[name][1]
    if kind == "yaml":
        assert _english_data(zh) == _english_data(en)
    elif kind == "markdown":
        assert _front_and_body(zh) == _front_and_body(en)
    elif kind == "sh":
        assert _commands(zh) == _commands(en)
    elif kind == "python":
        assert zh == en
    else:
        assert kind == "text", f"{name}: fence language {kind!r} has no comparison"
        assert name in SCENARIOS, f"{name}: no test runs the command whose output this shows"


# ---------------------------------------------------------------- the YAML examples load

@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_yaml_examples_fit_their_schemas(lang, tmp_path):
    shown = examples(lang)
    checked = []
    for name, (kind, text) in shown.items():
        if kind not in ("yaml", "markdown") or (kind == "markdown" and not text.startswith("---\n")):
            continue
        problems = Problems()
        path = tmp_path / f"{name}.yaml"
        if kind == "markdown":
            check(parse_yaml(text[4:].split("\n---\n", 1)[0], path), ISSUE_SCHEMA, path, "", problems)
        elif _group(yaml.safe_load(text)) == "series":
            path = tmp_path / name / "series.yaml"
            path.parent.mkdir()
            path.write_text(text, encoding="utf-8")
            (path.parent / "master.pptx").write_bytes(b"")  # the example names a template
            assert load_series(path, problems) is not None
        else:
            data = parse_yaml(text, path)
            assert isinstance(data, dict) and len(data) == 1, name
            [(key, value)] = data.items()
            assert ENGLISH["issue"].get(key, key) == "summaries", name
            check(value, SUMMARIES_SCHEMA, path, key, problems)
        assert not problems, (name, [str(p) for p in problems.items])
        checked.append(name)
    assert {"issue-md", "series-yaml", "summaries"} <= set(checked)


# ---------------------------------------------------------------- what the commands print

def _project(tmp: Path, lang: str) -> Path:
    """A folder holding a copy of the sample content (keys in Chinese for the Chinese guide)."""
    tmp.mkdir(parents=True, exist_ok=True)
    content = tmp / "content"
    shutil.copytree(CONTENT, content)
    if lang == "zh":
        for path in (content / "2020-03" / "issue.md", content / "series.yaml"):
            text = path.read_text(encoding="utf-8")
            path.write_text(issue_to_chinese(text) if path.name == "issue.md" else
                            to_chinese(text, "series"), encoding="utf-8")
    return tmp


def _argv(command: str) -> list[str]:
    """A command as the guide shows it, as this test runs it (this Python, this huoye)."""
    words = shlex.split(command)
    if words[0] == "huoye":
        return [sys.executable, "-m", "huoye", *words[1:]]
    assert words[:2] == ["python", "build.py"], command
    return [sys.executable, str(ROOT / "build.py"), *words[2:]]


def _run(command: str, cwd: Path, lang: str, expect: int) -> str:
    env = dict(os.environ, HUOYE_LANG=lang)
    done = subprocess.run(_argv(command), cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)
    assert done.returncode == expect, done.stderr
    return done.stderr + done.stdout


def _sample(tmp: Path, lang: str) -> tuple[Path, int]:
    return _project(tmp, lang), 0


def _misspelt(tmp: Path, lang: str) -> tuple[Path, int]:
    """The sample with its theme key misspelt (themee; in Chinese 主提)."""
    project = _project(tmp, lang)
    path = project / "content" / "2020-03" / "issue.md"
    theme = "theme" if lang == "en" else KEYS["issue"]["theme"]
    typo = "themee" if lang == "en" else "主提"
    text = path.read_text(encoding="utf-8")
    assert text.split("\n")[7].startswith(f"{theme}: ")  # line 8
    path.write_text(text.replace(f"\n{theme}: ", f"\n{typo}: ", 1), encoding="utf-8")
    return project, 2


def manuscript(path: Path) -> Path:
    """The manuscript the guides' import example reads: a bold title, two sections typed
    一、 二、, a paragraph, a numbered point."""
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph().add_run("县级财政运行监测").bold = True
    document.add_paragraph("一、基本情况")
    document.add_paragraph("全县财政收入恢复性增长，但收支矛盾依然突出。")
    document.add_paragraph("二、对策建议")
    document.add_paragraph("1.完善转移支付制度。提高均衡性转移支付的比重。")
    document.save(str(path))
    return path


def _with_manuscript(tmp: Path, lang: str) -> tuple[Path, int]:
    project = _project(tmp, lang)
    manuscript(project / "稿件.docx")
    return project, 0


def _empty(tmp: Path, lang: str) -> tuple[Path, int]:
    tmp.mkdir(parents=True)
    return tmp, 0


def _served(command: str, cwd: Path, lang: str) -> str:
    """The line `huoye serve` prints when it is ready (run on a free port, shown as 8000)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([*_argv(command), "--port", str(port)], cwd=cwd,
                              env=dict(os.environ, HUOYE_LANG=lang), stderr=subprocess.PIPE, text=True)
    try:
        assert server.stderr is not None
        line = ""
        while "http://" not in line:  # the server is up when it says where
            ready, _w, _x = select.select([server.stderr], [], [], TIMEOUT)  # a hang guard
            assert ready, "huoye serve said nothing"
            line = server.stderr.readline()
            assert line, "huoye serve stopped"
    finally:
        server.terminate()
        server.wait(timeout=TIMEOUT)
        if server.stderr is not None:
            server.stderr.close()
    return line.replace(f":{port}/", ":8000/")


# the output examples: where their command runs (a copy of the sample content unless said)
SCENARIOS = {
    "new-output": _sample,
    "check-ok-output": _sample,
    "check-errors-output": _misspelt,
    "build-output": _sample,
    "import-output": _with_manuscript,
    "init-output": _empty,
    "serve-output": _sample,
}
SECONDS = re.compile(r"\d+\.\d+(?= s| 秒)")


def _command_and_output(text: str) -> tuple[str, str]:
    first, _nl, rest = text.partition("\n")
    assert first.startswith("$ "), "an output example begins with '$ ' and its command"
    return first[2:], rest


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_each_output_shown_is_what_the_command_prints(name, lang, tmp_path):
    kind, text = examples(lang)[name]
    assert kind == "text", name
    command, shown = _command_and_output(text)
    assert command == _command_and_output(examples("en")[name][1])[0]  # the same command
    cwd, status = SCENARIOS[name](tmp_path / "p", lang)
    if command.startswith("huoye serve"):
        printed = _served(command, cwd, lang)
    else:
        printed = _run(command, cwd, lang, status)
    assert SECONDS.sub("N", printed).strip() == SECONDS.sub("N", shown).strip()


def test_the_chinese_outputs_are_in_chinese():
    for name in SCENARIOS:
        en, zh = _command_and_output(EN[name][1])[1], _command_and_output(ZH[name][1])[1]
        assert en != zh, name
        assert not re.search(r"\b(created|error|problems|built|serving|updated)\b", zh), name
