"""The Scrapy adapters live in one package; what they decide imports no Scrapy (crawler/contrib/scrapy/)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from scrapy.utils.misc import load_object

from crawler import settings

ADAPTERS = "crawler.contrib.scrapy."
#: Modules holding what the adapters decide; each must load without Scrapy or Twisted.
RULES = ("crawler.fetch_rules", "crawler.pauses", "crawler.blocks", "crawler.disk_full", "crawler.secret_files",
         "operations.incremental", "operations.jobs", "operations.figures")


def _components() -> list[str]:
    named = [*settings.DOWNLOADER_MIDDLEWARES, *settings.SPIDER_MIDDLEWARES, *settings.EXTENSIONS, *settings.ADDONS]
    enabled = {**settings.DOWNLOADER_MIDDLEWARES, **settings.SPIDER_MIDDLEWARES, **settings.EXTENSIONS, **settings.ADDONS}
    return [path for path in named if enabled[path] is not None] + [settings.SCHEDULER]


@pytest.mark.parametrize("path", _components())
def test_every_component_the_settings_enable_is_an_adapter_of_the_package_and_loads(path: str) -> None:
    assert path.startswith(ADAPTERS), f"{path} is enabled in crawler/settings.py but lives outside {ADAPTERS}"
    assert callable(load_object(path))


def test_item_pipelines_stay_in_the_top_level_pipelines_package() -> None:
    assert settings.ITEM_PIPELINES and all(path.startswith("pipelines.") for path in settings.ITEM_PIPELINES)


def test_the_rules_the_adapters_apply_import_no_scrapy() -> None:
    code = (f"import importlib, sys\nfor name in {RULES!r}: importlib.import_module(name)\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'scrapy', 'twisted'}))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
