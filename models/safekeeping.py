"""Tables that keep the write path honest: which archive this is, and what it refused.

:class:`ArchiveIdentity` holds one row, a UUID written when the archive is created
(migration ``0007_safekeeping``): the spool tags what it keeps with it, so items spooled
for one archive are never replayed into another (see :mod:`pipelines.spool`).

:class:`QuarantinedItem` keeps each item the database refused on its own, after the
batch it came in was retried item by item (:mod:`pipelines.store`): nothing fetched is
dropped, and ``stats``, the job record and the health checks count them. ``item`` is the
spool's JSON line (ASCII-escaped, so any value fits), ``reason`` the database's error.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, Text, func, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from crawler.items import Article, Capture
from models.schema import Base
from models.storable import without_bad_characters
from models.types import AwareDateTime


class ArchiveIdentity(Base):
    """The archive's own UUID (one row)."""

    __tablename__ = "archive_identity"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime)


class QuarantinedItem(Base):
    """An item the database refused even alone, with why."""

    __tablename__ = "quarantined_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``"article"`` or ``"capture"``.
    kind: Mapped[str] = mapped_column(String(16))
    #: The item's URL, in full (no index, so any length fits).
    url: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    #: The item as a spool line (:func:`encode_item`), ASCII-escaped.
    item: Mapped[str] = mapped_column(Text)
    quarantined_at: Mapped[datetime] = mapped_column(AwareDateTime, index=True)


def archive_uuid(session: Session) -> str:
    """This archive's UUID (migration ``0007`` gives one to new and older archives alike)."""
    return session.scalars(select(ArchiveIdentity.uuid)).one()


def quarantined_count(session: Session) -> int:
    """Items held in quarantine, for ``newsarchive stats`` and the health checks."""
    return session.scalar(select(func.count(QuarantinedItem.id))) or 0


def quarantine(session: Session, refused: Sequence[tuple[Article | Capture, str]]) -> None:
    """Keep each ``(item, reason)`` in the quarantine (in the caller's transaction)."""
    if refused:
        now = datetime.now(UTC)
        session.execute(insert(QuarantinedItem), [
            {"kind": _kind(item), "url": without_bad_characters(item.url),
             "reason": reason, "item": encode_item(item, ascii_only=True), "quarantined_at": now}
            for item, reason in refused
        ])


def encode_item(item: Article | Capture, *, ascii_only: bool = False) -> str:
    """One JSON line for ``item`` (the spool's and the quarantine's format); ``ascii_only``
    escapes every other character, so even a NUL or an unpaired surrogate can be stored."""
    if isinstance(item, Article):
        data = item.to_dict()
    else:
        data = dataclasses.asdict(item)
        data["body"] = base64.b64encode(item.body).decode("ascii")
    return json.dumps({"kind": _kind(item), "item": data}, ensure_ascii=ascii_only)


def decode_item(line: str) -> Article | Capture:
    """Inverse of :func:`encode_item`."""
    record = json.loads(line)
    data: dict[str, Any] = record["item"]
    if record["kind"] == "article":
        return Article.from_dict(data)
    return Capture(**{**data, "body": base64.b64decode(data["body"])})


def _kind(item: Article | Capture) -> str:
    return "article" if isinstance(item, Article) else "capture"
