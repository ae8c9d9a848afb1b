"""Storage benchmark: articles/s into SQLite and PostgreSQL, batched against one row per transaction.

Why: the store pipeline batches its writes (``NEWSARCHIVE_STORE_BATCH_SIZE``, default
500) because a commit and a batch's look-ups cost about the same for one item as for
hundreds (an fsync on SQLite, round trips and a WAL flush on PostgreSQL). This measures what batching buys, on both databases, in
one run so that the ratios hold on a noisy machine.

Each case feeds the same synthetic articles (each with one raw capture, as a crawl
produces them) through the real :class:`pipelines.store.StorePipeline` into a fresh,
migrated archive: a temporary SQLite file, or a throw-away PostgreSQL database on
``$NEWSARCHIVE_BENCH_POSTGRES`` (default: the local server). Times are wall-clock for
``process_item`` of every item plus the final flush; schema creation is not counted.

Run: ``.venv/bin/python -m bench.storage [--articles N] [--batch-size B] [--no-postgres]``
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from scrapy.utils.test import get_crawler

from bench.e2e import BenchError, postgres_server_url, throwaway_postgres
from crawler.items import Article, Capture
from models.engine import upgrade_to_head
from pipelines.store import DEFAULT_BATCH_SIZE, StorePipeline

#: Common characters of news prose: random sentences from them never look alike.
_HANZI = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"


@dataclass(frozen=True)
class Case:
    database: str
    mode: str
    articles: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.articles / self.seconds if self.seconds else float("inf")


def synthetic_items(count: int, seed: int = 5) -> list[Article | Capture]:
    """``count`` distinct articles, each preceded by the capture of its page."""
    rng = random.Random(seed)
    items: list[Article | Capture] = []
    for number in range(count):
        body = "\n".join("".join(rng.choices(_HANZI, k=rng.randint(40, 90))) + "。" for _ in range(8))
        url = f"http://js.people.com.cn/n2/2024/0301/c360302-{number}.html"
        page = f"<html><body><h1>{body[:20]}</h1><p>{body}</p></body></html>".encode()
        digest = hashlib.sha256(page).hexdigest()
        items.append(Capture(url=url, fetched_at="2024-03-01T10:00:00+00:00", status=200,
                             headers=[["Content-Type", "text/html; charset=utf-8"]], body=page, digest=digest))
        items.append(Article(url=url, canonical_url=url, site="people.com.cn", template="people",
                             title=body[:20], published_at="2024-03-01T08:00:00+08:00", source="新华日报",
                             authors=["张三"], editors=["王五"], body=body, page_urls=[url], page_digests=[digest],
                             fetched_at="2024-03-01T10:00:00+00:00", simplified={"body": body, "title": body[:20]}))
    return items


def store_all(url: str, items: list[Article | Capture], batch_size: int, spool: Path) -> float:
    """Seconds to pass ``items`` through a store pipeline with ``batch_size`` and close it."""
    crawler = get_crawler(settings_dict={"NEWSARCHIVE_DATABASE_URL": url, "NEWSARCHIVE_STORE_BATCH_SIZE": batch_size,
                                         "NEWSARCHIVE_SPOOL_DIR": str(spool)})
    pipeline = StorePipeline.from_crawler(crawler)
    start = time.perf_counter()
    for item in items:
        pipeline.process_item(item)
    pipeline.close_spider()
    elapsed = time.perf_counter() - start
    spooled = crawler.stats.get_value("newsarchive/store/spooled", 0) if crawler.stats else 0
    if spooled:
        raise BenchError(f"{spooled} items were spooled instead of stored: the database refused writes")
    return elapsed


@contextmanager
def fresh_archive(database: str, workdir: Path, name: str) -> Iterator[str]:
    """A new, migrated archive URL for one case."""
    if database == "sqlite":
        url = f"sqlite:///{workdir / name}.db"
        upgrade_to_head(url)
        yield url
        return
    with throwaway_postgres(postgres_server_url()) as url:
        upgrade_to_head(url)
        yield url


def run(articles: int, batch_size: int, databases: tuple[str, ...]) -> list[Case]:
    items = synthetic_items(articles)
    cases = []
    with tempfile.TemporaryDirectory(prefix="bench-storage-") as tmp:
        workdir = Path(tmp)
        for database in databases:
            for mode, size in ((f"batch of {batch_size}", batch_size), ("one per transaction", 1)):
                with fresh_archive(database, workdir, f"{database}-{size}") as url:
                    seconds = store_all(url, items, size, workdir / "spool")
                cases.append(Case(database, mode, articles, seconds))
                print(f"  {database:<10} {mode:<20} {seconds:7.2f} s", file=sys.stderr)
    return cases


def table(cases: list[Case]) -> list[str]:
    lines = [f"{'database':<10} {'writes':<20} {'articles':>8} {'seconds':>8} {'articles/s':>11}"]
    lines += [f"{c.database:<10} {c.mode:<20} {c.articles:>8} {c.seconds:>8.2f} {c.rate:>11.1f}" for c in cases]
    for database in dict.fromkeys(c.database for c in cases):
        batched, single = (c for c in cases if c.database == database)
        lines.append(f"{database}: batching is {batched.rate / single.rate:.1f}x one-row-per-transaction")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.storage", description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=300, help="articles per case (default 300)")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE,
                        help=f"batch size of the batched cases (default {DEFAULT_BATCH_SIZE}, the pipeline's)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args(argv)
    databases = ("sqlite",) if args.no_postgres else ("sqlite", "postgresql")
    try:
        cases = run(args.articles, args.batch_size, databases)
    except BenchError as exc:
        print(f"bench.storage: {exc}", file=sys.stderr)
        return 2
    print("\n".join(table(cases)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
