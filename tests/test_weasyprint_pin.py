"""huoye.render.weasyprint: one WeasyPrint version, the one pyproject.toml pins and the adapters
were written for."""
from __future__ import annotations

import re
import tomllib

from huoye.render.weasyprint import VERSION, balance, justify, leaders, pinned, subset
from tests.conftest import ROOT


def test_the_adapters_version_is_the_pin_in_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = [d for d in project["project"]["dependencies"] if re.match(r"weasyprint\b", d, re.I)]
    assert pins == [f"weasyprint=={VERSION}"]


def test_every_adapter_is_pinned_to_that_version():
    assert pinned.SUPPORTED_WEASYPRINT == {VERSION}
    for module in (balance, justify, leaders, subset):
        assert module.SUPPORTED_WEASYPRINT is pinned.SUPPORTED_WEASYPRINT


def test_the_version_is_written_once_in_the_package():
    written = [path.relative_to(ROOT) for path in (ROOT / "huoye").rglob("*.py")
               if re.search(rf"\b{re.escape(VERSION)}\b", path.read_text(encoding="utf-8"))]
    assert written == [(ROOT / "huoye/render/weasyprint/__init__.py").relative_to(ROOT)]


def test_the_installed_weasyprint_is_that_version():
    import weasyprint

    assert weasyprint.__version__ == VERSION
