"""One transaction on the archive for a command: resolved, migrated, committed, disposed.

The operations commands (``schedule``, ``jobs``) may be the first thing ever run against
a database, so they bring it to the newest schema first, as a crawl does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from models.engine import make_engine, session_factory
from operations.crawl import prepare_archive


@contextmanager
def archive_session(db: str | None) -> Iterator[Session]:
    """A session in a transaction on the archive ``db`` (``--db``), committed on success.

    Raises :class:`operations.crawl.CrawlFailed` with the operator's message when the
    archive cannot be used.
    """
    engine = make_engine(prepare_archive(db))
    try:
        with session_factory(engine).begin() as session:
            yield session
    finally:
        engine.dispose()
