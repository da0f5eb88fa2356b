"""Install anywhere: the wheel built from this repository, installed into a new virtual
environment, makes a `huoye` that starts a bulletin in an empty folder and builds it
completely (no file of the repository is used after the install)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.projects import fill

pytestmark = pytest.mark.slow
INSTALL_TIMEOUT = 900  # hang guard: pip may fetch the dependencies from the package index


def run(cmd, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**env, "HUOYE_LANG": "en"}, check=False)
    assert done.returncode == 0, f"{cmd}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from the repository's files (as a fresh clone has them)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", work / "dist", source], work,
        timeout=INSTALL_TIMEOUT)
    [built] = (work / "dist").glob("huoye-*.whl")
    return built


def test_the_wheel_holds_every_module_and_every_template(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "huoye").rglob("*.py")}
    templates = {"huoye/" + p.relative_to(ROOT).as_posix() for p in (ROOT / "templates").rglob("*")
                 if p.is_file()}
    assert modules and templates and "huoye/templates/blocks/cover.html.j2" in templates
    assert modules <= names, sorted(modules - names)
    assert templates <= names, sorted(templates - names)
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "Requires-Python: <3.14,>=3.11" in metadata or "Requires-Python: >=3.11,<3.14" in metadata
    assert sys.version_info[:2] >= (3, 11)


def test_installed_huoye_starts_a_bulletin_in_an_empty_folder_and_builds_it(wheel, tmp_path):
    from pptx import Presentation

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv], tmp_path)
    run([venv / "bin" / "python", "-m", "pip", "install", "-q", wheel], tmp_path, timeout=INSTALL_TIMEOUT)
    huoye = venv / "bin" / "huoye"
    located = run([venv / "bin" / "python", "-c", "import huoye.project as p; print(p.DEFAULT_TEMPLATES)"],
                  tmp_path).stdout.strip()
    assert located.startswith(str(venv)) and located.endswith("site-packages/huoye/templates")

    project = tmp_path / "empty"
    project.mkdir()
    run([huoye, "init", "--name", "新装简报", "--publisher", "某县财政局", "--first-serial", "3"], project)
    made = run([huoye, "new", "--theme", "县域财力", "--date", "2026-07-01"], project)
    assert "content/2026-01/issue.md" in made.stderr
    issue = project / "content" / "2026-01" / "issue.md"
    fill(issue, "县级财政运行总体平稳。",
         "## 县级财力的变化\n\n今年上半年，县级一般公共预算收入同比增长百分之三。\n\n"
         "### 一、收入结构\n\n税收收入占比有所回升。\n\n"
         "## 对策建议 {.recommendations}\n\n1.稳定转移支付。保障基层运转。\n")
    checked = run([huoye, "check"], project)
    assert "2026-01: ok — 2026年第1期（总第3期）" in checked.stderr
    run([huoye, "build", "-q"], project, timeout=INSTALL_TIMEOUT)

    out = project / "output" / "2026-01"
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "新装简报-2026-01.html", "新装简报-2026-01.pdf", "新装简报-2026-01.pptx"]
    pdf = subprocess.run(["pdftotext", str(out / "新装简报-2026-01.pdf"), "-"], capture_output=True,
                         text=True, check=True, timeout=60).stdout.replace("\n", "")
    assert "县级一般公共预算收入同比增长百分之三" in pdf and "总第3期" in pdf
    deck = Presentation(str(out / "新装简报-2026-01.pptx"))
    assert any("县域财力" in shape.text_frame.text for slide in deck.slides for shape in slide.shapes
               if shape.has_text_frame)
    assert "税收收入占比有所回升" in (out / "新装简报-2026-01.html").read_text(encoding="utf-8")
    index = (project / "output" / "index.html").read_text(encoding="utf-8")
    assert "县域财力" in index and (project / "output" / "feed.xml").is_file()
    api = run([venv / "bin" / "python", "-c", "import huoye; "
               "print(huoye.build('content', out='api', formats=['html'])[0].built)"], project)
    assert api.stdout.strip() == "True"
