"""The search index tables as SQLAlchemy Core objects (built by migration ``0002_search``).

They are not ORM models because they differ per database and are derived data; see
:mod:`models.search`. Only the columns read or written by Python are declared.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, Table, Text
from sqlalchemy.dialects.postgresql import TSVECTOR

_metadata = MetaData()

#: Normalised title and body per article (``tokens`` exists on PostgreSQL only).
article_search = Table(
    "article_search",
    _metadata,
    Column("article_id", Integer, primary_key=True),
    Column("title", Text),
    Column("body", Text),
    Column("tokens", TSVECTOR),
)

#: SQLite's contentless FTS5 table; its rowid is the article id.
FTS_TABLE = "article_search_fts"

#: PostgreSQL's GIN index over ``article_search.tokens``.
GIN_INDEX = "ix_article_search_tokens"
