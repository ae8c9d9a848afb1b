"""The web interface in a real browser: Debian's chromium, headless, driven by selenium
through chromium-driver. Skipped with the reason where chromium is absent (failing
under NEWSARCHIVE_REQUIRE_SERVICES=1); install with
``apt-get install -y chromium chromium-driver fonts-wqy-zenhei``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from models.engine import make_engine, session_factory
from models.operations import JobDetail
from models.repository import finish_job, start_job
from operations.schedules import add_schedule
from tests.browser import LiveServer, chromium_driver
from tests.web_support import WebArchive, build_web_archive, external_server
from web.app import WebConfig
from web.auth import hash_password

PASSWORD = "operator-test-password"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WebArchive, str, list[str], int]]:
    """(archive, base URL, hits on the "external" server, a finished job id)."""
    with external_server() as (external, hits):
        archive = build_web_archive(f"sqlite:///{tmp_path_factory.mktemp('browser') / 'archive.db'}", external)
        job_id = _operator_fixtures(archive.url)
        with LiveServer(WebConfig(archive.url, hash_password(PASSWORD))) as server:
            yield archive, server.url, hits, job_id


@pytest.fixture(scope="module")
def browser(site):  # noqa: ARG001 - the site first, so a missing browser skips after nothing costly
    driver = chromium_driver()
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def _operator_fixtures(url: str) -> int:
    """A schedule and one finished job with stats (as a crawl records them)."""
    engine = make_engine(url)
    try:
        with session_factory(engine).begin() as session:
            add_schedule(session, "js-daily", "people", {"channel": "js"}, every="1d")
            job_id = start_job(session, "people", {"channel": "js"})
            session.add(JobDetail(job_id=job_id, launcher="cli", checks=[{"name": "articles", "ok": True, "detail": "4"}],
                                  healthy=True))
            finish_job(session, job_id, "finished", {
                "downloader/response_count": 12, "newsarchive/articles/new": 4, "newsarchive/http_status/200": 11,
                "newsarchive/http_status/404": 1, "newsarchive/cpu_s/extract": 0.4, "newsarchive/cpu_s/store": 0.2,
                "newsarchive/fields/articles": 4, "newsarchive/fields/title": 4, "newsarchive/fields/source": 3,
                "finish_time": datetime.now(UTC).isoformat()})
    finally:
        engine.dispose()
    return job_id


def _text(browser, css: str) -> str:
    return browser.find_element("css selector", css).text


def _wait_for(browser, css: str, condition, timeout: float = 15) -> str:
    """The element's text once ``condition(text)`` holds (a submitted form's page may still be loading)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    def settled(b) -> str | None:  # the element may be replaced while the next page loads
        text = b.find_element("css selector", css).text
        return text if condition(text) else None

    return WebDriverWait(browser, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(settled)


def test_search_then_article_then_versions_diff_then_capture_view(site, browser):
    archive, base, _, _ = site
    browser.get(f"{base}/?q=南通")
    assert _text(browser, "#total").startswith("3 articles")
    browser.find_element("link text", "南通推进产业升级").click()
    assert _text(browser, "#headline") == "南通推进产业升级"
    browser.find_element("css selector", "a.compare").click()
    assert "四百家" in _wait_for(browser, "#diff", lambda text: "四百家" in text)
    assert browser.find_elements("css selector", "#diff .diff_add")
    browser.find_element("css selector", "a.capture").click()
    assert _text(browser, "#capture-url").endswith("/c1-1.html")
    browser.switch_to.frame(browser.find_element("id", "replay"))
    try:
        assert "南通推进产业升级" in _text(browser, "h1")  # GBK bytes decoded as recorded
    finally:
        browser.switch_to.default_content()


def test_a_facet_narrows_a_search(site, browser):
    _, base, _, _ = site
    browser.get(f"{base}/?q=南通")
    browser.find_element("css selector", "#facet-editor").find_element("link text", "王五").click()
    assert _wait_for(browser, "#total", lambda text: not text.startswith("3 ")).startswith("2 articles")
    assert "editor=" in browser.current_url


def test_an_operator_logs_in_pauses_and_resumes_a_schedule_and_sees_a_job_chart(site, browser):
    _, base, _, job_id = site
    browser.get(f"{base}/ops")
    assert "/login" in browser.current_url
    browser.find_element("id", "password").send_keys(PASSWORD)
    browser.find_element("id", "login").click()
    row = "#schedule-js-daily"
    browser.find_element("css selector", f"{row} button[value=pause]").click()
    assert _wait_for(browser, f"{row} .state", lambda text: text != "active") == "paused"
    browser.find_element("css selector", f"{row} button[value=resume]").click()
    assert _wait_for(browser, f"{row} .state", lambda text: text != "paused") == "active"
    browser.get(f"{base}/ops/jobs/{job_id}")
    assert _text(browser, "#outcome").startswith("finished")
    from selenium.webdriver.support.ui import WebDriverWait

    # data-drawn is set by /static/charts.js once the vendored Chart.js has drawn the chart
    WebDriverWait(browser, 15).until(lambda b: b.find_element("id", "chart-cpu").get_attribute("data-drawn") == "1")


def test_a_hostile_archived_page_neither_runs_nor_fetches(site, browser):
    archive, base, hits, _ = site
    browser.get(f"{base}/captures/{archive.hostile_capture_id}")
    frame = browser.find_element("id", "replay")
    browser.switch_to.frame(frame)
    try:
        assert _text(browser, "#archived-headline") == "南通企业赴港上市"
        time.sleep(1.5)  # a meta refresh of 0 s, onload and image loads would all have happened by now
        assert browser.execute_script("return document.title") != "SCRIPT RAN"
        assert browser.execute_script("return location.pathname") == f"/captures/{archive.hostile_capture_id}/raw"
    finally:
        browser.switch_to.default_content()
    assert hits == []
