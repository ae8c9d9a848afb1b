"""The search index tables as SQLAlchemy Core objects (built by migrations ``0002_search``,
``0005_views``, ``0012_search_codes`` and ``0014_char_months``).

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

#: How many indexed articles hold each CJK character (a 1-character token), per month of
#: publication (``YYYY-MM`` in China time, :func:`archive.times.date_label`; undated
#: articles under :data:`UNDATED`). A search for one character is then counted, in all
#: and by month, from a few hundred rows instead of from every article holding it (的 is
#: in most of them). Kept by :mod:`models.search_index` with the rest of the index.
char_months = Table(
    "article_search_char_month",
    _metadata,
    Column("token", Text, primary_key=True),
    Column("month", Text, primary_key=True),
    Column("articles", Integer),
)

#: The month each ``article_search`` row is counted under in :data:`char_months`, so that
#: re-indexing an article subtracts it from that month even when its date has changed
#: since. A table of its own rather than a column of ``article_search``: filling a new
#: column would rewrite every index row (and on PostgreSQL re-enter each in both GIN indexes).
indexed_months = Table(
    "article_search_month",
    _metadata,
    Column("article_id", Integer, primary_key=True),
    Column("month", Text),
)
#: :data:`char_months`' month of articles without a date (key columns cannot be NULL).
UNDATED = ""

#: SQLite's contentless FTS5 table of title and body tokens; its rowid is the article id.
FTS_TABLE = "article_search_fts"
#: The same for title tokens only: ranking by title hits finds the few titled matches
#: through it instead of testing every candidate's title.
TITLE_FTS_TABLE = "article_search_title_fts"

#: PostgreSQL's GIN indexes over ``article_search.tokens`` and ``article_search.title_tokens``.
GIN_INDEX = "ix_article_search_tokens"
TITLE_GIN_INDEX = "ix_article_search_title_tokens"
