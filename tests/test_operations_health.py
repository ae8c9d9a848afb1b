"""Health checks judge a job against its recent runs and fixed limits (pure functions)."""

from __future__ import annotations

from operations.figures import figures
from operations.health import Thresholds, health_lines, healthy, record_in_stats, run_checks


def _stats(new: int = 50, editors: int | None = None, pages: int = 60, errors: int = 0) -> dict[str, int]:
    """A job's stats as the pipelines, middlewares and recorder count them."""
    stats = {"downloader/response_count": pages, "newsarchive/articles/new": new, "newsarchive/fields/articles": new}
    for name in ("title", "published_at", "source", "authors", "body", "breadcrumbs"):
        stats[f"newsarchive/fields/{name}"] = new
    stats["newsarchive/fields/editors"] = new if editors is None else editors
    if errors:
        stats["newsarchive/http_status/503"] = errors
    return stats


def _verdicts(current: dict, history: list[dict]) -> dict[str, bool]:
    results = run_checks(figures(current), [figures(h) for h in history], Thresholds())
    return {r.name: r.ok for r in results}


def test_a_normal_run_passes_every_check():
    assert all(_verdicts(_stats(), [_stats(), _stats(new=55)]).values())


def test_editors_vanishing_fails_coverage_and_names_the_field():
    results = run_checks(figures(_stats(editors=0)), [figures(_stats())] * 3, Thresholds())
    coverage = next(r for r in results if r.name == "coverage")
    assert not coverage.ok
    assert "editors 0%" in coverage.detail and "template" in coverage.detail


def test_items_far_below_recent_runs_fail():
    verdicts = _verdicts(_stats(new=10), [_stats(new=50)] * 5)
    assert verdicts["items"] is False
    assert verdicts["articles"] is True


def test_zero_articles_fail_even_without_history():
    assert _verdicts(_stats(new=0), [])["articles"] is False


def test_error_rate_above_threshold_fails_but_a_small_crawl_is_not_judged():
    assert _verdicts(_stats(pages=100, errors=30), [])["error_rate"] is False
    assert _verdicts(_stats(new=3, pages=6, errors=1), [])["error_rate"] is True


def test_articles_known_from_earlier_crawls_count_as_seen():
    quiet = {"downloader/response_count": 5, "newsarchive/incremental/skipped": 48}
    assert all(_verdicts(quiet, [_stats()] * 3).values())


def test_thresholds_come_from_settings():
    from scrapy.settings import Settings

    limits = Thresholds.from_settings(Settings({"NEWSARCHIVE_HEALTH_COVERAGE_DROP": "0.9"}))
    results = run_checks(figures(_stats(editors=25)), [figures(_stats())] * 3, limits)
    assert all(r.ok for r in results)


def test_results_in_stats_drive_the_report_and_exit():
    class Stats(dict):
        def set_value(self, key: str, value: object) -> None:
            self[key] = value

    stats = Stats()
    record_in_stats(stats, run_checks(figures(_stats(new=0)), [], Thresholds()))
    assert not healthy(stats)
    assert health_lines(stats)[0].startswith("health checks FAILED")
    assert any("articles" in line and "FAILED" in line for line in health_lines(stats))


def test_pages_rejected_as_not_articles_are_counted_by_reason_in_the_checks():
    stats = {**_stats(), "newsarchive/not_article/reason/a list page": 3,
             "newsarchive/not_article/reason/a login page": 1}
    results = {r.name: r for r in run_checks(figures(stats), [], Thresholds())}
    assert results["not_articles"].ok
    assert results["not_articles"].detail == "4 pages rejected as not articles: reasons a list page 3, a login page 1"
    assert run_checks(figures(_stats()), [], Thresholds())[-1].detail == "no pages rejected as not articles"


def test_items_fetched_but_neither_stored_nor_spooled_fail_the_storage_check():
    lost = {**_stats(), "newsarchive/store/received": 120, "newsarchive/store/kept": 100}
    results = {r.name: r for r in run_checks(figures(lost), [], Thresholds())}
    assert not results["storage"].ok and "20 of 120 items" in results["storage"].detail
    kept = {**_stats(), "newsarchive/store/received": 120, "newsarchive/store/kept": 120, "newsarchive/store/spooled": 7}
    assert _verdicts(kept, [])["storage"] is True


def test_quarantined_items_fail_the_storage_check_and_say_where_they_are():
    held = {**_stats(), "newsarchive/store/received": 12, "newsarchive/store/kept": 12,
            "newsarchive/store/quarantined": 2}
    [storage] = [r for r in run_checks(figures(held), [], Thresholds()) if r.name == "storage"]
    assert not storage.ok and "2 items" in storage.detail and "quarantine" in storage.detail
