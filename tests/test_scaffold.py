"""`huoye init` starts a bulletin project that builds; `huoye new` numbers the first issue
from series.yaml and the next ones from the latest; a project's own templates are used;
`huoye.build(...)` is the library's entry point."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

import huoye
from huoye.cli import main
from huoye.errors import ContentError, HuoyeError
from huoye.load import load_archive
from huoye.scaffold import SeriesSettings, init_project, new_issue
from tests.projects import fill_in


def test_init_writes_a_series_that_validates_with_what_was_given(tmp_path, capsys):
    project = tmp_path / "周报"
    assert main(["init", str(project), "--name", "区域经济观察", "--publisher", "甲研究院",
                 "--publisher", "乙学会", "--staff", "主编=赵六", "--colour", "#2e7d32",
                 "--serif", "Noto Sans CJK SC", "--first-serial", "100",
                 "--base-url", "https://obs.example.org"]) == 0
    assert "created" in capsys.readouterr().err
    content = project / "content"
    assert sorted(p.name for p in content.iterdir()) == ["series.yaml"]
    assert (project / ".gitignore").read_text() == "output/\n.huoye-cache/\n"
    path = fill_in(new_issue(content, theme="开局之年", date=dt.date(2027, 2, 3)))
    [issue] = load_archive(content)
    series = issue.series
    assert (series.name, series.publishers, series.first_serial) == ("区域经济观察", ["甲研究院", "乙学会"], 100)
    assert (series.staff[0].role, series.staff[0].name) == ("主编", "赵六")
    assert (series.brand.colour, series.brand.serif) == ("#2e7d32", "Noto Sans CJK SC")
    assert series.base_url == "https://obs.example.org/"
    assert path == content / "2027-01" / "issue.md"
    assert (issue.year, issue.number, issue.serial, issue.theme) == (2027, 1, 100, "开局之年")


def test_new_follows_the_latest_issue_and_restarts_numbers_in_a_new_year(tmp_path):
    init_project(tmp_path, SeriesSettings(name="简报", publishers=["某单位"], first_serial=5))
    content = tmp_path / "content"
    for day in ("2026-11-02", "2026-12-01", "2027-01-05"):
        fill_in(new_issue(content, theme=f"主题{day}", date=dt.date.fromisoformat(day)))
    issues = load_archive(content)
    assert [(i.slug, i.number, i.serial) for i in issues] == [
        ("2026-01", 1, 5), ("2026-02", 2, 6), ("2027-01", 1, 7)]


def test_init_asks_on_a_terminal_and_refuses_without_a_name_otherwise(tmp_path):
    # no terminal (stdin is not a tty): the name is needed as an option
    done = subprocess.run([sys.executable, "-m", "huoye", "init", str(tmp_path / "a")],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
    assert done.returncode == 2 and "--name" in done.stderr
    assert not (tmp_path / "a" / "content").exists()


def test_init_asks_for_what_is_missing_on_a_terminal(tmp_path, monkeypatch):
    answers = iter(["调研参考", "甲所，乙会", "12"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    assert main(["init", str(tmp_path)]) == 0
    fill_in(new_issue(tmp_path / "content", theme="试刊", date=dt.date(2026, 5, 1)))
    [issue] = load_archive(tmp_path / "content")
    assert (issue.series.name, issue.series.publishers, issue.serial) == ("调研参考", ["甲所", "乙会"], 12)


@pytest.mark.parametrize("args, says", [
    (["--colour", "red"], "brand.colour: 'red' is not a colour"),
    (["--name", "a/b"], "name: 'a/b' contains '/'"),
    (["--base-url", "obs.example.org"], "base_url: 'obs.example.org' is not the address of a web site"),
])
def test_init_refuses_settings_a_build_would_refuse_and_writes_nothing(tmp_path, capsys, args, says):
    argv = ["init", str(tmp_path / "p"), "--name", "简报", "--publisher", "某单位", *args]
    assert main(argv) == 2
    assert says in capsys.readouterr().err
    assert not (tmp_path / "p").exists() or not any((tmp_path / "p").iterdir())


def test_init_does_not_overwrite_a_project(tmp_path):
    init_project(tmp_path, SeriesSettings(name="简报", publishers=["某单位"]))
    before = (tmp_path / "content" / "series.yaml").read_bytes()
    with pytest.raises(ContentError, match="a bulletin project is already here"):
        init_project(tmp_path, SeriesSettings(name="另一个", publishers=["某单位"]))
    assert (tmp_path / "content" / "series.yaml").read_bytes() == before


def test_a_project_restyles_its_own_copy_of_the_templates(tmp_path, monkeypatch):
    assert main(["init", str(tmp_path), "--name", "简报", "--publisher", "某单位", "--templates"]) == 0
    assert (tmp_path / "templates" / "briefing.html.j2").is_file()
    assert (tmp_path / "templates" / "index.html.j2").is_file()
    css = tmp_path / "templates" / "screen.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.theme-banner { letter-spacing: 0.37em; }\n",
                   encoding="utf-8")
    fill_in(new_issue(tmp_path / "content", theme="样式", date=dt.date(2026, 3, 3)))
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--format", "html", "-q"]) == 0  # no --templates: the project's own
    html = (tmp_path / "output" / "2026-01" / "简报-2026-01.html").read_text(encoding="utf-8")
    assert "letter-spacing: 0.37em" in html
    [result] = huoye.build(tmp_path / "content", out=tmp_path / "api-out", formats=["html"])
    assert "letter-spacing: 0.37em" in result.outputs[0].read_text(encoding="utf-8")


def test_the_library_entry_point(tmp_path):
    """README's example: huoye.build(...) builds and reports per issue; bad content raises."""
    init_project(tmp_path, SeriesSettings(name="简报", publishers=["某单位"]))
    fill_in(new_issue(tmp_path / "content", theme="接口", date=dt.date(2026, 6, 1)))
    results = huoye.build(tmp_path / "content", out=tmp_path / "output", formats=("html",))
    assert [(r.slug, r.built, r.error) for r in results] == [("2026-01", True, None)]
    assert results[0].outputs == [tmp_path / "output" / "2026-01" / "简报-2026-01.html"]
    assert (tmp_path / "output" / "index.html").is_file()
    from huoye.build import BuildRequest  # the module is still the module

    assert BuildRequest(paths=[]).site is True
    with pytest.raises(ValueError, match="choose from pdf, pptx, html"):
        huoye.build(tmp_path / "content", formats=["docx"])
    issue = tmp_path / "content" / "2026-01" / "issue.md"
    issue.write_text(issue.read_text(encoding="utf-8").replace("theme:", "topic:"), encoding="utf-8")
    with pytest.raises(HuoyeError) as err:
        huoye.build(tmp_path / "content", out=tmp_path / "output")
    assert any("topic: unknown key" in str(p) for p in err.value.problems)
