"""Running a spider over a local replica in a subprocess, and reading back what it archived."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.conftest import run_cli


def crawl_replica(db_file: Path, spider: str, *arguments: str) -> str:
    """``newsarchive crawl SPIDER -a ARG …`` into the SQLite file ``db_file``; it must exit 0. Returns stdout."""
    result = run_cli("--db", f"sqlite:///{db_file}", "crawl", spider,
                     *(part for argument in arguments for part in ("-a", argument)))
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def archived_by_url(db_file: Path, *columns: str) -> dict[str, tuple[str, ...]]:
    """Each archived article's ``columns`` by the URL it was fetched from (replicas serve http),
    checking that no article was stored twice."""
    with sqlite3.connect(db_file) as conn:
        rows = {url: tuple(rest) for url, *rest in conn.execute(
            f"select {', '.join(['u.url', *('a.' + column for column in columns)])}"
            " from article a join article_url u on u.article_id = a.id where u.url like 'http:%'")}
        assert len(rows) == conn.execute("select count(*) from article").fetchone()[0]
    return rows
