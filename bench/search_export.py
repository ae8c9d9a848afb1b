"""Search latency and export throughput on a synthetic archive, SQLite and PostgreSQL.

``python -m bench.search_export [--articles N] [--postgres URL]`` builds N synthetic
articles (random sentences from a fixed vocabulary, seeded, so runs are comparable),
inserts them in bulk, builds the search index, then prints:

* search p50/p95 latency (ms, 20 queries each, limit 20) for 1-, 2- and 4-character
  terms on each database;
* export articles/s and peak memory (max RSS of a fresh child process doing only the
  export) per format, on SQLite.

PostgreSQL runs in a throw-away database that is dropped afterwards; it is skipped with
a note when the server is not reachable.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine, insert, make_url, text

from crawler.default_settings import environment
from archive.export import run_export
from archive.filters import Filters
from archive.query import parse_query
from archive.search import search
from cli.export import FORMATS
from models.engine import make_engine, session_factory, upgrade_to_head
from models.schema import Article, Site
from models.search_index import rebuild

#: Common characters the synthetic vocabulary is drawn from.
CHARACTERS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定"
    "行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些"
    "然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公"
    "无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将"
    "组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金"
    "增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类"
    "八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非"
)
SITES = ("people.com.cn", "xhby.net", "news.cn", "jschina.com.cn")
FETCHED = datetime(2024, 3, 1, tzinfo=timezone.utc)
QUERIES_PER_LENGTH = 20
#: The formats of the issue's export figures (WARC exports captures, which this archive has none of).
EXPORT_FORMATS = ("jsonl", "csv", "parquet")
INSERT_BATCH = 5000


def vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    return ["".join(rng.choices(CHARACTERS, k=rng.choice((1, 2, 2, 2, 3, 4)))) for _ in range(size)]


def synthetic_rows(count: int, seed: int = 7):
    """Article rows ready for a bulk insert (site ids 1..len(SITES))."""
    rng = random.Random(seed)
    words = vocabulary(rng)
    for i in range(1, count + 1):
        sentences = ["".join(rng.choices(words, k=rng.randint(6, 14))) + "。" for _ in range(rng.randint(15, 35))]
        body = "\n".join("".join(sentences[j : j + 4]) for j in range(0, len(sentences), 4))
        title = "".join(rng.choices(words, k=rng.randint(3, 6)))
        published = FETCHED - timedelta(minutes=7 * i)
        yield {
            "id": i, "canonical_url": f"https://example.cn/{i}.html", "site_id": i % len(SITES) + 1,
            "template": "bench", "title": title, "published_at": published, "source": rng.choice(("新华日报", "人民日报")),
            "body": body, "body_html": "", "images": [], "breadcrumbs": [], "pages": 1, "script": "zh-Hans",
            "problems": [], "title_simplified": title, "fingerprint": f"{i:064x}",
            "first_seen": FETCHED, "last_seen": FETCHED, "current_version": 1,
        }  # fmt: skip


def build(url: str, count: int) -> float:
    """Migrate, bulk-insert and index; returns seconds spent indexing."""
    upgrade_to_head(url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        session.execute(insert(Site), [{"id": i + 1, "name": name} for i, name in enumerate(SITES)])
        batch = []
        for row in synthetic_rows(count):
            batch.append(row)
            if len(batch) == INSERT_BATCH:
                session.execute(insert(Article), batch)
                batch = []
        if batch:
            session.execute(insert(Article), batch)
    started = time.perf_counter()
    with sessions.begin() as session:
        rebuild(session)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return time.perf_counter() - started


def search_latency(url: str, length: int) -> tuple[float, float]:
    rng = random.Random(length)
    engine = make_engine(url)
    sessions = session_factory(engine)
    times = []
    with sessions() as session:
        for _ in range(QUERIES_PER_LENGTH):
            term = "".join(rng.choices(CHARACTERS[:200], k=length))
            started = time.perf_counter()
            search(session, Filters(query=parse_query(term)), limit=20)
            times.append((time.perf_counter() - started) * 1000)
    engine.dispose()
    return p50_p95(times)


def p50_p95(times: list[float]) -> tuple[float, float]:
    """Median and 95th percentile of a list of latencies."""
    return statistics.median(times), statistics.quantiles(times, n=20)[18]


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _export_child(url: str, fmt: str, out: str, queue) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    started, cpu = time.perf_counter(), _cpu_seconds()
    count = run_export(session_factory(engine), FORMATS[fmt], Filters(), Path(out))
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    queue.put((count, seconds, cpu, _peak_mib()))


def _peak_mib() -> float:
    """This process's peak resident memory. Linux's ``ru_maxrss`` survives the fork and
    exec of a spawned child, so it would report the parent's peak (the bench process
    holding a whole synthetic build); ``VmHWM`` belongs to the new process image."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export_figures(url: str, fmt: str, folder: Path) -> tuple[float, float, float]:
    """(articles/s, articles per CPU second, peak RSS MiB) of exporting everything in a
    fresh process. The CPU figure is what an idle machine would give (the export is
    single-threaded); on a shared machine the wall-clock rate says more about the neighbours."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_export_child, args=(url, fmt, str(folder / f"all{FORMATS[fmt].suffix}"), queue))
    child.start()
    count, seconds, cpu, peak = queue.get()
    child.join()
    return count / seconds, count / cpu, peak


def _postgres(server: str) -> tuple[str, callable] | None:
    admin = create_engine(server, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    name = f"newsarchive_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 -- any failure means "no PostgreSQL here"
        print(f"PostgreSQL skipped: {server} not usable ({type(exc).__name__})")
        return None

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(server).set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--postgres", default=environment("NEWSARCHIVE_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        databases = {"sqlite": (f"sqlite:///{Path(folder) / 'bench.db'}", None)}
        if (pg := _postgres(args.postgres)) is not None:
            databases["postgresql"] = pg
        try:
            print(f"{args.articles} synthetic articles")
            print(f"{'database':<12}{'index s':>9}" + "".join(f"{f'{n}-char p50/p95 ms':>22}" for n in (1, 2, 4)))
            for name, (url, _) in databases.items():
                indexing = build(url, args.articles)
                cells = "".join(f"{'%.1f / %.1f' % search_latency(url, n):>22}" for n in (1, 2, 4))
                print(f"{name:<12}{indexing:>9.1f}{cells}")
            print(f"\n{'export (sqlite)':<16}{'articles/s':>12}{'per CPU-s':>12}{'peak RSS MiB':>14}")
            for fmt in EXPORT_FORMATS:
                rate, per_cpu, peak = export_figures(databases["sqlite"][0], fmt, Path(folder))
                print(f"{fmt:<16}{rate:>12.0f}{per_cpu:>12.0f}{peak:>14.0f}")
        finally:
            for _, drop in databases.values():
                if drop:
                    drop()


if __name__ == "__main__":
    main()
