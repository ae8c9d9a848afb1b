"""Web interface latency: search page and article page p50/p95 on a large archive, SQLite and PostgreSQL.

``python -m bench.ui [--articles N] [--requests R] [--sqlite PATH] [--no-postgres]``
generates N synthetic articles (seeded, so runs compare: sentences from the search
benchmark's vocabulary, four sites, 40 sources, 300 people, dates over five years)
and stores them through the real write path (:func:`models.store.store_batch`, in
batches, search index and near-copy linking included), then serves the archive with
``newsarchive serve``'s application under uvicorn on 127.0.0.1 and times R requests of
each kind over HTTP (wall clock, client included):

* search page: ``/?q=…`` with 1-, 2- and 4-character terms, and an editor filter, each
  page with total, facets and date histogram (the page an archivist sees);
* article page: ``/articles/ID`` for random ids (every field, versions, captures, copies).

Targets (issue 18): search p95 < 300 ms, article p95 < 100 ms. ``--sqlite PATH`` keeps
the SQLite archive at PATH and reuses it on the next run when it already holds N articles.
PostgreSQL runs in a throw-away database (dropped afterwards) on
``$NEWSARCHIVE_TEST_POSTGRES_URL`` or the local server; skipped with a note when absent.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests
from sqlalchemy import func, select

from bench.search_export import SITES, _postgres, p50_p95, vocabulary
from crawler.default_settings import environment
from crawler.items import Article
from models.engine import make_engine, session_factory, upgrade_to_head
from models.schema import Article as ArticleRow
from models.store import store_batch
from pipelines.normalise import normalise
from tests.browser import LiveServer
from web.app import WebConfig

BATCH = 1000
NEWEST = datetime(2024, 3, 1, tzinfo=timezone.utc)
TARGET_SEARCH_P95_MS, TARGET_ARTICLE_P95_MS = 300, 100


def synthetic_items(count: int, seed: int = 18) -> Iterator[Article]:
    """Article items as a crawl would hand them to the store (spread over five years)."""
    rng = random.Random(seed)
    words = vocabulary(rng)
    people = ["".join(rng.choices(words, k=2))[:3] for _ in range(300)]
    sources = [f"{rng.choice(words)}日报" for _ in range(40)]
    for i in range(count):
        sentences = ["".join(rng.choices(words, k=rng.randint(6, 14))) + "。" for _ in range(rng.randint(12, 30))]
        site = SITES[i % len(SITES)]
        published = NEWEST - timedelta(minutes=26 * i)
        url = f"https://{site}/bench/{i}.html"
        yield Article(
            url=url, canonical_url=url, site=site, template="bench",
            title="".join(rng.choices(words, k=rng.randint(3, 6))),
            published_at=published.isoformat(), published_precision="minute",
            source=rng.choice(sources), authors=rng.sample(people, rng.randint(0, 2)), editors=[rng.choice(people)],
            body="\n".join("".join(sentences[j : j + 4]) for j in range(0, len(sentences), 4)),
            page_urls=[url], encoding="utf-8", fetched_at=NEWEST.isoformat(),
        )  # fmt: skip


def build(url: str, count: int) -> float:
    """Store ``count`` articles unless the archive holds them already; seconds spent."""
    upgrade_to_head(url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    started = time.perf_counter()
    try:
        with sessions() as session:
            if (session.scalar(select(func.count()).select_from(ArticleRow)) or 0) >= count:
                return 0.0
        batch: list[Article] = []
        for item in synthetic_items(count):
            batch.append(normalise(item))
            if len(batch) == BATCH:
                _store(sessions, batch)
                batch = []
        _store(sessions, batch)
    finally:
        engine.dispose()
    return time.perf_counter() - started


def _store(sessions, batch: list[Article]) -> None:  # type: ignore[no-untyped-def]
    if batch:
        with sessions.begin() as session:
            store_batch(session, batch, [])


def timed(http: requests.Session, urls: list[str]) -> tuple[float, float]:
    """p50 and p95 milliseconds of GETting each URL (every answer must be a 200)."""
    times = []
    for url in urls:
        started = time.perf_counter()
        response = http.get(url, timeout=60)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}: {response.text[:200]}")
    return p50_p95(times)


def measure(url: str, count: int, requests_each: int) -> dict[str, tuple[float, float]]:
    rng = random.Random(5)
    words = vocabulary(random.Random(18))
    terms = {n: [w for w in words if len(w) == n] or [w[:n] for w in words if len(w) >= n] for n in (1, 2, 4)}
    people = [item.editors[0] for item in synthetic_items(min(count, 2000))]
    with LiveServer(WebConfig(url)) as served, requests.Session() as http:
        http.get(served.url + "/", timeout=60)  # warm up: templates compiled, connections open
        base = served.url
        figures = {f"search {n}-char": timed(http, [f"{base}/?q={rng.choice(terms[n])}" for _ in range(requests_each)])
                   for n in (1, 2, 4) if terms[n]}
        figures["search editor filter"] = timed(http, [f"{base}/?editor={rng.choice(people)}" for _ in range(requests_each)])
        figures["article page"] = timed(http, [f"{base}/articles/{rng.randint(1, count)}" for _ in range(requests_each)])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40, help="requests per kind of page (default 40)")
    parser.add_argument("--sqlite", type=Path, help="keep the SQLite archive here (reused when already filled)")
    parser.add_argument("--postgres", default=environment("NEWSARCHIVE_TEST_POSTGRES_URL"))
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        databases = {"sqlite": (f"sqlite:///{args.sqlite or Path(folder) / 'ui.db'}", None)}
        if not args.no_postgres and (pg := _postgres(args.postgres)) is not None:
            databases["postgresql"] = pg
        try:
            print(f"{args.articles} synthetic articles, {args.requests} requests per row; "
                  f"targets p95: search < {TARGET_SEARCH_P95_MS} ms, article < {TARGET_ARTICLE_P95_MS} ms")
            for name, (url, _) in databases.items():
                seconds = build(url, args.articles)
                print(f"\n{name}: stored in {seconds:.0f} s through store_batch" if seconds else f"\n{name}: reused")
                print(f"{'page':<24}{'p50 ms':>9}{'p95 ms':>9}")
                for page, (p50, p95) in measure(url, args.articles, args.requests).items():
                    target = TARGET_ARTICLE_P95_MS if page.startswith("article") else TARGET_SEARCH_P95_MS
                    print(f"{page:<24}{p50:>9.1f}{p95:>9.1f}{'' if p95 < target else '  over target'}")
        finally:
            for _, drop in databases.values():
                if drop:
                    drop()


if __name__ == "__main__":
    main()
