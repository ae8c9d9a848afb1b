"""``newsarchive jobs [--failed] [--since DATE]`` and ``newsarchive jobs show ID``: crawl history."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta

from models.operations import JobDetail
from models.schema import CrawlJob
from operations.archive_session import archive_session
from operations.crawl import CrawlFailed
from operations.figures import figure_lines, figures
from operations.health import result_lines
from operations.jobs import JobRow, job_outcome, list_jobs


def parse_since(text: str) -> datetime:
    """``2026-11-01``, ``2026-11-01T06:00``, or an age like ``3d`` / ``12h`` (before now)."""
    if text[:-1].isdigit() and text[-1] in "dhm":
        unit = {"d": "days", "h": "hours", "m": "minutes"}[text[-1]]
        return datetime.now(UTC) - timedelta(**{unit: int(text[:-1])})
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: use a date (2026-11-01), a time (2026-11-01T06:00) "
                                         "or an age (3d, 12h, 30m)") from None
    return value if value.tzinfo else value.astimezone()


def _when(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


def _state(row: JobRow) -> str:
    return job_outcome(row.job.outcome, row.detail.healthy if row.detail is not None else None)


def _line(row: JobRow) -> str:
    f = figures(row.job.stats)
    arguments = " ".join(f"{k}={v}" for k, v in row.job.arguments.items())
    return (f"{row.job.id:>5} {_when(row.job.started_at):<19} {_when(row.job.finished_at):<19} {_state(row):<15} "
            f"{row.schedule or '-':<14} {f.pages_fetched:>6} {f.articles['new']:>5} {f.articles_seen:>6}  "
            f"{row.job.spider} {arguments}")


def _list(args: argparse.Namespace) -> int:
    with archive_session(args.db, read_only=True) as session:
        rows = list_jobs(session, since=args.since, failed=args.failed, limit=args.limit)
        lines = [_line(r) for r in rows]
    if not lines:
        print("no jobs" + (" matching" if args.failed or args.since else " yet: run `newsarchive crawl` or the scheduler"))
        return 0
    print(f"{'ID':>5} {'STARTED':<19} {'FINISHED':<19} {'OUTCOME':<15} {'SCHEDULE':<14} {'PAGES':>6} {'NEW':>5} {'SEEN':>6}  SPIDER ARGUMENTS")
    print("\n".join(lines))
    return 0


def _show(args: argparse.Namespace) -> int:
    with archive_session(args.db, read_only=True) as session:
        job = session.get(CrawlJob, args.id)
        if job is None:
            print(f"newsarchive jobs: no job #{args.id}; `newsarchive jobs` lists them", file=sys.stderr)
            return 2
        detail = session.get(JobDetail, args.id)
        row = next((r for r in list_jobs(session, limit=10**9) if r.job.id == args.id), JobRow(job, detail, None))
        if args.json:
            print(json.dumps({"id": job.id, "spider": job.spider, "arguments": job.arguments, "outcome": _state(row),
                              "finish_reason": job.outcome,
                              "started_at": str(job.started_at), "finished_at": str(job.finished_at),
                              "pid": job.pid, "host": job.host, "schedule": row.schedule,
                              "checks": detail.checks if detail else [], "stats": job.stats},
                             ensure_ascii=False, indent=2))
            return 0
        lines = [
            f"job #{job.id}: {job.spider} {' '.join(f'-a {k}={v}' for k, v in job.arguments.items())}",
            f"  outcome         {_state(row)}",
            f"  schedule        {row.schedule or '-'} (launched by {detail.launcher if detail else 'cli'})",
            f"  started         {_when(job.started_at)} on {job.host or '?'} pid {job.pid or '?'}",
            f"  finished        {_when(job.finished_at)}",
        ]
        if detail is not None and detail.scrapyd_job:
            lines.append(f"  scrapyd job     {detail.scrapyd_job}")
        if detail is not None and detail.error:
            lines.append(f"  error           {detail.error}")
        lines += figure_lines(figures(job.stats))
        if detail is not None and detail.checks:
            lines += ["health checks", *result_lines(detail.checks)]
    print("\n".join(lines))
    return 0


def _guarded(args: argparse.Namespace) -> int:
    try:
        return _show(args) if args.jobs_command == "show" else _list(args)
    except CrawlFailed as exc:
        print(f"newsarchive jobs: {exc}", file=sys.stderr)
        return 2


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("jobs", help="list crawl jobs (every crawl, however started)")
    parser.add_argument("--failed", action="store_true", help="only jobs that failed, died or were unhealthy")
    parser.add_argument("--since", type=parse_since, metavar="WHEN", help="only jobs started since: 2026-11-01, 3d, 12h")
    parser.add_argument("--limit", type=int, default=50, help="at most this many jobs (default 50)")
    parser.set_defaults(func=_guarded, jobs_command="list")
    commands = parser.add_subparsers(dest="jobs_command", metavar="SUBCOMMAND")
    show = commands.add_parser("show", help="one job in full: stats, coverage, health checks")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true", help="print the job as JSON")
    show.set_defaults(func=_guarded)
