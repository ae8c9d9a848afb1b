"""refingerprint: article fingerprints recomputed with the variant folds beside OpenCC

Revision ID: 0011_refingerprint
Revises: 0010_url_room
Create Date: 2026-12-03

Why: the fingerprint now folds variant characters OpenCC leaves apart (甯→宁, 衞→卫 …,
:data:`models.fingerprint.VARIANT_FOLDS`), so a script mirror whose text differs only in
such characters is recognised as the same article. An archive stored before that holds
the old digests: an article containing one of those characters would look changed at its
next crawl and gain a spurious version. The digests are derived data, so they are
recomputed with :func:`models.fingerprint.text_fingerprint` — the function identity is
defined by — from each article's Simplified body (or its body), as the store computes
them. Downgrading keeps the new digests: the older code only compares them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.fingerprint import text_fingerprint

revision: str = "0011_refingerprint"
down_revision: str | Sequence[str] | None = "0010_url_room"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Articles read per query.
BATCH = 2000


def upgrade() -> None:
    bind = op.get_bind()
    article = sa.table("article", sa.column("id", sa.Integer), sa.column("body", sa.Text),
                       sa.column("body_simplified", sa.Text), sa.column("fingerprint", sa.String))
    last_id = 0
    while rows := bind.execute(
        sa.select(article.c.id, article.c.body, article.c.body_simplified, article.c.fingerprint)
        .where(article.c.id > last_id).order_by(article.c.id).limit(BATCH)
    ).all():
        last_id = rows[-1].id
        changed = [{"row_id": row.id, "digest": digest} for row in rows
                   if (digest := text_fingerprint(row.body_simplified or row.body or "").digest) != row.fingerprint]
        if changed:
            bind.execute(article.update().where(article.c.id == sa.bindparam("row_id"))
                         .values(fingerprint=sa.bindparam("digest")), changed)


def downgrade() -> None:
    """Nothing to undo: older code reads the digests without recomputing them."""
