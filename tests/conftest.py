"""Shared fixtures: the sample issue is loaded once, and built once, per test session."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SAMPLE = CONTENT / "2020-03"

# The sample's facts as its source document gives them: one golden record for every test.
SAMPLE_FACTS = json.loads((ROOT / "tests" / "fixtures" / "sample-facts.json").read_text(encoding="utf-8"))
RECOMMENDATIONS = SAMPLE_FACTS["recommendations"]


@pytest.fixture(scope="session")
def sample_issue():
    from huoye.load import load_archive

    [issue] = load_archive(CONTENT)
    return issue


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory):
    """Build the sample issue (PDF, PPTX, HTML) once; returns {format: path}."""
    from huoye.build import BuildRequest, build

    out = tmp_path_factory.mktemp("output")
    [result] = build(BuildRequest(paths=[SAMPLE], out_dir=out, force=True))
    assert result.error is None, result.error
    return {p.suffix.lstrip("."): p for p in result.outputs}


@pytest.fixture
def content_copy(tmp_path):
    """A writable copy of content/ for tests that edit or break it."""
    dest = tmp_path / "content"
    shutil.copytree(CONTENT, dest)
    return dest
