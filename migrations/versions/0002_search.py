"""search: the Chinese full-text index, flattened SQL views, export watermarks

Revision ID: 0002_search
Revises: 0001_initial
Create Date: 2026-11-28

The index is derived data (``newsarchive index rebuild`` recreates it from ``article``),
so its objects are dialect-specific and not ORM models; :func:`models.search.is_search_index`
tells Alembic's drift check to leave them alone.

``article_search`` holds each article's title and body in the normalised form search
matches against (see :mod:`models.tokens`); the token index beside it narrows the
candidates: an FTS5 table ``article_search_fts`` (contentless, rowid = article id) on
SQLite, a ``tokens`` tsvector column with a GIN index on PostgreSQL.

Views for archivists who prefer SQL (columns documented in :mod:`archive.views`):
``article_flat`` (one row per article, people and URLs joined with "、" / newlines).

``export_watermark`` remembers, per export consumer, the version of each article it
was last given, so ``newsarchive export --consumer NAME`` delivers only new or changed
articles, exactly, even when several crawlers commit out of order.

Written out in full (not importing ``models``) so it keeps meaning what it meant.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_search"
down_revision: str | Sequence[str] | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: People of one role, in page order, joined with "、" (the list separator in Chinese).
_PEOPLE = {
    "sqlite": (
        "(SELECT group_concat(name, '、') FROM (SELECT p.name FROM article_person ap JOIN person p "
        "ON p.id = ap.person_id WHERE ap.article_id = a.id AND ap.role = '{role}' ORDER BY ap.position))"
    ),
    "postgresql": (
        "(SELECT string_agg(p.name, '、' ORDER BY ap.position) FROM article_person ap JOIN person p "
        "ON p.id = ap.person_id WHERE ap.article_id = a.id AND ap.role = '{role}')"
    ),
}
#: Every URL the article was seen under, one per line, in the order first stored.
_URLS = {
    "sqlite": (
        "(SELECT group_concat(url, char(10)) FROM (SELECT u.url FROM article_url u "
        "WHERE u.article_id = a.id ORDER BY u.id))"
    ),
    "postgresql": "(SELECT string_agg(u.url, chr(10) ORDER BY u.id) FROM article_url u WHERE u.article_id = a.id)",
}


def _article_flat(dialect: str) -> str:
    people = _PEOPLE[dialect]
    return f"""
CREATE VIEW article_flat AS
SELECT a.id, a.canonical_url, s.name AS site, a.title, a.subtitle, a.published_at, a.source,
       {people.format(role="author")} AS authors,
       {people.format(role="editor")} AS editors,
       {_URLS[dialect]} AS urls,
       a.script, a.pages, a.printed_page, a.body,
       a.first_seen, a.last_seen, a.current_version AS version
FROM article a JOIN site s ON s.id = a.site_id
"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "export_watermark",
        sa.Column("consumer", sa.String(length=255), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("exported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name="fk_export_watermark_article_id_article", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("consumer", "article_id", name="pk_export_watermark"),
    )
    if dialect == "postgresql":
        op.execute(
            "CREATE TABLE article_search ("
            " article_id INTEGER PRIMARY KEY REFERENCES article(id) ON DELETE CASCADE,"
            " title TEXT NOT NULL, body TEXT NOT NULL, tokens TSVECTOR NOT NULL)"
        )
        op.execute("CREATE INDEX ix_article_search_tokens ON article_search USING gin (tokens)")
    else:
        op.execute(
            "CREATE TABLE article_search ("
            " article_id INTEGER PRIMARY KEY REFERENCES article(id) ON DELETE CASCADE,"
            " title TEXT NOT NULL, body TEXT NOT NULL)"
        )
        op.execute(
            "CREATE VIRTUAL TABLE article_search_fts USING fts5("
            "tokens, content='', tokenize='unicode61 remove_diacritics 0')"
        )
    op.execute(_article_flat(dialect))


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS article_flat")
    op.execute("DROP TABLE IF EXISTS article_search_fts")
    op.execute("DROP TABLE IF EXISTS article_search")
    op.drop_table("export_watermark")
