"""Operators' pages (login required): schedules, jobs with their logs, and the charts
that make a broken template or a block visible; and their JSON twins under ``/api/``.

Every action goes through the same functions as ``newsarchive schedule``
(:mod:`operations.schedules`) and is a POST (or, in the API, a DELETE) that carries the
session's CSRF token — a form's ``csrf`` field, or the ``X-CSRF-Token`` header — unless
it is authenticated by ``Authorization: Bearer PASSWORD`` instead of the session cookie.
Reading pages never change state (job listing marks dead jobs only in its own
rolled-back session). Wrong passwords, at the login form or as a bearer token, are
throttled per client (:class:`web.auth.LoginThrottle`): 429 with ``Retry-After``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Header, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from archive.facets import archived_per_day
from cli.crawl import parse_arguments
from crawler.cpu import STAT_PREFIX as CPU_PREFIX
from models.operations import JobDetail, Schedule
from models.schema import CrawlJob
from operations.crawl import CrawlFailed
from operations.figures import figures
from operations.jobs import JobRow, list_jobs, mark_dead_jobs
from operations.schedules import (
    ScheduleError,
    ScheduleNotFound,
    add_schedule,
    describe,
    list_schedules,
    remove_schedule,
    run_now,
    set_paused,
)
from web import auth
from web.app import Id, read_session, sessions, templates
from web.job_logs import LogTail, log_file, read_tail

router = APIRouter()

#: Jobs listed and charted.
JOB_LIMIT = 60
#: Days of archive growth charted.
GROWTH_DAYS = 60


class ScheduleIn(BaseModel):
    """A new schedule, as `newsarchive schedule add` takes it: exactly one of ``every`` and ``cron``."""

    name: str = Field(max_length=128, examples=["js-daily"])
    spider: str = Field(max_length=64, examples=["people"])
    arguments: dict[str, str] = Field(default_factory=dict, examples=[{"channel": "js"}])
    every: str | None = Field(None, max_length=32, description="interval: 45s, 30m, 6h, 1d", examples=["1d"])
    cron: str | None = Field(None, max_length=128, description="five cron fields, local time", examples=["0 6 * * *"])


class ScheduleOut(BaseModel):
    name: str
    spider: str
    arguments: str
    when: str
    state: Literal["active", "paused"]
    next_run: str
    paused: bool


class LogOut(BaseModel):
    """The end of a job's log (at most 64 KiB, from a line start), decoded as UTF-8."""

    job_id: int
    path: str
    size: int = Field(description="bytes in the whole file")
    truncated: bool = Field(description="whether the text starts after the file's beginning")
    text: str


bearer = HTTPBearer(auto_error=False, scheme_name="operator password", description=(
    "`Authorization: Bearer PASSWORD` with the operator password, for API clients; no CSRF token needed. "
    "Browsers use the session cookie from POST /login instead, and send its CSRF token (GET /api/session) "
    "in the X-CSRF-Token header with every POST or DELETE."))


def operator(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
    """Dependency of every operator page: the password as a bearer token, or a logged-in
    session; else sent to the login page (401 for the API)."""
    if request.app.state.config.operator_hash is None:
        raise HTTPException(403, "operator pages are off: restart with "
                                 "`newsarchive serve --operator-password-file FILE` to turn them on")
    if credentials is not None:
        if not password_ok(request, credentials.credentials):
            raise HTTPException(401, "wrong operator password in the Authorization header",
                                headers={"WWW-Authenticate": "Bearer"})
        request.state.bearer = True
        return
    if auth.is_operator(request):
        return
    if request.url.path.startswith("/api/"):
        raise HTTPException(401, "log in first: send `Authorization: Bearer PASSWORD`, or POST the password to "
                                 "/login and send the session cookie", headers={"WWW-Authenticate": "Bearer"})
    raise HTTPException(303, "log in first", headers={"Location": f"/login?next={quote(request.url.path)}"})


def password_ok(request: Request, password: str) -> bool:
    """Whether ``password`` is the operator's; a client that sent too many wrong ones
    lately gets a 429 with ``Retry-After`` instead of an answer."""
    throttle: auth.LoginThrottle = request.app.state.login_throttle
    client = request.client.host if request.client else "unknown"
    wait = throttle.retry_after(client)
    if wait:
        raise HTTPException(429, f"too many wrong operator passwords from {client}: try again in {wait} s",
                            headers={"Retry-After": str(wait)})
    if auth.verify_password(password, request.app.state.config.operator_hash):
        throttle.succeeded(client)
        return True
    throttle.failed(client)
    return False


def _require_csrf(request: Request, submitted: str | None) -> None:
    """State changes from a session must carry its CSRF token; bearer requests need none."""
    if not getattr(request.state, "bearer", False) and not auth.csrf_ok(request, submitted):
        raise HTTPException(403, "the form is stale or came from another site (CSRF token missing or wrong): "
                                 "reload the page and try again")


def checked(request: Request, csrf: str = Form(""), _operator: None = Depends(operator)) -> None:
    """Dependency of every state-changing form: an operator, carrying the CSRF token."""
    _require_csrf(request, csrf)


def api_checked(request: Request, _operator: None = Depends(operator), x_csrf_token: str | None = Header(
        None, description="the session's CSRF token (GET /api/session); not needed with a bearer token")) -> None:
    """Dependency of every state-changing API call: an operator, with the CSRF header
    when authenticated by the session cookie."""
    _require_csrf(request, x_csrf_token)


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, next: str = "/ops") -> Response:
    return templates.TemplateResponse(request, "login.html", {"next": _local(next), "error": None})


@router.post("/login", include_in_schema=False)
def login(request: Request, password: str = Form(""), csrf: str = Form(""), next: str = Form("/ops")) -> Response:
    stored = request.app.state.config.operator_hash
    if stored is None:
        raise HTTPException(403, "operator pages are off: restart with `newsarchive serve --operator-password-file FILE`")
    if not auth.csrf_ok(request, csrf):
        raise HTTPException(403, "the login form is stale (CSRF token missing or wrong): reload it and try again")
    if not password_ok(request, password):
        return templates.TemplateResponse(request, "login.html", {"next": _local(next), "error": "wrong password"},
                                          status_code=401)
    request.session.clear()
    request.session[auth.OPERATOR_KEY] = True
    return RedirectResponse(_local(next), status_code=303)


@router.post("/logout", include_in_schema=False)
def logout(request: Request, csrf: str = Form("")) -> Response:
    if not auth.csrf_ok(request, csrf):
        raise HTTPException(403, "the form is stale (CSRF token missing or wrong): reload the page and try again")
    request.session.clear()
    return RedirectResponse("/", status_code=303)


@router.get("/api/session", tags=["operators"])
def session_api(request: Request) -> dict[str, Any]:
    """Whether this session is logged in as operator, and its CSRF token, which a browser
    script sends in the X-CSRF-Token header with operator actions."""
    return {"operator": auth.is_operator(request), "csrf": auth.csrf_token(request)}


def _local(target: str) -> str:
    """Only redirect within this site (``/path``, never ``//host`` or a full URL)."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/ops"


def job_summary(request: Request, row: JobRow) -> dict[str, Any]:
    """A job as the listing and the API show it: outcome, health, its figures, and the
    address of its log when its file is found."""
    job, f = row.job, figures(row.job.stats)
    has_log = log_file(request.app.state.config.log_dirs, job, row.detail) is not None
    elapsed = ((job.finished_at or datetime.now(UTC)) - job.started_at).total_seconds()
    return {
        "id": job.id, "spider": job.spider, "arguments": job.arguments, "schedule": row.schedule,
        "started_at": job.started_at, "finished_at": job.finished_at, "outcome": job.outcome or "running",
        "healthy": row.detail.healthy if row.detail else None, "failed": row.failed,
        "pages": f.pages_fetched, "articles": f.articles, "seen": f.articles_seen,
        "errors": sum(f.http_errors.values()) + f.download_errors, "error_rate": round(f.error_rate, 4),
        "rate": round(f.pages_fetched / elapsed, 2) if elapsed > 0 else 0.0,
        "coverage": {k: round(v, 3) for k, v in f.coverage.items()},
        "log": f"/ops/jobs/{job.id}/log" if has_log else None,
    }


def _jobs(request: Request, session: Session, failed: bool = False, limit: int = JOB_LIMIT) -> list[dict[str, Any]]:
    rows = list_jobs(session, failed=failed, limit=limit)
    session.rollback()  # reading marks dead jobs in this session only; the CLI and scheduler record it
    return [job_summary(request, row) for row in rows]


def _out(schedule: Schedule) -> ScheduleOut:
    return ScheduleOut(**describe(schedule), paused=schedule.paused)


def _schedules(session: Session) -> list[ScheduleOut]:
    return [_out(s) for s in list_schedules(session)]


def charts_data(session: Session, jobs: list[dict[str, Any]]) -> dict[str, Any]:
    """Series for the operator charts: archive growth per day and site; per job (oldest
    first) new vs seen articles, error rate, and field coverage."""
    growth: dict[str, dict[str, int]] = {}
    days: list[str] = []
    for day, site, count in archived_per_day(session, date.today() - timedelta(days=GROWTH_DAYS)):
        if day not in days:
            days.append(day)
        growth.setdefault(site, {})[day] = count
    finished = [job for job in reversed(jobs) if job["outcome"] != "running"]
    fields = sorted({name for job in finished for name in job["coverage"]})
    return {
        "growth": {"days": days, "sites": {site: [per_day.get(d, 0) for d in days] for site, per_day in growth.items()}},
        "jobs": {
            "labels": [f"#{job['id']}" for job in finished],
            "new": [job["articles"].get("new", 0) for job in finished],
            "seen": [job["seen"] for job in finished],
            "error_rate": [job["error_rate"] for job in finished],
            "coverage": {name: [job["coverage"].get(name) for job in finished] for name in fields},
        },
    }


@router.get("/ops", response_class=HTMLResponse, include_in_schema=False, dependencies=[Depends(operator)])
def ops_page(request: Request, session: Session = Depends(read_session), error: str | None = None) -> Response:
    jobs = _jobs(request, session)
    return templates.TemplateResponse(request, "ops.html", {
        "schedules": _schedules(session), "jobs": jobs, "running": [j for j in jobs if j["outcome"] == "running"],
        "charts": charts_data(session, jobs), "error": error})


@router.get("/api/schedules", tags=["operators"], dependencies=[Depends(operator)])
def schedules_api(session: Session = Depends(read_session)) -> list[ScheduleOut]:
    """Every schedule: spider, arguments, timing, state, next run."""
    return _schedules(session)


@router.get("/api/jobs", tags=["operators"], dependencies=[Depends(operator)])
def jobs_api(request: Request, session: Session = Depends(read_session), failed: bool = Query(
        False, description="only jobs that went wrong"), limit: int = Query(JOB_LIMIT, ge=1, le=1000)) -> list[dict[str, Any]]:
    """The newest jobs with outcome, health, pages, articles, errors, rate and log address."""
    return _jobs(request, session, failed, limit)


@router.get("/api/charts", tags=["operators"], dependencies=[Depends(operator)])
def charts_api(request: Request, session: Session = Depends(read_session)) -> dict[str, Any]:
    """The series behind the operator charts."""
    return charts_data(session, _jobs(request, session))


def _job_row(session: Session, job_id: int) -> JobRow:
    """One job as :func:`list_jobs` would list it (a dead one marked, in this session only)."""
    mark_dead_jobs(session)
    job = session.get(CrawlJob, job_id)
    if job is None:
        raise HTTPException(404, f"no job #{job_id}: the operators' page lists them")
    detail = session.get(JobDetail, job_id)
    schedule = session.get(Schedule, detail.schedule_id) if detail and detail.schedule_id else None
    return JobRow(job, detail, schedule.name if schedule else None)


def job_data(request: Request, session: Session, job_id: int) -> dict[str, Any]:
    row = _job_row(session, job_id)
    job, detail = row.job, row.detail
    f = figures(job.stats)
    statuses = {key.rsplit("/", 1)[1]: value for key, value in job.stats.items()
                if key.startswith("newsarchive/http_status/")}
    summary = job_summary(request, row)
    session.rollback()
    return {
        **summary, "host": job.host, "pid": job.pid,
        "launcher": detail.launcher if detail else "cli", "error": detail.error if detail else None,
        "checks": detail.checks if detail else [], "problems": f.problems, "http_status": statuses,
        "http_errors": f.http_errors, "download_errors": f.download_errors,
        "cpu_seconds": {k[len(CPU_PREFIX):]: round(float(v), 3) for k, v in job.stats.items() if k.startswith(CPU_PREFIX)},
        "stats": job.stats,
    }


@router.get("/ops/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False, dependencies=[Depends(operator)])
def job_page(request: Request, job_id: Id, session: Session = Depends(read_session)) -> Response:
    return templates.TemplateResponse(request, "job.html", {"j": job_data(request, session, job_id)})


@router.get("/api/jobs/{job_id}", tags=["operators"], dependencies=[Depends(operator)])
def job_api(request: Request, job_id: Id, session: Session = Depends(read_session)) -> dict[str, Any]:
    """One job in full: figures, health checks, CPU per stage, HTTP statuses, stats, log address."""
    return job_data(request, session, job_id)


def job_log(request: Request, session: Session, job_id: int) -> LogTail:
    """The end of the job's log file; 404 when the job or its file is not found."""
    row = _job_row(session, job_id)
    session.rollback()
    folders = request.app.state.config.log_dirs
    path = log_file(folders, row.job, row.detail)
    if path is None:
        raise HTTPException(404, f"no log file for job #{job_id} in {', '.join(str(f) for f in folders)}: "
                                 "only crawls started by the scheduler or Scrapyd write one there "
                                 "(`newsarchive serve --job-log-dir DIR` names the folders to look in)")
    return read_tail(path)


@router.get("/ops/jobs/{job_id}/log", response_class=HTMLResponse, include_in_schema=False,
            dependencies=[Depends(operator)])
def job_log_page(request: Request, job_id: Id, session: Session = Depends(read_session)) -> Response:
    return templates.TemplateResponse(request, "log.html", {"job_id": job_id, "log": job_log(request, session, job_id)})


@router.get("/api/jobs/{job_id}/log", tags=["operators"], dependencies=[Depends(operator)])
def job_log_api(request: Request, job_id: Id, session: Session = Depends(read_session)) -> LogOut:
    """The end of the job's log file (read-only)."""
    tail = job_log(request, session, job_id)
    return LogOut(job_id=job_id, path=str(tail.path), size=tail.size, truncated=tail.truncated, text=tail.text)


Action = Callable[[Session], Any]


def _apply(request: Request, action: Action) -> Any:
    """Run ``action`` in one transaction and return what it returns (made while the
    transaction is open); a refused action raises :class:`ScheduleError`."""
    with sessions(request).begin() as session:
        return action(session)


def _adding(name: str, spider: str, arguments: dict[str, str], when: dict[str, str]) -> Action:
    return lambda session: add_schedule(session, name.strip(), spider.strip(), arguments,
                                        **{k: v.strip() for k, v in when.items()})


def _verb(name: str, verb: str) -> Action:
    actions: dict[str, Action] = {
        "pause": lambda s: set_paused(s, name, True), "resume": lambda s: set_paused(s, name, False),
        "run": lambda s: run_now(s, name), "remove": lambda s: remove_schedule(s, name)}
    return actions[verb]


@router.post("/ops/schedules", include_in_schema=False, dependencies=[Depends(checked)])
def add(request: Request, name: str = Form(...), spider: str = Form(...), arguments: str = Form(""),
        when: Literal["every", "cron"] = Form("every"), value: str = Form(...)) -> Response:
    # The arguments are parsed inside the action, so a malformed pair is refused like any bad schedule.
    return _act(request, lambda s: _adding(name, spider, parse_arguments(arguments.split()), {when: value})(s))


@router.post("/ops/schedules/{name}/{verb}", include_in_schema=False, dependencies=[Depends(checked)])
def act(request: Request, name: str, verb: Literal["pause", "resume", "run", "remove"]) -> Response:
    return _act(request, _verb(name, verb))


def _act(request: Request, action: Action) -> Response:
    """Run ``action``, back to the operators' page; a refused action is shown on the
    page with status 400 (404 for an unknown schedule)."""
    try:
        _apply(request, action)
    except (ScheduleError, CrawlFailed) as exc:
        with sessions(request)() as session:
            response = ops_page(request, session, error=str(exc))
        response.status_code = 404 if isinstance(exc, ScheduleNotFound) else 400
        return response
    return RedirectResponse("/ops", status_code=303)


def _api_act(request: Request, action: Action) -> Any:
    """Run an API action: a refused one is a 400, an unknown schedule a 404, with the reason."""
    try:
        return _apply(request, action)
    except (ScheduleError, CrawlFailed) as exc:
        raise HTTPException(404 if isinstance(exc, ScheduleNotFound) else 400, str(exc)) from None


@router.post("/api/schedules", tags=["operators"], status_code=201, dependencies=[Depends(api_checked)])
def add_api(request: Request, schedule: ScheduleIn) -> ScheduleOut:
    """Add a schedule (checked as `newsarchive schedule add` checks it: spider, arguments, timing, free name)."""
    when = {k: v for k, v in (("every", schedule.every), ("cron", schedule.cron)) if v is not None}
    adding = _adding(schedule.name, schedule.spider, schedule.arguments, when)
    return _api_act(request, lambda s: _out(adding(s)))


@router.post("/api/schedules/{name}/{verb}", tags=["operators"], dependencies=[Depends(api_checked)])
def act_api(request: Request, name: str, verb: Literal["pause", "resume", "run"]) -> ScheduleOut:
    """Pause or resume a schedule, or make it due now (`run`: the scheduler starts it on its next tick)."""
    action = _verb(name, verb)
    return _api_act(request, lambda s: _out(action(s)))


@router.delete("/api/schedules/{name}", tags=["operators"], status_code=204, dependencies=[Depends(api_checked)])
def remove_api(request: Request, name: str) -> Response:
    """Remove a schedule; its past jobs stay in the history."""
    _api_act(request, _verb(name, "remove"))
    return Response(status_code=204)
