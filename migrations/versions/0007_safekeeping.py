"""safekeeping: the archive's UUID, the quarantine, URL columns as long as Scrapy's URLs

Revision ID: 0007_safekeeping
Revises: 0006_capture_offload
Create Date: 2026-12-03

Why: spooled items must only be replayed into the archive they were fetched for
(``archive_identity``, one row written here, at creation for new archives); items the
database refuses one by one are kept, not dropped (``quarantined_item``); and Scrapy
fetches URLs up to 2,083 characters (``URLLENGTH_LIMIT``), which the 2,048-character URL
columns refused on PostgreSQL. SQLite ignores declared lengths, so there only the
declared type in the schema text is rewritten (SQLite's documented procedure for schema
changes that leave the stored data as it is), without copying tables.
Written out in full (not importing ``models``) so it keeps meaning what it meant.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0007_safekeeping"
down_revision: str | Sequence[str] | None = "0006_capture_offload"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, column) of every URL column with a length.
URL_COLUMNS = (("article", "canonical_url"), ("article_url", "url"), ("capture", "url"))
OLD_LENGTH, NEW_LENGTH = 2048, 2083
#: Views (``0002_search``, ``0005_views``) reading those columns.
DEPENDENT_VIEWS = ("article_flat", "article_urls")


def _time() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    identity = op.create_table(
        "archive_identity",
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.PrimaryKeyConstraint("uuid", name="pk_archive_identity"),
    )
    created = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":
        created = created.replace(tzinfo=None)  # stored as UTC text, like models.types.AwareDateTime
    op.bulk_insert(identity, [{"uuid": str(uuid.uuid4()), "created_at": created}])
    op.create_table(
        "quarantined_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("item", sa.Text(), nullable=False),
        sa.Column("quarantined_at", _time(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_quarantined_item"),
    )
    op.create_index("ix_quarantined_item_quarantined_at", "quarantined_item", ["quarantined_at"])
    _url_length(OLD_LENGTH, NEW_LENGTH)


def downgrade() -> None:
    _url_length(NEW_LENGTH, OLD_LENGTH)
    op.drop_index("ix_quarantined_item_quarantined_at", table_name="quarantined_item")
    op.drop_table("quarantined_item")
    op.drop_table("archive_identity")


def _url_length(old: int, new: int) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        # PostgreSQL will not retype a column a view reads: drop the views, recreate them as they were
        views = bind.execute(sa.text(
            "SELECT viewname, definition FROM pg_views WHERE schemaname = current_schema() AND viewname IN :names"
        ).bindparams(sa.bindparam("names", expanding=True)), {"names": list(DEPENDENT_VIEWS)}).all()
        for name, _ in views:
            op.execute(f"DROP VIEW {name}")
        for table, column in URL_COLUMNS:
            op.alter_column(table, column, type_=sa.String(new), existing_type=sa.String(old), existing_nullable=False)
        for name, definition in views:
            op.execute(f"CREATE VIEW {name} AS {definition}")
        return
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    for table, _ in URL_COLUMNS:
        bind.exec_driver_sql(
            "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = ?",
            (f"VARCHAR({old})", f"VARCHAR({new})", table),
        )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
