"""Job folders of resumable crawls: a clean stop is resumed from Scrapy's queue, a kill from the seeds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from operations.resume import FULL_LIST_PAGING, RUNNING_MARKER, JobBusy, job_path, open_job_folder

DB = "postgresql+psycopg://crawler:secret@db.example/archive"


def test_the_same_crawl_gets_the_same_folder_and_another_crawl_another(tmp_path: Path) -> None:
    one = job_path(tmp_path, "people", {"channel": "js", "since": "2020-01-01"}, DB)
    assert one == job_path(tmp_path, "people", {"since": "2020-01-01", "channel": "js"}, DB)
    assert one != job_path(tmp_path, "people", {"channel": "sh", "since": "2020-01-01"}, DB)
    assert one != job_path(tmp_path, "people", {"channel": "js", "since": "2020-01-01"}, "sqlite:///other.db")
    assert one.parent == tmp_path and one.name.startswith("people-") and "secret" not in one.name


def scrapy_state(folder: Path) -> None:
    (folder / "requests.queue").mkdir()
    (folder / "requests.seen").write_text("fingerprints\n")


def test_after_a_clean_stop_resume_keeps_scrapys_queue(tmp_path: Path) -> None:
    job = open_job_folder(tmp_path / "job", resume=False)
    assert job.settings == {"JOBDIR": str(tmp_path / "job")}
    scrapy_state(tmp_path / "job")
    job.close(finished=False)
    assert not (tmp_path / "job" / RUNNING_MARKER).exists()

    resumed = open_job_folder(tmp_path / "job", resume=True)
    assert (tmp_path / "job" / "requests.seen").exists() and (tmp_path / "job" / "requests.queue").is_dir()
    assert resumed.settings == {"JOBDIR": str(tmp_path / "job")}
    resumed.close(finished=True)
    assert not (tmp_path / "job").exists()  # nothing left to resume


def test_after_a_kill_resume_drops_scrapys_state_and_pages_every_list(tmp_path: Path) -> None:
    folder = tmp_path / "job"
    folder.mkdir()
    scrapy_state(folder)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (folder / RUNNING_MARKER).write_text(dead.stdout.strip())  # a crawl that never closed

    resumed = open_job_folder(folder, resume=True)
    assert not (folder / "requests.seen").exists() and not (folder / "requests.queue").exists()
    assert resumed.settings == {"JOBDIR": str(folder), **FULL_LIST_PAGING}
    assert (folder / RUNNING_MARKER).read_text() == str(os.getpid())


def test_a_fresh_crawl_starts_over_even_if_an_old_queue_is_there(tmp_path: Path) -> None:
    folder = tmp_path / "job"
    folder.mkdir()
    scrapy_state(folder)
    open_job_folder(folder, resume=False)
    assert not (folder / "requests.seen").exists()


def test_resuming_a_crawl_that_still_runs_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "job"
    folder.mkdir()
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as running:
        try:
            (folder / RUNNING_MARKER).write_text(str(running.pid))
            os.utime(folder / RUNNING_MARKER)  # written after the process started, as a crawl does
            with pytest.raises(JobBusy, match=f"process {running.pid}"):
                open_job_folder(folder, resume=True)
            assert open_job_folder(folder, resume=False).path is None  # runs, just not resumable
        finally:
            running.kill()
