"""``newsarchive schedule``: add, list, pause, resume, remove; bad input writes nothing."""

from __future__ import annotations

from cli.main import main


def test_schedule_lifecycle(sqlite_url, capsys):
    assert main(["--db", sqlite_url, "schedule", "add", "js-daily", "people", "-a", "channel=js", "--cron", "0 6 * * *"]) == 0
    assert main(["--db", sqlite_url, "schedule", "pause", "js-daily"]) == 0
    assert main(["--db", sqlite_url, "schedule", "list"]) == 0
    listing = capsys.readouterr().out
    assert "js-daily" in listing and "paused" in listing and "cron 0 6 * * *" in listing and "-a channel=js" in listing
    assert main(["--db", sqlite_url, "schedule", "resume", "js-daily"]) == 0
    assert main(["--db", sqlite_url, "schedule", "remove", "js-daily"]) == 0
    capsys.readouterr()
    assert main(["--db", sqlite_url, "schedule", "list"]) == 0
    assert "no schedules" in capsys.readouterr().out


def test_bad_input_gives_a_clear_error_and_writes_nothing(sqlite_url, capsys):
    assert main(["--db", sqlite_url, "schedule", "add", "js", "people", "-a", "channel=js", "--every", "1h"]) == 0
    capsys.readouterr()
    attempts = {
        "exists already": ["js", "people", "-a", "channel=js", "--every", "2h"],
        "not a cron expression": ["x", "people", "-a", "channel=js", "--cron", "every day"],
        "unknown spider": ["x", "nosuch", "--every", "1h"],
        "rejects the arguments": ["x", "people", "-a", "channel=nowhere", "--every", "1h"],
        "is not name=value": ["x", "people", "-a", "channel", "--every", "1h"],
    }
    for message, arguments in attempts.items():
        assert main(["--db", sqlite_url, "schedule", "add", *arguments]) == 2
        assert message in capsys.readouterr().err
    assert main(["--db", sqlite_url, "schedule", "pause", "nope"]) == 2
    assert "schedule list" in capsys.readouterr().err
    main(["--db", sqlite_url, "schedule", "list"])
    rows = [line for line in capsys.readouterr().out.splitlines()[1:] if line.strip()]
    assert len(rows) == 1 and rows[0].startswith("js ") and "every 1h" in rows[0]
