"""Disk full mid-crawl: the crawl stops with a clear error and a non-zero exit, nothing is
half-written, and ``--resume`` (with space again) completes the archive.

The disk "fills" through RLIMIT_FSIZE on the crawl process: the archive file cannot grow,
and SQLite's write fails (EFBIG, reported as "disk I/O error"; a truly full disk reports
"database or disk is full", which the classifier test below produces with
``max_page_count``). No small filesystem is needed, and Python ignores SIGXFSZ, so the
write fails instead of killing the process.
"""

from __future__ import annotations

import os
import resource
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError, OperationalError

from crawler.replica.server import ReplicaServer
from crawler.replica.site import ReplicaSite
from models.engine import make_engine, session_factory, upgrade_to_head
from operations.replica_check import check_archive
from pipelines.spool import Spool, decode_item
from pipelines.store import refuses_writes
from tests.conftest import run_cli
from tests.fault_crawl import INTERRUPTIBLE, crawl_args, small_server, small_site  # noqa: F401
from tests.services import REPO, unavailable

#: Largest file the crawl may write: room for the schema and a few batches, not the site.
FILE_SIZE_LIMIT = 640 * 1024


def limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))


def test_disk_full_mid_crawl_stops_cleanly_and_resume_completes(
    tmp_path: Path, small_site: ReplicaSite, small_server: ReplicaServer
) -> None:
    db_file = tmp_path / "archive.db"
    db = f"sqlite:///{db_file}"
    upgrade_to_head(db)  # the schema fits under the limit; the crawl's batches do not
    args = crawl_args(db, small_server.base_url, tmp_path)
    full = subprocess.run([sys.executable, "-m", "cli.main", *args, *INTERRUPTIBLE], cwd=REPO,
                          capture_output=True, text=True, timeout=240, preexec_fn=limit_file_size)

    assert full.returncode != 0, full.stdout
    assert "does not accept writes (disk I/O error)" in full.stderr
    assert "crawl people: archive_unwritable" in full.stdout
    spooled = Spool(tmp_path / "spool").pending_items()
    assert spooled > 0  # the refused batches are kept, not dropped
    with sqlite3.connect(db_file) as conn:  # nothing half-written: whole batches or nothing
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        stored = conn.execute("select count(*) from article").fetchone()[0]
        assert 0 < stored < len(small_site.canonical_articles)
        assert conn.execute("select count(*) from article a left join article_version v on v.article_id = a.id "
                            "and v.number = a.current_version where v.id is null").fetchone()[0] == 0

    resumed = run_cli(*args, "--resume")
    assert resumed.returncode == 0, resumed.stdout[-2000:] + resumed.stderr[-3000:]
    assert "resuming the crawl from its saved queue" in resumed.stderr  # it stopped cleanly, queue kept
    assert "items from the spool" in resumed.stderr
    assert Spool(tmp_path / "spool").pending_items() == 0
    engine = make_engine(db)
    with session_factory(engine)() as session:
        report = check_archive(session, small_site, small_server.base_url)
    engine.dispose()
    assert report.missing == [] and report.merged_wrongly == []
    assert report.articles_in_archive == report.expected


@pytest.mark.parametrize("db_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_full_or_read_only_is_told_apart_from_unreachable(migrated_db_url: str) -> None:
    """The real drivers' errors: a full or read-only archive stops the crawl, an unreachable one is waited for."""
    engine = make_engine(migrated_db_url)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":  # a database that may not grow is a full disk to SQLite
            conn.exec_driver_sql("vacuum")  # no free pages left by the migrations to write into
            pages = conn.exec_driver_sql("pragma page_count").scalar_one()
            conn.exec_driver_sql(f"pragma max_page_count = {pages}")
            expected = "database or disk is full"
        else:
            conn.exec_driver_sql("set default_transaction_read_only = on")
            conn.commit()
            expected = "read-only transaction"
        with pytest.raises(DBAPIError, match=expected) as refused:
            conn.exec_driver_sql("create table filler (x text)")
    engine.dispose()
    assert refuses_writes(refused.value)
    unreachable = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/none")
    with pytest.raises(OperationalError) as down:
        unreachable.connect()
    unreachable.dispose()
    assert not refuses_writes(down.value)


#: The crawl's whole data folder (archive, spool, job folder) on one small tmpfs in a
#: private mount namespace, nearly filled by a ballast file; ``rm`` of the ballast is the
#: operator freeing space. Each step's output goes to a file under $OUT.
FULL_DISK_SCRIPT = """
set -u
mount -t tmpfs -o size=4m tmpfs "$DATA"
cd "$REPO"
"$PY" -m cli.main --db "$DB" db upgrade > "$OUT/upgrade.log" 2>&1
used=$(du -sk "$DATA" | cut -f1)
dd if=/dev/zero of="$DATA/ballast" bs=1k count=$((4096 - used - FREE_KB)) status=none
timeout 200 "$PY" -m cli.main "$@" > "$OUT/full.out" 2> "$OUT/full.err"; echo $? > "$OUT/full.rc"
ls -la "$DATA" "$DATA/spool" > "$OUT/after-full.ls" 2>&1
cat "$DATA"/spool/*.partial > "$OUT/partials" 2>/dev/null
cp -r "$DATA/spool" "$OUT/spool-after-full" 2>/dev/null
rm -f "$DATA/ballast"
timeout 200 "$PY" -m cli.main "$@" --resume > "$OUT/resume.out" 2> "$OUT/resume.err"; echo $? > "$OUT/resume.rc"
cp "${DB#sqlite:///}"* "$OUT/"
"""


@pytest.mark.parametrize("full", ["everything", "job folder"])
def test_a_full_disk_stops_the_crawl_loudly_and_resume_archives_everything(
    full: str, tmp_path: Path, small_site: ReplicaSite, small_server: ReplicaServer
) -> None:
    """The default layout (database, spool and job folder in one data folder), or only the
    job folder, on a disk that fills mid-crawl: the crawl stops with one clear line and a
    non-zero exit, leaves no partial spool file, does not hang; with space freed,
    ``--resume`` archives every article."""
    probe = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "true"], capture_output=True)
    if probe.returncode != 0:
        unavailable("a full disk is simulated with a tmpfs in a user namespace, and `unshare --user --mount` "
                    f"is not allowed here ({probe.stderr.decode(errors='replace').strip()})")
    data, out = tmp_path / "data", tmp_path / "out"
    data.mkdir()
    out.mkdir()
    db = f"sqlite:///{(data if full == 'everything' else tmp_path) / 'archive.db'}"
    args = crawl_args(db, small_server.base_url, data if full == "everything" else tmp_path, *INTERRUPTIBLE)
    args = [a.replace(str(tmp_path / "jobs"), str(data / "jobs")) for a in args]  # the job folder always on it
    free_kb = "160" if full == "everything" else "12"
    env = {**os.environ, "DATA": str(data), "OUT": str(out), "REPO": str(REPO), "PY": sys.executable,
           "FREE_KB": free_kb, "DB": db}
    subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", FULL_DISK_SCRIPT, "sh", *args],
                   env=env, timeout=480, check=True)

    full_rc, full_err = int((out / "full.rc").read_text()), (out / "full.err").read_text()
    assert full_rc not in (0, 124), full_err[-3000:]  # failed, and did not hang until the timeout
    stops = [line for line in full_err.splitlines() if "stopping the crawl" in line]
    assert len(stops) == 1, full_err[-3000:]
    assert "Free disk space" in stops[0]
    assert (out / "partials").read_text() == ""  # no half-written spool file left behind
    for path in (out / "spool-after-full").glob("*.jsonl") if (out / "spool-after-full").is_dir() else []:
        assert [decode_item(line) for line in path.read_text().splitlines()]  # whatever looks complete is
    resume_rc = int((out / "resume.rc").read_text())
    assert resume_rc == 0, (out / "resume.out").read_text()[-2000:] + (out / "resume.err").read_text()[-3000:]
    engine = make_engine(f"sqlite:///{out / 'archive.db'}")
    with session_factory(engine)() as session:
        report = check_archive(session, small_site, small_server.base_url)
    engine.dispose()
    assert report.missing == [] and report.merged_wrongly == []
    assert report.articles_in_archive == report.expected
