"""views: per-person and per-URL SQL views; a title token index and a leaner FTS5 index

Revision ID: 0005_views
Revises: 0004_dedup
Create Date: 2026-11-28

Views for archivists who prefer SQL (columns documented in :mod:`archive.views` and
``docs/sql.md``), beside ``article_flat`` from ``0002_search``: ``article_people`` (one
row per credited author or editor) and ``article_urls`` (one row per URL an article was
seen under).

Search ranks articles with title hits first; to find those without testing every
candidate's title, the index gains title tokens: a second contentless FTS5 table
``article_search_title_fts`` on SQLite, a GIN-indexed ``title_tokens`` tsvector on
PostgreSQL, where ``ix_article_search_newest`` also lets the newest matches be read in
search order (``published_at DESC NULLS LAST, id DESC``) without sorting them all. On
SQLite ``article_search_fts`` is recreated with ``detail=none`` and the
``ascii`` tokenizer: search only asks which articles hold a token, so positions were
dead weight (half the build time, most of a 1-character lookup), and the tokens are
already normalised letters and digits that need no Unicode rules.

The tables are refilled from ``article_search``, which holds the normalised text; the
tokens come from :func:`models.tokens.text_tokens`, the function the index is defined
by (the index is derived data: a later tokenizer change means ``newsarchive index
rebuild``, not a new meaning for this migration).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import sqlalchemy as sa
from alembic import op

from models.tokens import text_tokens

revision: str = "0005_views"
down_revision: str | Sequence[str] | None = "0004_dedup"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 2000
_FTS5 = "fts5(tokens, content='', tokenize='ascii', detail=none, columnsize=0)"
#: The 0002 table, for downgrades (sorted tokens: with positions stored, a contentless
#: delete must repeat them in the same order).
_FTS5_0002 = "fts5(tokens, content='', tokenize='unicode61 remove_diacritics 0')"

_VIEWS = {
    "article_people": """
CREATE VIEW article_people AS
SELECT ap.article_id, ap.role, ap.position, p.name, p.name_simplified
FROM article_person ap JOIN person p ON p.id = ap.person_id
""",
    "article_urls": """
CREATE VIEW article_urls AS
SELECT u.article_id, u.url, u.url = a.canonical_url AS is_canonical
FROM article_url u JOIN article a ON a.id = u.article_id
""",
}


def _index_rows(connection: sa.Connection, columns: str) -> Iterator[list[sa.Row]]:
    """``article_search`` rows in id order, a batch at a time."""
    last_id = 0
    while rows := connection.execute(
        sa.text(
            f"SELECT article_id, {columns} FROM article_search WHERE article_id > :last "
            f"ORDER BY article_id LIMIT {_BATCH}"
        ),
        {"last": last_id},
    ).all():
        yield rows
        last_id = rows[-1][0]


def _fill_fts(table: str, columns: str, tokens: Callable[..., list[str] | set[str]]) -> None:
    connection = op.get_bind()
    for rows in _index_rows(connection, columns):
        connection.exec_driver_sql(
            f"INSERT INTO {table}(rowid, tokens) VALUES (?, ?)", [(row[0], " ".join(tokens(*row[1:]))) for row in rows]
        )


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        op.execute("ALTER TABLE article_search ADD COLUMN title_tokens TSVECTOR")
        for rows in _index_rows(connection, "title"):
            connection.execute(
                sa.text(
                    "UPDATE article_search SET title_tokens = array_to_tsvector(CAST(:tokens AS text[])) "
                    "WHERE article_id = :id"
                ),
                [{"id": id_, "tokens": list(text_tokens(title))} for id_, title in rows],
            )
        op.execute("ALTER TABLE article_search ALTER COLUMN title_tokens SET NOT NULL")
        op.execute("CREATE INDEX ix_article_search_title_tokens ON article_search USING gin (title_tokens)")
        # newest first exactly as search sorts (the published_at index read backwards puts NULLs first)
        op.execute("CREATE INDEX ix_article_search_newest ON article (published_at DESC NULLS LAST, id DESC)")
    else:
        op.execute("DROP TABLE article_search_fts")
        op.execute(f"CREATE VIRTUAL TABLE article_search_fts USING {_FTS5}")
        op.execute(f"CREATE VIRTUAL TABLE article_search_title_fts USING {_FTS5}")
        _fill_fts("article_search_fts", "title, body", text_tokens)
        _fill_fts("article_search_title_fts", "title", text_tokens)
    for view in _VIEWS.values():
        op.execute(view)


def downgrade() -> None:
    for name in _VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_article_search_newest")
        op.execute("DROP INDEX IF EXISTS ix_article_search_title_tokens")
        op.execute("ALTER TABLE article_search DROP COLUMN title_tokens")
    else:
        op.execute("DROP TABLE article_search_title_fts")
        op.execute("DROP TABLE article_search_fts")
        op.execute(f"CREATE VIRTUAL TABLE article_search_fts USING {_FTS5_0002}")
        _fill_fts("article_search_fts", "title, body", lambda title, body: sorted(text_tokens(title, body)))
