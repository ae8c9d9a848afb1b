"""``newsarchive export`` end to end: files, stdout, incremental consumers, refusals."""

from __future__ import annotations

import csv
import io
import json

import pytest

from cli.export import FORMATS
from cli.main import main
from models.engine import make_engine, session_factory
from tests.archive_items import make_article
from tests.archive_search_items import NANTONG, sample_archive, store


@pytest.fixture
def db(sqlite_url):
    sample_archive(sqlite_url)
    return sqlite_url


def test_export_to_file_with_filters(db, tmp_path, capsys):
    out = tmp_path / "a.jsonl"
    assert main(["--db", db, "export", "--format", "jsonl", "--out", str(out), "--site", "js.people.com.cn"]) == 0
    assert [json.loads(line)["canonical_url"] for line in out.read_text().splitlines()] == [NANTONG]
    assert "exported 1 articles" in capsys.readouterr().err


def test_csv_to_stdout(db, capfdbinary):
    assert main(["--db", db, "export", "--format", "csv", "--query", "南通"]) == 0
    out = capfdbinary.readouterr().out
    assert out.startswith(b"\xef\xbb\xbf") and "南通推进产业升级".encode() in out


def test_consumer_gets_each_article_once(db, tmp_path, capsys):
    args = ["--db", db, "export", "--format", "jsonl", "--consumer", "notebook", "--force", "--out", str(tmp_path / "x.jsonl")]
    assert main(args) == 0 and main(args) == 0
    assert (tmp_path / "x.jsonl").read_text() == ""


def test_existing_file_needs_force(db, tmp_path, capsys):
    out = tmp_path / "a.csv"
    out.write_text("keep")
    assert main(["--db", db, "export", "--format", "csv", "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err and out.read_text() == "keep"


def test_unwritable_output_fails_before_reading_the_archive(tmp_path, capsys):
    missing_db = f"sqlite:///{tmp_path / 'never-created.db'}"
    assert main(["--db", missing_db, "export", "--format", "parquet", "--out", str(tmp_path / "no" / "a.parquet")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "never-created.db").exists()


def test_csv_raw_is_only_for_csv(db, capsys):
    assert main(["--db", db, "export", "--format", "jsonl", "--csv-raw"]) == 2
    assert "--csv-raw applies to --format csv only" in capsys.readouterr().err


def test_csv_is_neutralised_unless_csv_raw_is_given(db, capfdbinary):
    store(session_factory(make_engine(db)), [make_article("http://js.people.com.cn/n2/2024/0301/c1-9.html",
                                                          title="=HYPERLINK(\"http://evil.example\")", body="公式单元格。")])
    assert main(["--db", db, "export", "--format", "csv", "--query", "公式单元格"]) == 0
    assert _titles(capfdbinary.readouterr().out) == ['\'=HYPERLINK("http://evil.example")']
    assert main(["--db", db, "export", "--format", "csv", "--csv-raw", "--query", "公式单元格"]) == 0
    assert _titles(capfdbinary.readouterr().out) == ['=HYPERLINK("http://evil.example")']


def _titles(out: bytes) -> list[str]:
    return [row["title"] for row in csv.DictReader(io.StringIO(out.decode("utf-8-sig"), newline=""))]


def test_the_command_list_names_every_export_format(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    listed = " ".join(capsys.readouterr().out.split())
    assert all(name in listed.partition("export")[2][:200] for name in FORMATS)
