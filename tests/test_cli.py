"""Command line: every command explains itself with examples; the entry script and the
console script are the same program."""
from __future__ import annotations

import subprocess
import sys

import pytest

from huoye.cli import COMMANDS, main
from tests.conftest import ROOT


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
    assert "2020-03: ok — 2020年第3期（总第328期）, 7 sections, 29 points" in capsys.readouterr().err
