"""Connecting to the archive: which database, how, and whether it can take writes.

The archive runs on a local SQLite file by default and on PostgreSQL when several
crawlers share it; everything above this module is the same for both.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from crawler.default_settings import default
from models.errors import ArchiveUnavailable, display_url, unavailable
from models.migrate import upgrade
from models.types import json_text

#: Used when neither ``--db`` nor ``NEWSARCHIVE_DATABASE_URL`` is given.
DEFAULT_DATABASE_URL: str = default("NEWSARCHIVE_DATABASE_URL")
#: Environment variable naming the archive database.
DATABASE_URL_ENV = "NEWSARCHIVE_DATABASE_URL"
#: How long a SQLite writer waits for another process's write lock before failing.
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: How long to wait for a PostgreSQL server that does not answer (a dead host, a firewall).
PG_CONNECT_TIMEOUT_S = 10


#: Database backends the archive runs on, and the URL form an operator should use for each.
SUPPORTED = {"sqlite": "sqlite:///path/to/archive.db", "postgresql": "postgresql+psycopg://user@host/dbname"}
_FORMS = " or ".join(SUPPORTED.values())


def database_url(explicit: str | None = None) -> str:
    """The archive URL: ``explicit`` (``--db``), else ``$NEWSARCHIVE_DATABASE_URL``, else
    ``sqlite:///data/archive.db``. Raises :class:`ArchiveUnavailable` (one line) for a URL
    that is no database URL, names an unsupported database or a driver not installed.
    Nothing is created here: writers call :func:`ensure_folder`, readers :func:`require_existing`."""
    url = explicit or os.environ.get(DATABASE_URL_ENV) or DEFAULT_DATABASE_URL
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ArchiveUnavailable(f"{url[:80]!r} is not a database URL: use {_FORMS}") from None
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED:
        raise ArchiveUnavailable(f"archive database {display_url(parsed)}: {backend} is not supported: use {_FORMS}")
    try:
        parsed.get_dialect()
    except NoSuchModuleError:
        raise ArchiveUnavailable(
            f"archive database {display_url(parsed)}: driver {parsed.drivername!r} is not installed: "
            f"use {SUPPORTED[backend]}"
        ) from None
    return url


def ensure_folder(url: str) -> None:
    """Create the folder of the default archive about to be written (a fresh checkout
    crawls into ``data/`` without setup). Another SQLite path's folder must exist: a
    mistyped ``--db`` is reported (:func:`check_writable`), not created."""
    path = sqlite_path(url)
    if path is not None and url == DEFAULT_DATABASE_URL:
        path.parent.mkdir(parents=True, exist_ok=True)


def require_existing(url: str) -> str:
    """``url`` if its archive exists; for a SQLite file that does not, raise
    :class:`ArchiveUnavailable` instead of letting the driver create an empty one (a
    read-only command never creates files or folders)."""
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        raise ArchiveUnavailable(
            f"archive database {display_url(url)} does not exist: check the path (--db or ${DATABASE_URL_ENV}), "
            "or crawl into it first"
        )
    return url


def sqlite_path(url: str | URL) -> Path | None:
    """The file behind a SQLite URL; ``None`` for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    database = parsed.database
    if database.startswith("file:"):  # URI form: sqlite:///file:path?mode=ro&uri=true
        database = database[len("file:") :]
    return Path(database)


def make_engine(url: str) -> Engine:
    """An engine set up for archive work.

    JSON columns are written as UTF-8 (:func:`json_text`). SQLite gets WAL journaling
    (readers never block the writer), foreign keys and a generous busy timeout (a second
    crawler waits rather than fails); PostgreSQL gets pre-ping so connections dropped by a
    server restart are replaced, not raised.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(
            parsed, pool_pre_ping=True, json_serializer=json_text,
            connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S},
        )
    engine = create_engine(parsed, json_serializer=json_text, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _configure_sqlite)
    return engine


def _configure_sqlite(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:
            pass  # read-only file: readers still work; check_writable reports it to writers
    finally:
        cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose objects stay readable after commit (pipelines log them afterwards)."""
    return sessionmaker(engine, expire_on_commit=False)


def check_writable(url: str) -> None:
    """Raise :class:`ArchiveUnavailable` unless the archive at ``url`` accepts writes.

    The crawl calls this before fetching anything: finding out after an hour of fetching
    that nothing could be stored wastes the sites' bandwidth and ours.
    """
    ensure_folder(url)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "sqlite":
                # Rewriting user_version with its own value is the cheapest real write.
                version = conn.execute(text("PRAGMA user_version")).scalar_one()
                conn.execute(text(f"PRAGMA user_version={int(version)}"))
            elif conn.execute(text("SHOW transaction_read_only")).scalar_one() == "on":
                raise ArchiveUnavailable(
                    f"archive database {display_url(url)} is read-only (a standby or read-only role): "
                    "point --db or $NEWSARCHIVE_DATABASE_URL at the primary server"
                )
    except SQLAlchemyError as exc:
        raise unavailable(url, exc) from exc
    finally:
        engine.dispose()


def upgrade_to_head(url: str) -> None:
    """Create or update the archive's tables to the newest migration (Alembic ``head``)."""
    ensure_folder(url)
    upgrade(url, "head")


def stale_statistics_warning(session: Session) -> str | None:
    """A one-line warning when PostgreSQL will not keep the archive's planner statistics
    fresh (``autovacuum`` off), else None.

    Why: the store path looks up thousands of band keys, URLs and names per batch by their
    indexes. Without statistics, PostgreSQL estimates that such a look-up returns most of a
    large table and scans it whole instead (measured: 9 s for 900 band keys in a
    3.5-million-row band table, against milliseconds once analysed), so every batch costs
    more as the archive grows and nothing else says why. SQLite plans these look-ups by
    their keys without statistics.
    """
    if session.get_bind().dialect.name != "postgresql":
        return None
    if session.execute(text("SHOW autovacuum")).scalar_one() == "on":
        return None
    return ("autovacuum is off on this PostgreSQL server, so the archive's planner statistics go stale and "
            "every batch scans more as the archive grows: turn autovacuum on, or run ANALYZE after every "
            "tenth of growth")
