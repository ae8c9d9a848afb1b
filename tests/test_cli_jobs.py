"""``newsarchive jobs``: scheduled runs of the replica listed with their figures and health."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from crawler.replica.server import ReplicaServer
from crawler.replica.site import build_site
from cli.main import main
from operations.crawl import CrawlResult, summary_lines
from operations.figures import figures
from operations.jobs import job_outcome
from operations.figures import progress_line
from operations.scheduler import LocalDispatcher, Scheduler, ScrapydDispatcher
from operations.scrapyd import Scrapyd


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> str:
    """Two scheduled runs of one schedule (the second incremental) and one failed dispatch.

    The scheduler runs in this process (it starts no reactor); its crawls are real child processes.
    """
    folder = tmp_path_factory.mktemp("jobs")
    url = f"sqlite:///{folder / 'archive.db'}"
    with ReplicaServer(build_site(articles=40)) as replica:
        assert main(["--db", url, "schedule", "add", "js", "people", "-a", "channel=js",
                     "-a", f"base_url={replica.base_url}", "--every", "1s"]) == 0
        for _ in range(2):
            Scheduler(url, LocalDispatcher(url, folder / "logs")).run(once=True)
    nobody = ScrapydDispatcher(Scrapyd.from_url("http://127.0.0.1:9"), url)  # nothing listens on port 9
    Scheduler(url, nobody).run(once=True)
    return url


def _jobs(capsys, url: str, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--db", url, "jobs", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_jobs_lists_every_run_with_schedule_and_outcome(archive, capsys):
    code, out, _ = _jobs(capsys, archive)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["ID", "STARTED", "FINISHED", "OUTCOME"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == {"1", "2", "3"}
    assert " finished " in rows["1"] and " js " in rows["1"]
    assert " finished " in rows["2"]
    assert " dispatch_failed " in rows["3"]


def test_failed_and_since_filter(archive, capsys):
    failed = _jobs(capsys, archive, "--failed")[1].splitlines()[1:]
    assert [line.split()[0] for line in failed] == ["3"]
    assert "no jobs matching" in _jobs(capsys, archive, "--since", "2999-01-01")[1]
    assert _jobs(capsys, archive, "--since", "1d")[1].count("people") == 3
    with pytest.raises(SystemExit):
        main(["--db", archive, "jobs", "--since", "last tuesday"])
    assert "use a date" in capsys.readouterr().err


def test_show_gives_figures_and_health(archive, capsys):
    first = _jobs(capsys, archive, "show", "1")[1]
    assert "schedule        js (launched by scheduler)" in first
    assert "health checks" in first and "articles" in first
    second = _jobs(capsys, archive, "show", "2")[1]
    assert "skipped as archived" in second and not second.count("FAILED")
    assert "unreachable" in _jobs(capsys, archive, "show", "3")[1]
    code, _, err = _jobs(capsys, archive, "show", "99")
    assert code == 2 and "no job #99" in err


def test_table_text_and_json_say_the_same_outcome(archive, capsys, tmp_path):
    copy = tmp_path / "archive.db"
    shutil.copy(archive.removeprefix("sqlite:///"), copy)
    url = f"sqlite:///{copy}"
    with sqlite3.connect(copy) as conn:  # job 1 failed a health check
        conn.execute("update job_detail set healthy = 0 where job_id = 1")
    rows = {line.split()[0]: line.split()[5] for line in _jobs(capsys, url)[1].splitlines()[1:]}  # after 2 times
    assert rows == {"1": "unhealthy", "2": "finished", "3": "dispatch_failed"}
    for job_id, outcome in rows.items():
        assert json.loads(_jobs(capsys, url, "show", job_id, "--json")[1])["outcome"] == outcome
        assert f"  outcome         {outcome}\n" in _jobs(capsys, url, "show", job_id)[1]


def test_pages_skipped_as_archived_are_counted_as_skipped_not_as_failures(archive, capsys):
    stats = json.loads(_jobs(capsys, archive, "show", "2", "--json")[1])["stats"]
    f = figures(stats)
    skipped = f.skipped_archived
    assert skipped > 0 and stats["downloader/exception_count"] >= skipped  # Scrapy counts them as exceptions
    line = progress_line(stats, elapsed=1.0)
    assert f"skipped {skipped}" in line and f"errors {sum(f.http_errors.values())} " in line  # the dead link only
    summary = summary_lines(CrawlResult("people", "finished", stats))
    assert "  download failures  0" in summary
    assert f"  skipped            {skipped} archived pages not fetched again, 0 not modified" in summary


def test_the_outcome_words_are_one_vocabulary():
    assert [job_outcome(*case) for case in [(None, None), ("finished", True), ("finished", False),
                                            ("shutdown", None), ("dispatch_failed", False)]] == \
        ["running", "finished", "unhealthy", "interrupted", "dispatch_failed"]
