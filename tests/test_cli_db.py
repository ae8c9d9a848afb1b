"""``newsarchive db upgrade|downgrade|current``."""

from __future__ import annotations

from cli.main import main
from models.migrate import head_revisions


def test_upgrade_current_downgrade(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'a.db'}"
    assert main(["--db", db, "db", "current"]) == 2  # reading creates no file
    assert "does not exist" in capsys.readouterr().err
    assert main(["--db", db, "db", "upgrade"]) == 0
    assert main(["--db", db, "db", "current"]) == 0
    assert capsys.readouterr().out.strip() == f"{head_revisions()[0]} (head)"
    assert main(["--db", db, "db", "downgrade", "base"]) == 0
    assert main(["--db", db, "db", "current"]) == 0
    assert "no tables yet" in capsys.readouterr().out


def test_unreachable_database_is_one_line_and_exit_2(capsys):
    assert main(["--db", "postgresql+psycopg://postgres@127.0.0.1:1/x", "db", "upgrade"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("newsarchive db: archive database") and "\n" not in err
