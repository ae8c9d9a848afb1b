"""The search index tables as SQLAlchemy Core objects (built by migrations ``0002_search``,
``0005_views`` and ``0012_search_codes``).

They are not ORM models because they differ per database and are derived data; see
:mod:`models.search`. Only the columns read or written by Python are declared.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, Table, Text
from sqlalchemy.dialects.postgresql import ARRAY

_metadata = MetaData()

#: Normalised title and body per article; on PostgreSQL also the codes of all its tokens and of
#: its title tokens (:func:`models.tokens.token_codes`), sorted ``integer[]`` with GIN indexes.
article_search = Table(
    "article_search",
    _metadata,
    Column("article_id", Integer, primary_key=True),
    Column("title", Text),
    Column("body", Text),
    Column("tokens", ARRAY(Integer)),
    Column("title_tokens", ARRAY(Integer)),
)

#: SQLite's contentless FTS5 table of title and body tokens; its rowid is the article id.
FTS_TABLE = "article_search_fts"
#: The same for title tokens only: ranking by title hits finds the few titled matches
#: through it instead of testing every candidate's title.
TITLE_FTS_TABLE = "article_search_title_fts"

#: PostgreSQL's GIN indexes over ``article_search.tokens`` and ``article_search.title_tokens``.
GIN_INDEX = "ix_article_search_tokens"
TITLE_GIN_INDEX = "ix_article_search_title_tokens"
