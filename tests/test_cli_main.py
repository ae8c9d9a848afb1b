"""The ``newsarchive`` command as a whole: database URL mistakes, exit statuses, where
global options go, --version, and no tracebacks for closed pipes or Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from cli import exits
from cli.main import main, package_version
from tests.archive_search_items import NANTONG, sample_archive
from tests.conftest import REPO

#: Commands that only read the archive, with their arguments.
READ_ONLY = [["search", "南通"], ["show", "1"], ["stats"], ["jobs"], ["jobs", "show", "1"],
             ["export", "--format", "jsonl"], ["db", "current"]]
#: A sample of every kind of command, for the URL mistakes.
EVERY_KIND = [*READ_ONLY, ["crawl", "people", "-a", "channel=js"], ["db", "upgrade"], ["index", "rebuild"],
              ["schedule", "list"], ["reparse"]]


@pytest.mark.parametrize("url", ["garbage", "mysql://user@db.example/archive", "sqlite+nodriver:///x.db"])
@pytest.mark.parametrize("command", EVERY_KIND, ids=" ".join)
def test_a_database_url_mistake_is_one_line_and_the_same_status_for_every_command(url, command, capsys):
    assert main(["--db", url, *command]) == exits.UNUSABLE
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "sqlite:///path/to/archive.db" in err  # says what a URL should look like


@pytest.mark.parametrize("command", READ_ONLY, ids=" ".join)
def test_read_only_commands_never_create_files_or_folders(command, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'nodir' / 'archive.db'}"
    assert main(["--db", url, *command]) == exits.UNUSABLE
    assert list(tmp_path.iterdir()) == []
    assert "does not exist" in capsys.readouterr().err


def test_db_is_accepted_after_the_subcommand_too(sqlite_url, tmp_path, capsys):
    sample_archive(sqlite_url)
    assert main(["search", "南通", "--db", sqlite_url, "--json"]) == 0
    assert NANTONG in capsys.readouterr().out
    other = f"sqlite:///{tmp_path / 'elsewhere' / 'x.db'}"
    assert main(["--db", other, "search", "南通", "--db", sqlite_url]) == 0  # the later one wins
    assert main(["jobs", "show", "1", "--db", sqlite_url]) == exits.UNUSABLE  # no job 1: not the URL's fault
    assert "no job #1" in capsys.readouterr().err


def test_version_names_the_installed_package(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"newsarchive {package_version()}" != "newsarchive unknown (not installed)"


def test_a_reader_closing_the_pipe_is_no_error(sqlite_url):
    sample_archive(sqlite_url)
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "--db", sqlite_url, "export", "--format", "jsonl"],
                               cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # like `| head` that has read enough before the export writes
    _, err = process.communicate(timeout=120)
    assert process.returncode == exits.OK
    assert b"Traceback" not in err and b"BrokenPipeError" not in err


def test_ctrl_c_ends_a_command_with_one_line_and_status_130(tmp_path):
    with socket.socket() as silent:  # a "database server" that accepts connections and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"postgresql+psycopg://nobody@127.0.0.1:{silent.getsockname()[1]}/archive"
        process = subprocess.Popen([sys.executable, "-m", "cli.main", "--db", url, "stats"], cwd=REPO,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        silent.settimeout(120)
        connection, _ = silent.accept()  # the command is running, waiting for the server's answer
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
        connection.close()
    assert process.returncode == exits.INTERRUPTED
    assert err.strip().splitlines() == ["newsarchive: interrupted"]
