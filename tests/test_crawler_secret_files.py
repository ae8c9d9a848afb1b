"""Secrets stay out of command lines, logs and job rows (crawler/secret_files.py and its users).

The end-to-end tests give the archive a PostgreSQL URL with a known password (the test
server trusts 127.0.0.1, so any password works), let the scheduler start crawls as local
processes and through a real Scrapyd, and look for the password everywhere a stranger
on the machine or a log reader could: ``/proc/<pid>/cmdline`` of every child process,
the scheduler's and crawls' logs, Scrapyd's log and job logs, and the job rows and stats.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import psutil
import pytest
from scrapy.settings import Settings
from sqlalchemy import make_url, select

from crawler.contrib.scrapy.addons import SecretFiles
from crawler.replica.server import ReplicaServer
from crawler.replica.site import build_site
from crawler.secret_files import SecretFileError, read_secret_file, secret_file
from models.engine import make_engine, session_factory
from models.errors import display_url
from models.operations import JobDetail
from models.schema import CrawlJob
from operations.figures import figures
from tests.conftest import run_cli
from tests.scrapyd_support import RunningScrapyd, scrapyd_service  # noqa: F401 - fixture
from tests.services import REPO

PASSWORD = "Kn0wn-Passw0rd-for-leak-test"
ON_POSTGRES = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


def test_a_secret_file_is_readable_by_its_owner_only_and_reused(tmp_path: Path) -> None:
    first = secret_file("postgresql+psycopg://u:pw@h/db", tmp_path / "secrets")
    again = secret_file("postgresql+psycopg://u:pw@h/db", tmp_path / "secrets")
    assert first == again and first.read_text() == "postgresql+psycopg://u:pw@h/db"
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "secrets").stat().st_mode) == 0o700


def test_a_secret_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "url"
    path.write_text("postgresql+psycopg://u:pw@h/db")
    path.chmod(0o644)
    with pytest.raises(SecretFileError, match="chmod 600"):
        read_secret_file(path)
    with pytest.raises(SecretFileError, match="cannot be read"):
        read_secret_file(tmp_path / "missing")


def test_the_add_on_turns_file_settings_into_the_urls(tmp_path: Path) -> None:
    settings = Settings({"NEWSARCHIVE_DATABASE_URL_FILE": str(secret_file("postgresql://u:pw@h/a", tmp_path)),
                         "NEWSARCHIVE_REDIS_URL_FILE": str(secret_file("redis://:pw@h:6379/0", tmp_path))})
    SecretFiles().update_settings(settings)
    assert settings["NEWSARCHIVE_DATABASE_URL"] == "postgresql://u:pw@h/a"
    assert settings["REDIS_URL"] == "redis://:pw@h:6379/0"


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql+psycopg://archivist:pw@db.example/archive", "postgresql+psycopg://archivist:***@db.example/archive"),
    ("redis://:pw@frontier.example:6379/0", "redis://:***@frontier.example:6379/0"),
    ("http://user:pw@js.people.com.cn/n2/a.html", "http://user:***@js.people.com.cn/n2/a.html"),
    ("sqlite:///data/archive.db", "sqlite:///data/archive.db"),
    ("http://[::1:80/", "<unreadable URL>"),
])
def test_every_url_shown_has_its_password_masked(url: str, shown: str) -> None:
    assert display_url(url) == shown


def test_a_redis_password_is_not_echoed_when_redis_is_unreachable() -> None:
    url = f"redis://:{PASSWORD}@127.0.0.1:1/0"
    for command in (["seed", "people", "-a", "channel=js", "--redis", url], ["seed", "people", "--status", "--redis", url]):
        result = run_cli(*command)
        assert result.returncode == 2 and "is not reachable" in result.stderr
        assert PASSWORD not in result.stdout + result.stderr and ":***@" in result.stderr


# -- the password grep ---------------------------------------------------------------


class ChildWatcher:
    """Records the command line of every descendant of ``pid`` while it runs."""

    def __init__(self, pid: int) -> None:
        self.parent = psutil.Process(pid)
        self.cmdlines: dict[int, str] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while not self.done.is_set():
            try:
                for child in self.parent.children(recursive=True):
                    if child.pid not in self.cmdlines:
                        with open(f"/proc/{child.pid}/cmdline", "rb") as handle:
                            self.cmdlines[child.pid] = handle.read().replace(b"\0", b" ").decode("utf-8", "replace")
            except (psutil.Error, OSError):
                pass
            self.done.wait(0.05)

    def stop(self) -> dict[int, str]:
        self.done.set()
        self.thread.join()
        return self.cmdlines


def archive_rows(url: str) -> str:
    engine = make_engine(url)
    with session_factory(engine)() as session:
        rows = [{**vars(job), **vars(detail)} for job, detail in session.execute(select(CrawlJob, JobDetail).join(JobDetail))]
    engine.dispose()
    return json.dumps([{k: v for k, v in row.items() if not k.startswith("_")} for row in rows], default=str,
                      ensure_ascii=False)


def folder_text(folder: Path) -> str:
    return "".join(p.read_text("utf-8", "replace") for p in sorted(folder.rglob("*")) if p.is_file())


def run_scheduler(url: str, tmp_path: Path, *extra: str, watch: int | None = None) -> tuple[str, dict[int, str], str]:
    """Add a schedule crawling a small replica and run ``scheduler --once``; the URL only in the environment.

    Returns the scheduler's output, the command lines of the watched process's
    descendants (the scheduler's own unless ``watch`` names another), and its job rows."""
    env = {**os.environ, "NEWSARCHIVE_DATABASE_URL": url, "NEWSARCHIVE_SECRETS_DIR": str(tmp_path / "secrets"),
           "PYTHONPATH": str(REPO)}
    with ReplicaServer(build_site(articles=20)) as replica:
        added = run_cli("schedule", "add", "leak-probe", "people", "-a", "channel=js",
                        "-a", f"base_url={replica.base_url}", "--every", "1d", env=env)
        assert added.returncode == 0, added.stderr[-2000:]
        scheduler = subprocess.Popen([sys.executable, "-m", "cli.main", "scheduler", "--once", "--tick", "0.5",
                                      "--log-dir", str(tmp_path / "logs"), *extra], cwd=REPO, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        watcher = ChildWatcher(watch or scheduler.pid)
        output, _ = scheduler.communicate(timeout=150)
        children = watcher.stop()
    assert scheduler.returncode == 0, output[-3000:]
    return output + added.stdout + added.stderr, children, archive_rows(url)


@ON_POSTGRES
def test_a_local_crawl_started_by_the_scheduler_never_shows_the_database_password(db_url: str, tmp_path: Path) -> None:
    url = make_url(db_url).set(password=PASSWORD).render_as_string(hide_password=False)
    output, children, rows = run_scheduler(url, tmp_path)
    crawls = [line for line in children.values() if " crawl people" in line]
    assert crawls, children  # the child was seen, so its command line was read
    assert '"outcome": "finished"' in rows and figures(json.loads(rows)[0]["stats"]).articles["new"] > 0
    logs = folder_text(tmp_path / "logs")
    assert "recording this crawl as job" in logs
    leaks = {name: PASSWORD in text for name, text in
             {"scheduler output": output, "crawl logs": logs, "job rows and stats": rows,
              "child command lines": " ".join(children.values())}.items()}
    assert leaks == dict.fromkeys(leaks, False)


@pytest.mark.scrapyd
@ON_POSTGRES
def test_a_scrapyd_job_gets_the_database_password_only_in_a_private_file(
    db_url: str, tmp_path: Path, scrapyd_service: RunningScrapyd
) -> None:
    url = make_url(db_url).set(password=PASSWORD).render_as_string(hide_password=False)
    server = scrapyd_service.server
    replace(server, timeout=120).deploy()  # uploading the egg can take longer than a call's 10 s on a busy machine
    output, children, rows = run_scheduler(
        url, tmp_path, "--scrapyd", f"http://{server.username}:{server.password}@{server.url[7:]}",
        watch=scrapyd_service.process.pid)
    assert [line for line in children.values() if "crawl" in line and "people" in line], children
    assert '"launcher": "scrapyd"' in rows and '"outcome": "finished"' in rows
    files = list((tmp_path / "secrets").iterdir())
    assert [stat.S_IMODE(f.stat().st_mode) for f in files] == [0o600] and files[0].read_text() == url
    scrapyd_logs = folder_text(scrapyd_service.folder / "logs") + (scrapyd_service.folder / "scrapyd.log").read_text()
    assert "NEWSARCHIVE_DATABASE_URL_FILE" in scrapyd_logs  # Scrapyd logged the job's settings: a path, no secret
    leaks = {name: PASSWORD in text for name, text in
             {"scheduler output": output, "scrapyd logs": scrapyd_logs, "job rows and stats": rows,
              "scrapyd child command lines": " ".join(children.values())}.items()}
    assert leaks == dict.fromkeys(leaks, False)
