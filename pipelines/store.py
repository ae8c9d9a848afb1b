"""Scrapy item pipeline writing articles and raw captures to the archive database.

A thin adapter: it batches items, times and counts them, and spools what the database
refuses; what storing means is :func:`models.store.store_batch`.

Settings (defaults and meanings in :mod:`crawler.default_settings`): ``NEWSARCHIVE_DATABASE_URL``,
``NEWSARCHIVE_STORE_BATCH_SIZE`` (a batch's look-ups and commit cost about the same for 50
items as for 500, so large batches make storing cheaper per article), ``NEWSARCHIVE_STORE_MAX_WAIT``
(a slow, polite crawl still shows its articles within seconds), ``NEWSARCHIVE_SPOOL_DIR`` and
``NEWSARCHIVE_NEAR_DUP_THRESHOLD`` (:mod:`models.near_copies`).

Stats: ``newsarchive/articles/new|changed|unchanged|duplicate|near_duplicate``, ``newsarchive/captures/stored``,
``newsarchive/store/spooled``, ``newsarchive/store/replayed``, ``newsarchive/store/retries``,
``newsarchive/store/quarantined``, ``newsarchive/store/received`` (articles and pages that reached the
pipeline) and ``newsarchive/store/kept`` (those stored, quarantined or spooled), and CPU
seconds (:mod:`crawler.cpu`) of ``store`` (whole transactions, commit included) and of its steps
``store_captures``, ``store_articles``, ``near_duplicates`` and ``search_index``.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector
from sqlalchemy.exc import DisconnectionError, IntegrityError, OperationalError

from crawler.cpu import cpu_time
from crawler.contrib.scrapy.stop import stop_crawl
from crawler.disk_full import DISK_FULL_REASON, is_disk_full
from crawler.default_settings import default, read
from crawler.items import Article, Capture
from models.engine import (
    ArchiveUnavailable,
    database_url,
    make_engine,
    session_factory,
    stale_statistics_warning,
    upgrade_to_head,
)
from models.errors import display_url, error_reason
from models.near_copies import NearDuplicateLinker
from models.repository import KnownNames
from models.safekeeping import archive_uuid, quarantine
from models.store import store_batch
from pipelines.spool import Spool, SpoolItem, url_key

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE: int = default("NEWSARCHIVE_STORE_BATCH_SIZE")
DEFAULT_MAX_WAIT_S: float = default("NEWSARCHIVE_STORE_MAX_WAIT")
#: Attempts at one batch that collides with a concurrent writer's rows before spooling it.
MAX_ATTEMPTS = 3
#: Errors meaning "the database is not there right now": spool and carry on crawling.
UNAVAILABLE_ERRORS = (OperationalError, DisconnectionError)
#: Finish reason of a crawl stopped because the archive no longer accepts writes.
UNWRITABLE_REASON = "archive_unwritable"
#: Driver messages (SQLite: read-only file, full disk, a write the OS refused) and SQLSTATEs
#: (PostgreSQL: read-only transaction, class 53 insufficient resources) meaning the database
#: is there but cannot take writes: waiting will not help, so the crawl stops instead of
#: fetching pages it cannot store.
_REFUSED_MESSAGES = ("readonly database", "read-only", "disk is full", "disk full", "no space left", "disk i/o error")
_REFUSED_SQLSTATES = ("25006", "53")


class StorePipeline:
    """Batch :class:`~crawler.items.Article` and :class:`~crawler.items.Capture` items into
    the archive; pass every item on unchanged.

    Nothing fetched is lost: a batch the database refuses is spooled to disk (see
    :mod:`pipelines.spool`) and replayed after the next successful batch and at the next
    start. A unique-key collision with another crawler writing the same article at the
    same moment rolls the batch back and stores it again, now finding the other's rows.
    A batch failing for any other reason is stored item by item, and an item the
    database refuses alone goes to the quarantine with the reason: one bad item never
    costs the others.
    """

    def __init__(
        self,
        url: str,
        batch_size: int,
        spool_dir: Path,
        stats: StatsCollector,
        near_duplicates: NearDuplicateLinker | None = None,
        max_wait_s: float = DEFAULT_MAX_WAIT_S,
    ) -> None:
        self.url = url
        self.max_wait_s = max_wait_s
        #: ``time.monotonic()`` when the held batch got its first item.
        self.batch_started = 0.0
        self.near_duplicates = near_duplicates or NearDuplicateLinker()
        self.batch_size = max(1, batch_size)
        self.spool_dir = Path(spool_dir)
        #: This archive's part of the spool folder; known once :meth:`open_spider` asked the database.
        self.spool = Spool(self.spool_dir, url=url)
        self.stats = stats
        self.engine = make_engine(url)
        self.sessions = session_factory(self.engine)
        self.batch: list[SpoolItem] = []
        #: Site and person ids for the pipeline's lifetime: each name is looked up once.
        self.names = KnownNames()
        #: Items fetched that neither the database nor the spool could take.
        self.lost = 0
        #: Set by :meth:`from_crawler`; used to stop the crawl when the archive refuses writes.
        self.crawler: Crawler | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        settings = crawler.settings
        assert crawler.stats is not None, "Scrapy always sets crawler.stats before pipelines"
        pipeline = cls(
            url=database_url(settings.get("NEWSARCHIVE_DATABASE_URL")),
            batch_size=read(settings, "NEWSARCHIVE_STORE_BATCH_SIZE"),
            spool_dir=Path(read(settings, "NEWSARCHIVE_SPOOL_DIR")),
            stats=crawler.stats,
            near_duplicates=NearDuplicateLinker.from_settings(settings),
            max_wait_s=read(settings, "NEWSARCHIVE_STORE_MAX_WAIT"),
        )
        pipeline.crawler = crawler
        return pipeline

    # ``spider`` is optional: Scrapy >= 2.13 no longer passes it, older versions do.
    def open_spider(self, spider: Any = None) -> None:
        self._prepare_archive()
        self._replay_spool()

    def _prepare_archive(self) -> None:
        """Bring the schema to the newest migration (a plain ``scrapy crawl`` on a new
        database must store like ``newsarchive crawl`` does) and learn the archive's UUID,
        which names its part of the spool. An unreachable database is not an error here:
        batches are spooled under the database's URL until it answers."""
        try:
            upgrade_to_head(self.url)
            with self.sessions() as session:
                archive = archive_uuid(session)
                stale = stale_statistics_warning(session)
        except (ArchiveUnavailable, *UNAVAILABLE_ERRORS) as exc:
            logger.warning(
                "archive database %s cannot be prepared (%s); items are spooled in %s until it answers",
                display_url(self.url), error_reason(exc), self.spool_dir,
            )
            return
        if stale:
            logger.warning("%s (%s)", stale, display_url(self.url))
        self.spool = Spool(self.spool_dir, archive, self.url)
        foreign = self.spool.foreign_items()
        if foreign:
            logger.warning(
                "%d spooled items in %s name no archive (spooled by an older version): they are not replayed "
                "into %s; if they belong to it, rename each file to spool-%s-%s-<rest of its name>",
                foreign, self.spool_dir, display_url(self.url), archive, url_key(self.url),
            )

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, (Article, Capture)):
            self.stats.inc_value("newsarchive/store/received")
            now = time.monotonic()
            if not self.batch:
                self.batch_started = now
            self.batch.append(item)
            if len(self.batch) >= self.batch_size or now - self.batch_started >= self.max_wait_s:
                self.flush()
        return item

    def close_spider(self, spider: Any = None) -> None:
        self.flush()
        self.engine.dispose()

    def flush(self) -> bool:
        """Write the held batch now; on success also replay anything spooled earlier.
        Returns whether every item of the batch was kept (stored, quarantined or spooled)."""
        batch, self.batch = self.batch, []
        lost = self.lost
        if batch and self._write_or_spool(batch):
            self._replay_spool()
        return self.lost == lost

    def _write_or_spool(self, batch: list[SpoolItem]) -> bool:
        """Store the batch, or keep what the database could not take in the spool; whether
        the database took it (a quarantined item counts as taken: it is in the archive)."""
        try:
            self._store(batch)
        except _Unstored as unstored:
            exc = unstored.cause
            self.stats.inc_value("newsarchive/store/kept", len(batch) - len(unstored.items))
            try:
                path = self.spool.append(unstored.items)
            except OSError as full:
                self._cannot_keep(unstored.items, exc, full)
                return False
            self.stats.inc_value("newsarchive/store/kept", len(unstored.items))
            self.stats.inc_value("newsarchive/store/spooled", len(unstored.items))
            logger.warning(
                "archive database %s refused a batch of %d items (%s); kept them in %s. "
                "They are stored automatically once the database works again: check that it "
                "is running and writable, then re-run a crawl (or any crawl) to replay the spool.",
                display_url(self.url),
                len(unstored.items),
                error_reason(exc),
                path,
            )
            if refuses_writes(exc):
                self._stop_crawl(exc)
            return False
        self.stats.inc_value("newsarchive/store/kept", len(batch))
        return True

    def _store(self, batch: list[SpoolItem]) -> None:
        """Store a batch; when it fails for a reason other than the database being away or
        refusing writes, store its items one by one and quarantine each that fails alone.
        Raises :class:`_Unstored` with the items not stored when the database is away."""
        try:
            self._write(batch)
            return
        except Exception as exc:
            if _database_gone(exc):
                raise _Unstored(batch, exc) from exc
            logger.warning(
                "a batch of %d items failed (%s); storing them one by one to find the item at fault",
                len(batch), error_reason(exc),
            )
        alone = sorted(batch, key=lambda item: isinstance(item, Article))  # captures first, as in a batch
        for position, item in enumerate(alone):
            try:
                self._write([item])
            except Exception as exc:
                if _database_gone(exc):
                    raise _Unstored(alone[position:], exc) from exc
                self._quarantine(item, error_reason(exc), alone[position:])

    def _quarantine(self, item: SpoolItem, reason: str, unstored: list[SpoolItem]) -> None:
        """Keep an item the database refused alone in the quarantine, with why."""
        try:
            with self.sessions.begin() as session:
                quarantine(session, [(item, reason)])
        except Exception as exc:
            raise _Unstored(unstored, exc) from exc
        self.stats.inc_value("newsarchive/store/quarantined")
        logger.error(
            "the archive refused %s %s (%s); kept it in the quarantine (newsarchive stats counts it)",
            "article" if isinstance(item, Article) else "page", display_url(item.url), reason,
        )

    def _cannot_keep(self, items: list[SpoolItem], refused: BaseException, full: OSError) -> None:
        """Neither the database nor the spool takes these items: stop before losing more.
        They were fetched and are not kept, which the storage health check reports and
        ``--resume`` repairs (it fetches again what the archive lacks)."""
        self.lost += len(items)
        stop_crawl(
            self.crawler, DISK_FULL_REASON if is_disk_full(full) else UNWRITABLE_REASON,
            "%d items fetched could not be kept: the archive database %s refused them (%s) and the spool %s "
            "cannot be written (%s): stopping the crawl. Free disk space, then run the same crawl with --resume.",
            len(items), display_url(self.url), error_reason(refused), self.spool.directory, full.strerror or full,
        )

    def _stop_crawl(self, exc: BaseException) -> None:
        """The archive is full or read-only: fetching on would only fill the spool."""
        stop_crawl(
            self.crawler, UNWRITABLE_REASON,
            "archive database %s does not accept writes (%s): stopping the crawl. Nothing is half-written "
            "(each batch is one transaction) and the refused items are in the spool %s. Free disk space or "
            "make the database writable, then run the same crawl with --resume.",
            display_url(self.url), error_reason(exc), self.spool.directory,
        )

    def _write(self, batch: list[SpoolItem]) -> None:
        """Store one batch in one transaction, retrying on a concurrent writer's collision."""
        captures = [item for item in batch if isinstance(item, Capture)]
        articles = [item for item in batch if isinstance(item, Article)]
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                with cpu_time(self.stats, "store"), self.sessions.begin() as session:
                    result = store_batch(
                        session, articles, captures, names=self.names, linker=self.near_duplicates, stats=self.stats
                    )
                break
            except BaseException as exc:
                self.names.forget()  # ids learnt in the rolled-back transaction may not exist
                if not isinstance(exc, IntegrityError) or attempt == MAX_ATTEMPTS:
                    raise
                self.stats.inc_value("newsarchive/store/retries")
                logger.info("batch collided with another writer (attempt %d); storing it again", attempt)
        for key, count in result.counts().items():
            self.stats.inc_value(f"newsarchive/{key}", count)

    def _replay_spool(self) -> None:
        try:
            replayed = self.spool.replay(self._store)
        except _Unstored as exc:
            logger.warning(
                "spooled items in %s could not be stored yet (%s); they stay there for the next attempt",
                self.spool.directory,
                error_reason(exc.cause),
            )
            return
        if replayed:
            self.stats.inc_value("newsarchive/store/replayed", replayed)
            logger.info("stored %d items from the spool in %s", replayed, self.spool.directory)


class _Unstored(Exception):
    """The database is away or refuses writes: ``items`` were not stored (``cause`` says why)."""

    def __init__(self, items: list[SpoolItem], cause: BaseException) -> None:
        super().__init__(error_reason(cause))
        self.items = items
        self.cause = cause


def _database_gone(exc: BaseException) -> bool:
    """Whether ``exc`` means no item can be stored now (spool and wait), rather than that
    something in the batch is at fault (store item by item)."""
    return isinstance(exc, UNAVAILABLE_ERRORS) or refuses_writes(exc)


def refuses_writes(exc: BaseException) -> bool:
    """Whether a database error means "full or read-only" rather than "unreachable"."""
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None) or ""
    message = str(orig or exc).lower()
    return sqlstate.startswith(_REFUSED_SQLSTATES) or any(text in message for text in _REFUSED_MESSAGES)
