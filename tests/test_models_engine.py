"""Choosing and checking the archive database."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from models.engine import (
    ArchiveUnavailable,
    check_writable,
    database_url,
    make_engine,
    session_factory,
    stale_statistics_warning,
)

UNREACHABLE_POSTGRES = "postgresql+psycopg://postgres:secret@127.0.0.1:1/archive"


def test_database_url_precedence(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSARCHIVE_DATABASE_URL", raising=False)
    assert database_url() == "sqlite:///data/archive.db"
    assert not (tmp_path / "data").exists()  # resolving creates nothing
    check_writable(database_url())
    assert (tmp_path / "data").is_dir()  # a writer creates the default folder so a fresh checkout can crawl
    monkeypatch.setenv("NEWSARCHIVE_DATABASE_URL", "sqlite:///env/a.db")
    assert database_url() == "sqlite:///env/a.db"
    assert database_url("postgresql+psycopg://h/db") == "postgresql+psycopg://h/db"


def test_sqlite_engine_uses_wal_and_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    engine.dispose()


def test_writable_database_passes(tmp_path):
    check_writable(f"sqlite:///{tmp_path / 'a.db'}")


def test_unreachable_postgres_is_one_clear_line():
    with pytest.raises(ArchiveUnavailable) as caught:
        check_writable(UNREACHABLE_POSTGRES)
    message = str(caught.value)
    assert "\n" not in message
    assert "127.0.0.1:1" in message and "secret" not in message
    assert "check that the server is running" in message


def test_read_only_sqlite_is_reported(tmp_path):
    path = tmp_path / "a.db"
    sqlite3.connect(path).close()
    # chmod does not stop root (CI runs as root), so open the file read-only instead
    with pytest.raises(ArchiveUnavailable, match="readonly|read-only"):
        check_writable(f"sqlite:///file:{path}?mode=ro&uri=true")


def test_missing_sqlite_folder_is_reported(tmp_path):
    with pytest.raises(ArchiveUnavailable, match="folder exist"):
        check_writable(f"sqlite:///{tmp_path / 'no' / 'such' / 'a.db'}")


def test_a_server_that_will_not_refresh_planner_statistics_is_named_in_a_warning(db_url: str) -> None:
    engine = make_engine(db_url)
    with session_factory(engine)() as session:
        warning = stale_statistics_warning(session)
        autovacuum = None if engine.dialect.name == "sqlite" else session.execute(text("SHOW autovacuum")).scalar_one()
    engine.dispose()
    if autovacuum == "off":  # as this machine's PostgreSQL is configured for CI
        assert warning is not None and "turn autovacuum on" in warning and "\n" not in warning
    else:  # SQLite plans key look-ups without statistics; PostgreSQL with autovacuum keeps them fresh
        assert warning is None
