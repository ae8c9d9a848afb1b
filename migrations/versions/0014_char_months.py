"""char months: how many articles hold each CJK character, per month

Revision ID: 0014_char_months
Revises: 0013_text_once
Create Date: 2026-12-03

Why: a search for one character (的, 年) matches most of the archive, and the search page
counted those matches and their months over every one of them: some 300 ms at 100,000
articles, growing with the archive. ``article_search_char_month`` holds the articles per
(character, month), so such a search is counted from a few hundred rows
(:mod:`archive.char_months`); ``article_search_month`` records the month each index row was
counted under, so re-indexing an article takes it out of that month even after its date
changed. Both are derived search-index data kept by :mod:`models.search_index`.

They are filled from ``article_search`` (the normalised text) and the articles' dates: the
months in one ``INSERT … SELECT``, the counts a batch of :data:`BATCH` index rows at a time,
written whenever :data:`~models.search_index.MONTH_COUNTS_HELD` of them are held (constant
memory for any archive). Downgrading drops both tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from archive.index_tables import UNDATED
from archive.times import date_label
from models.search_index import MONTH_COUNTS_HELD, MonthCounts, char_month_counts, count_months

revision: str = "0014_char_months"
down_revision: str | Sequence[str] | None = "0013_text_once"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Index rows read per statement.
BATCH = 2000

_ARTICLE = sa.table("article", sa.column("id", sa.Integer), sa.column("published_at", sa.DateTime))
_SEARCH = sa.table("article_search", sa.column("article_id", sa.Integer), sa.column("title", sa.Text),
                   sa.column("body", sa.Text))
_MONTH = sa.table("article_search_month", sa.column("article_id", sa.Integer), sa.column("month", sa.Text))


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "article_search_month",
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("article.id", ondelete="CASCADE"), primary_key=True,
                  autoincrement=False),
        sa.Column("month", sa.Text(), nullable=False),
    )
    op.create_table(
        "article_search_char_month",
        sa.Column("token", sa.Text(), primary_key=True),
        sa.Column("month", sa.Text(), primary_key=True),
        sa.Column("articles", sa.Integer(), nullable=False),
        sqlite_with_rowid=False,
    )
    month = sa.func.coalesce(date_label(bind.dialect.name, "month", _ARTICLE.c.published_at), UNDATED)
    op.execute(_MONTH.insert().from_select(
        ["article_id", "month"],
        sa.select(_SEARCH.c.article_id, month).join(_ARTICLE, _ARTICLE.c.id == _SEARCH.c.article_id),
    ))
    counts, last_id = MonthCounts(), 0
    while rows := bind.execute(
        sa.select(_SEARCH.c.article_id, _SEARCH.c.title, _SEARCH.c.body, _MONTH.c.month)
        .join(_MONTH, _MONTH.c.article_id == _SEARCH.c.article_id)
        .where(_SEARCH.c.article_id > last_id).order_by(_SEARCH.c.article_id).limit(BATCH)
    ).all():
        counts.update(char_month_counts((title, body, month) for _, title, body, month in rows))
        if len(counts) > MONTH_COUNTS_HELD:
            count_months(bind, counts)
            counts = MonthCounts()
        last_id = rows[-1].article_id
    count_months(bind, counts)


def downgrade() -> None:
    op.drop_table("article_search_char_month")
    op.drop_table("article_search_month")
