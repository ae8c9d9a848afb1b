"""JSON Lines export: one ``schemas/article-export.v1.json`` record per line, UTF-8."""

from __future__ import annotations

import json
from datetime import datetime
from typing import BinaryIO

from sqlalchemy.orm import Session

from archive.records import Record


def _default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot export {type(value).__name__} as JSON")


class JsonlWriter:
    def __init__(self, stream: BinaryIO, session: Session | None = None) -> None:
        self.stream = stream

    def write(self, records: list[Record]) -> None:
        lines = "".join(json.dumps(r, ensure_ascii=False, default=_default) + "\n" for r in records)
        self.stream.write(lines.encode("utf-8"))

    def close(self) -> None:
        self.stream.flush()
