"""A local, crash-safe holding area for items the archive database could not take.

When the database is down, the store pipeline must not drop what was already fetched:
each failed batch is written here as one JSON-lines file (fsync'd, then renamed into
place, so a reader never sees half a file) and replayed once the database answers.
Several crawler processes may share the folder: a file is claimed by renaming it before
replay, so no batch is stored twice.

Line format: ``{"kind": "article" | "capture", "item": {...}}`` where ``item`` is the
dataclass as a dict (:meth:`crawler.items.Article.to_dict`); capture bodies are base64.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from crawler.default_settings import default
from crawler.items import Article, Capture
from models.safekeeping import decode_item, encode_item

#: Items the spool can hold.
SpoolItem = Article | Capture

#: Default folder, relative to the working directory (the crawl runs from the repo root).
DEFAULT_SPOOL_DIR = Path(default("NEWSARCHIVE_SPOOL_DIR"))

_SUFFIX = ".jsonl"
_CLAIM = ".replaying-"


class Spool:
    """Failed batches as files under ``directory``, replayed oldest first."""

    def __init__(self, directory: Path = DEFAULT_SPOOL_DIR) -> None:
        self.directory = Path(directory)
        self._written = 0

    def append(self, items: Sequence[SpoolItem]) -> Path:
        """Write ``items`` durably as a new spool file and return its path."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self._written += 1
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        path = self.directory / f"spool-{stamp}-{os.getpid()}-{self._written}{_SUFFIX}"
        partial = path.with_suffix(".partial")
        with partial.open("w", encoding="utf-8") as out:
            out.writelines(encode_item(item) + "\n" for item in items)
            out.flush()
            os.fsync(out.fileno())
        partial.rename(path)
        _fsync_dir(self.directory)
        return path

    def pending(self) -> list[Path]:
        """Spool files waiting for replay, oldest first; claims left by dead processes are
        released first so their items are not stranded."""
        if not self.directory.is_dir():
            return []
        for claimed in self.directory.glob(f"*{_CLAIM}*"):
            if not _process_alive(int(claimed.name.rsplit(_CLAIM, 1)[1])):
                claimed.rename(claimed.with_name(claimed.name.split(_CLAIM)[0]))
        return sorted(self.directory.glob(f"*{_SUFFIX}"))

    def pending_items(self) -> int:
        """Items waiting in the spool (being replayed included), for ``newsarchive stats``."""
        if not self.directory.is_dir():
            return 0
        files = [*self.directory.glob(f"*{_SUFFIX}"), *self.directory.glob(f"*{_CLAIM}*")]
        total = 0
        for path in files:
            try:
                with path.open(encoding="utf-8") as lines:
                    total += sum(1 for line in lines if line.strip())
            except FileNotFoundError:
                continue  # replayed meanwhile
        return total

    def replay(self, store: Callable[[list[SpoolItem]], None]) -> int:
        """Pass each pending file's items to ``store`` and delete the file once it returns.

        Stops at the first file ``store`` raises on, putting it back and re-raising, so
        the caller learns the database is still unavailable. Returns the number of items
        stored.
        """
        replayed = 0
        for path in self.pending():
            claimed = path.with_name(f"{path.name}{_CLAIM}{os.getpid()}")
            try:
                path.rename(claimed)
            except FileNotFoundError:
                continue  # another process claimed it first
            try:
                with claimed.open(encoding="utf-8") as lines:
                    items = [decode_item(line) for line in lines if line.strip()]
                store(items)
            except BaseException:
                claimed.rename(path)
                raise
            claimed.unlink()
            replayed += len(items)
        return replayed


def _fsync_dir(directory: Path) -> None:
    """Make a rename inside ``directory`` survive a power cut."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, but owned by another user
    return True
