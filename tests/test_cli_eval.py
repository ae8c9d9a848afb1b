"""``newsarchive eval``: tables, JSON, exit codes; and a run over the real corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.eval import cmd_eval
from cli.main import build_parser
from crawler.evaluation import OURS, SCORED_FIELDS
from tests.evaluation_corpus import EXPECTED_MEANS, build_corpus, fake_extractor

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def run(argv: list[str], **inject) -> int:
    args = build_parser().parse_args(["eval", *argv])
    assert args.func is cmd_eval
    return args.func(args, **inject)


def table_rows(text: str, first_column: str) -> dict[str, list[str]]:
    """Rows of the printed table whose first cell is one of the scored fields or a site."""
    rows = {}
    for line in text.splitlines():
        cells = line.split()
        if cells and cells[0] == first_column:
            rows[cells[0]] = cells[1:]
    return rows


def test_table_shows_hand_computed_scores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run([str(build_corpus(tmp_path))], extractor=fake_extractor) == 0
    out = capsys.readouterr().out
    assert "2 labelled article pages" in out and "skipped 1 unlabelled raw pages" in out
    for name, mean in EXPECTED_MEANS.items():
        assert table_rows(out, name)[name][0] == f"{mean:.3f}", name
    # per-site table: example.com has page A only, so its title and body are A's scores
    site = table_rows(out, "example.com")["example.com"]
    assert site[0] == "1"  # pages
    assert site[1 + SCORED_FIELDS.index("title")] == "1.00"
    assert site[1 + SCORED_FIELDS.index("body")] == f"{20 / 27:.2f}"
    assert "raw/sample.org/b.html: NotArticle: looks like a list page" in out


def test_table_shows_name_precision_and_recall_and_the_rejected_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run([str(build_corpus(tmp_path))], extractor=fake_extractor) == 0
    out = capsys.readouterr().out
    assert table_rows(out, "authors-prec")["authors-prec"] == ["1.000"]
    assert table_rows(out, "editors-prec")["editors-prec"] == ["1.000"]  # 萧潇 given, right
    assert table_rows(out, "editors-recall")["editors-recall"] == ["0.500"]  # 张妍 missed
    assert table_rows(out, "not")["not"] == ["articles", "1"]
    assert "1 labelled article pages rejected by newsarchive as not articles" in out


def test_json_holds_summaries_and_page_scores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run([str(build_corpus(tmp_path)), "--json"], extractor=fake_extractor) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["pages"] == 2
    assert result["all"][OURS] == pytest.approx(EXPECTED_MEANS)
    assert set(result["sites"]) == {"example.com", "sample.org"}
    assert result["sites"]["sample.org"][OURS]["published_at"] == 0.0
    assert [p["file"] for p in result["page_scores"]] == ["raw/example.com/a.html", "raw/sample.org/b.html"]
    assert result["unlabelled"] == ["raw/sample.org/LIST_index.html"]
    assert result["speed"][OURS]["pages"] == 2


def test_compare_adds_a_column_per_tool(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tools = {"echo": lambda html, url: {"title": "江苏多地开学"}, "mute": lambda html, url: {}}
    assert run([str(build_corpus(tmp_path)), "--compare"], extractor=fake_extractor, compare_tools=tools) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[2].split() == ["ALL", OURS, "echo", "mute"]
    assert table_rows(out, "title")["title"] == ["0.500", "0.500", "0.000"]
    assert table_rows(out, "pretitle")["pretitle"] == ["1.000", "1.000", "1.000"]


def test_missing_corpus_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run([str(tmp_path / "nowhere")], extractor=fake_extractor) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1
    assert "raw/ and expected/" in captured.err


def test_unimportable_extractor_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing() -> None:
        raise ModuleNotFoundError("No module named 'crawler.sites.registry'")

    monkeypatch.setattr("crawler.evaluation.default_extractor", missing)
    assert run([str(build_corpus(tmp_path))]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "crawler.sites.registry" in err


def test_bad_label_is_named_and_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = build_corpus(tmp_path)
    (root / "expected/example.com/typo.json").write_text('{"kind": "article",', encoding="utf-8")
    assert run([str(root), "--json"], extractor=fake_extractor) == 0
    captured = capsys.readouterr()
    assert "expected/example.com/typo.json" in captured.err
    result = json.loads(captured.out)
    assert [b["file"] for b in result["bad_labels"]] == ["expected/example.com/typo.json"]
    assert result["pages"] == 2


# --------------------------------------------------------------------------- real corpus


def _labelled_articles() -> set[str]:
    files = set()
    for path in (CORPUS / "expected").rglob("*.json"):
        label = json.loads(path.read_text(encoding="utf-8"))
        if label.get("kind") == "article":
            files.add(label["file"])
    return files


@pytest.mark.corpus
def test_real_corpus_scores_every_labelled_page(capsys: pytest.CaptureFixture[str]) -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"real corpus not found at {CORPUS}")
    assert run([str(CORPUS), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    scored = {p["file"] for p in result["page_scores"] if p["tool"] == OURS}
    assert scored == _labelled_articles()
    assert result["bad_labels"] == []
    for page in result["page_scores"]:
        assert set(page["scores"]) == set(SCORED_FIELDS)
        assert all(0.0 <= s <= 1.0 for s in page["scores"].values())
