"""The one error the archive raises when its database cannot be used, worded for operators."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import make_url
from sqlalchemy.engine import URL


class ArchiveUnavailable(RuntimeError):
    """The archive database cannot be reached or written; the message is one line saying
    what failed and what to do, fit to show the operator as is."""


def display_url(url: str | URL) -> str:
    """The URL with its password masked (``***``), for every message and log line that shows a
    URL: database, Redis, Scrapyd or page URLs alike. An unreadable URL is not echoed at all."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port, like urlsplit for bad hosts
    except ValueError:
        return "<unreadable URL>"
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def error_reason(exc: BaseException) -> str:
    """The driver's own message on one line, without SQLAlchemy's statement dump."""
    return " ".join(str(getattr(exc, "orig", None) or exc).split())


def unavailable(url: str | URL, exc: BaseException) -> ArchiveUnavailable:
    """Turn a driver error into the one-line :class:`ArchiveUnavailable` for ``url``."""
    reason = error_reason(exc)
    if make_url(url).get_backend_name() == "sqlite":
        advice = "check that the file and its folder exist and are writable, or pass another --db"
    else:
        advice = "check that the server is running and the URL (--db or $NEWSARCHIVE_DATABASE_URL) is right"
    return ArchiveUnavailable(f"archive database {display_url(url)} is unavailable ({reason}): {advice}")
