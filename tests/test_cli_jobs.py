"""``newsarchive jobs``: scheduled runs of the replica listed with their figures and health."""

from __future__ import annotations

import pytest

from crawler.replica.server import ReplicaServer
from crawler.replica.site import build_site
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> str:
    """Two scheduler runs of one schedule (the second incremental) and one failed dispatch."""
    folder = tmp_path_factory.mktemp("jobs")
    url = f"sqlite:///{folder / 'archive.db'}"
    with ReplicaServer(build_site(articles=40)) as replica:
        assert run_cli("--db", url, "schedule", "add", "js", "people", "-a", "channel=js",
                       "-a", f"base_url={replica.base_url}", "--every", "1s").returncode == 0
        for _ in range(2):
            done = run_cli("--db", url, "scheduler", "--once", "--log-dir", str(folder / "logs"))
            assert done.returncode == 0, done.stderr[-2000:]
    run_cli("--db", url, "scheduler", "--once", "--scrapyd", "http://127.0.0.1:9")  # nobody listens on port 9
    return url


def test_jobs_lists_every_run_with_schedule_and_outcome(archive):
    listing = run_cli("--db", archive, "jobs")
    assert listing.returncode == 0
    lines = listing.stdout.splitlines()
    assert lines[0].split()[:4] == ["ID", "STARTED", "FINISHED", "OUTCOME"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == {"1", "2", "3"}
    assert " finished " in rows["1"] and " js " in rows["1"]
    assert " finished " in rows["2"]
    assert " dispatch_failed " in rows["3"]


def test_failed_and_since_filter(archive):
    failed = run_cli("--db", archive, "jobs", "--failed").stdout.splitlines()[1:]
    assert [line.split()[0] for line in failed] == ["3"]
    assert "no jobs matching" in run_cli("--db", archive, "jobs", "--since", "2999-01-01").stdout
    bad = run_cli("--db", archive, "jobs", "--since", "last tuesday")
    assert bad.returncode == 2 and "use a date" in bad.stderr


def test_show_gives_figures_and_health(archive):
    first = run_cli("--db", archive, "jobs", "show", "1").stdout
    assert "schedule        js (launched by scheduler)" in first
    assert "health checks" in first and "articles" in first
    second = run_cli("--db", archive, "jobs", "show", "2").stdout
    assert "skipped as archived" in second and not second.count("FAILED")
    failed = run_cli("--db", archive, "jobs", "show", "3").stdout
    assert "unreachable" in failed
    missing = run_cli("--db", archive, "jobs", "show", "99")
    assert missing.returncode == 2 and "no job #99" in missing.stderr
