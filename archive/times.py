"""How the read side shows times: in the article's own zone, the instant kept.

The archived sites date their articles in China time (UTC+8, no daylight saving), and an
archivist compares what the archive says with the page: ``2020年05月27日01:33`` must read
``2020-05-27T01:33:00+08:00``, not the same instant in UTC (``2020-05-26T17:33:00+00:00``),
and a dateline that gives only a day (``2022年02月13日``) must read ``2022-02-13``, not the
evening before. Storage is exact either way (see docs/archive.md, "Times"); only display
changes zone, so every instant converts back unchanged.
"""

from __future__ import annotations

from datetime import datetime

from models.repository import CHINA_TIME

#: The zone articles are shown in (every archived site publishes in China time).
ARTICLE_ZONE = CHINA_TIME


def in_article_zone(value: datetime | None) -> datetime | None:
    """``value`` as the same instant in :data:`ARTICLE_ZONE`."""
    return value.astimezone(ARTICLE_ZONE) if value is not None else None


def shown_time(value: datetime | None, precision: str | None = None) -> str | None:
    """ISO text in the article's zone: ``2020-05-27T01:33:00+08:00``, or ``2022-02-13``
    when the page gave only the day (``precision == "day"``)."""
    local = in_article_zone(value)
    if local is None:
        return None
    return local.date().isoformat() if precision == "day" else local.isoformat()


def shown_day(value: datetime | None) -> str:
    """The day in the article's zone, ``----------`` when unknown (fixed width for listings)."""
    local = in_article_zone(value)
    return local.date().isoformat() if local is not None else "----------"
