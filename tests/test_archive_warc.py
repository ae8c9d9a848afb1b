"""WARC export of raw captures: valid WARC 1.1 (``warcio check``), revisits, and a CDXJ index."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator

from models.warc_format import surt
from cli.main import main
from crawler.replica.site import ReplicaSite
from models.engine import make_engine, session_factory
from models.repository import store_captures
from models.schema import Capture
from tests.replica_archive import BASE_URL, archive_articles, replica_capture

WARCIO = [sys.executable, "-m", "warcio.cli"]


def records(path: Path) -> list[tuple[str, str, bytes]]:
    """(type, target URI, payload) of every record in the file."""
    with path.open("rb") as stream:
        return [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
                for r in ArchiveIterator(stream)]


@pytest.fixture
def exported(migrated_db_url: str, replica_site: ReplicaSite, tmp_path: Path) -> tuple[Path, list[str]]:
    """An archive holding a single-page and a three-page article, the first page fetched
    twice with the same bytes (a revisit), exported as WARC. Returns the file and the page paths."""
    single = next(a for a in replica_site.canonical_articles if a.pages == 1)
    multi = next(a for a in replica_site.canonical_articles if a.pages > 1)
    engine = make_engine(migrated_db_url)
    with session_factory(engine).begin() as session:
        archive_articles(session, replica_site, [single, multi])
        refetch = replica_capture(replica_site, single.path, fetched_at="2024-03-02T10:00:00+00:00")
        refetch.headers.append(["Content-Encoding", "gzip"])  # as sent; the body is stored decoded
        store_captures(session, [refetch])
        assert session.scalars(select(Capture.revisit_of_id).order_by(Capture.id.desc())).first() is not None
    engine.dispose()
    out = tmp_path / "captures.warc.gz"
    assert main(["--db", migrated_db_url, "export", "--format", "warc", "--out", str(out)]) == 0
    return out, [*single.paths, *multi.paths]


def test_warcio_check_passes_and_every_capture_is_a_request_response_pair(
    exported: tuple[Path, list[str]], replica_site: ReplicaSite
) -> None:
    out, paths = exported
    check = subprocess.run([*WARCIO, "check", "-v", str(out)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout  # warcio verified the block and payload digests
    found = records(out)
    assert found[0][0] == "warcinfo"
    responses = {uri: payload for kind, uri, payload in found if kind == "response"}
    assert responses == {BASE_URL + p: replica_site.pages[p].body for p in paths}  # bytes as served
    requests = [uri for kind, uri, _ in found if kind == "request"]
    assert sorted(requests) == sorted([*responses, BASE_URL + paths[0]])  # the re-fetch was requested too


def test_an_unchanged_refetch_is_a_revisit_record_pointing_at_the_original(exported: tuple[Path, list[str]]) -> None:
    out, paths = exported
    with out.open("rb") as stream:
        by_type: dict[str, list] = {}
        for record in ArchiveIterator(stream):
            by_type.setdefault(record.rec_type, []).append(
                (dict(record.rec_headers.headers), record.http_headers.headers if record.http_headers else [])
            )
    [(revisit, http)] = by_type["revisit"]
    original = next(h for h, _ in by_type["response"] if h["WARC-Target-URI"] == BASE_URL + paths[0])
    assert revisit["WARC-Profile"].endswith("/revisit/identical-payload-digest")
    assert revisit["WARC-Refers-To-Target-URI"] == BASE_URL + paths[0]
    assert revisit["WARC-Refers-To-Date"] == original["WARC-Date"]
    assert revisit["WARC-Payload-Digest"] == original["WARC-Payload-Digest"]
    assert revisit["WARC-Date"].startswith("2024-03-02T10:00:00")
    assert ("X-Archive-Orig-Content-Encoding", "gzip") in http  # the stored body is not gzipped
    assert not any(name == "Content-Encoding" for name, _ in http)


def test_cdxj_index_beside_the_file_finds_every_record(exported: tuple[Path, list[str]]) -> None:
    out, paths = exported
    index = out.with_name("captures.cdxj")
    lines = index.read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines) and len(lines) == len(paths) + 1  # responses + the revisit
    with out.open("rb") as warc:
        for line in lines:
            key, timestamp, fields = line.split(" ", 2)
            entry = json.loads(fields)
            assert key == surt(entry["url"]) and len(timestamp) >= 14
            warc.seek(int(entry["offset"]))
            member = gzip.decompress(warc.read(int(entry["length"])))
            assert member.startswith(b"WARC/1.1\r\n") and f"WARC-Target-URI: {entry['url']}".encode() in member
    # warcio's own indexer reads the same records at the same offsets
    cdx = subprocess.run([*WARCIO, "index", "-f", "warc-type,warc-target-uri,offset", str(out)],
                         capture_output=True, text=True, check=True)
    ours = {(json.loads(f)["url"], json.loads(f)["offset"]) for f in (line.split(" ", 2)[2] for line in lines)}
    theirs = {(r["warc-target-uri"], r["offset"]) for r in map(json.loads, cdx.stdout.splitlines())
              if r["warc-type"] in ("response", "revisit")}
    assert ours == theirs


def test_surt_keys_sort_a_site_together() -> None:
    assert surt("http://js.people.com.cn/n2/2022/0213/c1-2.html") == "cn,com,people,js)/n2/2022/0213/c1-2.html"
    assert surt("https://www.XHBY.net/a?b=1") == "net,xhby)/a?b=1"
    assert surt("http://127.0.0.1:8800/n2/x.html") == "127,0,0,1:8800)/n2/x.html"


def test_warc_export_needs_a_file(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", sqlite_url, "export", "--format", "warc"]) == 2
    assert "--out" in capsys.readouterr().err
