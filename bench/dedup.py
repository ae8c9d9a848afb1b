"""Deduplication benchmark: exact-only identity vs exact + near-duplicate linking.

``python -m bench.dedup [--articles N] [--batch B] [--near-share P] [--exact-share Q]``

N synthetic articles (default 100,000) are deduplicated twice against a fresh SQLite
archive, each run in its own process so its peak memory is its own:

* **exact**: the store's identity work — canonical URL, content fingerprint, batched
  indexed look-ups of URL aliases and fingerprints, new article and alias rows — with
  core inserts (the full ORM store writes versions, people and captures too; that cost
  is the same with or without near-duplicate linking, so it is left out of both runs);
* **full**: the same, plus :meth:`models.near_copies.NearDuplicateLinker.link` (shingles,
  MinHash, band-key look-ups in the persisted index, verification, cluster writes).

Synthetic text: words drawn Zipf-like from a 20,000-word lexicon of common characters,
so unrelated articles share frequent words as real news does. A known share of articles
are exact reposts (same text, another URL) and near copies (lead changed, a sentence
dropped, a credit line added) of an earlier article, so the run also reports how many of
each were found. Prints items/s and peak RSS per run and the full/exact ratios.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from queue import Empty
from typing import Any

from sqlalchemy import func, insert, select

from crawler.items import Article as ArticleItem
from crawler.parsing.urls import canonicalize
from models.dedup import NearDupCluster, NearDupMember
from models.engine import make_engine, session_factory, upgrade_to_head
from models.fingerprint import article_fingerprint
from models.near_copies import NearDuplicateLinker
from models.repository import StoreOutcome
from models.schema import Article, ArticleUrl, Site

COMMON_CHARS = "".join(chr(c) for c in range(0x4E00, 0x4E00 + 3500))
LEXICON_SIZE = 20_000
CREDIT = "（来源：新华日报）"


@cache
def lexicon() -> tuple[list[str], list[float]]:
    """Words of 1–4 characters and cumulative Zipf weights (1/rank)."""
    rng = random.Random("bench-dedup-lexicon")
    words = ["".join(rng.choices(COMMON_CHARS, k=rng.choice((1, 2, 2, 2, 3, 4)))) for _ in range(LEXICON_SIZE)]
    cumulative, total = [], 0.0
    for rank in range(1, LEXICON_SIZE + 1):
        total += 1 / rank
        cumulative.append(total)
    return words, cumulative


def original_paragraphs(index: int) -> list[str]:
    """The deterministic text of article ``index``: 6 paragraphs of ~4 sentences, ~800 characters."""
    rng = random.Random(index)
    words, cumulative = lexicon()
    return [
        "".join("".join(rng.choices(words, cum_weights=cumulative, k=rng.randint(8, 14))) + "，"
                + "".join(rng.choices(words, cum_weights=cumulative, k=rng.randint(6, 10))) + "。"
                for _ in range(4))
        for _ in range(6)
    ]


def kind_of(index: int, near_share: float, exact_share: float) -> tuple[str, int]:
    """(``"original"`` | ``"exact"`` | ``"near"``, source index) for article ``index``."""
    rng = random.Random(f"kind:{index}")
    roll = rng.random()
    if index < 10 or roll >= near_share + exact_share:
        return "original", index
    return ("near" if roll < near_share else "exact"), rng.randrange(index)


def synthetic_item(index: int, near_share: float, exact_share: float) -> ArticleItem:
    kind, source = kind_of(index, near_share, exact_share)
    while kind_of(source, near_share, exact_share)[0] != "original":  # copy the original, not a copy
        source = kind_of(source, near_share, exact_share)[1]
    paragraphs = original_paragraphs(source)
    if kind == "near":  # each copy edited differently, so copies of one original never match exactly
        cut = 1 + index % 5
        paragraphs = [f"本网{index}讯" + paragraphs[0], *paragraphs[1:cut], paragraphs[cut].rsplit("。", 2)[0] + "。",
                      *paragraphs[cut + 1 :], CREDIT]
    body = "\n".join(paragraphs)
    url = f"http://site{index % 7}.example.cn/n2/2020/0401/c{index % 97}-{index}.html?from=timeline"
    return ArticleItem(
        url=url, canonical_url=canonicalize(url), site=f"site{index % 7}.example.cn", title=f"标题{source}",
        body=body, simplified={"body": body}, fetched_at="2024-03-01T10:00:00+00:00",
    )


def batches(count: int, size: int, near_share: float, exact_share: float) -> Iterator[list[ArticleItem]]:
    """Items generated batch by batch, so memory holds one batch, not the whole set."""
    for start in range(0, count, size):
        yield [synthetic_item(i, near_share, exact_share) for i in range(start, min(count, start + size))]


class LeanIdentityStore:
    """The store's exact identity (URL alias → article, else fingerprint → article, else a
    new article), with batched look-ups and core inserts; see the module docstring."""

    def __init__(self) -> None:
        self.sites: dict[str, int] = {}
        self.now = datetime.now(UTC)
        self.session: Any = None

    def store(self, session: Any, items: list[ArticleItem]) -> list[StoreOutcome]:
        self.session = session
        urls = {item.canonical_url for item in items} | {item.url for item in items}
        known = dict(self.session.execute(select(ArticleUrl.url, ArticleUrl.article_id).where(ArticleUrl.url.in_(urls))).all())
        prints = [article_fingerprint(item) for item in items]
        by_print = dict(self.session.execute(
            select(Article.fingerprint, func.min(Article.id))
            .where(Article.fingerprint.in_({p.digest for p in prints if p.matchable}))
            .group_by(Article.fingerprint)
        ).all())
        outcomes = []
        for item, fingerprint in zip(items, prints, strict=True):
            if (article_id := known.get(item.canonical_url) or known.get(item.url)) is not None:
                outcome = "unchanged"
            elif fingerprint.matchable and (article_id := by_print.get(fingerprint.digest)) is not None:
                outcome = "duplicate"
            else:
                article_id, outcome = self._new_article(item, fingerprint.digest), "new"
                by_print.setdefault(fingerprint.digest, article_id)
            new_urls = [u for u in dict.fromkeys((item.canonical_url, item.url)) if u not in known]
            if new_urls:
                self.session.execute(insert(ArticleUrl), [{"url": u, "article_id": article_id} for u in new_urls])
                known.update(dict.fromkeys(new_urls, article_id))
            outcomes.append(StoreOutcome(outcome, article_id))
        return outcomes

    def _new_article(self, item: ArticleItem, digest: str) -> int:
        return self.session.scalar(insert(Article).returning(Article.id), [{
            "canonical_url": item.canonical_url, "site_id": self._site(item.site), "title": item.title,
            "body": item.body, "body_simplified_if_differs": item.simplified["body"], "fingerprint": digest,
            "first_seen": self.now, "last_seen": self.now, "current_version": 1,
        }])

    def _site(self, name: str) -> int:
        if name not in self.sites:
            self.sites[name] = self.session.scalar(insert(Site).returning(Site.id), [{"name": name}])
        return self.sites[name]


def run(mode: str, count: int, batch: int, near_share: float, exact_share: float, queue: Any) -> None:
    """One measured run (in a child process): returns figures through ``queue``."""
    folder = tempfile.mkdtemp(prefix=f"bench-dedup-{mode}-")
    url = f"sqlite:///{Path(folder) / 'archive.db'}"
    upgrade_to_head(url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    linker = NearDuplicateLinker() if mode == "full" else None
    store = LeanIdentityStore()
    outcomes: dict[str, int] = {}
    linked = 0
    started = time.perf_counter()
    for items in batches(count, batch, near_share, exact_share):
        with sessions.begin() as session:
            stored = store.store(session, items)
            if linker is not None:
                linked += len({m.article_id for m in linker.link(session, items, stored)})
        for outcome in stored:
            outcomes[outcome.outcome] = outcomes.get(outcome.outcome, 0) + 1
    seconds = time.perf_counter() - started
    with sessions() as session:
        clusters = session.scalar(select(func.count(NearDupCluster.id)))
        clustered = session.scalar(select(func.count(NearDupMember.article_id)))
    engine.dispose()
    queue.put({
        "mode": mode, "items": count, "seconds": seconds, "items_per_s": count / seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "outcomes": outcomes, "near_linked": linked, "clusters": clusters, "clustered": clustered,
    })


def measure(mode: str, args: argparse.Namespace) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=run, args=(mode, args.articles, args.batch, args.near_share, args.exact_share, queue))
    child.start()
    while True:
        try:
            figures = queue.get(timeout=5)
            break
        except Empty:
            if not child.is_alive():
                raise SystemExit(f"the {mode} run failed (exit code {child.exitcode}); its traceback is above") from None
    child.join()
    return figures


def expected_counts(args: argparse.Namespace) -> dict[str, int]:
    kinds = [kind_of(i, args.near_share, args.exact_share)[0] for i in range(args.articles)]
    return {kind: kinds.count(kind) for kind in ("original", "exact", "near")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dedup", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000, help="synthetic articles (default 100000)")
    parser.add_argument("--batch", type=int, default=500, help="items per transaction (default 500)")
    parser.add_argument("--near-share", type=float, default=0.10, help="share of near copies (default 0.10)")
    parser.add_argument("--exact-share", type=float, default=0.05, help="share of exact reposts (default 0.05)")
    args = parser.parse_args(argv)
    expected = expected_counts(args)
    print(f"dedup benchmark: {args.articles} articles ({expected['near']} near copies, {expected['exact']} exact "
          f"reposts), batches of {args.batch}, SQLite")
    exact, full = measure("exact", args), measure("full", args)
    for figures in (exact, full):
        print(f"  {figures['mode']:<6} {figures['items_per_s']:>8.0f} items/s  {figures['seconds']:>7.1f} s  "
              f"peak RSS {figures['peak_rss_mb']:>6.0f} MB  outcomes {figures['outcomes']}")
    print(f"  near copies linked {full['near_linked']} of {expected['near']}; clusters {full['clusters']}, "
          f"articles in them {full['clustered']}")
    print(f"  full/exact: throughput x{full['items_per_s'] / exact['items_per_s']:.2f}, "
          f"peak memory x{full['peak_rss_mb'] / exact['peak_rss_mb']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
