"""A search for one CJK character, counted from the per-month rollup of the search index.

Such a search (的, 年) matches most of the archive, and counting its matches, in all and by
month, once meant reading every one of them: at 100,000 articles most of the search page's
time, growing with the archive. :data:`archive.index_tables.char_months` holds how many
indexed articles hold each character in each month (kept by :mod:`models.search_index`
in the same transaction as the index), so the counts are a few hundred rows read. They
are exactly what counting the matches gives: the index holds a 1-character term's token
exactly when the text holds the character, and the months are labelled by the facets'
own expression (:func:`archive.times.date_label`).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.filters import Filters, narrowed
from archive.index_tables import UNDATED, char_months
from models.tokens import is_cjk


def rolled_up_character(filters: Filters) -> str | None:
    """The character whose articles ``filters`` select, when that is all they select: a
    query of exactly one required 1-character CJK term (no exclusions, no ``OR``) and no
    other filter; else ``None``."""
    query = filters.query
    if narrowed(filters) or query.excluded or query.alternatives or len(query.required) != 1:
        return None
    (term,) = query.required
    if not term.exact or len(term.tokens) != 1 or len(term.tokens[0]) != 1 or not is_cjk(term.tokens[0]):
        return None
    return term.tokens[0]


def month_counts(session: Session, filters: Filters) -> list[tuple[str | None, int]] | None:
    """(month ``YYYY-MM`` in China time, articles) of the selection, newest first, undated
    (``None``) last, from the rollup, when :func:`rolled_up_character` applies; else ``None``."""
    character = rolled_up_character(filters)
    if character is None:
        return None
    rows = session.execute(select(char_months.c.month, char_months.c.articles).where(char_months.c.token == character)).all()
    dated = sorted(((month, n) for month, n in rows if month != UNDATED), reverse=True)
    return dated + [(None, n) for month, n in rows if month == UNDATED]
