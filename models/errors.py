"""The one error the archive raises when its database cannot be used, worded for operators."""

from __future__ import annotations

from sqlalchemy import make_url
from sqlalchemy.engine import URL


class ArchiveUnavailable(RuntimeError):
    """The archive database cannot be reached or written; the message is one line saying
    what failed and what to do, fit to show the operator as is."""


def display_url(url: str | URL) -> str:
    """The URL without its password, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


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
