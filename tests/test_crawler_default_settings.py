"""The settings reference is complete, current, and what the components read."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

from scrapy.settings import Settings

from crawler import default_settings
from crawler.default_settings import SETTINGS, default, markdown, read
from operations.health import Thresholds
from models.near_copies import NearDuplicateLinker

REPO = Path(__file__).resolve().parents[1]
NAME = re.compile(r"NEWSARCHIVE_[A-Z][A-Z0-9_]*[A-Z0-9]")
#: Files that are not the project's source: the environment, caches, data, build output.
SKIPPED_DIRS = {".venv", "data", "build", "dist", "node_modules", "__pycache__"}
REFERENCE_FILE = Path(default_settings.__file__).resolve()


def source_files() -> list[Path]:
    files = [REPO / "Makefile", REPO / ".ci" / "run", REPO / "scrapy.cfg", REPO / "alembic.ini"]
    for path in REPO.rglob("*.py"):
        relative = path.relative_to(REPO)
        if not SKIPPED_DIRS.intersection(relative.parts) and not relative.parts[0].startswith("."):
            files.append(path)
    return [path for path in files if path.is_file() and path.resolve() != REFERENCE_FILE]


def names_read_in_source() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in source_files():
        for name in NAME.findall(path.read_text(encoding="utf-8", errors="replace")):
            found.setdefault(name, path.relative_to(REPO))
    return found


def test_every_newsarchive_name_in_the_source_is_in_the_reference() -> None:
    missing = {name: str(path) for name, path in names_read_in_source().items() if name not in SETTINGS}
    assert not missing, f"add these to crawler/default_settings.py (name: first file using it): {missing}"


def test_every_name_in_the_reference_is_read_somewhere() -> None:
    unused = set(SETTINGS) - set(names_read_in_source())
    assert not unused, f"crawler/default_settings.py defines settings nothing reads: {sorted(unused)}"


def test_the_settings_document_is_generated_from_the_reference() -> None:
    documented = (REPO / "docs" / "settings.md").read_text(encoding="utf-8")
    assert documented == markdown(), "docs/settings.md is stale: python -m crawler.default_settings --markdown > docs/settings.md"


def test_the_generator_prints_the_document_from_the_command_line() -> None:
    printed = subprocess.run([sys.executable, "-m", "crawler.default_settings", "--markdown"], cwd=REPO,
                             capture_output=True, text=True, check=True).stdout
    assert printed == markdown()
    assert all(f"`{name}`" in printed for name in SETTINGS)


def test_every_entry_has_a_one_line_meaning_and_a_known_kind() -> None:
    for entry in SETTINGS.values():
        assert entry.meaning and "\n" not in entry.meaning, entry.name
        assert entry.kind in {"setting", "environment", "both"}, entry.name


def test_a_setting_is_read_typed_like_its_default_and_falls_back_to_it() -> None:
    settings = Settings({"NEWSARCHIVE_STORE_MAX_WAIT": "2.5", "NEWSARCHIVE_CAPTURE": "False"})
    assert read(settings, "NEWSARCHIVE_STORE_MAX_WAIT") == 2.5
    assert read(settings, "NEWSARCHIVE_CAPTURE") is False
    assert read(settings, "NEWSARCHIVE_STORE_BATCH_SIZE") == default("NEWSARCHIVE_STORE_BATCH_SIZE")


def test_components_take_their_defaults_from_the_reference() -> None:
    thresholds = Thresholds.from_settings(Settings())
    assert thresholds.min_requests == default("NEWSARCHIVE_HEALTH_MIN_REQUESTS")
    assert thresholds.items_ratio == default("NEWSARCHIVE_HEALTH_ITEMS_RATIO")
    assert Thresholds() == thresholds
    assert NearDuplicateLinker.from_settings(Settings()).threshold == default("NEWSARCHIVE_NEAR_DUP_THRESHOLD")


def test_every_entry_names_a_module_that_exists_as_its_reader() -> None:
    for entry in SETTINGS.values():
        assert importlib.util.find_spec(entry.read_by) is not None, f"{entry.name}: no module {entry.read_by}"
