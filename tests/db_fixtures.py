"""Database fixtures for archive tests (imported by ``tests/conftest.py``).

``db_url`` gives each test an empty database, once on SQLite and once on PostgreSQL.
PostgreSQL runs in a throw-away database created for the test session
(``newsarchive_test_<random>``, dropped at the end), with one fresh schema per test
selected through ``search_path``, so tests never see each other's tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import SQLAlchemyError

from crawler.default_settings import environment
from models.engine import upgrade_to_head
from models.errors import error_reason
from tests.services import unavailable

__all__ = ["db_url", "migrated_db_url", "empty_database_url", "postgres_database_url"]

#: Server used for PostgreSQL tests; override with $NEWSARCHIVE_TEST_POSTGRES_URL.
POSTGRES_URL = environment("NEWSARCHIVE_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def postgres_database_url() -> Iterator[str]:
    """URL of a PostgreSQL database created for this test session and dropped after it."""
    server = make_url(POSTGRES_URL)
    admin = create_engine(server, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    name = f"newsarchive_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except SQLAlchemyError as exc:
        admin.dispose()
        unavailable(
            f"PostgreSQL not reachable at {POSTGRES_URL} ({error_reason(exc)}): "
            "start it with `service postgresql start` (trust auth for user postgres on 127.0.0.1) "
            "or set NEWSARCHIVE_TEST_POSTGRES_URL"
        )
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _fresh_schema(database_url: str) -> str:
    """A new empty schema in ``database_url``; the returned URL makes it the search path."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    url = make_url(database_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty archive database URL: a SQLite file in ``tmp_path``, or a fresh PostgreSQL schema."""
    return empty_database_url(request, tmp_path)


def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """For a module-scoped fixture parametrised like ``db_url`` (one crawl shared by several
    tests): an empty database of kind ``request.param``."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'archive.db'}"
    return _fresh_schema(request.getfixturevalue("postgres_database_url"))


@pytest.fixture
def migrated_db_url(db_url: str) -> str:
    """``db_url`` with every migration applied, ready for the store functions."""
    upgrade_to_head(db_url)
    return db_url
