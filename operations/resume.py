"""Resumable crawls: ``newsarchive crawl … --resume`` after a stop, a crash or a SIGKILL.

A resumable crawl keeps Scrapy's ``JOBDIR`` (pending requests on disk, the fingerprints
of requests already scheduled) in ``data/jobs/<spider>-<hash of arguments and archive>/``,
plus a ``running.pid`` marker while it runs. What ``--resume`` then does depends on how
the last run ended:

* **Stopped cleanly** (finished by Ctrl-C / SIGTERM: Scrapy wrote its queue, the store
  pipeline flushed its last batch): the marker is gone, so Scrapy's state is trusted and
  the crawl continues exactly where it stopped.
* **Killed** (SIGKILL, power cut, OOM killer): the marker is still there. Scrapy's state
  cannot be trusted then — its disk queue records its read position only when closed,
  and the seen-requests file holds requests whose pages were fetched but whose items
  were still in the store pipeline's unflushed batch, which died with the process. So
  the state is discarded and the crawl starts again from its seeds; the incremental
  middleware (:mod:`crawler.contrib.scrapy.middlewares.incremental`) drops every article URL the archive
  already holds, so only the lost and the never-fetched articles are fetched, and list
  paging is not cut short (a killed crawl leaves gaps in no particular list order).
  Nothing is lost: an item is either committed (batches are one transaction each), or
  spooled to disk (:mod:`pipelines.spool`, replayed at start), or not in the archive
  and therefore fetched again. Nothing is doubled: the archive's identity rules map a
  re-fetched article to its row.
* **No job folder** (never started, or finished — a finished crawl removes its folder):
  the same as killed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from crawler.default_settings import default
from models.errors import display_url

log = logging.getLogger(__name__)

#: Default root of the job folders, relative to the working directory (setting ``NEWSARCHIVE_JOBS_DIR``).
DEFAULT_JOBS_DIR = Path(default("NEWSARCHIVE_JOBS_DIR"))
#: Present while a crawl runs; left behind by a crawl that was killed, or that stopped
#: with state it cannot vouch for (a full disk: see :meth:`JobFolder.close`).
RUNNING_MARKER = "running.pid"
#: Scrapy's JOBDIR contents (scheduler queue, dupefilter, spider state).
SCRAPY_STATE = ("requests.queue", "requests.seen", "spider.state")
#: A re-crawl after a crash pages through every list (see the module docstring).
FULL_LIST_PAGING = {"NEWSARCHIVE_LIST_MARGIN_DAYS": 365_000}


class JobBusy(Exception):
    """The job folder belongs to a crawl that is still running; the message names its pid."""


@dataclass
class JobFolder:
    """A crawl's job folder and the settings it contributes (``JOBDIR`` and, after a crash,
    :data:`FULL_LIST_PAGING`)."""

    path: Path | None
    settings: dict[str, Any] = field(default_factory=dict)

    def close(self, finished: bool, trusted: bool = True) -> None:
        """A finished crawl has nothing to resume: drop the folder. Otherwise keep Scrapy's
        state and remove the marker, which tells the next ``--resume`` the stop was clean;
        a state not ``trusted`` (items fetched but not kept, requests dropped by a full
        disk) keeps the marker, so ``--resume`` starts again from the seeds as after a kill."""
        if self.path is None:
            return
        if finished:
            shutil.rmtree(self.path, ignore_errors=True)
        elif trusted:
            (self.path / RUNNING_MARKER).unlink(missing_ok=True)


def job_path(root: Path, spider: str, arguments: dict[str, str], db_url: str) -> Path:
    """The folder of one job: the same spider, arguments and archive give the same folder."""
    key = json.dumps({"spider": spider, "arguments": arguments, "db": display_url(db_url)}, sort_keys=True)
    return root / f"{spider}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def open_job_folder(path: Path, resume: bool) -> JobFolder:
    """Prepare ``path`` for a run; raises :class:`JobBusy` when ``--resume`` names a job
    still running. A fresh (non-resume) crawl of a job already running gets no folder
    (it is not resumable) rather than fight over one."""
    owner = _running_pid(path)
    if owner is not None:
        if resume:
            raise JobBusy(f"this crawl is still running as process {owner} (job folder {path}): "
                          "wait for it or stop it before resuming")
        log.info("job folder %s belongs to running process %d: this crawl will not be resumable", path, owner)
        return JobFolder(path=None)
    crashed = (path / RUNNING_MARKER).exists() or not path.is_dir()
    if not resume:
        shutil.rmtree(path, ignore_errors=True)
    elif crashed:
        log.warning("the last run of this crawl was killed or stopped by a full disk (or left no state in %s): "
                    "starting again from the seeds; articles already archived are skipped, so only missing ones "
                    "are fetched", path)
        for name in SCRAPY_STATE:
            _remove(path / name)
    else:
        log.info("resuming the crawl from its saved queue in %s", path)
    path.mkdir(parents=True, exist_ok=True)
    (path / RUNNING_MARKER).write_text(str(os.getpid()), encoding="ascii")
    extra = FULL_LIST_PAGING if resume and crashed else {}
    return JobFolder(path=path, settings={"JOBDIR": str(path), **extra})


def _running_pid(path: Path) -> int | None:
    """The pid in the marker when that process is alive (and is not us), else ``None``."""
    marker = path / RUNNING_MARKER
    try:
        pid = int(marker.read_text(encoding="ascii").strip())
        # a process started after the marker was written only reuses a dead crawl's pid
        return pid if pid != os.getpid() and psutil.Process(pid).create_time() <= marker.stat().st_mtime else None
    except (FileNotFoundError, ValueError, psutil.Error):
        return None


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
