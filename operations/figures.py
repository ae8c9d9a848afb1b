"""The figures of one crawl, read from Scrapy's stats as the job row stores them.

The pipelines and middlewares count into Scrapy's stats under ``newsarchive/…`` keys;
this module is the one place that knows those keys, so the ``jobs`` listing, the
health checks and the scheduler's log lines all read the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Article outcomes the store pipeline counts (``newsarchive/articles/<outcome>``).
ARTICLE_OUTCOMES = ("new", "changed", "unchanged", "duplicate")
#: Article fields whose coverage every job records (``newsarchive/fields/<name>``).
COVERAGE_FIELDS = ("title", "published_at", "source", "authors", "editors", "body", "breadcrumbs")
#: Stats key counting the articles the coverage figures are out of.
FIELDS_TOTAL = "newsarchive/fields/articles"
#: Pages judged not to be articles, counted by reason (``newsarchive/not_article/reason/<kind>``).
NOT_ARTICLE_REASONS = "newsarchive/not_article/reason/"
#: Stats key of a distributed worker's job holding the whole crawl's figure stats
#: (:mod:`crawler.distributed.totals`); health checks judge those, not the worker's share.
CRAWL_TOTALS = "newsarchive/distributed/crawl"
#: Requests dropped on purpose (incremental skips) count as downloader exceptions in Scrapy.
_SKIPS = "downloader/exception_type_count/scrapy.exceptions.IgnoreRequest"


def _by_suffix(stats: Mapping[str, Any], prefix: str) -> dict[str, int]:
    return {key[len(prefix):]: int(value) for key, value in stats.items() if key.startswith(prefix)}


@dataclass(frozen=True)
class Figures:
    """What a crawl did, in the units operators talk about."""

    pages_fetched: int
    articles: dict[str, int]
    problems: dict[str, int]
    http_errors: dict[str, int]
    download_errors: int
    skipped_archived: int
    not_modified: int
    coverage: dict[str, float] = field(default_factory=dict)
    coverage_sample: int = 0
    #: Pages rejected as not articles, by reason (their captures are kept for reparse).
    not_articles: dict[str, int] = field(default_factory=dict)
    #: Articles and pages the store pipeline received, and how many of them it accounted
    #: for (stored, quarantined or spooled): the difference was lost.
    items_received: int = 0
    items_kept: int = 0
    #: Items the archive refused even alone (kept in its quarantine, not archived).
    quarantined: int = 0
    spooled: int = 0
    #: Block, challenge and captcha pages met (never archived; see :mod:`crawler.blocks`).
    blocked: int = 0
    #: Hosts given up after block pages in a row.
    stopped_hosts: tuple[str, ...] = ()
    #: Failed connections by ``kind/host[:port]`` (kind: dns, refused, timeout, connect).
    unreachable: dict[str, int] = field(default_factory=dict)

    @property
    def not_articles_line(self) -> str:
        return not_articles_line(self.not_articles)

    @property
    def articles_stored(self) -> int:
        return sum(self.articles.values())

    @property
    def articles_seen(self) -> int:
        """Articles the crawl found on the site: stored, or known already and not re-fetched.

        An incremental re-crawl of an unchanged site stores nothing, yet is healthy:
        it found every article and knew it had it.
        """
        return self.articles_stored + self.skipped_archived + self.not_modified

    @property
    def requests(self) -> int:
        """Requests that reached the network: answered, or failed to download."""
        return self.pages_fetched + self.download_errors

    @property
    def error_rate(self) -> float:
        """HTTP errors and failed downloads per request made (0 when nothing was requested)."""
        errors = sum(self.http_errors.values()) + self.download_errors
        return errors / self.requests if self.requests else 0.0


def not_articles_line(counts: Mapping[str, int]) -> str:
    """``N pages rejected as not articles: reasons a list page 3, a login page 1`` from counts by reason."""
    total = sum(counts.values())
    if not total:
        return "no pages rejected as not articles"
    reasons = ", ".join(f"{k} {n}" for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return f"{total} pages rejected as not articles: reasons {reasons}"


def figures(stats: Mapping[str, Any]) -> Figures:
    """Read :class:`Figures` from a Scrapy stats dict (live or as stored on a job)."""
    articles = {outcome: int(stats.get(f"newsarchive/articles/{outcome}", 0)) for outcome in ARTICLE_OUTCOMES}
    statuses = _by_suffix(stats, "newsarchive/http_status/")
    http_errors = {code: n for code, n in statuses.items() if code.isdigit() and int(code) >= 400}
    total = int(stats.get(FIELDS_TOTAL, 0))
    coverage = {name: int(stats.get(f"newsarchive/fields/{name}", 0)) / total for name in COVERAGE_FIELDS} if total else {}
    return Figures(
        pages_fetched=int(stats.get("downloader/response_count", 0)),
        articles=articles,
        problems=_by_suffix(stats, "newsarchive/problems/"),
        http_errors=http_errors,
        download_errors=int(stats.get("downloader/exception_count", 0)) - int(stats.get(_SKIPS, 0)),
        skipped_archived=int(stats.get("newsarchive/incremental/skipped", 0)),
        not_modified=int(stats.get("newsarchive/incremental/not_modified", 0)),
        coverage=coverage,
        coverage_sample=total,
        not_articles=_by_suffix(stats, NOT_ARTICLE_REASONS),
        blocked=int(stats.get("newsarchive/blocked", 0)),
        stopped_hosts=tuple(sorted(_by_suffix(stats, "newsarchive/blocked/stopped/"))),
        unreachable=_by_suffix(stats, "newsarchive/unreachable/"),
        items_received=int(stats.get("newsarchive/store/received", 0)),
        items_kept=int(stats.get("newsarchive/store/kept", 0)),
        quarantined=int(stats.get("newsarchive/store/quarantined", 0)),
        spooled=int(stats.get("newsarchive/store/spooled", 0)),
    )


def crawl_figures(stats: Mapping[str, Any]) -> Figures:
    """The figures of the crawl a job took part in: the whole distributed crawl's when the
    job was one of its workers, else the job's own."""
    totals = stats.get(CRAWL_TOTALS)
    return figures(totals if isinstance(totals, Mapping) else stats)


def figure_lines(f: Figures) -> list[str]:
    """Indented human lines for ``jobs show`` and the end-of-crawl report."""
    articles = "  ".join(f"{k} {v}" for k, v in f.articles.items())
    problems = ", ".join(f"{k} {n}" for k, n in sorted(f.problems.items())) or "none"
    errors = ", ".join(f"{k}: {n}" for k, n in sorted(f.http_errors.items())) or "none"
    coverage = "  ".join(f"{k} {v:.0%}" for k, v in f.coverage.items()) or "no articles fetched"
    return [
        f"  pages fetched   {f.pages_fetched}",
        f"  articles        {articles}",
        f"  incremental     {f.skipped_archived} skipped as archived, {f.not_modified} not modified",
        f"  problems        {problems}",
        f"  HTTP errors     {errors}; download errors {f.download_errors}",
        f"  blocked         {f.blocked}" + (f" (gave up {', '.join(f.stopped_hosts)})" if f.stopped_hosts else ""),
        f"  field coverage  {coverage}",
        f"  not articles    {f.not_articles_line}",
        f"  storage         {f.items_kept} of {f.items_received} items kept; {f.spooled} spooled, "
        f"{f.quarantined} quarantined",
    ]


def progress_line(stats: dict[str, Any], elapsed: float) -> str:
    """What the operator sees: enough to tell a healthy crawl from a stuck or failing one."""
    f = figures(stats)  # errors are HTTP errors and failed downloads; archived pages skipped are no error
    errors = sum(f.http_errors.values()) + f.download_errors
    rate = f.pages_fetched / elapsed if elapsed > 0 else 0.0
    return (
        f"pages {f.pages_fetched}  articles new {f.articles['new']} changed {f.articles['changed']} "
        f"unchanged {f.articles['unchanged']} dup {f.articles['duplicate']}  skipped {f.skipped_archived}  "
        f"{rate:.1f} pages/s  errors {errors}  queued {stats.get('scheduler/enqueued', 0) - stats.get('scheduler/dequeued', 0)}"
    )
