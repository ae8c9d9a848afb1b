"""End-to-end benchmark: what the full newsarchive crawl costs on top of bare Scrapy.

Three variants crawl the same locally served replica, one after the other in one run so
their ratios hold on a noisy machine: ``bare`` (:mod:`bench.bare_spider`: fetch and yield
raw HTML, nothing else), ``sqlite`` and ``postgres`` (the full people-spider crawl with
capture, extraction, normalisation, dedup and storage, into a fresh archive).

Each variant runs in its own child process (Twisted's reactor cannot restart), and each
gets its own freshly started replica server in yet another process, so the server's
CPU is never counted and every variant meets the same cold server. The parent measures
a child's CPU as the delta of ``getrusage(RUSAGE_CHILDREN)`` around it (the whole
process: start-up, imports and migrations included, as a user pays them); the child
reports its own peak RSS and Scrapy's stats.

``python -m bench.e2e child VARIANT ...`` is the child's entry point; use
``python -m bench`` to run the benchmark.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from crawler.default_settings import environment
from crawler.cpu import STAT_PREFIX

REPO = Path(__file__).resolve().parents[1]
VARIANTS = ("bare", "sqlite", "postgres")
#: How long a replica server may take to build its site and bind its port.
SERVER_START_TIMEOUT_S = 120
_SERVING = re.compile(r"at (?P<base>http://\S+)$")
_START = re.compile(r"Start crawling at (?P<url>http://\S+?);")


class BenchError(RuntimeError):
    """A benchmark step could not run; the message says what to fix."""


# --------------------------------------------------------------------------- replica server


@contextmanager
def served_replica(articles: int, log_path: Path) -> Iterator[tuple[str, str]]:
    """Run ``newsarchive replica serve`` in its own process; yields ``(base_url, start_path)``."""
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "replica", "serve", "--articles", str(articles), "--port", "0"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    try:
        base_url, start_path = _read_announcement(process)
        yield base_url, start_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _read_announcement(process: subprocess.Popen[str]) -> tuple[str, str]:
    """The base URL and start path the server prints once its port is bound."""
    assert process.stdout is not None
    lines = [process.stdout.readline(), process.stdout.readline()]
    serving, start = _SERVING.search(lines[0].strip()), _START.search(lines[1])
    if not serving or not start:
        raise BenchError(
            f"the replica server did not start (it printed {lines!r}); run "
            "`newsarchive replica serve --port 0` by hand to see why"
        )
    base_url = serving["base"]
    return base_url, start["url"].removeprefix(base_url)


# --------------------------------------------------------------------------- databases


def postgres_server_url() -> str:
    return environment("NEWSARCHIVE_BENCH_POSTGRES")


@contextmanager
def throwaway_postgres(server_url: str) -> Iterator[str]:
    """Create an empty database on ``server_url``'s server, yield its URL, drop it after."""
    import psycopg
    from sqlalchemy import make_url

    server = make_url(server_url)
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"newsarchive_bench_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        raise BenchError(
            f"cannot create a database on {server.render_as_string(hide_password=True)} ({exc}); start "
            "PostgreSQL (`service postgresql start`) or set $NEWSARCHIVE_BENCH_POSTGRES to a server URL"
        ) from exc
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def archive_for(variant: str, workdir: Path) -> Iterator[str | None]:
    """The empty archive a variant writes to (``None`` for the bare spider)."""
    if variant == "bare":
        yield None
    elif variant == "sqlite":
        path = workdir / "archive.db"
        for stale in workdir.glob("archive.db*"):
            stale.unlink()
        yield f"sqlite:///{path}"
    elif variant == "postgres":
        with throwaway_postgres(postgres_server_url()) as url:
            yield url
    else:
        raise ValueError(f"unknown variant {variant!r}; use one of {', '.join(VARIANTS)}")


# --------------------------------------------------------------------------- parent side


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_variant(variant: str, base_url: str, start_path: str, db: str | None, workdir: Path,
                articles: int) -> dict[str, Any]:
    """Crawl the served replica with one variant in a child process and measure it.

    Returns ``pages`` (responses), ``pages_per_s`` (over Scrapy's elapsed crawl time),
    ``cpu_s`` (whole child), ``cpu_s_per_1000`` (per 1,000 replica articles),
    ``cpu_ms_per_page``, ``peak_rss_mb``, ``articles_stored`` and ``finish_reason``.
    """
    out = workdir / f"{variant}.json"
    out.unlink(missing_ok=True)
    command = [sys.executable, "-m", "bench.e2e", "child", variant, "--base-url", base_url,
               "--start-path", start_path, "--out", str(out), "--spool", str(workdir / "spool")]
    if db is not None:
        command += ["--db", db]
    before = _children_cpu_s()
    with (workdir / f"{variant}.log").open("wb") as log:
        code = subprocess.run(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, check=False).returncode
    cpu_s = _children_cpu_s() - before
    if code != 0 or not out.is_file():
        raise BenchError(f"the {variant} crawl failed (exit {code}); its log is {workdir / f'{variant}.log'}")
    child = json.loads(out.read_text())
    pages = child["pages"]
    return {
        "pages": pages,
        "pages_per_s": pages / child["elapsed_s"] if child["elapsed_s"] else None,
        "cpu_s": cpu_s,
        "cpu_s_per_1000": cpu_s * 1000 / articles,
        "cpu_ms_per_page": cpu_s * 1000 / pages if pages else None,
        "peak_rss_mb": child["peak_rss_mb"],
        "articles_stored": child["articles_stored"],
        "finish_reason": child["finish_reason"],
        # where the full crawl's time goes (crawler.cpu stats; the bare spider has none)
        "stage_cpu_ms_per_page": {
            stage: seconds * 1000 / pages for stage, seconds in child.get("stage_cpu_s", {}).items()
        } if pages else {},
    }


def cpu_ratio(results: dict[str, dict[str, Any]], variant: str) -> float | None:
    """CPU per page of ``variant`` over that of the bare spider (None if either is missing)."""
    ours, bare = results.get(variant, {}), results.get("bare", {})
    if not ours.get("cpu_ms_per_page") or not bare.get("cpu_ms_per_page"):
        return None
    return ours["cpu_ms_per_page"] / bare["cpu_ms_per_page"]


def run_e2e(articles: int, workdir: Path, variants: tuple[str, ...] = VARIANTS,
            progress: Any = print) -> dict[str, Any]:
    """Run ``variants`` against a replica of ``articles`` articles; the results dict.

    A variant that cannot run (PostgreSQL not reachable, say) is recorded under
    ``skipped`` with the reason, so the others still report.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, Any]] = {}
    skipped: dict[str, str] = {}
    for variant in variants:
        progress(f"e2e: {variant} crawl of a {articles}-article replica …")
        try:
            with archive_for(variant, workdir) as db, served_replica(articles, workdir / "server.log") as (base, start):
                results[variant] = run_variant(variant, base, start, db, workdir, articles)
        except BenchError as exc:
            progress(f"e2e: {variant} skipped: {exc}")
            skipped[variant] = str(exc)
    return {
        "articles": articles,
        "variants": results,
        "skipped": skipped,
        "cpu_ratio_sqlite_vs_bare": cpu_ratio(results, "sqlite"),
        "cpu_ratio_postgres_vs_bare": cpu_ratio(results, "postgres"),
    }


# --------------------------------------------------------------------------- child side


def _crawl_bare(base_url: str, start_path: str) -> dict[str, Any]:
    """Run :class:`bench.bare_spider.BareSpider` with the project's settings minus newsarchive's components."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from bench.bare_spider import PROJECT_COMPONENTS, BareSpider

    settings = get_project_settings()
    for name in PROJECT_COMPONENTS:
        settings.set(name, {}, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, base_url=base_url, start_path=start_path)
    process.start()
    return crawler.stats.get_stats() if crawler.stats else {}


def _crawl_full(base_url: str, db: str, spool: str) -> dict[str, Any]:
    """The full crawl exactly as ``newsarchive crawl people -a channel=js`` runs it."""
    from operations.crawl import run_crawl

    arguments = {"channel": "js", "base_url": base_url, "max_list_pages": "1000000"}
    return run_crawl("people", arguments, db=db, settings={"NEWSARCHIVE_SPOOL_DIR": spool}).stats


def child_main(argv: list[str]) -> int:
    """Crawl as one variant in this process; write what only this process knows to ``--out``."""
    parser = argparse.ArgumentParser(prog="python -m bench.e2e child")
    parser.add_argument("variant", choices=VARIANTS)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--start-path", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--spool", required=True)
    parser.add_argument("--db")
    args = parser.parse_args(argv)
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    if args.variant == "bare":
        stats = _crawl_bare(args.base_url, args.start_path)
        stored = 0
    else:
        stats = _crawl_full(args.base_url, args.db, args.spool)
        stored = stats.get("newsarchive/articles/new", 0)
    report = {
        "pages": stats.get("downloader/response_count", 0),
        "elapsed_s": stats.get("elapsed_time_seconds", 0.0),
        "articles_stored": stored,
        "finish_reason": str(stats.get("finish_reason", "unknown")),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # KiB on Linux
        "stage_cpu_s": {key.removeprefix(STAT_PREFIX): value for key, value in stats.items()
                        if key.startswith(STAT_PREFIX)},
    }
    args.out.write_text(json.dumps(report))
    return 0 if report["finish_reason"] == "finished" else 1


if __name__ == "__main__":
    if sys.argv[1:2] != ["child"]:
        sys.exit("bench/e2e.py is run by `python -m bench`; `child` is its internal entry point")
    sys.exit(child_main(sys.argv[2:]))
