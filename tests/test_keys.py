"""Chinese keys (huoye/load/keys.py): every front-matter and series.yaml key may be written
in Chinese, and reads as its English key.

- The table names every key of every schema, once, and nothing else.
- Every key round-trips: a content folder with that one key written in Chinese loads to the
  same model as the English one; so does the hand-written Chinese-keyed fixture
  (tests/fixtures/zh-keys/, every key but 模板 in Chinese) and its English translation.
- The sample issue and series.yaml, their keys rewritten in Chinese from the table, build
  byte-identical PDF, deck and HTML edition; so does the fixture against its translation.
- A key written both ways in one mapping is an error (exit 2) naming both lines; messages
  name keys as the editor wrote them.

The rewriting (tests/chinese_keys.py) works on the YAML text with PyYAML's own parser,
independently of the loader, and keeps every line where it was.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from huoye.cli import main
from huoye.errors import ContentError
from huoye.load import archive as schemas
from huoye.load import load_archive
from huoye.load.keys import ENGLISH, KEYS
from huoye.load.schema import Schema
from huoye.render.deck.slides import LAYOUT_OF
from tests.chinese_keys import front_matter, issue_to_chinese, pairs, to_chinese
from tests.conftest import CONTENT, ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "zh-keys" / "content"
FIXTURE_ISSUE = "2022-07"
ALL_PAIRS = sorted((group, key) for group, names in KEYS.items() for key in names)


# ---------------------------------------------------------------- the table

def test_the_table_names_every_key_of_every_schema_and_nothing_else():
    found = {s.group: set(s) for s in vars(schemas).values() if isinstance(s, Schema)}
    assert found == {g: set(names) for g, names in KEYS.items()}
    # the layouts' keys are the deck's slide kinds, and the roles title and content
    assert set(KEYS["series.deck.layouts"]) == set(LAYOUT_OF) | {"title", "content"}
    english = {k for names in KEYS.values() for k in names}
    for group, names in KEYS.items():
        chinese = list(names.values())
        assert len(set(chinese)) == len(chinese), group  # one Chinese name per key of a group
        assert not set(chinese) & english, group
        assert all(any("\u4e00" <= c <= "\u9fff" for c in name) for name in chinese), group


def test_the_guides_show_the_table_as_it_is():
    """Both guides list every (group, English, Chinese) row of the table."""
    for guide in (ROOT / "docs" / "content.md", ROOT / "docs" / "zh" / "编辑指南.md"):
        text = guide.read_text(encoding="utf-8")
        for group, names in KEYS.items():
            for english, chinese in names.items():
                assert f"| `{group}` | `{english}` | `{chinese}` |" in text, (guide.name, english)
        rows = re.findall(r"^\| `[\w.*]+` \| `\w+` \| `[^`]+` \|$", text, re.M)
        assert len(rows) == len(ALL_PAIRS), guide.name  # and no other row


# ---------------------------------------------------------------- every key round-trips

def _model(root: Path) -> str:
    """Everything loaded from `root`, with the folder's own path left out."""
    issues = load_archive(root)
    assert issues
    return repr(issues).replace(str(root.resolve()), "ROOT").replace(str(root), "ROOT")


def _project(folder: Path, series: str, issue: str) -> Path:
    root = folder / "content"
    (root / FIXTURE_ISSUE).mkdir(parents=True)
    (root / "series.yaml").write_text(series, encoding="utf-8")
    (root / FIXTURE_ISSUE / "issue.md").write_text(issue, encoding="utf-8")
    (root / "master.pptx").write_bytes(b"")  # deck.template is checked to exist when loading
    return root


def _english_fixture() -> tuple[str, str]:
    """The fixture's series.yaml (with a deck template added) and issue.md, keys in English."""
    series = to_chinese((FIXTURE / "series.yaml").read_text(encoding="utf-8"), "series", table=ENGLISH)
    assert "\ndeck:\n" in series
    series = series.replace("\ndeck:\n", "\ndeck:\n  template: master.pptx\n")
    issue = issue_to_chinese((FIXTURE / FIXTURE_ISSUE / "issue.md").read_text(encoding="utf-8"),
                             table=ENGLISH)
    return series, issue


def test_the_fixture_and_the_template_key_cover_the_whole_table():
    series, issue = _english_fixture()
    covered = pairs(series, "series") | pairs(front_matter(issue), "issue")
    assert sorted(covered) == ALL_PAIRS


@pytest.fixture(scope="module")
def english_model(tmp_path_factory):
    series, issue = _english_fixture()
    root = _project(tmp_path_factory.mktemp("en"), series, issue)
    return _model(root)


@pytest.mark.parametrize("pair", ALL_PAIRS, ids=lambda p: f"{p[0]}.{p[1]}")
def test_one_key_written_in_chinese_loads_the_same_model(tmp_path, english_model, pair):
    series, issue = _english_fixture()
    group = pair[0]
    if group.startswith("series"):
        changed = to_chinese(series, "series", only={pair})
        assert changed != series
        root = _project(tmp_path, changed, issue)
    else:
        changed = issue_to_chinese(issue, only={pair})
        assert changed != issue
        root = _project(tmp_path, series, changed)
    assert _model(root) == english_model


def test_the_hand_written_chinese_fixture_loads_as_its_english_translation(tmp_path, english_model):
    series = (FIXTURE / "series.yaml").read_text(encoding="utf-8")
    series = series.replace("\n幻灯片:\n", "\n幻灯片:\n  模板: master.pptx\n")
    root = _project(tmp_path, series, (FIXTURE / FIXTURE_ISSUE / "issue.md").read_text(encoding="utf-8"))
    assert _model(root) == english_model
    [issue] = load_archive(root)  # and it is the issue the fixture says
    assert (issue.series.name, issue.series.first_serial, issue.series.recent_themes_count) == (
        "县域财经", 51, 8)
    assert (issue.figures[0].qualifier, issue.figures[0].data_source) == ("约", "县财政局2021年决算")
    assert issue.charts[0].series[0].qualifiers == ["近", ""]
    assert issue.sections[0].points[0].summary_headline == "民生支出刚性增长"
    assert issue.series.deck_layouts["chart"] == "Chart"
    assert issue.series.base_url == "https://caijing.example.cn/xianyu/"


def test_keys_of_both_languages_mix_in_one_file(tmp_path, english_model):
    """Every other key of the issue and the series in Chinese, the rest in English."""
    series, issue = _english_fixture()
    every_other = set(ALL_PAIRS[::2])
    root = _project(tmp_path, to_chinese(series, "series", only=every_other),
                    issue_to_chinese(issue, only=every_other))
    text = (root / FIXTURE_ISSUE / "issue.md").read_text(encoding="utf-8")
    top = [line.split(":")[0] for line in front_matter(text).splitlines() if line[:1].isalnum()]
    chinese = [k for k in top if k in ENGLISH["issue"]]
    assert len(chinese) >= 3 and len(top) - len(chinese) >= 3, top
    assert _model(root) == english_model


# ---------------------------------------------------------------- the same outputs

def _build(content: Path, out: Path) -> dict[str, bytes]:
    from huoye.build import BuildRequest, build

    results = build(BuildRequest(paths=[content], out_dir=out, force=True))
    assert [r.error for r in results] == [None] * len(results)
    built = {p.name: p.read_bytes() for r in results for p in r.outputs}
    for name in ("index.html", "feed.xml"):  # the series' archive page lists the issue
        built[name] = (out / name).read_bytes()
    return built


def test_the_sample_with_chinese_keys_builds_byte_identical_outputs(tmp_path, built_sample):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    for path, group in ((content / "2020-03" / "issue.md", "issue"), (content / "series.yaml", "series")):
        text = path.read_text(encoding="utf-8")
        chinese = issue_to_chinese(text) if group == "issue" else to_chinese(text, group)
        assert chinese != text
        path.write_text(chinese, encoding="utf-8")
    issue = (content / "2020-03" / "issue.md").read_text(encoding="utf-8")
    assert "\n年份: 2020\n" in issue and "\n  - 数值: 41\n" in issue and "\nyear:" not in issue
    assert "\n刊名: 财经活页\n" in (content / "series.yaml").read_text(encoding="utf-8")
    built = _build(content / "2020-03", tmp_path / "out")
    assert sorted(Path(n).suffix for n in built) == [".html", ".html", ".pdf", ".pptx", ".xml"]
    for path in built_sample.values():
        assert built[path.name] == path.read_bytes(), path.name
    site = built_sample["pdf"].parent.parent  # the sample's output folder
    for name in ("index.html", "feed.xml"):
        assert "总第328期".encode() in built[name], name
        assert built[name] == (site / name).read_bytes(), name


def test_the_chinese_fixture_builds_what_its_english_translation_builds(tmp_path):
    series, issue = _english_fixture()
    series = series.replace("  template: master.pptx\n", "")
    english = _project(tmp_path / "en", series, issue)
    chinese = tmp_path / "zh" / "content"
    shutil.copytree(FIXTURE, chinese)
    one, two = _build(english, tmp_path / "out-en"), _build(chinese, tmp_path / "out-zh")
    assert sorted(one) == sorted(two) and len(one) == 5
    for name in one:
        assert one[name] == two[name], name


# ---------------------------------------------------------------- errors say the key as written

def _issue_with(tmp_path: Path, front: str, body: str = "## 一\n\n正文。\n\n## 对策建议 {.recommendations}\n\n"
                "1.建议。正文。\n") -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE, root)
    (root / FIXTURE_ISSUE / "issue.md").write_text(f"---\n{front}---\n\n{body}", encoding="utf-8")
    return root


FRONT = "年份: 2022\n期号: 7\n总期号: 57\n日期: 2022-07-15\n主题: 县级财政\n按: 本期按语。\n"


def _problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as err:
        load_archive(root)
    return [str(p) for p in err.value.problems]


def test_a_key_written_both_ways_is_an_error_naming_both_lines(tmp_path, capsys):
    root = _issue_with(tmp_path, "year: 2022\n" + FRONT)
    assert main(["check", str(root)]) == 2
    err = capsys.readouterr().err
    path = root / FIXTURE_ISSUE / "issue.md"
    assert (f"{path}:3: 年份: '年份' and 'year' are the same key, written twice (year at "
            f"issue.md:2); keep one of them") in err


def test_both_ways_in_a_list_item_and_in_series_yaml_too(tmp_path):
    root = _issue_with(tmp_path, FRONT + "关键数据:\n  - 数值: 1\n    value: 1\n    单位: 个\n"
                       "    说明: 一\n    原句: 正文。\n")
    series = root / "series.yaml"
    series.write_text(series.read_text(encoding="utf-8").replace(
        '  主色: "#1d4e89"\n', '  主色: "#1d4e89"\n  colour: "#1d4e89"\n'), encoding="utf-8")
    problems = _problems(root)
    assert any(p.endswith("issue.md:10: 关键数据[1].value: 'value' and '数值' are the same key, "
                          "written twice (数值 at issue.md:9); keep one of them") for p in problems)
    assert any("series.yaml:15: 品牌.colour: 'colour' and '主色' are the same key, written twice "
               "(主色 at series.yaml:14)" in p for p in problems), problems


@pytest.mark.parametrize("front, says", [
    (FRONT.replace("主题:", "主提:"), "issue.md:6: 主提: unknown key; did you mean '主题'?"),
    (FRONT.replace("主题: 县级财政\n", ""), "issue.md:1: 主题: missing; add it e.g. '主题: 产业链现代化'"),
    (FRONT.replace("期号: 7", "期号: 七"), "issue.md:3: 期号: expected a whole number written in digits"),
    (FRONT + "关键数据:\n  - {数值: 5, 单位: 个, 说明: 五, 原句: 不在正文里的句子。}\n",
     "issue.md:9: 关键数据.原句: this sentence is not in the body"),
    (FRONT + "关键数据:\n  - {数值: 5, 单位: 个, 说明: 五}\n",
     "issue.md:9: 关键数据[1].原句: missing; add it e.g. '原句: "),
    # in an English-keyed mapping, the same problems are said with the English keys
    ("year: 2022\nnumber: 7\nserial: 57\ndate: 2022-07-15\nnote: 按语。\n",
     "issue.md:1: theme: missing; add it e.g. 'theme: 产业链现代化'"),
])
def test_messages_name_the_key_as_the_editor_wrote_it(tmp_path, front, says):
    problems = _problems(_issue_with(tmp_path, front))
    assert any(says in p for p in problems), problems


def test_a_misspelt_slide_kind_in_the_layouts_is_named_with_a_hint(tmp_path):
    root = _issue_with(tmp_path, FRONT)
    series = root / "series.yaml"
    series.write_text(series.read_text(encoding="utf-8").replace("    图表页: Chart\n", "    图标页: Chart\n"),
                      encoding="utf-8")
    text = series.read_text(encoding="utf-8")
    assert "图标页" in text
    problems = _problems(root)
    assert any("series.yaml:38: 幻灯片.版式.图标页: unknown key; did you mean '图表页'?" in p
               for p in problems), problems


def test_a_missing_series_key_is_named_in_the_language_of_the_file(tmp_path):
    root = _issue_with(tmp_path, FRONT)
    series = root / "series.yaml"
    series.write_text(series.read_text(encoding="utf-8").replace("地址: 某县人民路8号\n", ""),
                      encoding="utf-8")
    assert any("series.yaml:1: 地址: missing; add it e.g. '地址: 沈阳市和平区南京北街103号'" in p
               for p in _problems(root))


# ---------------------------------------------------------------- huoye init / new / import write the user's keys

def _top_keys(text: str) -> list[str]:
    return [str(k) for k in yaml.safe_load(text)]


def _init_and_new(folder: Path, lang: str) -> Path:
    assert main(["--lang", lang, "init", str(folder), "--name", "县域观察", "--publisher", "某县财政局",
                 "--staff", "主编=赵明", "--first-serial", "9", "--base-url",
                 "https://obs.example.org/"]) == 0
    assert main(["--lang", lang, "new", "--content", str(folder / "content"), "--theme", "县域经济",
                 "--date", "2026-03-02"]) == 0
    return folder / "content"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_init_and_new_write_the_keys_in_the_users_language(tmp_path, lang):
    content = _init_and_new(tmp_path / lang, lang)
    series = (content / "series.yaml").read_text(encoding="utf-8")
    issue = (content / "2026-01" / "issue.md").read_text(encoding="utf-8")
    names = {g: (list(KEYS[g].values()) if lang == "zh" else list(KEYS[g])) for g in KEYS}
    assert _top_keys(series) == [k for k in names["series"] if k in _top_keys(series)]
    assert set(_top_keys(series)) >= {names["series"][i] for i in (0, 1, 5, 6, 7, 12, 13)}
    staff = yaml.safe_load(series)[names["series"][5]]
    assert staff == [dict(zip(names["series.staff"], ["主编", "赵明"]))]
    brand = yaml.safe_load(series)[names["series"][6]]
    assert set(brand) <= set(names["series.brand"]) and set(brand[names["series.brand"][3]]) <= set(
        names["series.brand.fonts"])
    assert _top_keys(front_matter(issue)) == names["issue"][:6]
    # what was written loads (once the placeholders are filled), to the same model either way
    fill_in = issue.replace("【待填：编者按】", "本期按语。").replace("【待填：", "").replace("】", "")
    (content / "2026-01" / "issue.md").write_text(fill_in, encoding="utf-8")
    [loaded] = load_archive(content)
    assert (loaded.serial, loaded.theme, loaded.note, loaded.series.base_url) == (
        9, "县域经济", "本期按语。", "https://obs.example.org/")


def test_init_and_new_in_chinese_and_in_english_make_the_same_issue(tmp_path):
    models = []
    for lang in ("zh", "en"):
        content = _init_and_new(tmp_path / lang, lang)
        path = content / "2026-01" / "issue.md"
        path.write_text(path.read_text(encoding="utf-8").replace("【待填：", "").replace("】", ""),
                        encoding="utf-8")
        models.append(_model(content))
    assert models[0] == models[1]


def test_import_writes_the_front_matter_in_the_users_language(tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("县级财政运行监测").bold = True
    document.add_paragraph("一、基本情况")
    document.add_paragraph("全县财政收入恢复性增长。")
    document.add_paragraph("二、对策建议")
    document.add_paragraph("1.完善转移支付制度。提高均衡性转移支付的比重。")
    manuscript = tmp_path / "稿件.docx"
    document.save(str(manuscript))
    for lang in ("zh", "en"):
        content = tmp_path / lang / "content"
        shutil.copytree(FIXTURE, content)
        assert main(["--lang", lang, "import", str(manuscript), "--issue", "2023-01",
                     "--content", str(content)]) == 0
        front = front_matter((content / "2023-01" / "issue.md").read_text(encoding="utf-8"))
        expected = list(KEYS["issue"].values() if lang == "zh" else KEYS["issue"])[:6]
        assert _top_keys(front) == expected


@pytest.mark.parametrize("change, says", [
    (("主题: 县级财政", "主题：县级财政"), "issue.md:6: 主题: full-width colon '：' after the key; "
                                          "YAML needs an ASCII colon and a space: write '主题: …'"),
    (("期号: 7", "期号:7"), "issue.md:3: yaml: this is not valid YAML: no space after the colon of "
                           "'期号:'; YAML needs a colon and a space: write '期号: …'"),
])
def test_a_chinese_key_typed_with_a_chinese_colon_or_no_space_is_named(tmp_path, change, says):
    problems = _problems(_issue_with(tmp_path, FRONT.replace(*change)))
    assert any(says in p for p in problems), problems


def test_a_line_of_the_note_that_begins_like_a_key_is_text(tmp_path):
    front = FRONT.replace("按: 本期按语。\n", "按: |\n  按：本期讨论县级财政。\n  主题：三保。\n")
    [issue] = load_archive(_issue_with(tmp_path, front))
    assert issue.note == "按：本期讨论县级财政。主题：三保。"
