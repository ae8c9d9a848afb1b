"""The SQLite archive in Datasette (in-process test client, no network): the plugin's
functions and the canned ``search`` query find 1- and 2-character Chinese terms."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
from importlib.metadata import entry_points
from pathlib import Path

import pytest

pytest.importorskip("datasette", reason="install the datasette extra: pip install -e '.[datasette]'")
from datasette.app import Datasette  # noqa: E402

from archive.datasette_plugin import METADATA  # noqa: E402
from tests.archive_search_items import FORUM, HONGKONG, NANTONG, SUZHOU, sample_archive  # noqa: E402


@pytest.fixture(scope="module")
def archive_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("datasette") / "archive.db"
    sample_archive(f"sqlite:///{path}").kw["bind"].dispose()
    return path


def _get(files: list[Path], path: str, metadata: bool = True, **params: str) -> tuple[int, object]:
    async def fetch() -> tuple[int, object]:
        datasette = Datasette([str(f) for f in files], metadata=json.loads(METADATA.read_text()) if metadata else None)
        await datasette.invoke_startup()
        response = await datasette.client.get(path, params=params)
        return response.status_code, response.json()

    return asyncio.run(fetch())


def _search(archive_file: Path, q: str) -> list[dict[str, object]]:
    status, rows = _get([archive_file], "/archive/search.json", q=q, _shape="array")
    assert status == 200, rows
    return rows  # type: ignore[return-value]


def test_plugin_is_registered_through_the_entry_point():
    assert "archive.datasette_plugin" in {ep.value for ep in entry_points(group="datasette")}


def test_two_character_query_finds_articles_title_hits_first(archive_file):
    rows = _search(archive_file, "南通")
    assert [row["canonical_url"] for row in rows] == [NANTONG, HONGKONG]
    assert "【南通】" in rows[0]["snippet"]


def test_one_character_traditional_query_finds_simplified_text(archive_file):
    # 經 (Traditional) is 经: 經濟 in the Hong Kong title, 经费 in the Suzhou body
    assert [row["canonical_url"] for row in _search(archive_file, "經")] == [HONGKONG, SUZHOU]


def test_phrases_and_exclusions_as_on_the_command_line(archive_file):
    assert [row["canonical_url"] for row in _search(archive_file, "南通 -香港")] == [NANTONG]
    assert [row["canonical_url"] for row in _search(archive_file, '"GPT-4模型"')] == [FORUM]
    assert _search(archive_file, "南通市政府") == []


def test_empty_query_lists_newest_first(archive_file):
    assert [row["canonical_url"] for row in _search(archive_file, "")] == [FORUM, HONGKONG, NANTONG, SUZHOU]


def test_any_archive_file_gets_the_query_without_metadata(archive_file, tmp_path):
    copy = tmp_path / "laptop-copy.db"
    shutil.copy(archive_file, copy)
    status, rows = _get([copy], "/laptop-copy/search.json", metadata=False, q="南通", _shape="array")
    assert status == 200 and [row["canonical_url"] for row in rows] == [NANTONG, HONGKONG]


def test_database_without_the_index_gets_no_search_query(tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    status, _ = _get([other], "/other/search.json", metadata=False, q="南通")
    assert status == 404
