"""capture offload: capture bodies may live in WARC files (``newsarchive captures offload``)

Revision ID: 0006_capture_offload
Revises: 0005_views
Create Date: 2026-12-03

A ``warc_file`` table names each WARC file holding offloaded bodies with the length the
database vouches for; ``capture`` gains the pointer (``warc_file_id``, ``warc_offset``,
``warc_length``). Columns are added in place (no table copy), so upgrading an archive of
millions of captures takes no time; see :mod:`models.capture_store`.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_capture_offload"
down_revision: str | Sequence[str] | None = "0005_views"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "warc_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(4096), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_warc_file"),
        sa.UniqueConstraint("path", name="uq_warc_file_path"),
    )
    if op.get_bind().dialect.name == "sqlite":  # SQLite adds a column with its reference in place
        op.execute("ALTER TABLE capture ADD COLUMN warc_file_id INTEGER "
                   "CONSTRAINT fk_capture_warc_file_id_warc_file REFERENCES warc_file (id)")
    else:
        op.add_column("capture", sa.Column(
            "warc_file_id", sa.Integer(),
            sa.ForeignKey("warc_file.id", name="fk_capture_warc_file_id_warc_file"), nullable=True))
    op.add_column("capture", sa.Column("warc_offset", sa.BigInteger(), nullable=True))
    op.add_column("capture", sa.Column("warc_length", sa.BigInteger(), nullable=True))
    op.create_index("ix_capture_warc_file_id", "capture", ["warc_file_id"])


def downgrade() -> None:
    bind = op.get_bind()
    offloaded = bind.execute(sa.text("SELECT count(*) FROM capture WHERE warc_file_id IS NOT NULL")).scalar()
    if offloaded:
        raise RuntimeError(f"{offloaded} capture bodies live in WARC files: this schema cannot point at them. "
                           "Nothing was changed.")
    op.drop_index("ix_capture_warc_file_id", table_name="capture")
    with op.batch_alter_table("capture") as batch:
        batch.drop_column("warc_length")
        batch.drop_column("warc_offset")
        batch.drop_column("warc_file_id")
    op.drop_table("warc_file")
