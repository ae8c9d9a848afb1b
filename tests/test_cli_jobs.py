"""``newsarchive jobs``: scheduled runs of the replica listed with their figures and health."""

from __future__ import annotations

import pytest

from crawler.replica.server import ReplicaServer
from crawler.replica.site import build_site
from cli.main import main
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
