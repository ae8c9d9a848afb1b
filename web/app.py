"""The web interface (``newsarchive serve``): one ASGI application for archivists' pages,
operators' pages, and the JSON API behind both (described at ``/api/openapi.json``).

Everything reads through the ``archive/`` query functions the CLI uses and writes
operator actions through the same functions as ``newsarchive schedule``; this package
only turns requests into those calls and their results into HTML or JSON.

Errors never show a traceback: a bad query, an unknown id or a page past the end is a
page (or, under ``/api/``, a JSON object ``{"error": …}``) with the matching status.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import FastAPI, HTTPException, Request
from fastapi import Path as PathParameter
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.middleware.sessions import SessionMiddleware

from models.capture_store import CaptureUnavailable
from models.engine import make_engine, session_factory
from models.errors import display_url, error_reason
from web import auth

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
#: Policy of every page but captures (see :data:`web.replay.CAPTURE_CSP`): only this
#: server's scripts, styles and images, so an archived image URL shown on an article
#: page can never make the browser fetch from the live web.
PAGE_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)
#: A row id as the databases hold it (a larger number is an unknown id, not a crash).
Id = Annotated[int, PathParameter(ge=1, le=2**63 - 1)]
#: How long an operator stays logged in.
SESSION_SECONDS = 12 * 3600


@dataclass(frozen=True)
class WebConfig:
    """What ``newsarchive serve`` passes on: the archive, the operator password hash
    (``None``: operator pages are off), and the folders holding jobs' logs (see
    :mod:`web.job_logs`)."""

    db_url: str
    operator_hash: str | None = None
    log_dirs: tuple[Path, ...] = ()


templates = Jinja2Templates(directory=str(HERE / "templates"))


def url_with(request: Request, path: str | None = None, **changes: Any) -> str:
    """This page's URL (or ``path``) with query parameters changed; ``None``/"" removes one.
    Any change but the page number goes back to page 1."""
    params = dict(request.query_params)
    if "page" not in changes:
        params.pop("page", None)
    for name, value in changes.items():
        if value is None or value == "":
            params.pop(name, None)
        else:
            params[name] = str(value)
    query = urlencode(params)
    return (path or request.url.path) + (f"?{query}" if query else "")


templates.env.globals.update(url_with=url_with, csrf_token=auth.csrf_token, is_operator=auth.is_operator)


def create_app(config: WebConfig) -> FastAPI:
    """The application on the archive at ``config.db_url`` (its schema must be current)."""
    from web import archive_pages, operator_pages

    engine = make_engine(config.db_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="newsarchive",
        summary="Search and read the news archive; watch and schedule crawls.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.config = config
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.login_throttle = auth.LoginThrottle()
    app.add_middleware(SessionMiddleware, secret_key=secrets.token_urlsafe(32), session_cookie="newsarchive_session",
                       max_age=SESSION_SECONDS, same_site="strict", https_only=False)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(archive_pages.router)
    app.include_router(operator_pages.router)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return error_response(request, exc.status_code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def bad_parameters(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 400, "; ".join(_validation_message(error) for error in exc.errors()))

    @app.exception_handler(CaptureUnavailable)
    async def capture_unavailable(request: Request, exc: CaptureUnavailable) -> Response:
        return error_response(request, 503, f"the page's stored bytes cannot be read: {exc}")

    @app.exception_handler(SQLAlchemyError)
    async def database_error(request: Request, exc: SQLAlchemyError) -> Response:
        log.error("archive query failed: %s", error_reason(exc))
        return error_response(request, 503, f"the archive at {display_url(config.db_url)} cannot be read right now "
                                             f"({error_reason(exc)}): try again, or check the database")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error serving %s", request.url.path)
        return error_response(request, 500, "something went wrong on the server (logged): try again, "
                                             "or report the address you opened")

    return app


def error_response(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """``{"error": message}`` under ``/api/``, else the error page."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message, "status": status}, status_code=status, headers=headers)
    return templates.TemplateResponse(request, "error.html", {"status": status, "message": message},
                                      status_code=status, headers=headers)


def _validation_message(error: dict[str, Any]) -> str:
    where = ".".join(str(part) for part in error.get("loc", ())[1:]) or "request"
    return f"{where}: {error.get('msg', 'invalid value')}"


def sessions(request: Request) -> sessionmaker[Session]:
    return request.app.state.sessions


def read_session(request: Request) -> Iterator[Session]:
    """A session for one request that only reads (rolled back at the end)."""
    with sessions(request)() as session:
        yield session
