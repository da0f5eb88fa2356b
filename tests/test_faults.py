"""Machines fail: a killed build, two builds at once, a missing font or library, a full disk.

Whatever happens, every output file is either the earlier one (byte-identical)
or a complete new one that opens, and the editor gets a message with the fix.
"""
from __future__ import annotations

import errno
import logging
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from huoye.cli import main
from huoye.output import STAGING, recover

OUTPUT = "2020-03/财经活页-2020-03"
FORMATS = ("pdf", "pptx", "html")


def _formats() -> tuple[str, ...]:
    """pdf, pptx and html (the deck renderer is there), else pdf and html."""
    from huoye.render import deck

    return FORMATS if hasattr(deck, "render") else ("pdf", "html")


def build_command(content: Path, out: Path, formats=None) -> list[str]:
    return [sys.executable, "-m", "huoye", "build", str(content), "--out", str(out), "--force",
            "--format", ",".join(formats or _formats())]


def complete(path: Path) -> bool:
    """Whether an output file is whole: the PDF parses, the deck loads, the page is closed."""
    if path.suffix == ".pdf":
        return subprocess.run(["qpdf", "--check", str(path)], capture_output=True, check=False).returncode == 0
    if path.suffix == ".pptx":
        from pptx import Presentation

        try:
            return len(Presentation(str(path)).slides) > 0
        except Exception:  # noqa: BLE001 (any failure to open is the answer)
            return False
    if path.suffix == ".html":
        return path.read_bytes().rstrip().endswith(b"</html>")
    raise AssertionError(path)


def outputs(out: Path) -> dict[Path, bytes]:
    folder = out / "2020-03"
    names = [f"财经活页-2020-03.{fmt}" for fmt in _formats()]
    return {folder / n: (folder / n).read_bytes() for n in names if (folder / n).exists()}


def retheme(content: Path, theme: str) -> None:
    """Change the theme, so that a new build's files differ from the earlier ones."""
    path = content / "2020-03/issue.md"
    text = path.read_text(encoding="utf-8")
    start = text.index("\ntheme: ") + 1
    end = text.index("\n", start)
    path.write_text(text[:start] + f"theme: {theme}" + text[end:], encoding="utf-8")


TRACED_BUILD = """
import os, sys, time
from huoye import output

TRACE = os.environ["HUOYE_TEST_TRACE"]
PAUSE = float(os.environ["HUOYE_TEST_PAUSE"])
real_commit, real_write, real_fsync = output.commit, output.write_atomic, output.os.fsync

def note(line):
    fd = os.open(TRACE, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    os.write(fd, (line + "\\n").encode())
    os.close(fd)

def traced_commit(folder, files):  # begin: the new set is about to be staged
    note("begin commit")
    real_commit(folder, files)
    note("end commit")

def traced_write(path, data):
    note(f"begin {path.name}")
    real_write(path, data)
    note(f"end {path.name}")

def traced_fsync(fd):  # the bytes are in the temporary file, not yet renamed over the old
    real_fsync(fd)
    note("synced")
    time.sleep(PAUSE)

output.commit, output.write_atomic, output.os.fsync = traced_commit, traced_write, traced_fsync
from huoye.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _traced_build(content: Path, out: Path, trace: Path, pause: float) -> subprocess.Popen:
    """A build whose writes note 'begin …', 'synced', 'end …' in `trace` (the commit of the
    outputs, and single-file writes); each fsync takes `pause` seconds more (a slow disk), so
    that a kill can land in the middle of a write."""
    env = dict(os.environ, HUOYE_TEST_TRACE=str(trace), HUOYE_TEST_PAUSE=str(pause))
    return subprocess.Popen([sys.executable, "-c", TRACED_BUILD, *build_command(content, out)[3:]],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                            start_new_session=True)


def _lines(trace: Path) -> list[str]:
    return trace.read_text().splitlines() if trace.exists() else []


def test_a_build_killed_at_random_moments_leaves_old_or_complete_files(content_copy, tmp_path):
    """Kills at random moments of whole builds, and kills aimed at random writes (after the
    k-th write has begun, at a random delay): the trace each build leaves shows where the
    kill landed, and at least one landed in the middle of a write."""
    out = tmp_path / "out"
    trace = tmp_path / "trace"
    started = time.perf_counter()
    first = subprocess.run(build_command(content_copy, out), capture_output=True, text=True, timeout=120, check=False)
    assert first.returncode == 0, first.stderr
    duration = time.perf_counter() - started  # the kills aim at the whole build, writes included
    landed = []
    for seed in range(6):
        rng = random.Random(seed)
        before = outputs(out)
        assert len(before) == len(_formats())
        retheme(content_copy, f"产业链现代化第{seed}版")
        trace.unlink(missing_ok=True)
        build = _traced_build(content_copy, out, trace, pause=0.2)
        if seed < 3:  # a random moment of the whole build
            delay = duration * rng.uniform(0.5, 1.15)
            time.sleep(delay)
            aim = f"after {delay:.2f} s"
        else:  # a random moment after a write began
            k = 0
            deadline = time.monotonic() + 120  # a hang guard, not a speed limit
            while sum(x.startswith("begin") for x in _lines(trace)) <= k and build.poll() is None:
                assert time.monotonic() < deadline, "the build never reached its writes"
                time.sleep(0.002)
            delay = rng.uniform(0.0, 0.4)
            time.sleep(delay)
            aim = f"{delay:.2f} s into write {k + 1}"
        os.killpg(build.pid, signal.SIGKILL)  # the build and any worker it started
        build.wait(timeout=30)
        events = _lines(trace)
        where = ("before any write" if not events else "after its writes" if build.returncode == 0
                 else "between writes" if events[-1].startswith("end") else "in the middle of a write")
        landed.append(where)
        after = outputs(out)
        assert set(after) == set(before), f"seed {seed}: an output vanished"
        for path, data in after.items():
            assert data == before[path] or complete(path), \
                f"seed {seed} (killed {aim}, {where}): {path.name} is neither old nor complete"
        recover(out / "2020-03")  # what the next run does first: finish or undo the commit
        after = outputs(out)
        replaced = [p.suffix or p.name for p, data in after.items() if data != before[p]]
        assert len(replaced) in (0, len(after)), f"seed {seed}: a mixed set of outputs {replaced}"
        assert sorted(p.name for p in (out / "2020-03").iterdir()) == sorted(p.name for p in after)
        print(f"seed {seed}: killed {aim}, {where}; replaced: {', '.join(replaced) or 'none'}")
    assert "in the middle of a write" in landed, landed
    final = subprocess.run(build_command(content_copy, out), capture_output=True, text=True, timeout=120, check=False)
    assert final.returncode == 0, final.stderr
    assert all(complete(p) for p in outputs(out))
    assert not list((out / "2020-03").glob(".*")), "temporaries of killed builds were not cleaned"


STALLED_WRITE = """
import os, sys, time
from huoye import output

def stalled(fd):  # the data is in the temporary file; the rename has not happened
    print("writing", flush=True)
    time.sleep(60)

output.os.fsync = stalled
from huoye.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_build_killed_in_the_middle_of_a_write_leaves_the_old_file(content_copy, tmp_path):
    """Deterministic: the kill lands after the new bytes are written, before the rename."""
    out = tmp_path / "out"
    (out / "2020-03").mkdir(parents=True)
    earlier = out / f"{OUTPUT}.html"
    earlier.write_bytes(b"<html>earlier</html>")
    build = subprocess.Popen([sys.executable, "-c", STALLED_WRITE, *build_command(content_copy, out, ["html"])[3:]],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
    assert build.stdout.readline().strip() == "writing", build.stderr.read()
    os.killpg(build.pid, signal.SIGKILL)
    build.wait(timeout=30)
    build.stdout.close()
    build.stderr.close()
    assert earlier.read_bytes() == b"<html>earlier</html>"
    assert (out / "2020-03" / STAGING).is_dir(), "expected the killed build's staging folder"
    again = subprocess.run(build_command(content_copy, out, ["html"]), capture_output=True, text=True,
                           timeout=60, check=False)
    assert again.returncode == 0, again.stderr
    assert complete(earlier) and earlier.read_bytes() != b"<html>earlier</html>"
    assert not list((out / "2020-03").glob(".*")), "the next build did not clean up"


def test_two_builds_at_once_do_not_corrupt_each_other(content_copy, tmp_path):
    out = tmp_path / "out"
    builds = [subprocess.Popen(build_command(content_copy, out), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for b in builds:
        _, err = b.communicate(timeout=180)
        assert b.returncode == 0, err
    files = outputs(out)
    assert len(files) == len(_formats())
    assert all(complete(p) for p in files)
    assert not list((out / "2020-03").glob(".*.tmp"))


# ---------------------------------------------------------------- missing fonts and libraries

def _with_serif(content: Path, family: str) -> None:
    path = content / "series.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("serif: Noto Serif CJK SC", f"serif: {family}"), encoding="utf-8")


@pytest.mark.parametrize("family, says", [
    ("LXGW WenKai Screen", "apt install fonts-lxgw-wenkai"),
    ("Huoye Missing Serif", "change brand.fonts in content/series.yaml"),
])
def test_a_font_that_is_not_installed_is_reported_before_rendering(family, says, content_copy,
                                                                   tmp_path, capsys, monkeypatch):
    _with_serif(content_copy, family)
    out = tmp_path / "out"
    from huoye.render import pdf

    def laid_out(*args, **kwargs):
        raise AssertionError("the PDF was laid out before the font was found missing")

    monkeypatch.setattr(pdf, "render", laid_out)
    status = main(["build", str(content_copy), "--out", str(out), "--force", "--format", "pdf",
                   "--jobs", "1"])
    err = capsys.readouterr().err
    assert status == 2, err  # the renderer's AssertionError would be an internal error, 1
    assert f"font family '{family}' is not installed" in err and says in err
    assert "Traceback" not in err and "laid out" not in err
    assert not (out / "2020-03").exists() or not list((out / "2020-03").iterdir())


def test_without_fontconfig_the_message_names_the_package(monkeypatch):
    from huoye import fonts
    from huoye.errors import SetupError

    fonts.find_font.cache_clear()
    if hasattr(fonts, "_fontconfig"):  # libfontconfig through ctypes, else the fc-match program
        monkeypatch.setattr(fonts, "_fontconfig", lambda: None)
    monkeypatch.setattr(fonts.shutil, "which", lambda name: None)
    try:
        with pytest.raises(SetupError, match=r"apt install fontconfig"):
            fonts.find_font("Noto Serif CJK SC")
    finally:
        fonts.find_font.cache_clear()


def test_without_harfbuzz_subsetting_a_warning_names_the_package(monkeypatch, caplog):
    from huoye import fonts

    monkeypatch.setattr(fonts, "harfbuzz_subset_available", lambda: False)
    with caplog.at_level(logging.WARNING, logger="huoye"):
        fonts.warn_if_slow_subsetting()
    assert "apt install libharfbuzz-subset0" in caplog.text
    caplog.clear()
    monkeypatch.setattr(fonts, "harfbuzz_subset_available", lambda: True)
    with caplog.at_level(logging.WARNING, logger="huoye"):
        fonts.warn_if_slow_subsetting()
    assert caplog.text == ""


def test_harfbuzz_probe_survives_a_missing_library(monkeypatch):
    from huoye import fonts

    def no_library(name):
        raise OSError(f"{name}: cannot open shared object file")

    fonts.harfbuzz_subset_available.cache_clear()
    monkeypatch.setattr(fonts.ctypes, "CDLL", no_library)
    try:
        assert fonts.harfbuzz_subset_available() is False
    finally:
        fonts.harfbuzz_subset_available.cache_clear()


# ---------------------------------------------------------------- the disk and huoye itself

def test_a_full_disk_keeps_the_earlier_output_and_says_so(content_copy, tmp_path, monkeypatch, capsys):
    from huoye import output

    out = tmp_path / "out"
    (out / "2020-03").mkdir(parents=True)
    earlier = out / f"{OUTPUT}.html"
    earlier.write_bytes(b"<html>earlier</html>")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output.os, "fsync", full)
    status = main(["build", str(content_copy), "--out", str(out), "--force", "--format", "html"])
    err = capsys.readouterr().err
    assert status == 2 and "No space left on device; free some disk space" in err, err
    assert "Traceback" not in err
    assert earlier.read_bytes() == b"<html>earlier</html>"
    assert not list((out / "2020-03").glob(".*")), "the staging folder was left behind"


def test_an_internal_error_is_one_plain_message_not_a_traceback(content_copy, tmp_path, monkeypatch,
                                                                capsys):
    from huoye.render import html

    def broken(*args, **kwargs):
        raise ValueError("simulated bug")

    monkeypatch.setattr(html, "build_html", broken)
    status = main(["build", str(content_copy), "--out", str(tmp_path / "out"), "--force",
                   "--format", "html", "--jobs", "1"])
    err = capsys.readouterr().err
    assert status == 1
    assert "internal error (ValueError: simulated bug)" in err and "not a mistake in your content" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out" / "2020-03").exists()


def test_one_issues_internal_error_does_not_stop_the_others(content_copy, tmp_path, monkeypatch, capsys):
    """An archive build reports the issue that hit a bug and still builds the rest."""
    import shutil

    from huoye.render import html

    other = content_copy / "2019-12"
    shutil.copytree(content_copy / "2020-03", other)
    text = (other / "issue.md").read_text(encoding="utf-8")
    (other / "issue.md").write_text(
        text.replace("year: 2020", "year: 2019").replace("number: 3", "number: 12")
        .replace("serial: 328", "serial: 325").replace("date: 2020-04-25", "date: 2019-12-25"),
        encoding="utf-8")
    real = html.build_html

    def broken_for_2020_03(issue, *args, **kwargs):
        if issue.slug == "2020-03":
            raise ValueError("simulated bug")
        return real(issue, *args, **kwargs)

    monkeypatch.setattr(html, "build_html", broken_for_2020_03)
    status = main(["build", str(content_copy), "--out", str(tmp_path / "out"), "--force",
                   "--format", "html", "--jobs", "1"])
    err = capsys.readouterr().err
    assert status == 1
    assert "1 of 2 issues failed: 2020-03" in err and "Traceback" not in err
    assert list((tmp_path / "out" / "2019-12").glob("*.html")), "the healthy issue was not built"
    assert not (tmp_path / "out" / "2020-03").exists()
