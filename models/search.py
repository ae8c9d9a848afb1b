"""Tables of the read side: export watermarks, and the names of the derived search index.

The search index (``article_search*``, built by migration ``0002_search``) is derived
from ``article`` and differs per database (an FTS5 virtual table on SQLite, a tsvector
column on PostgreSQL), so it is no ORM model; :func:`is_search_index` lets Alembic's
drift comparison skip it instead of proposing to drop it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.schema import Base
from models.types import AwareDateTime

#: Prefix of every table (and SQLite FTS5 shadow table) of the derived search index.
SEARCH_INDEX_PREFIX = "article_search"
#: Prefix of database indexes that exist for search on other tables (e.g. PostgreSQL's
#: newest-first order of ``article``, from migration ``0005_views``).
SEARCH_DB_INDEX_PREFIX = "ix_article_search"


def is_search_index(name: str | None) -> bool:
    """Whether a database object belongs to the derived search index (not to the models)."""
    return bool(name) and name.startswith((SEARCH_INDEX_PREFIX, SEARCH_DB_INDEX_PREFIX))


def include_name(name: str | None, type_: str, parent_names: Mapping[str, str | None]) -> bool:
    """Alembic ``include_name`` hook: compare everything except the search index."""
    if type_ == "index" and is_search_index(name):
        return False
    table = name if type_ == "table" else parent_names.get("table_name")
    return not is_search_index(table)


class ExportWatermark(Base):
    """The version of an article last delivered to an export consumer.

    One row per (consumer, article) rather than one timestamp per consumer: concurrent
    crawlers commit out of id and time order, and a single high-water mark would skip
    the late committer's articles forever.
    """

    __tablename__ = "export_watermark"

    consumer: Mapped[str] = mapped_column(String(255), primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"), primary_key=True)
    #: :attr:`models.schema.Article.current_version` at the time of that export.
    version: Mapped[int] = mapped_column(Integer)
    exported_at: Mapped[datetime] = mapped_column(AwareDateTime)
