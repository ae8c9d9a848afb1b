"""An archive of N articles built through the real store path, and what it costs at that size.

``python -m bench.scale --articles N --db sqlite|postgresql [--offload]`` generates N
articles with the mix a real archive has, normalises them and stores them in batches
through :func:`models.store.store_batch` — the function a crawl's store pipeline calls —
together with a raw capture per page, then measures:

* **ingest**: CPU and wall seconds per slice of N/10 articles (100,000 at a million) and
  the last slice's cost against the first (target ≤ 1.25×), peak RSS; of the CPU, the
  seconds inside ``store_batch`` (the rest generates and normalises the stories), and on a
  local PostgreSQL the server's CPU seconds;
* **storage**: bytes per article of each table and its indexes, capture bytes per article,
  and (``--offload``) the WARC files' bytes after ``captures offload``;
* **search** p50/p95 over 200 queries each (one process, warm): 1-, 2- and 4-character
  terms, a phrase, a term with a site and date-range filter, an author filter;
* **show** p95 (the article view of ``newsarchive show``), and export rates (JSONL,
  Parquet) over the whole archive in a fresh process.

The mix (seeded, so runs compare): 18 sites; about 3 % of stories re-published by a
Traditional-script mirror of their site, 10 % syndicated by another site with its own
boilerplate lines (near-copies), 2 % corrected later (a second version), every article
seen under two URLs (its own and a tracking-parameter variant); authors and editors
drawn from a long-tailed (Zipf) set of 20,000 names, as a real archive's credits are.

The figures for a million articles, and where the time and bytes go, are in
``bench/README.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate
from pathlib import Path

import opencc
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Engine, make_url

from archive.facets import overview
from archive.filters import Filters
from archive.query import parse_query
from archive.search import search_page
from archive.show import article_view, find_article
from bench.search_export import (
    CHARACTERS,
    FETCHED,
    _cpu_seconds,
    _peak_mib,
    _postgres,
    export_figures,
    p50_p95,
    vocabulary,
)
from crawler.items import Article, Capture
from models.capture_store import offload
from models.engine import make_engine, session_factory, sqlite_path, stale_statistics_warning, upgrade_to_head
from models.repository import KnownNames
from models.schema import Article as ArticleRow
from models.store import store_batch
from pipelines.normalise import normalise

SITES = ("people.com.cn", "xhby.net", "jschina.com.cn", "news.cn", "zjol.com.cn", "dzwww.com", "hebnews.cn",
         "hnr.cn", "sxdaily.com.cn", "cnhubei.com", "gxnews.com.cn", "yunnan.cn", "scol.com.cn", "fjsen.com",
         "jxnews.com.cn", "hljnews.cn", "nmgnews.com.cn", "qhnews.com")
QUERIES = 200
NAMES = 20_000
BATCH = 500
#: Page chrome every capture carries (navigation, footer), so captures compress like real pages.
CHROME = "".join(f'<li><a href="/GB/{n}/index.html">频道{n}</a></li>' for n in range(120))


@dataclass
class Story:
    """One generated story and how it is published (kept small: the generator streams)."""

    n: int
    title: str
    body: str
    authors: list[str]
    editors: list[str]
    site: str


def stories(count: int, seed: int = 11) -> Iterator[Story]:
    """``count`` stories of 15–35 sentences from a fixed vocabulary (seeded)."""
    rng = random.Random(seed)
    words = vocabulary(rng)
    people = ["".join(rng.choices(CHARACTERS[:400], k=rng.choice((2, 3, 3)))) for _ in range(NAMES)]
    # cumulated once: choices() would add up all 20,000 weights at every call (same draws)
    cumulated = list(accumulate(1 / (rank + 1) for rank in range(NAMES)))
    for n in range(count):
        sentences = ["".join(rng.choices(words, k=rng.randint(6, 14))) + "。" for _ in range(rng.randint(15, 35))]
        yield Story(
            n=n,
            title="".join(rng.choices(words, k=rng.randint(3, 6))),
            body="\n".join("".join(sentences[j:j + 4]) for j in range(0, len(sentences), 4)),
            authors=rng.choices(people, cum_weights=cumulated, k=rng.choice((1, 1, 2))),
            editors=rng.choices(people, cum_weights=cumulated, k=1),
            site=SITES[n % len(SITES)],
        )


def published_items(story: Story, rng: random.Random, to_traditional: Callable[[str], str]
                    ) -> Iterator[tuple[Article, Capture]]:
    """The story as its own site publishes it, then its mirror, syndicated copy and correction."""
    when = FETCHED - timedelta(minutes=3 * story.n)
    yield _item(story, story.site, f"https://www.{story.site}/n2/{story.n}.html", story.title, story.body, when)
    draw = rng.random()
    if draw < 0.03:
        yield _item(story, story.site, f"https://big5.{story.site}/n2/{story.n}.html",
                    to_traditional(story.title), to_traditional(story.body), when)
    elif draw < 0.13:
        other = SITES[(story.n * 7 + 3) % len(SITES)]
        boilerplate = f"本文来源：{story.site}\n{story.body}\n（{other}编辑部整理，转载请注明出处）"
        yield _item(story, other, f"https://www.{other}/syndicated/{story.n}.html", story.title, boilerplate, when)
    elif draw < 0.15:
        corrected = story.body.replace("。", "，据悉。", 1)
        yield _item(story, story.site, f"https://www.{story.site}/n2/{story.n}.html", story.title, corrected,
                    when + timedelta(hours=5))


def _item(story: Story, site: str, url: str, title: str, body: str, when: datetime) -> tuple[Article, Capture]:
    fetched = (when + timedelta(minutes=30)).isoformat()
    page = (f"<html><head><meta charset=utf-8><title>{title}</title></head><body><ul>{CHROME}</ul>"
            f"<h1>{title}</h1><div class=box01>{when:%Y年%m月%d日%H:%M}</div><div id=rwb_zw><p>"
            + body.replace("\n", "</p><p>") + "</p></div></body></html>").encode()
    digest = hashlib.sha256(page).hexdigest()
    article = Article(
        url=url, canonical_url=url, site=site, template="bench", title=title,
        published_at=when.isoformat(), published_at_raw=f"{when:%Y年%m月%d日%H:%M}", published_precision="minute",
        source=site, authors=list(story.authors), editors=list(story.editors), body=body,
        page_urls=[url, f"{url}?from=timeline"], page_digests=[digest], encoding="utf-8", fetched_at=fetched,
    )
    capture = Capture(url=url, fetched_at=fetched, status=200, headers=[["Content-Type", "text/html; charset=utf-8"]],
                      body=page, digest=digest)
    return normalise(article), capture


@dataclass
class Slice:
    """One tenth of the ingest."""

    #: Stories generated so far (each with its copies and versions).
    stories: int
    #: This process's CPU seconds: the stories' generation and normalisation, and the store.
    cpu_s: float
    wall_s: float
    #: Of ``cpu_s``, the seconds spent inside ``store_batch`` (the archive's own cost).
    store_cpu_s: float = 0.0
    #: CPU seconds of the PostgreSQL server processes serving the archive (None: not measurable here).
    server_cpu_s: float | None = None


def server_cpu_ticks(engine: Engine) -> dict[int, int] | None:
    """CPU clock ticks so far of each PostgreSQL backend serving ``engine``'s database, by
    process id, when the server runs on this machine (read from ``/proc``); None on SQLite
    or a remote server. :func:`server_cpu_seconds` turns two readings into seconds.

    Why: on PostgreSQL much of a batch's cost is the server's (index look-ups, inserts),
    and a slice that grows there is invisible in the client's own CPU time.
    """
    local = engine.url.host in (None, "", "localhost", "127.0.0.1", "::1")
    if engine.dialect.name != "postgresql" or not local or not Path("/proc").is_dir():
        return None
    marker = f" {engine.url.database} ".encode()
    ticks: dict[int, int] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ") + b" "
            if not command.startswith(b"postgres") or marker not in command:
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        ticks[int(proc.name)] = int(fields[11]) + int(fields[12])
    return ticks


def server_cpu_seconds(before: dict[int, int] | None, after: dict[int, int] | None) -> float | None:
    """CPU seconds the backends alive at ``after`` spent since ``before`` (a backend started
    meanwhile counts from zero; one that ended meanwhile is not counted)."""
    if before is None or after is None:
        return None
    return sum(ticks - before.get(pid, 0) for pid, ticks in after.items()) / os.sysconf("SC_CLK_TCK")


def ingest(engine: Engine, count: int, slices: int = 10, progress: bool = True) -> list[Slice]:
    """Store ``count`` stories (and their copies) through ``store_batch``, timing each slice."""
    sessions = session_factory(engine)
    to_traditional = opencc.OpenCC("s2t").convert
    rng = random.Random(5)
    per_slice = max(1, count // slices)
    results: list[Slice] = []
    batch: list[Article | Capture] = []
    cpu, wall, done, stored = _cpu_seconds(), time.perf_counter(), 0, 0.0
    server = server_cpu_ticks(engine)

    names = KnownNames()  # as the store pipeline keeps them for its lifetime
    with sessions() as session:
        stale = stale_statistics_warning(session)
    if stale and progress:
        print(f"  {stale}: this run does so (outside the timed slices)", flush=True)

    def write() -> None:
        nonlocal stored
        started = _cpu_seconds()
        with sessions.begin() as session:
            store_batch(session, [i for i in batch if isinstance(i, Article)],
                        [i for i in batch if isinstance(i, Capture)], names=names)
        stored += _cpu_seconds() - started
        batch.clear()

    for story in stories(count):
        for article, capture in published_items(story, rng, to_traditional):
            batch += (capture, article)
        if len(batch) >= 2 * BATCH:
            write()
        done += 1
        if done % per_slice == 0 or done == count:
            if batch:
                write()
            results.append(Slice(done, _cpu_seconds() - cpu, time.perf_counter() - wall, stored,
                                 server_cpu_seconds(server, server_cpu_ticks(engine))))
            if stale:  # what autovacuum's analyze would have done in the background
                _maintain(engine, "ANALYZE")
            cpu, wall, server, stored = _cpu_seconds(), time.perf_counter(), server_cpu_ticks(engine), 0.0
            if progress:  # a line per slice, so a long run's figures survive an interrupted one
                part = results[-1]
                on_server = "" if part.server_cpu_s is None else f" + {part.server_cpu_s:.1f} server CPU s"
                print(f"  stored {done}/{count} stories: slice {len(results)} took {part.cpu_s:.1f} CPU s"
                      f" ({part.store_cpu_s:.1f} storing){on_server}, {part.wall_s:.1f} wall s", flush=True)
    return results


def _maintain(engine: Engine, statement: str) -> None:
    """Run VACUUM/ANALYZE outside a transaction, as both databases require."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(statement))


def storage(engine: Engine, articles: int) -> list[tuple[str, float, float]]:
    """(table, table bytes per article, index bytes per article), largest first."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.execute(text(
                "SELECT coalesce(i.tbl_name, d.name), sum(CASE WHEN i.type = 'index' THEN 0 ELSE d.pgsize END), "
                "sum(CASE WHEN i.type = 'index' THEN d.pgsize ELSE 0 END) FROM dbstat d "
                "LEFT JOIN sqlite_master i ON i.name = d.name GROUP BY 1")).all()
        else:
            rows = conn.execute(text(
                "SELECT c.relname, pg_table_size(c.oid), pg_indexes_size(c.oid) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' "
                "AND n.nspname = current_schema()")).all()
    return sorted(((name, table / articles, index / articles) for name, table, index in rows),
                  key=lambda row: -(row[1] + row[2]))


def latencies(engine: Engine, seed: int = 3, queries: int = QUERIES) -> dict[str, tuple[float, float]]:
    """p50/p95 milliseconds per query kind, ``queries`` (200) queries each, after one warm-up pass: a search
    is what ``newsarchive search`` waits for (the first 20 hits and the total)."""
    rng = random.Random(seed)
    words = vocabulary(random.Random(11))
    sessions = session_factory(engine)
    with sessions() as session:
        authors = session.execute(text("SELECT name FROM person LIMIT 200")).scalars().all()
        newest = session.scalar(select(func.max(ArticleRow.published_at)))
        ids = session.scalars(select(ArticleRow.id).order_by(func.random()).limit(queries)).all()
    day = newest.date() if newest else FETCHED.date()
    kinds: dict[str, Callable[[], Filters]] = {
        "1-char term": lambda: Filters(query=parse_query(rng.choice(CHARACTERS[:200]))),
        "2-char term": lambda: Filters(query=parse_query(rng.choice([w for w in words if len(w) == 2]))),
        "4-char term": lambda: Filters(query=parse_query(rng.choice([w for w in words if len(w) == 4]))),
        "phrase": lambda: Filters(query=parse_query(f'"{rng.choice(words)}{rng.choice(words)}"')),
        "term + site + dates": lambda: Filters(
            query=parse_query(rng.choice([w for w in words if len(w) == 2])), site=rng.choice(SITES),
            since=day - timedelta(days=30), until=day),
        "author": lambda: Filters(author=rng.choice(authors)),
    }
    results = {}
    with sessions() as session:
        for kind, make in kinds.items():
            asked = [make() for _ in range(queries)]
            search_page(session, asked[0], limit=20)  # a page of hits and the total, as `search` prints
            results[kind] = p50_p95([_timed(lambda q=q: search_page(session, q, limit=20)) for q in asked])
            if kind == "2-char term":  # the counts a search page shows beside its hits
                results["facets, 2-char term"] = p50_p95([_timed(lambda q=q: overview(session, q)) for q in asked])
        results["show"] = p50_p95(
            [_timed(lambda i=i: article_view(session, find_article(session, str(i)))) for i in ids])
    return results


def query_plans(engine: Engine, seed: int = 3) -> None:
    """Print the database's plan of every statement one search page of each kind runs.

    Why: a plan that scans a million rows is invisible at ten thousand; reading the plans at
    full size (``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN (ANALYZE, BUFFERS)`` on
    PostgreSQL) is how an index that is not used shows up.
    """
    statements: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001, ARG001
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    sqlite = engine.dialect.name == "sqlite"
    explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
    rng = random.Random(seed)
    words = vocabulary(random.Random(11))
    kinds = {
        "1-char term": Filters(query=parse_query(CHARACTERS[rng.randrange(200)])),
        "2-char term": Filters(query=parse_query(next(w for w in words if len(w) == 2))),
        "4-char term": Filters(query=parse_query(next(w for w in words if len(w) == 4))),
        "phrase": Filters(query=parse_query(f'"{words[0]}{words[1]}"')),
        "term + site": Filters(query=parse_query(next(w for w in words if len(w) == 2)), site=SITES[0]),
    }
    sessions = session_factory(engine)
    for kind, filters in kinds.items():
        statements.clear()
        event.listen(engine, "before_cursor_execute", record)
        try:
            with sessions() as session:
                search_page(session, filters, limit=20)
                if kind == "2-char term":
                    overview(session, filters)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        print(f"\n### plans: {kind}\n")
        with engine.raw_connection() as raw:
            cursor = raw.cursor()
            for statement, parameters in statements:
                cursor.execute(explain + statement, parameters)
                plan = [str(row[-1] if sqlite else row[0]) for row in cursor.fetchall()]
                print("```\n" + " ".join(statement.split())[:300] + "\n--\n" + "\n".join(plan) + "\n```")


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def report(name: str, url: str, count: int, do_offload: bool, folder: Path, build: bool = True,
           warcs: Path | None = None, queries: int = QUERIES) -> None:
    """Build (unless ``build`` is false: measure the archive at ``url`` as it is), measure
    and print the tables for one database."""
    upgrade_to_head(url)
    engine = make_engine(url)
    if build:
        print(f"## {count} stories into {name}", flush=True)
        articles = _ingest_tables(engine, count)
    else:
        with engine.connect() as conn:
            articles = conn.execute(select(func.count(ArticleRow.id))).scalar_one()
        print(f"## {name} archive of {articles} article rows, measured as it is", flush=True)
    _maintain(engine, "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
    print("\n| table | bytes / article | index bytes / article |\n|---|---|---|")
    for table, data, index in storage(engine, articles):
        print(f"| {table} | {data:.0f} | {index:.0f} |")
    if do_offload:
        started = time.perf_counter()
        moved = offload(session_factory(engine), (warcs or folder) / f"warc-{name}")
        warc_bytes = sum(path.stat().st_size for path in moved.files)
        print(f"\noffloaded {moved.captures} capture bodies in {time.perf_counter() - started:.0f} s: "
              f"{warc_bytes / articles:.0f} WARC bytes / article")
        _maintain(engine, "VACUUM")
        path = sqlite_path(url)
        if path is not None:
            print(f"SQLite file after VACUUM: {path.stat().st_size / articles:.0f} bytes / article")
        else:
            print("\n| table after VACUUM | bytes / article | index bytes / article |\n|---|---|---|")
            for table, data, index in storage(engine, articles)[:4]:
                print(f"| {table} | {data:.0f} | {index:.0f} |")
    print("\n| query | p50 ms | p95 ms |\n|---|---|---|")
    for kind, (p50, p95) in latencies(engine, queries=queries).items():
        print(f"| {kind} | {p50:.1f} | {p95:.1f} |", flush=True)
    print("\n| export | articles/s | per CPU-s | peak RSS MiB |\n|---|---|---|---|")
    for fmt in ("jsonl", "parquet"):
        rate, per_cpu, peak = export_figures(url, fmt, folder)
        print(f"| {fmt} | {rate:.0f} | {per_cpu:.0f} | {peak:.0f} |", flush=True)
    engine.dispose()


def _ingest_tables(engine: Engine, count: int) -> int:
    """Ingest ``count`` stories, print the slice table and the flat-cost ratio, and return
    the archive's article rows (counted once, here)."""
    slices = ingest(engine, count)
    with engine.connect() as conn:
        articles = conn.execute(select(func.count(ArticleRow.id))).scalar_one()
    print("\n| slice | stories | CPU s | store CPU s | server CPU s | wall s | CPU ms / story |\n"
          "|---|---|---|---|---|---|---|")
    previous, costs = 0, []
    for number, part in enumerate(slices, 1):
        stored = part.stories - previous
        previous = part.stories
        spent = part.cpu_s + (part.server_cpu_s or 0.0)  # the server's share counts where it is known
        costs.append(spent / stored)
        server = "—" if part.server_cpu_s is None else f"{part.server_cpu_s:.1f}"
        print(f"| {number} | {stored} | {part.cpu_s:.1f} | {part.store_cpu_s:.1f} | {server} | {part.wall_s:.1f} "
              f"| {1000 * costs[-1]:.2f} |")
    print(f"\nlast slice / first slice CPU per story (client and server): {costs[-1] / costs[0]:.2f}× "
          f"(target ≤ 1.25×); {articles} article rows; peak RSS {_peak_mib():.0f} MB")
    return articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000, help="stories to generate (default 10000)")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), action="append",
                        help="database(s) to build on (default both)")
    parser.add_argument("--offload", action="store_true", help="offload captures to WARC and measure again")
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
                        help="PostgreSQL server to create a throw-away database on")
    parser.add_argument("--keep", metavar="URL",
                        help="build into this (empty) database and keep it, instead of a throw-away one")
    parser.add_argument("--measure", metavar="URL",
                        help="measure the archive at URL as it is (no ingest): storage, search, show, export")
    parser.add_argument("--queries", type=int, default=QUERIES, help=f"searches timed per kind (default {QUERIES})")
    parser.add_argument("--explain", action="store_true",
                        help="with --measure: print the query plans of one search page of each kind, then stop")
    parser.add_argument("--warc-dir", type=Path, help="where --offload writes WARC files (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as folder:
        work = Path(folder)
        warcs = args.warc_dir or work
        if args.explain:
            if not args.measure:
                parser.error("--explain reads the plans of an existing archive: give it with --measure URL")
            query_plans(make_engine(args.measure))
            return
        if args.keep or args.measure:
            url = args.keep or args.measure
            report(make_url(url).get_backend_name(), url, args.articles, args.offload, work, build=bool(args.keep),
                   warcs=warcs, queries=args.queries)
            return
        for name in args.db or ("sqlite", "postgresql"):
            if name == "sqlite":
                report(name, f"sqlite:///{work / 'scale.db'}", args.articles, args.offload, work, warcs=warcs,
                       queries=args.queries)
                continue
            if (pg := _postgres(args.postgres)) is None:
                continue
            url, drop = pg
            try:
                report(name, url, args.articles, args.offload, work, warcs=warcs, queries=args.queries)
            finally:
                drop()


if __name__ == "__main__":
    main()
