"""Read Chinese datelines and date metadata into ISO 8601 with a UTC offset.

Pages show times in Beijing time without saying so, hence the +08:00 default; a time
that carries its own offset (``2022-02-06T12:48:06Z``) is kept as that instant and shown
in Beijing time like the rest (``2022-02-06T20:48:06+08:00``). The
raw text is kept exactly as shown (full-width digits included) so what the page said
is never lost; precision records what the dateline shows, because a day-only date
must not pretend to be midnight.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

#: Asia/Shanghai has had no daylight saving since 1991: a fixed offset is exact.
BEIJING = timezone(timedelta(hours=8))

#: Full-width digits and separators folded to ASCII, one character for one, so match
#: positions in the folded text are positions in the original.
_FOLD = str.maketrans("０１２３４５６７８９：／－．　", "0123456789:/-. ")
#: Runs of characters :data:`_FOLD` changes (U+FF0D…U+FF1A is exactly －．／０…９：).
_FOLDABLE = re.compile(r"[\uff0d-\uff1a\u3000]+")

#: The year's "no digit before" test comes after its first two digits (``(?<!\d\d\d)``, the two
#: being digits), so that the regex engine can skip to the 1s and 2s instead of trying every position.
_DATE_TIME = re.compile(
    r"(?P<y>(?:19|20)(?<!\d\d\d)\d{2})\s*(?:年|[-/.])\s*(?P<m>\d{1,2})\s*(?:月|[-/.])\s*(?P<d>\d{1,2})(?!\d)\s*日?"
    r"(?:(?:\s*|T|\s*[（(][^）)]{1,3}[）)]\s*)(?P<H>\d{1,2})\s*(?:[:时時]\s*)(?P<M>\d{2})"
    r"(?:\s*(?:[:分]\s*)(?P<S>\d{2})(?:\.\d+)?)?(?!\d)\s*(?:秒)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2}(?!\d))?)?"
)

#: Names of <meta> tags that carry a publication date, lower-case, best first.
META_DATE_NAMES = (
    "article:published_time",
    "og:release_date",
    "publishdate",
    "pubdate",
    "publish_date",
    "publishtime",
    "publish-time",
    "datepublished",
    "date",
    "dc.date.issued",
    "dc.date",
    "sailthru.date",
    "weibo:article:create_at",
)


@dataclass(slots=True, frozen=True)
class FoundDate:
    """A date read from text: ISO 8601 with offset, the exact source text, and its precision."""

    iso: str
    raw: str
    precision: str
    start: int = 0


def find_dates(text: str) -> list[FoundDate]:
    """Every valid date in ``text``, in order; impossible dates (2月30日) are skipped."""
    return list(_iter_dates(text))


def first_date(text: str) -> FoundDate | None:
    """The first valid date in ``text``, or ``None``."""
    return next(_iter_dates(text), None)


def looks_like_date(text: str) -> bool:
    """Whether ``text`` holds something shaped like a date, valid or not (for ``bad_date``)."""
    return _DATE_TIME.search(_folded(text)) is not None


def parse_date_value(value: str) -> FoundDate | None:
    """A metadata value (meta tag content, JSON-LD ``datePublished``) read as a date."""
    return first_date(value.strip()) if value else None


def _iter_dates(text: str) -> Iterator[FoundDate]:
    for match in _DATE_TIME.finditer(_folded(text)):
        parsed = _from_match(match, text)
        if parsed is not None:
            yield parsed


def _folded(text: str) -> str:
    """``text`` with full-width digits and separators folded. Only the runs that need it are
    translated: ``str.translate`` looks up every character, and datelines are searched in
    whole paragraphs that hold a full-width colon or two."""
    return _FOLDABLE.sub(_fold_run, text)


def _fold_run(match: re.Match[str]) -> str:
    return match.group().translate(_FOLD)


def _from_match(match: re.Match[str], original: str) -> FoundDate | None:
    year, month, day, hour, minute, second, zone = match.group("y", "m", "d", "H", "M", "S", "tz")
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=_zone(zone),
        )
    except ValueError:
        return None
    if zone:  # an instant with its own offset (…Z, …+00:00): the same instant, shown in the pages' zone
        moment = moment.astimezone(BEIJING)
    precision = "second" if second else "minute" if minute else "day"
    raw = original[match.start() : match.end()].strip()
    return FoundDate(iso=moment.isoformat(), raw=raw, precision=precision, start=match.start())


def _zone(text: str | None) -> timezone:
    if not text:
        return BEIJING
    if text == "Z":
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
