"""Shared fixtures: the sample issue is loaded once, and built once, per test session."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

# The tests read huoye's messages in English, whatever the developer's or the CI's
# LANG/LANGUAGE (unset, C.UTF-8, zh_CN.UTF-8): HUOYE_LANG comes first in huoye.i18n's
# order, and subprocesses inherit it. tests/test_i18n.py sets the language explicitly.
os.environ["HUOYE_LANG"] = "en"
from huoye import i18n  # noqa: E402

i18n.set_language("en")


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A test that switches the interface to Chinese does not leave it switched."""
    yield
    i18n.set_language("en")

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SAMPLE = CONTENT / "2020-03"
CORPUS = ROOT / "tests" / "fixtures" / "issues"  # the test corpus: issues unlike the sample

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


@pytest.fixture(scope="session")
def built_corpus(tmp_path_factory):
    """Every issue of the test corpus (CORPUS: issues unlike the sample) built once (PDF,
    PPTX, HTML) as an archive: {slug: {format: path}}."""
    from huoye.build import BuildRequest, build

    out = tmp_path_factory.mktemp("corpus")
    results = build(BuildRequest(paths=[CORPUS], out_dir=out, force=True))
    built = {}
    for r in results:
        assert r.error is None, r.error
        built[Path(r.outputs[0]).parent.name] = {p.suffix.lstrip("."): p for p in r.outputs}
    return built


@pytest.fixture
def content_copy(tmp_path):
    """A writable copy of content/ for tests that edit or break it."""
    dest = tmp_path / "content"
    shutil.copytree(CONTENT, dest)
    return dest


CHROMEDRIVER = "/usr/bin/chromedriver"  # Debian's chromium-driver (scripts/setup.sh)
BROWSER_TIMEOUT = 60  # hang guard for every page load and script in Chromium, seconds


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium (Debian's, driven by Selenium) for the whole session."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1100,900", "--allow-file-access-from-files"):
        options.add_argument(arg)
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(BROWSER_TIMEOUT)
    driver.set_script_timeout(BROWSER_TIMEOUT)
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def scaffolded(tmp_path_factory):
    """A project of our own made by `huoye init` and `huoye new` (not the sample issue):
    three issues over two years, written out with varied text. Returns the project folder."""
    from tests.projects import make_project

    return make_project(tmp_path_factory.mktemp("project"))
