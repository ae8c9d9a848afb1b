"""Capture bodies offloaded to WARC files: read back, exported, reparsed, verified, never lost — on both databases."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from warcio.archiveiterator import ArchiveIterator

from cli.main import main
from crawler.replica.site import ReplicaSite
from models.capture_store import CaptureUnavailable, capture_body, offload, verify
from models.engine import make_engine, session_factory
from models.repository import store_captures
from models.schema import Article, Capture, WarcFile
from operations.reparse import reparse
from tests.archive_items import make_capture
from tests.replica_archive import BASE_URL, archive_articles, parsed
from tests.services import REPO
from tests.test_operations_reparse import old_parser, sample


def pages(count: int, prefix: str = "p") -> dict[str, bytes]:
    """``count`` distinct made-up pages by URL, big enough to compress like real ones."""
    return {
        f"http://js.people.com.cn/n2/2024/0301/c1-{prefix}{n}.html":
            (f"<html><body><h1>第{n}篇</h1>" + f"<p>南京市第{n}次会议召开，部署全年工作。</p>" * 40 + "</body></html>")
            .encode("gb18030")
        for n in range(count)
    }


def archive_of(db_url: str, bodies: dict[str, bytes], fetched_at: str = "2024-03-01T10:00:00+00:00"):
    """Sessions on ``db_url`` holding one capture per body (and a revisit of the first)."""
    sessions = session_factory(make_engine(db_url))
    with sessions.begin() as session:
        store_captures(session, [make_capture(url, body, fetched_at) for url, body in bodies.items()])
        first_url, first_body = next(iter(bodies.items()))
        store_captures(session, [make_capture(first_url, first_body, "2024-03-02T10:00:00+00:00")])
    return sessions


def bodies_by_id(sessions) -> dict[int, bytes]:
    with sessions() as session:
        return {capture_id: capture_body(session, capture_id) for capture_id in session.scalars(select(Capture.id))}


def test_offloaded_bodies_read_back_byte_for_byte_and_leave_the_database(migrated_db_url: str, tmp_path: Path) -> None:
    sessions = archive_of(migrated_db_url, pages(30))
    before = bodies_by_id(sessions)

    result = offload(sessions, tmp_path / "warc", batch_size=7)

    assert result.captures == 30  # the revisit has no body of its own to move
    assert bodies_by_id(sessions) == before
    with sessions() as session:
        assert session.scalar(select(func.count()).where(Capture.body.is_not(None))) == 0
        assert session.scalar(select(func.count()).where(Capture.warc_file_id.is_not(None))) == 30
        (warc,) = session.scalars(select(WarcFile)).all()
        assert Path(warc.path).stat().st_size == warc.bytes and warc.records == 30
    with gzip.open(warc.path) as stream:  # a plain WARC that any tool reads
        records = list(ArchiveIterator(stream))
    assert [record.rec_type for record in records] == ["response"] * 30
    assert verify(sessions).problems == []
    assert offload(sessions, tmp_path / "warc").captures == 0  # nothing left to move


def test_only_captures_older_than_the_cutoff_are_offloaded(migrated_db_url: str, tmp_path: Path) -> None:
    sessions = archive_of(migrated_db_url, pages(4, "old"), fetched_at="2024-01-01T00:00:00+00:00")
    with sessions.begin() as session:
        store_captures(session, [make_capture(url, body, "2024-06-01T00:00:00+00:00")
                                 for url, body in pages(3, "new").items()])

    result = offload(sessions, tmp_path, older_than=datetime(2024, 3, 1, tzinfo=UTC))

    assert result.captures == 4
    with sessions() as session:
        assert session.scalar(select(func.count()).where(Capture.body.is_not(None))) == 3


def test_full_files_are_sealed_with_a_cdxj_index_and_a_new_file_is_started(migrated_db_url: str,
                                                                          tmp_path: Path) -> None:
    sessions = archive_of(migrated_db_url, pages(12))

    offload(sessions, tmp_path, max_file_bytes=1, batch_size=5)

    with sessions() as session:
        files = session.scalars(select(WarcFile).order_by(WarcFile.id)).all()
    assert len(files) == 3 and all(file.sealed_at is not None for file in files)
    for file in files:
        index = Path(file.path.removesuffix(".warc.gz") + ".cdxj").read_text(encoding="utf-8").splitlines()
        assert len(index) == file.records and all("cn,com,people,js)/n2/2024/0301/" in line for line in index)


def test_bytes_a_killed_offload_left_past_the_committed_length_are_cut_off(migrated_db_url: str,
                                                                         tmp_path: Path) -> None:
    sessions = archive_of(migrated_db_url, pages(6, "a"))
    offload(sessions, tmp_path)
    with sessions.begin() as session:
        store_captures(session, [make_capture(url, body) for url, body in pages(4, "b").items()])
        warc = session.scalars(select(WarcFile)).one()
    with open(warc.path, "ab") as stream:  # a batch written, its transaction never committed
        stream.write(b"half a gzip member \x1f\x8b\x08")

    offload(sessions, tmp_path)

    with sessions() as session:
        warc = session.scalars(select(WarcFile)).one()
    assert Path(warc.path).stat().st_size == warc.bytes and warc.records == 10
    assert verify(sessions).problems == []


def test_a_corrupt_or_missing_warc_file_is_named_by_readers_and_by_verify(migrated_db_url: str, tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    sessions = archive_of(migrated_db_url, pages(5))
    offload(sessions, tmp_path)
    with sessions() as session:
        warc = Path(session.scalars(select(WarcFile.path)).one())
        last = session.scalars(select(Capture).where(Capture.warc_offset.is_not(None))
                               .order_by(Capture.warc_offset.desc()).limit(1)).one()
        last_id, offset = last.id, last.warc_offset
    data = bytearray(warc.read_bytes())
    data[offset + 40] ^= 0xFF  # inside the last record's gzip stream
    warc.write_bytes(bytes(data))

    problems = verify(sessions).problems
    assert len(problems) == 1 and f"capture {last_id} " in problems[0] and str(warc) in problems[0]
    with sessions() as session, pytest.raises(CaptureUnavailable, match=str(warc)):
        capture_body(session, last_id)
    capsys.readouterr()
    assert main(["--db", migrated_db_url, "captures", "verify"]) == 1
    assert str(warc) in capsys.readouterr().out

    warc.unlink()
    with sessions() as session, pytest.raises(CaptureUnavailable, match=f"{warc} cannot be read.*restore it"):
        capture_body(session, last_id)
    assert len(verify(sessions).problems) == 5


def test_reparse_and_warc_export_read_offloaded_bodies(migrated_db_url: str, replica_site: ReplicaSite,
                                                       tmp_path: Path) -> None:
    truths = sample(replica_site)
    sessions = session_factory(make_engine(migrated_db_url))
    with sessions.begin() as session:
        archive_articles(session, replica_site, truths, damage=old_parser)
    offload(sessions, tmp_path / "warc")

    result = reparse(sessions)

    assert result.changed == 3 and result.missing_captures == 0
    with sessions() as session:
        titles = set(session.scalars(select(Article.title)))
    assert titles == {parsed(replica_site, truth).title for truth in truths}
    out = tmp_path / "export.warc.gz"
    assert main(["--db", migrated_db_url, "export", "--format", "warc", "--out", str(out)]) == 0
    with out.open("rb") as stream:
        exported = {record.rec_headers.get_header("WARC-Target-URI"): record.content_stream().read()
                    for record in ArchiveIterator(stream) if record.rec_type == "response"}
    assert exported == {BASE_URL + path: replica_site.pages[path].body for truth in truths for path in truth.paths}


def test_an_offload_killed_midway_loses_nothing_and_a_rerun_finishes_it(db_url: str, tmp_path: Path) -> None:
    cli = [sys.executable, "-m", "cli.main", "--db", db_url]
    assert subprocess.run([*cli, "db", "upgrade"], cwd=REPO, capture_output=True).returncode == 0
    sessions = archive_of(db_url, pages(1500))
    before = bodies_by_id(sessions)
    directory = tmp_path / "warc"

    child = subprocess.Popen([*cli, "captures", "offload", "--dir", str(directory)], cwd=REPO,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while child.poll() is None and time.monotonic() < deadline:
        with sessions() as session:  # kill as soon as one batch has committed and another is under way
            if session.scalar(select(func.count()).where(Capture.warc_file_id.is_not(None))):
                break
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait()
    with sessions() as session:
        moved = session.scalar(select(func.count()).where(Capture.warc_file_id.is_not(None)))
    assert 0 < moved < 1500, "the kill should land mid-way"
    assert verify(sessions).problems == []  # what was moved is readable, the rest still in the database

    rerun = subprocess.run([*cli, "captures", "offload", "--dir", str(directory)], cwd=REPO,
                           capture_output=True, text=True, timeout=240)

    assert rerun.returncode == 0, rerun.stderr
    assert f"offloaded {1500 - moved} capture bodies" in rerun.stdout
    assert bodies_by_id(sessions) == before
    assert verify(sessions).problems == []
    check = subprocess.run([*cli, "captures", "verify"], cwd=REPO, capture_output=True, text=True)
    assert check.returncode == 0 and "every capture body matches its digest" in check.stdout
    assert os.listdir(directory)
