"""Alembic driven from code: the crawl and ``newsarchive db`` migrate without an ini file.

The migration scripts live in the ``migrations`` package, found relative to this file so
that it works from any working directory and from an installed package.
"""

from __future__ import annotations

import functools
import tempfile
import zipfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlalchemy.exc import SQLAlchemyError

from models.errors import unavailable

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"


@functools.cache
def migrations_dir() -> Path:
    """The migration scripts' folder. Inside a zipped egg (a crawl Scrapyd runs) there is no
    such folder, and Alembic reads scripts from files: they are unpacked once per process."""
    if MIGRATIONS_DIR.is_dir():
        return MIGRATIONS_DIR
    target = Path(tempfile.mkdtemp(prefix="newsarchive-migrations-"))
    with zipfile.ZipFile(MIGRATIONS_DIR.parent) as egg:
        egg.extractall(target, [name for name in egg.namelist() if name.startswith("migrations/")])
    return target / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at ``url`` (read by ``migrations/env.py``)."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    # Config values go through ConfigParser interpolation: a literal % must be doubled.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the archive at ``url`` up to ``revision``."""
    try:
        command.upgrade(alembic_config(url), revision)
    except SQLAlchemyError as exc:
        raise unavailable(url, exc) from exc


def downgrade(url: str, revision: str) -> None:
    """Migrate the archive at ``url`` down to ``revision`` (``base`` drops every table)."""
    try:
        command.downgrade(alembic_config(url), revision)
    except SQLAlchemyError as exc:
        raise unavailable(url, exc) from exc


def head_revisions() -> tuple[str, ...]:
    """The newest migration(s) shipped with this code."""
    return tuple(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def current_revisions(url: str) -> tuple[str, ...]:
    """The migration(s) the archive at ``url`` is at; empty for a database never migrated."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return tuple(MigrationContext.configure(conn).get_current_heads())
    except SQLAlchemyError as exc:
        raise unavailable(url, exc) from exc
    finally:
        engine.dispose()
