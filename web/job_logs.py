"""Where a job's log file is, and its tail, for the operators' job pages.

A crawl does not record where its output went; its launcher decides: the scheduler's
local processes write ``LOG_DIR/job-ID.log`` (``newsarchive scheduler --log-dir``,
default ``data/logs``), Scrapyd writes ``LOGS_DIR/PROJECT/SPIDER/SCRAPYD_JOB.log``.
``newsarchive serve --job-log-dir DIR`` names the folders to look in (the scheduler's
log dir, Scrapyd's ``logs_dir/PROJECT``), and the file is found from the job row alone
(its id, spider and Scrapyd job id), never from anything in the request, and only if it
resolves inside one of those folders (no ``..``, no symlink out).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from models.operations import JobDetail
from models.schema import CrawlJob

#: Bytes of a log shown: the end of it, where a crawl's failure and its stats dump are.
TAIL_BYTES = 64 * 1024
#: A spider name or Scrapyd job id usable as a path segment.
_SEGMENT = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$")


@dataclass(frozen=True)
class LogTail:
    """The end of a log file, decoded (UTF-8, bad bytes replaced): ``size`` is the whole
    file's, ``truncated`` whether the text starts after the file's beginning."""

    path: Path
    size: int
    truncated: bool
    text: str


def log_file(folders: Sequence[Path], job: CrawlJob, detail: JobDetail | None) -> Path | None:
    """The job's log file in one of ``folders``, or ``None`` where there is none."""
    names = [Path(f"job-{job.id}.log")]
    if detail is not None and detail.scrapyd_job and _SEGMENT.match(detail.scrapyd_job) and _SEGMENT.match(job.spider):
        names.append(Path(job.spider) / f"{detail.scrapyd_job}.log")
    for folder in folders:
        root = folder.resolve()
        for name in names:
            candidate = (root / name).resolve()
            if candidate.is_relative_to(root) and candidate.is_file():
                return candidate
    return None


def read_tail(path: Path, limit: int = TAIL_BYTES) -> LogTail:
    """The last ``limit`` bytes of ``path``, from the first whole line in them."""
    with open(path, "rb") as log:
        size = os.fstat(log.fileno()).st_size
        start = max(0, size - limit)
        log.seek(start)
        data = log.read(limit)
    if start and b"\n" in data:
        data = data[data.index(b"\n") + 1 :]
    return LogTail(path, size, bool(start), data.decode("utf-8", errors="replace"))
