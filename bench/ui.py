"""Web interface latency: search page and article page p50/p95 on a large archive, SQLite and PostgreSQL.

``python -m bench.ui [--articles N] [--requests R] [--sqlite PATH] [--no-postgres]``
generates N synthetic articles (seeded, so runs compare: sentences from the search
benchmark's vocabulary, four sites, 40 sources, 300 people, dates over five years)
and stores them through the real write path (:func:`models.store.store_batch`, in
batches, search index and near-copy linking included), then starts ``newsarchive serve``
on 127.0.0.1 as its own process (as a user runs it) and times R requests of each kind
over HTTP (wall clock, client included), with the server process's CPU per request:

* search page: ``/?q=…`` with 1-, 2- and 4-character terms cut from the titles of random
  articles, and an editor filter (editors drawn from the archive's most credited), each
  page with total, facets and date histogram (the page an archivist sees);
* article page: ``/articles/ID`` for random ids (every field, versions, captures, copies).

``python -m bench.ui --measure URL`` measures an existing archive instead, as it is (no
build): e.g. one kept by ``python -m bench.scale --keep URL``. Terms, editors and ids
are drawn from the archive itself, so any archive can be measured.

Targets (issue 18): search p95 < 300 ms, article p95 < 100 ms. ``--sqlite PATH`` keeps
the SQLite archive at PATH and reuses it on the next run when it already holds N articles.
PostgreSQL runs in a throw-away database (dropped afterwards) on
``$NEWSARCHIVE_TEST_POSTGRES_URL`` or the local server; skipped with a note when absent.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests
from sqlalchemy import func, make_url, select

from bench.search_export import SITES, _postgres, p50_p95, vocabulary
from crawler.default_settings import environment
from crawler.items import Article
from models.engine import make_engine, session_factory, upgrade_to_head
from models.schema import Article as ArticleRow
from models.schema import ArticlePerson, Person
from models.store import store_batch
from pipelines.normalise import normalise

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
    if count_articles(url) >= count:
        return 0.0
    engine = make_engine(url)
    sessions = session_factory(engine)
    started = time.perf_counter()
    try:
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


def count_articles(url: str) -> int:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            return session.scalar(select(func.count()).select_from(ArticleRow)) or 0
    finally:
        engine.dispose()


def _store(sessions, batch: list[Article]) -> None:  # type: ignore[no-untyped-def]
    if batch:
        with sessions.begin() as session:
            store_batch(session, batch, [])


class Served:
    """``newsarchive serve --db URL`` on a free 127.0.0.1 port, in its own process.

    Why not the app in a thread of this process: client and server then share one
    interpreter lock, and every response waited some 40 ms for the other thread (a
    3.8 KB stylesheet took 48 ms, 3.5 ms from the real server)."""

    def __init__(self, url: str) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        command = [str(Path(sys.executable).with_name("newsarchive")), "serve", "--db", url, "--port", str(self.port)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def __enter__(self) -> Served:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"newsarchive serve stopped: {self.process.stderr.read().decode()[-500:]}")
            try:
                if requests.get(self.base + "/static/app.css", timeout=5).status_code == 200:
                    return self
            except requests.ConnectionError:
                time.sleep(0.2)
        raise RuntimeError(f"newsarchive serve did not answer on {self.base} within 120 s")

    def __exit__(self, *_: object) -> None:
        self.process.terminate()
        self.process.wait(30)

    def cpu_seconds(self) -> float:
        """CPU seconds the server process has used (user + system, from ``/proc``)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(http: requests.Session, urls: list[str], served: Served) -> tuple[float, float, float]:
    """p50 and p95 milliseconds of GETting each URL (every answer must be a 200), and the
    server's CPU milliseconds per request (on a busy machine the wall clock also counts
    the wait for a core, the CPU time does not; a PostgreSQL server's own CPU is not in it)."""
    times = []
    cpu = served.cpu_seconds()
    for url in urls:
        started = time.perf_counter()
        response = http.get(url, timeout=60)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}: {response.text[:200]}")
    return (*p50_p95(times), (served.cpu_seconds() - cpu) * 1000 / len(urls))


@dataclass(frozen=True)
class Sample:
    """What the requests ask for, drawn from the archive measured."""

    ids: list[int]
    editors: list[str]
    terms: dict[int, list[str]]


def sample(url: str, seed: int = 5, size: int = 400) -> Sample:
    """Random article ids (seeded: the same archive gives the same sample), the most
    credited editors, and 1-, 2- and 4-character runs of CJK text from their titles
    (what an archivist would type)."""
    rng = random.Random(seed)
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            last = session.scalar(select(func.max(ArticleRow.id))) or 0
            wanted = sorted({rng.randint(1, last) for _ in range(size)}) if last else []
            rows = session.execute(select(ArticleRow.id, ArticleRow.title).where(ArticleRow.id.in_(wanted))).all()
            editors = session.scalars(
                select(Person.name).join(ArticlePerson, ArticlePerson.person_id == Person.id)
                .where(ArticlePerson.role == "editor").group_by(Person.name)
                .order_by(func.count().desc(), Person.name).limit(300)).all()
    finally:
        engine.dispose()
    terms: dict[int, list[str]] = {1: [], 2: [], 4: []}
    for _, title in rows:
        for run in re.findall(r"[\u4e00-\u9fff]+", title or ""):
            for n, found in terms.items():
                if len(run) >= n:
                    start = rng.randrange(len(run) - n + 1)
                    found.append(run[start : start + n])
    return Sample([row_id for row_id, _ in rows], list(editors), terms)


def measure(url: str, requests_each: int) -> dict[str, tuple[float, float, float]]:
    """p50/p95 of each kind of page on the archive at ``url``, served over HTTP."""
    rng = random.Random(5)
    drawn = sample(url)
    with Served(url) as served, requests.Session() as http:
        base = served.base
        http.get(base + "/", timeout=120)  # warm up: templates compiled, connections open
        figures = {f"search {n}-char": timed(
            http, [f"{base}/?q={rng.choice(drawn.terms[n])}" for _ in range(requests_each)], served)
                   for n in (1, 2, 4) if drawn.terms[n]}
        if drawn.editors:
            figures["search editor filter"] = timed(
                http, [f"{base}/?editor={rng.choice(drawn.editors)}" for _ in range(requests_each)], served)
        figures["article page"] = timed(
            http, [f"{base}/articles/{rng.choice(drawn.ids)}" for _ in range(requests_each)], served)
    return figures


def report(url: str, requests_each: int) -> None:
    print(f"{'page':<24}{'p50 ms':>9}{'p95 ms':>9}{'server CPU ms':>15}")
    for page, (p50, p95, cpu) in measure(url, requests_each).items():
        target = TARGET_ARTICLE_P95_MS if page.startswith("article") else TARGET_SEARCH_P95_MS
        print(f"{page:<24}{p50:>9.1f}{p95:>9.1f}{cpu:>15.1f}{'' if p95 < target else '  over target'}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40, help="requests per kind of page (default 40)")
    parser.add_argument("--sqlite", type=Path, help="keep the SQLite archive here (reused when already filled)")
    parser.add_argument("--postgres", default=environment("NEWSARCHIVE_TEST_POSTGRES_URL"))
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--measure", metavar="URL", help="measure the archive at URL as it is (no build)")
    args = parser.parse_args()
    targets = f"targets p95: search < {TARGET_SEARCH_P95_MS} ms, article < {TARGET_ARTICLE_P95_MS} ms"
    if args.measure:
        url = args.measure
        print(f"{make_url(url).get_backend_name()} archive of {count_articles(url)} articles, measured as it is, "
              f"{args.requests} requests per row; {targets}")
        report(url, args.requests)
        return
    with tempfile.TemporaryDirectory() as folder:
        databases = {"sqlite": (f"sqlite:///{args.sqlite or Path(folder) / 'ui.db'}", None)}
        if not args.no_postgres and (pg := _postgres(args.postgres)) is not None:
            databases["postgresql"] = pg
        try:
            print(f"{args.articles} synthetic articles, {args.requests} requests per row; {targets}")
            for name, (url, _) in databases.items():
                seconds = build(url, args.articles)
                print(f"\n{name}: stored in {seconds:.0f} s through store_batch" if seconds else f"\n{name}: reused")
                report(url, args.requests)
        finally:
            for _, drop in databases.values():
                if drop:
                    drop()


if __name__ == "__main__":
    main()
