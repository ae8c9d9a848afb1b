"""text once: each text of an article stored once, and the near-copy band index without a copy of itself

Revision ID: 0013_text_once
Revises: 0012_search_codes
Create Date: 2026-12-03

Why (``bench.scale``, 3,000 articles: some 1.5 KB of text an article took 23 KB of
database): the same text was stored five times over.

* ``article.body_simplified`` repeated ``body`` for every Simplified article (nearly
  all): it becomes ``body_simplified_if_differs``, ``""`` where it equals ``body``; the
  models read ``coalesce(nullif(body_simplified_if_differs, ''), body)`` as before.
* ``article_version.item`` held the item as JSON (body, body_html and the Simplified
  body: the text three times) and ``article_version.body`` the body once more: the item
  is now stored zstandard-compressed in ``item_zstd`` (:class:`models.types.PackedJSON`)
  and ``body`` (always ``item["body"]``) is dropped.
* On SQLite ``near_dup_band`` becomes a ``WITHOUT ROWID`` table: its rows were stored
  twice, in the table and in its primary key's index.

Every table is converted in id-ordered batches of :data:`BATCH` rows, so an archive of
millions of articles migrates in constant memory (SQLite keeps freed pages for reuse:
``VACUUM`` returns them to the file system, PostgreSQL's ``VACUUM FULL`` likewise).
Downgrading restores the old layout with the same contents; the restored version
columns stay nullable on SQLite, which cannot make a filled column NOT NULL without
copying the table (the older code always writes them).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from alembic import op

from models.types import PackedJSON

revision: str = "0013_text_once"
down_revision: str | Sequence[str] | None = "0012_search_codes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Rows read or updated per statement.
BATCH = 1000

_ARTICLE = sa.table("article", sa.column("id", sa.Integer), sa.column("body", sa.Text),
                    sa.column("body_simplified_if_differs", sa.Text))
_VERSION = sa.table("article_version", sa.column("id", sa.Integer), sa.column("item", sa.JSON),
                    sa.column("body", sa.Text), sa.column("item_zstd", PackedJSON()))


def upgrade() -> None:
    op.alter_column("article", "body_simplified", new_column_name="body_simplified_if_differs")
    stored = _ARTICLE.c.body_simplified_if_differs
    for low, high in _id_ranges("article"):
        op.execute(_ARTICLE.update().where(_ARTICLE.c.id > low, _ARTICLE.c.id <= high, stored != "",
                                           stored == _ARTICLE.c.body).values(body_simplified_if_differs=""))
    op.add_column("article_version", sa.Column("item_zstd", sa.LargeBinary(), nullable=True))
    _convert_versions(sa.select(_VERSION.c.id, _VERSION.c.item), lambda row: {"item_zstd": row.item})
    op.drop_column("article_version", "body")
    op.drop_column("article_version", "item")
    _rebuild_band_index(with_rowid=False)


def downgrade() -> None:
    _rebuild_band_index(with_rowid=True)
    op.add_column("article_version", sa.Column("item", sa.JSON(), nullable=True))
    op.add_column("article_version", sa.Column("body", sa.Text(), nullable=True))
    _convert_versions(sa.select(_VERSION.c.id, _VERSION.c.item_zstd),
                      lambda row: {"item": row.item_zstd, "body": row.item_zstd.get("body", "")})
    op.drop_column("article_version", "item_zstd")
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("article_version", "item", nullable=False)
        op.alter_column("article_version", "body", nullable=False)
    stored = _ARTICLE.c.body_simplified_if_differs
    for low, high in _id_ranges("article"):
        op.execute(_ARTICLE.update().where(_ARTICLE.c.id > low, _ARTICLE.c.id <= high, stored == "")
                   .values(body_simplified_if_differs=_ARTICLE.c.body))
    op.alter_column("article", "body_simplified_if_differs", new_column_name="body_simplified")


def _id_ranges(table: str) -> Iterator[tuple[int, int]]:
    """``(low, high]`` id ranges of :data:`BATCH` ids covering the table."""
    top = op.get_bind().scalar(sa.text(f"SELECT max(id) FROM {table}")) or 0
    for low in range(0, top, BATCH):
        yield low, low + BATCH


def _convert_versions(query: sa.Select[tuple[int, object]], values: object) -> None:
    """Rewrite every version row with ``values(row)`` of its ``query`` row, a batch at a time."""
    bind = op.get_bind()
    last_id = 0
    while rows := bind.execute(query.where(_VERSION.c.id > last_id).order_by(_VERSION.c.id).limit(BATCH)).all():
        last_id = rows[-1].id
        bind.execute(_VERSION.update().where(_VERSION.c.id == sa.bindparam("version_id")),
                     [{"version_id": row.id, **values(row)} for row in rows])  # type: ignore[operator]


def _rebuild_band_index(with_rowid: bool) -> None:
    """SQLite: copy ``near_dup_band`` into a table with (or without) rowids, in key order.

    One ``INSERT … SELECT``: the database streams it, nothing passes through Python.
    Nothing references the table, so dropping it cascades nowhere.
    """
    if op.get_bind().dialect.name != "sqlite":
        return
    op.create_table(
        "near_dup_band_new",
        sa.Column("key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("article_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"], name="fk_near_dup_band_article_id_article",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key", "article_id", name="pk_near_dup_band"),
        sqlite_with_rowid=with_rowid,
    )
    op.execute("INSERT INTO near_dup_band_new (key, article_id) "
               "SELECT key, article_id FROM near_dup_band ORDER BY key, article_id")
    op.drop_table("near_dup_band")
    op.rename_table("near_dup_band_new", "near_dup_band")
