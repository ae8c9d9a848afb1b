"""Health checks run at the end of every job, in the spirit of Spidermon's monitors.

A crawl can finish "successfully" and still be useless: the site changed its template
and every editor line vanished, a block page answered every request, the list moved and
nothing new was found. These checks compare a job with its own recent history (runs of
the same schedule, or of the same spider and arguments) and with fixed limits:

``articles``        at least ``NEWSARCHIVE_HEALTH_MIN_ARTICLES`` articles seen
``items``           articles seen ≥ ``NEWSARCHIVE_HEALTH_ITEMS_RATIO`` × the
                    median of the last ``NEWSARCHIVE_HEALTH_HISTORY`` runs
``coverage``        no field's coverage more than ``NEWSARCHIVE_HEALTH_COVERAGE_DROP``
                    below its median in those runs, judged only when both
                    sides fetched ≥ ``NEWSARCHIVE_HEALTH_MIN_SAMPLE`` articles
``not_articles``    never fails: how many pages were rejected as not articles, by reason
``access``          the site let the crawler in: no host given up after block pages in a
                    row, and not every request failed to connect (DNS, refused, timeout)
``error_rate``      HTTP errors and failed downloads ≤ ``NEWSARCHIVE_HEALTH_MAX_ERROR_RATE``
                    of requests, judged from ``NEWSARCHIVE_HEALTH_MIN_REQUESTS``
                    requests on (one dead link in a quiet re-crawl is no alarm)
``storage``         every article and page fetched was stored or spooled (none lost, e.g.
                    to a full disk) and none had to be quarantined

The defaults are in :mod:`crawler.default_settings`.

"Articles seen" counts those stored and those an incremental crawl knew it had
(see :class:`operations.figures.Figures`), so a quiet re-crawl is healthy.
Results go on the job (``job_detail.checks``), into the crawl's stats
(``newsarchive/health/<name>``) for the end-of-crawl report, and make the exit non-zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from statistics import median
from typing import Any

from crawler.default_settings import default, read
from operations.figures import Figures

#: Stats key holding the number of failed checks; absent when no checks ran.
FAILED_KEY = "newsarchive/health/failed"
_RESULT_PREFIX = "newsarchive/health/check/"


@dataclass(frozen=True)
class Thresholds:
    """Limits for the checks; each is a Scrapy setting with its default in :mod:`crawler.default_settings`."""

    min_articles: int = default("NEWSARCHIVE_HEALTH_MIN_ARTICLES")
    items_ratio: float = default("NEWSARCHIVE_HEALTH_ITEMS_RATIO")
    history: int = default("NEWSARCHIVE_HEALTH_HISTORY")
    coverage_drop: float = default("NEWSARCHIVE_HEALTH_COVERAGE_DROP")
    min_sample: int = default("NEWSARCHIVE_HEALTH_MIN_SAMPLE")
    max_error_rate: float = default("NEWSARCHIVE_HEALTH_MAX_ERROR_RATE")
    min_requests: int = default("NEWSARCHIVE_HEALTH_MIN_REQUESTS")

    @classmethod
    def from_settings(cls, settings: Any) -> Thresholds:
        return cls(
            min_articles=read(settings, "NEWSARCHIVE_HEALTH_MIN_ARTICLES"),
            items_ratio=read(settings, "NEWSARCHIVE_HEALTH_ITEMS_RATIO"),
            history=read(settings, "NEWSARCHIVE_HEALTH_HISTORY"),
            coverage_drop=read(settings, "NEWSARCHIVE_HEALTH_COVERAGE_DROP"),
            min_sample=read(settings, "NEWSARCHIVE_HEALTH_MIN_SAMPLE"),
            max_error_rate=read(settings, "NEWSARCHIVE_HEALTH_MAX_ERROR_RATE"),
            min_requests=read(settings, "NEWSARCHIVE_HEALTH_MIN_REQUESTS"),
        )


@dataclass(frozen=True)
class CheckResult:
    """One check's verdict; ``detail`` is a sentence for the operator."""

    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_checks(current: Figures, history: list[Figures], limits: Thresholds) -> list[CheckResult]:
    """All checks for a finished job; ``history`` holds earlier runs' figures, newest first."""
    recent = history[: limits.history]
    return [
        _articles(current, limits),
        _items(current, recent, limits),
        _coverage(current, recent, limits),
        _access(current),
        _error_rate(current, limits),
        _storage(current),
        _not_articles(current),
    ]


def access_problem(current: Figures) -> str | None:
    """Why the crawl could not read the site, when that is the cause: blocked, or unreachable."""
    if current.stopped_hosts or (current.blocked and not current.articles_seen):
        hosts = f"; gave up {', '.join(current.stopped_hosts)}" if current.stopped_hosts else ""
        return (f"blocked by the site: {current.blocked} block/challenge/captcha pages{hosts}: "
                "wait before crawling again, slow down (DOWNLOAD_DELAY), or crawl from another network")
    failures = sum(current.unreachable.values())
    if failures and failures >= current.pages_fetched:
        kind, _, host = max(current.unreachable, key=current.unreachable.__getitem__).partition("/")
        what = {
            "dns": f"DNS lookup failed for {host.rsplit(':', 1)[0]}",
            "refused": f"connection refused by {host}",
            "timeout": f"no answer from {host}",
        }.get(kind, f"could not connect to {host}")
        return f"site unreachable: {what}: check the URL and this machine's network and DNS"
    return None


def _access(current: Figures) -> CheckResult:
    problem = access_problem(current)
    if problem:
        return CheckResult("access", False, problem)
    return CheckResult("access", True, f"{current.blocked} block pages, {sum(current.unreachable.values())} "
                                       "failed connections")


def _articles(current: Figures, limits: Thresholds) -> CheckResult:
    seen = current.articles_seen
    if seen >= limits.min_articles:
        return CheckResult("articles", True, f"{seen} articles seen")
    cause = access_problem(current)
    if cause:
        return CheckResult("articles", False, f"only {seen} articles seen (minimum {limits.min_articles}): {cause}")
    return CheckResult(
        "articles", False,
        f"only {seen} articles seen (minimum {limits.min_articles}): check that the list pages still "
        "link to articles (open the start URL in a browser) and that the site did not block the crawler",
    )


def _items(current: Figures, recent: list[Figures], limits: Thresholds) -> CheckResult:
    if not recent:
        return CheckResult("items", True, "no earlier runs to compare with")
    usual = median(f.articles_seen for f in recent)
    seen = current.articles_seen
    if seen >= limits.items_ratio * usual:
        return CheckResult("items", True, f"{seen} articles seen; recent runs saw a median of {usual:g}")
    return CheckResult(
        "items", False,
        f"{seen} articles seen, far below the median {usual:g} of the last {len(recent)} runs "
        f"(limit {limits.items_ratio:.0%}): look at the job's HTTP errors and the site's list pages",
    )


def _coverage(current: Figures, recent: list[Figures], limits: Thresholds) -> CheckResult:
    if current.coverage_sample < limits.min_sample:
        return CheckResult("coverage", True, f"too few articles fetched ({current.coverage_sample}) to judge")
    comparable = [f for f in recent if f.coverage_sample >= limits.min_sample]
    if not comparable:
        return CheckResult("coverage", True, "no earlier runs with enough articles to compare with")
    dropped = []
    for name, share in current.coverage.items():
        usual = median(f.coverage.get(name, 0.0) for f in comparable)
        if usual - share > limits.coverage_drop:
            dropped.append(f"{name} {share:.0%} (usually {usual:.0%})")
    if not dropped:
        return CheckResult("coverage", True, "every field as well covered as in recent runs")
    return CheckResult(
        "coverage", False,
        f"field coverage dropped: {', '.join(dropped)}: the site probably changed its template; "
        "run `newsarchive parse` on a fresh article page and fix the site template",
    )


def _error_rate(current: Figures, limits: Thresholds) -> CheckResult:
    rate = current.error_rate
    if current.requests < limits.min_requests:
        return CheckResult("error_rate", True, f"too few requests ({current.requests}) to judge")
    if rate <= limits.max_error_rate:
        return CheckResult("error_rate", True, f"error rate {rate:.1%}")
    return CheckResult(
        "error_rate", False,
        f"error rate {rate:.1%} above {limits.max_error_rate:.0%}: see the HTTP errors by status; "
        "many 403/429 mean the crawler is being blocked (slow it down), 404s that links moved",
    )


def _not_articles(current: Figures) -> CheckResult:
    """Never fails (list pages are rejected in every crawl) but always says how many pages were
    rejected and why, so an article wrongly rejected shows; ``newsarchive reparse`` re-reads them."""
    return CheckResult("not_articles", True, current.not_articles_line)


def _storage(current: Figures) -> CheckResult:
    lost = current.items_received - current.items_kept
    if lost > 0:
        return CheckResult(
            "storage", False,
            f"{lost} of {current.items_received} items fetched were neither stored nor spooled: the crawl "
            "stopped while writing them (see its error line); fix that, then run the same crawl with --resume",
        )
    if current.quarantined:
        return CheckResult(
            "storage", False,
            f"{current.quarantined} items the archive refused are in its quarantine, not archived: "
            "`newsarchive stats` counts them; the reasons are in the quarantined_item table",
        )
    spooled = f"; {current.spooled} spooled for the database" if current.spooled else ""
    return CheckResult("storage", True, f"{current.items_kept} items fetched, all kept{spooled}")


def record_in_stats(stats: Any, results: list[CheckResult]) -> None:
    """Put the verdicts into the crawl's stats so the end-of-crawl report can show them."""
    for result in results:
        stats.set_value(_RESULT_PREFIX + result.name, ("ok: " if result.ok else "FAILED: ") + result.detail)
    stats.set_value(FAILED_KEY, sum(not r.ok for r in results))


def healthy(stats: Mapping[str, Any]) -> bool:
    """False when any check recorded in ``stats`` failed."""
    return not stats.get(FAILED_KEY, 0)


def health_lines(stats: Mapping[str, Any]) -> list[str]:
    """The checks recorded in ``stats`` as report lines (none when no checks ran)."""
    lines = [f"  {key[len(_RESULT_PREFIX):]:<12} {value}" for key, value in stats.items()
             if key.startswith(_RESULT_PREFIX)]
    if not lines:
        return []
    reason = stats.get("finish_reason", "finished")
    if reason != "finished":  # a crawl cut short saw only part of the site: its checks prove nothing
        verdict = f"health checks not judged: the crawl did not finish ({reason})"
    else:
        verdict = "health checks passed" if healthy(stats) else "health checks FAILED (exit status 1)"
    return [verdict, *lines]


def result_lines(checks: list[dict[str, Any]]) -> list[str]:
    """Stored results (``job_detail.checks``) as report lines."""
    return [f"  {c['name']:<12} {'ok' if c['ok'] else 'FAILED'}: {c['detail']}" for c in checks]
