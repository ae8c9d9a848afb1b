"""Run one crawl in this process and report what it did.

Every way of starting a crawl (``newsarchive crawl``, ``demo``, the scheduler's
child processes) goes through :func:`run_crawl`, so they all check the archive first,
bring its schema to head, and end with the same summary and exit code.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.default_settings import read
from crawler.disk_full import DISK_FULL_REASON
from crawler.spiders.arguments import UnknownArgument, check
from models.engine import ArchiveUnavailable, check_writable, database_url, upgrade_to_head
from operations.figures import figures
from operations.health import access_problem
from operations.jobs import job_outcome
from operations.resume import JobBusy, JobFolder, job_path, open_job_folder

log = logging.getLogger(__name__)


class CrawlFailed(Exception):
    """The crawl could not start or did not finish; the message says what to do."""


@dataclass
class CrawlResult:
    spider: str
    finish_reason: str
    stats: dict[str, Any] = field(default_factory=dict)

    def value(self, key: str, default: int = 0) -> Any:
        return self.stats.get(key, default)

    @property
    def ok(self) -> bool:
        return self.finish_reason == "finished"


def prepare_archive(db: str | None) -> str:
    """Resolve, check and migrate the archive before anything is fetched."""
    url = database_url(db)
    try:
        check_writable(url)
        upgrade_to_head(url)
    except ArchiveUnavailable as exc:
        raise CrawlFailed(str(exc)) from exc
    return url


def spider_class(name: str) -> type:
    """The project's spider called ``name``; :class:`CrawlFailed` says how to list them."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    try:
        return SpiderLoader.from_settings(get_project_settings()).load(name)
    except KeyError:
        raise CrawlFailed(f"unknown spider {name!r}: run `newsarchive crawl --list` to see the spiders") from None


def check_spider_arguments(spider: str, arguments: Iterable[str]) -> None:
    """Refuse, before anything runs or is stored, an argument ``spider`` does not take."""
    try:
        check(spider_class(spider), arguments)
    except UnknownArgument as exc:
        raise CrawlFailed(str(exc)) from None


def run_crawl(spider: str, arguments: dict[str, str], *, db: str | None = None,
              settings: dict[str, Any] | None = None, resumable: bool = False, resume: bool = False) -> CrawlResult:
    """Crawl ``spider`` with ``arguments`` into the archive at ``db``; blocks until done.

    ``resumable`` keeps the crawl's frontier in a job folder, and ``resume`` continues
    the last run of the same crawl, even a killed one (see :mod:`operations.resume`).
    """
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    check_spider_arguments(spider, arguments)
    url = prepare_archive(db)
    project = get_project_settings()
    project.set("NEWSARCHIVE_DATABASE_URL", url, priority="cmdline")
    for name, value in (settings or {}).items():
        project.set(name, value, priority="cmdline")
    _hand_logging_to_scrapy()
    process = CrawlerProcess(project)
    if spider not in process.spider_loader.list():
        raise CrawlFailed(f"unknown spider {spider!r}: run `newsarchive crawl --list` to see the spiders")
    job = _job_folder(project, spider, arguments, url, resume) if resumable or resume else JobFolder(path=None)
    for name, value in job.settings.items():
        project.set(name, value, priority="cmdline")
    crawler = process.create_crawler(spider)
    errors: list[str] = []
    deferred = process.crawl(crawler, **arguments)
    deferred.addErrback(lambda failure: errors.append(failure.getErrorMessage()))
    try:
        process.start()
    finally:
        stats = _stats_of(crawler)
        done = figures(stats)
        job.close(finished=bool(errors) or stats.get("finish_reason") == "finished",
                  trusted=done.items_kept >= done.items_received and stats.get("finish_reason") != DISK_FULL_REASON)
    if errors:
        raise CrawlFailed(f"spider {spider!r} could not run: {errors[0]}")
    return CrawlResult(spider=spider, finish_reason=str(stats.get("finish_reason", "unknown")), stats=stats)


def _hand_logging_to_scrapy() -> None:
    """Scrapy's root handler takes over for the crawl, so LOG_FILE, LOG_LEVEL and
    LOG_FORMAT (settings or ``-s``) apply; the command's own handler would print twice."""
    for handler in list(logging.root.handlers):
        logging.root.removeHandler(handler)


def _stats_of(crawler: Any) -> dict[str, Any]:
    """The crawl's stats; none when the spider failed before the crawl began."""
    try:
        return crawler.stats.get_stats()
    except RuntimeError:  # Crawler.stats is only set once the crawl has started
        return {}


def _job_folder(project: Any, spider: str, arguments: dict[str, str], url: str, resume: bool) -> JobFolder:
    root = Path(read(project, "NEWSARCHIVE_JOBS_DIR"))
    try:
        return open_job_folder(job_path(root, spider, arguments, url), resume)
    except JobBusy as exc:
        raise CrawlFailed(str(exc)) from exc


def summary_lines(result: CrawlResult) -> list[str]:
    """The human summary printed after a crawl."""
    v = result.value
    f = figures(result.stats)
    http_errors = {k.rsplit("/", 1)[1]: n for k, n in result.stats.items()
                   if k.startswith("newsarchive/http_status/") and not k.endswith(("/200", "/304"))}
    problems = {k.rsplit("/", 1)[1]: n for k, n in result.stats.items() if k.startswith("newsarchive/problems/")}
    cause = access_problem(f)  # the first real cause (DNS, refusals, blocks) leads, not buried in logs
    return [
        f"crawl {result.spider}: {job_outcome(result.finish_reason, True)}",
        *([f"  cause              {cause}"] if cause else []),
        f"  pages fetched      {v('downloader/response_count')}",
        f"  articles new       {v('newsarchive/articles/new')}",
        f"  articles changed   {v('newsarchive/articles/changed')}",
        f"  articles unchanged {v('newsarchive/articles/unchanged')}",
        f"  duplicates         {v('newsarchive/articles/duplicate')}",
        f"  not articles       {figures(result.stats).not_articles_line}",
        f"  multi-page merged  {v('newsarchive/multipage_articles')}",
        f"  problems           {', '.join(f'{k} {n}' for k, n in sorted(problems.items())) or 'none'}",
        f"  HTTP errors        {', '.join(f'{k}: {n}' for k, n in sorted(http_errors.items())) or 'none'}",
        f"  skipped            {f.skipped_archived} archived pages not fetched again, {f.not_modified} not modified",
        f"  download failures  {f.download_errors}",
        f"  blocked            {v('newsarchive/blocked')}",
    ]
