"""Alembic environment for the archive.

The database URL comes from, in order: ``alembic -x db=URL``, the ``sqlalchemy.url``
option set by :func:`models.migrate.alembic_config`, ``$NEWSARCHIVE_DATABASE_URL``, then
the default SQLite file (see :func:`models.engine.database_url`). ``alembic.ini``
deliberately names no URL, so the environment variable is never shadowed.

SQLite cannot ALTER most things, so migrations run in batch mode there (copy-and-move
tables); column types are compared so ``alembic revision --autogenerate`` sees type changes.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

from models.engine import database_url, ensure_folder, make_engine
from models.schema import Base
from models.search import include_name

config = context.config
if config.config_file_name is not None and config.get_section("loggers") is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("db") or database_url(config.get_main_option("sqlalchemy.url"))
    ensure_folder(url)  # migrating writes: a fresh checkout's data/ is created
    return url


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        include_name=include_name,  # the derived search index is not modelled
        **kwargs,
    )


def run_migrations_offline() -> None:
    """Print the SQL instead of running it (``alembic upgrade head --sql``)."""
    url = _url()
    _configure(url=url, literal_binds=True, render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
