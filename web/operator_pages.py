"""Operators' pages (login required): schedules, jobs, and the charts that make a broken
template or a block visible; and their JSON twins under ``/api/``.

Every action is a POST carrying the session's CSRF token, and goes through the same
functions as ``newsarchive schedule`` (:mod:`operations.schedules`); reading pages
never change state (job listing marks dead jobs only in its own rolled-back session).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from archive.facets import archived_per_day
from cli.crawl import parse_arguments
from crawler.cpu import STAT_PREFIX as CPU_PREFIX
from models.operations import JobDetail
from models.schema import CrawlJob
from operations.crawl import CrawlFailed
from operations.figures import figures
from operations.jobs import JobRow, list_jobs
from operations.schedules import (
    ScheduleError,
    add_schedule,
    describe,
    list_schedules,
    remove_schedule,
    run_now,
    set_paused,
)
from web import auth
from web.app import Id, read_session, sessions, templates

router = APIRouter()

#: Jobs listed and charted.
JOB_LIMIT = 60
#: Days of archive growth charted.
GROWTH_DAYS = 60


def operator(request: Request) -> None:
    """Dependency of every operator page: logged in, or sent to the login page (401 for the API)."""
    if request.app.state.config.operator_hash is None:
        raise HTTPException(403, "operator pages are off: restart with "
                                 "`newsarchive serve --operator-password-file FILE` to turn them on")
    if auth.is_operator(request):
        return
    if request.url.path.startswith("/api/"):
        raise HTTPException(401, "log in first: POST the password to /login, then send the session cookie")
    raise HTTPException(303, "log in first", headers={"Location": f"/login?next={quote(request.url.path)}"})


def checked(request: Request, csrf: str = Form("")) -> None:
    """Dependency of every state-changing form: logged in and carrying the CSRF token."""
    operator(request)
    if not auth.csrf_ok(request, csrf):
        raise HTTPException(403, "the form is stale or came from another site (CSRF token missing or wrong): "
                                 "reload the page and try again")


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
    if not auth.verify_password(password, stored):
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


def _local(target: str) -> str:
    """Only redirect within this site (``/path``, never ``//host`` or a full URL)."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/ops"


def job_summary(row: JobRow) -> dict[str, Any]:
    """A job as the listing and the API show it: outcome, health and its figures."""
    job, f = row.job, figures(row.job.stats)
    elapsed = ((job.finished_at or datetime.now(UTC)) - job.started_at).total_seconds()
    return {
        "id": job.id, "spider": job.spider, "arguments": job.arguments, "schedule": row.schedule,
        "started_at": job.started_at, "finished_at": job.finished_at, "outcome": job.outcome or "running",
        "healthy": row.detail.healthy if row.detail else None, "failed": row.failed,
        "pages": f.pages_fetched, "articles": f.articles, "seen": f.articles_seen,
        "errors": sum(f.http_errors.values()) + f.download_errors, "error_rate": round(f.error_rate, 4),
        "rate": round(f.pages_fetched / elapsed, 2) if elapsed > 0 else 0.0,
        "coverage": {k: round(v, 3) for k, v in f.coverage.items()},
    }


def _jobs(session: Session) -> list[dict[str, Any]]:
    rows = list_jobs(session, limit=JOB_LIMIT)
    session.rollback()  # reading marks dead jobs in this session only; the CLI and scheduler record it
    return [job_summary(row) for row in rows]


def _schedules(session: Session) -> list[dict[str, Any]]:
    return [{**describe(s), "paused": s.paused} for s in list_schedules(session)]


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
    jobs = _jobs(session)
    return templates.TemplateResponse(request, "ops.html", {
        "schedules": _schedules(session), "jobs": jobs, "running": [j for j in jobs if j["outcome"] == "running"],
        "charts": charts_data(session, jobs), "error": error})


@router.get("/api/schedules", tags=["operators"], dependencies=[Depends(operator)])
def schedules_api(session: Session = Depends(read_session)) -> list[dict[str, Any]]:
    """Every schedule: spider, arguments, timing, state, next run."""
    return _schedules(session)


@router.get("/api/jobs", tags=["operators"], dependencies=[Depends(operator)])
def jobs_api(session: Session = Depends(read_session)) -> list[dict[str, Any]]:
    """The newest jobs with outcome, health, pages, articles, errors and rate."""
    return _jobs(session)


@router.get("/api/charts", tags=["operators"], dependencies=[Depends(operator)])
def charts_api(session: Session = Depends(read_session)) -> dict[str, Any]:
    """The series behind the operator charts."""
    return charts_data(session, _jobs(session))


def job_data(session: Session, job_id: int) -> dict[str, Any]:
    job = session.get(CrawlJob, job_id)
    if job is None:
        raise HTTPException(404, f"no job #{job_id}: the operators' page lists them")
    detail = session.get(JobDetail, job_id)
    row = next((r for r in list_jobs(session, limit=10**6) if r.job.id == job_id), JobRow(job, detail, None))
    session.rollback()
    f = figures(job.stats)
    statuses = {key.rsplit("/", 1)[1]: value for key, value in job.stats.items()
                if key.startswith("newsarchive/http_status/")}
    return {
        **job_summary(row), "host": job.host, "pid": job.pid,
        "launcher": detail.launcher if detail else "cli", "error": detail.error if detail else None,
        "checks": detail.checks if detail else [], "problems": f.problems, "http_status": statuses,
        "http_errors": f.http_errors, "download_errors": f.download_errors,
        "cpu_seconds": {k[len(CPU_PREFIX):]: round(float(v), 3) for k, v in job.stats.items() if k.startswith(CPU_PREFIX)},
        "stats": job.stats,
    }


@router.get("/ops/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False, dependencies=[Depends(operator)])
def job_page(request: Request, job_id: Id, session: Session = Depends(read_session)) -> Response:
    return templates.TemplateResponse(request, "job.html", {"j": job_data(session, job_id)})


@router.get("/api/jobs/{job_id}", tags=["operators"], dependencies=[Depends(operator)])
def job_api(job_id: Id, session: Session = Depends(read_session)) -> dict[str, Any]:
    """One job in full: figures, health checks, CPU per stage, HTTP statuses, stats."""
    return job_data(session, job_id)


@router.post("/ops/schedules", include_in_schema=False, dependencies=[Depends(checked)])
def add(request: Request, name: str = Form(...), spider: str = Form(...), arguments: str = Form(""),
        when: Literal["every", "cron"] = Form("every"), value: str = Form(...)) -> Response:
    def action(session: Session) -> None:
        add_schedule(session, name.strip(), spider.strip(), parse_arguments(arguments.split()),
                     **{when: value.strip()})

    return _act(request, action)


@router.post("/ops/schedules/{name}/{verb}", include_in_schema=False, dependencies=[Depends(checked)])
def act(request: Request, name: str, verb: Literal["pause", "resume", "run", "remove"]) -> Response:
    actions = {"pause": lambda s: set_paused(s, name, True), "resume": lambda s: set_paused(s, name, False),
               "run": lambda s: run_now(s, name), "remove": lambda s: remove_schedule(s, name)}
    return _act(request, actions[verb])


def _act(request: Request, action: Any) -> Response:
    """Run ``action`` in one transaction; a refused action is shown on the page, status 400."""
    try:
        with sessions(request).begin() as session:
            action(session)
    except (ScheduleError, CrawlFailed) as exc:
        with sessions(request)() as session:
            return _refused(request, session, str(exc))
    return RedirectResponse("/ops", status_code=303)


def _refused(request: Request, session: Session, message: str) -> Response:
    response = ops_page(request, session, error=message)
    response.status_code = 400
    return response
