"""operations: recurring schedules, job details (health, dispatch), the scheduler lease

Revision ID: 0003_operations
Revises: 0002_search
Create Date: 2026-11-28

Written out in full (not importing ``models``) so it keeps meaning what it meant; the
tables are described in :mod:`models.operations`.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_operations"
down_revision: str | Sequence[str] | None = "0002_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _time() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("spider", sa.String(length=64), nullable=False),
        sa.Column("arguments", sa.JSON(), nullable=False),
        sa.Column("every_seconds", sa.Integer(), nullable=True),
        sa.Column("cron", sa.String(length=128), nullable=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.Column("next_run_at", _time(), nullable=False),
        sa.Column("dispatch_failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_schedule"),
        sa.UniqueConstraint("name", name="uq_schedule_name"),
    )
    op.create_index("ix_schedule_next_run_at", "schedule", ["next_run_at"])
    op.create_table(
        "job_detail",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=True),
        sa.Column("launcher", sa.String(length=16), nullable=False),
        sa.Column("scrapyd_job", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("healthy", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"], ["crawl_job.id"], name="fk_job_detail_job_id_crawl_job", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"], ["schedule.id"], name="fk_job_detail_schedule_id_schedule", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("job_id", name="pk_job_detail"),
    )
    op.create_index("ix_job_detail_schedule_id", "job_detail", ["schedule_id"])
    op.create_table(
        "scheduler_lease",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=255), nullable=False),
        sa.Column("expires_at", _time(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_scheduler_lease"),
    )


def downgrade() -> None:
    op.drop_table("scheduler_lease")
    op.drop_index("ix_job_detail_schedule_id", table_name="job_detail")
    op.drop_table("job_detail")
    op.drop_index("ix_schedule_next_run_at", table_name="schedule")
    op.drop_table("schedule")
