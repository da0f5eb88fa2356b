"""Command line: every command explains itself with examples; the entry script and the
console script are the same program."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from huoye.cli import COMMANDS, main
from tests.conftest import ROOT, SAMPLE_FACTS


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help_with_examples(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert f"usage: huoye {command}" in out and "examples:" in out


def test_build_py_is_the_build_command():
    run = subprocess.run([sys.executable, str(ROOT / "build.py"), "--help"], capture_output=True,
                         text=True, cwd=ROOT, check=False)
    assert run.returncode == 0 and "usage: huoye build" in run.stdout and "examples:" in run.stdout


def test_an_unknown_format_is_refused_with_the_choices(capsys):
    with pytest.raises(SystemExit) as done:
        main(["build", "--format", "docx"])
    assert done.value.code == 2
    assert "unknown format 'docx'; choose from pdf, pptx, html" in capsys.readouterr().err


def test_check_reports_each_issue(capsys):
    assert main(["check", str(ROOT / "content")]) == 0
    facts = SAMPLE_FACTS
    says = (f"2020-03: ok — {facts['issue_line']}, {len(facts['sections'])} sections, "
            f"{sum(facts['points_per_section'])} points")
    assert says in capsys.readouterr().err


@pytest.mark.parametrize("args, status, says", [
    (["check", "content"], 0, f"2020-03: ok — {SAMPLE_FACTS['issue_line']}"),
    (["build", "content/no-such-issue"], 2, "no such folder"),
])
def test_the_process_leaves_with_mains_status_and_everything_said(args, status, says):
    """huoye.cli.run skips the interpreter's teardown: the status and the messages must
    still come out whole through a pipe."""
    console_script = Path(sys.executable).parent / "huoye"  # installed by scripts/setup.sh
    for entry in ([sys.executable, "-m", "huoye"], [str(console_script)]):
        done = subprocess.run([*entry, *args], capture_output=True, text=True, cwd=ROOT, check=False)
        assert done.returncode == status, done.stderr
        assert says in done.stderr


@pytest.mark.parametrize("word, says", [
    ("serv", "huoye: unknown command 'serv'; did you mean 'serve'?"),
    ("biuld", "huoye: unknown command 'biuld'; did you mean 'build'?"),
    ("innit", "huoye: unknown command 'innit'; did you mean 'init'?"),
    ("publish", "huoye: 'publish' is neither a command (build, check, import, init, new, serve, watch) "
                "nor an existing folder"),
])
def test_an_unknown_command_says_so_with_the_nearest_and_exits_2(word, says, tmp_path):
    done = subprocess.run([sys.executable, "-m", "huoye", word], capture_output=True, text=True,
                          cwd=tmp_path, check=False, env={**os.environ, "HUOYE_LANG": "en"})
    assert done.returncode == 2
    assert done.stderr.splitlines()[0] == says
    assert not (tmp_path / "output").exists()


def test_a_folder_named_first_is_still_built(tmp_path, capsys):
    """`huoye content/2020-03` (no command) stays `huoye build content/2020-03`."""
    assert main([str(ROOT / "content" / "2020-03"), "--format", "html", "-o", str(tmp_path), "-q"]) == 0
    assert (tmp_path / "2020-03" / "财经活页-2020-03.html").is_file()
