"""Changing the declared length of the archive's URL columns, shared by the migrations that do it.

PostgreSQL enforces the length, and will not retype a column a view reads: every view of
the schema is dropped and recreated as it was (in creation order, so views built on
views come back after them). SQLite ignores declared lengths, so there only the type
in the stored schema text is rewritten (SQLite's documented procedure for schema changes
that leave the stored data as it is), without copying tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

#: (table, column) of every URL column with a length.
URL_COLUMNS = (("article", "canonical_url"), ("article_url", "url"), ("capture", "url"))


def set_url_length(old: int, new: int) -> None:
    """Declare the URL columns ``VARCHAR(new)`` instead of ``VARCHAR(old)``."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        views = bind.execute(sa.text(
            "SELECT c.relname, pg_get_viewdef(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'v' AND n.nspname = current_schema() ORDER BY c.oid"
        )).all()
        for name, _ in reversed(views):
            op.execute(f'DROP VIEW "{name}"')
        for table, column in URL_COLUMNS:
            op.alter_column(table, column, type_=sa.String(new), existing_type=sa.String(old), existing_nullable=False)
        for name, definition in views:
            op.execute(f'CREATE VIEW "{name}" AS {definition}')
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
