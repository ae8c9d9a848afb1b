"""A local, crash-safe holding area for items the archive database could not take.

When the database is down, the store pipeline must not drop what was already fetched:
each failed batch is written here as one JSON-lines file (fsync'd, then renamed into
place, so a reader never sees half a file) and replayed once the database answers.
Several crawler processes may share the folder: a file is claimed by renaming it before
replay, so no batch is stored twice.

A spool file belongs to one archive: its name carries the archive's UUID
(:mod:`models.safekeeping`) and a hash of the database URL (:func:`url_key`), which
alone identifies it when the database could not even be asked for its UUID. A crawl
replays, and ``stats`` counts, only its own archive's files, so items fetched for one
archive never land in another. Files from before this (no archive in the name) are
never replayed automatically.

Line format: ``{"kind": "article" | "capture", "item": {...}}`` where ``item`` is the
dataclass as a dict (:meth:`crawler.items.Article.to_dict`); capture bodies are base64.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import make_url

from crawler.default_settings import default
from crawler.items import Article, Capture
from models.safekeeping import decode_item, encode_item

#: Items the spool can hold.
SpoolItem = Article | Capture

#: Default folder, relative to the working directory (the crawl runs from the repo root).
DEFAULT_SPOOL_DIR = Path(default("NEWSARCHIVE_SPOOL_DIR"))

_SUFFIX = ".jsonl"
_CLAIM = ".replaying-"
#: A file's time stamp: files are replayed in the order they were written.
_STAMP = re.compile(r"\d{8}T\d{12}")
#: The UUID part of a file written while the archive's UUID was unknown.
_NO_ARCHIVE = "none"
#: Names of files that say whose they are.
_OWNED = re.compile(r"spool-(none|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-url-[0-9a-f]{16}-\d{8}T")


def url_key(url: str) -> str:
    """A short name for the database at ``url`` (a hash: no password or path in file names)."""
    plain = make_url(url).render_as_string(hide_password=True)
    return "url-" + hashlib.sha256(plain.encode()).hexdigest()[:16]


class Spool:
    """Failed batches as files under ``directory``, replayed oldest first.

    A spool for an archive (``url``, and its UUID ``archive`` once the database told it)
    writes files named ``spool-<UUID or none>-<url key>-<time>-<pid>-<n>.jsonl`` and reads
    the files of its UUID, plus those written for its URL while no UUID was known; with
    no UUID (the database cannot be asked) it reads every file written for its URL.
    Without ``url`` it reads every file in the folder (for tests and inspection) and
    cannot write.
    """

    def __init__(self, directory: Path = DEFAULT_SPOOL_DIR, archive: str | None = None, url: str | None = None) -> None:
        self.directory = Path(directory)
        self.archive = archive
        self.url = url
        self._written = 0

    def _patterns(self) -> list[str]:
        """Glob patterns of this spool's files, up to their time stamp."""
        if self.url is None:
            return ["spool-*"]
        key = url_key(self.url)
        if self.archive is None:
            return [f"spool-*-{key}-*"]
        return [f"spool-{self.archive}-*", f"spool-{_NO_ARCHIVE}-{key}-*"]

    def append(self, items: Sequence[SpoolItem]) -> Path:
        """Write ``items`` durably as a new spool file and return its path.

        A failed write (a full disk) leaves nothing behind and raises the ``OSError``.
        """
        assert self.url is not None, "a spool that writes must know its archive"
        self.directory.mkdir(parents=True, exist_ok=True)
        self._written += 1
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        owner = f"{self.archive or _NO_ARCHIVE}-{url_key(self.url)}"
        path = self.directory / f"spool-{owner}-{stamp}-{os.getpid()}-{self._written}{_SUFFIX}"
        partial = path.with_suffix(".partial")
        try:
            with partial.open("w", encoding="utf-8") as out:
                out.writelines(encode_item(item) + "\n" for item in items)
                out.flush()
                os.fsync(out.fileno())
            partial.rename(path)
            _fsync_dir(self.directory)
        except OSError:
            partial.unlink(missing_ok=True)
            raise
        return path

    def _files(self, suffix: str) -> list[Path]:
        """This spool's files whose name ends in ``suffix`` (a glob)."""
        found = {path for pattern in self._patterns() for path in self.directory.glob(pattern + suffix)}
        return sorted(found)

    def foreign_items(self) -> int:
        """Items in the folder that belong to no archive (spooled before archives had UUIDs)."""
        if not self.directory.is_dir():
            return 0
        return _count_items(path for path in self.directory.glob("spool-*") if not _OWNED.match(path.name))

    def pending(self) -> list[Path]:
        """Spool files waiting for replay, oldest first; claims left by dead processes are
        released first so their items are not stranded."""
        if not self.directory.is_dir():
            return []
        for claimed in self._files(f"{_CLAIM}*"):
            if not _process_alive(int(claimed.name.rsplit(_CLAIM, 1)[1])):
                claimed.rename(claimed.with_name(claimed.name.split(_CLAIM)[0]))
        return sorted(self._files(_SUFFIX), key=lambda path: _STAMP.search(path.name)[0])

    def pending_items(self) -> int:
        """Items waiting in the spool (being replayed included), for ``newsarchive stats``."""
        if not self.directory.is_dir():
            return 0
        return _count_items([*self._files(_SUFFIX), *self._files(f"{_CLAIM}*")])

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


def _count_items(paths: Iterable[Path]) -> int:
    """Items (non-blank lines) in these spool files; a file replayed meanwhile counts none."""
    total = 0
    for path in paths:
        try:
            with path.open(encoding="utf-8") as lines:
                total += sum(1 for line in lines if line.strip())
        except FileNotFoundError:
            continue
    return total


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
