"""``newsarchive search`` and ``index rebuild`` as an archivist runs them."""

from __future__ import annotations

import json

import pytest

from cli.main import main
from tests.archive_search_items import HONGKONG, NANTONG, sample_archive


@pytest.fixture
def db(sqlite_url):
    sample_archive(sqlite_url)
    return sqlite_url


def test_json_hits(db, capsys):
    assert main(["--db", db, "search", "產業", "--json"]) == 0
    hits = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [hit["url"] for hit in hits] == [NANTONG, HONGKONG]  # title match first
    assert hits[1]["snippet"][slice(*hits[1]["highlights"][0])] == "產業"


def test_text_output_marks_the_match(db, capsys):
    assert main(["--db", db, "search", "人才", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "苏州人才政策" in out and "«人才»" in out and "2023-12-01" in out


def test_filters_without_query_list_by_date(db, capsys):
    assert main(["--db", db, "search", "--since", "2024-01-01", "--until", "2024-01-31", "--json"]) == 0
    assert [json.loads(line)["url"] for line in capsys.readouterr().out.splitlines()] == [NANTONG]


@pytest.mark.parametrize("args", [["--since", "2024-02-30"], ["--until", "yesterday"], ["--limit", "0"]])
def test_bad_options_are_clear_errors(db, capsys, args):
    with pytest.raises(SystemExit) as exit_:
        main(["--db", db, "search", "南通", *args])
    assert exit_.value.code == 2
    assert "invalid" in capsys.readouterr().err


def test_too_long_query_is_refused_cleanly(db, capsys):
    assert main(["--db", db, "search", " ".join(["词"] * 40)]) == 2
    assert "at most" in capsys.readouterr().err


def test_unmigrated_archive_says_what_to_do(tmp_path, capsys):
    (tmp_path / "empty.db").touch()
    assert main(["--db", f"sqlite:///{tmp_path / 'empty.db'}", "search", "南通"]) == 2
    assert "newsarchive db upgrade" in capsys.readouterr().err


def test_index_rebuild(db, capsys):
    assert main(["--db", db, "index", "rebuild"]) == 0
    assert "indexed 4 articles" in capsys.readouterr().err
    assert main(["--db", db, "search", "南通", "--json"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_text_output_ends_with_the_total_and_how_to_see_more(db, capsys):
    assert main(["--db", db, "search", "--limit", "3"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "showing 1–3 of 4 (--page 2 for more)"
    assert main(["--db", db, "search", "--limit", "3", "--page", "2"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "showing 4–4 of 4" and "苏州人才政策" in out


def test_an_offset_past_the_end_says_how_many_there_are(db, capsys):
    assert main(["--db", db, "search", "南通", "--offset", "5"]) == 0
    assert "there are 2" in capsys.readouterr().out


def test_json_hits_carry_their_position_and_the_total(db, capsys):
    assert main(["--db", db, "search", "南通 OR 人才", "--sort", "oldest", "--offset", "1", "--json"]) == 0
    hits = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(hit["position"], hit["total"]) for hit in hits] == [(2, 3), (3, 3)]
    assert [hit["url"] for hit in hits] == [NANTONG, HONGKONG]


def test_page_and_offset_cannot_both_be_given(db, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--db", db, "search", "--page", "2", "--offset", "3"])
    assert exit_.value.code == 2
    assert "not allowed with" in capsys.readouterr().err
