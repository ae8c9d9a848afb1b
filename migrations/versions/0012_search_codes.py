"""search codes: PostgreSQL's token index as 32-bit integer codes instead of tsvectors

Revision ID: 0012_search_codes
Revises: 0011_refingerprint
Create Date: 2026-12-03

Why: a tsvector spends about 9 bytes per distinct token (a 4-byte entry and the lexeme's
UTF-8), some 7.6 KB for an ordinary article's 850 characters and bigrams: most of the
PostgreSQL index's bytes. ``article_search.tokens`` and ``title_tokens`` become sorted
``integer[]`` of :func:`models.tokens.token_codes` (4 bytes a token) with GIN indexes
(``@>``). The table is copied a batch at a time into a new one rather than updated in
place, so that the old values leave the disk with the old table instead of waiting for a
``VACUUM FULL``; the GIN indexes are built once at the end (far faster than row by row).

SQLite's index is unchanged. The codes come from :func:`models.tokens.text_tokens` and
:func:`models.tokens.token_codes`, the functions the index is defined by (derived data: a
later tokenizer change means ``newsarchive index rebuild``). Downgrading copies back to
tsvectors the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from models.tokens import text_tokens, token_codes

revision: str = "0012_search_codes"
down_revision: str | Sequence[str] | None = "0011_refingerprint"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Index rows copied per statement.
BATCH = 2000
#: Memory for sorting the GIN entries at the end (this transaction only; the default spills to disk).
GIN_BUILD_MEMORY = "256MB"

_CODES = ("INTEGER[]", "CAST(:{} AS integer[])", token_codes)
_TSVECTORS = ("TSVECTOR", "array_to_tsvector(CAST(:{} AS text[]))", list)


def _copy(column_type: str, value: str, encode: Callable[[set[str]], list]) -> None:
    """Replace ``article_search`` by a copy whose token columns are of ``column_type``."""
    bind = op.get_bind()
    op.execute(
        "CREATE TABLE article_search_copy ("
        " article_id INTEGER PRIMARY KEY REFERENCES article(id) ON DELETE CASCADE,"
        f" title TEXT NOT NULL, body TEXT NOT NULL, tokens {column_type} NOT NULL,"
        f" title_tokens {column_type} NOT NULL)"
    )
    insert = sa.text(
        "INSERT INTO article_search_copy (article_id, title, body, tokens, title_tokens) VALUES "
        f"(:id, :title, :body, {value.format('tokens')}, {value.format('title_tokens')})"
    )
    last_id = 0
    while rows := bind.execute(
        sa.text("SELECT article_id, title, body FROM article_search WHERE article_id > :last "
                f"ORDER BY article_id LIMIT {BATCH}"),
        {"last": last_id},
    ).all():
        bind.execute(insert, [
            {"id": id_, "title": title, "body": body, "tokens": encode(text_tokens(title, body)),
             "title_tokens": encode(text_tokens(title))}
            for id_, title, body in rows
        ])
        last_id = rows[-1][0]
    op.execute("DROP TABLE article_search")
    op.execute("ALTER TABLE article_search_copy RENAME TO article_search")
    op.execute("ALTER INDEX article_search_copy_pkey RENAME TO article_search_pkey")
    op.execute("ALTER TABLE article_search RENAME CONSTRAINT article_search_copy_article_id_fkey "
               "TO article_search_article_id_fkey")
    op.execute(f"SET LOCAL maintenance_work_mem = '{GIN_BUILD_MEMORY}'")
    op.execute("CREATE INDEX ix_article_search_tokens ON article_search USING gin (tokens)")
    op.execute("CREATE INDEX ix_article_search_title_tokens ON article_search USING gin (title_tokens)")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _copy(*_CODES)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _copy(*_TSVECTORS)
