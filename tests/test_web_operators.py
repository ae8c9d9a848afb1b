"""Operators over HTTP (no browser): a job's log, the JSON API for schedule actions with
a bearer token or a session and its CSRF header, and throttled wrong passwords."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from models.engine import make_engine, session_factory
from models.operations import JobDetail
from models.repository import finish_job
from operations.jobs import create_job
from tests.web_support import PASSWORD, WebArchive, archive, login  # noqa: F401 - archive is a fixture
from web.app import WebConfig, create_app
from web.auth import LoginThrottle, hash_password
from web.job_logs import TAIL_BYTES

BEARER = {"Authorization": f"Bearer {PASSWORD}"}


@pytest.fixture(scope="module")
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    return tmp_path / "logs"


@pytest.fixture
def client(archive: WebArchive, password_hash: str, logs: Path) -> TestClient:
    config = WebConfig(archive.url, password_hash, log_dirs=(logs,))
    with TestClient(create_app(config), raise_server_exceptions=False) as c:
        yield c


def _job(url: str, *, scrapyd_job: str | None = None) -> int:
    """A finished job row, as the scheduler records one."""
    engine = make_engine(url)
    try:
        with session_factory(engine).begin() as session:
            job_id = create_job(session, "people", {"channel": "js"}, schedule_id=None, launcher="scheduler")
            if scrapyd_job:
                session.get_one(JobDetail, job_id).scrapyd_job = scrapyd_job
            finish_job(session, job_id, "finished", {"downloader/response_count": 3})
    finally:
        engine.dispose()
    return job_id


def test_a_jobs_log_is_linked_and_its_escaped_tail_shown_to_operators_only(client, archive, logs):
    job_id = _job(archive.url)
    logs.mkdir()
    hostile = "2026-01-01 INFO <script>alert('log')</script> 南通\n"
    (logs / f"job-{job_id}.log").write_bytes(b"first line\n" + b"x" * TAIL_BYTES + b"\n" + hostile.encode() + b"\xff")
    assert client.get(f"/ops/jobs/{job_id}/log", follow_redirects=False).status_code == 303
    assert client.get(f"/api/jobs/{job_id}/log").status_code == 401
    login(client)
    assert f'href="/ops/jobs/{job_id}/log"' in client.get(f"/ops/jobs/{job_id}").text
    assert f'href="/ops/jobs/{job_id}/log"' in client.get("/ops").text
    page = client.get(f"/ops/jobs/{job_id}/log").text
    assert "&lt;script&gt;alert(&#39;log&#39;)&lt;/script&gt; 南通" in page and "<script>alert" not in page
    assert "first line" not in page  # only the tail is shown
    data = client.get(f"/api/jobs/{job_id}/log").json()
    assert data["truncated"] and data["size"] > TAIL_BYTES and data["text"].endswith(hostile + "\ufffd")
    assert client.get("/api/jobs").json()[0]["log"] == f"/ops/jobs/{job_id}/log"


def test_a_scrapyd_jobs_log_is_found_by_its_spider_and_scrapyd_id(client, archive, logs):
    job_id = _job(archive.url, scrapyd_job="5f1e0c2a9b")
    (logs / "people").mkdir(parents=True)
    (logs / "people" / "5f1e0c2a9b.log").write_text("INFO: Spider opened\n")
    login(client)
    assert client.get(f"/api/jobs/{job_id}/log").json()["text"] == "INFO: Spider opened\n"


def test_a_log_file_that_leads_outside_the_log_folder_is_not_served(client, archive, logs, tmp_path):
    job_id = _job(archive.url)
    logs.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("not a log")
    os.symlink(secret, logs / f"job-{job_id}.log")
    login(client)
    response = client.get(f"/api/jobs/{job_id}/log")
    assert response.status_code == 404 and "no log file for job" in response.json()["error"]
    assert client.get(f"/api/jobs/{job_id}").json()["log"] is None
    named = client.get("/api/jobs/secret.txt/log")  # the request names a job id, never a file
    assert named.status_code == 400 and "job_id" in named.json()["error"]
    assert client.get("/api/jobs/999999/log").status_code == 404


def test_an_unknown_job_is_a_clear_404_page_and_json(client):
    login(client)
    page, api = client.get("/ops/jobs/999999"), client.get("/api/jobs/999999")
    assert page.status_code == 404 and "no job #999999" in page.text and "Traceback" not in page.text
    assert api.status_code == 404 and "no job #999999" in api.json()["error"]
    assert client.get("/api/jobs/99999999999999999999").status_code == 400


def test_an_api_client_with_the_bearer_password_adds_pauses_resumes_runs_and_removes_a_schedule(client):
    added = client.post("/api/schedules", headers=BEARER,
                        json={"name": "js-api", "spider": "people", "arguments": {"channel": "js"}, "every": "6h"})
    assert added.status_code == 201 and added.json()["when"] == "every 6h" and added.json()["state"] == "active"
    assert client.post("/api/schedules/js-api/pause", headers=BEARER).json()["paused"] is True
    assert client.post("/api/schedules/js-api/resume", headers=BEARER).json()["state"] == "active"
    assert client.post("/api/schedules/js-api/run", headers=BEARER).status_code == 200
    assert [s["name"] for s in client.get("/api/schedules", headers=BEARER).json()] == ["js-api"]
    assert client.delete("/api/schedules/js-api", headers=BEARER).status_code == 204
    assert client.get("/api/schedules", headers=BEARER).json() == []


@pytest.mark.parametrize("request_kwargs, status, message", [
    ({"json": {"name": "x", "spider": "nosuch", "every": "1d"}}, 400, "unknown spider"),
    ({"json": {"name": "x", "spider": "people", "every": "1d", "cron": "0 6 * * *"}}, 400, "exactly one of"),
    ({"json": {"name": "x", "spider": "people", "arguments": {"channel": "js"}, "every": "soon"}}, 400,
     "is not an interval"),
    ({"json": {"name": "x", "spider": "people", "every": "1d"}}, 400, "channel=NAME is required"),
    ({"json": {"name": "x", "spider": "people", "arguments": {"channel": ["js"]}, "every": "1d"}}, 400, "arguments"),
    ({"content": b"{not json", "headers": {"Content-Type": "application/json"}}, 400, "JSON"),
])
def test_a_refused_api_action_says_why_with_a_400(client, request_kwargs, status, message):
    headers = {**BEARER, **request_kwargs.get("headers", {})}
    response = client.post("/api/schedules", **{**request_kwargs, "headers": headers})
    assert response.status_code == status and message in response.json()["error"]


def test_an_action_on_an_unknown_schedule_is_a_404(client):
    response = client.post("/api/schedules/nosuch/pause", headers=BEARER)
    assert response.status_code == 404 and "no schedule named 'nosuch'" in response.json()["error"]
    assert client.delete("/api/schedules/nosuch", headers=BEARER).status_code == 404


def test_json_actions_from_a_session_need_its_csrf_header(client):
    body = {"name": "js-session", "spider": "people", "arguments": {"channel": "js"}, "cron": "0 6 * * *"}
    assert client.post("/api/schedules", json=body).status_code == 401  # not logged in
    login(client)
    refused = client.post("/api/schedules", json=body)
    assert refused.status_code == 403 and "CSRF" in refused.json()["error"]
    assert client.post("/api/schedules", json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403
    session = client.get("/api/session").json()
    assert session["operator"] is True
    token = {"X-CSRF-Token": session["csrf"]}
    assert client.post("/api/schedules", json=body, headers=token).status_code == 201
    assert client.delete("/api/schedules/js-session").status_code == 403
    assert client.delete("/api/schedules/js-session", headers=token).status_code == 204


def test_a_wrong_bearer_password_is_a_401_and_the_api_describes_both_ways_in(client):
    response = client.get("/api/jobs", headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    spec = client.get("/api/openapi.json").json()
    assert spec["components"]["securitySchemes"]["operator password"]["scheme"] == "bearer"
    add = spec["paths"]["/api/schedules"]["post"]
    assert {"operator password": []} in add["security"]
    assert any(p["name"] == "x-csrf-token" and p["in"] == "header" for p in add["parameters"])
    assert {"post", "get"} <= set(spec["paths"]["/api/schedules"]) and "delete" in spec["paths"]["/api/schedules/{name}"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_repeated_wrong_passwords_from_one_client_get_a_429_with_retry_after_until_the_window_passes(
        archive, password_hash):
    app = create_app(WebConfig(archive.url, password_hash))
    clock = Clock()
    app.state.login_throttle = LoginThrottle(attempts=5, window=300, clock=clock)
    with TestClient(app) as attacker, TestClient(app, client=("127.0.0.9", 40000)) as neighbour:
        token = attacker.get("/api/session").json()["csrf"]

        def attempt(password: str) -> int:
            return attacker.post("/login", data={"password": password, "csrf": token},
                                 follow_redirects=False).status_code

        assert [attempt(f"guess{i}") for i in range(5)] == [401] * 5
        clock.now += 10
        refused = attacker.post("/login", data={"password": PASSWORD, "csrf": token})
        assert refused.status_code == 429 and refused.headers["retry-after"] == "290"
        assert "too many wrong operator passwords" in refused.text
        assert attacker.get("/api/jobs", headers=BEARER).status_code == 429  # the API shares the limit
        assert neighbour.get("/api/jobs", headers=BEARER).status_code == 200  # other clients are not held up
        clock.now += 290
        assert attempt(PASSWORD) == 303
