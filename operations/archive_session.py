"""One transaction on the archive for a command: resolved, migrated, committed, disposed.

The operations commands that write (``schedule``) may be the first thing ever run
against a database, so they bring it to the newest schema first, as a crawl does; those
that only read (``jobs``) never create or migrate anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from sqlalchemy.exc import SQLAlchemyError

from models.engine import database_url, make_engine, require_existing, session_factory
from models.errors import unavailable
from operations.crawl import prepare_archive


@contextmanager
def archive_session(db: str | None, *, read_only: bool = False) -> Iterator[Session]:
    """A session in a transaction on the archive ``db`` (``--db``), committed on success.

    Raises :class:`operations.crawl.CrawlFailed` with the operator's message when the
    archive cannot be written, :class:`models.errors.ArchiveUnavailable` when a
    ``read_only`` session finds no archive or cannot read it.
    """
    url = require_existing(database_url(db)) if read_only else prepare_archive(db)
    engine = make_engine(url)
    try:
        with session_factory(engine).begin() as session:
            yield session
    except SQLAlchemyError as exc:
        if not read_only:
            raise
        raise unavailable(url, exc) from exc
    finally:
        engine.dispose()
